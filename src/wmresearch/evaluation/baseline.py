"""Descriptive baselines for a programme's area: productivity against the UK over time.

These are context statistics, not impact estimates: a before/after change in the gap to the
UK has no counterfactual. Causal estimators (difference-in-differences, synthetic control)
build on the same tables.
"""

from __future__ import annotations

import pandas as pd


def region_productivity(productivity: pd.DataFrame, lad_codes: list[str]) -> pd.DataFrame:
    """GVA per hour of a group of LADs and of the UK, by year.

    The region's figure is GVA divided by hours, i.e. the hours-weighted mean of its LADs'
    GVA per hour (ONS subregional productivity methodology); where hours are not available it
    falls back to the unweighted mean.

    Returns
    -------
    pandas.DataFrame
        year, region, uk, relative (region / uk x 100).
    """
    wide = productivity.pivot_table(index=["area_code", "year"], columns="measure",
                                    values="value", aggfunc="first").reset_index()
    lads = wide[wide["area_code"].isin(lad_codes)].copy()
    if lads.empty:
        raise KeyError(f"none of {lad_codes} is in the productivity table")
    if "hours_worked" in lads and lads["hours_worked"].notna().all():
        lads["gva"] = lads["gva_per_hour"] * lads["hours_worked"]
        region = lads.groupby("year")[["gva", "hours_worked"]].sum()
        region = region["gva"] / region["hours_worked"]
    else:
        region = lads.groupby("year")["gva_per_hour"].mean()
    uk = wide[wide["area_code"] == "UKX"].set_index("year")["gva_per_hour"]
    out = pd.DataFrame({"region": region.astype(float), "uk": uk.astype(float)}).dropna()
    out["relative"] = 100 * out["region"] / out["uk"]
    return out.reset_index().rename(columns={"index": "year"})


def before_after_gap(series: pd.DataFrame, start_year: int, window: int = 3) -> dict[str, float]:
    """Mean relative productivity in the ``window`` years before and from ``start_year``."""
    before = series[(series["year"] < start_year) & (series["year"] >= start_year - window)]
    after = series[(series["year"] >= start_year) & (series["year"] < start_year + window)]
    result = {"before_mean_relative": float(before["relative"].mean()),
              "after_mean_relative": float(after["relative"].mean()),
              "years_before": len(before), "years_after": len(after)}
    result["change_points"] = result["after_mean_relative"] - result["before_mean_relative"]
    return result
