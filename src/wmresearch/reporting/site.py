"""The shared report site: ``reports/index.html`` linking every rendered report."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

SECTION_NAMES = {"": "Pipeline reports", "evaluate": "Programme evaluations"}


def report_title(path: Path) -> str:
    """A report's ``<title>``, else its file name."""
    text = path.read_text(encoding="utf-8", errors="replace")[:20000]
    match = re.search(r"<title>(.*?)</title>", text, flags=re.IGNORECASE | re.DOTALL)
    return html.unescape(match.group(1).strip()) if match else path.stem


def collect_reports(reports: Path) -> dict[str, list[tuple[str, str]]]:
    """Reports grouped by sub-folder: ``{section: [(title, relative href), ...]}``."""
    sections: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(reports.rglob("*.html")):
        rel = path.relative_to(reports)
        if rel.as_posix() == "index.html":
            continue
        section = rel.parent.as_posix() if rel.parent.as_posix() != "." else ""
        sections.setdefault(section, []).append((report_title(path), rel.as_posix()))
    return sections


def index_fragment(reports: Path, *, manifest: dict[str, Any] | None = None,
                   order: list[str] | None = None) -> str:
    """HTML listing every report under ``reports`` by section, then the data sources.

    The site stage's notebook displays this and is itself rendered as ``reports/index.html``.
    ``order`` lists report hrefs to show first.
    """
    sections = collect_reports(reports)
    order = order or []
    parts: list[str] = []
    if manifest and manifest.get("mode") == "demo":
        parts.append('<div class="wm-demo-banner" style="background:#b00020;color:#fff;'
                     'padding:0.8em;font-weight:600">DEMO DATA: these reports use synthetic '
                     "data because official datasets were missing: "
                     f"{html.escape(', '.join(manifest.get('missing', [])))}</div>")
    for section in sorted(sections, key=lambda s: (s != "", s)):
        items = sorted(sections[section], key=lambda t: (
            order.index(t[1]) if t[1] in order else len(order), t[1]))
        parts.append(f"<h2>{html.escape(SECTION_NAMES.get(section, section.title()))}</h2>"
                     "<ul>")
        parts += [f'<li><a href="{html.escape(href)}">{html.escape(name)}</a></li>'
                  for name, href in items]
        parts.append("</ul>")
    if manifest:
        parts.append('<h2>Data sources</h2><style>.wm-sources td,.wm-sources th'
                     '{text-align:left!important}</style><table class="wm-sources"><tr>'
                     "<th>Dataset</th><th>Publisher</th><th>Licence</th><th>Status</th></tr>")
        for entry in manifest.get("datasets", {}).values():
            parts.append(
                f'<tr><td><a href="{html.escape(entry["landing_page"])}">'
                f'{html.escape(entry["title"])}</a></td><td>{html.escape(entry["publisher"])}'
                f'</td><td>{html.escape(entry["licence"])}</td>'
                f'<td>{html.escape(entry["status"])}</td></tr>')
        parts.append("</table>")
    return "".join(parts)
