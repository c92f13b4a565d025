"""Tests for wmresearch.evidence.bres: BRES / IDBR employment and local units via NOMIS.

Real-file tests compare the cleaned tables with an independent read of the raw CSV using the
csv module; broken-file tests write small files in tmp_path, one per failure mode.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest

from wmresearch.evidence.bres import (
    SCHEMA_BRES_ITL2_SIC2,
    SCHEMA_BRES_ITL2_SIC5,
    SCHEMA_BRES_NUTS2_SIC4,
    SCHEMA_IDBR_NUTS2_SIC4,
    get_bres_itl2_sic2,
    get_bres_itl2_sic5,
    get_bres_nuts2_sic4,
    get_idbr_nuts2_sic4,
)
from wmresearch.evidence.io import DataFileError

SIC5_FILE = "nomis/bres_employment_itl2_sic5_2015_2021.csv.gz"
SIC2_FILE = "nomis/bres_employment_itl2_sic2_2015_2021.csv.gz"
NUTS2_DIR = "nomis/nuts2_sic4"
HEADER = "DATE,GEOGRAPHY_NAME,GEOGRAPHY_CODE,INDUSTRY_NAME,INDUSTRY_CODE,COUNT"
NUTS2_HEADER = ",year,geo_type,geo_nm,geo_cd,SIC4,value,cluster_name"
SCOTLAND = {"UKM5", "UKM6", "UKM7", "UKM8", "UKM9"}


# --------------------------------------------------------------------------- helpers

def _raw(path: Path) -> list[dict[str, str]]:
    """Data rows of a raw (gzipped) CSV, read independently with gzip + csv."""
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _mirror_path(mirror: Path, relpath: str) -> Path:
    path = mirror / relpath
    if not path.exists():
        pytest.skip(f"{relpath} is not in the mirror {mirror}")
    return path


def _write(tmp_path: Path, lines: list[str], *, name: str = "bres.csv", bom: bool = False,
           gz: bool = False, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    data = ("\n".join(lines) + "\n").encode(encoding)
    data = (b"\xef\xbb\xbf" if bom else b"") + data
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _lines(*rows: str) -> list[str]:
    return [HEADER, *rows]


ROW_CEREALS = ('2021,West Midlands,UKG3,"01110 : Growing of cereals (except rice), '
               'leguminous crops and oil seeds",01110,5')
ROW_CARS = "2021,West Midlands,UKG3,29100 : Manufacture of motor vehicles,29100,1250"


def _nuts2_lines(*rows: str) -> list[str]:
    return [NUTS2_HEADER, *rows]


def _nuts2_row(i: int, geo: str, sic4: str, value: str, year: str = "2018") -> str:
    return f"{i},{year},nuts 2013 level 2,Area {geo},{geo},{sic4},{value},manufacture_food"


# --------------------------------------------------------------------------- real: ITL2 SIC5

@pytest.fixture(scope="module")
def sic5_path(mirror: Path) -> Path:
    return _mirror_path(mirror, SIC5_FILE)


@pytest.fixture(scope="module")
def sic5_raw(sic5_path: Path) -> list[dict[str, str]]:
    return _raw(sic5_path)


@pytest.fixture(scope="module")
def sic5(sic5_path: Path):
    return get_bres_itl2_sic5(sic5_path)


def test_sic5_rows_balance(sic5, sic5_raw) -> None:
    keys = Counter((r["DATE"], r["GEOGRAPHY_CODE"], r["INDUSTRY_CODE"]) for r in sic5_raw)
    bad_codes = sum(not re.fullmatch(r"\d{5}", r["INDUSTRY_CODE"]) for r in sic5_raw)
    expected_rejects = bad_codes + sum(n - 1 for n in keys.values())
    assert sic5.rows_in == len(sic5_raw)
    assert sic5.rows_kept + sic5.rows_rejected == sic5.rows_in
    assert sic5.rows_rejected == expected_rejects
    assert len(sic5.data) == sic5.rows_kept
    assert sic5.name == "bres_itl2_sic5" and Path(sic5.source).name == Path(SIC5_FILE).name


def test_sic5_shape(sic5, sic5_raw) -> None:
    data = sic5.data
    assert data["itl2_code"].nunique() == 40
    assert sorted(data["year"].unique()) == list(range(2015, 2022))
    assert data["sic_code"].nunique() == len({r["INDUSTRY_CODE"] for r in sic5_raw})
    assert len(data) == 40 * 7 * data["sic_code"].nunique()
    assert list(data.columns) == list(SCHEMA_BRES_ITL2_SIC5.columns)
    assert str(data["employment"].dtype) == "Float64"
    assert str(data["year"].dtype) == "Int64"
    assert isinstance(data["sic_code"].dtype, pd.StringDtype)


def test_sic5_west_midlands_2021_total(sic5, sic5_raw) -> None:
    expected = sum(float(r["COUNT"]) for r in sic5_raw
                   if r["DATE"] == "2021" and r["GEOGRAPHY_CODE"] == "UKG3" and r["COUNT"])
    wm = sic5.data[(sic5.data["year"] == 2021) & (sic5.data["itl2_code"] == "TLG3")]
    assert expected > 1_000_000  # West Midlands met. county: over a million jobs
    assert wm["employment"].sum() == expected
    assert (wm["itl2_name"] == "West Midlands").all()


def test_sic5_sampled_rows_match_raw(sic5, sic5_raw) -> None:
    indexed = sic5.data.set_index(["year", "nuts_code", "sic_code"])
    for raw in random.Random(20240601).sample(sic5_raw, 50):
        out = indexed.loc[(int(raw["DATE"]), raw["GEOGRAPHY_CODE"], raw["INDUSTRY_CODE"])]
        assert out["sic_name"] == raw["INDUSTRY_NAME"].split(" : ", 1)[1]
        assert out["itl2_name"] == raw["GEOGRAPHY_NAME"]
        if raw["COUNT"]:
            assert out["employment"] == float(raw["COUNT"])


def test_sic5_codes_and_itl(sic5) -> None:
    data = sic5.data
    assert data["sic_code"].str.fullmatch(r"\d{5}").all()
    assert data["itl2_code"].str.fullmatch(r"TL[C-N]\d").all()
    assert (data["itl2_code"].str[2:] == data["nuts_code"].str[2:]).all()
    assert data["nuts_code"].str.startswith("UK").all()
    assert not data["sic_name"].str.contains(" : ", regex=False).any()


def test_sic5_blank_counts_are_suppressed(sic5, sic5_raw) -> None:
    blank = {(int(r["DATE"]), r["GEOGRAPHY_CODE"], r["INDUSTRY_CODE"])
             for r in sic5_raw if not r["COUNT"].strip()}
    flagged = sic5.data[sic5.data["suppressed"]]
    assert blank  # the file has blank cells (Scottish agricultural data 2015-2017)
    assert set(zip(flagged["year"], flagged["nuts_code"], flagged["sic_code"],
                   strict=True)) == blank
    assert flagged["employment"].isna().all()
    assert sic5.data.loc[~sic5.data["suppressed"], "employment"].notna().all()
    assert {geo for _, geo, _ in blank} <= SCOTLAND


def test_sic5_defra_pseudo_code(sic5, sic5_raw) -> None:
    # BRES does not survey farms: the SIC 01.1-01.5 subclasses are 0 in the raw file and
    # farm employment sits under the NOMIS pseudo-code 01000, flagged is_defra_agri.
    farm = [r for r in sic5_raw if re.fullmatch(r"01[1-5]\d\d", r["INDUSTRY_CODE"])]
    assert farm and all(float(r["COUNT"]) == 0 for r in farm)
    flagged = sic5.data[sic5.data["is_defra_agri"]]
    assert set(flagged["sic_code"]) == {"01000"}
    assert flagged["employment"].sum() > 0


# --------------------------------------------------------------------------- real: ITL2 SIC2

@pytest.fixture(scope="module")
def sic2_path(mirror: Path) -> Path:
    return _mirror_path(mirror, SIC2_FILE)


@pytest.fixture(scope="module")
def sic2_raw(sic2_path: Path) -> list[dict[str, str]]:
    return _raw(sic2_path)


@pytest.fixture(scope="module")
def sic2(sic2_path: Path):
    return get_bres_itl2_sic2(sic2_path)


def test_sic2_rows_balance_and_shape(sic2, sic2_raw) -> None:
    assert sic2.rows_in == len(sic2_raw)
    assert sic2.rows_kept + sic2.rows_rejected == sic2.rows_in
    assert sic2.rows_rejected == 0  # every raw code is two digits and keys are unique:
    assert all(re.fullmatch(r"\d\d", r["INDUSTRY_CODE"]) for r in sic2_raw)
    assert len({(r["DATE"], r["GEOGRAPHY_CODE"], r["INDUSTRY_CODE"]) for r in sic2_raw}) \
        == len(sic2_raw)
    data = sic2.data
    assert data["itl2_code"].nunique() == 40
    assert data["sic_code"].nunique() == 88  # every SIC 2007 division
    assert sic2.name == "bres_itl2_sic2"


def test_sic2_west_midlands_totals(sic2, sic2_raw) -> None:
    for year in (2015, 2021):
        expected = sum(float(r["COUNT"]) for r in sic2_raw
                       if r["DATE"] == str(year) and r["GEOGRAPHY_CODE"] == "UKG3")
        got = sic2.data[(sic2.data["year"] == year) & (sic2.data["itl2_code"] == "TLG3")]
        assert got["employment"].sum() == expected


def test_sic2_division_01_includes_defra(sic2, sic5) -> None:
    # Division 01 in the 2-digit table carries the DEFRA farm employment that the 5-digit
    # table shows as 01000: it is at least the DEFRA figure wherever both are published.
    d01 = sic2.data[sic2.data["sic_code"] == "01"].set_index(["year", "itl2_code"])
    defra = sic5.data[sic5.data["is_defra_agri"] & ~sic5.data["suppressed"]].set_index(
        ["year", "itl2_code"])
    joined = defra[["employment"]].join(d01[["employment"]].add_suffix("_01"))
    assert len(joined) > 200
    assert (joined["employment_01"] >= joined["employment"]).all()


# --------------------------------------------------------------------------- real: NUTS2 SIC4

@pytest.fixture(scope="module")
def nuts2_dir(mirror: Path) -> Path:
    return _mirror_path(mirror, NUTS2_DIR)


@pytest.fixture(scope="module")
def bres4(nuts2_dir: Path):
    return get_bres_nuts2_sic4(sorted(nuts2_dir.glob("nomis_BRES_*_TYPE450.csv.gz")))


@pytest.fixture(scope="module")
def idbr4(nuts2_dir: Path):
    return get_idbr_nuts2_sic4(sorted(nuts2_dir.glob("nomis_IDBR_*_TYPE450.csv.gz")))


def test_bres_nuts2_sic4_against_raw(bres4, nuts2_dir: Path) -> None:
    raws = {p.name: _raw(p) for p in sorted(nuts2_dir.glob("nomis_BRES_*_TYPE450.csv.gz"))}
    assert len(raws) == 2
    assert bres4.rows_in == sum(len(r) for r in raws.values())
    assert bres4.rows_kept + bres4.rows_rejected == bres4.rows_in
    assert bres4.rows_rejected == 0
    data = bres4.data
    assert sorted(data["year"].unique()) == [2015, 2018]
    assert data.groupby("year")["nuts2_code"].nunique().tolist() == [39, 39]
    assert data["sic4_code"].str.fullmatch(r"\d{4}").all()
    raw_2018 = raws["nomis_BRES_2018_TYPE450.csv.gz"]
    expected = sum(float(r["value"]) for r in raw_2018 if r["geo_cd"] == "UKG3")
    got = data[(data["year"] == 2018) & (data["nuts2_code"] == "UKG3")]["employment"].sum()
    assert got == expected
    indexed = data.set_index(["year", "nuts2_code", "sic4_code"])
    for raw in random.Random(7).sample(raw_2018, 30):
        out = indexed.loc[(2018, raw["geo_cd"], raw["SIC4"])]
        assert out["employment"] == float(raw["value"])
        assert out["nesta_cluster"] == raw["cluster_name"]
    assert bres4.name == "bres_nuts2_sic4" and bres4.source.count(";") == 1


def test_idbr_nuts2_sic4_rejects_empty_2015_extract(idbr4, nuts2_dir: Path) -> None:
    raw_2015 = _raw(nuts2_dir / "nomis_IDBR_2015_TYPE450.csv.gz")
    raw_2018 = _raw(nuts2_dir / "nomis_IDBR_2018_TYPE450.csv.gz")
    assert all(float(r["value"]) == 0 for r in raw_2015)  # the 2015 extract is empty
    assert any(r["value"].endswith(".0") for r in raw_2015)  # and written as floats
    assert idbr4.rows_in == len(raw_2015) + len(raw_2018)
    assert idbr4.rows_rejected == len(raw_2015)
    assert set(idbr4.rejects["source_file"]) == {"nomis_IDBR_2015_TYPE450.csv.gz"}
    assert idbr4.rejects["reason"].str.contains("every value").all()
    assert idbr4.rows_kept == len(raw_2018) == len(idbr4.data)
    data = idbr4.data
    assert set(data["year"]) == {2018}
    assert data["nuts2_code"].nunique() == 40 and "UKN0" in set(data["nuts2_code"])
    assert str(data["local_units"].dtype) == "Int64"
    expected = sum(int(r["value"]) for r in raw_2018 if r["geo_cd"] == "UKG3")
    assert data.loc[data["nuts2_code"] == "UKG3", "local_units"].sum() == expected


# --------------------------------------------------------------------------- schemas

@pytest.mark.parametrize("schema", [SCHEMA_BRES_ITL2_SIC5, SCHEMA_BRES_ITL2_SIC2,
                                    SCHEMA_BRES_NUTS2_SIC4, SCHEMA_IDBR_NUTS2_SIC4])
def test_schemas_are_documented_and_strict(schema: pa.DataFrameSchema) -> None:
    assert schema.description and schema.strict is True
    assert all(col.description for col in schema.columns.values())


def test_schema_rejects_bad_itl_code(tmp_path: Path) -> None:
    data = get_bres_itl2_sic5(_write(tmp_path, _lines(ROW_CARS))).data
    data.loc[0, "itl2_code"] = "UKG3"
    data.loc[0, "employment"] = -5.0
    with pytest.raises(pa.errors.SchemaErrors) as info:
        SCHEMA_BRES_ITL2_SIC5.validate(data, lazy=True)
    failed = set(info.value.failure_cases["column"])
    assert {"itl2_code", "employment"} <= failed


# --------------------------------------------------------------------------- broken files

def test_small_valid_file(tmp_path: Path) -> None:
    cleaned = get_bres_itl2_sic5(_write(tmp_path, _lines(ROW_CEREALS, ROW_CARS)))
    data = cleaned.data.set_index("sic_code")
    assert data.loc["29100", "employment"] == 1250
    assert data.loc["29100", "sic_name"] == "Manufacture of motor vehicles"
    assert data.loc["01110", "sic_name"].startswith("Growing of cereals (except rice),")
    assert (data["itl2_code"] == "TLG3").all() and (data["nuts_code"] == "UKG3").all()
    assert cleaned.rows_in == 2 and cleaned.rows_rejected == 0


def test_byte_order_mark_is_stripped(tmp_path: Path) -> None:
    path = _write(tmp_path, _lines(ROW_CARS), bom=True, gz=True, name="bom.csv.gz")
    data = get_bres_itl2_sic5(path).data
    assert data["year"].tolist() == [2021]
    assert data["employment"].tolist() == [1250]


def test_latin1_bytes_in_utf8_file(tmp_path: Path) -> None:
    bad = "2021,West Midlands,UKG3,29100 : Fabrication de v\u00e9hicules,29100,5"
    path = _write(tmp_path, _lines(ROW_CARS, bad), encoding="latin-1", name="latin.csv")
    with pytest.raises(DataFileError) as info:
        get_bres_itl2_sic5(path)
    assert "latin.csv" in str(info.value) and "row 3" in str(info.value)
    assert info.value.row == 3


def test_missing_column(tmp_path: Path) -> None:
    header = HEADER.replace(",COUNT", "")
    path = _write(tmp_path, [header, ROW_CARS.rsplit(",", 1)[0]], name="nocount.csv")
    with pytest.raises(DataFileError) as info:
        get_bres_itl2_sic5(path)
    assert "nocount.csv" in str(info.value) and "COUNT" in str(info.value)


def test_wrong_column_name(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER.replace("INDUSTRY_CODE", "SIC"), ROW_CARS],
                  name="renamed.csv")
    with pytest.raises(DataFileError, match=r"renamed\.csv.*INDUSTRY_CODE"):
        get_bres_itl2_sic5(path)


def test_truncated_last_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _lines(ROW_CEREALS, ROW_CARS, "2021,West Midlands,UKG3,2910"),
                  name="cut.csv")
    with pytest.raises(DataFileError) as info:
        get_bres_itl2_sic5(path)
    assert "cut.csv" in str(info.value) and "row 4" in str(info.value)
    assert "truncated" in str(info.value)


def test_truncated_gzip(tmp_path: Path) -> None:
    path = _write(tmp_path, _lines(ROW_CEREALS, ROW_CARS) * 20, gz=True, name="cut.csv.gz")
    path.write_bytes(path.read_bytes()[:-25])
    with pytest.raises(DataFileError) as info:
        get_bres_itl2_sic5(path)
    assert "cut.csv.gz" in str(info.value) and "gzip" in str(info.value)


def test_non_numeric_count(tmp_path: Path) -> None:
    path = _write(tmp_path, _lines(ROW_CEREALS, ROW_CARS.replace(",1250", ",12 50a")),
                  name="text.csv")
    with pytest.raises(DataFileError) as info:
        get_bres_itl2_sic5(path)
    message = str(info.value)
    assert "text.csv" in message and "row 3" in message and "'COUNT'" in message


def test_thousands_separator(tmp_path: Path) -> None:
    path = _write(tmp_path, _lines(ROW_CARS.replace(",1250", ',"1,234"')))
    assert get_bres_itl2_sic5(path).data["employment"].tolist() == [1234]


@pytest.mark.parametrize("marker", ["", "..", "*", "x", "[c]"])
def test_suppressed_cells(tmp_path: Path, marker: str) -> None:
    path = _write(tmp_path, _lines(ROW_CEREALS, ROW_CARS.replace(",1250", f",{marker}")))
    data = get_bres_itl2_sic5(path).data.set_index("sic_code")
    assert pd.isna(data.loc["29100", "employment"])
    assert bool(data.loc["29100", "suppressed"]) is True
    assert bool(data.loc["01110", "suppressed"]) is False


@pytest.mark.parametrize(("code", "why"), [("ABCDE", "not a SIC"), ("00100", "not a SIC"),
                                           ("291000", "not a SIC"), ("29200", "prefix")])
def test_invalid_industry_code_rejected(tmp_path: Path, code: str, why: str) -> None:
    bad = f"2021,West Midlands,UKG3,29100 : Manufacture of motor vehicles,{code},10"
    cleaned = get_bres_itl2_sic5(_write(tmp_path, _lines(ROW_CEREALS, bad)))
    assert cleaned.rows_in == 2 and len(cleaned.data) == 1
    assert cleaned.rejects["source_row"].tolist() == [3]
    assert why in cleaned.rejects["reason"].iloc[0]


def test_sic2_rejects_non_division(tmp_path: Path) -> None:
    rows = ["2021,West Midlands,UKG3,29 : Manufacture of motor vehicles,29,100",
            "2021,West Midlands,UKG3,04 : Not a division,04,5",
            "2021,West Midlands,UKG3,29100 : Manufacture of motor vehicles,29100,5"]
    cleaned = get_bres_itl2_sic2(_write(tmp_path, _lines(*rows)))
    assert cleaned.data["sic_code"].tolist() == ["29"]
    assert cleaned.rejects["source_row"].tolist() == [3, 4]


def test_leading_zero_restored(tmp_path: Path) -> None:
    row = '2021,West Midlands,UKG3,"01110 : Growing of cereals",1110,5'
    cleaned = get_bres_itl2_sic5(_write(tmp_path, _lines(row)))
    assert cleaned.data["sic_code"].tolist() == ["01110"]


def test_non_nuts2_geography_rejected(tmp_path: Path) -> None:
    gb = ROW_CARS.replace("West Midlands,UKG3", "Great Britain,K03000001")
    cleaned = get_bres_itl2_sic5(_write(tmp_path, _lines(ROW_CARS, gb)))
    assert len(cleaned.data) == 1 and cleaned.rejects["source_row"].tolist() == [3]
    assert "NUTS" in cleaned.rejects["reason"].iloc[0]


def test_exact_duplicate_keeps_first(tmp_path: Path) -> None:
    cleaned = get_bres_itl2_sic5(_write(tmp_path, _lines(ROW_CEREALS, ROW_CARS, ROW_CARS)))
    assert len(cleaned.data) == 2 and cleaned.rows_rejected == 1
    assert cleaned.rejects["source_row"].tolist() == [4]
    assert "repeats row 3" in cleaned.rejects["reason"].iloc[0]


def test_conflicting_duplicates_all_rejected(tmp_path: Path) -> None:
    other = ROW_CARS.replace(",1250", ",1500")
    cleaned = get_bres_itl2_sic5(_write(tmp_path, _lines(ROW_CEREALS, ROW_CARS, other)))
    assert cleaned.data["sic_code"].tolist() == ["01110"]
    assert sorted(cleaned.rejects["source_row"]) == [3, 4]
    assert cleaned.rejects["reason"].str.contains("conflicting").all()


def test_negative_count_rejected(tmp_path: Path) -> None:
    cleaned = get_bres_itl2_sic5(_write(tmp_path, _lines(ROW_CARS.replace(",1250", ",-5"))))
    assert cleaned.data.empty and cleaned.rejects["reason"].tolist() == ["negative COUNT"]


def test_nuts2_float_values_and_padding(tmp_path: Path) -> None:
    path = _write(tmp_path, _nuts2_lines(_nuts2_row(0, "UKG3", "161", "35.0"),
                                          _nuts2_row(1, "UKG1", "2910", "7")), name="i.csv")
    data = get_idbr_nuts2_sic4([path]).data.set_index("nuts2_code")
    assert data.loc["UKG3", "sic4_code"] == "0161"
    assert data.loc["UKG3", "local_units"] == 35 and data.loc["UKG1", "local_units"] == 7
    assert str(data["local_units"].dtype) == "Int64"


def test_nuts2_fractional_local_units(tmp_path: Path) -> None:
    path = _write(tmp_path, _nuts2_lines(_nuts2_row(0, "UKG3", "2910", "3.5")), name="f.csv")
    with pytest.raises(DataFileError) as info:
        get_idbr_nuts2_sic4([path])
    assert "f.csv" in str(info.value) and "row 2" in str(info.value)
    assert "'value'" in str(info.value)


def test_nuts2_all_zero_file_rejected(tmp_path: Path) -> None:
    zero = _write(tmp_path, _nuts2_lines(_nuts2_row(0, "UKG3", "2910", "0.0", "2015"),
                                          _nuts2_row(1, "UKG1", "2910", "0.0", "2015")),
                  name="zero.csv")
    good = _write(tmp_path, _nuts2_lines(_nuts2_row(0, "UKG3", "2910", "0"),
                                          _nuts2_row(1, "UKG1", "2910", "12")), name="ok.csv")
    cleaned = get_idbr_nuts2_sic4([zero, good])
    assert cleaned.rows_in == 4 and len(cleaned.data) == 2
    assert set(cleaned.rejects["source_file"]) == {"zero.csv"}
    assert cleaned.source.split(";") == [str(zero), str(good)]


def test_nuts2_duplicate_across_files(tmp_path: Path) -> None:
    one = _write(tmp_path, _nuts2_lines(_nuts2_row(0, "UKG3", "2910", "10")), name="a.csv")
    two = _write(tmp_path, _nuts2_lines(_nuts2_row(0, "UKG3", "2910", "20"),
                                         _nuts2_row(1, "UKG1", "2910", "5")), name="b.csv")
    cleaned = get_bres_nuts2_sic4([one, two])
    assert cleaned.data["nuts2_code"].tolist() == ["UKG1"]
    assert sorted(cleaned.rejects["source_file"]) == ["a.csv", "b.csv"]
    assert cleaned.rows_in == cleaned.rows_kept + cleaned.rows_rejected == 3


def test_nuts2_missing_column(tmp_path: Path) -> None:
    header = NUTS2_HEADER.replace(",cluster_name", "")
    row = _nuts2_row(0, "UKG3", "2910", "10").rsplit(",", 1)[0]
    path = _write(tmp_path, [header, row], name="nocluster.csv")
    with pytest.raises(DataFileError, match=r"nocluster\.csv.*cluster_name"):
        get_bres_nuts2_sic4([path])


def test_gzip_reader_roundtrip_matches_plain(tmp_path: Path) -> None:
    lines = _lines(ROW_CEREALS, ROW_CARS)
    plain = get_bres_itl2_sic5(_write(tmp_path, lines, name="p.csv")).data
    zipped = get_bres_itl2_sic5(_write(tmp_path, lines, name="z.csv.gz", gz=True)).data
    pd.testing.assert_frame_equal(plain, zipped)
    # the independent reader used by the real-file tests agrees with the cleaner
    raw = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert sorted(zipped["employment"].tolist()) == sorted(float(r["COUNT"]) for r in raw)
