"""Work done on the machine's other core while a notebook goes on.

A report's kernel computes on one core, cell after cell, while the others wait. A notebook
with a slow step that a later section needs, and that does not depend on the cells in
between, can start it first with :func:`in_background` and collect it where its section
begins::

    outcome_job = in_background(dv.outcome_fits, tables, districts, lookup)
    ...                                   # the headline, its event study, the cohorts
    fits = outcome_job.result()           # section 4

On Linux the job runs in a copy of the kernel's process made when the job starts (the
``fork`` start method), so it starts at once, with every module the kernel has imported, and
imports only what the kernel has not (elsewhere, in a fresh process: ``spawn``). The function
and its arguments still travel pickled, as to any other process: ``fn`` must be importable (a
module's function) and its arguments picklable (frames, dicts, numbers), and the result is
the one the function would return in the notebook, the same on every run. What the job prints
goes to the kernel's terminal, not to the page. On a one-core machine it runs at once,
in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
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
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context(_start_method()),
            initializer=_terminal_streams)
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


__all__ = ["Background", "in_background"]
