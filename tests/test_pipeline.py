"""The whole pipeline, end to end, in a temporary copy of the project (dvc repro)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.pipeline

COPY = ["dvc.yaml", "params.yaml", "notebooks", "src", "jupytext.toml"]


def _project(tmp: Path) -> Path:
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
    _dvc(root, "init", "-q")
    return root


def _dvc(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    bindir = str(Path(sys.executable).parent)
    full = {**os.environ, **(env or {}), "PATH": bindir + os.pathsep + os.environ["PATH"]}
    full.pop("WMRESEARCH_ROOT", None)
    result = subprocess.run([str(Path(bindir) / "dvc"), *args], cwd=root, env=full,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _reports(root: Path) -> list[str]:
    params = yaml.safe_load((root / "params.yaml").read_text())
    return (["index.html", "acquire.html", "evidence.html", "clusters.html"]
            + [f"evaluate/{p}.html" for p in params["programmes"]])


@pytest.fixture(scope="module")
def real_run(tmp_path_factory, mirror):
    root = _project(tmp_path_factory.mktemp("real"))
    env = {"WMRESEARCH_MIRROR": str(mirror), "WMRESEARCH_OFFLINE": "1"}
    _dvc(root, "repro", env=env)
    return root, env


def test_repro_builds_every_report_from_real_data(real_run):
    root, _ = real_run
    for rel in _reports(root):
        page = (root / "reports" / rel).read_text()
        assert "DEMO DATA" not in page, rel
        assert "<code" not in page or "import " not in page
    index = (root / "reports" / "index.html").read_text()
    for rel in _reports(root)[1:]:
        assert f'href="{rel}"' in index
    evidence = yaml.safe_load((root / "metrics" / "evidence.json").read_text())
    assert evidence["mode"] == "real"
    assert all(t["balanced"] for t in evidence["tables"].values())


def test_second_repro_changes_nothing(real_run):
    root, env = real_run
    before = {p: p.stat().st_mtime_ns for p in (root / "reports").rglob("*.html")}
    start = time.perf_counter()
    out = _dvc(root, "repro", env=env).stdout
    elapsed = time.perf_counter() - start
    assert "Running stage" not in out, out
    assert before == {p: p.stat().st_mtime_ns for p in (root / "reports").rglob("*.html")}
    print(f"no-op dvc repro: {elapsed:.2f} s")


def test_forced_rerun_reproduces_outputs_byte_for_byte(real_run):
    root, env = real_run
    watched = [root / "reports" / "evidence.html",
               *sorted((root / "data" / "processed" / "evidence").glob("*.parquet"))]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in watched}
    _dvc(root, "repro", "-f", "-s", "evidence", env=env)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in watched}
    assert before == after


def test_failing_stage_fails_repro_and_leaves_no_report(real_run, tmp_path):
    root, env = real_run
    script = root / "notebooks" / "clusters.py"
    original = script.read_text()
    try:
        script.write_text(original.replace("lq_threshold = 1.25", "lq_threshold = 1.25\n"
                                           "raise RuntimeError('broken on purpose')"))
        bindir = Path(sys.executable).parent
        result = subprocess.run([str(bindir / "dvc"), "repro", "clusters"], cwd=root,
                                env={**os.environ, **env,
                                     "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"},
                                capture_output=True, text=True)
        assert result.returncode != 0
        assert "broken on purpose" in result.stdout + result.stderr
        assert not (root / "reports" / "clusters.html").exists()
    finally:
        script.write_text(original)


def test_demo_mode_without_mirror_or_network(tmp_path):
    root = _project(tmp_path)
    env = {"WMRESEARCH_MIRROR": "", "WMRESEARCH_OFFLINE": "1"}
    _dvc(root, "repro", env=env)
    for rel in _reports(root):
        assert "DEMO DATA" in (root / "reports" / rel).read_text(), rel
    acquire = (root / "reports" / "acquire.html").read_text()
    assert "english-indices-of-deprivation-2019" in acquire
