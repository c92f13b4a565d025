"""A monitoring return written as a folder of CSV sheets, as a team might send it (shared by
the firm and person return tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd


def csv_return(folder: Path, sheets: dict[str, pd.DataFrame],
               edit: Callable[[dict[str, pd.DataFrame]], None]) -> Path:
    """Write ``sheets`` as text (as read from a CSV) after ``edit`` changed them in place."""
    sheets = {k: v.astype("string") for k, v in sheets.items()}
    edit(sheets)
    folder.mkdir()
    for name, frame in sheets.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder
