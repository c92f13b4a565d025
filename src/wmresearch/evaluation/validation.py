"""Input checks shared by the evaluation estimators, with errors naming the culprit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from pandas.api import types as ptypes


def show(value: object) -> str:
    """repr of a value with numpy scalars unwrapped (8001, not np.int64(8001))."""
    item = getattr(value, "item", None)
    return repr(item() if callable(item) else value)


def require_columns(data: pd.DataFrame, columns: Iterable[str | None]) -> None:
    """Raise if a named column role is missing from ``data``."""
    missing = [c for c in columns if c is not None and c not in data.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not in the panel; it has {list(data.columns)}")


def require_numeric(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise naming the column and first row whose value is non-numeric or missing."""
    for col in columns:
        if not ptypes.is_numeric_dtype(data[col]) or ptypes.is_bool_dtype(data[col]):
            parsed = pd.to_numeric(data[col], errors="coerce")
            bad = parsed.isna() & data[col].notna()
            where = ""
            if bad.any():
                first = data.index[bad.to_numpy()][0]
                where = f" (row {show(first)}: {show(data.loc[first, col])})"
            raise ValueError(f"column {col!r} must be numeric, got dtype "
                             f"{data[col].dtype}{where}")
        if data[col].isna().any():
            row = data.index[data[col].isna().to_numpy()][0]
            raise ValueError(f"column {col!r} has a missing value at row {show(row)}")


def require_balanced(data: pd.DataFrame, unit: str, time: str) -> None:
    """Raise naming a unit and period missing (or duplicated) in a unit x time panel."""
    dup = data.duplicated([unit, time])
    if dup.any():
        row = data.loc[dup].iloc[0]
        raise ValueError(f"unit {show(row[unit])} appears more than once in period "
                         f"{show(row[time])}")
    periods = pd.Index(sorted(data[time].unique()))
    counts = data.groupby(unit)[time].nunique()
    short = counts[counts < len(periods)]
    if len(short):
        u = short.index[0]
        have = set(data.loc[data[unit] == u, time])
        gap = [p for p in periods if p not in have][0]
        raise ValueError(f"unbalanced panel: unit {show(u)} has no row for period {show(gap)} "
                         f"({len(short)} unit(s) incomplete)")


def require_units_present(data: pd.DataFrame, unit: str, units: Iterable[object]) -> None:
    """Raise naming a treated unit absent from the panel."""
    present = set(data[unit])
    absent = [show(u) for u in units if u not in present]
    if absent:
        raise ValueError(f"treated unit(s) {', '.join(absent)} not in the panel's {unit!r} column")


def require_pre_periods(periods: Iterable[object], start: object, minimum: int,
                        *, who: str = "the treated units") -> int:
    """Raise unless at least ``minimum`` periods precede ``start``; return how many do."""
    n_pre = sum(1 for p in periods if p < start)  # type: ignore[operator]
    if n_pre < minimum:
        raise ValueError(f"too few pre-treatment periods for {who}: {n_pre} before {show(start)}, "
                         f"need at least {minimum}")
    return n_pre


def panel_checks(data: pd.DataFrame, *, outcome: str, unit: str, time: str,
                 numeric: Sequence[str] = ()) -> None:
    """Columns present, outcome (and ``numeric``) numeric, panel balanced."""
    require_columns(data, [outcome, unit, time, *numeric])
    require_numeric(data, [outcome, *numeric])
    require_balanced(data, unit, time)


def require_entry_years(entry_years: Iterable[int], first_year: int, last_year: int
                        ) -> list[int]:
    """The distinct entry years of a rolling design, sorted, each in (first_year, last_year]
    (a year before entry must be observed)."""
    years = sorted({int(y) for y in entry_years})
    if not years or not all(first_year < y <= last_year for y in years):
        raise ValueError(f"entry_years: expected years in ({first_year}, {last_year}], got "
                         f"{years}")
    return years
