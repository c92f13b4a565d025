"""The public API: each analysis package exports its statistics lazily (PEP 562), and
``wmresearch.evidence.load`` is the one entry to every processed table.

Run in fresh interpreters, so that what importing a package pulls in is what a user's first
``import`` pulls in, not what earlier tests left in ``sys.modules``.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import REPO
from wmresearch.config import Paths
from wmresearch.pipeline import import_closure

PACKAGES = ("colocation", "evaluation", "region", "evidence")


def _python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_a_package_runs_none_of_its_modules(package):
    out = _python(f"import sys, wmresearch.{package} as p\n"
                  f"print(sorted(m for m in sys.modules if m.startswith('wmresearch.{package}.')))")
    assert out.strip() == "[]"


def test_attribute_access_imports_only_what_the_stage_fingerprint_lists(tmp_path):
    """What ``co.k_density`` really imports is inside the import closure the pipeline computes
    for the same code (so the stage's fingerprint covers it), and neither reaches the
    evaluation's synthetic control."""
    code = ("import wmresearch.colocation as co\n"
            "from wmresearch.evaluation import staggered_did\n"
            "assert co.k_density.__module__ == 'wmresearch.colocation.kdensity'\n"
            "assert staggered_did.__module__ == 'wmresearch.evaluation.staggered'\n")
    out = _python("import sys\n" + code + "print(sorted(m for m in sys.modules "
                  "if m.startswith('wmresearch.')))")
    imported = set(eval(out))
    script = tmp_path / "nb.py"
    script.write_text(code)
    closure = {p.relative_to(REPO / "src").with_suffix("").as_posix().replace("/", ".")
               .removesuffix(".__init__")
               for p in import_closure(script, REPO / "src") if p.suffix == ".py"}
    assert imported <= closure, imported - closure
    assert {"wmresearch.colocation.kdensity", "wmresearch.evaluation.staggered"} <= imported
    assert not any(m.startswith("wmresearch.evaluation.synth") for m in imported | closure)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves_and_is_listed(package):
    out = _python(f"import wmresearch.{package} as p\n"
                  "missing = [n for n in p.__all__ if not hasattr(p, n)]\n"
                  "assert not missing, missing\n"
                  "assert sorted(dir(p)) == sorted(p.__all__)\n"
                  "assert p.__all__ == sorted(p.__all__)\n"
                  "print(len(p.__all__))")
    assert int(out) >= 4


def test_a_function_wins_over_its_same_named_module_imported_first():
    """``evaluation/matching.py`` defines ``matching``: importing the module first (as a
    notebook might) must not turn ``from wmresearch.evaluation import matching`` into it."""
    _python("from wmresearch.evaluation.matching import propensity_score\n"
            "from wmresearch.evaluation import matching\n"
            "import wmresearch.colocation.shift_share\n"
            "import wmresearch.colocation as co\n"
            "assert callable(matching) and matching.__name__ == 'matching'\n"
            "assert co.shift_share.__name__ == 'shift_share' and callable(co.shift_share)\n")


def test_unknown_names_raise_attribute_error_and_submodules_still_import():
    import wmresearch.colocation as co

    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        co.nonsense  # noqa: B018
    from wmresearch.colocation import lq  # a submodule, not an export

    assert lq.location_quotients is co.location_quotients


def test_headline_statistics_are_exported():
    import wmresearch.colocation as co
    import wmresearch.evaluation as ev
    import wmresearch.region as rg

    assert {"k_density", "ellison_glaeser", "location_quotients", "coagglomeration",
            "shift_share"} <= set(co.__all__)
    assert {"staggered_did", "synthetic_control", "synthetic_did", "matching",
            "difference_in_differences", "event_study", "devolution_att", "placebo_rank_test",
            "conformal_intervals", "mde_did", "power_by_year"} <= set(ev.__all__)
    assert {"study_area", "region_value", "output_gap"} <= set(rg.__all__)


def _evidence(tmp_path) -> Paths:
    paths = Paths(tmp_path)
    paths.evidence.mkdir(parents=True)
    pd.DataFrame({"year": [2021, 2022, 2022], "area": ["a", "a", "b"],
                  "jobs": [1, 2, 3]}).to_parquet(paths.evidence / "jobs.parquet")
    return paths


def test_load_filters_rows_by_value_and_by_list(tmp_path):
    from wmresearch.evidence import load

    paths = _evidence(tmp_path)
    assert load("jobs", paths=paths, year=2022)["jobs"].tolist() == [2, 3]
    assert load("jobs", paths=paths, year=[2021, 2022], area="a")["jobs"].tolist() == [1, 2]
    assert load("jobs", paths=paths, columns=["jobs"], area="b").to_dict("list") == \
        {"jobs": [3]}


def test_load_errors_name_the_table_and_what_exists(tmp_path):
    from wmresearch.evidence import load

    paths = _evidence(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"'bres'.*dvc repro evidence.*tables built: jobs"):
        load("bres", paths=paths)
    with pytest.raises(KeyError, match=r"'jobs' has no column 'yr'.*year, area, jobs"):
        load("jobs", paths=paths, yr=2022)


def test_tables_available_lists_every_table_with_its_schema_description(tmp_path):
    from wmresearch.evidence import tables_available
    from wmresearch.evidence.build import TABLES

    listing = tables_available(_evidence(tmp_path))
    assert listing["table"].tolist() == [t.name for t in TABLES]
    assert not listing["built"].any()  # only "jobs" was written, which is no evidence table
    bres = listing.set_index("table").loc["bres_itl2_sic5"]
    assert bres["description"].startswith("ONS BRES open-access employment by ITL2")
    assert bres["datasets"] == "bres_itl2_sic5"


def _readme_examples() -> list[tuple[str, str]]:
    """(code, printed output) of each example in the README's "Use the package in your own
    notebook" section: a python block followed by the text block it prints."""
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use the package in your own notebook\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_has_the_four_examples_of_ten_lines_or_so():
    examples = _readme_examples()
    assert len(examples) == 4
    assert all(len(code.strip().splitlines()) <= 12 for code, _ in examples)


@pytest.mark.parametrize("index", range(4), ids=["lq", "k_density", "staggered_did", "region"])
def test_each_readme_example_prints_what_the_readme_says(built, index):
    """Run on the session's real-data build; the printed figures are the reports' own (the
    devolution headline -0.0256, SE 0.0080; the LQs of the clusters page; ONS's published
    combined-authority pay figure)."""
    root, env, _ = built
    code, expected = _readme_examples()[index]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, timeout=300,
                            env={**os.environ, **env, "WMRESEARCH_ROOT": str(root)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == expected
