"""Tests for wmresearch.evidence.sic: the SIC 2007 hierarchy joined to Companies House codes.

Real-file tests compare the cleaned table with an independent read of the raw CSVs using the
csv module; broken-file tests write small files in tmp_path, one per failure mode.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from wmresearch.evidence.io import DataFileError
from wmresearch.evidence.sic import (
    SCHEMA_SIC,
    SIC2007_DIVISIONS,
    get_sic_hierarchy,
    pad_code,
    split_code_name,
)

HIERARCHY_FILE = "sic/sic2007_hierarchy.csv"
CH_FILE = "sic/sic07_companies_house_condensed.csv"
H_HEADER = ("SIC_2DIGIT_CODE,SIC_2DIGIT_NAME,SIC_3DIGIT_CODE,SIC_3DIGIT_NAME,SIC_5DIGIT_CODE,"
            "SIC_5DIGIT_NAME,SIC_2DIGIT_CODE_NUMERIC,SIC_SECTION_LETTER,SIC_SECTION_CODE,"
            "SIC_SECTION_NAME")
H_CARS = ("29,29 : Manufacture of motor vehicles,291,291 : Manufacture of motor vehicles,"
          "29100,29100 : Manufacture of motor vehicles,29,C,C (10-33),Manufacturing")
H_RICE = ("01,01 : Crop and animal production,011,011 : Growing of non-perennial crops,01120,"
          "01120 : Growing of rice,1,A,A (1-3),\"Agriculture, forestry and fishing\"")
CH_HEADER = "code,description"


def _raw(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="latin-1", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(tmp_path: Path, name: str, lines: list[str], *, encoding: str = "latin-1",
           bom: bool = False) -> Path:
    path = tmp_path / name
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _pair(tmp_path: Path, hier: list[str], ch: list[str]) -> tuple[Path, Path]:
    return (_write(tmp_path, "hier.csv", [H_HEADER, *hier]),
            _write(tmp_path, "ch.csv", [CH_HEADER, *ch]))


# --------------------------------------------------------------------------- real files

@pytest.fixture(scope="module")
def paths(mirror: Path) -> tuple[Path, Path]:
    out = (mirror / HIERARCHY_FILE, mirror / CH_FILE)
    for path in out:
        if not path.is_file():
            pytest.skip(f"{path} is not in the mirror")
    return out


@pytest.fixture(scope="module")
def raw(paths):
    return _raw(paths[0]), _raw(paths[1])


@pytest.fixture(scope="module")
def sic(paths):
    return get_sic_hierarchy(*paths)


def test_rows_balance(sic, raw) -> None:
    hier, ch = raw
    assert sic.rows_in == len(hier) + len(ch)
    assert sic.rows_rejected == 0
    assert sic.rows_kept == sic.rows_in
    codes = {r["SIC_5DIGIT_CODE"] for r in hier} | {r["code"] for r in ch}
    assert len(sic.data) == len(codes)
    assert set(sic.data["sic5_code"]) == codes
    assert sic.name == "sic2007" and sic.source.count(";") == 1


def test_flags_against_raw(sic, raw) -> None:
    hier, ch = raw
    h_codes, ch_codes = {r["SIC_5DIGIT_CODE"] for r in hier}, {r["code"] for r in ch}
    data = sic.data.set_index("sic5_code")
    assert set(data.index[data["nomis_hierarchy"]]) == h_codes
    assert set(data.index[data["in_companies_house"]]) == ch_codes
    assert ch_codes - h_codes == {"74990", "98000", "99999"}
    assert h_codes - ch_codes == {"01000"}
    assert set(data.index[data["is_defra_agri"]]) == {"01000"}
    for row in ch:
        assert data.loc[row["code"], "companies_house_description"] == " ".join(
            row["description"].split())


def test_companies_house_only_codes(sic) -> None:
    data = sic.data.set_index("sic5_code")
    assert data.loc["98000", "section"] == "T" and data.loc["98000", "sic2_code"] == "98"
    assert data.loc["98000", "sic5_name"] == "Residents property management"
    for status in ("74990", "99999"):  # non-trading / dormant: no activity, no section
        assert pd.isna(data.loc[status, "section"]) and pd.isna(data.loc[status, "sic2_code"])
    assert data.loc["99999", "sic5_name"] == "Dormant Company"


def test_hierarchy_rows_match_raw(sic, raw) -> None:
    hier, _ = raw
    data = sic.data.set_index("sic5_code")
    for r in hier:
        out = data.loc[r["SIC_5DIGIT_CODE"]]
        assert out["sic3_code"] == r["SIC_3DIGIT_CODE"]
        assert out["sic2_code"] == r["SIC_2DIGIT_CODE"]
        assert out["sic4_code"] == r["SIC_5DIGIT_CODE"][:4]
        assert out["section"] == r["SIC_SECTION_LETTER"]
        assert out["sic2_name"] == r["SIC_2DIGIT_NAME"].split(" : ", 1)[1]
        if "\u00c6" not in r["SIC_5DIGIT_NAME"]:
            # whitespace runs collapsed (the raw file has doubled spaces)
            assert out["sic5_name"] == " ".join(r["SIC_5DIGIT_NAME"].split(" : ", 1)[1].split())


def test_mis_encoded_apostrophe_repaired(sic, raw) -> None:
    hier, _ = raw
    bad = [r for r in hier if "\u00c6" in r["SIC_5DIGIT_NAME"]]
    assert [r["SIC_5DIGIT_CODE"] for r in bad] == ["22230"]
    name = sic.data.set_index("sic5_code").loc["22230", "sic5_name"]
    assert name == "Manufacture of builders' ware of plastic"
    assert not sic.data["sic5_name"].str.contains("\u00c6").any()


def test_division_table_matches_hierarchy(raw) -> None:
    hier, _ = raw
    from_file = {r["SIC_2DIGIT_CODE"]: r["SIC_SECTION_LETTER"] for r in hier}
    assert from_file == SIC2007_DIVISIONS
    assert len(SIC2007_DIVISIONS) == 88


# --------------------------------------------------------------------------- schema, helpers

def test_schema_documented() -> None:
    assert SCHEMA_SIC.description and SCHEMA_SIC.strict is True
    assert all(c.description for c in SCHEMA_SIC.columns.values())


def test_helpers() -> None:
    prefix, name = split_code_name(pd.Series(["01110 : Growing of  cereals", "No prefix"]))
    assert prefix.isna().tolist() == [False, True] and prefix.iloc[0] == "01110"
    assert name.tolist() == ["Growing of cereals", "No prefix"]
    assert pad_code(pd.Series(["1110", "01110", "X1", " 291 "]), 5).tolist() == [
        "01110", "01110", "X1", "00291"]


# --------------------------------------------------------------------------- broken files

def test_small_files_latin1_crlf_bom(tmp_path: Path) -> None:
    hier = _write(tmp_path, "hier.csv", [H_HEADER, H_CARS, H_RICE], bom=True)
    ch = _write(tmp_path, "ch.csv", [CH_HEADER, "29100,Manufacture of motor  vehicles",
                                     "1120,Growing of rice", "99999,Dormant Company",
                                     "22230,Caf\u00e9 ware"])
    cleaned = get_sic_hierarchy(hier, ch)
    data = cleaned.data.set_index("sic5_code")
    assert sorted(data.index) == ["01120", "22230", "29100", "99999"]
    assert data.loc["01120", "in_companies_house"]  # leading zero restored in "1120"
    assert data.loc["29100", "companies_house_description"] == "Manufacture of motor vehicles"
    assert data.loc["22230", "sic5_name"] == "Caf\u00e9 ware"  # latin-1 decoded
    assert data.loc["22230", "section"] == "C"  # derived from division 22
    assert cleaned.rows_in == 6 and cleaned.rows_kept == 6 and len(cleaned.data) == 4


def test_section_disagreeing_with_division_rejected(tmp_path: Path) -> None:
    wrong = H_CARS.replace(",C,C (10-33),", ",G,G (45-47),")
    cleaned = get_sic_hierarchy(*_pair(tmp_path, [H_RICE, wrong], []))
    assert cleaned.data["sic5_code"].tolist() == ["01120"]
    assert cleaned.rejects["source_row"].tolist() == [3]
    assert "section" in cleaned.rejects["reason"].iloc[0]
    assert cleaned.rejects["source_file"].tolist() == ["hier.csv"]


def test_name_prefix_disagreeing_rejected(tmp_path: Path) -> None:
    wrong = H_CARS.replace("29100 : Manufacture", "29200 : Manufacture")
    cleaned = get_sic_hierarchy(*_pair(tmp_path, [wrong], []))
    assert cleaned.data.empty
    assert "prefix" in cleaned.rejects["reason"].iloc[0]


def test_bad_and_duplicate_companies_house_codes(tmp_path: Path) -> None:
    ch = ["29100,Cars", "29100,Lorries", "ABCDE,Not a code", "01120,Rice", "01120,Rice"]
    cleaned = get_sic_hierarchy(*_pair(tmp_path, [H_RICE], ch))
    assert cleaned.rows_in == 6 and cleaned.rows_rejected == 4
    reasons = dict(zip(cleaned.rejects["source_row"], cleaned.rejects["reason"], strict=True))
    assert sorted(reasons) == [2, 3, 4, 6]
    assert "conflicting" in reasons[2] and "conflicting" in reasons[3]
    assert "not a 5-digit" in reasons[4] and "repeats row 5" in reasons[6]
    assert cleaned.data["sic5_code"].tolist() == ["01120"]


def test_missing_column(tmp_path: Path) -> None:
    hier = _write(tmp_path, "nosec.csv", [H_HEADER.replace("SIC_SECTION_LETTER", "LETTER"),
                                          H_CARS])
    ch = _write(tmp_path, "ch.csv", [CH_HEADER])
    with pytest.raises(DataFileError, match=r"nosec\.csv.*SIC_SECTION_LETTER"):
        get_sic_hierarchy(hier, ch)


def test_truncated_file(tmp_path: Path) -> None:
    hier = _write(tmp_path, "cut.csv", [H_HEADER, H_RICE, H_CARS[:40]])
    ch = _write(tmp_path, "ch.csv", [CH_HEADER])
    with pytest.raises(DataFileError, match=r"cut\.csv, row 3.*truncated"):
        get_sic_hierarchy(hier, ch)


def test_utf8_file_read_as_latin1_is_not_an_error(tmp_path: Path) -> None:
    # latin-1 decodes any byte, so a UTF-8 file is read (as mojibake) rather than rejected;
    # this documents why the registry must record the real encoding.
    hier = _write(tmp_path, "hier.csv", [H_HEADER, H_CARS])
    ch = _write(tmp_path, "ch.csv", [CH_HEADER, "29100,Caf\u00e9"], encoding="utf-8")
    data = get_sic_hierarchy(hier, ch).data
    assert data["companies_house_description"].tolist() == ["Caf\u00c3\u00a9"]
