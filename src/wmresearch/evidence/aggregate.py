"""Aggregating district statistics to a group of districts, like for like with the UK.

A group's rate (GVA per hour worked, GVA per filled job) is its total numerator over its
total denominator, i.e. the denominator-weighted mean of its districts' rates: this is how
ONS aggregates its subregional productivity estimates (ONS, *Subregional productivity:
labour productivity indices by UK NUTS2 and NUTS3 subregions*, methodology notes).

Published district rates are rounded (GVA per hour to 0.1 £), so a group aggregated from them
differs slightly from an unrounded one. Dividing it by ONS's published UK figure would mix an
aggregate of rounded values with an unrounded total; :func:`aggregate_rate` therefore builds
the UK comparator the same way, from every UK district's rounded rate and weight. For the
June 2024 release, 2022, the seven West Midlands Combined Authority districts give 86.8 like
for like (87.1 against the published UK £39.7).
"""

from __future__ import annotations

import pandas as pd

UK = "UKX"


def aggregate_rate(productivity: pd.DataFrame, lad_codes: list[str], rate: str,
                   weight: str) -> pd.DataFrame:
    """A rate for a group of districts and for the UK, by year: ``sum(r x w) / sum(w)``.

    Parameters
    ----------
    productivity
        Long table with ``area_code``, ``lad_code`` (NA for non-district rows such as the UK
        ``UKX``), ``measure``, ``year``, ``value`` (the evidence table ``productivity_lad``).
    lad_codes
        Current LAD codes of the group.
    rate, weight
        Measures, e.g. ``"gva_per_hour"`` weighted by ``"hours_worked"``.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``value`` (the group's rate), ``uk`` (the UK's rate aggregated the same way
        from all UK districts), ``uk_published`` (ONS's own UK figure, where present),
        ``relative`` (``value / uk x 100``), ``districts`` (districts with data that year).

    Raises
    ------
    KeyError
        If none of ``lad_codes`` has both measures.
    """
    wide = productivity.pivot_table(index=["area_code", "year"], columns="measure",
                                    values="value", aggfunc="first").reset_index()
    # districts are the rows with a LAD code (recoded districts keep their published code)
    is_lad = wide["area_code"].isin(set(productivity.loc[productivity["lad_code"].notna(),
                                                         "area_code"]))
    complete = wide.dropna(subset=[rate, weight]) if {rate, weight} <= set(wide) else wide[:0]
    codes = set(lad_codes) | set(productivity.loc[productivity["lad_code"].isin(lad_codes),
                                                   "area_code"])
    group = complete[complete["area_code"].isin(codes)]
    if group.empty:
        raise KeyError(f"no {rate} x {weight} values for districts {sorted(lad_codes)}")

    def combine(frame: pd.DataFrame) -> pd.Series:
        total = (frame[rate] * frame[weight]).groupby(frame["year"]).sum()
        return (total / frame.groupby("year")[weight].sum()).astype(float)

    uk_lads = complete[is_lad.loc[complete.index]]
    published = wide[wide["area_code"] == UK].set_index("year")
    out = pd.DataFrame({
        "value": combine(group),
        "uk": combine(uk_lads),
        "uk_published": published[rate].astype(float) if rate in published else float("nan"),
        "districts": group.groupby("year").size(),
    }).dropna(subset=["value", "uk"])
    out["relative"] = 100 * out["value"] / out["uk"]
    out["districts"] = out["districts"].astype(int)
    return out.rename_axis("year").reset_index()
