"""Totals and rates over a study area: sums over districts, rates weighted by their
denominators."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.area import AreaError, StudyArea, resolve_area
from wmresearch.evidence.geography import current_lad_codes, get_la_codes
from wmresearch.evidence.productivity import get_productivity_lad
from wmresearch.region.aggregates import area_rate, area_total

WM7 = [f"E080000{i}" for i in range(25, 32)]


@pytest.fixture(scope="module")
def lookup(mirror):
    return get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                        mirror / "geography/cauth_all_codes.csv.gz").data


def test_total_is_a_sum_and_a_missing_district_is_named():
    frame = pd.DataFrame({"lad_code": ["A", "B", "A"], "year": [2020, 2020, 2021],
                          "jobs": [1.0, 2.0, 5.0]})
    area = StudyArea(key="toy", name="toy", lads={"A": "a", "B": "b"})
    with pytest.raises(AreaError, match="jobs missing for B in year 2021"):
        area_total(frame, area, "jobs")
    assert area_total(frame[frame["year"] == 2020], area, "jobs").to_dict() == {2020: 3.0}


def test_rates_weight_districts_by_hours_and_the_uk_matches_its_published_figure(mirror,
                                                                              lookup):
    # ONS subregional productivity (June 2024): UK GVA per hour 2022 £39.7 as printed. The UK
    # rebuilt from every district's rate and hours gives £39.8 (district hours do not sum to
    # the UK's exactly), so an area is compared with that like-for-like UK.
    productivity = get_productivity_lad(
        mirror / "ons/labour_productivity_local_authorities_2024.xls",
        current_lad_codes(lookup)).data
    rate = area_rate(productivity, resolve_area("wmca", lookup), "gva_per_hour",
                     "hours_worked").set_index("year")
    assert rate.loc[2022, "uk_published"] == pytest.approx(39.7, abs=1e-9)
    assert round(rate.loc[2022, "uk"], 1) == 39.8
    # the WMCA's rate by hand from its seven districts' published rates and hours
    wide = productivity[(productivity["year"] == 2022) & productivity["area_code"].isin(WM7)
                        ].pivot_table(index="area_code", columns="measure", values="value")
    by_hand = (wide["gva_per_hour"] * wide["hours_worked"]).sum() / wide["hours_worked"].sum()
    assert rate.loc[2022, "value"] == pytest.approx(by_hand, rel=1e-12)
    assert round(rate.loc[2022, "relative"], 1) == 86.8
