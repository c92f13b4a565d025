"""The ``wmresearch`` command's entry point: what DVC runs on every ``dvc repro`` starts
here, before the command-line framework is imported.

DVC runs ``wmresearch resolve`` on every ``dvc repro`` (the always-run stage) and
``wmresearch run`` for every stale report stage. The command line (:mod:`wmresearch.cli`,
typer, and the pydantic that typer imports to parse any argument) takes about 0.2 s to import
and parse: a tenth of a no-op ``dvc repro``. So a report stage is first offered to the warm
server (:mod:`wmresearch.warm`), and ``resolve`` without options runs directly
(:func:`wmresearch.pipeline.resolve_stage`, the function :func:`wmresearch.cli.resolve`
calls, with the same output and errors). Everything else goes to :mod:`wmresearch.cli`.
"""

from __future__ import annotations

import sys


def _resolve() -> int:
    from wmresearch.config import Project, SettingsError
    from wmresearch.pipeline import resolve_stage

    try:
        lines = resolve_stage(Project.here())
    except (KeyError, SettingsError) as exc:
        message = str(exc).strip("'\"")  # a KeyError's message comes quoted
        print(f"wmresearch: error: {message}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def main() -> int:
    """The ``wmresearch`` command; returns its exit code."""
    from wmresearch.warm import run_warm

    served = run_warm(sys.argv)
    if served is not None:
        return served
    if sys.argv[1:] == ["resolve"]:
        return _resolve()
    from wmresearch.cli import main as cli_main

    return cli_main()


__all__ = ["main"]
