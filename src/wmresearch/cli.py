"""Command line: ``wmresearch run`` executes a stage notebook (what dvc.yaml calls)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from wmresearch.config import Project


def _parse_overrides(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--param expects KEY=VALUE, got {pair!r}")
        out[key] = yaml.safe_load(value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wmresearch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute a stage notebook and render its HTML report")
    run.add_argument("script", type=Path, help="jupytext percent script, e.g. notebooks/x.py")
    run.add_argument("html", type=Path, help="HTML report to write")
    run.add_argument("--stage", help="params.yaml section passed as notebook parameters")
    run.add_argument("--title", help="report title (default: the notebook's first heading)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                     help="extra notebook parameter (YAML value); repeatable")
    args = parser.parse_args(argv)

    from wmresearch.reporting.render import NotebookFailed, run_stage

    project = Project.here()
    params = project.stage_params(args.stage) if args.stage else {}
    params.update(_parse_overrides(args.param))
    try:
        out = run_stage(args.script, args.html, params, root=project.root, title=args.title)
    except NotebookFailed as exc:
        print(f"wmresearch: stage failed: {exc}", file=sys.stderr)
        return 1
    print(f"wmresearch: wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
