"""The data dictionary: markdown generated from the processed tables' pandera schemas.

``python -m wmresearch.evidence.dictionary`` rewrites ``docs/data_dictionary.md``; a test
checks the committed file is up to date, so schema and documentation cannot drift apart.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pandera.pandas as pa

from wmresearch.evidence.build import TABLES, Table


def table_schema(table: Table) -> pa.DataFrameSchema:
    module, attribute = table.schema.split(":")
    attribute, _, key = attribute.partition("[")
    schema = getattr(importlib.import_module(f"wmresearch.evidence.{module}"), attribute)
    return schema[key.rstrip("]")] if key else schema


def _checks(column: pa.Column) -> str:
    parts = []
    for check in column.checks:
        stats = {k: v for k, v in (check.statistics or {}).items() if v is not None}
        args = ", ".join(f"{v}" for v in stats.values())
        parts.append(f"{check.name}({args})" if args else str(check.name))
    if column.unique:
        parts.append("unique")
    return "; ".join(parts).replace("|", "\\|")


def render(tables: list[Table] = TABLES) -> str:
    """Markdown for every table: description, source datasets and columns."""
    lines = ["# Data dictionary", "",
             "Generated from the pandera schemas by `python -m wmresearch.evidence.dictionary`;"
             " do not edit by hand. Tables are written to `data/processed/evidence/<table>"
             ".parquet`, their rejected rows to `data/interim/rejects/<table>.csv`.", ""]
    for table in tables:
        schema = table_schema(table)
        lines += [f"## `{table.name}`", "", (schema.description or "").strip(), "",
                  f"Source datasets: {', '.join(f'`{d}`' for d in table.datasets)}."]
        if schema.unique:
            lines.append(f"Unique key: {', '.join(schema.unique)}.")
        lines += ["", "| column | type | nullable | description | checks |",
                  "|---|---|---|---|---|"]
        for name, column in schema.columns.items():
            description = (column.description or "").replace("|", "\\|")
            dtype = "string" if str(column.dtype).startswith(("str", "string")) else column.dtype
            lines.append(f"| `{name}` | {dtype} | {'yes' if column.nullable else 'no'}"
                         f" | {description} | {_checks(column)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m wmresearch.evidence.dictionary [OUT]``: write the data dictionary."""
    import argparse

    from wmresearch.files import write_text

    parser = argparse.ArgumentParser(
        prog="python -m wmresearch.evidence.dictionary",
        description="Write the data dictionary of every processed table (from the schemas).")
    parser.add_argument("out", nargs="?", default="docs/data_dictionary.md", type=Path,
                        help="Markdown file to write (default: docs/data_dictionary.md)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    write_text(args.out, render())
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
