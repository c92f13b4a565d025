"""The ``wmresearch`` command line: what ``dvc.yaml`` calls, and tools for analysts.

Examples
--------
    wmresearch fetch                 # resolve every dataset, write data/raw/manifest.json
    wmresearch sources               # where each dataset was found, checksum state
    wmresearch run notebooks/evidence.py reports/evidence.html --stage evidence
    wmresearch site                  # rebuild reports/index.html
    wmresearch deps                  # check every stage depends on its code fingerprint
    wmresearch notebook new skills_demand   # a new analysis: notebook, stage and index card
"""

from __future__ import annotations

import sys
from importlib.metadata import version as _version
from pathlib import Path
from typing import Annotated

import typer
import yaml

from wmresearch.config import Project, SettingsError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Reproducible evidence, co-location and evaluation for UK combined authorities.",
    epilog="Examples: `wmresearch fetch` (find every dataset), `wmresearch sources`, "
           "`wmresearch render region -p region=E47000001`, `wmresearch validate`, "
           "`wmresearch open`, `wmresearch notebook new skills_demand`. Each command's --help "
           "shows its own example.")

notebook_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None,
    help="Your own analysis as a notebook of the pipeline.",
    epilog="Example: `wmresearch notebook new skills_demand --title \"Skills demand\"`.")
app.add_typer(notebook_app, name="notebook")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"wmresearch: error: {message}", err=True)
    raise typer.Exit(code)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"wmresearch {_version('wmresearch')}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version_callback, is_eager=True,
        help="Print the version and exit.")] = False) -> None:
    """Reproducible evidence, co-location and evaluation for UK combined authorities."""


def _overrides(pairs: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            _fail(f"--param expects KEY=VALUE, got {pair!r}")
        out[key] = yaml.safe_load(value)
    return out


@app.command()
def run(script: Annotated[Path, typer.Argument(help="Notebook script, e.g. notebooks/x.py")],
        html: Annotated[Path, typer.Argument(help="HTML report to write")],
        stage: Annotated[str | None, typer.Option(
            help="params.yaml section passed to the notebook (with `global`)")] = None,
        title: Annotated[str | None, typer.Option(help="Report title")] = None,
        param: Annotated[list[str] | None, typer.Option(
            "--param", "-p", help="Extra notebook parameter KEY=VALUE (YAML); repeatable")
        ] = None) -> None:
    """Execute a stage notebook and render its code-free HTML report (as dvc.yaml does).

    Example: wmresearch run notebooks/clusters.py reports/clusters.html --stage clusters
    """
    project = Project.here()
    if not script.is_file():
        _fail(f"notebook script {script} not found (run from the project root?)")
    if stage is not None and stage not in project.params and stage not in _stages(project):
        _fail(f"--stage {stage!r} is neither a section of params.yaml nor a stage of "
              f"dvc.yaml: known {', '.join(sorted(project.params))}")
    params = project.stage_params(stage) if stage else {}
    params.update(_overrides(param or []))

    from wmresearch.reporting.kernel import notebook_imports, start_kernel

    # the kernel boots, and imports the notebook's modules, on the other core while the
    # renderer's imports load
    kernel = start_kernel(html, cwd=project.root, imports=notebook_imports(script))
    try:
        from wmresearch.runner import StageFailed, run_report

        try:
            out = run_report(project, script, html, params, stage=stage, title=title,
                             kernel_manager=kernel)
        except StageFailed as exc:
            typer.echo(f"wmresearch: {exc}", err=True)
            raise typer.Exit(1) from None
    finally:
        if kernel is not None:
            kernel.shutdown_kernel(now=True)
    typer.echo(f"wmresearch: wrote {out}")


def _manifest(project: Project) -> dict | None:
    from wmresearch.runner import manifest_or_none

    return manifest_or_none(project)


def _stages(project: Project) -> dict:
    from wmresearch.config import load_yaml

    return load_yaml(project.root / "dvc.yaml").get("stages", {})


@app.command()
def fetch(dataset: Annotated[str | None, typer.Argument(
        help="One dataset id (default: all)")] = None) -> None:
    """Resolve datasets from data/raw/, the mirror or the publisher; write the manifest.

    Example: wmresearch fetch imd2019
    """
    from wmresearch.pipeline import acquire_all, manifest_summary
    from wmresearch.sources import get_dataset

    try:
        if dataset is not None:
            get_dataset(dataset)
        manifest = acquire_all(Project.here())
    except (KeyError, SettingsError) as exc:
        _fail(str(exc).strip("'\""))
    for line in manifest_summary(manifest, [dataset] if dataset else None):
        typer.echo(line)


@app.command()
def sources() -> None:
    """List every dataset, where it was found and whether its checksum matched.

    Example: wmresearch sources
    """
    manifest = _manifest(Project.here())
    if manifest is None:
        _fail("no data/raw/manifest.json yet: run `wmresearch fetch` or `dvc repro`")
    for key, entry in manifest["datasets"].items():
        where = ", ".join(sorted({f["source"] for f in entry["files"]}))
        checked = "verified" if all(f["verified"] for f in entry["files"]) else "NOT verified"
        typer.echo(f"{key:32} {entry['status']:8} {where:16} {checked}")


@app.command()
def site() -> None:
    """Rebuild reports/index.html from the recorded state of every report.

    Example: wmresearch site
    """
    from wmresearch.runner import rebuild_index

    out = rebuild_index(Project.here())
    typer.echo(f"wmresearch: wrote {out}")


@app.command()
def validate(file: Annotated[Path | None, typer.Argument(
        help="A Parquet or CSV file to check (default: every processed table)")] = None,
        table: Annotated[str | None, typer.Option(
            help="Which table's schema to apply to FILE (default: the file's stem)")] = None,
        ) -> None:
    """Check processed tables (or your own file) against the evidence schemas.

    Example: wmresearch validate my_bres_extract.csv --table bres_itl2_sic2
    """
    import pandas as pd
    import pandera.errors

    from wmresearch.evidence.build import TABLES
    from wmresearch.evidence.dictionary import table_schema

    schemas = {t.name: t for t in TABLES}
    paths = Project.here().paths
    if file is None:
        targets = [(p, p.stem) for p in sorted(paths.evidence.glob("*.parquet"))]
        if not targets:
            _fail(f"no processed tables in {paths.evidence}: run `dvc repro evidence`")
    else:
        if not file.is_file():
            _fail(f"{file} not found")
        targets = [(file, table or file.name.split(".")[0])]
    failed = 0
    for path, name in targets:
        if name not in schemas:
            _fail(f"{name!r} is not an evidence table: known {', '.join(sorted(schemas))}")
        if path.suffix == ".parquet":
            import geopandas as gpd

            frame = gpd.read_parquet(path) if name.endswith("_boundaries") else \
                pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype_backend="pyarrow")
        try:
            table_schema(schemas[name]).validate(frame, lazy=True)
            typer.echo(f"{path.name}: valid {name} ({len(frame):,} rows)")
        except pandera.errors.SchemaErrors as exc:
            failed += 1
            cases = exc.failure_cases.head(5)
            typer.echo(f"{path.name}: INVALID as {name}: {len(exc.failure_cases)} problem(s); "
                       "first: " + "; ".join(
                           f"column {c!r} row {i}: {chk}" for c, i, chk in zip(
                               cases["column"], cases["index"], cases["check"], strict=True)),
                       err=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def render(notebook: Annotated[str, typer.Argument(
        help="A notebook under notebooks/ (name or path), e.g. region")],
           param: Annotated[list[str] | None, typer.Option(
               "--param", "-p", help="Parameter override KEY=VALUE (YAML); repeatable")
           ] = None) -> None:
    """Run one notebook with its params.yaml section and overrides, into reports/.

    Example: wmresearch render region -p region=E47000001
    """
    project = Project.here()
    script = Path(notebook) if notebook.endswith(".py") else \
        project.paths.notebooks / f"{notebook}.py"
    stage = script.stem if script.stem in project.params else None
    run(script, project.paths.reports / f"{script.stem}.html", stage=stage, title=None,
        param=param)


@app.command("open")
def open_index() -> None:
    """Open reports/index.html in the default browser.

    Example: wmresearch open
    """
    import webbrowser

    index = Project.here().paths.reports / "index.html"
    if not index.is_file():
        _fail(f"{index} does not exist yet: run `dvc repro`")
    webbrowser.open(index.resolve().as_uri())


@app.command()
def resolve() -> None:
    """Find every dataset and write each stage's code fingerprint (the resolve stage).

    Example: wmresearch resolve
    """
    from wmresearch.pipeline import resolve_stage

    try:
        lines = resolve_stage(Project.here())
    except (KeyError, SettingsError) as exc:
        _fail(str(exc).strip("'\""))
    for line in lines:
        typer.echo(line)


@app.command()
def deps(write: Annotated[bool, typer.Option(
        "--write", help="Rewrite the code fingerprints instead of only checking them")
        ] = False) -> None:
    """Check that every stage depends on its code fingerprint and that the fingerprints
    match the code (each stage's whole import closure).

    Example: wmresearch deps --write
    """
    from wmresearch.pipeline import missing_fingerprint_deps, write_fingerprints

    root = Project.here().root
    problems = missing_fingerprint_deps(
        yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8")))
    for name, why in problems.items():
        typer.echo(f"{name}: {why}", err=True)
    changed = write_fingerprints(root) if write else []
    typer.echo(f"fingerprints rewritten: {', '.join(changed) or 'none'}" if write else
               "every stage depends on its code fingerprint" if not problems else "")
    if problems:
        raise typer.Exit(1)


@notebook_app.command("new")
def notebook_new(name: Annotated[str, typer.Argument(
        metavar="NAME", help="The notebook's name: lower-case letters, digits and underscores")],
                 title: Annotated[str | None, typer.Option(
                     help="The report's title (default: NAME in words)")] = None) -> None:
    """Scaffold notebooks/NAME.py with its dvc.yaml stage and its card on the index.

    The notebook (a jupytext script paired with NAME.ipynb) has a parameters cell, the house
    imports and a first cell that loads a table, computes a statistic and shows it with a
    sentence. Its stage in dvc.yaml depends on the notebook, its code fingerprint and the
    evidence base; the index lists the report until `dvc repro NAME` builds it.

    Example:

    \b
        wmresearch notebook new skills_demand --title "Skills demand"
        jupyter lab notebooks/skills_demand.ipynb   # edit it, run it top to bottom
        dvc repro skills_demand                     # build its report
    """
    from wmresearch.scaffold import ScaffoldError, new_notebook

    try:
        made = new_notebook(Project.here().root, name, title=title)
    except ScaffoldError as exc:
        _fail(str(exc))
    typer.echo(f"wmresearch: wrote {made.notebook} (paired with {made.paired}), stage "
               f"{made.stage!r} in dvc.yaml (code fingerprint {made.fingerprint}) and its "
               f"card on reports/index.html; build it with `dvc repro {made.stage}`")


def main(argv: list[str] | None = None) -> int:
    """The command line (``wmresearch``, after :func:`wmresearch.entry.main`); returns the
    exit code."""
    try:
        code = app(args=argv, prog_name="wmresearch", standalone_mode=False)
        if isinstance(code, int):
            return code
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # click usage errors
        return int(exc.code or 0)
    except Exception as exc:  # click.UsageError and friends: one line, not a traceback
        from click import ClickException

        if isinstance(exc, ClickException):
            exc.show(file=sys.stderr)
            return exc.exit_code
        raise
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
