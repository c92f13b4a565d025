"""The data of the place-based evaluation: the donor pool and the panel of the combined
authority's aggregate against its donor districts.

:func:`donor_pool` lists the donors and every candidate left out with its reason;
:func:`place_panel` builds the balanced panel the synthetic control of
:mod:`wmresearch.evaluation.place` is fitted on (the reasons for the design are in that
module's docstring); :func:`area_gva` gives the area's annual GVA.

References
----------
ONS (2024), *Subregional productivity: labour productivity indices by local authority district*,
June 2024 release.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wmresearch.evidence.aggregate import aggregate_rate

ENGLAND = "E92000001"
LONDON = "E12000007"
RATE, WEIGHT = "gva_per_hour", "hours_worked"
OUTCOME = "log_gva_per_hour"
#: ONS hours worked are average weekly hours; annual hours are 52 x weekly (ONS subregional
#: productivity methodology), so annual GVA = GVA per hour x weekly hours x 52.
WEEKS = 52
#: GSS code types of single-tier districts: unitary authorities and metropolitan districts.
SINGLE_TIER = ("E06", "E08")


@dataclass(frozen=True)
class DonorPool:
    """Donor districts and every candidate left out, with the reason."""

    donors: tuple[str, ...]
    excluded: pd.DataFrame
    candidates: int

    def counts(self) -> dict[str, int]:
        """Candidates left out, by reason (for the report and the metrics)."""
        return self.excluded["reason"].value_counts().sort_index().to_dict()


def _series_complete(productivity: pd.DataFrame, years: Sequence[int]) -> pd.Series:
    """Per current LAD code: True if GVA per hour and hours are published in every year."""
    sub = productivity[productivity["lad_code"].notna()
                       & productivity["measure"].isin([RATE, WEIGHT])
                       & productivity["year"].isin(list(years))
                       & productivity["value"].notna()]
    counts = sub.groupby("lad_code")["measure"].count()
    return counts == 2 * len(years)


def _mean_hours(productivity: pd.DataFrame, years: Sequence[int]) -> pd.Series:
    """Per current LAD code: mean weekly hours worked over ``years`` (the size of its economy)."""
    sub = productivity[(productivity["measure"] == WEIGHT)
                       & productivity["year"].isin(list(years))]
    return sub.groupby("lad_code")["value"].mean()


def donor_pool(lookup: pd.DataFrame, productivity: pd.DataFrame, treated_lads: Sequence[str],
               *, years: Sequence[int], country: str = ENGLAND,
               exclude_regions: Sequence[str] = (LONDON,),
               tiers: Sequence[str] | None = SINGLE_TIER,
               min_size: float | None = None) -> DonorPool:
    """English districts outside any combined authority with a complete productivity series.

    Candidates are the current districts of ``country`` in the ONS code history
    (``lad_lookup``). A candidate is excluded, with its reason, if it is treated, if any of its
    codes belongs to a combined authority, if it lies in ``exclude_regions`` (London: an
    elected mayor since 2000), if its code type is not one of ``tiers`` (default: unitary and
    metropolitan districts; ``None`` keeps every district), if GVA per hour or hours worked
    is missing in any of ``years``, or, with ``min_size``, if its economy (mean weekly hours
    worked over ``years``) is smaller than ``min_size`` times the smallest treated district's:
    a synthetic control should be built from units like the treated one (Abadie 2021, J.
    Econ. Lit. 59(2), on the donor pool), and a very small district's estimates are the
    noisiest.
    Candidates = donors + excluded.

    Raises
    ------
    ValueError
        If fewer than 2 donors remain.
    """
    current = lookup[lookup["lad_code"] == lookup["lad_code_active"]]
    candidates = current[current["country_code"] == country]
    in_ca = lookup.loc[lookup["cauth_code"].notna()]
    ca_of = dict(zip(in_ca["lad_code_active"], in_ca["cauth_code"] + " " + in_ca["cauth_name"],
                     strict=False))
    complete = _series_complete(productivity, years)
    hours = _mean_hours(productivity, years)
    floor = None if min_size is None else \
        min_size * float(hours.reindex(list(treated_lads)).min())
    rows, donors = [], []
    for code, name, region in candidates[["lad_code", "lad_name", "region_code"]].itertuples(
            index=False):
        if code in treated_lads:
            reason = "treated district"
        elif code in ca_of:
            reason = "in a combined authority"
        elif region in exclude_regions:
            reason = "London borough: elected mayor (GLA) since 2000"
        elif tiers is not None and code[:3] not in tiers:
            reason = "two-tier (shire) district: not similar to the metropolitan districts"
        elif not complete.get(code, False):
            reason = f"incomplete {RATE} or {WEIGHT} series {min(years)}-{max(years)}"
        elif floor is not None and hours.get(code, 0.0) < floor:
            reason = (f"economy under {min_size:.0%} of the smallest treated district's "
                      f"(mean hours worked {min(years)}-{max(years)})")
        else:
            donors.append(code)
            continue
        rows.append({"lad_code": code, "lad_name": name, "reason": reason,
                     "combined_authority": ca_of.get(code)})
    if len(donors) < 2:
        raise ValueError(f"donor pool: only {len(donors)} districts of {country} qualify")
    excluded = pd.DataFrame(rows, columns=["lad_code", "lad_name", "reason",
                                           "combined_authority"])
    return DonorPool(tuple(sorted(donors)), excluded, len(candidates))


def treated_series(productivity: pd.DataFrame, treated_lads: Sequence[str],
                   years: Sequence[int]) -> pd.DataFrame:
    """Hours-weighted GVA per hour and total weekly hours of the treated districts, by year.

    ``sum(rate x hours) / sum(hours)`` (ONS aggregation, via
    :func:`wmresearch.evidence.aggregate.aggregate_rate`).

    Raises
    ------
    ValueError
        Naming the year in which some treated district has no data (an aggregate of fewer
        districts would not be the same area).
    """
    rate = aggregate_rate(productivity, list(treated_lads), RATE, WEIGHT).set_index("year")
    missing = [y for y in years if y not in rate.index
               or rate.loc[y, "districts"] != len(treated_lads)]
    if missing:
        raise ValueError(f"treated area: GVA per hour or hours worked missing for some of "
                         f"districts {sorted(treated_lads)} in year(s) {missing}")
    hours = productivity[productivity["lad_code"].isin(treated_lads)
                         & (productivity["measure"] == WEIGHT)].groupby("year")["value"].sum()
    out = pd.DataFrame({RATE: rate.loc[list(years), "value"].astype(float),
                        WEIGHT: hours.reindex(list(years)).astype(float)})
    return out.rename_axis("year").reset_index()


def place_panel(productivity: pd.DataFrame, treated_lads: Sequence[str], donors: Sequence[str],
                *, treated_unit: str, years: Sequence[int]) -> pd.DataFrame:
    """Balanced long panel: unit, year, gva_per_hour, hours_worked, log_gva_per_hour.

    The treated unit (labelled ``treated_unit``, e.g. the combined-authority code) is the
    hours-weighted aggregate of ``treated_lads``; each donor is one district.
    """
    treated = treated_series(productivity, treated_lads, years).assign(unit=treated_unit)
    sub = productivity[productivity["lad_code"].isin(donors)
                       & productivity["measure"].isin([RATE, WEIGHT])
                       & productivity["year"].isin(list(years))]
    wide = (sub.pivot_table(index=["lad_code", "year"], columns="measure", values="value",
                            aggfunc="first").reset_index().rename(columns={"lad_code": "unit"}))
    panel = pd.concat([treated, wide[["unit", "year", RATE, WEIGHT]]], ignore_index=True)
    panel = panel.astype({"year": int, RATE: float, WEIGHT: float})
    panel[OUTCOME] = np.log(panel[RATE])
    expected = (len(donors) + 1) * len(years)
    if len(panel) != expected or panel[OUTCOME].isna().any():
        raise ValueError(f"place panel: expected {expected} complete unit-years, got "
                         f"{len(panel.dropna())}")
    return panel.sort_values(["unit", "year"]).reset_index(drop=True)


def area_gva(productivity: pd.DataFrame, lads: Sequence[str], year: int | None = None
             ) -> tuple[int, float]:
    """Annual GVA (£) of a group of districts: ``sum(GVA per hour x weekly hours x 52)``.

    The latest year with every district's data unless ``year`` is given.
    """
    sub = productivity[productivity["lad_code"].isin(lads)
                       & productivity["measure"].isin([RATE, WEIGHT])]
    wide = sub.pivot_table(index=["year", "lad_code"], columns="measure", values="value",
                           aggfunc="first").dropna()
    full = wide.groupby("year").size()
    full = full[full == len(set(lads))]
    if full.empty:
        raise KeyError(f"no year with GVA per hour and hours for all districts {sorted(lads)}")
    year = int(full.index.max()) if year is None else year
    one = wide.loc[year]
    return year, float((one[RATE] * one[WEIGHT]).sum() * WEEKS)


__all__ = ["ENGLAND", "LONDON", "OUTCOME", "RATE", "SINGLE_TIER", "WEEKS", "WEIGHT", "DonorPool",
           "area_gva", "donor_pool", "place_panel", "treated_series"]
