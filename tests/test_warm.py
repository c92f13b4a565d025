"""Report stages started warm under DVC (wmresearch.warm, wmresearch.reporting.forked)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from wmresearch import warm
from wmresearch.reporting.forked import _launcher_arguments

pytestmark = pytest.mark.pipeline

BIN = Path(sys.executable).parent

NOTEBOOK = '''# %% [markdown]
# # Warm or cold

# %% tags=["parameters"]
answer = 1

# %%
import os
import sys

import matplotlib
import matplotlib.pyplot as plt

print("cwd", os.getcwd())
print("argv", sys.argv[1:2], "path", sys.path)
print("backend", matplotlib.get_backend(), "blas", os.environ.get("OPENBLAS_NUM_THREADS"))
print("parent", os.environ["JPY_PARENT_PID"] == str(os.getppid()))
print("report files", os.environ["WMRESEARCH_REPORT_DATA_HREF"])
# which process started this kernel, for the test (not on the page)
with open(os.environ["PROBE"], "w") as probe, open(f"/proc/{os.getppid()}/cmdline") as cmd:
    probe.write(cmd.read().replace("\\0", " "))

# %%
fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1], [0, answer])
plt.show()

# %%
if answer < 0:
    raise ValueError("negative answer")
'''


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "nb.py").write_text(NOTEBOOK)
    (root / "params.yaml").write_text("nb:\n  answer: 2\n")
    (root / "dvc.yaml").write_text(
        "stages:\n  nb:\n    cmd: wmresearch run notebooks/nb.py reports/nb.html --stage nb\n")
    return root


def _run(root: Path, env: dict[str, str], *params: str) -> subprocess.CompletedProcess:
    args = [str(BIN / "wmresearch"), "run", "notebooks/nb.py", "reports/nb.html",
            "--stage", "nb", *(x for p in params for x in ("-p", p))]
    return subprocess.run(args, cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_stage_run_warm_writes_the_page_a_cold_run_writes_and_fails_as_it_fails(tmp_path,
                                                                                   request):
    """The same page, byte for byte (kernel's working directory, import path, matplotlib
    backend, parent process, figure), and a failing cell fails the stage with its error."""
    root = _project(tmp_path)
    # a socket's path is short: the runtime folder cannot be under pytest's tmp_path
    runtime = Path(tempfile.mkdtemp(prefix="wmwarm"))
    request.addfinalizer(lambda: shutil.rmtree(runtime, ignore_errors=True))
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "DVC_STAGE": "nb",
           "SOURCE_DATE_EPOCH": "1767225600", "PROBE": str(tmp_path / "parent.txt"),
           "PATH": str(BIN) + os.pathsep + os.environ["PATH"]}
    env.pop(warm.SWITCH_ENV, None)
    env.pop("WMRESEARCH_ROOT", None)
    cold = _run(root, {**env, warm.SWITCH_ENV: "0"})
    assert cold.returncode == 0, cold.stderr
    cold_page = (root / "reports" / "nb.html").read_bytes()
    assert b"image/png" in cold_page and b"backend module://matplotlib_inline" in cold_page
    assert "wmresearch.warm" not in (tmp_path / "parent.txt").read_text()
    first = _run(root, env)  # runs cold and starts the server for the stages after it
    assert first.returncode == 0, first.stderr
    folder = runtime / f"wmresearch-warm-{os.getuid()}"
    deadline = time.monotonic() + 60
    while not list(folder.glob("*.sock")) and time.monotonic() < deadline:
        time.sleep(0.2)
    sockets = list(folder.glob("*.sock"))
    assert len(sockets) == 1, "the warm server did not start"
    try:
        served = _run(root, env)
        assert served.returncode == 0, served.stderr
        assert "wmresearch: wrote" in served.stdout
        assert "wmresearch.warm" in (tmp_path / "parent.txt").read_text()  # it was served
        assert (root / "reports" / "nb.html").read_bytes() == cold_page
        failed = _run(root, env, "answer=-1")
        assert failed.returncode == 1
        assert "ValueError: negative answer" in failed.stderr
        assert not (root / "reports" / "nb.html").exists()
    finally:
        sockets[0].unlink()  # the server exits when its socket is gone


def test_only_dvc_report_stages_go_warm():
    dvc = {"DVC_STAGE": "region"}
    assert warm._wanted(["wmresearch", "run", "notebooks/region.py"], dvc)
    assert not warm._wanted(["wmresearch", "run", "notebooks/region.py"], {})
    assert not warm._wanted(["wmresearch", "fetch"], dvc)
    assert not warm._wanted(["wmresearch", "run", "x.py"], {**dvc, warm.SWITCH_ENV: "0"})


def test_a_server_serves_only_the_settings_it_started_with(tmp_path, monkeypatch):
    base = {"WMRESEARCH_MIRROR": "/data", "HOME": "/home/x"}
    key = warm.server_key(base)
    assert warm.server_key({**base, "DVC_STAGE": "evaluate@ukspf", "PWD": "/a"}) == key
    assert warm.server_key({**base, "WMRESEARCH_MIRROR": "/other"}) != key
    package = tmp_path / "package"
    package.mkdir()
    module = package / "module.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(warm, "_PACKAGE", package)
    before = warm.server_key(base)
    module.write_text("x = 22\n")  # an edited module
    assert warm.server_key(base) != before


def test_the_kernel_command_is_recognised_with_its_interpreter_options():
    cmd = ["/venv/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f",
           "/run/kernel-1.json"]
    assert _launcher_arguments(cmd) == ["-f", "/run/kernel-1.json"]
    assert _launcher_arguments(["/venv/bin/python", "-m", "other_kernel", "-f", "c"]) is None
    assert _launcher_arguments(["/usr/bin/R", "--slave", "-e", "IRkernel::main()"]) is None


def test_a_server_that_fails_to_start_says_why_and_is_not_started_again(tmp_path,
                                                                        monkeypatch):
    """Stages with settings whose server cannot start run cold, rather than each starting
    another server that fails on the other core."""
    folder = tmp_path / "warm"
    folder.mkdir(mode=0o700)
    (folder / "k.starting").touch()

    def broken(root):
        raise ImportError("no module named 'missing'")

    monkeypatch.setattr(warm, "_preload", broken)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve() sets two defaults
    with pytest.raises(ImportError):
        warm.serve(folder, "k")
    assert "no module named 'missing'" in (folder / "k.failed").read_text()
    assert not (folder / "k.starting").exists()
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a))
    warm._start_server("k", folder)
    assert started == []
    warm._start_server("other", folder)
    assert len(started) == 1
