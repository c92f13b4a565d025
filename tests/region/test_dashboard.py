"""The dashboard and its key messages: trend rules by hand, real tables for three areas."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from wmresearch.evidence.indicators import INDICATORS, get_indicator
from wmresearch.evidence.population import get_population_mye2021
from wmresearch.region.dashboard import (
    NOT_PUBLISHED,
    board_summary,
    dashboard,
    format_value,
    trend,
)

WM7 = [f"E080000{i}" for i in range(25, 32)]
GM10 = [f"E080000{i:02d}" for i in range(1, 11)]
IDS = ["employment_rate", "claimant_count_rate", "median_weekly_pay", "high_growth_rate",
       "gva_per_hour", "child_poverty_bhc", "anxiety", "ghg_emissions_per_capita"]
EXTRA = ["happiness", "life_satisfaction", "worthwhile", "exports",
         "gdp_per_head_chained_volume"]


@pytest.mark.parametrize(("values", "higher", "expected"), [
    ([1, 2, 3], True, ("↑", "improving")),
    ([1, 2, 3], False, ("↑", "worsening")),
    ([3, 2, 1], False, ("↓", "improving")),
    ([3, 2, 1], None, ("↓", "falling")),
    ([100, 100.2, 100.1, 100.3], True, ("→", "little change")),  # 0.2% < 1% of level
    ([1, None, 2], True, ("", "fewer than 3 periods")),
    ([50, 1, 2, 3, 4, 5], True, ("↑", "improving")),  # only the last five count
])
def test_trend_hand_cases(values, higher, expected):
    assert trend(values, higher) == expected


def test_format_value():
    assert format_value(70.5, "%") == "70.5%"
    assert format_value(35.1827, "£") == "£35.18" and format_value(18900, "£") == "£18,900"
    assert format_value(None, "%") == NOT_PUBLISHED
    assert format_value(float("nan"), "£") == NOT_PUBLISHED


@pytest.fixture(scope="module")
def tables(mirror):
    els = pd.concat([get_indicator(i, mirror / INDICATORS[i].relpath).data
                     for i in IDS + EXTRA], ignore_index=True)
    pop = get_population_mye2021(mirror / "nomis/nomis_NM_2002_mye2021_lad.csv").data
    return {"explore_local": els, "population_mye2021": pop}


def _no_nan(board: pd.DataFrame) -> None:
    assert not board.isna().any().any()
    text = board.astype(str)
    for column in text:
        assert not text[column].str.contains(r"\bnan\b|\bNone\b|<NA>", flags=re.I).any(), \
            column


@pytest.fixture(scope="module")
def wmca(tables):
    return dashboard(tables, "E47000007", WM7, indicators=IDS)


def test_wmca_dashboard(wmca):
    _no_nan(wmca)
    assert wmca["indicator_id"].tolist() == IDS
    row = wmca.set_index("indicator_id")
    # ONS APS 2023 (16/04/2024): WMCA 70.5% (68.8-72.2), UK 75.7% (75.4-76.0), lowest of 15
    # combined authorities published for 2023.
    emp = row.loc["employment_rate"]
    assert emp["region_value"] == "70.5%" and emp["comparator"] == "75.7% (United Kingdom)"
    assert emp["rank"] == "15th of 15" and emp["significance"] == "significantly lower"
    assert emp["release"].startswith("16 April 2024")
    # Not aggregable and not published for CAs: words, not numbers.
    assert row.loc["high_growth_rate", "region_value"] == NOT_PUBLISHED
    # Wellbeing is not published for CAs: a population-weighted district mean.
    assert row.loc["anxiety", "method"].startswith("aggregated from districts")
    # ONS publishes the UK (less extra-regio, K99000002) in the same file: £41.87 per hour
    # in 2023 against WMCA's 35.72, so the row has a national figure.
    assert row.loc["gva_per_hour", "comparator"] == "£41.87 (UK less extra-regio)"
    assert row.loc["gva_per_hour", "region_value"] == "£35.72"
    assert set(wmca["trend"].str[0]) <= {"↑", "↓", "→", "f"}


def test_key_message_counts_are_taken_from_the_figures(wmca):
    summary = board_summary(wmca)
    assert summary["area"] == "West Midlands"  # the name ONS gives E47000007
    compared = wmca[~wmca["comparator"].str.startswith("no national")
                    & (wmca["region_value"] != NOT_PUBLISHED)]
    # IDS has 7 compared indicators, each alone in its group: measures equal indicators
    assert summary["indicators"] == summary["measures"] == len(compared)
    assert summary["better"] + summary["worse"] == summary["measures"]
    # employment 70.5% against the UK's 75.7%: a shortfall of 6.9%; the largest shortfall
    # is the most negative relative gap, signed by the indicator's direction
    gaps = summary["shortfalls"]["gap"].tolist()
    assert gaps == sorted(gaps) and all(g < 0 for g in gaps)
    emp = wmca.set_index("indicator_id").loc["employment_rate"]
    assert emp["significance"] == "significantly lower"
    assert summary["significant"] >= 1 and summary["tested"] >= summary["significant"]
    assert summary["missing"] == int((wmca["region_value"] == NOT_PUBLISHED).sum())


def test_correlated_indicators_count_once(tables):
    board = dashboard(tables, "E47000007", WM7, indicators=[
        "anxiety", "happiness", "life_satisfaction", "worthwhile", "employment_rate"])
    summary = board_summary(board)
    # four wellbeing scores are one measure; with employment, two measures from five
    assert (summary["measures"], summary["indicators"]) == (2, 5)


def test_totals_are_not_ranked_and_nominal_trends_are_marked(tables):
    board = dashboard(tables, "E47000007", WM7,
                      indicators=["exports", "median_weekly_pay",
                                  "gdp_per_head_chained_volume"]).set_index("indicator_id")
    assert board.loc["exports", "rank"] == "not ranked: a total, not a rate"
    assert board.loc["median_weekly_pay", "trend"].endswith("(nominal)")
    assert "improving" not in board.loc["median_weekly_pay", "trend"]
    assert not board.loc["gdp_per_head_chained_volume", "trend"].endswith("(nominal)")


@pytest.mark.parametrize(("code", "lads"), [("E47000001", GM10), ("E08000025", None)])
def test_other_areas(tables, code, lads):
    board = dashboard(tables, code, lads, indicators=IDS)
    _no_nan(board)
    assert len(board) == len(IDS) and board_summary(board)["total"] == len(IDS)
    emp = board.set_index("indicator_id").loc["employment_rate"]
    if code == "E08000025":
        # Birmingham, APS 2023: 65.9%; a district is not ranked among combined authorities.
        assert emp["region_value"] == "65.9%" and emp["rank"].startswith("not ranked")
    else:
        # Greater Manchester CA, APS 2023: 71.9%, 13th of 15.
        assert emp["region_value"] == "71.9%" and emp["rank"] == "13th of 15"
