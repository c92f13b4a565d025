"""The State of the Region's money figures: one GVA total, and every output gap from it.

:func:`reconcile` gathers the inputs (the page's GVA total, the area's productivity relative to
the UK in the same year) and computes :func:`~wmresearch.region.money.output_gap_table`; the
region notebook shows that table and writes the sentence stating the headline and its method.
The key messages (:func:`~wmresearch.region.report_indicators.overview`) quote the same
headline, so every total on the page reconciles.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from wmresearch.evidence.aggregate import aggregate_rate
from wmresearch.evidence.tables import Tables
from wmresearch.region import profile
from wmresearch.region.area import StudyArea
from wmresearch.region.indicators import gdp_per_head_relative
from wmresearch.region.money import WMCA_GREEN_PAPER, output_gap_table

SRC_GVA = ("ONS, Regional gross value added (balanced) by industry, ITL3, current prices, "
           "release covering 1998-2022")


def _rate(prod: pd.DataFrame, lad_codes: list[str], rate: str, weight: str,
          year: int) -> pd.Series | None:
    found = aggregate_rate(prod, lad_codes, rate, weight)
    row = found[found["year"] == year]
    return row.iloc[0] if len(row) else None


def reconcile(area: StudyArea, tables: Tables) -> dict[str, Any] | None:
    """The page's GVA total and every output gap computed from it (``None`` without GVA or
    productivity data for the area).

    Returns
    -------
    dict
        ``year``, ``gva_gbp_m`` (sum of the area's ITL3 areas), ``hour_relative``,
        ``job_relative``, ``head_relative`` (UK = 100, same year; ``None`` where missing),
        ``gva_per_hour``, ``uk_gva_per_hour`` (aggregated from districts), ``uk_published``,
        ``table`` (:func:`~wmresearch.region.money.output_gap_table`), ``gap_gbp_bn`` (the
        headline, hours-based).
    """
    gva, prod = tables.get("gva_itl3_industry"), tables.get("productivity_lad")
    itl3 = list(area.itl3)
    if gva is None or prod is None or not set(itl3) & set(gva["itl_code"]):
        return None
    sections = profile.gva_by_section(gva, itl3)
    year, total = int(sections["year"].iloc[0]), float(sections["gva_gbp_m"].sum())
    rate = _rate(prod, area.lad_codes, "gva_per_hour", "hours_worked", year)
    if rate is None:
        return None
    hour = float(rate["relative"])
    per_job = _rate(prod, area.lad_codes, "gva_per_job", "filled_jobs", year)
    job = None if per_job is None else float(per_job["relative"])
    head = None
    els = tables.get("explore_local")
    if els is not None:
        found = gdp_per_head_relative(els, area.code, area.lad_codes, year=year,
                                      population=tables.get("population_mye2021"))
        head = found["relative"] if found.get("year") == year else None
    table = output_gap_table(total, hour_relative=hour, job_relative=job, head_relative=head,
                             published=WMCA_GREEN_PAPER if area.code == "E47000007" else None)
    return {"year": year, "gva_gbp_m": total, "hour_relative": hour, "job_relative": job,
            "gva_per_hour": float(rate["value"]), "uk_gva_per_hour": float(rate["uk"]),
            "uk_published": float(rate["uk_published"]) if pd.notna(rate["uk_published"])
            else None,
            "head_relative": head, "table": table,
            "gap_gbp_bn": float(table["gap_gbp_bn"].iloc[0])}


def key_message(gaps: dict[str, Any], area_title: str) -> str:
    """The output gap in one sentence for the key messages (the method is in section 1)."""
    return (f"At UK productivity the economy of {area_title} would have been "
            f"£{gaps['gap_gbp_bn']:,.1f} billion larger in {gaps['year']} (GVA £"
            f"{gaps['gva_gbp_m'] / 1000:,.1f} billion; GVA per hour worked "
            f"{gaps['hour_relative']:.1f}% of the UK's).")
