"""The study area: codes and named areas resolved through the ONS code history, their ITL areas
and their peers."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.area import (
    AreaError,
    load_areas,
    resolve_area,
)
from wmresearch.evidence.geography import get_la_codes

WM7 = [f"E080000{i}" for i in range(25, 32)]


@pytest.fixture(scope="module")
def lookup(mirror):
    return get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                        mirror / "geography/cauth_all_codes.csv.gz").data


def test_wmca_is_the_seven_metropolitan_boroughs(lookup):
    area = resolve_area("wmca", lookup)
    assert area.lad_codes == WM7 and area.code == "E47000007"
    by_code = resolve_area("E47000007", lookup)
    assert by_code.lad_codes == WM7 and by_code.name == "West Midlands Combined Authority"
    assert by_code.kind == "combined authority"


def test_midlands_engine_is_the_union_of_the_two_regions(lookup):
    area = resolve_area("midlands_engine", lookup)
    east = resolve_area("E12000004", lookup)
    west = resolve_area("E12000005", lookup)
    assert set(area.lads) == set(east.lads) | set(west.lads)
    assert not set(east.lads) & set(west.lads)
    # ONS, Local Authority Districts (April 2023): 35 in the East Midlands, 30 in the West
    assert (len(east.lads), len(west.lads)) == (35, 30)
    assert west.name == "West Midlands region" and west.code == "E12000005"
    # a union has no ONS code of its own: its figures are built from its districts
    assert area.code == "midlands_engine" and area.kind == "region"


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
    area = resolve_area("E07000004", lookup)
    assert area.lad_codes == ["E06000060"] and area.code == "E06000060"
    assert area.kind == "district" and area.name == "Buckinghamshire"


def test_unknown_code_or_key_is_named(lookup):
    with pytest.raises(AreaError, match=r"area 'bad': unknown area code 'E12999999'"):
        resolve_area("bad", lookup, areas={"bad": {"members": ["E12000005", "E12999999"]}})
    with pytest.raises(AreaError, match=r"unknown area 'nowhere': not a named area \("
                                        r"midlands_engine, wm_three_lep, wmca\)"):
        resolve_area("nowhere", lookup)
    with pytest.raises(AreaError, match="unknown area code 'E47999999'"):
        resolve_area("E47999999", lookup)


def test_overlapping_members_are_named(lookup):
    with pytest.raises(AreaError, match=r"members E12000005 and E47000007 overlap \(both "
                                        r"contain E08000025"):
        resolve_area("x", lookup, areas={"x": {"members": ["E12000005", "E47000007"]}})
    with pytest.raises(AreaError, match="member E08000025 is listed twice"):
        resolve_area("x", lookup, areas={"x": {"groups": {"a": ["E08000025"],
                                                          "b": ["E08000025"]}}})


def test_peers_match_the_kind_of_area(lookup):
    wmca = resolve_area("E47000007", lookup).peers
    assert (wmca.prefix, wmca.own, wmca.excluded) == ("E47", "E47000007", ())
    # regions against regions: the Midlands Engine's own two regions are not its peers
    engine = resolve_area("midlands_engine", lookup).peers
    assert (engine.label, engine.prefix, engine.own) == ("English regions", "E12", None)
    assert engine.excluded == ("E12000004", "E12000005")
    # no figures for LEP areas: combined authorities, less the one sharing its districts
    lep = resolve_area("wm_three_lep", lookup).peers
    assert (lep.kind, lep.excluded) == ("combined authority", ("E47000007",))
    assert "Local Enterprise Partnership" in lep.reason
    # a district against the other districts of its region (30 in the West Midlands)
    birmingham = resolve_area("E08000025", lookup).peers
    assert birmingham.label == "districts of the West Midlands region"
    assert len(birmingham.codes) == 30 and birmingham.selects("E08000025")


def _lad_itl(rows):
    return pd.DataFrame(rows, columns=["lad_code", "lad_name", "itl3_code", "itl3_name",
                                       "itl2_code", "share", "primary"])


def test_itl_areas_are_exact_only_when_no_district_outside_shares_them():
    lookup = pd.DataFrame({"lad_code": list("ABCD"), "lad_name": list("abcd"),
                           "lad_code_active": list("ABCD"), "lad_name_active": list("abcd"),
                           "cauth_code": [None] * 4, "cauth_name": [None] * 4,
                           "region_code": [None] * 4, "region_name": [None] * 4,
                           "country_code": ["E92000001"] * 4})
    lad_itl = _lad_itl([("A", "a", "X1", "x1", "X", 1.0, True),
                        ("B", "b", "X2", "x2", "X", 0.6, True),
                        ("B", "b", "Y1", "y1", "Y", 0.4, False),
                        ("C", "c", "Y1", "y1", "Y", 1.0, True),
                        ("D", "d", "Y2", "y2", "Y", 1.0, True)])
    areas = {"ab": {"members": ["A", "B"]}, "abcd": {"members": list("ABCD")}}
    ab = resolve_area("ab", lookup, lad_itl=lad_itl, areas=areas,
                      itl2_names={"X": "Ex", "Y": "Why"})
    # B straddles X and Y: Y also holds C and D, outside the area
    assert ab.itl2 == {"X": "Ex", "Y": "Why"} and not ab.itl2_exact and not ab.itl3_exact
    assert ab.extra_lads == ("c", "d") and ab.lad_itl3 == {"A": "X1", "B": "X2"}
    assert ab.itl_label("Y") == "Why (Y)"
    everything = resolve_area("abcd", lookup, lad_itl=lad_itl, areas=areas)
    assert everything.itl2_exact and everything.itl3_exact and everything.extra_lads == ()
    # a district with no ITL area is named
    with pytest.raises(AreaError, match="D have no ITL3 area"):
        resolve_area("abcd", lookup, lad_itl=lad_itl[lad_itl["lad_code"] != "D"], areas=areas)


def test_the_region_parameter_accepts_named_areas_and_names_a_bad_value(lookup):
    from wmresearch.evidence.parameters import ParameterError, check_region

    assert check_region("midlands_engine", lookup).startswith("Midlands Engine")
    assert check_region("E47000007", lookup) == "West Midlands Combined Authority"
    with pytest.raises(ParameterError, match=r"global.region = 'midland_engine' is not a known "
                                             r"area \(unknown area 'midland_engine'.*Use a "
                                             r"named area \(midlands_engine, wm_three_lep, "
                                             r"wmca\), a combined authority \(.*E47000007 West "
                                             r"Midlands"):
        check_region("midland_engine", lookup)
