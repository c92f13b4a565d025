"""Work done on the machine's other core while a notebook goes on.

A report's kernel computes on one core, cell after cell, while the others wait. A notebook
with a slow step that a later section needs, and that does not depend on the cells in
between, can start it first with :func:`in_background` and collect it where its section
begins::

    outcome_job = in_background(dv.outcome_fits, tables, districts, lookup)
    ...                                   # the headline, its event study, the cohorts
    fits = outcome_job.result()           # section 4

Jobs run in another process: the kernel's background worker when one was started
(:func:`start_worker`; ``wmresearch run`` starts it as the report's kernel boots, with the
estimator libraries already imported there), one job after another in the order they were
started; otherwise each job in a process of its own, all at once. On Linux a process is a
copy of the kernel's made when it starts (the ``fork`` start method), with every module the
kernel had imported; elsewhere a fresh one (``spawn``). The function and its arguments travel
pickled, as to any other process: ``fn`` must be importable (a module's function) and its
arguments picklable (frames, dicts, numbers), and the result is the one the function would
return in the notebook, the same on every run. What a job prints goes to the kernel's
terminal, not to the page. On a one-core machine a job runs at once, in-process.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _start_method() -> str:
    # fork is Linux's default and is safe here: the child only computes and pickles its
    # result back. macOS and Windows default to spawn for good reasons, kept.
    return "fork" if sys.platform == "linux" else "spawn"


def _terminal_streams() -> None:
    """In the job's process: print to the process's own terminal streams. A kernel's
    ``sys.stdout`` sends to the page through a thread that a forked copy does not have."""
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__


def _one_process() -> ProcessPoolExecutor:
    """A pool of one process, started as described above (fork on Linux, terminal streams)."""
    return ProcessPoolExecutor(max_workers=1,
                               mp_context=multiprocessing.get_context(_start_method()),
                               initializer=_terminal_streams)


#: This process's background worker, once :func:`start_worker` has started it.
_worker: ProcessPoolExecutor | None = None


def _import_quietly(modules: Sequence[str]) -> None:
    """In the worker: import ``modules``, skipping any that fail (a job that needs one then
    raises its own error)."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the job that needs it reports it, in its own words
            continue


def start_worker(imports: Sequence[str] = ()) -> None:
    """Start this process's background worker now and import ``imports`` in it.

    Every later :func:`in_background` job runs there, in order. Started while a report's
    kernel boots, the worker loads slow estimator libraries (scipy.stats, statsmodels, csdid)
    on the other core while the kernel loads the notebook's own modules, so the first job
    does not wait for them. Does nothing on a one-core machine or when already started.
    """
    global _worker
    if _worker is not None or (os.cpu_count() or 1) < 2:
        return
    _worker = _one_process()
    _worker.submit(_import_quietly, tuple(imports))


class Background(Generic[T]):
    """A call running in another process; :meth:`result` waits for it and returns it."""

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if (os.cpu_count() or 1) < 2:
            self._future: Future[T] = Future()
            try:
                self._future.set_result(fn(*args, **kwargs))
            except Exception as exc:  # raised by result(), as from a process
                self._future.set_exception(exc)
            return
        if _worker is not None:
            self._future = _worker.submit(fn, *args, **kwargs)
            return
        self._pool = _one_process()
        self._future = self._pool.submit(fn, *args, **kwargs)

    def result(self) -> T:
        """The call's return value (its exception, if it raised), once it has finished."""
        try:
            return self._future.result()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


def in_background(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Background[T]:
    """Start ``fn(*args, **kwargs)`` in another process and return at once.

    Parameters
    ----------
    fn
        An importable function (defined in a module, not in the notebook).
    *args, **kwargs
        Its arguments; they are pickled to the other process.

    Returns
    -------
    Background
        ``.result()`` waits for the call and returns its value or raises its exception.
    """
    return Background(fn, args, kwargs)


__all__ = ["Background", "in_background", "start_worker"]
