"""Benchmark: the evaluation stages and the few-cluster inference of the devolution design.

Targets (issue "Evaluations a referee would accept", 2 cores): the wild cluster bootstrap and
randomisation inference of the staggered design at most 20 s with 999 draws each; all
evaluation stages together at most 40 s of a forced ``dvc repro -f``. Needs the processed
evidence tables (``dvc repro evidence``). Prints:

* the headline Callaway & Sant'Anna fit (csdid), the wild cluster bootstrap and the
  randomisation inference (999 draws each) on the real district panel;
* the WMCA synthetic control with placebos, conformal intervals and leave-one-out;
* with ``--stages``, each evaluation stage run end to end (``wmresearch run`` into a temporary
  folder: kernel start, imports, analysis, HTML), and their sum.

Usage::

    .venv/bin/python benchmarks/bench_evaluation.py [--stages]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from wmresearch.config import Project
from wmresearch.evaluation import devolution as dv
from wmresearch.evaluation.place import devolution_evaluation
from wmresearch.evidence.tables import Tables

T = TypeVar("T")


def _timed(label: str, func: Callable[[], T]) -> T:
    start = time.perf_counter()
    out = func()
    print(f"{label:<58} {time.perf_counter() - start:7.2f} s")
    return out


def inference(project: Project) -> None:
    evidence = Tables(project.paths)
    tables = {"productivity_lad": evidence.get("productivity_lad")}
    series = dv.outcome_series("log_gva_per_hour", tables)
    panel, _ = dv.devolution_panel(series, evidence.get("mayoral_districts"),
                                   evidence.get("lad_lookup"), outcome="log_gva_per_hour",
                                   log=True, first=2004, last=2022)
    fit = _timed("CS simple ATT, clustered by authority (csdid)",
                 lambda: dv.devolution_att(panel, "log_gva_per_hour"))
    _timed("wild cluster bootstrap, 999 draws",
           lambda: dv.wild_cluster_bootstrap(fit, fit.extra["influence_clusters"], draws=999,
                                             seed=1, weights="webb"))
    _timed("randomisation inference, 999 draws",
           lambda: dv.randomisation_inference(panel, "log_gva_per_hour", draws=999, seed=1))
    _timed("SDID per cohort, jackknife SEs",
           lambda: dv.sdid_by_cohort(panel, "log_gva_per_hour", se_method="jackknife"))
    programme = project.params["mayoral_devolution"]["design"]
    _timed("WMCA synthetic control: placebos, conformal, leave-one-out",
           lambda: devolution_evaluation(tables["productivity_lad"], evidence.get("lad_lookup"),
                                         list(programme["treated_units"]),
                                         treated_unit="E47000007", start_year=2017,
                                         fake_start=2012, first_year=2004))


def stages(project: Project) -> None:
    wmresearch = str(Path(sys.executable).parent / "wmresearch")
    runs = [("devolution", ["notebooks/devolution.py", "--stage", "devolution"])]
    runs += [(f"evaluate@{key}", ["notebooks/evaluate.py", "--stage", "evaluate", "-p",
                                  f"programme={key}"])
             for key in project.params["programmes"]]
    total = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in runs:
            start = time.perf_counter()
            subprocess.run([wmresearch, "run", args[0], str(Path(tmp) / f"{name}.html"),
                            *args[1:]], cwd=project.root, check=True, capture_output=True)
            seconds = time.perf_counter() - start
            total += seconds
            print(f"stage {name:<52} {seconds:7.2f} s")
    print(f"{'all evaluation stages (target <= 40 s)':<58} {total:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", action="store_true", help="also time each stage end to end")
    args = parser.parse_args()
    project = Project.here()
    inference(project)
    if args.stages:
        stages(project)


if __name__ == "__main__":
    main()
