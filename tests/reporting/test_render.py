"""Notebook execution and code-free HTML rendering (papermill + nbconvert)."""

from __future__ import annotations

import json

import pytest

from wmresearch.reporting.render import NotebookFailed, run_stage
from wmresearch.reporting.site import collect_reports, index_page, record_status

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


def test_stage_title_replaces_the_notebooks_first_heading(project):
    """A foreach stage passes each item's title; the page's H1 must name the item."""
    page = run_stage(project / "nb.py", project / "reports" / "nb.html", {"answer": 2},
                     root=project, title="Evaluation: Skills Bootcamps").read_text()
    assert "<title>Evaluation: Skills Bootcamps</title>" in page
    assert "Evaluation: Skills Bootcamps<a" in page.split("<h1", 1)[1].split("</h1>")[0]
    assert "A tiny report" not in page


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


def test_index_cards_tell_the_truth(tmp_path):
    reports = tmp_path / "reports"
    (reports / "evaluate").mkdir(parents=True)
    (reports / "a.html").write_text("<html><head><title>Alpha</title></head></html>")
    (reports / "evaluate" / "x.html").write_text("<title>X eval</title>")
    (reports / "index.html").write_text("<title>old index</title>")
    record_status(tmp_path, "b.html", status="failed", title="Beta",
                  error="stage failed: RuntimeError: broken on purpose\n  traceback...")
    record_status(tmp_path, "gone.html", status="built", title="Gone")
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "a.json").write_text(json.dumps(
        {"mde": 0.0952, "sms_level": 3, "productivity_year": 2022, "summary": "One line.",
         "headline": {"Finding": "no detectable effect; MDE 9.5%"}}))
    states = {r["href"]: r["status"] for r in collect_reports(tmp_path)}
    assert states == {"a.html": "built", "b.html": "failed", "gone.html": "missing",
                      "evaluate/x.html": "built"}
    page = index_page(tmp_path, manifest={"mode": "demo", "missing": ["m"], "datasets": {}})
    assert 'href="evaluate/x.html"' in page and 'href="a.html"' in page
    assert 'href="b.html"' not in page and 'href="gone.html"' not in page
    assert "FAILED" in page and "broken on purpose" in page and "traceback" not in page
    assert "DEMO DATA" in page and "old index" not in page
    assert "2 of 4 reports are not available" in page
    assert "Finding: <strong>no detectable effect; MDE 9.5%</strong>" in page
    assert "SMS" not in page  # a bare SMS level is never shown on a card
    assert "Data as of 2022." in page and "<p>One line.</p>" in page


def test_failed_stage_rewrites_index_and_names_the_cause(tmp_path, monkeypatch):
    from wmresearch.config import Project
    from wmresearch.runner import StageFailed, run_report

    (tmp_path / "params.yaml").write_text("global: {seed: 1}\n")
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    (tmp_path / "nb.py").write_text(SCRIPT)
    project = Project(tmp_path)
    html = tmp_path / "reports" / "nb.html"
    run_report(project, tmp_path / "nb.py", html, {"answer": 1}, title="Tiny")
    assert 'href="nb.html"' not in (tmp_path / "reports" / "index.html").read_text() \
        if (tmp_path / "reports" / "index.html").exists() else True
    with pytest.raises(StageFailed, match="negative answer"):
        run_report(project, tmp_path / "nb.py", html, {"answer": -1}, title="Tiny")
    index = (tmp_path / "reports" / "index.html").read_text()
    assert not html.exists()
    assert "Tiny" in index and "FAILED" in index and "negative answer" in index
    assert 'href="nb.html"' not in index


def test_scratch_render_outside_reports_leaves_the_site_alone(tmp_path):
    from wmresearch.config import Project
    from wmresearch.runner import StageFailed, run_report

    (tmp_path / "params.yaml").write_text("global: {seed: 1}\n")
    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    (tmp_path / "nb.py").write_text(SCRIPT)
    project = Project(tmp_path)
    scratch = tmp_path / "scratch" / "nb.html"
    run_report(project, tmp_path / "nb.py", scratch, {"answer": 1}, title="Tiny")
    with pytest.raises(StageFailed, match="negative answer"):
        run_report(project, tmp_path / "nb.py", scratch, {"answer": -1}, title="Tiny")
    status = tmp_path / "data" / "interim" / "status"
    assert not status.exists() or not any(status.iterdir())
    assert not (tmp_path / "reports" / "index.html").exists()


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


def test_figures_tables_numbered_and_contents_after_the_first_cell():
    from wmresearch.reporting.provenance import number_and_contents

    page = ('<main><div class="jp-Cell a"><div class="jp-InputArea"><h1>T</h1></div></div>'
            '<div class="jp-Cell b"><h2 id="One">One<a class="anchor-link" href="#One">¶</a>'
            '</h2><figure class="wm-figure"><img src="x" alt="Chart: Jobs by year. 2 bars">'
            '</figure><table id="T_wm000" class="wm-table">\n<caption>Jobs</caption></table>'
            '<table id="T_wm001"></table><h2 id="Two">Two<a class="anchor-link" '
            'href="#Two">¶</a></h2><figure class="wm-figure"><img alt="Chart: Pay. x"></figure>'
            "</div></main>")
    out = number_and_contents(page)
    assert "<figcaption>Figure 1: Jobs by year</figcaption>" in out
    assert "<figcaption>Figure 2: Pay</figcaption>" in out
    assert ('<p class="wm-table-caption">Table 1: Jobs</p><table id="T_wm000" '
            'class="wm-table"></table>') in out
    # a table not shown by show_table has no CSV, so it takes no number
    assert out.count("wm-table-caption") == 1
    toc = out.index('<nav class="wm-toc"')
    assert out.index("</h1></div></div>") < toc < out.index('<div class="jp-Cell b">')
    assert '<a href="#One">One</a>' in out and '<a href="#Two">Two</a>' in out


def test_one_warmed_exporter_renders_what_a_fresh_one_renders(tmp_path):
    """The renderer keeps one exporter and warms it while the notebook runs: the page is
    byte for byte the one a fresh exporter renders, however often it is used."""
    import nbformat

    from wmresearch.reporting import render

    (tmp_path / "s.py").write_text(STYLED)
    run_stage(tmp_path / "s.py", tmp_path / "reports" / "r.html", {}, root=tmp_path)
    executed = tmp_path / "data" / "interim" / "notebooks" / "r.ipynb"

    def page() -> str:
        return render.to_html(nbformat.read(executed, as_version=4), title="T",
                              footer="<footer>f</footer>", index_href="index.html")

    render._exporter.cache_clear()
    fresh = page()
    again = page()
    render._exporter.cache_clear()
    render.warm_renderer()
    warmed = page()
    assert "T_wm000" in fresh and "<footer>f</footer>" in fresh
    assert fresh == again == warmed
