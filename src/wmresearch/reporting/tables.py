"""Report tables: formatted, index hidden, sourced, and never showing ``nan``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from IPython.display import HTML, display

from wmresearch.reporting.display import source_note
from wmresearch.reporting.downloads import write_csv

MISSING = "not available"


def show_table(frame: pd.DataFrame, *, formats: Mapping[str, str] | None = None,
               sources: Sequence[str] = (), missing: str = MISSING,
               caption: str | None = None) -> None:
    """Display ``frame`` with number formats; empty cells read ``missing`` in words."""
    styler = frame.style.format(na_rep=missing, precision=2, thousands=",")
    if formats:
        styler = styler.format(formats, na_rep=missing)
    styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    display(styler)
    if sources:
        source_note(*sources)
    link = write_csv(frame, "table")
    if link:
        display(HTML(link))
