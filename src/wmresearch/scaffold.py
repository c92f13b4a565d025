"""A new analysis in one command: ``wmresearch notebook new NAME``.

It writes ``notebooks/NAME.py`` (a jupytext percent script, paired with ``NAME.ipynb`` by
``jupytext.toml``) from ``templates/notebook.py.j2``: a parameters cell, the house imports and
a first load-compute-show cell (employment location quotients for the area, through
:func:`wmresearch.evidence.load`, :func:`wmresearch.colocation.location_quotients`,
``show_table`` and ``say``). It then adds the ``NAME`` stage to ``dvc.yaml`` (its notebook,
its code fingerprint ``data/interim/code/NAME.txt``, the evidence base, the ``global``
parameters, its report and metrics) and the report to the ``site`` stage's deps, writes the
fingerprint, and puts the report's card on ``reports/index.html`` (marked not built until
``dvc repro NAME`` runs it). Nothing is overwritten: an existing notebook or stage is an
error.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template

import yaml

from wmresearch.config import Project, load_yaml
from wmresearch.files import write_text
from wmresearch.pipeline import fingerprint_path, write_fingerprints

TEMPLATE = Path(__file__).parent / "templates" / "notebook.py.j2"
NAME = re.compile(r"[a-z][a-z0-9_]{1,40}")


class ScaffoldError(ValueError):
    """A name that cannot become a new notebook and stage; the message says why."""


@dataclass(frozen=True)
class Scaffolded:
    """What :func:`new_notebook` wrote (paths relative to the project root)."""

    notebook: str
    paired: str
    stage: str
    fingerprint: str
    report: str


def stage_block(name: str, title: str) -> str:
    """The ``dvc.yaml`` entry of a scaffolded notebook's stage (two-space indented)."""
    quoted = title.replace('"', "'")
    return (f"  {name}:\n"
            f"    cmd: >-\n"
            f"      wmresearch run notebooks/{name}.py reports/{name}.html --stage {name}\n"
            f'      --title "{quoted}"\n'
            f"    deps:\n"
            f"    - notebooks/{name}.py\n"
            f"    - {fingerprint_path(name)}\n"
            f"    - data/raw/manifest.json\n"
            f"    - data/processed/evidence\n"
            f"    params:\n"
            f"    - global\n"
            f"    outs:\n"
            f"    - reports/{name}.html:\n"
            f"        cache: false\n"
            f"    - metrics/{name}.json:\n"
            f"        cache: false\n"
            f"    metrics:\n"
            f"    - metrics/headline/{name}.json:\n"
            f"        cache: false\n\n")


def add_stage(text: str, name: str, title: str) -> str:
    """``dvc.yaml`` text with the stage inserted before ``site`` and its report added to the
    ``site`` stage's deps (comments and layout of the rest kept as they are)."""
    lines = text.splitlines(keepends=True)
    try:
        site = lines.index("  site:\n")
    except ValueError:
        return text.rstrip("\n") + "\n\n" + stage_block(name, title)
    end = next((i for i in range(site + 1, len(lines))
                if lines[i].strip() and not lines[i].startswith("   ")), len(lines))
    if "    deps:\n" in lines[site:end]:
        last = site + lines[site:end].index("    deps:\n")
        while last + 1 < end and lines[last + 1].startswith("    - "):
            last += 1
        lines.insert(last + 1, f"    - reports/{name}.html\n")
    # the comment lines just above `site:` belong to it
    start = site
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    lines.insert(start, stage_block(name, title))
    return "".join(lines)


def new_notebook(root: Path, name: str, *, title: str | None = None) -> Scaffolded:
    """Scaffold notebook ``name`` with its stage, fingerprint and index card.

    Parameters
    ----------
    root
        The project root (holding ``dvc.yaml`` and ``params.yaml``).
    name
        Lower-case letters, digits and underscores, starting with a letter: the notebook's
        file name, its stage and its report (``reports/<name>.html``).
    title
        The report's title (default: ``name`` in words).

    Raises
    ------
    ScaffoldError
        A malformed name, or a notebook or stage of that name that already exists.
    """
    if not NAME.fullmatch(name):
        raise ScaffoldError(f"{name!r} is not a notebook name: use 2-41 lower-case letters, "
                            "digits and underscores, starting with a letter (e.g. "
                            "skills_demand)")
    script = root / "notebooks" / f"{name}.py"
    dvc_file = root / "dvc.yaml"
    stages = load_yaml(dvc_file).get("stages", {})
    if script.exists():
        raise ScaffoldError(f"notebooks/{name}.py already exists: choose another name")
    if name in stages or name in load_yaml(root / "params.yaml"):
        raise ScaffoldError(f"{name!r} is already a stage or params.yaml section: choose "
                            "another name")
    title = title or name.replace("_", " ").capitalize()
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(name=name, title=title)
    dvc_text = add_stage(dvc_file.read_text(encoding="utf-8"), name, title)
    added = yaml.safe_load(dvc_text)["stages"]
    if name not in added or f"reports/{name}.html" not in added.get("site", {}).get(
            "deps", [f"reports/{name}.html"]):
        raise ScaffoldError(f"could not add stage {name!r} to {dvc_file}: add it by hand")
    write_text(script, text)
    # the project's jupytext.toml pairs the two and keeps only the kernelspec in the script
    subprocess.run([str(Path(sys.executable).parent / "jupytext"), "--sync", "--quiet",
                    str(script)], cwd=root, check=True, capture_output=True)
    write_text(dvc_file, dvc_text)
    write_fingerprints(root)

    from wmresearch.reporting.site import record_status
    from wmresearch.runner import rebuild_index

    record_status(root, f"{name}.html", status="missing", title=title)
    rebuild_index(Project(root))
    return Scaffolded(notebook=f"notebooks/{name}.py", paired=f"notebooks/{name}.ipynb",
                      stage=name, fingerprint=fingerprint_path(name),
                      report=f"reports/{name}.html")
