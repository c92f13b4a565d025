"""Every table and every chart's data, written as CSV next to its report and linked from it.

``wmresearch run`` tells the notebook's kernel where its report's files go through two
environment variables (a folder to write, and the same folder relative to the report); the
helpers here write ``table-01.csv``, ``figure-01.csv``, ... there atomically and return the
link. Outside a stage run (e.g. in JupyterLab) nothing is written and no link is shown.
"""

from __future__ import annotations

import html
import os
from itertools import count
from pathlib import Path

import pandas as pd

from wmresearch.files import atomic_path

DIR_ENV = "WMRESEARCH_REPORT_DATA_DIR"
HREF_ENV = "WMRESEARCH_REPORT_DATA_HREF"
_COUNTERS = {"table": count(1), "figure": count(1)}


def write_csv(frame: pd.DataFrame, kind: str) -> str:
    """Write ``frame`` as the next ``<kind>-NN.csv``; return an HTML download link or ''."""
    folder, href = os.environ.get(DIR_ENV), os.environ.get(HREF_ENV)
    if not folder or href is None:
        return ""
    name = f"{kind}-{next(_COUNTERS[kind]):02d}.csv"
    with atomic_path(Path(folder) / name) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    label = "this table" if kind == "table" else "the data of this chart"
    return (f'<p class="wm-download"><a href="{html.escape(href.rstrip("/") + "/" + name)}" '
            f'download>Download {label} (CSV)</a></p>')
