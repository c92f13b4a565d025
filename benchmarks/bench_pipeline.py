"""Benchmark: the whole pipeline under DVC, as a user runs it.

Targets (the project brief, 2 cores): ``dvc repro -f`` of the whole site under 2 minutes; a
no-op ``dvc repro`` under 2 seconds. The project (``dvc.yaml``, ``params.yaml``, notebooks,
source) is copied to a temporary folder with its own git and DVC repositories, so the
working copy's outputs and ``dvc.lock`` are left alone. Needs the data mirror
(``WMRESEARCH_MIRROR``). Prints:

* the first ``dvc repro`` (every stage), with each stage's seconds from DVC's own output;
* ``dvc repro -f`` (every stage forced);
* three no-op ``dvc repro`` runs.

Usage::

    WMRESEARCH_MIRROR=../shared/data .venv/bin/python benchmarks/bench_pipeline.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the scratch copy is the pipeline tests' own
from tests.pipeline_support import scratch_project  # noqa: E402

BIN = Path(sys.executable).parent
STAGE = re.compile(r"Running stage '([^']+)'")


def _repro(root: Path, *args: str) -> tuple[float, list[tuple[str, float]]]:
    """Run ``dvc repro`` and return its seconds and each stage's (from when DVC announced it
    to when it announced the next)."""
    env = {**os.environ, "WMRESEARCH_OFFLINE": "1",
           "PATH": str(BIN) + os.pathsep + os.environ["PATH"]}
    start = time.perf_counter()
    process = subprocess.Popen([str(BIN / "dvc"), "repro", *args], cwd=root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    marks: list[tuple[str, float]] = []
    assert process.stdout is not None
    for line in process.stdout:
        found = STAGE.search(line)
        if found:
            marks.append((found.group(1), time.perf_counter()))
    if process.wait() != 0:
        raise SystemExit(f"dvc repro {' '.join(args)} failed")
    end = time.perf_counter()
    ends = [t for _, t in marks[1:]] + [end]
    stages = [(name, stop - begin) for (name, begin), stop in zip(marks, ends, strict=True)]
    return end - start, stages


def main() -> None:
    if not os.environ.get("WMRESEARCH_MIRROR"):
        raise SystemExit("set WMRESEARCH_MIRROR to the data mirror first")
    with tempfile.TemporaryDirectory() as tmp:
        root = scratch_project(Path(tmp))
        seconds, per_stage = _repro(root)
        for name, stage_seconds in per_stage:
            print(f"  stage {name:<44} {stage_seconds:7.2f} s")
        print(f"{'first dvc repro (every stage)':<52} {seconds:7.2f} s")
        seconds, per_stage = _repro(root, "-f")
        for name, stage_seconds in per_stage:
            print(f"  stage {name:<44} {stage_seconds:7.2f} s")
        print(f"{'dvc repro -f (target < 120 s)':<52} {seconds:7.2f} s")
        for _ in range(3):
            seconds, _ = _repro(root)
            print(f"{'no-op dvc repro (target < 2 s)':<52} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
