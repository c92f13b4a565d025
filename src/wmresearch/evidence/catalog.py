"""One entry to every processed evidence table: ``load("bres_itl2_sic5", year=2022)``.

The evidence stage writes each table to ``data/processed/evidence/<name>.parquet``; this
module reads one, optionally keeping only the rows whose columns equal the given values.
:func:`~wmresearch.evidence.available.tables_available` lists the tables with their
descriptions.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd

from wmresearch.config import Paths, Project


def _paths(paths: Paths | None) -> Paths:
    return paths if paths is not None else Project.here().paths


def built_tables(paths: Paths | None = None) -> list[str]:
    """Names of the tables the evidence stage has written, sorted."""
    folder = _paths(paths).evidence
    return sorted(p.stem for p in folder.glob("*.parquet")) if folder.is_dir() else []


def table_path(name: str, paths: Paths | None = None) -> Path:
    """The parquet file of table ``name``.

    Raises
    ------
    FileNotFoundError
        If the table has not been built, naming the tables that have.
    """
    paths = _paths(paths)
    path = paths.evidence / f"{name}.parquet"
    if not path.is_file():
        built = built_tables(paths)
        raise FileNotFoundError(
            f"no evidence table {name!r} in {paths.evidence}: run `dvc repro evidence`"
            + (f"; tables built: {', '.join(built)}" if built else ""))
    return path


def load(name: str, *, paths: Paths | None = None, columns: list[str] | None = None,
         **filters: Any) -> pd.DataFrame:
    """Read processed evidence table ``name``, keeping the rows that match ``filters``.

    Parameters
    ----------
    name
        A table of the evidence base (see ``tables_available()``), e.g. ``"bres_itl2_sic5"``.
    paths
        The project's folders (default: the project holding the working directory).
    columns
        Columns to keep (default: all).
    **filters
        ``column=value`` keeps rows equal to ``value``; a list, tuple or set keeps rows equal
        to any of its values (``year=[2021, 2022]``).

    Returns
    -------
    pandas.DataFrame
        The matching rows, index reset (a GeoDataFrame for boundary tables).

    Raises
    ------
    FileNotFoundError
        If the table is not built.
    KeyError
        If a filter or a requested column is not a column of the table.

    Examples
    --------
    >>> bres = load("bres_itl2_sic5", year=2022, itl2_code="TLG3")  # doctest: +SKIP
    """
    path = table_path(name, paths)
    if name.endswith("boundaries"):
        import geopandas as gpd

        frame = gpd.read_parquet(path)
    else:
        frame = pd.read_parquet(path)
    unknown = [c for c in [*filters, *(columns or [])] if c not in frame.columns]
    if unknown:
        raise KeyError(f"evidence table {name!r} has no column {', '.join(map(repr, unknown))};"
                       f" its columns: {', '.join(map(str, frame.columns))}")
    keep = pd.Series(True, index=frame.index)
    for column, value in filters.items():
        wanted = list(value) if isinstance(value, Collection) and not isinstance(
            value, str | bytes) else [value]
        keep &= frame[column].isin(wanted)
    out = frame.loc[keep, columns] if columns else frame.loc[keep]
    return out.reset_index(drop=True)
