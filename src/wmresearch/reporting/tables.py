"""Report tables: titled, formatted, index hidden, sourced, and never showing ``nan``.

Each table takes the page's next table number (the renderer writes "Table N: caption" above
it) and its CSV, ``table-NN.csv``, carries the same number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from IPython.display import HTML, display

from wmresearch.reporting.display import source_note
from wmresearch.reporting.downloads import next_number, write_csv

MISSING = "not available"
#: The class the renderer numbers; tables shown any other way are not numbered.
TABLE_CLASS = "wm-table"


def show_table(frame: pd.DataFrame, *, formats: Mapping[str, str] | None = None,
               sources: Sequence[str] = (), missing: str = MISSING,
               caption: str | None = None, data: pd.DataFrame | None = None,
               units: str = "") -> None:
    """Display ``frame`` with number formats; empty cells read ``missing`` in words.

    ``caption`` is the table's title; ``data`` is what its CSV holds (default ``frame``:
    pass the unformatted numbers when ``frame`` holds text such as "70.5%"); ``units`` goes
    in the CSV's sidecar.
    """
    number = next_number("table")
    styler = frame.style.format(na_rep=missing, precision=2, thousands=",")
    if formats:
        styler = styler.format(formats, na_rep=missing)
    styler = styler.hide(axis="index").set_table_attributes(f'class="{TABLE_CLASS}"')
    if caption:
        styler = styler.set_caption(caption)
    display(styler)
    if sources:
        source_note(*sources)
    link = write_csv(frame if data is None else data, "table", number=number,
                     title=caption or "", sources=sources, units=units)
    if link:
        display(HTML(link))
