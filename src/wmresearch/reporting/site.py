"""The shared report site: ``reports/index.html``, which always tells the truth.

Every ``wmresearch run`` records the outcome of its report in
``data/interim/status/<name>.json`` (built, or failed with the notebook's error) and the index
is rebuilt from those records, both by the ``site`` stage and straight after a stage fails.
A report that failed is listed as failed, with the reason and no link to a missing page; a
report that was never built is not linked either.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from wmresearch.files import write_text
from wmresearch.reporting.provenance import build_info

SECTION_NAMES = {"": "Pipeline reports", "evaluate": "Programme evaluations"}
ORDER = ["region.html", "clusters.html", "evidence.html", "acquire.html"]
STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60em;
margin:2em auto;padding:0 1em;color:#1d1d1d}
h1{font-size:1.8em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.wm-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(17em,1fr));gap:1em}
.wm-card{border:1px solid #ccc;border-radius:6px;padding:0.8em 1em}
.wm-card h3{margin:0 0 0.4em;font-size:1.05em}
.wm-failed{border-color:#b00020;background:#fdecee}
.wm-status{font-size:0.85em;color:#555}
.wm-error{font:0.8em/1.3 monospace;white-space:pre-wrap;color:#6b0012}
.wm-demo-banner{background:#b00020;color:#fff;padding:0.8em;font-weight:600}
.wm-sources td,.wm-sources th{text-align:left;padding:0.2em 0.6em;vertical-align:top}
.wm-summary{border-left:4px solid #0072b2;background:#f3f8fc;padding:0.3em 1em}
.wm-summary li{margin:0.4em 0}
@media print{.wm-cards{display:block}.wm-card{break-inside:avoid;margin-bottom:1em}}
"""


def status_dir(root: Path) -> Path:
    return root / "data" / "interim" / "status"


def _key(href: str) -> str:
    return href.replace("/", "-").removesuffix(".html")


def record_status(root: Path, href: str, *, status: str, title: str,
                  error: str = "") -> Path:
    """Record a report's outcome (``"built"`` or ``"failed"``) for the index."""
    record = {"href": href, "status": status, "title": title,
              "error": error.strip().splitlines()[0][:400] if error.strip() else ""}
    return write_text(status_dir(root) / f"{_key(href)}.json",
                      json.dumps(record, indent=2, sort_keys=True) + "\n")


def report_title(path: Path) -> str:
    """A report's ``<title>``, else its file name."""
    text = path.read_text(encoding="utf-8", errors="replace")[:20000]
    match = re.search(r"<title>(.*?)</title>", text, flags=re.IGNORECASE | re.DOTALL)
    return html.unescape(match.group(1).strip()) if match else path.stem


def collect_reports(root: Path) -> list[dict[str, str]]:
    """Every report the pipeline recorded or left on disk, with its true state:
    ``built`` (the page exists), ``failed`` (with the error) or ``missing``."""
    reports = root / "reports"
    records: dict[str, dict[str, str]] = {}
    for file in sorted(status_dir(root).glob("*.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        records[record["href"]] = record
    for page in sorted(reports.rglob("*.html")) if reports.is_dir() else []:
        href = page.relative_to(reports).as_posix()
        if href != "index.html" and href not in records:
            records[href] = {"href": href, "status": "built", "title": report_title(page),
                             "error": ""}
    for href, record in records.items():
        if record["status"] == "built" and not (reports / href).is_file():
            record["status"] = "missing"
    return sorted(records.values(), key=lambda r: (
        "/" in r["href"], ORDER.index(r["href"]) if r["href"] in ORDER else len(ORDER),
        r["href"]))


#: Metrics shown on a report's card when its metrics carry no ``headline`` mapping. An
#: evaluation writes its own ``headline`` (what the page established), never a bare SMS level.
HEADLINES = {
    "gva_per_hour_relative_uk": ("GVA per hour worked, UK = 100", "{:.1f}"),
    "output_gap_gbp_bn": ("Output gap at UK productivity", "£{:,.1f}bn"),
    "gva_gbp_bn": ("GVA", "£{:,.1f}bn"),
    "datasets": ("Datasets registered", "{:,.0f}"),
    "datasets_missing": ("Datasets missing", "{:,.0f}"),
    "specialised_industries": ("Specialised industries", "{:,.0f}"),
    "plan_share_core": ("Plan for Growth clusters' share of jobs", "{:.1%}"),
}
DATE_KEYS = ("data_as_of", "last_data_year", "productivity_year", "bres_year", "year",
             "gva_year")


def _metrics(root: Path, href: str) -> dict[str, Any]:
    path = root / "metrics" / href.replace(".html", ".json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _headlines(metrics: dict[str, Any]) -> str:
    chosen = metrics.get("headline") if isinstance(metrics.get("headline"), dict) else {
        label: fmt.format(metrics[key]) for key, (label, fmt) in HEADLINES.items()
        if isinstance(metrics.get(key), int | float | str) and metrics.get(key) is not None}
    items = "".join(f"<li>{html.escape(str(k))}: <strong>{html.escape(str(v))}</strong></li>"
                    for k, v in list(chosen.items())[:3])
    # a date is one year or period; anything else is detail, never printed on a card
    as_of = next((metrics[k] for k in DATE_KEYS
                  if isinstance(metrics.get(k), int | float | str)), None)
    when = (f'<p class="wm-status">Data as of {html.escape(str(as_of))}.</p>'
            if as_of is not None else "")
    return (f"<ul>{items}</ul>" if items else "") + when


def _first_message(metrics: dict[str, Any]) -> str:
    """A report's key message for the executive summary: its first written key message,
    else its headline findings, else its summary."""
    messages = metrics.get("key_messages")
    if isinstance(messages, list) and messages:
        return str(messages[0])
    headline = metrics.get("headline")
    if isinstance(headline, dict) and headline:
        return "; ".join(f"{k}: {v}" for k, v in headline.items()) + "."
    return str(metrics.get("summary", ""))


def executive_summary(root: Path, records: list[dict[str, str]]) -> str:
    """One line per built report, written from the key messages it put in its metrics."""
    items = []
    for record in records:
        if record["status"] != "built":
            continue
        text = _first_message(_metrics(root, record["href"]))
        if text:
            items.append(f'<li><a href="{html.escape(record["href"])}">'
                         f'{html.escape(record["title"])}</a>: {html.escape(text)}</li>')
    if not items:
        return ""
    return ('<section class="wm-summary"><h2>Executive summary</h2><ul>' + "".join(items)
            + "</ul></section>")


def _latest_year(title: str) -> str:
    """The last year a dataset's registered title names ("2015-2021" -> "2021")."""
    years = re.findall(r"(?<!\d)(19\d\d|20\d\d)(?!\d)", title)
    return years[-1] if years else "as published"


def _card(record: dict[str, str], metrics: dict[str, Any] | None = None) -> str:
    title = html.escape(record["title"])
    if record["status"] == "built":
        summary = html.escape(str((metrics or {}).get("summary", "")))
        return (f'<div class="wm-card"><h3><a href="{html.escape(record["href"])}">{title}'
                f'</a></h3>{f"<p>{summary}</p>" if summary else ""}'
                f"{_headlines(metrics or {})}</div>")
    if record["status"] == "failed":
        return (f'<div class="wm-card wm-failed"><h3>{title}</h3><p class="wm-status">'
                "<strong>FAILED</strong>: the last build of this report failed, so it is not "
                "published. Reason:</p>"
                f'<p class="wm-error">{html.escape(record["error"])}</p></div>')
    return (f'<div class="wm-card wm-failed"><h3>{title}</h3><p class="wm-status">'
            "Not built: the report file is missing. Run <code>dvc repro</code>.</p></div>")


def index_page(root: Path, *, manifest: dict[str, Any] | None = None,
               title: str = "wmresearch reports") -> str:
    """The whole ``index.html``: a card per report by section, then the data sources."""
    records = collect_reports(root)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
             f"<h1>{html.escape(title)}</h1><p>Reproducible evidence for the region's "
             "economic strategy, rebuilt from official open data with <code>dvc repro</code>."
             "</p>"]
    info = build_info(root)
    parts.append(f'<p class="wm-status">Built from commit <code>{html.escape(info["commit"])}'
                 f"</code> on {html.escape(info['date'])}.</p>")
    parts.append(executive_summary(root, records))
    if manifest and manifest.get("mode") == "demo":
        parts.append('<div class="wm-demo-banner">DEMO DATA: these reports use synthetic '
                     "data because official datasets were missing: "
                     f"{html.escape(', '.join(manifest.get('missing', [])))}</div>")
    failed = [r for r in records if r["status"] != "built"]
    if failed:
        parts.append(f'<p class="wm-status"><strong>{len(failed)} of {len(records)} reports '
                     "are not available</strong> (see below).</p>")
    sections: dict[str, list[dict[str, str]]] = {}
    for record in records:
        section = record["href"].rpartition("/")[0]
        sections.setdefault(section, []).append(record)
    for section, items in sections.items():
        name = SECTION_NAMES.get(section, section.title())
        parts.append(f"<h2>{html.escape(name)}</h2><div class='wm-cards'>")
        parts += [_card(r, _metrics(root, r["href"])) for r in items]
        parts.append("</div>")
    if manifest:
        parts.append('<h2>Data sources: what the reports are built on, and how recent</h2>'
                     '<table class="wm-sources"><tr><th>Dataset (release)</th>'
                     "<th>Latest year covered</th><th>Publisher</th><th>Licence</th>"
                     "<th>Status</th></tr>")
        for entry in manifest.get("datasets", {}).values():
            parts.append(
                f'<tr><td><a href="{html.escape(entry["landing_page"])}">'
                f'{html.escape(entry["title"])}</a></td>'
                f'<td>{html.escape(_latest_year(entry["title"]))}</td>'
                f'<td>{html.escape(entry["publisher"])}'
                f'</td><td>{html.escape(entry["licence"])}</td>'
                f'<td>{html.escape(entry["status"])}</td></tr>')
        parts.append("</table>")
    if manifest and manifest.get("unverified"):
        parts.insert(2, '<div class="wm-demo-banner" style="background:#8a4b00">UNVERIFIED '
                     f"INPUTS: {len(manifest['unverified'])} file(s) do not match the tested "
                     "release or were not checked.</div>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_index(root: Path, *, manifest: dict[str, Any] | None = None,
                title: str = "wmresearch reports") -> Path:
    """Write ``reports/index.html`` atomically from the recorded outcomes."""
    return write_text(root / "reports" / "index.html",
                      index_page(root, manifest=manifest, title=title))
