"""The gaps the State of the Region quotes: the output gap at UK productivity, GDP per head
relative to the UK and its real growth. Each uses one release, named in its result; the
region's values come from :func:`wmresearch.region.indicators.region_value` (published or
aggregated from districts) or, for productivity, from districts like for like.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from wmresearch.evidence.aggregate import aggregate_rate
from wmresearch.region.indicators import PRODUCTIVITY_RELEASE, region_value


def output_gap(productivity: pd.DataFrame, lad_codes: list[str], *,
               year: int | None = None) -> dict[str, Any]:
    """The £ output gap at UK productivity: ``hours x (UK GVA per hour - region GVA per hour)``.

    One release: ONS Subregional productivity, June 2024 (``productivity_lad``). The region's
    and the UK's GVA per hour are aggregated like for like from districts
    (:func:`~wmresearch.evidence.aggregate.aggregate_rate`, weighted by hours). The region's
    annual hours are its GVA over its GVA per hour, with GVA = sum of filled jobs x GVA per
    filled job (ONS's definition of GVA per job, so no assumption on weeks per year is needed;
    the workbook's hours are weekly). Equivalently gap = GVA x (UK / region - 1).

    Returns
    -------
    dict
        ``year``, ``gva_per_hour``, ``uk_gva_per_hour``, ``relative`` (UK = 100),
        ``gva_gbp_m``, ``hours_m`` (annual hours, millions), ``gap_gbp_m``, ``release``.

    Raises
    ------
    KeyError
        No GVA per hour, hours, jobs or GVA per job for the districts in ``year``.
    """
    rate = aggregate_rate(productivity, lad_codes, "gva_per_hour", "hours_worked")
    year = int(year if year is not None else rate["year"].max())
    row = rate[rate["year"] == year]
    if row.empty:
        raise KeyError(f"no GVA per hour for districts {sorted(lad_codes)} in {year}")
    wide = (productivity[productivity["year"] == year]
            .pivot_table(index="area_code", columns="measure", values="value",
                         aggfunc="first").reindex(lad_codes))
    gap_input = wide[["filled_jobs", "gva_per_job"]].astype(float)
    if gap_input.isna().any().any():
        bad = sorted(gap_input.index[gap_input.isna().any(axis=1)])
        raise KeyError(f"no filled jobs or GVA per job for districts {bad} in {year}")
    gva = float((gap_input["filled_jobs"] * gap_input["gva_per_job"]).sum()) / 1e6
    region, uk = float(row["value"].iloc[0]), float(row["uk"].iloc[0])
    hours = gva / region
    return {"year": year, "gva_per_hour": region, "uk_gva_per_hour": uk,
            "relative": 100 * region / uk, "gva_gbp_m": gva, "hours_m": hours,
            "gap_gbp_m": hours * (uk - region), "release": PRODUCTIVITY_RELEASE}


def gdp_per_head_relative(table: pd.DataFrame, region_code: str, lad_codes: list[str] | None,
                          *, year: int | None = None,
                          population: pd.DataFrame | None = None) -> dict[str, Any]:
    """GDP per head (current prices) relative to the UK, % (UK = 100), one ONS release.

    Returns
    -------
    dict
        The :class:`RegionValue` fields plus ``relative`` (``None`` when either is missing).
    """
    v = region_value(table, "gdp_per_head_current_prices", region_code, lad_codes, year=year,
                     population=population)
    ok = v.value is not None and v.comparator_value
    return {**v.as_dict(), "relative": 100 * v.value / v.comparator_value if ok else None}


def real_growth(table: pd.DataFrame, region_code: str, lad_codes: list[str] | None, *,
                base_year: int, year: int | None = None,
                population: pd.DataFrame | None = None) -> dict[str, Any]:
    """Real growth of GDP per head (chained volume), % since ``base_year``, region and UK.

    ``growth = 100 x (v_year / v_base - 1)`` on ONS's chained-volume GDP per head (one release:
    the ``gdp-per-head`` file's source). Both years use the same method (published or
    aggregated).

    Raises
    ------
    ValueError
        If the region or its comparator has no value in either year.
    """
    end = region_value(table, "gdp_per_head_chained_volume", region_code, lad_codes, year=year,
                       population=population)
    start = region_value(table, "gdp_per_head_chained_volume", region_code, lad_codes,
                         year=base_year, population=population)
    if None in (end.value, start.value, end.comparator_value, start.comparator_value):
        raise ValueError(f"chained-volume GDP per head of {region_code} or its comparator is "
                         f"missing in {base_year} or {end.year} ({start.method}; {end.method})")
    return {"region_code": region_code, "base_year": base_year, "year": end.year,
            "growth": 100 * (end.value / start.value - 1),
            "comparator_label": end.comparator_label,
            "comparator_growth": 100 * (end.comparator_value / start.comparator_value - 1),
            "method": end.method, "release": end.release, "release_date": end.release_date}


__all__ = ["gdp_per_head_relative", "output_gap", "real_growth"]
