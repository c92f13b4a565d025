"""``wmresearch notebook new``: a new analysis joins the pipeline and the site in one command.

Built end to end in a scratch copy of the project whose evidence base comes from the session's
real-data build: scaffold, check the notebook, the stage, its fingerprint and the index card,
then run the stage's own command from ``dvc.yaml`` and check its report and metrics.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO
from tests.test_house_rules import MAX_CELL_CODE_LINES, _code_cells
from wmresearch.cli import main
from wmresearch.pipeline import missing_fingerprint_deps

NAME, TITLE = "jobs_mix", "Where the jobs are"


@pytest.fixture(scope="module")
def scaffolded(built, tmp_path_factory):
    built_root, env, _ = built
    root = tmp_path_factory.mktemp("scaffold") / "project"
    root.mkdir()
    for name in ("dvc.yaml", "params.yaml", "jupytext.toml", "pyproject.toml"):
        shutil.copy2(REPO / name, root / name)
    for folder in ("src", "notebooks"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    shutil.copytree(built_root / "data" / "processed" / "evidence",
                    root / "data" / "processed" / "evidence")
    (root / "data" / "raw").mkdir(parents=True)
    shutil.copy2(built_root / "data" / "raw" / "manifest.json", root / "data" / "raw")
    before = (root / "dvc.yaml").read_text()
    old = os.environ.get("WMRESEARCH_ROOT")
    os.environ["WMRESEARCH_ROOT"] = str(root)
    try:
        code = main(["notebook", "new", NAME, "--title", TITLE])
        again = main(["notebook", "new", NAME])
        bad = main(["notebook", "new", "Jobs-Mix"])
    finally:
        os.environ.pop("WMRESEARCH_ROOT") if old is None else os.environ.update(
            WMRESEARCH_ROOT=old)
    assert (code, again, bad) == (0, 2, 2)
    return root, env, before


def test_the_notebook_is_a_paired_script_of_readable_steps(scaffolded):
    root, _, _ = scaffolded
    script = root / "notebooks" / f"{NAME}.py"
    assert (root / "notebooks" / f"{NAME}.ipynb").is_file()
    text = script.read_text()
    assert '# %% tags=["parameters"]\nregion = "E47000007"\n' in text
    assert "from wmresearch.evidence import load" in text and "say(f" in text
    assert "def " not in text
    assert all(len(cell) <= MAX_CELL_CODE_LINES for cell in _code_cells(script))
    sync = subprocess.run([str(Path(sys.executable).parent / "jupytext"), "--sync", str(script)],
                          cwd=root, capture_output=True, text=True)
    assert sync.returncode == 0 and script.read_text() == text  # the pair is in step
    check = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(script)],
                           cwd=root, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_the_stage_is_added_with_its_fingerprint_and_nothing_else_changes(scaffolded):
    root, _, before = scaffolded
    after = (root / "dvc.yaml").read_text()
    dvc = yaml.safe_load(after)
    stage = dvc["stages"][NAME]
    assert stage["deps"][:2] == [f"notebooks/{NAME}.py", f"data/interim/code/{NAME}.txt"]
    assert missing_fingerprint_deps(dvc) == {}
    assert f"reports/{NAME}.html" in dvc["stages"]["site"]["deps"]
    assert list(dvc["stages"])[-2:] == [NAME, "site"] and "devolution" in dvc["stages"]
    changes = [line[0] for line in difflib.ndiff(before.splitlines(), after.splitlines())
               if line[0] in "+-"]
    assert changes == ["+"] * 21  # the stage (19 lines and a blank) and the site's dep only
    fingerprint = (root / "data" / "interim" / "code" / f"{NAME}.txt").read_text()
    assert "src/wmresearch/colocation/lq.py" in fingerprint
    assert "src/wmresearch/evidence/catalog.py" in fingerprint
    assert "src/wmresearch/evaluation/" not in fingerprint
    index = (root / "reports" / "index.html").read_text()
    assert f"<h3>{TITLE}</h3>" in index and "Not built" in index


def test_its_stage_command_builds_the_report_and_its_headline_metrics(scaffolded):
    root, env, _ = scaffolded
    cmd = yaml.safe_load((root / "dvc.yaml").read_text())["stages"][NAME]["cmd"]
    bin_dir = Path(sys.executable).parent
    run = subprocess.run(cmd, shell=True, cwd=root, capture_output=True, text=True,
                         env={**os.environ, **env, "WMRESEARCH_ROOT": str(root),
                              "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert run.returncode == 0, run.stderr[-3000:]
    page = (root / "reports" / f"{NAME}.html").read_text()
    assert TITLE in page and "import " not in page and " nan" not in page
    metrics = json.loads((root / "metrics" / f"{NAME}.json").read_text())
    headline = json.loads((root / "metrics" / "headline" / f"{NAME}.json").read_text())
    assert headline == {"max_lq": metrics["max_lq"], "year": 2021}
    # the top quotient by hand: (e_ir / e_r) / (e_i / e) over the 2021 open-access BRES
    bres = pd.read_parquet(root / "data" / "processed" / "evidence" / "bres_itl2_sic2.parquet")
    bres = bres[bres["year"] == 2021]
    e = bres["employment"].sum()
    e_r = bres.groupby("itl2_code")["employment"].transform("sum")
    e_i = bres.groupby("sic_code")["employment"].transform("sum")
    lq = (bres["employment"] / e_r) / (e_i / e)
    area = bres["itl2_code"].eq("TLG3") & bres["employment"].ge(50)
    assert metrics["max_lq"] == pytest.approx(lq[area].max(), abs=1e-6)
    assert f"{lq[area].max():.2f} times Great Britain" in page
    index = subprocess.run([str(bin_dir / "wmresearch"), "site"], cwd=root, capture_output=True,
                           text=True, env={**os.environ, "WMRESEARCH_ROOT": str(root)})
    assert index.returncode == 0
    assert f'<a href="{NAME}.html">{TITLE}</a>' in (root / "reports" / "index.html").read_text()
