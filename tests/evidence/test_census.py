"""Tests for wmresearch.evidence.census: Census 2011 workplace population by MSOA and section.

Real-file tests compare the cleaned table with an independent read of the raw CSV using the
csv module; broken-file tests write small files in tmp_path, one per failure mode.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from wmresearch.evidence.census import SCHEMA_WORKPLACE_POPULATION, get_workplace_population
from wmresearch.evidence.io import DataFileError

CENSUS_FILE = "ons/census2011_workplace_population_msoa_sic_section.csv"
SECTION_HEADERS = [
    '"A Agriculture, forestry and fishing"', "B Mining and quarrying", "C Manufacturing",
    '"D Electricity, gas, steam and air conditioning supply"', "E Water supply",
    "F Construction", "G Wholesale and retail trade", "H Transport and storage",
    "I Accommodation and food service activities", "J Information and communication",
    "K Financial and insurance activities", "L Real estate activities",
    "M Professional activities", "N Administrative activities", "O Public administration",
    "P Education", "Q Human health and social work activities",
    '"R,S Arts, entertainment and recreation; other service activities"',
    "T Activities of households", "U Activities of extraterritorial organisations",
]
HEADER = ",".join(["2011 super output area - middle layer", "All categories: Industry",
                   *SECTION_HEADERS])


def _raw(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _row(area: str, sections: list[int], total: int | None = None) -> str:
    total = sum(sections) if total is None else total
    return ",".join([area, str(total), *map(str, sections)])


SECTIONS_OK = list(range(1, 21))  # 20 section groups, total 210


def _write(tmp_path: Path, rows: list[str], *, name: str = "wp.csv", header: str = HEADER,
           bom: bool = False, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    data = ("\n".join([header, *rows]) + "\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


# --------------------------------------------------------------------------- real file

@pytest.fixture(scope="module")
def census_path(mirror: Path) -> Path:
    path = mirror / CENSUS_FILE
    if not path.is_file():
        pytest.skip(f"{CENSUS_FILE} is not in the mirror {mirror}")
    return path


@pytest.fixture(scope="module")
def raw(census_path: Path):
    return _raw(census_path)


@pytest.fixture(scope="module")
def census(census_path: Path):
    return get_workplace_population(census_path)


def test_rows_balance(census, raw) -> None:
    header, body = raw
    # every raw row is an MSOA whose sections sum to "All categories": nothing to reject
    assert all(re.fullmatch(r"[EW]02\d{6} : .+", r[0]) for r in body)
    assert all(int(r[1]) == sum(int(x) for x in r[2:]) for r in body)
    assert census.rows_in == len(body)
    assert census.rows_rejected == 0
    assert census.rows_kept == len(body)
    assert len(census.data) == census.rows_kept * (len(header) - 2)
    assert census.name == "census2011_workplace_msoa"


def test_shape_and_codes(census, raw) -> None:
    _, body = raw
    data = census.data
    assert data["msoa11_code"].nunique() == len(body)
    assert data["msoa11_code"].str.fullmatch(r"[EW]02\d{6}").all()
    assert data["msoa11_code"].str.startswith("W02").sum() // 20 == sum(
        r[0].startswith("W02") for r in body)
    assert data.groupby("msoa11_code").size().eq(20).all()
    assert set(data["sic_section"]) == {*"ABCDEFGHIJKLMNOPQ", "R,S", "T", "U"}
    assert list(data.columns) == list(SCHEMA_WORKPLACE_POPULATION.columns)
    assert str(data["workers"].dtype) == "Int64"


def test_totals_match_raw(census, raw) -> None:
    _, body = raw
    assert int(census.data["workers"].sum()) == sum(int(r[1]) for r in body)
    per_msoa = census.data.groupby("msoa11_code")["workers"].sum()
    for r in body[::500]:
        assert per_msoa[r[0].split(" : ")[0]] == int(r[1])


def test_known_row_darlington_001(census, raw) -> None:
    header, body = raw
    first = body[0]
    code, name = first[0].split(" : ", 1)
    rows = census.data[census.data["msoa11_code"] == code]
    assert (rows["msoa11_name"] == name).all()
    expected = {h.split(" ", 1)[0]: int(v) for h, v in zip(header[2:], first[2:], strict=True)}
    assert dict(zip(rows["sic_section"], rows["workers"].astype(int), strict=True)) == expected


# --------------------------------------------------------------------------- schema

def test_schema_documented() -> None:
    schema = SCHEMA_WORKPLACE_POPULATION
    assert schema.description and schema.strict is True
    assert all(c.description for c in schema.columns.values())


# --------------------------------------------------------------------------- broken files

def test_small_file_with_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, [_row("E02006896 : Birmingham 001", SECTIONS_OK)], bom=True)
    cleaned = get_workplace_population(path)
    data = cleaned.data
    assert len(data) == 20 and cleaned.rows_in == 1 and cleaned.rows_kept == 1
    assert data["workers"].tolist() == SECTIONS_OK
    assert data.loc[data["sic_section"] == "R,S", "workers"].tolist() == [18]
    assert (data["msoa11_name"] == "Birmingham 001").all()
    assert data.loc[data["sic_section"] == "C", "section_name"].tolist() == ["Manufacturing"]


def test_unbalanced_row_rejected(tmp_path: Path) -> None:
    rows = [_row("E02006896 : Birmingham 001", SECTIONS_OK),
            _row("E02006897 : Birmingham 002", SECTIONS_OK, total=999)]
    cleaned = get_workplace_population(_write(tmp_path, rows))
    assert cleaned.rows_in == 2 and cleaned.rows_kept == 1 and cleaned.rows_rejected == 1
    assert cleaned.rejects["source_row"].tolist() == [3]
    assert "sum to 210" in cleaned.rejects["reason"].iloc[0]
    assert "999" in cleaned.rejects["reason"].iloc[0]


def test_total_and_footnote_rows_rejected(tmp_path: Path) -> None:
    rows = [_row("E02006896 : Birmingham 001", SECTIONS_OK),
            _row("Total", SECTIONS_OK),
            "Source: Office for National Statistics" + "," * 21]
    cleaned = get_workplace_population(_write(tmp_path, rows))
    assert cleaned.rows_kept == 1 and cleaned.rejects["source_row"].tolist() == [3, 4]
    assert cleaned.rejects["reason"].str.contains("not an MSOA").all()


def test_duplicate_msoa_rejected(tmp_path: Path) -> None:
    row = _row("W02000366 : Newport 020", SECTIONS_OK)
    cleaned = get_workplace_population(_write(tmp_path, [row, row]))
    assert cleaned.rows_kept == 1 and cleaned.rejects["source_row"].tolist() == [3]


def test_suppressed_section_rejected(tmp_path: Path) -> None:
    row = _row("E02006896 : Birmingham 001", SECTIONS_OK).replace(",1,2,", ",..,2,", 1)
    cleaned = get_workplace_population(_write(tmp_path, [row]))
    assert cleaned.data.empty and cleaned.rows_rejected == 1
    assert "suppressed" in cleaned.rejects["reason"].iloc[0]


def test_thousands_separator(tmp_path: Path) -> None:
    sections = [1234, *SECTIONS_OK[1:]]
    row = _row("E02006896 : Birmingham 001", sections).replace(",1234,", ',"1,234",', 1)
    total = sum(sections)
    row = row.replace(f",{total},", f',"{total:,}",', 1)
    data = get_workplace_population(_write(tmp_path, [row])).data
    assert data.loc[data["sic_section"] == "A", "workers"].tolist() == [1234]


def test_non_numeric_count(tmp_path: Path) -> None:
    rows = [_row("E02006896 : Birmingham 001", SECTIONS_OK),
            _row("E02006897 : Birmingham 002", SECTIONS_OK).replace(",3,4,", ",3,four,")]
    with pytest.raises(DataFileError) as info:
        get_workplace_population(_write(tmp_path, rows, name="nn.csv"))
    message = str(info.value)
    assert "nn.csv" in message and "row 3" in message and "D Electricity" in message


def test_missing_section_column(tmp_path: Path) -> None:
    header = HEADER.replace(",P Education", "")
    row = _row("E02006896 : Birmingham 001", SECTIONS_OK[:19])
    with pytest.raises(DataFileError) as info:
        get_workplace_population(_write(tmp_path, [row], header=header, name="noP.csv"))
    assert "noP.csv" in str(info.value) and "'P'" in str(info.value)


def test_missing_total_column(tmp_path: Path) -> None:
    header = HEADER.replace("All categories: Industry", "Total")
    with pytest.raises(DataFileError, match=r"nt\.csv.*All categories: Industry"):
        get_workplace_population(_write(tmp_path, [], header=header, name="nt.csv"))


def test_latin1_bytes(tmp_path: Path) -> None:
    rows = [_row("W02000001 : Ynys M\u00f4n 001", SECTIONS_OK)]
    with pytest.raises(DataFileError) as info:
        get_workplace_population(_write(tmp_path, rows, encoding="latin-1", name="l1.csv"))
    assert "l1.csv" in str(info.value) and info.value.row == 2


def test_truncated_file(tmp_path: Path) -> None:
    rows = [_row("E02006896 : Birmingham 001", SECTIONS_OK), "E02006897 : Birmingham 002,210,1"]
    with pytest.raises(DataFileError, match=r"cut\.csv, row 3.*truncated"):
        get_workplace_population(_write(tmp_path, rows, name="cut.csv"))
