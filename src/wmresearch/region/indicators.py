"""Region values of the State-of-the-Region indicators, their comparators and the gaps quoted.

A region's value comes from ONS's own row for the area where ONS publishes one (Explore local
statistics publishes every combined authority, ``E47...``, for most indicators); otherwise it
is aggregated from the region's districts with the indicator's own denominator as weight
(:data:`AGGREGATION`): a rate ``r_g = sum(r_i w_i) / sum(w_i)`` is the group's total numerator
over its total denominator, as ONS aggregates subregional rates (ONS, *Subregional
productivity*, methodology; see :mod:`wmresearch.evidence.aggregate`); a count is summed; a
median, ratio of medians or life-table measure cannot be aggregated from districts and is
reported as not available. Weights that are not of the same year as the indicator (mid-2021
population) make an approximation that :attr:`RegionValue.method` states.
The gaps quoted from these values are in :mod:`wmresearch.region.gaps`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from wmresearch.evidence.indicators import INDICATORS, Indicator
from wmresearch.evidence.population import population_totals

#: Comparators, in order of preference: the first one ONS publishes for the indicator is used.
COMPARATORS = {"K02000001": "United Kingdom", "K99000002": "UK less extra-regio", "K03000001":
               "Great Britain", "E92000001": "England", "K04000001": "England and Wales"}
NOT_AVAILABLE = "not available"
PRODUCTIVITY_RELEASE = ("ONS, Subregional productivity: labour productivity indices by local "
                        "authority district, June 2024 release")

_POP_16_64 = ("Aged 16 to 24", "Aged 25 to 49", "Aged 50 to 64")


@dataclass(frozen=True)
class Aggregation:
    """How districts combine: ``kind`` is "rate", "count" or "none" (with ``reason``)."""

    kind: str
    weight: str | None = None
    reason: str = ""


def _rate(weight: str) -> Aggregation:
    return Aggregation("rate", weight)


def _none(reason: str) -> Aggregation:
    return Aggregation("none", None, reason)


_NOT_DISTRICT = _none("published for ITL areas, not districts")
_SURVIVAL = _rate("births")

#: Indicator id -> aggregation rule (denominator of each rate as ONS defines it).
AGGREGATION: dict[str, Aggregation] = {
    **dict.fromkeys(("employment_rate", "economic_inactivity_rate", "claimant_count_rate",
                     "qualifications_level3_plus", "no_qualifications"),
                    _rate("population aged 16-64")),
    "modelled_unemployment_rate": _none("its denominator (economically active residents) is "
                                        "not in the evidence base"),
    "median_weekly_pay": _none("a median cannot be aggregated from district medians"),
    "gdhi_per_head": _rate("population"),
    "gva_per_hour": _rate("hours worked"),
    "gva_per_job": _rate("filled jobs"),
    **dict.fromkeys(("gdp_per_head_current_prices", "gdp_per_head_chained_volume"),
                    _rate("population")),
    **dict.fromkeys(("business_birth_rate", "business_death_rate"),
                    _rate("active enterprises")),
    "high_growth_rate": _none("its denominator (enterprises with 10+ employees) is not in the "
                              "evidence base"),
    "active_businesses": Aggregation("count"),
    **{f"survival_{n}y": _SURVIVAL for n in range(1, 6)},
    **dict.fromkeys(("exports", "berd", "fdi_inward", "fdi_outward"), _NOT_DISTRICT),
    **dict.fromkeys(("apprenticeship_starts", "apprenticeship_achievements"),
                    _rate("population aged 16+")),
    **{f"healthy_life_expectancy_{s}": _none("a life-table measure cannot be averaged")
       for s in ("male", "female")},
    **{w: _rate("population aged 16+") for w in ("life_satisfaction", "happiness",
                                                 "worthwhile", "anxiety")},
    **dict.fromkeys(("child_poverty_bhc", "child_poverty_ahc"), _rate("population aged 0-15")),
    "housing_affordability_ratio": _none("a ratio of medians cannot be aggregated"),
    "ghg_emissions_per_capita": _rate("population"),
    "gigabit_broadband": _none("its denominator (premises) is not in the evidence base"),
}


@dataclass(frozen=True)
class RegionValue:
    """One indicator for one area and period, with its comparator and provenance."""

    indicator_id: str
    region_code: str
    year: int | None
    period: str | None
    value: float | None
    lci_95: float | None
    uci_95: float | None
    method: str
    release: str | None
    release_date: pd.Timestamp | None
    comparator_code: str | None
    comparator_label: str | None
    comparator_value: float | None
    comparator_lci_95: float | None
    comparator_uci_95: float | None

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (one row of a table)."""
        return asdict(self)


def indicator_rows(table: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """Rows of the Explore-local-statistics table for one indicator, latest period per year.

    Raises
    ------
    KeyError
        If the table has no row for the indicator (the message names it).
    """
    if indicator_id not in INDICATORS:
        raise KeyError(f"unknown indicator {indicator_id!r}; known: {sorted(INDICATORS)}")
    spec: Indicator = INDICATORS[indicator_id]
    rows = table[table["indicator"] == spec.indicator]
    if rows.empty:
        raise KeyError(f"indicator {indicator_id!r} ({spec.indicator!r}) has no rows in the "
                       "explore_local table")
    # A year can hold several reference dates in some files: the latest one stands for it.
    return (rows.sort_values("period_start")
            .drop_duplicates(["areacd_original", "year"], keep="last"))


def _float(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def district_weights(weight: str, lad_codes: list[str], year: int, *,
                     population: pd.DataFrame | None = None,
                     productivity: pd.DataFrame | None = None,
                     demography: pd.DataFrame | None = None) -> tuple[pd.Series | None, str]:
    """Weights of ``lad_codes`` for a weight named in :data:`AGGREGATION`, and their source.

    Populations are ONS mid-2021 estimates (``population_mye2021``) whatever the year; hours
    worked and filled jobs come from the June 2024 productivity release (same year); active
    enterprises and births from ONS Business demography 2024 (same year). Returns ``(None,
    reason)`` when the table is not given or lacks a district.
    """
    if weight.startswith("population"):
        if population is None:
            return None, "no population table given"
        if weight == "population aged 16-64":
            parts = [population_totals(population, a).set_index("lad_code")["population"]
                     for a in _POP_16_64]
            w = sum(parts[1:], parts[0])
        else:
            w = population_totals(population).set_index("lad_code")["population"]
            if weight != "population":
                young = population_totals(population, "Aged 0 to 15").set_index("lad_code")
                w = w - young["population"] if weight == "population aged 16+" else young[
                    "population"]
        source = f"mid-2021 {weight} (ONS mid-year estimates)"
    elif weight in ("hours worked", "filled jobs"):
        if productivity is None:
            return None, "no productivity table given"
        measure = "hours_worked" if weight == "hours worked" else "filled_jobs"
        rows = productivity[(productivity["measure"] == measure)
                            & (productivity["year"] == year)]
        w = rows.set_index("area_code")["value"]
        source = f"{weight} {year} ({PRODUCTIVITY_RELEASE})"
    else:
        if demography is None:
            return None, "no business demography table given"
        measure = "active" if weight == "active enterprises" else "births"
        rows = demography[(demography["measure"] == measure) & (demography["year"] == year)]
        w = rows.groupby("lad_code")["count"].sum()
        source = f"{weight} {year} (ONS Business demography)"
    missing = sorted(set(lad_codes) - set(w.dropna().index))
    if missing:
        return None, f"no {weight} for {missing} in {year}"
    return w.reindex(lad_codes).astype(float), source


def _aggregate(rows: pd.DataFrame, indicator_id: str, lad_codes: list[str], year: int,
               tables: dict[str, pd.DataFrame | None]) -> tuple[float | None, str]:
    rule = AGGREGATION[indicator_id]
    if rule.kind == "none":
        return None, f"{NOT_AVAILABLE}: no published figure and {rule.reason}"
    got = rows[rows["areacd"].isin(lad_codes) & rows["observation"].notna()]
    if got["areacd"].duplicated().any():
        split = sorted(got.loc[got["areacd"].duplicated(), "areacd"])
        return None, f"{NOT_AVAILABLE}: districts {split} were several areas in {year}"
    missing = sorted(set(lad_codes) - set(got["areacd"]))
    if missing:
        return None, f"{NOT_AVAILABLE}: no published figure for districts {missing} in {year}"
    values = got.set_index("areacd")["observation"].astype(float).reindex(lad_codes)
    if rule.kind == "count":
        return float(values.sum()), "aggregated from districts (sum of counts)"
    weights, source = district_weights(rule.weight or "", lad_codes, year, **tables)
    if weights is None:
        return None, f"{NOT_AVAILABLE}: {source}"
    return (float((values * weights).sum() / weights.sum()),
            f"aggregated from districts, weighted by {source}")


def _published(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's area code and whether it has an observation, as arrays: a dashboard looks
    codes up hundreds of times, and array comparisons take microseconds where filtering the
    frame takes a millisecond."""
    return (rows["areacd"].to_numpy(dtype=object, na_value=None),
            rows["observation"].notna().to_numpy(dtype=bool))


def _comparator(rows: pd.DataFrame, year: int) -> dict[str, Any]:
    codes, observed = _published(rows)
    observed = observed & (rows["year"] == year).to_numpy(dtype=bool, na_value=False)
    for code, label in COMPARATORS.items():
        hit = np.flatnonzero((codes == code) & observed)
        if len(hit):
            r = rows.iloc[hit[0]]
            return {"comparator_code": code, "comparator_label": label,
                    "comparator_value": _float(r["observation"]),
                    "comparator_lci_95": _float(r["lci_95"]),
                    "comparator_uci_95": _float(r["uci_95"])}
    return dict.fromkeys(("comparator_code", "comparator_label", "comparator_value",
                          "comparator_lci_95", "comparator_uci_95"))


_PUBLISHED = {"E47": "published combined-authority figure", "E12": "published regional figure"}


def _value_in_year(rows: pd.DataFrame, indicator_id: str, region_code: str,
                   lad_codes: list[str], year: int,
                   tables: dict[str, pd.DataFrame | None]) -> RegionValue:
    in_year = rows[rows["year"] == year]
    codes, observed = _published(in_year)
    own = np.flatnonzero((codes == region_code) & observed)
    meta = in_year.iloc[0] if len(in_year) else None
    lci = uci = None
    if len(own):
        r = in_year.iloc[own[0]]
        value, lci, uci = _float(r["observation"]), _float(r["lci_95"]), _float(r["uci_95"])
        method = _PUBLISHED.get(region_code[:3], "published figure for the area")
        meta = r
    elif not lad_codes or lad_codes == [region_code]:
        value, method = None, f"{NOT_AVAILABLE}: not published for this area in {year}"
    else:
        value, method = _aggregate(in_year, indicator_id, lad_codes, year, tables)
    return RegionValue(
        indicator_id=indicator_id, region_code=region_code, year=year,
        period=None if meta is None else str(meta["period_label"]), value=value,
        lci_95=lci, uci_95=uci, method=method,
        release=None if meta is None else str(meta["release"]),
        release_date=None if meta is None else pd.Timestamp(meta["release_date"]),
        **_comparator(rows, year))


def region_value(table: pd.DataFrame, indicator_id: str, region_code: str,
                 lad_codes: list[str] | None, *, year: int | None = None,
                 population: pd.DataFrame | None = None,
                 productivity: pd.DataFrame | None = None,
                 demography: pd.DataFrame | None = None) -> RegionValue:
    """An indicator for a region (published, or aggregated from its districts) and comparator.

    Parameters
    ----------
    table
        The evidence table ``explore_local`` (columns of ``SCHEMA_EXPLORE_LOCAL``).
    indicator_id
        Key of :data:`wmresearch.evidence.indicators.INDICATORS`.
    region_code
        Combined authority (E47), region (E12) or district code.
    lad_codes
        Current district codes of the region (``[region_code]`` for a district; ``None``
        when unknown: only a published figure can then be used).
    year
        Year in which the period starts; default the latest year with a value for the region.
    population, productivity, demography
        Evidence tables ``population_mye2021``, ``productivity_lad``, ``business_demography``
        giving the weights (:func:`district_weights`).

    Returns
    -------
    RegionValue
        ``method`` says "published combined-authority figure", "aggregated from districts,
        weighted by ..." or "not available: <why>"; ``value`` is ``None`` when not available.
        The comparator is the first of :data:`COMPARATORS` ONS publishes for that year.

    Raises
    ------
    KeyError
        Unknown indicator, or no rows for it in ``table``.
    """
    rows = indicator_rows(table, indicator_id)
    lads = list(lad_codes) if lad_codes is not None else []
    tables = {"population": population, "productivity": productivity,
              "demography": demography}
    years = [year] if year is not None else sorted(rows["year"].dropna().unique(),
                                                   reverse=True)
    first: RegionValue | None = None
    for y in years:
        result = _value_in_year(rows, indicator_id, region_code, lads, int(y), tables)
        if result.value is not None:
            return result
        first = first or result
    assert first is not None  # indicator_rows guarantees at least one year
    return first


def region_series(table: pd.DataFrame, indicator_id: str, region_code: str,
                  lad_codes: list[str] | None, *, population: pd.DataFrame | None = None,
                  productivity: pd.DataFrame | None = None,
                  demography: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`region_value` for every year of the indicator (one row per year, oldest first)."""
    weights = {"population": population, "productivity": productivity,
               "demography": demography}
    lads = list(lad_codes) if lad_codes is not None else []
    # a year's value and comparator need only its rows, already one per area and year:
    # split once, rather than filter and deduplicate all of them again for every year
    return pd.DataFrame([_value_in_year(part, indicator_id, region_code, lads, int(y),
                                        weights).as_dict()
                         for y, part in indicator_rows(table, indicator_id).groupby("year")])


__all__ = ["AGGREGATION", "COMPARATORS", "PRODUCTIVITY_RELEASE", "Aggregation", "RegionValue",
           "district_weights", "indicator_rows", "region_series", "region_value"]
