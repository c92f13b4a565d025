"""Descriptive baselines for a programme's area: productivity against the UK over time.

These are context statistics, not impact estimates: a before/after change in the gap to the
UK has no counterfactual. Causal estimators (difference-in-differences, synthetic control)
build on the same tables.
"""

from __future__ import annotations

import pandas as pd

from wmresearch.evidence.aggregate import aggregate_rate


def region_productivity(productivity: pd.DataFrame, lad_codes: list[str]) -> pd.DataFrame:
    """GVA per hour worked of a group of LADs and of the UK, by year.

    The group's figure is its total GVA over its total hours (ONS subregional productivity
    methodology), computed by :func:`wmresearch.evidence.aggregate.aggregate_rate`.

    Returns
    -------
    pandas.DataFrame
        year, region, uk, relative (region / uk x 100).
    """
    rate = aggregate_rate(productivity, lad_codes, "gva_per_hour", "hours_worked")
    return rate.rename(columns={"value": "region"})


def before_after_gap(series: pd.DataFrame, start_year: int, window: int = 3) -> dict[str, float]:
    """Mean relative productivity in the ``window`` years before and from ``start_year``."""
    before = series[(series["year"] < start_year) & (series["year"] >= start_year - window)]
    after = series[(series["year"] >= start_year) & (series["year"] < start_year + window)]
    result = {"before_mean_relative": float(before["relative"].mean()),
              "after_mean_relative": float(after["relative"].mean()),
              "years_before": len(before), "years_after": len(after)}
    result["change_points"] = result["after_mean_relative"] - result["before_mean_relative"]
    return result
