"""No stale report: every stage depends on exactly the code its notebook can run.

Each stage depends on ``data/interim/code/<stage>.txt``, written by the always-run resolve
stage: the SHA-256 of every file in the stage's import closure. These tests check that every
stage depends on its fingerprint, that the closure follows imports through the library, and
that a fingerprint changes exactly when a file of its closure does.
"""

from __future__ import annotations

import shutil

import yaml

from tests.conftest import REPO
from wmresearch.pipeline import (
    expected_deps,
    fingerprint_path,
    import_closure,
    missing_fingerprint_deps,
    programme_path,
    write_fingerprints,
)


def test_every_stage_depends_on_its_code_fingerprint_and_notebook():
    dvc = yaml.safe_load((REPO / "dvc.yaml").read_text())
    assert missing_fingerprint_deps(dvc) == {}
    resolve = dvc["stages"]["resolve"]
    assert resolve["always_changed"] is True
    assert any("data/interim/code" in str(out) for out in resolve["outs"])


def test_closure_follows_imports_inside_functions_and_packages(tmp_path):
    pkg = tmp_path / "src" / "wmresearch"
    (pkg / "a").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("")
    (pkg / "a" / "clusters.yaml").write_text("x: 1\n")
    (pkg / "a" / "one.py").write_text("def f():\n    from wmresearch.b import two\n")
    (pkg / "b.py").write_text("import json\n")
    (pkg / "c.py").write_text("")  # never imported
    script = tmp_path / "nb.py"
    script.write_text("from wmresearch.a import one\n")
    found = {p.relative_to(tmp_path).as_posix() for p in import_closure(script, tmp_path / "src")}
    assert found == {"src/wmresearch/__init__.py", "src/wmresearch/a/__init__.py",
                     "src/wmresearch/a/one.py", "src/wmresearch/b.py",
                     "src/wmresearch/a/clusters.yaml"}


def test_the_trust_review_cases_are_covered():
    """The cases found stale in review: LQs reach the State of the Region through the
    region's statistics; chart helpers reach it through reporting; the evidence build's own
    cleaners reach the evidence stage; nothing reaches a stage that does not run it."""
    closure = expected_deps(REPO, yaml.safe_load((REPO / "dvc.yaml").read_text()))
    assert "src/wmresearch/colocation/lq.py" in closure["region"]
    assert "src/wmresearch/reporting/charts.py" in closure["region"]
    assert "src/wmresearch/evidence/aggregate.py" in closure["region"]
    assert "src/wmresearch/evidence/gva.py" in closure["evidence"]
    assert "src/wmresearch/evaluation/place.py" in closure["evaluate"]
    assert "src/wmresearch/colocation/lq.py" not in closure["acquire"]
    assert "src/wmresearch/colocation/lq.py" not in closure["evidence"]
    assert "src/wmresearch/colocation/kdensity.py" not in closure["region"]


def test_touching_a_module_changes_exactly_the_fingerprints_of_its_stages(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for name in ("dvc.yaml", "params.yaml", "programmes.yaml"):
        shutil.copy2(REPO / name, root / name)
    for folder in ("src", "notebooks"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    first = write_fingerprints(root)
    assert {"acquire", "evidence", "region", "clusters", "evaluate", "site"} <= set(first)
    assert write_fingerprints(root) == []  # nothing changed: nothing rewritten
    lq = root / "src" / "wmresearch" / "colocation" / "lq.py"
    lq.write_text(lq.read_text() + "\n# touched\n")
    assert sorted(write_fingerprints(root)) == ["clusters", "region"]
    text = (root / fingerprint_path("region")).read_text()
    assert "src/wmresearch/colocation/lq.py" in text


def test_editing_a_registry_entry_stales_exactly_its_stage(tmp_path):
    """Each programme's entry of ``programmes.yaml``, and mayoral devolution's, is a file its
    stage depends on (so DVC need not copy the entry into dvc.lock, which it parses and
    rewrites after every stage): editing one entry rewrites that file only."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("dvc.yaml", "params.yaml", "programmes.yaml"):
        shutil.copy2(REPO / name, root / name)
    for folder in ("src", "notebooks"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
    write_fingerprints(root)
    registry = root / "programmes.yaml"
    for key in ("mayoral_devolution", "ukspf"):
        entry = yaml.safe_load(registry.read_text())
        section = entry["mayoral_devolution"] if key == "mayoral_devolution" else \
            entry["programmes"][key]
        section["summary"] += " Edited."
        registry.write_text(yaml.safe_dump(entry, sort_keys=False))
        assert write_fingerprints(root) == [f"programme-{key}"]
        assert "Edited." in (root / programme_path(key)).read_text()
    stages = yaml.safe_load((root / "dvc.yaml").read_text())["stages"]
    assert programme_path("mayoral_devolution") in stages["devolution"]["deps"]
    assert "programme-${key}" in " ".join(stages["evaluate"]["do"]["deps"])


def test_closure_follows_lazy_public_names_to_their_module_only(tmp_path):
    """``from pkg import name`` and ``p.name`` after ``import pkg as p`` reach the module
    that defines ``name`` (read from the package's ``_EXPORTS``), not its siblings."""
    pkg = tmp_path / "src" / "wmresearch" / "co"
    pkg.mkdir(parents=True)
    (pkg.parent / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text('_EXPORTS = {"k_density": "kd", "lq": "lq"}\n')
    for name in ("kd", "lq"):
        (pkg / f"{name}.py").write_text("")
    base = {"src/wmresearch/__init__.py", "src/wmresearch/co/__init__.py"}
    for i, code in enumerate(("from wmresearch.co import k_density\n",
                 "import wmresearch.co as co\nco.k_density(1)\n",
                 "def f():\n    import wmresearch.co\n    return wmresearch.co.k_density\n",
                 "from wmresearch import co as c\nx = c.k_density.__doc__\n")):
        script = tmp_path / f"nb{i}.py"
        script.write_text(code)
        found = {p.relative_to(tmp_path).as_posix()
                 for p in import_closure(script, tmp_path / "src")}
        assert found == base | {"src/wmresearch/co/kd.py"}, code
    script = tmp_path / "star.py"
    script.write_text("from wmresearch.co import *\n")
    assert len(import_closure(script, tmp_path / "src")) == 4


def test_the_clusters_stage_does_not_depend_on_the_evaluations():
    """The analysis packages export lazily, so importing wmresearch.colocation (or a name
    from it) brings no evaluation module into the clusters stage's fingerprint."""
    closure = expected_deps(REPO, yaml.safe_load((REPO / "dvc.yaml").read_text()))
    assert "src/wmresearch/colocation/__init__.py" in closure["clusters"]
    assert not [f for f in closure["clusters"] if f.startswith("src/wmresearch/evaluation/")]
    assert "src/wmresearch/evaluation/staggered.py" in closure["devolution"]


def test_dvc_metrics_are_the_headline_files_and_the_detail_an_output():
    """``dvc metrics show`` prints each stage's headline figures: the DVC metric of every
    report stage is ``metrics/headline/<report>.json``; the notebook's full file (read by the
    index) is an output, not a metric."""
    dvc = yaml.safe_load((REPO / "dvc.yaml").read_text())
    for name, stage in dvc["stages"].items():
        body = stage.get("do", stage)
        if "wmresearch run" not in body.get("cmd", ""):
            continue
        html = body["cmd"].split()[3]
        full = html.replace("reports/", "metrics/", 1).replace(".html", ".json")
        outs = [next(iter(o)) if isinstance(o, dict) else o for o in body["outs"]]
        metrics = [next(iter(m)) for m in body["metrics"]]
        assert full in outs, name
        assert metrics == [full.replace("metrics/", "metrics/headline/", 1)], name


def test_the_headline_keeps_top_level_figures_and_leaves_detail_in_the_full_file(tmp_path):
    from wmresearch.runner import headline_figures, write_headline

    metrics = {"gva_gbp_bn": 76.331, "rank": "15th of 15", "tables": {"a": {"rows_in": 3}},
               "key_messages": ["x"], "synthetic": True, "mde": None, "year": 2022,
               "gap": float("nan")}
    assert headline_figures(metrics) == {"gva_gbp_bn": 76.331, "synthetic": True,
                                         "year": 2022}
    (tmp_path / "metrics" / "evaluate").mkdir(parents=True)
    (tmp_path / "metrics" / "evaluate" / "p.json").write_text('{"att": -0.0256, "s": "x"}')
    out = write_headline(tmp_path, "evaluate/p.html")
    assert out == tmp_path / "metrics" / "headline" / "evaluate" / "p.json"
    assert out.read_text() == '{\n  "att": -0.0256\n}\n'
    assert write_headline(tmp_path, "none.html").read_text() == "{}\n"
