"""The data dictionary is generated from the schemas and committed up to date."""

from __future__ import annotations

from tests.conftest import REPO
from wmresearch.evidence.build import TABLES
from wmresearch.evidence.dictionary import render, table_schema


def test_every_table_has_a_documented_schema():
    for table in TABLES:
        schema = table_schema(table)
        assert schema.description, table.name
        undocumented = [c for c, col in schema.columns.items() if not col.description]
        assert not undocumented, f"{table.name}: {undocumented}"


def test_committed_dictionary_is_current():
    committed = (REPO / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m wmresearch.evidence.dictionary"
