"""House rules that keep the code base legible: layers, module size, notebooks made of
readable steps, CI that cannot pass by skipping."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

MAX_MODULE_LINES = 400
#: A notebook may be long, but each code cell is one readable step (brief: "Notebooks").
MAX_CELL_CODE_LINES = 30


def test_import_layers_hold():
    """config <- sources <- evidence <- analysis <- cli; reporting imports no science
    (contracts in pyproject.toml, checked by import-linter)."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.parametrize("path", sorted((REPO / "src").rglob("*.py")),
                         ids=lambda p: p.relative_to(REPO / "src").as_posix())
def test_module_under_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines; split it by topic"


def _code_cells(script: Path) -> list[list[str]]:
    cells = script.read_text(encoding="utf-8").split("\n# %%")
    code = [c for c in cells[1:] if not c.lstrip().startswith("[markdown]")]
    return [[line for line in cell.splitlines()[1:]
             if line.strip() and not line.lstrip().startswith("#")] for cell in code]


@pytest.mark.parametrize("script", sorted((REPO / "notebooks").glob("*.py")),
                         ids=lambda p: p.name)
def test_notebooks_are_readable_steps(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    defined = [n.name for n in ast.walk(tree)
               if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    assert not defined, f"{script.name} defines {defined}: move them to src/wmresearch"
    long = [len(cell) for cell in _code_cells(script) if len(cell) > MAX_CELL_CODE_LINES]
    assert not long, f"{script.name}: cells of {long} lines; split them into steps"


def test_required_mirror_turns_a_skip_into_a_failure(tmp_path):
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom tests.conftest import *  # noqa\n"
        "from tests.conftest import pytest_itemcollected, pytest_runtest_makereport"
        "  # noqa\n")
    (tmp_path / "test_x.py").write_text("def test_needs_data(mirror):\n    assert mirror\n")
    env = {**os.environ, "WMRESEARCH_MIRROR": str(tmp_path / "absent")}
    env.pop("WMRESEARCH_REQUIRE_MIRROR", None)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    relaxed = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert relaxed.returncode == 0 and "1 skipped" in relaxed.stdout, relaxed.stdout
    env["WMRESEARCH_REQUIRE_MIRROR"] = "1"
    strict = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert strict.returncode == 1, strict.stdout
    assert "REQUIRE_MIRROR=1" in strict.stdout and " skipped" not in strict.stdout.splitlines()[-1]


def test_ci_requires_the_mirror():
    assert "WMRESEARCH_REQUIRE_MIRROR=1" in (REPO / ".ci" / "run").read_text()


def test_jupytext_sync_leaves_tracked_scripts_unchanged(tmp_path):
    for script in sorted((REPO / "notebooks").glob("*.py")):
        (tmp_path / script.name).write_text(script.read_text(encoding="utf-8"))
    (tmp_path / "jupytext.toml").write_text((REPO / "jupytext.toml").read_text())
    jupytext = Path(sys.executable).parent / "jupytext"
    for _ in range(2):  # create the pairs, then sync them again
        result = subprocess.run([str(jupytext), "--sync", *sorted(
            p.name for p in tmp_path.glob("*.py"))], cwd=tmp_path, capture_output=True,
            text=True)
        assert result.returncode == 0, result.stderr
    for script in sorted((REPO / "notebooks").glob("*.py")):
        assert (tmp_path / script.name).read_text() == script.read_text(), script.name
