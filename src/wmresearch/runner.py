"""Running one report stage: check its parameters, execute its notebook, record the outcome.

This is what ``wmresearch run`` (and so every report stage of ``dvc.yaml``) does. Whatever
happens, ``reports/index.html`` is left telling the truth: a failure removes the report,
records the reason and rebuilds the index at once (the ``site`` stage never runs after a
failed stage).

A notebook writes everything it wants to record to ``metrics/<report>.json`` (an output of
its stage, read by the index). The runner then writes the file DVC declares as the stage's
metric, ``metrics/headline/<report>.json``: that file's top-level figures only (numbers and
yes/no flags), so ``dvc metrics show`` prints each stage's headline figures and
``dvc metrics diff`` what a change moved. Detail (per-table accounting, method
demonstrations, prose) stays in the full file by being nested or text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wmresearch.config import Project, SettingsError
from wmresearch.evidence.parameters import ParameterError, validate_stage
from wmresearch.reporting.metrics import write_metrics
from wmresearch.reporting.render import NotebookFailed, run_stage
from wmresearch.reporting.site import record_status, report_title, write_index
from wmresearch.sources import load_manifest

if TYPE_CHECKING:
    from jupyter_client import KernelManager


class StageFailed(RuntimeError):
    """A report stage that did not produce its report; the message says why."""


def manifest_or_none(project: Project) -> dict[str, Any] | None:
    try:
        return load_manifest(project.paths)
    except FileNotFoundError:
        return None


HEADLINE = Path("metrics") / "headline"


def headline_figures(metrics: dict[str, Any]) -> dict[str, Any]:
    """The top-level numbers and flags of a stage's metrics (what DVC shows as its metric).

    Nested mappings (per-table accounting, a method demonstration, the card's ``headline``
    sentences), lists, text and missing values are detail, kept in the full file only.
    """
    return {key: value for key, value in metrics.items()
            if isinstance(value, int | float | bool) and value == value}


def write_headline(root: Path, href: str) -> Path:
    """Write ``metrics/headline/<report>.json`` from ``metrics/<report>.json`` (``{}`` when the
    notebook wrote no metrics, so that DVC always finds the metric it declares)."""
    full = root / "metrics" / href.replace(".html", ".json")
    metrics = json.loads(full.read_text(encoding="utf-8")) if full.is_file() else {}
    return write_metrics(root / HEADLINE / href.replace(".html", ".json"),
                         headline_figures(metrics))


def rebuild_index(project: Project) -> Path:
    title = (project.params.get("site") or {}).get("site_title", "wmresearch reports")
    return write_index(project.root, manifest=manifest_or_none(project), title=title)


def run_report(project: Project, script: Path, html: Path, params: dict[str, Any], *,
               stage: str | None = None, title: str | None = None,
               kernel_manager: KernelManager | None = None) -> Path:
    """Validate ``params``, execute ``script`` and write ``html`` (in the kernel of
    ``kernel_manager`` when one was started for it; the caller shuts it down).

    Raises
    ------
    StageFailed
        On a parameter error, a settings error, missing data or a failing cell; ``html`` no
        longer exists and the index lists the report as failed with the reason.
    """
    reports = project.paths.reports.resolve()
    target = html.resolve()
    # only a pipeline report (under reports/) has a card on the index; a scratch render
    # elsewhere leaves the site's records alone
    in_site = target.is_relative_to(reports)
    href = target.relative_to(reports).as_posix() if in_site else html.name
    try:
        validate_stage(stage or "", params, project.paths, project.params.get("programmes"))
        out = run_stage(script, html, params, root=project.root, title=title,
                        kernel_manager=kernel_manager)
    except (NotebookFailed, ParameterError, SettingsError, FileNotFoundError) as exc:
        html.unlink(missing_ok=True)
        if in_site:
            record_status(project.root, href, status="failed", title=title or html.stem,
                          error=str(exc))
            rebuild_index(project)
        kind = "stage failed" if isinstance(exc, NotebookFailed) else "error"
        raise StageFailed(f"{kind}: {exc}") from exc
    if in_site:
        write_headline(project.root, href)
        record_status(project.root, href, status="built", title=report_title(out))
    return out
