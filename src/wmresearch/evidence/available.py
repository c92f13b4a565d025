"""The list of evidence tables: name, description (from its pandera schema), sources, and
whether this checkout has built it."""

from __future__ import annotations

import pandas as pd

from wmresearch.config import Paths
from wmresearch.evidence.build import TABLES
from wmresearch.evidence.catalog import built_tables
from wmresearch.evidence.dictionary import table_schema


def tables_available(paths: Paths | None = None) -> pd.DataFrame:
    """Every table of the evidence base, for ``load(name, ...)``.

    Returns
    -------
    pandas.DataFrame
        One row per table in build order: ``table``, ``description`` (the first sentence of
        its schema's description), ``datasets`` (the source datasets, comma-separated),
        ``built`` (its parquet file exists).
    """
    built = set(built_tables(paths))
    rows = []
    for table in TABLES:
        text = " ".join((table_schema(table).description or "").split())
        first = text.split(". ")[0].rstrip(".")
        rows.append({"table": table.name, "description": first + "." if first else "",
                     "datasets": ", ".join(table.datasets), "built": table.name in built})
    return pd.DataFrame(rows)
