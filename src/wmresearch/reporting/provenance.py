"""Where every number in a report came from: the provenance footer, and the page furniture
(table of contents, figure and table numbers) added after rendering.

The footer names the git commit (and says so when the working tree had changes not yet
committed), the parameters the report used and every dataset with its publisher, in words;
a collapsed block for analysts adds the parameter names, a hash of the parameters and each
file with its SHA-256 (from the manifest). It also gives the versions of the packages
that computed the page and a build date taken from ``SOURCE_DATE_EPOCH`` or the commit time,
never the wall clock, so two runs on the same inputs give byte-identical pages. It never
shows a machine path or a secret.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGES = ("wmresearch", "pandas", "numpy", "matplotlib", "seaborn", "scikit-learn",
            "pyfixest", "geopandas")
#: Tracked paths the pipeline writes; changes there do not make a build "uncommitted".
PIPELINE_OUTPUTS = ("dvc.lock", "metrics", "reports", "data")
#: Parameter names whose values are never printed (keys, tokens, passwords).
SECRET = re.compile(r"key|token|secret|password|credential", re.IGNORECASE)


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def build_info(root: Path) -> dict[str, str]:
    """Commit, dirty flag and build date (``SOURCE_DATE_EPOCH``, else the commit time).

    The flag is "yes" when a tracked input (code, notebooks, ``params.yaml``, ``dvc.yaml``)
    differs from the commit; the pipeline's own outputs (:data:`PIPELINE_OUTPUTS`) do not
    count."""
    commit = _git(root, "rev-parse", "--short=12", "HEAD")
    # what the pipeline itself rewrites while it runs (dvc.lock, metrics, reports, data) is
    # not a change to the inputs: counting it made every page of a rebuild say "uncommitted"
    dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no", "--", ".",
                      *(f":(exclude){path}" for path in PIPELINE_OUTPUTS)))
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _git(root, "log", "-1", "--format=%ct")
    date = (datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
            if epoch.isdigit() else "not recorded (no commit and no SOURCE_DATE_EPOCH)")
    return {"commit": commit or "no commit", "dirty": "yes" if dirty else "no",
            "date": date}


def params_hash(params: dict[str, Any]) -> str:
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)


def _words(value: Any) -> str:
    """A parameter value as a reader reads it (nested settings as "name value")."""
    if isinstance(value, dict):
        return "; ".join(f"{str(k).replace('_', ' ')} {_words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    # identifiers such as a programme key read as words too ("business growth wm")
    return "not set" if value is None else str(value).replace("_", " ")


def footer(root: Path, params: dict[str, Any], manifest: dict[str, Any] | None) -> str:
    """The provenance footer (HTML): commit, parameters and datasets in words for every
    reader; parameter names, file names and checksums in a collapsed block for analysts."""
    info = build_info(root)
    shown = {k: ("[hidden]" if SECRET.search(k) else v) for k, v in sorted(params.items())}
    words = "; ".join(f"{k.replace('_', ' ')} {_words(v)}" for k, v in shown.items())
    rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(str(v))}</td></tr>"
                   for k, v in shown.items())
    titles, files = [], []
    for entry in (manifest or {}).get("datasets", {}).values():
        if entry.get("status") != "ok":
            continue
        name = f"{entry['title']} ({entry['publisher']})"
        titles.append(f"<li>{html.escape(name)}</li>")
        sums = ", ".join(f"{Path(f['relpath']).name} sha256 {str(f['sha256'])[:16]}"
                         + ("" if f["verified"] else " (UNVERIFIED)") for f in entry["files"])
        files.append(f"<li>{html.escape(entry['title'])}: {html.escape(sums)}</li>")
    mode = {"real": "published files", "demo": "synthetic demonstration files"}.get(
        str((manifest or {}).get("mode")), "files")
    data = (f"<p><strong>Data</strong> ({mode}):</p><ul>{''.join(titles)}</ul>"
            if titles else "")
    analysts = (
        '<details class="wm-analysts"><summary>For analysts: parameter names, files and '
        f"checksums</summary><p>Parameters hash <code>{params_hash(params)}</code>.</p>"
        f"<table><tr><th>parameter</th><th>value</th></tr>{rows}</table>"
        + (f"<ul>{''.join(files)}</ul>" if files else "") + "</details>")
    return (
        '<footer class="wm-footer"><h2>Provenance</h2>'
        f"<p>Built by wmresearch from commit <code>{html.escape(info['commit'])}</code>"
        + (" plus changes not yet committed" if info["dirty"] == "yes" else "")
        + f" on {html.escape(info['date'])}.</p>"
        + (f"<p>Parameters: {html.escape(words)}.</p>" if words else "")
        + f"{data}<p>Packages: {html.escape(_versions())}.</p>"
        "<p>Official data under the Open Government Licence v3.0 unless marked synthetic; "
        f"boundaries contain OS data (c) Crown copyright and database right.</p>{analysts}"
        "</footer>")


def number_and_contents(page: str) -> str:
    """Number figures and tables, and add a table of contents of the ``h2`` sections."""
    count = {"fig": 0, "tab": 0}

    def figure(match: re.Match[str]) -> str:
        count["fig"] += 1
        alt = html.unescape(match.group(2)).removeprefix("Chart: ").split(". ")[0]
        caption = html.escape(f"Figure {count['fig']}: {alt}")
        return f"{match.group(1)}<figcaption>{caption}</figcaption>{match.group(3)}"

    page = re.sub(r'(<figure class="wm-figure">)(?=<img[^>]*alt="([^"]*)")(.*?</figure>)',
                  lambda m: figure(m), page, flags=re.S)

    def table(match: re.Match[str]) -> str:
        count["tab"] += 1
        title = f": {match.group(3).strip()}" if match.group(3) else ""
        return (f'<p class="wm-table-caption">Table {count["tab"]}{title}</p>'
                f"{match.group(1)}")

    # only the tables shown by show_table (class wm-table), whose CSVs carry the same number;
    # the table's own caption becomes the numbered title above it
    page = re.sub(r'(<table (?:id="T_wm\d+" class="wm-table"|class="wm-table" id="T_wm\d+")>)'
                  r"(\s*<caption>(.*?)</caption>)?", table, page, flags=re.S)
    heads = re.findall(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', page)
    if len(heads) >= 2:
        items = "".join(f'<li><a href="#{html.escape(i, quote=True)}">{t}</a></li>'
                        for i, t in heads)
        toc = f'<nav class="wm-toc" aria-label="Contents"><strong>Contents</strong><ul>' \
              f"{items}</ul></nav>"
        # after the first cell (title and introduction), outside its input area, whose
        # table layout would otherwise swallow the list
        cells = [m.start() for m in re.finditer(r'<div class="jp-Cell ', page)]
        at = cells[1] if len(cells) > 1 else page.find("</main>")
        if at > 0:
            page = page[:at] + toc + page[at:]
    return page
