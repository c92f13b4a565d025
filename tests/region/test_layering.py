"""The State of the Region's statistics are pure: the notebook joins them to their
presentation, so no region module imports the reporting helpers or IPython."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

MODULES = sorted((REPO / "src" / "wmresearch" / "region").glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_region_module_imports_no_presentation(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names]
    names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    shown = [n for n in names if n.startswith(("wmresearch.reporting", "IPython"))]
    assert not shown, f"{path.name} imports {shown}: show results from the notebook"
