"""Small-area getters on small hand-written files: byte-order marks, encodings, truncation,
nesting conflicts, out-of-UK coordinates, vintages, invalid geometries."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa
import pytest
import shapely

from wmresearch.evidence import smallareas as sa
from wmresearch.evidence.io import DataFileError

OA_HEADER = ["OA11CD", "OAC11CD", "OAC11NM", "LSOA11CD", "LSOA11NM", "SOAC11CD", "SOAC11NM",
             "MSOA11CD", "MSOA11NM", "LAD17CD", "LAD17NM", "LACCD", "LACNM", "RGN11CD",
             "RGN11NM", "CTRY11CD", "CTRY11NM", "FID"]
PC_HEADER = ["Postcode", "Latitude", "Longitude", "Easting", "Northing", "Grid Reference",
             "Town/Area", "Region", "Postcodes", "Active postcodes", "Population",
             "Households", "Nearby districts"]
MSOA_LA_HEADER = ["MSOACD", "MSOANM", "LADCD_ACTIVE", "LADNM_ACTIVE", "CAUTHCD", "RGNCD",
                  "CTRYCD", "MSOA11CD", "MSOA21CD", "LAD17CD"]


# --------------------------------------------------------------------------- broken files

def _write_csv(path: Path, header: list[str], rows: list[list[str]], *, bom: bool = False,
               ) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as fh:
        if bom:
            fh.write("\ufeff")
        csv.writer(fh).writerows([header, *rows])
    return path


def _oa_row(oa: str, lsoa: str, msoa: str, lad: str = "E08000025") -> list[str]:
    return [oa, "7d1", "Ageing Communities and Families", lsoa, f"Name {lsoa}", "5b",
            "Aspiring urban households", msoa, f"Name {msoa}", lad, "Birmingham", "6a2r",
            "Mining Legacy", "E12000005", "West Midlands", "E92000001", "England", "1"]


def _centroids(tmp_path: Path, lsoa_rows: list[str], msoa_rows: list[str] | None = None,
               ) -> tuple[Path, Path]:
    lsoa = tmp_path / "lsoa.csv"
    lsoa.write_text("LSOACD,latitude,longitude,lsoa11cd\n" + "".join(
        r + "\n" for r in lsoa_rows), encoding="utf-8")
    msoa = tmp_path / "msoa.csv"
    msoa.write_text("MSOACD,latitude,longitude,msoa11cd\n" + "".join(
        r + "\n" for r in (msoa_rows or ["E02001854,52.48,-1.90,E02001854"])),
        encoding="utf-8")
    return lsoa, msoa


def _pc_row(code: str, lat: str = "52.4796", lon: str = "-1.90779", east: str = "406360",
            north: str = "286856", active: str = "298") -> list[str]:
    return [code, lat, lon, east, north, "SP063868", "Birmingham City Centre", "Birmingham",
            "712", active, "8514", "4526", "B3, B2"]


def test_bom_is_handled(tmp_path):
    path = _write_csv(tmp_path / "oa.csv.gz", OA_HEADER,
                      [_oa_row("E00045001", "E01009001", "E02001850")], bom=True)
    cleaned = sa.get_oa_lookup(path)
    assert cleaned.data["oa11_code"].tolist() == ["E00045001"]
    assert cleaned.rows_in == 1 == cleaned.rows_kept


def test_latin1_byte_names_file_and_row(tmp_path):
    lines = [",".join(PC_HEADER), ",".join(_pc_row("B1")),
             "B2,52.47,-1.89,407000,286000,SP070860,Digbeth,Birmingh\xe9m,300,200,1000,500,B1"]
    path = tmp_path / "districts.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(DataFileError, match=r"districts\.csv, row 3") as err:
        sa.get_postcode_districts(path)
    assert "0xe9" in str(err.value) and "utf-8" in str(err.value)


def test_missing_column_names_the_column(tmp_path):
    header = [h for h in MSOA_LA_HEADER if h != "LADCD_ACTIVE"]
    path = _write_csv(tmp_path / "msoa_la.csv", header,
                      [["E02001854", "Birmingham 028", "Birmingham", "E47000007", "E12000005",
                        "E92000001", "E02001854", "E02001854", ""]])
    with pytest.raises(DataFileError, match=r"msoa_la\.csv.*missing column.*LADCD_ACTIVE"):
        sa.get_msoa_lad_lookup(path)


def test_truncated_last_line_names_the_row(tmp_path):
    lsoa, msoa = _centroids(tmp_path, ["E01009100,52.48,-1.90,E01009100",
                                       "E01009101,52.47,-1.91,E01009101", "E01009102,52.4"])
    with pytest.raises(DataFileError, match=r"lsoa\.csv, row 4.*truncated"):
        sa.get_centroids(lsoa, msoa)


def test_truncated_gzip_is_an_error(tmp_path):
    path = _write_csv(tmp_path / "oa.csv.gz", OA_HEADER,
                      [_oa_row(f"E00045{i:03d}", "E01009001", "E02001850") for i in range(50)])
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(DataFileError, match=r"oa\.csv\.gz: truncated or corrupt gzip"):
        sa.get_oa_lookup(path)


def test_non_numeric_latitude_names_row_and_column(tmp_path):
    lsoa, msoa = _centroids(tmp_path, ["E01009100,52.48,-1.90,E01009100",
                                       "E01009101,52.4x,-1.91,E01009101"])
    with pytest.raises(DataFileError, match=r"lsoa\.csv, row 3, column 'latitude'.*52\.4x"):
        sa.get_centroids(lsoa, msoa)


def test_lsoa_in_two_msoas_is_rejected_with_reason(tmp_path):
    rows = [_oa_row("E00045001", "E01009001", "E02001850"),
            _oa_row("E00045002", "E01009001", "E02001851"),
            _oa_row("E00045003", "E01009002", "E02001851"),
            _oa_row("E00045004", "E01009002", "E02001851")]
    cleaned = sa.get_oa_lookup(_write_csv(tmp_path / "oa.csv", OA_HEADER, rows))
    assert cleaned.rows_in == 4 and cleaned.rows_kept == 2 and cleaned.rows_rejected == 2
    assert sorted(cleaned.rejects["source_row"]) == [2, 3]
    reason = cleaned.rejects["reason"].iloc[0]
    assert "E01009001" in reason and "2 MSOA11CD" in reason and "E02001851" in reason
    assert set(cleaned.data["lsoa11_code"]) == {"E01009002"}


def test_lsoa_in_two_lads_and_duplicate_and_malformed_oa_rejected(tmp_path):
    rows = [_oa_row("E00045001", "E01009001", "E02001850"),
            _oa_row("E00045002", "E01009001", "E02001850", lad="E08000026"),
            _oa_row("E00045003", "E01009002", "E02001852", lad="E08000026"),
            _oa_row("E00045003", "E01009002", "E02001852", lad="E08000026"),
            _oa_row("X0045005", "E01009002", "E02001852", lad="E08000026")]
    cleaned = sa.get_oa_lookup(_write_csv(tmp_path / "oa.csv", OA_HEADER, rows))
    assert cleaned.rows_in == cleaned.rows_kept + cleaned.rows_rejected == 5
    reasons = cleaned.rejects.set_index("source_row")["reason"]
    assert "E01009001 belongs to 2 LAD17CD" in reasons[2] and "LAD17CD" in reasons[3]
    assert "duplicate output area (first at row 4)" in reasons[5]
    assert "malformed OA11CD 'X0045005'" in reasons[6]
    assert cleaned.data["oa11_code"].tolist() == ["E00045003"]
    with pytest.raises(ValueError, match="E01009001"):
        sa.lsoa_lookup(pd.DataFrame({
            "lsoa11_code": ["E01009001"] * 2, "lsoa11_name": ["a"] * 2,
            "msoa11_code": ["E02001850", "E02001851"], "msoa11_name": ["m"] * 2,
            "lad17_code": ["E08000025"] * 2, "lad17_name": ["B"] * 2,
            "region_code": ["E12000005"] * 2, "country_code": ["E92000001"] * 2}))


def test_out_of_uk_centroids_are_rejected(tmp_path):
    lsoa, msoa = _centroids(tmp_path, ["E01009100,52.4796,-1.90779,E01009100",
                                       "E01009101,40.4168,-3.7038,E01009101",
                                       "E01009102,52.48,5.5,E01009102",
                                       "E01009103,,-1.9,E01009103"])
    cleaned = sa.get_centroids(lsoa, msoa)
    assert cleaned.rows_in == 5 and cleaned.rows_kept == 2 and cleaned.rows_rejected == 3
    reasons = cleaned.rejects.set_index("area_code")["reason"]
    assert "outside the UK" in reasons["E01009101"] and "40.4168" in reasons["E01009101"]
    assert "outside the UK" in reasons["E01009102"]
    assert reasons["E01009103"] == "missing latitude/longitude"
    kept = cleaned.data.set_index(["area_type", "area_code"]).loc[("lsoa", "E01009100")]
    # OS grid reference published for postcode district B1 at this latitude/longitude
    assert kept["easting"] == pytest.approx(406360, abs=5)
    assert kept["northing"] == pytest.approx(286856, abs=5)


def test_codes_2011_nulls_areas_new_in_2021(tmp_path):
    lsoa, msoa = _centroids(tmp_path, ["E01009100,52.48,-1.90,E01009100",
                                       "E01035000,52.47,-1.91,E01035000",
                                       "N20000001,54.6,-5.9,N20000001"])
    cleaned = sa.get_centroids(lsoa, msoa, codes_2011={"E01009100", "E02001854"})
    got = cleaned.data.set_index("area_code")["area_code_2011"]
    assert got["E01009100"] == "E01009100"
    assert pd.isna(got["E01035000"]) and pd.isna(got["N20000001"])


def test_msoa_vintage_contradiction_is_rejected(tmp_path):
    rows = [["E02001854", "Birmingham 028", "E08000025", "Birmingham", "E47000007",
             "E12000005", "E92000001", "E02001854", "E02001854", ""],
            ["E02001855", "Birmingham 029", "E08000025", "Birmingham", "E47000007",
             "E12000005", "E92000001", "E02001999", "", ""],
            ["E02001856", "Birmingham 030", "E08000025", "Birmingham", "", "", "E92000001",
             "", "", ""]]
    cleaned = sa.get_msoa_lad_lookup(_write_csv(tmp_path / "msoa_la.csv", MSOA_LA_HEADER,
                                                rows))
    assert cleaned.rows_in == 3 and cleaned.rows_kept == 1
    reasons = cleaned.rejects.set_index("MSOACD")["reason"]
    assert "MSOA11CD 'E02001999' differs from MSOACD" in reasons["E02001855"]
    assert "in neither the 2011 nor the 2021 MSOA set" in reasons["E02001856"]


def test_postcode_rows_rejected_and_flagged(tmp_path):
    rows = [_pc_row("b1"), _pc_row("B2", active="0"), _pc_row("GIR", "", "", "", ""),
            _pc_row("ZZ9", "40.0", "-3.7", "", ""), _pc_row("B3", east="416360"),
            _pc_row("B4!", north="")]
    cleaned = sa.get_postcode_districts(_write_csv(tmp_path / "pc.csv", PC_HEADER, rows))
    assert cleaned.rows_in == 6 == cleaned.rows_kept + cleaned.rows_rejected
    assert cleaned.data["postcode_district"].tolist() == ["B1", "B2"]
    assert cleaned.data["active"].tolist() == [True, False]
    reasons = cleaned.rejects.set_index("Postcode")["reason"]
    assert reasons["GIR"] == "missing latitude/longitude"
    assert "outside the UK" in reasons["ZZ9"]
    assert "easting/northing 10000 m from the projected" in reasons["B3"]
    assert "malformed Postcode 'B4!'" in reasons["B4!"]


def _geojson(path: Path, features: list[tuple[str, dict | None]], code: str = "LSOA11CD",
             ) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geom,
         "properties": {code: c, code[:-2] + "NM": f"Area {c}", "LADCD_ACTIVE": "E08000025"}}
        for c, geom in features]}), encoding="utf-8")
    return path


SQUARE = {"type": "Polygon", "coordinates": [[[-1.90, 52.48], [-1.89, 52.48], [-1.89, 52.49],
                                              [-1.90, 52.49], [-1.90, 52.48]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[-1.90, 52.48], [-1.89, 52.49], [-1.89, 52.48],
                                              [-1.90, 52.49], [-1.90, 52.48]]]}


def test_unreadable_geojson_is_an_error(tmp_path):
    path = tmp_path / "lsoa11" / "E08000025.geojson"
    path.parent.mkdir()
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"lsoa11/E08000025\.geojson: not a readable"):
        sa.get_small_area_boundaries([path])


def test_boundary_folder_must_name_a_level(tmp_path):
    path = _geojson(tmp_path / "oa11" / "E08000025.geojson", [("E01009100", SQUARE)])
    with pytest.raises(DataFileError, match=r"E08000025\.geojson.*'oa11'"):
        sa.get_small_area_boundaries([path])


def test_boundaries_repair_invalid_and_reject_empty(tmp_path):
    path = _geojson(tmp_path / "lsoa11" / "E08000025.geojson", [
        ("E01009100", SQUARE), ("E01009101", BOWTIE), ("E01009102", None),
        ("E01009103", {"type": "Polygon", "coordinates": []}), ("E02009104", SQUARE),
        ("E01009100", SQUARE)])
    assert not shapely.from_geojson(json.dumps(BOWTIE)).is_valid
    cleaned = sa.get_small_area_boundaries([path])["lsoa11_boundaries"]
    assert cleaned.rows_in == 6 and cleaned.rows_kept == 2 and cleaned.rows_rejected == 4
    data = cleaned.data.set_index("area_code")
    assert bool(data.loc["E01009101", "geometry_repaired"]) and data.geometry.is_valid.all()
    assert not bool(data.loc["E01009100", "geometry_repaired"])
    assert cleaned.data.attrs["geometries_repaired"] == 1
    reasons = dict(zip(cleaned.rejects["source_row"], cleaned.rejects["reason"], strict=True))
    assert reasons[3] == "missing geometry" and reasons[4] == "empty geometry"
    assert "malformed area_code 'E02009104'" in reasons[5]
    assert "duplicate LSOA 2011 code (first in E08000025.geojson feature 1)" in reasons[6]
    # about 1.1 km north-south: the square was reprojected to metres
    assert data.loc["E01009100", "geometry"].bounds[3] - data.loc[
        "E01009100", "geometry"].bounds[1] == pytest.approx(1112, abs=5)


def test_boundaries_schema_checks_code_patterns():
    frame = gpd.GeoDataFrame({"area_code": pd.Series(["E01009100"], dtype="string"),
                              "area_name": pd.Series(["x"], dtype="string"),
                              "lad_code": pd.Series(["E08000025"], dtype="string"),
                              "geometry_repaired": [False]},
                             geometry=[shapely.box(0, 0, 10, 10)], crs="EPSG:27700")
    assert len(sa.boundaries_schema("lsoa11").validate(frame)) == 1
    with pytest.raises(pa.errors.SchemaError, match="area_code"):
        sa.boundaries_schema("ward").validate(frame)


def test_split_package_keeps_the_build_schema_references():
    """build.py names schemas as "module:NAME[key]"; after splitting smallareas and gva into
    modules, every such reference must still resolve to a pandera schema."""
    from wmresearch.evidence.build import TABLES
    from wmresearch.evidence.dictionary import table_schema

    refs = [t for t in TABLES if t.schema.split(":")[0] in {"smallareas", "gva", "productivity"}]
    assert len(refs) == 10
    for table in refs:
        assert isinstance(table_schema(table), pa.DataFrameSchema), table.schema
    assert sa.SCHEMA_BOUNDARIES["ward"] is sa.boundaries.SCHEMA_BOUNDARIES["ward"]


def test_misplaced_msoa_centroid_is_rejected_and_replaced_by_its_lsoas_mean(tmp_path):
    """Two Birmingham LSOAs 1.6 km apart; their MSOA's centroid put near Lancaster (as the
    mirror's file does for Birmingham 028) is rejected, with the distance in the reason, and
    msoa11_points places the MSOA at the mean of the two LSOA centroids."""
    lsoa, msoa = _centroids(tmp_path, ["E01009100,52.48,-1.90,E01009100",
                                       "E01009101,52.47,-1.91,E01009101"],
                            ["E02001854,54.258,-2.705,E02001854",
                             "E02001855,52.475,-1.905,E02001855"])
    look = pd.DataFrame({"lsoa11_code": ["E01009100", "E01009101", "E01009102"],
                         "msoa11_code": ["E02001854", "E02001854", "E02001855"]})
    cleaned = sa.get_centroids(lsoa, msoa, lsoa_to_msoa=look)
    assert cleaned.rows_in == 4 and cleaned.rows_rejected == 1
    reason = cleaned.rejects.set_index("area_code").loc["E02001854", "reason"]
    assert re.search(r"centroid 2\d\d km from the mean of its 2 LSOAs", reason)
    # E02001855 has no LSOA centroid in the file: nothing to check it against, so kept
    assert "E02001855" in set(cleaned.data["area_code"])
    points = sa.msoa11_points(cleaned.data, look, ["E02001854", "E02001855"])
    lsoas = cleaned.data[cleaned.data["area_type"] == "lsoa"]
    assert points.loc["E02001854", "derived"] and not points.loc["E02001855", "derived"]
    assert points.loc["E02001854", "easting"] == pytest.approx(lsoas["easting"].mean())
    assert points.loc["E02001854", "northing"] == pytest.approx(lsoas["northing"].mean())
    with pytest.raises(KeyError, match="E02009999.*no population-weighted centroid"):
        sa.msoa11_points(cleaned.data, look, ["E02009999"])
