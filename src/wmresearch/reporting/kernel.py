"""A report's notebook kernel, started before the renderer is imported.

``wmresearch run`` spends about a second importing papermill, nbconvert and jupytext and
about a second starting the notebook's kernel. Started first, the kernel boots on the
second core while the command imports the renderer, which saves about a second on every
report stage (``benchmarks/bench_pipeline.py`` prints the stages' times). This module imports
only the standard library at load, so importing it costs nothing.

The kernel then imports the notebook's own modules as it boots (:func:`preload`). The
command's imports take longer than the kernel's start, so the kernel would otherwise sit
idle for part of a second and then spend one to two seconds in the notebook's first cell
importing pandas and matplotlib (and scipy and seaborn, on the pages that need them).
Imported during that wait, those modules are already loaded when the cell runs: the cell
binds the same names, from the same modules, in the same order of first import, and prints
what it printed before.

The kernel inherits the two variables that tell a notebook where its report's tables and
chart data go (:data:`DIR_ENV`, :data:`HREF_ENV`): they are fixed when the kernel starts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jupyter_client import KernelManager

#: The Jupyter kernel every report runs in (installed by ``make setup``).
KERNEL = "wmresearch"
#: Where a notebook writes its report's CSVs (absolute), and their link from the page.
DIR_ENV = "WMRESEARCH_REPORT_DATA_DIR"
HREF_ENV = "WMRESEARCH_REPORT_DATA_HREF"
#: The notebook's import statements, for its kernel to run as it boots (see :func:`preload`).
PRELOAD_ENV = "WMRESEARCH_PRELOAD"
#: Modules for the kernel's background worker to import as the kernel boots (see
#: :func:`preload`), one per line: the notebook's own and :data:`BACKGROUND_IMPORTS`.
WORKER_ENV = "WMRESEARCH_WORKER_IMPORTS"
#: Libraries the package's estimators import when first called, slow to import (about two
#: seconds together): a notebook that runs jobs in the background gets them loaded in its
#: worker while its kernel boots, on the other core.
BACKGROUND_IMPORTS = ("scipy.stats", "statsmodels.api", "statsmodels.stats.power",
                      "csdid.att_gt")
# what the kernel runs at start-up (IPython's exec_lines): an expression, so it binds no name
# in the notebook's namespace and takes no execution number
_PRELOAD_LINE = '__import__("wmresearch.reporting.kernel", fromlist=["preload"]).preload()'


def report_files(html_out: Path | str) -> tuple[Path, str]:
    """The folder beside a report for its tables and chart data, and its link from the page
    (``reports/clusters.html`` → ``reports/data/clusters``, ``data/clusters``)."""
    html_out = Path(html_out)
    return html_out.parent / "data" / html_out.stem, f"data/{html_out.stem}"


def kernel_env(html_out: Path | str) -> dict[str, str]:
    """The environment of the kernel that renders ``html_out``: this process's, plus where
    its tables and chart data go, and one BLAS thread unless the caller chose a number.

    The kernel shares two cores with the renderer and the notebook's background work, and
    its estimators multiply small matrices (csdid fits a logit for every group-time cell):
    there, a second BLAS thread costs more in synchronisation than it computes (the
    devolution stage: 17.2 s against 18.7 s, three alternating runs each), and one thread
    makes results independent of the machine's core count.
    """
    files, href = report_files(html_out)
    return {"OPENBLAS_NUM_THREADS": "1", **os.environ, DIR_ENV: str(files.resolve()),
            HREF_ENV: href}


def notebook_imports(script: Path | str) -> str:
    """The top-level import statements of a notebook script (a jupytext percent file), one
    per line; '' when it has none or cannot be read or parsed (the run then reports it)."""
    import ast

    try:
        tree = ast.parse(Path(script).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return ""
    return "\n".join(ast.unparse(node) for node in tree.body
                     if isinstance(node, ast.Import | ast.ImportFrom))


def worker_imports(imports: str) -> list[str]:
    """The modules a background worker imports for a notebook with these import statements
    (:func:`notebook_imports`): none unless it runs jobs in the background
    (:func:`wmresearch.parallel.in_background`); else its modules, then
    :data:`BACKGROUND_IMPORTS`. ``from a import b`` lists ``a`` and ``a.b``, in case ``b`` is
    a module. Display modules (IPython's, the package's reporting) are left out: a job
    computes and never displays."""
    import ast

    if "in_background" not in imports:
        return []
    modules: list[str] = []
    for node in ast.parse(imports).body:
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    computing = [name for name in modules
                 if not name.startswith(("IPython", "wmresearch.reporting"))]
    return list(dict.fromkeys([*computing, *BACKGROUND_IMPORTS]))


def preload() -> None:
    """Run by a report's kernel as it boots: start the background worker when the notebook
    uses one (:data:`WORKER_ENV`), then execute the import statements in
    :data:`PRELOAD_ENV`, each in a namespace of its own, so the notebook's modules are loaded
    and its namespace is untouched. A statement that fails is skipped: the notebook's own
    cell then raises the error, in its place and words."""
    worker = os.environ.pop(WORKER_ENV, "").split()
    if worker:
        from wmresearch.parallel import start_worker

        start_worker(worker)
    for statement in os.environ.pop(PRELOAD_ENV, "").splitlines():
        try:
            exec(statement, {})  # the notebook's own import statements
        except Exception:  # the notebook's own cell reports it
            continue


def _forking() -> bool:
    """Whether this process is a copy of a warm server (:mod:`wmresearch.warm`), whose
    kernel is then a fork of it, with the modules the server imported."""
    import sys

    warm = sys.modules.get("wmresearch.warm")
    return bool(getattr(warm, "SERVED", False))


def start_kernel(html_out: Path | str, *, cwd: Path, kernel: str = KERNEL,
                 imports: str = "") -> KernelManager | None:
    """Start the kernel that will render ``html_out`` and return its manager, without waiting
    for it to be ready; ``None`` when it cannot start (the renderer then starts its own and
    reports the failure in its words). With ``imports`` (see :func:`notebook_imports`), the
    kernel runs them as it boots, after starting its background worker if the notebook uses
    one (:func:`preload`). The caller shuts it down."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import NoSuchKernel

    manager = KernelManager(kernel_name=kernel)
    # the notebook client (nbclient, under papermill) talks to the kernel asynchronously
    manager.client_class = "jupyter_client.asynchronous.AsyncKernelClient"
    if _forking():
        from wmresearch.reporting.forked import ForkedKernel

        manager.provisioner = ForkedKernel(kernel_id=manager.kernel_id or "",
                                           kernel_spec=manager.kernel_spec, parent=manager)
    env = kernel_env(html_out)
    extra = []
    if imports:
        env[PRELOAD_ENV] = imports
        env[WORKER_ENV] = "\n".join(worker_imports(imports))
        extra = [f"--IPKernelApp.exec_lines={_PRELOAD_LINE}"]
    try:
        manager.start_kernel(cwd=str(cwd), env=env, extra_arguments=extra)
    except (NoSuchKernel, OSError):
        return None
    return manager
