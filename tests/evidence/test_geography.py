"""ONS geography: code history, the region parameter, LAD -> ITL."""

from __future__ import annotations

import pytest

from wmresearch.evidence import geography as geo
from wmresearch.evidence.area import AreaError, region_lads

WMCA = ["E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030",
        "E08000031"]


@pytest.fixture(scope="module")
def lookup(mirror):
    return geo.get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                            mirror / "geography/cauth_all_codes.csv.gz").data


def test_wmca_resolves_to_its_seven_districts(lookup):
    lads = region_lads(lookup, "E47000007")
    assert lads["lad_code"].tolist() == WMCA
    assert set(lads["cauth_name"]) == {"West Midlands"}


def test_greater_manchester_resolves_to_ten_districts(lookup):
    lads = region_lads(lookup, "E47000001")
    assert len(lads) == 10 and "Manchester" in set(lads["lad_name"])


def test_old_codes_map_to_current(lookup):
    current = geo.current_lad_codes(lookup)
    assert current["E06000028"] == "E06000058"  # Bournemouth -> BCP (2019)
    assert current["E08000025"] == "E08000025"


def test_named_area_resolves_to_its_districts(lookup):
    # the Midlands Engine: the East Midlands (35 districts) and West Midlands (30) regions
    lads = region_lads(lookup, "midlands_engine")
    assert len(lads) == 65 and set(lads["region_code"]) == {"E12000004", "E12000005"}


def test_unknown_region_is_an_error(lookup):
    with pytest.raises(AreaError, match="E47999999"):
        region_lads(lookup, "E47999999")


@pytest.fixture(scope="module")
def lad_itl(mirror):
    from wmresearch.evidence.smallareas import get_centroids

    lads = geo.get_lad_boundaries(mirror / "geography/lad_dec2023_uk_buc.geojson").data
    itl3 = geo.get_itl3_boundaries(
        mirror / "geography/itl3_jan2021_uk_buc/ITL3_JAN_2021_UK_BUC_V3.shp").data
    centroids = get_centroids(mirror / "geography/lsoa_latlong.csv.gz",
                              mirror / "geography/msoa_latlong.csv.gz").data
    return geo.lad_to_itl(lads, itl3, centroids)


def test_lad_to_itl_nests_wmca_in_tlg3(lad_itl):
    primary = lad_itl[lad_itl["primary"]].set_index("lad_code")
    assert len(primary) == 361 and primary["itl3_code"].notna().all()
    assert set(primary.loc[WMCA, "itl2_code"]) == {"TLG3"}
    assert (primary.loc[WMCA, "share"] == 1.0).all()
    assert primary.loc["E08000025", "itl3_name"] == "Birmingham"
    assert geo.itl_to_nuts("TLG3") == "UKG3"
    assert lad_itl.groupby("lad_code")["share"].sum().round(9).eq(1.0).all()


def test_straddling_districts_are_apportioned(lad_itl, mirror):
    """Cumberland (E06000063, April 2023) = Allerdale + Copeland (ITL3 TLD11 West Cumbria)
    + Carlisle (TLD12 East Cumbria). Its population share in TLD11 should match the former
    districts' mid-2021 populations (ONS mid-year estimates, NOMIS NM_2002, April 2021
    districts): an independent source for the apportionment."""
    from wmresearch.evidence.population import get_population_mye2021, population_totals

    pop = population_totals(get_population_mye2021(
        mirror / "nomis/nomis_NM_2002_mye2021_lad.csv").data)
    pop = pop.set_index("lad_code")["population"].astype(float)
    west = pop["E07000026"] + pop["E07000029"]
    expected = west / (west + pop["E07000028"])
    cumberland = lad_itl[lad_itl["lad_code"] == "E06000063"].set_index("itl3_code")["share"]
    assert set(cumberland.index) == {"TLD11", "TLD12"}
    assert cumberland["TLD11"] == pytest.approx(expected, abs=0.05)
    for code in ("S12000017", "S12000021"):  # Highland, North Ayrshire
        assert (lad_itl["lad_code"] == code).sum() >= 2, code


def test_la_codes_missing_column_and_duplicates(tmp_path):
    from wmresearch.evidence.io import DataFileError

    header = ("LADCD,LADNM,LADCD_ACTIVE,LADNM_ACTIVE,UTLACD,UTLANM,CAUTHCD,CAUTHNM,RGNCD,"
              "RGNNM,CTRYCD\n")
    row = ("E08000025,Birmingham,E08000025,Birmingham,E08000025,B,E47000007,WM,E12000005,"
           "WM,E92000001\n")
    good = tmp_path / "la.csv"
    good.write_text(header + row + row + "XX,Bad,XX,Bad,,,,,,,E92000001\n")
    cleaned = geo.get_la_codes(good)
    assert (cleaned.rows_in, cleaned.rows_kept, cleaned.rows_rejected) == (3, 1, 2)
    assert sorted(cleaned.rejects["reason"]) == ["duplicate LAD code", "malformed LAD code"]
    bad = tmp_path / "la_bad.csv"
    bad.write_text(header.replace("CAUTHCD,", "") + row)
    with pytest.raises(DataFileError,
                       match=r"la_bad.csv, row 1: missing column\(s\) \['CAUTHCD'\]"):
        geo.get_la_codes(bad)
