"""What each DVC stage really runs: the import closure of its notebook, as stage deps.

A stage is stale when any module its notebook imports changes, directly or through the
library (``notebooks/evidence.py`` -> ``wmresearch.region.profile`` ->
``wmresearch.colocation.lq``). :func:`import_closure` follows ``import`` statements, including
those inside functions, through the source tree without importing anything, and adds the
``__init__.py`` of every package on the way (Python runs them) and the package data files
(``*.yaml``, ``*.css``, ``*.tpl``, ``*.j2``) of every package reached. :func:`stage_code_deps`
adds the command line that runs the notebook. ``wmresearch deps --write`` puts the result in
``dvc.yaml``; ``tests/test_stage_deps.py`` fails when ``dvc.yaml`` and the closure disagree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "wmresearch"
DATA_SUFFIXES = (".yaml", ".yml", ".css", ".tpl", ".j2", ".json")
#: What each stage's command runs besides its notebook: the command line (its top-level
#: imports only, since each command imports its own modules) and the command's module.
RUNNER = ["wmresearch.runner"]
COMMANDS = {"resolve": ["wmresearch.sources.acquire"], "site": ["wmresearch.runner"]}


def _module_file(src: Path, module: str) -> Path | None:
    base = src.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _imports(path: Path, *, top_level: bool = False) -> set[str]:
    """Every ``wmresearch`` module named by an import in ``path``: at any depth, or only at
    module level with ``top_level``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in (tree.body if top_level else ast.walk(tree)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from pkg import sub`` may name a submodule
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def import_closure(script: Path, src: Path, *, top_level: bool = False) -> set[Path]:
    """Source files (and package data) that running ``script`` can execute or read.

    Parameters
    ----------
    script
        A notebook script or module.
    src
        The folder holding the ``wmresearch`` package (``<repo>/src``).
    """
    seen: set[Path] = set()
    todo = [script]
    while todo:
        path = todo.pop()
        for name in _imports(path, top_level=top_level and path == script):
            for module in _with_parents(name):
                file = _module_file(src, module)
                if file is not None and file not in seen:
                    seen.add(file)
                    todo.append(file)
    data = {item for file in seen if file.name == "__init__.py"
            for item in file.parent.iterdir()
            if item.is_file() and item.suffix in DATA_SUFFIXES}
    return seen | data


def stage_code_deps(root: Path, scripts: Iterable[Path | str]) -> list[str]:
    """Sorted repo-relative paths of the code a stage runs: its scripts' closures plus the
    command line (``wmresearch.cli``, module-level imports) that executes them."""
    src = root / "src"
    cli = src / PACKAGE / "cli.py"
    files = import_closure(cli, src, top_level=True) | {cli}
    for script in scripts:
        script = root / script if not Path(script).is_absolute() else Path(script)
        files |= import_closure(script, src) | {script}
    return sorted(p.relative_to(root).as_posix() for p in files)


def module_script(root: Path, module: str) -> Path:
    """The file of a dotted module name under ``root/src``."""
    file = _module_file(root / "src", module)
    if file is None:
        raise KeyError(f"no module {module!r} under {root / 'src'}")
    return file


def expected_deps(root: Path, dvc: dict) -> dict[str, list[str]]:
    """For each stage of a parsed ``dvc.yaml``, the code deps it must list."""
    out: dict[str, list[str]] = {}
    for name, stage in dvc["stages"].items():
        body = stage.get("do", stage)
        scripts = [d for d in body.get("deps", []) if str(d).startswith("notebooks/")]
        scripts += [module_script(root, m).relative_to(root).as_posix()
                    for m in COMMANDS.get(name, RUNNER)]
        out[name] = stage_code_deps(root, scripts)
    return out


def code_deps(stage: dict) -> list[str]:
    """The deps of a ``dvc.yaml`` stage that are code (notebooks and ``src/``)."""
    body = stage.get("do", stage)
    return sorted(str(d) for d in body.get("deps", [])
                  if str(d).startswith(("src/", "notebooks/")))


def write_deps(root: Path) -> list[str]:
    """Rewrite the code deps of every stage in ``root/dvc.yaml``, keeping its comments and
    its data deps; return the names of the stages that changed."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 100
    path = root / "dvc.yaml"
    doc = yaml.load(path.read_text(encoding="utf-8"))
    changed = []
    for name, deps in expected_deps(root, doc).items():
        body = doc["stages"][name].get("do", doc["stages"][name])
        data = [d for d in body.get("deps", []) if not str(d).startswith(("src/", "notebooks/"))]
        notebooks = [d for d in body.get("deps", []) if str(d).startswith("notebooks/")]
        new = notebooks + [d for d in deps if not d.startswith("notebooks/")] + data
        if [str(d) for d in body.get("deps", [])] != new:
            body["deps"] = new
            changed.append(name)
    if changed:
        from io import StringIO

        buffer = StringIO()
        yaml.dump(doc, buffer)
        from wmresearch.files import write_text

        write_text(path, buffer.getvalue())
    return changed
