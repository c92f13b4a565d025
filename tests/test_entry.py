"""The ``wmresearch`` command's entry point (wmresearch.entry): ``resolve``, run directly,
reports and fails exactly as the command line's ``resolve`` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline_support import scratch_project
from wmresearch.pipeline import stage_code_deps

BIN = Path(sys.executable).parent

pytestmark = pytest.mark.pipeline


def _resolve(root: Path, env: dict[str, str], *, direct: bool) -> subprocess.CompletedProcess:
    command = ([str(BIN / "wmresearch"), "resolve"] if direct else
               [sys.executable, "-c", "import sys; from wmresearch.cli import main; "
                                      "sys.exit(main(['resolve']))"])
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)


def test_resolve_run_directly_says_and_fails_as_the_command_line_does(tmp_path):
    root = scratch_project(tmp_path)
    env = {**os.environ, "WMRESEARCH_MIRROR": "", "WMRESEARCH_OFFLINE": "1"}
    env.pop("WMRESEARCH_ROOT", None)
    first = _resolve(root, env, direct=True)  # writes the fingerprints
    assert first.returncode == 0, first.stderr
    assert "code fingerprints changed: resolve, acquire" in first.stdout
    by_cli, direct = _resolve(root, env, direct=False), _resolve(root, env, direct=True)
    assert (direct.returncode, direct.stdout) == (by_cli.returncode, by_cli.stdout) == (
        0, by_cli.stdout)
    assert direct.stdout.endswith("code fingerprints changed: none\n")
    assert "mode: demo; missing: " in direct.stdout
    broken = {**env, "WMRESEARCH_MIRROR": str(tmp_path / "no-such-folder")}
    by_cli, direct = _resolve(root, broken, direct=False), _resolve(root, broken, direct=True)
    assert direct.returncode == by_cli.returncode == 2
    assert direct.stderr == by_cli.stderr
    assert "no-such-folder" in direct.stderr and "not a folder" in direct.stderr


def test_every_stage_depends_on_the_entry_point_that_starts_it():
    deps = stage_code_deps(Path(__file__).resolve().parents[1], [])
    assert {"src/wmresearch/entry.py", "src/wmresearch/cli.py"} <= set(deps)
