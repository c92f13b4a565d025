"""Every table and every chart's data, written as CSV next to its report and linked from it.

``wmresearch run`` tells the notebook's kernel where its report's files go through two
environment variables (a folder to write, and the same folder relative to the report); the
helpers here write ``table-01.csv``, ``figure-01.csv``, ... there atomically and return the
link. The number in a file's name is the number the page gives its figure or table: every
figure and every table takes the next number (:func:`next_number`) whether or not it has data
to write, so ``figure-09.csv`` is always Figure 9's. Beside each CSV a small JSON sidecar
(``figure-09.json``) names its title, sources and units. Numbers are stored as numbers
(thousands separators removed, at most 8 significant digits). Outside a stage run (e.g. in
JupyterLab) nothing is written and no link is shown.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Sequence
from itertools import count
from pathlib import Path

import numpy as np
import pandas as pd

from wmresearch.files import atomic_path, write_text
from wmresearch.reporting.kernel import DIR_ENV, HREF_ENV

_COUNTERS = {"table": count(1), "figure": count(1)}
_THOUSANDS = re.compile(r"^-?(0|[1-9]\d{0,2}(,\d{3})*)(\.\d+)?$")


def _float(value: float) -> str:
    """At most 8 significant digits, never in scientific notation (1.2e-05 -> 0.000012)."""
    return np.format_float_positional(value, precision=8, unique=True, fractional=False,
                                      trim="-")


def next_number(kind: str) -> int:
    """The number of the next figure or table on the page (1, 2, ...)."""
    return next(_COUNTERS[kind])


def as_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns of numbers written with thousands separators ("3,825", "12") become
    numbers; any other text (codes such as "01", words) is kept as it is."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        present = values.dropna()
        if (len(present) and all(isinstance(v, str) and _THOUSANDS.match(v) for v in present)
                and any("," in v for v in present)):
            out[column] = pd.to_numeric(values.str.replace(",", "", regex=False))
    return out


def write_csv(frame: pd.DataFrame, kind: str, *, number: int | None = None, title: str = "",
              sources: Sequence[str] = (), units: str = "") -> str:
    """Write ``frame`` as ``<kind>-NN.csv`` (``number``, else the next one) with its sidecar;
    return an HTML download link or ''."""
    number = next_number(kind) if number is None else number
    folder, href = os.environ.get(DIR_ENV), os.environ.get(HREF_ENV)
    if not folder or href is None:
        return ""
    name = f"{kind}-{number:02d}"
    with atomic_path(Path(folder) / f"{name}.csv") as tmp:
        as_numbers(frame).to_csv(tmp, index=False, lineterminator="\n",
                                 float_format=_float)
    label = "Table" if kind == "table" else "Figure"
    about = {"title": f"{label} {number}: {title}" if title else f"{label} {number}",
             "sources": list(sources), "units": units, "columns": [str(c) for c in frame]}
    write_text(Path(folder) / f"{name}.json", json.dumps(about, indent=2) + "\n")
    what = f"Table {number}" if kind == "table" else f"the data of Figure {number}"
    base = html.escape(href.rstrip("/") + "/" + name)
    return (f'<p class="wm-download"><a href="{base}.csv" download>Download {what} (CSV)</a>'
            f' · <a href="{base}.json">title, source and units (JSON)</a></p>')
