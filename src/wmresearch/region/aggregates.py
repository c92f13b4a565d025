"""Totals and rates over a study area (:class:`~wmresearch.evidence.area.StudyArea`).

Aggregates use the right weights: totals are sums over districts (:func:`area_total`), rates
are the denominator-weighted mean of district rates, i.e. total numerator over total
denominator (:func:`area_rate`, through
:func:`wmresearch.evidence.aggregate.aggregate_rate`, the way ONS aggregates subregional
productivity); GVA, published for ITL3 areas, is split by district where an ITL3 area is
shared with districts outside the study area (:func:`area_gva`).
"""

from __future__ import annotations

import pandas as pd

from wmresearch.evidence.aggregate import aggregate_rate

# StudyArea and study_area are re-exported by wmresearch.region from here
from wmresearch.evidence.area import AreaError, StudyArea, study_area


def area_total(frame: pd.DataFrame, area: StudyArea, value: str, *, code: str = "lad_code",
               by: str = "year") -> pd.Series:
    """A total (jobs, GVA, people) over the area's districts, by ``by``: a plain sum.

    Raises
    ------
    AreaError
        If a district of the area has no row for a value of ``by`` that others have (a sum
        over fewer districts would be silently short).
    """
    rows = frame[frame[code].isin(area.lads)]
    counts = rows.groupby(by)[code].nunique()
    short = counts[counts < len(area.lads)]
    if len(short):
        missing = sorted(set(area.lads) - set(rows.loc[rows[by] == short.index[0], code]))
        raise AreaError(f"area {area.key!r}: {value} missing for {', '.join(missing)} in "
                        f"{by} {short.index[0]}")
    return rows.groupby(by)[value].sum().astype(float)


def district_gva(productivity: pd.DataFrame) -> pd.DataFrame:
    """GVA (£) of each district and year as ONS used it for its district rates: GVA per filled
    job x filled jobs (``lad_code``, ``year``, ``gva``)."""
    rows = productivity[productivity["lad_code"].notna()
                        & productivity["measure"].isin(["gva_per_job", "filled_jobs"])]
    wide = rows.pivot_table(index=["area_code", "year"], columns="measure", values="value",
                            aggfunc="first").dropna().reset_index()
    return pd.DataFrame({"lad_code": wide["area_code"], "year": wide["year"].astype(int),
                         "gva": (wide["gva_per_job"] * wide["filled_jobs"]).astype(float)})


def area_gva(gva_itl3: pd.DataFrame, productivity: pd.DataFrame, lad_itl: pd.DataFrame,
             area: StudyArea, year: int) -> tuple[float, str]:
    """Regional GVA (balanced, current prices, £) of the area in ``year``, and how it was built.

    ONS publishes balanced GVA for ITL3 areas, not districts. An ITL3 area wholly inside the
    area counts in full; one the area shares with other districts is split by its districts'
    shares of the GVA behind ONS's district productivity rates (:func:`district_gva`).

    Raises
    ------
    AreaError
        If a district has no ITL3 area or no GVA that year (named).
    """
    primary = lad_itl[lad_itl["primary"]].set_index("lad_code")["itl3_code"]
    missing = sorted(set(area.lads) - set(primary.index))
    if missing:
        raise AreaError(f"area {area.key!r}: no ITL3 area for {', '.join(missing)}")
    itl3 = sorted(set(primary[area.lad_codes]))
    totals = gva_itl3[(gva_itl3["year"] == year) & (gva_itl3["sic07_code"] == "Total")
                      ].set_index("itl_code")["gva_gbp_m"].astype(float) * 1e6
    dgva = district_gva(productivity)
    dgva = dgva[dgva["year"] == year].set_index("lad_code")["gva"]
    value, split = 0.0, []
    for code in itl3:
        if code not in totals.index:
            raise AreaError(f"area {area.key!r}: no regional GVA for ITL3 {code} in {year}")
        members = list(primary.index[primary == code])
        inside = [m for m in members if m in area.lads]
        if len(inside) == len(members):
            value += totals[code]
            continue
        absent = sorted(set(members) - set(dgva.index))
        if absent:
            raise AreaError(f"area {area.key!r}: no district GVA for {', '.join(absent)} in "
                            f"{year}, needed to split ITL3 {code}")
        value += totals[code] * dgva[inside].sum() / dgva[members].sum()
        split.append(code)
    method = (f"sum of {len(itl3)} ITL3 areas' regional GVA" if not split else
              f"regional GVA of {len(itl3)} ITL3 areas, {len(split)} of them ({', '.join(split)})"
              " split by their districts' shares of ONS's district GVA")
    return value, method


def area_local_rate(local: pd.DataFrame, population: pd.DataFrame, area: StudyArea,
                    indicator: str, weight: str) -> tuple[pd.Series, str]:
    """A rate published for districts (Explore local statistics ``indicator``) over the area,
    by year: the weighted mean of its districts' rates, weights by ``weight``:
    ``"working_age"`` (mid-2021 residents aged 16-64: rates of that population, e.g. the
    employment rate), ``"active"`` (economically active residents, employed / (1 -
    unemployment rate): the unemployment rate) or ``"population"`` (all residents: a per-head
    figure). Returns the series and how it was built.

    Raises
    ------
    AreaError
        A district without the indicator or a population (named).
    """
    rows = local[(local["indicator"] == indicator) & local["areacd"].isin(area.lads)]
    wide = rows.pivot_table(index="year", columns="areacd", values="observation").astype(float)
    wide.columns = wide.columns.astype(str)
    lm = population[population["age_type"] == "Labour Market category"].pivot_table(
        index="lad_code", columns="age", values="population", aggfunc="sum").astype(float)
    lm.index = lm.index.astype(str)
    working = lm[["Aged 16 to 24", "Aged 25 to 49", "Aged 50 to 64"]].sum(axis=1)
    missing = sorted((set(area.lads) - set(wide.columns)) | (set(area.lads) - set(working.index)))
    if missing:
        raise AreaError(f"area {area.key!r}: no {indicator} or population for "
                        f"{', '.join(missing)}")
    wide = wide[area.lad_codes].dropna()
    w = working[area.lad_codes]
    if weight == "active":
        rate = local[(local["indicator"] == "Employment rate") & local["areacd"].isin(area.lads)
                     ].pivot_table(index="year", columns="areacd", values="observation")
        rate.columns = rate.columns.astype(str)
        # economically active = employed / (1 - unemployment rate), employed = rate x 16-64
        active = (rate[area.lad_codes].astype(float) / 100 * w / (1 - wide / 100)).dropna()
        series = (wide * active).dropna().sum(axis=1) / active.sum(axis=1)
        how = "weighted by economically active residents (APS rate x mid-2021 16-64s)"
    else:
        if weight == "population":
            w = lm.loc[area.lad_codes, "All Ages"]
        series = (wide * w).sum(axis=1) / w.sum()
        who = "residents" if weight == "population" else "residents aged 16-64"
        how = f"weighted by mid-2021 {who}"
    return series.dropna(), f"{len(area.lads)} districts' rates {how}"


def area_rate(productivity: pd.DataFrame, area: StudyArea, rate: str,
              weight: str) -> pd.DataFrame:
    """A rate over the area's districts, weighted by its denominator (e.g. GVA per hour by
    hours worked), with the UK built the same way: see
    :func:`wmresearch.evidence.aggregate.aggregate_rate`."""
    return aggregate_rate(productivity, area.lad_codes, rate, weight)


__all__ = ["StudyArea", "area_gva", "area_local_rate", "area_rate", "area_total",
           "district_gva", "study_area"]
