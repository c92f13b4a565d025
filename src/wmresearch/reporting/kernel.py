"""A report's notebook kernel, started before the renderer is imported.

``wmresearch run`` spends about a second importing papermill, nbconvert and jupytext and
about a second starting the notebook's kernel. Started first, the kernel boots on the
second core while the command imports the renderer, which saves about a second on every
report stage (``benchmarks/bench_pipeline.py`` prints the stages' times). This module imports
only the standard library at load, so importing it costs nothing.

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


def report_files(html_out: Path | str) -> tuple[Path, str]:
    """The folder beside a report for its tables and chart data, and its link from the page
    (``reports/clusters.html`` → ``reports/data/clusters``, ``data/clusters``)."""
    html_out = Path(html_out)
    return html_out.parent / "data" / html_out.stem, f"data/{html_out.stem}"


def kernel_env(html_out: Path | str) -> dict[str, str]:
    """The environment of the kernel that renders ``html_out``: this process's, plus where
    its tables and chart data go."""
    files, href = report_files(html_out)
    return {**os.environ, DIR_ENV: str(files.resolve()), HREF_ENV: href}


def start_kernel(html_out: Path | str, *, cwd: Path, kernel: str = KERNEL
                 ) -> KernelManager | None:
    """Start the kernel that will render ``html_out`` and return its manager, without waiting
    for it to be ready; ``None`` when it cannot start (the renderer then starts its own and
    reports the failure in its words). The caller shuts it down."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import NoSuchKernel

    manager = KernelManager(kernel_name=kernel)
    # the notebook client (nbclient, under papermill) talks to the kernel asynchronously
    manager.client_class = "jupyter_client.asynchronous.AsyncKernelClient"
    try:
        manager.start_kernel(cwd=str(cwd), env=kernel_env(html_out))
    except (NoSuchKernel, OSError):
        return None
    return manager
