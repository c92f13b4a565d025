"""Building a scratch copy of the project with dvc (shared by the pipeline and browser
tests through the session fixture ``built`` in conftest)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]

COPY = ["dvc.yaml", "params.yaml", "programmes.yaml", "notebooks", "src", "jupytext.toml"]
BIN = Path(sys.executable).parent
FAKE_KEY = "wmfake-5f3a9c0e71b24d8e"  # planted: must appear in no output


def scratch_project(tmp: Path) -> Path:
    """A copy of the project (code, notebooks, dvc.yaml, params.yaml) in ``tmp/project``
    with its own git and DVC repositories; also used by benchmarks/bench_pipeline.py."""
    root = tmp / "project"
    root.mkdir()
    for name in COPY:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns(
                "*.ipynb", "__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, root / name)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    _run(root, "dvc", "init", "-q")
    return root


def _run(root: Path, tool: str, *args: str, env: dict | None = None,
         check: bool = True) -> subprocess.CompletedProcess:
    full = {**os.environ, **(env or {}), "PATH": str(BIN) + os.pathsep + os.environ["PATH"]}
    full.pop("WMRESEARCH_ROOT", None)
    result = subprocess.run([str(BIN / tool), *args], cwd=root, env=full,
                            capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _reports(root: Path) -> list[str]:
    params = yaml.safe_load((root / "programmes.yaml").read_text())
    return (["index.html", "acquire.html", "evidence.html", "region.html", "clusters.html"]
            + [f"evaluate/{p}.html" for p in params["programmes"]]
            + ["evaluate/mayoral_devolution.html"])


