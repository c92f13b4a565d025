"""Run a paired notebook script with papermill and render it as HTML without code.

A stage calls :func:`run_stage`: the jupytext percent script (the file under version control
and the DVC dependency) is converted to a notebook, executed with the ``wmresearch`` kernel
and the stage's parameters, and rendered by nbconvert with every input cell, the parameters
cell and the injected-parameters cell removed. The old HTML is deleted *before* execution,
so a failed run leaves no stale report; the failed notebook is kept for debugging under
``data/interim/notebooks/``.
"""

from __future__ import annotations

import functools
import html as html_lib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

# jsonschema (under nbformat) imports rfc3987_syntax when installed (jupyter-events pulls it
# in), which compiles a Lark grammar at import: 2.0 s of every `wmresearch run`. Notebook
# schemas use no IRI format, so that checker is never needed here; mark it absent.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import jupytext  # noqa: E402
import nbformat  # noqa: E402
import papermill  # noqa: E402
from nbconvert import HTMLExporter  # noqa: E402
from nbconvert.preprocessors import TagRemovePreprocessor  # noqa: E402

from wmresearch.files import write_text  # noqa: E402
from wmresearch.reporting.glossary import glossary_html  # noqa: E402
from wmresearch.reporting.kernel import DIR_ENV, HREF_ENV, KERNEL, report_files  # noqa: E402
from wmresearch.reporting.provenance import footer, number_and_contents  # noqa: E402

if TYPE_CHECKING:
    from jupyter_client import KernelManager

#: The house nbconvert template (no CDN scripts; print CSS), shipped in the package.
TEMPLATES = str(Path(__file__).parent / "templates")
REMOVE_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell"}
_H1 = re.compile(r"^#\s+(.+)$", flags=re.MULTILINE)


class NotebookFailed(RuntimeError):
    """A notebook cell raised; the message carries the notebook's own error."""


def _error_text(exc: papermill.PapermillExecutionError) -> str:
    trace = "\n".join(exc.traceback) if exc.traceback else ""
    trace = _clip(re.sub(r"\x1b\[[0-9;]*m", "", trace), 6000)
    return f"cell {exc.exec_count}: {exc.ename}: {_clip(exc.evalue, 2000)}\n{trace}"


def _clip(text: str, limit: int) -> str:
    """Keep error messages readable: validation errors can list thousands of values."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f" ... [{len(text) - limit} more chars]"


def execute(script: Path, executed: Path, parameters: dict[str, Any], *, cwd: Path,
            kernel: str = KERNEL, timeout: int | None = 1800,
            kernel_manager: KernelManager | None = None) -> nbformat.NotebookNode:
    """Execute ``script`` (a jupytext percent file or an .ipynb) and save it to ``executed``,
    in the kernel of ``kernel_manager`` when given (already started, see
    :func:`wmresearch.reporting.kernel.start_kernel`; the caller shuts it down), else in a
    new kernel ``kernel``."""
    script = Path(script)
    notebook = jupytext.read(script)
    # stable cell ids, so the same inputs render byte-identical HTML
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": "wmresearch",
                                       "language": "python"}
    executed.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{script.stem}.ipynb"
        nbformat.write(notebook, source)
        declared = papermill.inspect_notebook(str(source))
        # global keys (region, seed) go only to notebooks that declare them
        parameters = {k: v for k, v in parameters.items() if k in declared}
        try:
            papermill.execute_notebook(
                str(source), str(executed), parameters=parameters, kernel_name=kernel,
                cwd=str(cwd), progress_bar=False, execution_timeout=timeout,
                # saving after every cell costs about 1 s a report; papermill still writes
                # the executed notebook at the end and when a cell fails
                request_save_on_cell_execute=False,
                **({"km": kernel_manager} if kernel_manager is not None else {}))
        except papermill.PapermillExecutionError as exc:
            raise NotebookFailed(f"{script} failed at {_error_text(exc)}\nExecuted notebook "
                                 f"kept at {executed}") from exc
    return nbformat.read(executed, as_version=4)


def back_link(index_href: str) -> str:
    """The link back to the site's front page, at the top of every report."""
    return (f'<nav class="wm-back" aria-label="Site"><a href="{html_lib.escape(index_href)}">'
            "← All reports (front page)</a></nav>")


@functools.cache
def _exporter() -> HTMLExporter:
    """The one HTML exporter of this process: built, and its templates compiled, once."""
    tags = TagRemovePreprocessor(remove_cell_tags=REMOVE_TAGS, enabled=True)
    exporter = HTMLExporter(template_name="wmresearch", extra_template_basedirs=[TEMPLATES],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(tags, enabled=True)
    return exporter


def warm_renderer() -> None:
    """Render a small notebook holding every kind of output a report has, so that the
    exporter's templates are compiled and its filters' modules imported (half a second)
    before a report is rendered. :func:`run_stage` does this in a thread while the notebook
    executes, when this process has nothing else to do."""
    v4 = nbformat.v4
    outputs = [v4.new_output("display_data", data={"text/html": "<p>table</p>",
                                                   "text/plain": "table"}),
               v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=",
                                                   "text/plain": "figure"}),
               v4.new_output("stream", name="stdout", text="text")]
    notebook = v4.new_notebook(cells=[v4.new_markdown_cell("# Title\n\nSome *text* [1]."),
                                      v4.new_code_cell("x", outputs=outputs)])
    to_html(notebook, title="warm-up")


def to_html(notebook: nbformat.NotebookNode, *, title: str, banner: str = "",
            footer: str = "", index_href: str | None = None) -> str:
    """Render an executed notebook as standalone HTML with no code and no parameters; with
    ``index_href``, a link back to the index opens the page."""
    notebook.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(notebook)
    body = link_citations(number_and_contents(stable_ids(body)))
    if footer and 'class="wm-glossary"' not in body:
        # a page without its own appendix still explains every method the site uses
        footer = (f'<details class="wm-glossary-all"><summary>Methods and glossary, in '
                  f"plain English</summary>{glossary_html()}</details>{footer}")
    top = banner + (back_link(index_href) if index_href else "")
    if top:
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, body, count=1)
    if footer:
        body = body.replace("</body>", footer + "</body>", 1)
    return body


_CITE = re.compile(r"\[(\d{1,3})\]")


def link_citations(page: str) -> str:
    """Link every "[n]" in the page's text to its entry ``ref-n`` of the reference list; a
    citation with no entry is left as text (the browser test reports it)."""
    entries = set(re.findall(r'<li id="ref-(\d+)"', page))
    if not entries:
        return page
    parts = re.split(r"(<[^>]+>)", page)
    skip = 0  # inside <style>, <script> or an existing link
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z]+)", part)
            tag = name.group(1).lower() if name else ""
            if tag in ("style", "script", "a"):
                skip += -1 if part.startswith("</") else (0 if part.endswith("/>") else 1)
            continue
        if skip <= 0 and "[" in part:
            parts[i] = _CITE.sub(lambda m: f'<a class="wm-cite" href="#ref-{m.group(1)}">'
                                 f"[{m.group(1)}]</a>" if m.group(1) in entries
                                 else m.group(0), part)
    return "".join(parts)


def stable_ids(page: str) -> str:
    """Replace pandas Styler's random table ids (``T_1a2b3``) by sequential ones, in both the
    CSS and the tables, so reruns on the same data give byte-identical reports."""
    ids: dict[str, str] = {}
    for found in re.findall(r"T_[0-9a-f]{5}(?![0-9a-f])", page):
        ids.setdefault(found, f"T_wm{len(ids):03d}")
    if not ids:
        return page
    pattern = re.compile("|".join(map(re.escape, ids)))
    return pattern.sub(lambda m: ids[m.group(0)], page)


def demo_banner(manifest_path: Path) -> str:
    """Banners for the data behind a report: DEMO DATA when the acquired data is the synthetic
    demo set, UNVERIFIED INPUTS when a file's checksum was not checked or matches no known
    release (``acquire.verify_checksums: false``); '' when neither applies."""
    if not manifest_path.is_file():
        return ""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    style = ('style="position:sticky;top:0;z-index:10;background:#b00020;color:#fff;'
             'padding:0.8em 1em;font:600 1.1em sans-serif"')
    out = ""
    if manifest.get("mode") == "demo":
        missing = html_lib.escape(", ".join(manifest.get("missing", [])))
        out += (f'<div class="wm-demo-banner" {style}>DEMO DATA: synthetic figures, not '
                f"official statistics (missing: {missing})</div>")
    unverified = manifest.get("unverified", [])
    if unverified:
        files = html_lib.escape(", ".join(unverified))
        out += (f'<div class="wm-unverified-banner" {style.replace("#b00020", "#8a4b00")}>'
                f"UNVERIFIED INPUTS: {len(unverified)} file(s) do not match the release the "
                f"project was tested on, or were not checked: {files}. Figures may be wrong "
                "(a truncated or newer file).</div>")
    return out


def run_stage(script: Path, html_out: Path, parameters: dict[str, Any], *, root: Path,
              title: str | None = None, kernel: str = KERNEL,
              kernel_manager: KernelManager | None = None) -> Path:
    """Execute a stage notebook and write its code-free HTML report (in the kernel of
    ``kernel_manager`` when one was started for it, see :func:`execute`).

    Raises
    ------
    NotebookFailed
        If any cell fails; ``html_out`` does not exist afterwards.
    """
    html_out = Path(html_out)
    html_out.unlink(missing_ok=True)
    name = html_out.stem if html_out.parent.name == "reports" else \
        f"{html_out.parent.name}-{html_out.stem}"
    executed = root / "data" / "interim" / "notebooks" / f"{name}.ipynb"
    # tables and chart data go beside the report, in a folder emptied first (nothing stale)
    files, href = report_files(html_out)
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir(parents=True, exist_ok=True)
    os.environ[DIR_ENV], os.environ[HREF_ENV] = str(files.resolve()), href
    # this process only waits while the kernel computes: prepare the renderer meanwhile
    # (unless it is ready: a warm server prepared it before this stage began)
    warming = threading.Thread(target=_warm_quietly, name="warm-renderer", daemon=True)
    if not _exporter.cache_info().currsize:
        warming.start()
    try:
        notebook = execute(script, executed, parameters, cwd=root, kernel=kernel,
                           kernel_manager=kernel_manager)
    finally:
        os.environ.pop(DIR_ENV, None)
        os.environ.pop(HREF_ENV, None)
        if warming.is_alive():
            warming.join()
    if title:
        _retitle(notebook, title)
    title = title or _first_heading(notebook) or script.stem
    manifest_path = root / "data" / "raw" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) \
        if manifest_path.is_file() else None
    # the index sits at the top of reports/; a page written elsewhere links to its neighbour
    try:
        depth = len(html_out.resolve().relative_to((root / "reports").resolve()).parts) - 1
    except ValueError:
        depth = 0
    index = "../" * depth + "index.html"
    page = to_html(notebook, title=title, banner=demo_banner(manifest_path),
                   footer=footer(root, parameters, manifest), index_href=index)
    write_text(html_out, page)
    return html_out


def _warm_quietly() -> None:
    try:
        warm_renderer()
    except Exception:  # the report's own rendering raises it, in its place
        return


def _retitle(notebook: nbformat.NotebookNode, title: str) -> None:
    """Make the page's first heading the stage's title: a foreach stage shares one notebook,
    whose generic heading ("Programme evaluation") would otherwise top every page."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and _H1.search(cell.source):
            cell.source = _H1.sub(lambda _: f"# {title}", cell.source, count=1)
            return


def _first_heading(notebook: nbformat.NotebookNode) -> str | None:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = _H1.search(cell.source)
            if match:
                return match.group(1).strip()
    return None
