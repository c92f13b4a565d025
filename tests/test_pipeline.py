"""The whole pipeline, end to end, in a temporary copy of the project (dvc repro).

One project is built twice: first with no mirror (the synthetic demo), then, after setting
the mirror, with a plain ``dvc repro`` (the newcomer's path), which must pick the real data
up without ``-f``. The real build is then checked for code, ``nan``, machine paths, stale
dependencies, byte-identical reruns and a truthful index after a failure.
"""

from __future__ import annotations

import hashlib
import json
import re
import time

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO
from tests.pipeline_support import FAKE_KEY, _reports, _run

pytestmark = pytest.mark.pipeline


def _text(page: str) -> str:
    """What a reader sees: the page without images, styles, scripts and tags."""
    page = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", page)
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", page)


def test_demo_build_is_bannered_and_lists_every_missing_file(built):
    _, _, demo = built
    assert set(demo) == {"acquire.html", "evidence.html", "region.html"}
    for rel, page in demo.items():
        assert "DEMO DATA" in page, rel
    assert "File_2_-_IoD2019_Domains_of_Deprivation" in demo["acquire.html"]


def test_setting_the_mirror_is_picked_up_by_a_plain_repro(built):
    root, _, _ = built
    for rel in _reports(root):
        assert "DEMO DATA" not in (root / "reports" / rel).read_text(), rel
    evidence = json.loads((root / "metrics" / "evidence.json").read_text())
    assert evidence["mode"] == "real"
    assert all(t["balanced"] for t in evidence["tables"].values())


def test_reports_show_no_code_nan_or_machine_paths(built):
    root, _, _ = built
    for rel in _reports(root):
        page = (root / "reports" / rel).read_text()
        text = _text(page)
        # markdown narrative lives in input areas too; code would come as an editor or
        # highlighted source
        assert not re.search(r'class="[^"]*(jp-CodeMirrorEditor|highlight hl-ipython)', page), rel
        assert "import " not in text and "def " not in text, rel
        for bad in (r"\bnan\b", r"\binf\b", r"\b0 years\b", r"\bNaN\b", r"<NA>"):
            assert not re.search(bad, text), (rel, bad)
        for path in (str(root), str(REPO), "/tmp/", "/home/", "/root/"):
            assert path not in page, (rel, path)


def test_index_links_every_report(built):
    root, _, _ = built
    index = (root / "reports" / "index.html").read_text()
    for rel in _reports(root)[1:]:
        assert f'href="{rel}"' in index, rel
    assert "FAILED" not in index
    assert "{'" not in _text(index) and "_year" not in _text(index)  # no raw dict on a card


def test_noop_repro_only_resolves(built):
    root, env, _ = built
    before = {p: p.stat().st_mtime_ns for p in (root / "reports").rglob("*.html")}
    start = time.perf_counter()
    out = _run(root, "dvc", "repro", env=env).stdout
    elapsed = time.perf_counter() - start
    ran = set(re.findall(r"Running stage '([^']+)'", out))
    assert ran <= {"resolve"}, out
    assert before == {p: p.stat().st_mtime_ns for p in (root / "reports").rglob("*.html")}
    print(f"no-op dvc repro: {elapsed:.2f} s")


def test_touching_a_module_stales_exactly_its_stages(built):
    root, env, _ = built
    module = root / "src" / "wmresearch" / "colocation" / "lq.py"
    original = module.read_text()
    try:
        module.write_text(original + "\n# touched\n")
        _run(root, "dvc", "repro", "resolve", env=env)  # what any `dvc repro` runs first
        status = json.loads(_run(root, "dvc", "status", "--json", env=env).stdout or "{}")
        stale = {name for name, changes in status.items()
                 if any("changed deps" in c for c in changes if isinstance(c, dict))}
        assert stale == {"region", "clusters"}, status
    finally:
        module.write_text(original)
        _run(root, "dvc", "repro", "resolve", env=env)


def test_forced_rerun_reproduces_outputs_byte_for_byte(built):
    root, env, _ = built
    watched = [root / "reports" / "region.html", root / "metrics" / "region.json",
               *sorted((root / "reports" / "data" / "region").glob("*.csv")),
               *sorted((root / "data" / "processed" / "evidence").glob("*.parquet"))]
    assert any(p.suffix == ".csv" for p in watched)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in watched}
    # the evidence tables' determinism is tested in tests/evidence/test_build.py
    _run(root, "dvc", "repro", "-f", "-s", "region", env=env)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in watched}
    assert before == after


def test_bad_parameters_fail_in_one_line_naming_the_valid_values(built):
    root, env, _ = built
    bad_region = _run(root, "wmresearch", "run", "notebooks/region.py", "reports/x.html",
                      "--stage", "region", "-p", "region=E47999999", env=env, check=False)
    assert bad_region.returncode == 1
    assert "global.region = 'E47999999'" in bad_region.stderr
    assert "E47000007 West Midlands" in bad_region.stderr and "midlands_engine" in bad_region.stderr
    bad_year = _run(root, "wmresearch", "run", "notebooks/clusters.py", "reports/y.html",
                    "--stage", "clusters", "-p", "year=1990", env=env, check=False)
    assert bad_year.returncode == 1 and "2015-2021" in bad_year.stderr
    nosuch = _run(root, "wmresearch", "run", "notebooks/region.py", "reports/z.html",
                  "--stage", "nosuch", env=env, check=False)
    assert nosuch.returncode != 0 and "nosuch" in nosuch.stderr
    _run(root, "wmresearch", "site", env=env)


def test_failing_stage_leaves_a_truthful_index(built):
    root, env, _ = built
    script = root / "notebooks" / "acquire.py"
    original = script.read_text()
    try:
        marker = '# %% tags=["remove-cell"]'
        script.write_text(original.replace(
            marker, marker + "\nraise RuntimeError('broken on purpose')", 1))
        result = _run(root, "dvc", "repro", "acquire", env=env, check=False)
        assert result.returncode != 0
        assert "broken on purpose" in result.stdout + result.stderr
        assert not (root / "reports" / "acquire.html").exists()
        index = (root / "reports" / "index.html").read_text()
        assert 'href="acquire.html"' not in index
        assert "FAILED" in index and "broken on purpose" in index
    finally:
        script.write_text(original)
        _run(root, "dvc", "repro", "acquire", "site", env=env)


def test_planted_key_appears_in_no_output(built):
    root, _, _ = built
    leaks = [p for folder in ("reports", "metrics", "data/interim", "data/processed")
             for p in (root / folder).rglob("*") if p.is_file()
             and FAKE_KEY.encode() in p.read_bytes()]
    assert not leaks, leaks


def test_published_firm_tables_carry_no_disclosive_cell(built):
    """Every published CSV with a firm count: each cell has at least the minimum number of
    firms (params.yaml clusters.disclosure.min_firms) or is suppressed as "[c]"."""
    root, _, _ = built
    params = yaml.safe_load((root / "params.yaml").read_text())
    minimum = params["clusters"]["disclosure"]["min_firms"]
    checked = 0
    for csv in (root / "reports" / "data").rglob("*.csv"):
        frame = pd.read_csv(csv, dtype=str)
        for column in (c for c in frame.columns if c.strip().lower() in {"firms", "n_firms"}):
            for value in frame[column].dropna():
                checked += 1
                assert value == "[c]" or float(value.replace(",", "")) >= minimum, (
                    csv.name, column, value)
    assert checked, "no published firm counts found to check"
