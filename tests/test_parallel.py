"""The notebook helper that runs a slow step on the other core (wmresearch.parallel)."""

from __future__ import annotations

import io
import os
import sys

import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation.power import two_way_residuals
from wmresearch.parallel import in_background


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"unit": np.repeat(np.arange(12), 5), "t": np.tile(np.arange(5), 12)})
    return frame.assign(y=rng.normal(size=len(frame)))


def test_a_background_call_returns_what_the_call_returns_in_process():
    panel = _panel()
    job = in_background(two_way_residuals, panel, outcome="y", unit="unit", time="t")
    pd.testing.assert_series_equal(job.result(),
                                   two_way_residuals(panel, outcome="y", unit="unit", time="t"),
                                   check_exact=True)


def test_a_background_call_raises_its_own_error():
    job = in_background(two_way_residuals, _panel().iloc[0:0], outcome="y", unit="unit",
                        time="t")
    with pytest.raises(ValueError, match="no rows with a value of 'y'"):
        job.result()


def test_on_one_core_the_call_runs_at_once_in_process(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    calls = []
    job = in_background(calls.append, "ran")
    assert calls == ["ran"]  # a process would have appended to its own copy
    assert job.result() is None


def test_a_job_prints_to_the_terminal_not_through_the_kernels_stream(monkeypatch):
    """A kernel's sys.stdout forwards to the page through a thread of the kernel's process;
    a job started as a copy of that process must not write through it."""
    parent = os.getpid()

    class KernelStream(io.StringIO):
        def write(self, text: str) -> int:
            if os.getpid() != parent:
                raise RuntimeError("the kernel's stream, written from another process")
            return super().write(text)

    monkeypatch.setattr(sys, "stdout", KernelStream())
    assert in_background(print, "from the job").result() is None


def test_a_started_worker_runs_the_jobs_one_after_another_in_one_process(monkeypatch):
    """After start_worker (a report kernel's boot), jobs queue on that one process, which
    has imported what it was given; results are what the calls return in process."""
    from wmresearch import parallel

    monkeypatch.setattr(parallel, "_worker", None)
    parallel.start_worker(["json", "no_such_module_anywhere"])  # a failed import is skipped
    try:
        panel = _panel()
        first = in_background(os.getpid)
        residuals = in_background(two_way_residuals, panel, outcome="y", unit="unit",
                                  time="t")
        second = in_background(os.getpid)
        assert first.result() == second.result() != os.getpid()
        pd.testing.assert_series_equal(
            residuals.result(),
            two_way_residuals(panel, outcome="y", unit="unit", time="t"), check_exact=True)
    finally:
        parallel._worker.shutdown(wait=True)


def test_a_report_kernel_starts_a_worker_only_for_a_notebook_with_background_jobs():
    from wmresearch.reporting.kernel import BACKGROUND_IMPORTS, worker_imports

    assert worker_imports("import pandas as pd\nfrom wmresearch.reporting import say") == []
    modules = worker_imports("import pandas as pd\nfrom wmresearch.parallel import "
                             "in_background\nfrom wmresearch.reporting import say")
    assert modules[:3] == ["pandas", "wmresearch.parallel", "wmresearch.parallel.in_background"]
    assert modules[3:] == list(BACKGROUND_IMPORTS)  # display modules left out
