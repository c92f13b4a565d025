"""What each DVC stage really runs: the import closure of its notebook, as a fingerprint.

A stage is stale when any module its notebook imports changes, directly or through the
library (``notebooks/evidence.py`` -> ``wmresearch.region.profile`` ->
``wmresearch.colocation.lq``). :func:`import_closure` follows ``import`` statements, including
those inside functions, through the source tree without importing anything, and adds the
``__init__.py`` of every package on the way (Python runs them) and the package data files
(``*.yaml``, ``*.css``, ``*.tpl``, ``*.j2``) of every package reached. :func:`stage_code_deps`
adds the command line that runs the notebook. :func:`write_fingerprints` (run by the
``resolve`` stage) writes each stage's closure with its checksums to the file the stage
depends on; ``tests/test_stage_deps.py`` checks every stage depends on its fingerprint.

Packages export their public names lazily (:mod:`wmresearch.lazy`): importing
``wmresearch.colocation`` runs no submodule, and ``from wmresearch.colocation import
k_density`` or ``co.k_density`` (after ``import wmresearch.colocation as co``) runs
``kdensity.py`` only. The closure follows both forms through the package's ``_EXPORTS``
literal, so a stage depends on the modules of the names it uses and on no other.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wmresearch.config import Project

PACKAGE = "wmresearch"
DATA_SUFFIXES = (".yaml", ".yml", ".css", ".tpl", ".j2", ".json")
#: What each stage's command runs besides its notebook: the command line (its top-level
#: imports only, since each command imports its own modules) and the command's module.
RUNNER = ["wmresearch.runner"]
COMMANDS = {"resolve": ["wmresearch.sources.acquire"], "site": ["wmresearch.runner"]}


@functools.cache
def _module_file(src: Path, module: str) -> Path | None:
    base = src.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


#: Bumped whenever :func:`_imports` finds names differently, so cached entries are re-parsed.
PARSER_VERSION = "2"
#: Imports found per (file, content hash, top level): parsing is the slow part of the
#: resolve stage, so :func:`write_fingerprints` keeps this in ``data/interim/code``.
_PARSED: dict[str, list[str]] = {}


@functools.cache
def _imports(path: Path, *, top_level: bool = False) -> frozenset[str]:
    """Every ``wmresearch`` module named by an import in ``path``: at any depth, or only at
    module level with ``top_level``."""
    source = path.read_bytes()
    key = f"{path}|{top_level}|{hashlib.sha256(source).hexdigest()}|{PARSER_VERSION}"
    if key in _PARSED:
        return frozenset(_PARSED[key])
    tree = ast.parse(source, filename=str(path))
    found: set[str] = set()
    bound: dict[str, str] = {}  # local name -> the module or public name it is bound to
    for node in (tree.body if top_level else ast.walk(tree)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
            bound |= {alias.asname or alias.name.split(".")[0]:
                      alias.name if alias.asname else alias.name.split(".")[0]
                      for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from pkg import sub`` may name a submodule or a lazy public name
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
            bound |= {alias.asname or alias.name: f"{node.module}.{alias.name}"
                      for alias in node.names if alias.name != "*"}
    if not top_level:
        # ``co.k_density`` after ``import wmresearch.colocation as co``: a lazy public name
        found |= {name for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                  for name in [_dotted(node, bound)] if name}
    modules = frozenset(name for name in found
                        if name == PACKAGE or name.startswith(PACKAGE + "."))
    _PARSED[key] = sorted(modules)
    return modules


def _dotted(node: ast.Attribute, bound: dict[str, str]) -> str | None:
    """``a.b.c`` as the dotted name it reaches when ``a`` is bound by an import."""
    parts = [node.attr]
    while isinstance(node.value, ast.Attribute):
        node = node.value
        parts.append(node.attr)
    if not isinstance(node.value, ast.Name) or node.value.id not in bound:
        return None
    return ".".join([bound[node.value.id], *reversed(parts)])


@functools.cache
def lazy_exports(init: Path) -> dict[str, str]:
    """A package's lazy public names (its ``_EXPORTS`` literal), name -> submodule (relative),
    read without importing the package."""
    tree = ast.parse(init.read_bytes(), filename=str(init))
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 \
            else node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and target.id == "_EXPORTS" and node.value is not None:
            return dict(ast.literal_eval(node.value))
    return {}


@functools.cache
def _files_of(src: Path, name: str) -> tuple[Path, ...]:
    """The file of ``name`` and of each package above it; a lazy public name
    (``wmresearch.colocation.k_density``) gives the submodule that defines it (cached: one
    resolve run asks for the same names thousands of times)."""
    files = []
    for module in _with_parents(name):
        file = _module_file(src, module)
        if file is None:
            package, _, attr = module.rpartition(".")
            init = _module_file(src, package)
            exports = lazy_exports(init) if init and init.name == "__init__.py" else {}
            targets = exports.values() if attr == "*" else [exports.get(attr)]
            files += [f for t in targets if t
                      for f in [_module_file(src, f"{package}.{t}")] if f is not None]
            break  # an attribute of a module, not a module: nothing below it to find
        files.append(file)
    return tuple(files)


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
            for file in _files_of(src, name):
                if file not in seen:
                    seen.add(file)
                    todo.append(file)
    data = {item for file in seen if file.name == "__init__.py"
            for item in file.parent.iterdir()
            if item.is_file() and item.suffix in DATA_SUFFIXES}
    return seen | data


def stage_code_deps(root: Path, scripts: Iterable[Path | str]) -> list[str]:
    """Sorted repo-relative paths of the code a stage runs: its scripts' closures plus the
    command (``wmresearch.entry`` and ``wmresearch.cli``, module-level imports) that executes
    them."""
    src = root / "src"
    files: set[Path] = set()
    for command in ("entry.py", "cli.py"):
        file = src / PACKAGE / command
        files |= import_closure(file, src, top_level=True) | {file}
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


FINGERPRINTS = Path("data") / "interim" / "code"


def fingerprint_path(stage: str) -> str:
    """The code fingerprint a stage depends on (``data/interim/code/<stage>.txt``)."""
    return (FINGERPRINTS / f"{stage}.txt").as_posix()


def expected_deps(root: Path, dvc: dict) -> dict[str, list[str]]:
    """For each stage of a parsed ``dvc.yaml``, the code it runs (its import closure)."""
    out: dict[str, list[str]] = {}
    for name, stage in dvc["stages"].items():
        body = stage.get("do", stage)
        scripts = [d for d in body.get("deps", []) if str(d).startswith("notebooks/")]
        scripts += [module_script(root, m).relative_to(root).as_posix()
                    for m in COMMANDS.get(name, RUNNER)]
        out[name] = stage_code_deps(root, scripts)
    return out


def fingerprint(root: Path, files: list[str]) -> str:
    """``<sha256>  <path>`` per file, sorted: changes exactly when one of the files does."""
    return "".join(f"{hashlib.sha256((root / f).read_bytes()).hexdigest()}  {f}\n"
                   for f in sorted(files))


def write_fingerprints(root: Path) -> list[str]:
    """Write each stage's code fingerprint, rewriting only those whose code changed.

    Each stage of ``dvc.yaml`` depends on ``data/interim/code/<stage>.txt``, the SHA-256 of
    every file in its import closure, written by the always-run ``resolve`` stage. A stage is
    therefore stale exactly when a module it runs changes, while ``dvc.yaml`` and
    ``dvc.lock`` stay small enough for a no-op ``dvc repro`` to take about a second (listing
    every module as a dep made DVC parse 3,600 lines of YAML per run).

    Returns
    -------
    list of str
        The stages whose fingerprint changed.
    """
    from wmresearch.config import load_registry, load_yaml
    from wmresearch.files import write_text

    cache = root / FINGERPRINTS / ".imports.json"
    if cache.is_file():
        _PARSED.update(json.loads(cache.read_text(encoding="utf-8")))
    dvc = load_yaml(root / "dvc.yaml")
    texts = {fingerprint_path(name): fingerprint(root, files)
             for name, files in expected_deps(root, dvc).items()}
    # each programme's registry entry (and mayoral devolution's), so that its stage reruns
    # exactly when its entry changes without DVC copying the entry into dvc.lock, which DVC
    # parses and rewrites after every stage
    registry = load_registry(root)
    entries = dict(registry.get("programmes") or {})
    if registry.get("mayoral_devolution"):
        entries["mayoral_devolution"] = registry["mayoral_devolution"]
    for key, entry in entries.items():
        texts[programme_path(key)] = json.dumps(entry, sort_keys=True, indent=1,
                                                default=str) + "\n"
    changed = []
    for rel, text in texts.items():
        target = root / rel
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_text(target, text)
            changed.append(Path(rel).stem)
    # paths are the project's own, so keep only entries of files that still exist
    write_text(cache, json.dumps({k: v for k, v in _PARSED.items()
                                  if Path(k.split("|")[0]).is_file()
                                  and k.endswith(f"|{PARSER_VERSION}")}, sort_keys=True))
    return changed


def programme_path(key: str) -> str:
    """The registry entry of a programme, as the file its stage reads (``evaluate@<key>``;
    ``devolution`` for ``mayoral_devolution``)."""
    return (FINGERPRINTS / f"programme-{key}.json").as_posix()


def missing_fingerprint_deps(dvc: dict) -> dict[str, str]:
    """Stages of a parsed ``dvc.yaml`` that do not depend on their fingerprint (or their
    notebook), with what is missing."""
    problems = {}
    for name, stage in dvc["stages"].items():
        body = stage.get("do", stage)
        deps = [str(d) for d in body.get("deps", [])]
        if name in COMMANDS and name != "site":
            continue  # the resolve stage writes the fingerprints and always runs
        if fingerprint_path(name) not in deps:
            problems[name] = f"missing dep {fingerprint_path(name)}"
        elif "wmresearch run" in body.get("cmd", "") and not any(
                d.startswith("notebooks/") for d in deps):
            problems[name] = "missing its notebook as a dep"
    return problems


def acquire_all(project: Project) -> dict[str, Any]:
    """Resolve every dataset (``data/raw``, the mirror, the publisher) with the project's
    ``acquire`` settings of ``params.yaml`` and write the manifest; returns it
    (:func:`wmresearch.sources.acquire`)."""
    from wmresearch.sources import acquire
    from wmresearch.sources.registry import DATASETS

    settings = project.params.get("acquire", {}) or {}
    return acquire(project.paths.ensure(), DATASETS,
                   verify=settings.get("verify_checksums", True),
                   timeout=settings.get("download_timeout", 60),
                   retries=settings.get("download_retries", 3))


def manifest_summary(manifest: dict[str, Any], shown: list[str] | None = None) -> list[str]:
    """The lines that report a manifest: each dataset's status (or those ``shown``), then
    the mode, the missing datasets and the count of unverified files."""
    lines = [f"{key}: {manifest['datasets'][key]['status']}"
             for key in (shown or list(manifest["datasets"]))]
    return [*lines, f"mode: {manifest['mode']}; missing: "
                    f"{', '.join(manifest['missing']) or 'none'}; unverified files: "
                    f"{len(manifest['unverified'])}"]


def resolve_stage(project: Project) -> list[str]:
    """What the always-run ``resolve`` stage does: :func:`acquire_all`, then
    :func:`write_fingerprints`; returns the lines it reports."""
    lines = manifest_summary(acquire_all(project))
    changed = write_fingerprints(project.root)
    return [*lines, f"code fingerprints changed: {', '.join(changed) or 'none'}"]
