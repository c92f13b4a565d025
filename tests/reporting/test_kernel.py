"""A report's kernel started before the renderer loads (wmresearch.reporting.kernel)."""

from __future__ import annotations

import pytest

from wmresearch.reporting.kernel import DIR_ENV, HREF_ENV, kernel_env, start_kernel
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
