"""Named areas resolved through the ONS code history, and their totals and rates."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.geography import current_lad_codes, get_la_codes
from wmresearch.evidence.productivity import get_productivity_lad
from wmresearch.region.areas import (
    Area,
    AreaError,
    area_rate,
    area_total,
    itl2_cover,
    load_areas,
    resolve_area,
)

WM7 = [f"E080000{i}" for i in range(25, 32)]


@pytest.fixture(scope="module")
def lookup(mirror):
    return get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                        mirror / "geography/cauth_all_codes.csv.gz").data


def test_wmca_is_the_seven_metropolitan_boroughs(lookup):
    area = resolve_area("wmca", lookup)
    assert area.lad_codes == WM7
    assert resolve_area("E47000007", lookup).lad_codes == WM7


def test_midlands_engine_is_the_union_of_the_two_regions(lookup):
    area = resolve_area("midlands_engine", lookup)
    east = resolve_area("E12000004", lookup)
    west = resolve_area("E12000005", lookup)
    assert set(area.lads) == set(east.lads) | set(west.lads)
    assert not set(east.lads) & set(west.lads)
    # ONS, Local Authority Districts (April 2023): 35 in the East Midlands, 30 in the West
    assert (len(east.lads), len(west.lads)) == (35, 30)


def test_three_lep_area_lists_its_2019_districts_by_lep(lookup):
    spec = load_areas()["wm_three_lep"]
    assert "LEP" in spec["source"] and "2019" in spec["source"]
    sizes = {group: len(codes) for group, codes in spec["groups"].items()}
    assert sizes == {"Greater Birmingham and Solihull": 9, "Black Country": 4,
                     "Coventry and Warwickshire": 6}
    area = resolve_area("wm_three_lep", lookup)
    assert len(area.lads) == 19 and set(WM7) <= set(area.lads)
    assert set(lookup.loc[lookup["lad_code_active"].isin(area.lads), "region_code"]) == \
        {"E12000005"}


def test_a_replaced_district_code_resolves_to_its_successor(lookup):
    # Aylesbury Vale (E07000004) became part of Buckinghamshire (E06000060) in April 2020
    assert resolve_area("E07000004", lookup).lad_codes == ["E06000060"]


def test_unknown_code_is_named(lookup):
    with pytest.raises(AreaError, match=r"area 'bad': unknown area code 'E12999999'"):
        resolve_area("bad", lookup, {"bad": {"members": ["E12000005", "E12999999"]}})
    with pytest.raises(AreaError, match="unknown area 'nowhere'"):
        resolve_area("nowhere", lookup)


def test_overlapping_members_are_named(lookup):
    with pytest.raises(AreaError, match=r"members E12000005 and E47000007 overlap \(both "
                                        r"contain E08000025"):
        resolve_area("x", lookup, {"x": {"members": ["E12000005", "E47000007"]}})
    with pytest.raises(AreaError, match="member E08000025 is listed twice"):
        resolve_area("x", lookup, {"x": {"groups": {"a": ["E08000025"],
                                                    "b": ["E08000025"]}}})


def test_total_is_a_sum_and_a_missing_district_is_named():
    frame = pd.DataFrame({"lad_code": ["A", "B", "A"], "year": [2020, 2020, 2021],
                          "jobs": [1.0, 2.0, 5.0]})
    area = Area(key="toy", name="toy", lads={"A": "a", "B": "b"})
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


def test_itl2_cover_is_exact_only_when_no_district_is_outside_or_split():
    lad_itl = pd.DataFrame({"lad_code": ["A", "B", "C", "D"], "itl2_code": ["X", "X", "Y", "Y"],
                            "share": [1.0, 1.0, 1.0, 1.0]})
    assert itl2_cover(Area(key="ab", name="ab", lads={"A": "a", "B": "b"}), lad_itl) == \
        (["X"], True)
    assert itl2_cover(Area(key="abc", name="abc", lads={"A": "a", "B": "b", "C": "c"}),
                      lad_itl) == (["X", "Y"], False)
