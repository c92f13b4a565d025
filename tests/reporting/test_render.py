"""Notebook execution and code-free HTML rendering (papermill + nbconvert)."""

from __future__ import annotations

import json

import pytest

from wmresearch.reporting.render import NotebookFailed, run_stage
from wmresearch.reporting.site import collect_reports, index_fragment

pytestmark = pytest.mark.pipeline

SCRIPT = '''# %% [markdown]
# # A tiny report

# %% tags=["parameters"]
answer = 1
secret_token = "should-not-appear"

# %%
import math
print("result is", answer * 2)

# %%
if answer < 0:
    raise ValueError("negative answer " + str(math.pi))
'''


@pytest.fixture
def project(tmp_path):
    (tmp_path / "nb.py").write_text(SCRIPT)
    return tmp_path


def test_html_has_outputs_but_no_code_or_parameters(project):
    out = run_stage(project / "nb.py", project / "reports" / "nb.html", {"answer": 21},
                    root=project)
    page = out.read_text()
    assert "result is 42" in page
    assert "<title>A tiny report</title>" in page
    for hidden in ("import math", "should-not-appear", "answer = 21", "raise ValueError"):
        assert hidden not in page


def test_failing_cell_raises_with_notebook_error_and_removes_stale_html(project):
    html = project / "reports" / "nb.html"
    html.parent.mkdir()
    html.write_text("stale report")
    with pytest.raises(NotebookFailed, match="ValueError: negative answer 3.14"):
        run_stage(project / "nb.py", html, {"answer": -1}, root=project)
    assert not html.exists()
    assert (project / "data" / "interim" / "notebooks" / "nb.ipynb").exists()


def test_demo_manifest_adds_banner(project):
    raw = project / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "manifest.json").write_text(json.dumps({"mode": "demo", "missing": ["imd2019"]}))
    page = run_stage(project / "nb.py", project / "reports" / "nb.html", {},
                     root=project).read_text()
    assert "DEMO DATA" in page and "imd2019" in page


def test_site_index_lists_reports_by_section(tmp_path):
    (tmp_path / "evaluate").mkdir()
    (tmp_path / "a.html").write_text("<html><head><title>Alpha</title></head></html>")
    (tmp_path / "evaluate" / "x.html").write_text("<title>X eval</title>")
    (tmp_path / "index.html").write_text("<title>old index</title>")
    assert collect_reports(tmp_path) == {"": [("Alpha", "a.html")],
                                         "evaluate": [("X eval", "evaluate/x.html")]}
    frag = index_fragment(tmp_path, manifest={"mode": "demo", "missing": ["m"],
                                              "datasets": {}})
    assert 'href="evaluate/x.html"' in frag and "DEMO DATA" in frag and "old index" not in frag


STYLED = '''# %% [markdown]
# # Styled

# %%
import pandas as pd
pd.DataFrame({"a": [1, 2]}).style.format("{:.1f}")
'''


def test_rerun_gives_byte_identical_html(tmp_path):
    (tmp_path / "s.py").write_text(STYLED)
    pages = [run_stage(tmp_path / "s.py", tmp_path / f"r{k}.html", {}, root=tmp_path)
             .read_text() for k in range(2)]
    assert "T_wm000" in pages[0]
    assert pages[0] == pages[1]
