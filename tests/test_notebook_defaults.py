"""A notebook opened in JupyterLab runs what its stage runs.

The pipeline tests execute every notebook headless through the ``wmresearch`` kernel with
its stage's parameters (papermill injects them). An economist who opens the notebook in
JupyterLab runs it with the defaults of its parameters cell instead, from ``notebooks/``, with
the mirror named in ``wmresearch.local.yaml``. These tests hold the two runs together: every
default equals the value ``params.yaml`` gives the stage, and a kernel started in
``notebooks/`` finds the project root and the mirror.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO
from wmresearch.config import Project

NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.py"))
#: notebook -> the params.yaml section its stage passes (with `global`); the evaluation
#: notebook's default programme must be one of the registry's keys
SECTION = {"acquire.py": "acquire", "claims.py": "claims", "clusters.py": "clusters",
           "devolution.py": "devolution", "evaluate.py": "evaluate", "evidence.py": "evidence",
           "region.py": "region"}


def _defaults(name: str) -> dict[str, object]:
    text = (REPO / "notebooks" / name).read_text(encoding="utf-8")
    cell = re.search(r'^# %% tags=\["parameters"\]\n(.*?)(?=^# %%)', text, re.S | re.M)
    assert cell, f"{name} has no parameters cell"
    found = {}
    for node in ast.parse(cell.group(1)).body:
        assert isinstance(node, ast.Assign), f"{name}: the parameters cell only assigns"
        found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def test_every_notebook_is_mapped_to_its_section():
    assert set(NOTEBOOKS) == set(SECTION)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_parameters_cell_defaults_are_the_stage_parameters(name):
    project = Project(REPO)
    given = project.stage_params(SECTION[name])
    programmes = project.params["programmes"]
    for key, default in _defaults(name).items():
        if name == "evaluate.py" and key == "programme":
            assert default in programmes, default
            continue
        assert key in given, f"{name}: parameter {key!r} is not in params.yaml for its stage"
        value = given[key]
        if isinstance(default, list) and isinstance(value, tuple | list):
            value = list(value)
        assert default == value, f"{name}: {key} = {default!r} in the notebook, {value!r} " \
                                 "in params.yaml"


def test_a_kernel_started_in_notebooks_finds_the_root_and_the_local_mirror(tmp_path):
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    (root / "mirror").mkdir()
    for name in ("params.yaml", "programmes.yaml", "dvc.yaml"):
        (root / name).write_text((REPO / name).read_text())
    (root / "wmresearch.local.yaml").write_text("mirror: mirror\n")
    code = ("from wmresearch.config import Project, mirror_dir; p = Project.here(); "
            "print(p.root); print(mirror_dir(p.root))")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=root / "notebooks", env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(root), str(root / "mirror")]
