"""From ``dvc.yaml`` to a statistic is three hops: stage -> notebook -> statistic.

The devolution headline and an industry's LQ are traced through the files themselves: the
stage's command runs the notebook, and the notebook gets the number from a direct call to
the function that computes it (defined in the analysis module the notebook imports), with
no report function in between.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re

import pytest
import yaml

from tests.conftest import REPO


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Names a notebook binds to modules: ``dv`` -> ``wmresearch.evaluation.devolution``."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                try:
                    importlib.import_module(full)
                except ImportError:
                    continue
                out[alias.asname or alias.name] = full
    return out


def _call_of(tree: ast.Module, target: str) -> ast.Call:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and any(
                isinstance(t, ast.Name) and t.id == target for t in node.targets):
            return node.value
    raise AssertionError(f"no assignment to {target}")


@pytest.mark.parametrize(("stage", "target", "function", "module"), [
    ("devolution", "headline", "devolution_att", "wmresearch.evaluation.devolution"),
    ("clusters", "bounds", "lq_rounding_bounds", "wmresearch.colocation.specialisation"),
])
def test_stage_notebook_statistic(stage, target, function, module):
    dvc = yaml.safe_load((REPO / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    notebook = f"notebooks/{stage}.py"
    assert notebook in dvc[stage]["cmd"]  # hop 1: the stage runs the notebook
    tree = ast.parse((REPO / notebook).read_text(encoding="utf-8"))
    call = _call_of(tree, target)  # hop 2: the notebook calls the statistic itself
    assert isinstance(call.func, ast.Attribute) and call.func.attr == function
    assert _aliases(tree)[call.func.value.id] == module
    statistic = getattr(importlib.import_module(module), function)
    assert inspect.getmodule(statistic).__name__ == module  # defined there, not a wrapper
    # the statistic's formula and reference are in its docstring or its module's
    docs = (statistic.__doc__ or "") + (inspect.getmodule(statistic).__doc__ or "")
    assert re.search(r"\((19|20)\d\d\)|\b(19|20)\d\d\b", docs), function


def test_the_devolution_headline_metric_is_that_call():
    tree = ast.parse((REPO / "notebooks/devolution.py").read_text(encoding="utf-8"))
    found = [v for node in ast.walk(tree) if isinstance(node, ast.Dict)
             for k, v in zip(node.keys, node.values, strict=True)
             if isinstance(k, ast.Constant) and k.value == "cs_simple_att_log_gva_per_hour"]
    assert len(found) == 1 and ast.unparse(found[0]) == "headline.att"
