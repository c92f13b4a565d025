r"""The devolution panel: outcomes by current district and year, and mayoral cohorts.

Used by :mod:`wmresearch.evaluation.devolution` (which re-exports everything here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

LONDON = "E12000007"


@dataclass(frozen=True)
class Outcome:
    """Where an outcome comes from: evidence table, series, log or level, years."""

    table: str
    series: str
    label: str
    log: bool
    first: int
    last: int
    note: str = ""


#: The outcomes of the devolution panel (keys are the panel's outcome column names).
OUTCOMES: dict[str, Outcome] = {
    "log_gva_per_hour": Outcome(
        "productivity_lad", "gva_per_hour", "log GVA per hour worked (June 2024 workbook)",
        True, 2004, 2022),
    "log_gva_per_job": Outcome(
        "productivity_lad", "gva_per_job", "log GVA per filled job (June 2024 workbook)",
        True, 2002, 2022),
    "log_gva_per_hour_2025": Outcome(
        "explore_local", "Gross value added per hour worked",
        "log GVA per hour worked (later release, Explore local statistics)", True, 2004,
        2023),
    "log_gva_per_job_2025": Outcome(
        "explore_local", "Gross value added per filled job",
        "log GVA per filled job (later release, Explore local statistics)", True, 2002, 2023),
    "employment_rate": Outcome(
        "explore_local", "Employment rate", "employment rate, % of residents 16-64 (APS)",
        False, 2004, 2023),
    "log_gdhi_per_head": Outcome(
        "explore_local", "Gross disposable household income",
        "log gross disposable household income per head (GBP, current prices)", True,
        2004, 2023),
    "log_gdp_per_head_real": Outcome(
        "explore_local", "Gross domestic product per head in chained volume measure",
        "log real GDP per head (chained volume, GBP)", True, 2004, 2023),
    "claimant_rate": Outcome(
        "explore_local", "Claimant Count", "claimant count, % of residents 16-64", False,
        2004, 2024),
    "business_birth_rate": Outcome(
        "business_demography", "births/active", "business births, % of active enterprises",
        False, 2019, 2024,
        note="starts 2019: the 2017-2019 cohorts have no pre-period and are not estimated"),
}


def outcome_series(key: str, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One outcome by current district and year, in levels, from the evidence tables.

    Parameters
    ----------
    key : a key of :data:`OUTCOMES`.
    tables : evidence tables by name (``productivity_lad``, ``explore_local``,
        ``business_demography`` as needed).

    Returns
    -------
    pandas.DataFrame
        ``lad_code``, ``year``, ``value`` (one row per district and year; suppressed or
        missing values dropped). The business birth rate is
        :math:`100 \times \text{births}/\text{active}` after adding former districts'
        counts into their current district (ONS's definition of the birth rate).
    """
    spec = OUTCOMES[key]
    data = tables[spec.table]
    if spec.table == "productivity_lad":
        d = data[(data["measure"] == spec.series) & data["lad_code"].notna()]
        out = d[["lad_code", "year", "value"]]
    elif spec.table == "explore_local":
        d = data[(data["indicator"] == spec.series)
                 & data["areacd"].astype(str).str.match(r"^[EW]0[6-9]\d{6}$")
                 & ~data["suppressed"].fillna(False).astype(bool)]
        out = d.rename(columns={"areacd": "lad_code", "observation": "value"})[
            ["lad_code", "year", "value"]]
    else:
        counts = (data[data["measure"].isin(["births", "active"])]
                  .groupby(["lad_code", "year", "measure"])["count"].sum()
                  .unstack("measure"))
        out = (100 * counts["births"] / counts["active"]).rename("value").reset_index()
    out = pd.DataFrame({"lad_code": out["lad_code"].astype(str),
                        "year": pd.to_numeric(out["year"]).astype(int),
                        "value": pd.to_numeric(out["value"], errors="coerce").astype(float)})
    out = out.dropna(subset=["value"])
    if out.duplicated(["lad_code", "year"]).any():
        raise ValueError(f"{key}: several values for one district and year in "
                         f"{spec.table}")
    return out.sort_values(["lad_code", "year"]).reset_index(drop=True)


def devolution_panel(series: pd.DataFrame, districts: pd.DataFrame, lookup: pd.DataFrame, *,
                     outcome: str, log: bool = False, first: int | None = None,
                     last: int | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    r"""Balanced district panel for England outside London with mayoral cohorts.

    Parameters
    ----------
    series : ``lad_code``, ``year``, ``value`` (:func:`outcome_series`).
    districts : the ``mayoral_districts`` evidence table.
    lookup : the ``lad_lookup`` evidence table (current English districts, their region).
    outcome : name of the outcome column; ``log`` takes :math:`\ln` of the value.
    first, last : years kept (default: the series' range).

    Returns
    -------
    (pandas.DataFrame, dict)
        The panel: ``lad_code``, ``year``, ``authority`` (the combined authority's code for
        a district of a mayoral authority, else the district's code: the cluster),
        ``ca_code`` (any combined authority, incl. those without a mayor), ``cohort``
        (first treated year; 0 for never treated and for authorities first treated after
        ``last``), ``future_cohort`` (the actual first year, 0 if none), ``composition
        _changed`` and the outcome. And the accounting: districts in England outside
        London, dropped for no data, for gaps (both: ``dropped_incomplete``), or for having
        no pre-period (cohort
        :math:`\le` ``first``), kept, and districts and authorities per cohort.
    """
    active = lookup[(lookup["lad_code"] == lookup["lad_code_active"])
                    & (lookup["country_code"].astype(str) == "E92000001")]
    london = active["region_code"].astype(str) == LONDON
    universe = active.loc[~london, "lad_code"].astype(str)
    first = int(series["year"].min()) if first is None else int(first)
    last = int(series["year"].max()) if last is None else int(last)
    years = list(range(first, last + 1))
    s = series[series["lad_code"].isin(universe) & series["year"].between(first, last)]
    wide = s.pivot(index="lad_code", columns="year", values="value").reindex(
        index=universe, columns=years)
    if log:
        wide = wide.where(wide > 0)
        wide = np.log(wide)
    no_data = wide.isna().all(axis=1)
    gaps = wide.notna().any(axis=1) & wide.isna().any(axis=1)
    info = districts.set_index("lad_code")
    mayoral = info["treatment_year"].notna()
    future = info["treatment_year"].where(mayoral, 0).astype(int)
    units = pd.DataFrame(index=wide.index)
    units["future_cohort"] = future.reindex(units.index).fillna(0).astype(int)
    units["cohort"] = units["future_cohort"].where(units["future_cohort"] <= last, 0)
    units["ca_code"] = info["ca_code"].reindex(units.index).astype(object)
    units["authority"] = np.where(
        mayoral.reindex(units.index, fill_value=False).to_numpy(), units["ca_code"],
        units.index.to_numpy())
    units["composition_changed"] = info["composition_changed"].reindex(
        units.index, fill_value=False).astype(bool)
    no_pre = (units["cohort"] > 0) & (units["cohort"] <= first)
    keep = ~(no_data | gaps | no_pre)
    kept = units[keep]
    panel = (wide[keep].rename_axis(index="lad_code", columns="year").stack()
             .rename(outcome).reset_index())
    panel = panel.merge(kept.reset_index(names="lad_code"), on="lad_code")
    panel = panel[["lad_code", "year", "authority", "ca_code", "cohort", "future_cohort",
                   "composition_changed", outcome]].sort_values(["lad_code", "year"])
    per_cohort = kept.groupby("cohort").agg(districts=("authority", "size"),
                                            authorities=("authority", "nunique"))
    accounting = {
        "outcome": outcome, "first": first, "last": last,
        "districts_england": int(len(active)), "london_excluded": int(london.sum()),
        "districts_outside_london": int(len(universe)),
        "dropped_no_data": int(no_data.sum()), "dropped_gaps": int(gaps.sum()),
        "dropped_incomplete": int((no_data | gaps).sum()),
        "dropped_no_pre_period": int((no_pre & ~no_data & ~gaps).sum()),
        "cohorts_without_pre_period": sorted(int(c) for c in units.loc[no_pre, "cohort"]
                                             .unique()),
        "districts_kept": int(keep.sum()),
        "treated_districts": int((kept["cohort"] > 0).sum()),
        "treated_authorities": int(kept.loc[kept["cohort"] > 0, "authority"].nunique()),
        "future_treated_controls": int(((kept["cohort"] == 0)
                                        & (kept["future_cohort"] > 0)).sum()),
        "per_cohort": {int(c): {"districts": int(r["districts"]),
                                "authorities": int(r["authorities"])}
                       for c, r in per_cohort.iterrows()},
    }
    return panel.reset_index(drop=True), accounting


__all__ = ["LONDON", "OUTCOMES", "Outcome", "devolution_panel", "outcome_series"]
