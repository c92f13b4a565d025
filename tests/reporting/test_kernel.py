"""A report's kernel started before the renderer loads (wmresearch.reporting.kernel)."""

from __future__ import annotations

import os
import sys

import pytest

from wmresearch.reporting.kernel import (
    DIR_ENV,
    HREF_ENV,
    PRELOAD_ENV,
    kernel_env,
    notebook_imports,
    preload,
    start_kernel,
)
from wmresearch.reporting.render import NotebookFailed, run_stage

pytestmark = pytest.mark.pipeline

SCRIPT = '''# %% [markdown]
# # Where am I

# %% tags=["parameters"]
answer = 1

# %%
import os
from pathlib import Path
print("cwd", Path.cwd().name, "files", os.environ["{dir}"], "href", os.environ["{href}"])

# %%
if answer < 0:
    raise ValueError("negative answer")
'''.replace("{dir}", DIR_ENV).replace("{href}", HREF_ENV)


def test_kernel_env_names_the_reports_own_data_folder(tmp_path):
    env = kernel_env(tmp_path / "reports" / "evaluate" / "ukspf.html")
    assert env[DIR_ENV] == str((tmp_path / "reports" / "evaluate" / "data" / "ukspf").resolve())
    assert env[HREF_ENV] == "data/ukspf"


def test_kernel_env_runs_one_blas_thread_unless_the_user_chose(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert kernel_env(tmp_path / "r.html")["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    assert kernel_env(tmp_path / "r.html")["OPENBLAS_NUM_THREADS"] == "4"


def test_unknown_kernel_gives_none_so_the_renderer_reports_it(tmp_path):
    assert start_kernel(tmp_path / "r.html", cwd=tmp_path, kernel="no-such-kernel") is None


@pytest.mark.parametrize("answer", [2, -1])
def test_a_prestarted_kernel_runs_in_the_project_with_the_reports_folder(tmp_path, answer):
    """The kernel started early runs the notebook exactly as the renderer's own would: in
    the project folder, with the report's data folder, and a failing cell still fails the
    stage with its error (the caller then shuts the kernel down)."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "nb.py").write_text(SCRIPT)
    html = project / "reports" / "nb.html"
    kernel = start_kernel(html, cwd=project)
    assert kernel is not None
    try:
        if answer < 0:
            with pytest.raises(NotebookFailed, match="ValueError: negative answer"):
                run_stage(project / "nb.py", html, {"answer": answer}, root=project,
                          kernel_manager=kernel)
            assert not html.exists()
            return
        page = run_stage(project / "nb.py", html, {"answer": answer}, root=project,
                         kernel_manager=kernel).read_text()
    finally:
        kernel.shutdown_kernel(now=True)
    assert not kernel.is_alive()
    files = (project / "reports" / "data" / "nb").resolve()
    assert f"cwd proj files {files} href data/nb" in page


def test_notebook_imports_are_its_top_level_import_statements(tmp_path):
    script = tmp_path / "nb.py"
    script.write_text("# %% [markdown]\n# # Title\n\n# %%\nimport json\n"
                      "from pathlib import Path as P\n\n# %%\nx = 1\n"
                      "if x:\n    import csv\n\ndef f():\n    import decimal\n")
    assert notebook_imports(script) == "import json\nfrom pathlib import Path as P"


def test_notebook_imports_of_an_unreadable_script_are_empty(tmp_path):
    (tmp_path / "bad.py").write_text("import json\ndef broken(:\n")
    assert notebook_imports(tmp_path / "bad.py") == ""
    assert notebook_imports(tmp_path / "missing.py") == ""


def test_preload_imports_modules_without_touching_any_namespace(monkeypatch):
    """The kernel's start-up runs the statements each in a namespace of its own; one that
    fails is skipped (the notebook's cell reports it), and the variable is consumed."""
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    monkeypatch.setenv(PRELOAD_ENV, "import no_such_module_anywhere\nimport colorsys as cs")
    preload()
    assert "colorsys" in sys.modules
    assert "cs" not in globals() and PRELOAD_ENV not in os.environ


FAILING_IMPORT = '''# %% tags=["parameters"]
answer = 1

# %%
import no_such_module_anywhere
'''


@pytest.mark.parametrize("script", [SCRIPT, FAILING_IMPORT], ids=["page", "bad-import"])
def test_a_kernel_that_preloads_the_notebooks_imports_renders_the_same_page(tmp_path, script):
    """Preloading changes when the modules load, not what the page shows: the page is byte
    for byte the one a kernel without preloading renders, and an import that fails still
    fails the stage at the notebook's own cell, with its error."""
    project = tmp_path / "proj"
    project.mkdir()
    (project / "nb.py").write_text(script)
    pages = []
    for imports in ("", notebook_imports(project / "nb.py")):
        html = project / "reports" / "nb.html"
        kernel = start_kernel(html, cwd=project, imports=imports)
        assert kernel is not None
        try:
            if script is FAILING_IMPORT:
                with pytest.raises(NotebookFailed, match="cell 3: ModuleNotFoundError"):
                    run_stage(project / "nb.py", html, {"answer": 2}, root=project,
                              kernel_manager=kernel)
                continue
            pages.append(run_stage(project / "nb.py", html, {"answer": 2}, root=project,
                                   kernel_manager=kernel).read_bytes())
        finally:
            kernel.shutdown_kernel(now=True)
    assert script is FAILING_IMPORT or pages[0] == pages[1]
