"""Tests for wmresearch.evidence.gva: ONS regional GVA by industry and GVA per hour.

Real-file tests compare the cleaned tables with an independent read of the raw CSV using the
csv module; broken-file tests write small files in tmp_path, one per failure mode.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from wmresearch.evidence.gva import (
    check_additivity,
    get_gva_by_industry,
    get_gva_per_hour_itl,
    itl3_in_itl2,
    parse_sic07_label,
)
from wmresearch.evidence.io import DataFileError

INDUSTRY_FILE = "ons/regional_gva_itl3_industry_current_prices_1998_2022.csv"
PER_HOUR_FILE = "ons/gva_per_hour_itl2_itl3_2004_2021.csv"
INDUSTRY_HEADER = "ITL code,Region name,SIC07 code,SIC07 description,2004,2005,2006"
PER_HOUR_HEADER = "ITL level,ITL code,Region name,2004,2005"


# --------------------------------------------------------------------------- helpers

def _raw(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data lines of a raw file, read independently with the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def _mirror_path(mirror: Path, relpath: str) -> Path:
    path = mirror / relpath
    if not path.is_file():
        pytest.skip(f"{relpath} is not in the mirror {mirror}")
    return path


def _write(tmp_path: Path, lines: list[str], *, name: str = "gva.csv",
           encoding: str = "utf-8", bom: bool = False, newline: str = "\n") -> Path:
    path = tmp_path / name
    data = newline.join(lines).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def _industry_lines() -> list[str]:
    return [
        INDUSTRY_HEADER,
        'TLG31,Birmingham,Total,All industries,"30,000","31,000","32,000"',
        "TLG31,Birmingham,A-E,Production sector,500,510,520",
        "TLG31,Birmingham,C (10-33),Manufacturing,400,410,420",
    ]


# --------------------------------------------------------------------------- real files

@pytest.fixture(scope="module")
def industry_path(mirror: Path) -> Path:
    return _mirror_path(mirror, INDUSTRY_FILE)


@pytest.fixture(scope="module")
def per_hour_path(mirror: Path) -> Path:
    return _mirror_path(mirror, PER_HOUR_FILE)


@pytest.fixture(scope="module")
def industry(industry_path: Path):
    return get_gva_by_industry(industry_path)


@pytest.fixture(scope="module")
def per_hour(per_hour_path: Path):
    return get_gva_per_hour_itl(per_hour_path)


def _value(data: pd.DataFrame, year: int, value: str, **keys: str) -> float:
    mask = data["year"] == year
    for column, wanted in keys.items():
        mask &= data[column] == wanted
    hit = data.loc[mask, value]
    assert len(hit) == 1, f"{keys} {year}: {len(hit)} rows"
    return float(hit.iloc[0])


@pytest.mark.mirror
def test_birmingham_total_2022_matches_raw_line(industry, industry_path):
    header, rows = _raw(industry_path)
    line = next(r for r in rows if r[0] == "TLG31" and r[2] == "Total")
    expected = _number(line[header.index("2022")])
    assert expected > 1000  # the raw cell carries a thousands separator
    got = _value(industry.data, 2022, "gva_gbp_m", itl_code="TLG31", sic07_code="Total")
    assert got == expected


@pytest.mark.mirror
def test_industry_values_match_raw_sample(industry, industry_path):
    header, rows = _raw(industry_path)
    data = industry.data.set_index(["itl_code", "sic07_description", "year"])["gva_gbp_m"]
    sample = rows[::211]
    for row in sample:
        for column in header[4:]:
            key = (row[0], row[3].strip(), int(column))
            assert data.loc[key] == _number(row[header.index(column)]), key


@pytest.mark.mirror
def test_industry_shape(industry, industry_path):
    header, rows = _raw(industry_path)
    years = [int(h) for h in header[4:]]
    assert years == list(range(1998, 2023))  # the file's title: 1998-2022
    data = industry.data
    # ONS ITL 2021 has 179 ITL3 areas; every one appears in Table 3c
    assert data["itl_code"].nunique() == len({r[0] for r in rows}) == 179
    assert set(data["itl_level"]) == {"ITL3"}
    assert sorted(data["year"].unique()) == years
    labels = {r[2] for r in rows}
    assert data["sic07_description"].nunique() == len({r[3].strip() for r in rows})
    assert len(data) == len(rows) * len(years)
    per_area = data.groupby(["itl_code", "year"]).size()
    assert (per_area == len(labels)).all()
    assert not data["suppressed"].any()  # Table 3c publishes every cell


@pytest.mark.mirror
def test_industry_accounting(industry, industry_path):
    _, rows = _raw(industry_path)
    assert industry.rows_in == len(rows)
    assert industry.rows_in == industry.rows_kept + industry.rows_rejected
    assert industry.name == "gva_itl3_industry"
    assert industry.accounting()["records_out"] == industry.rows_kept * 25


@pytest.mark.mirror
def test_subsections_tile_manufacturing(industry):
    codes = industry.data.drop_duplicates("sic07_code")
    sub = codes[codes["industry_level"] == "subsection"]
    divisions: list[int] = []
    for text in sub["sic07_divisions"]:
        first, _, last = text.partition("-")
        divisions.extend(range(int(first), int(last or first) + 1))
    assert sorted(divisions) == list(range(10, 34))  # SIC 2007 section C = divisions 10-33


@pytest.mark.mirror
def test_sections_are_disjoint(industry):
    codes = industry.data.drop_duplicates("sic07_code")
    sections = codes[codes["industry_level"] == "section"]
    letters = "".join(c for code in sections["sic07_code"] for c in code)
    assert sorted(letters) == list("ABCDEFGHIJKLMNOPQRST")  # U (extraterritorial) excluded


@pytest.mark.mirror
def test_total_is_sum_of_sections_within_rounding(industry):
    check = check_additivity(industry.data)
    assert len(check) == industry.data["itl_code"].nunique() * 25
    assert check["complete"].all()
    # each published cell is rounded to £1m: error <= 0.5 per section plus 0.5 for the total
    assert (check["tolerance"] == 0.5 * (check["n_sections"] + 1)).all()
    assert check["within_tolerance"].all(), check[~check["within_tolerance"]]


@pytest.mark.mirror
def test_broad_sectors_plus_construction_sum_to_total(industry):
    data = industry.data
    wide = data[data["sic07_code"].isin(["Total", "A-E", "F", "G-T"])].pivot_table(
        index=["itl_code", "year"], columns="sic07_code", values="gva_gbp_m")
    diff = wide["Total"] - (wide["A-E"] + wide["F"] + wide["G-T"])
    assert (diff.abs() <= 0.5 * 4).all()  # three rounded parts and a rounded total


@pytest.mark.mirror
def test_itl3_in_itl2_birmingham(industry, per_hour, per_hour_path):
    lookup = itl3_in_itl2(industry.data, per_hour.data)
    _, rows = _raw(per_hour_path)
    itl2_names = {r[1]: r[2] for r in rows if r[0] == "ITL2"}
    assert len(lookup) == 179
    assert lookup["itl3_code"].is_unique
    assert set(lookup["itl2_code"]) == set(itl2_names)
    brum = lookup.set_index("itl3_code").loc["TLG31"]
    assert brum["itl3_name"] == "Birmingham"
    assert brum["itl2_code"] == "TLG3"
    assert brum["itl2_name"] == itl2_names["TLG3"]
    assert lookup["itl2_name"].notna().all()


def test_itl3_in_itl2_without_names_leaves_itl2_name_null():
    gva = pd.DataFrame({"itl_code": ["TLG31", "TLG32", "TLG31"],
                        "itl_name": ["Birmingham", "Solihull", "Birmingham"],
                        "itl_level": ["ITL3", "ITL3", "ITL3"]})
    out = itl3_in_itl2(gva)
    assert out["itl3_code"].tolist() == ["TLG31", "TLG32"]
    assert out["itl2_code"].tolist() == ["TLG3", "TLG3"]
    assert out["itl2_name"].isna().all()


@pytest.mark.mirror
def test_per_hour_matches_raw(per_hour, per_hour_path):
    header, rows = _raw(per_hour_path)
    years = [int(h) for h in header[3:]]
    assert years == list(range(2004, 2022))
    brum = next(r for r in rows if r[1] == "TLG31")
    got = _value(per_hour.data, 2021, "gva_per_hour_gbp", itl_code="TLG31")
    assert got == _number(brum[header.index("2021")])
    for row in rows[::17]:
        for column in header[3:]:
            assert _value(per_hour.data, int(column), "gva_per_hour_gbp",
                          itl_code=row[1]) == _number(row[header.index(column)])


@pytest.mark.mirror
def test_per_hour_levels_and_accounting(per_hour, per_hour_path, industry):
    _, rows = _raw(per_hour_path)
    assert per_hour.name == "gva_per_hour_itl"
    assert per_hour.rows_in == len(rows)
    assert per_hour.rows_in == per_hour.rows_kept + per_hour.rows_rejected
    data = per_hour.data
    levels = data.drop_duplicates("itl_code").set_index("itl_code")["itl_level"]
    assert levels["UKX"] == "UK"
    assert levels["TLB"] == "Other"
    published = pd.Series([r[0] for r in rows]).value_counts()
    assert levels.value_counts().sort_index().equals(published.sort_index()
                                                     .rename("count").rename_axis("itl_level"))
    itl3 = set(data.loc[data["itl_level"] == "ITL3", "itl_code"])
    assert itl3 == set(industry.data["itl_code"])


# --------------------------------------------------------------------------- broken files

def test_bom_and_crlf_read_like_plain(tmp_path):
    plain = get_gva_by_industry(_write(tmp_path, _industry_lines(), name="plain.csv"))
    bommed = get_gva_by_industry(_write(tmp_path, _industry_lines(), name="bom.csv", bom=True,
                                        newline="\r\n"))
    assert list(bommed.data.columns) == list(plain.data.columns)
    pd.testing.assert_frame_equal(bommed.data, plain.data)
    assert bommed.data["itl_code"].iloc[0] == "TLG31"


def test_latin1_bytes_error_names_file_and_row(tmp_path):
    lines = _industry_lines()
    lines[2] = "TLL11,Ynys Môn,A-E,Production sector,500,510,520"
    path = _write(tmp_path, lines, encoding="latin-1")
    with pytest.raises(DataFileError) as err:
        get_gva_by_industry(path)
    message = str(err.value)
    assert str(path) in message
    assert "row 3" in message
    assert "utf-8" in message


def test_missing_itl_code_column_error_names_column(tmp_path):
    lines = _industry_lines()
    lines[0] = lines[0].replace("ITL code", "Area code")
    path = _write(tmp_path, lines)
    with pytest.raises(DataFileError) as err:
        get_gva_by_industry(path)
    message = str(err.value)
    assert "missing column" in message
    assert "'ITL code'" in message
    assert str(path) in message


def test_truncated_last_line_error_names_row(tmp_path):
    lines = _industry_lines()
    lines[-1] = "TLG31,Birmingham,C (10-33),Manufac"
    path = _write(tmp_path, lines)
    with pytest.raises(DataFileError) as err:
        get_gva_by_industry(path)
    message = str(err.value)
    assert "row 4" in message
    assert "truncated" in message


def test_non_numeric_value_error_names_row_and_column(tmp_path):
    lines = _industry_lines()
    lines[2] = "TLG31,Birmingham,A-E,Production sector,500,abc,520"
    path = _write(tmp_path, lines)
    with pytest.raises(DataFileError) as err:
        get_gva_by_industry(path)
    message = str(err.value)
    assert "row 3" in message
    assert "column '2005'" in message
    assert "'abc'" in message


def test_thousands_separators_parsed(tmp_path):
    lines = _industry_lines()
    lines.append('TLG31,Birmingham,G-T,Services sector,"1,234,567","29,000",9')
    data = get_gva_by_industry(_write(tmp_path, lines)).data
    assert _value(data, 2004, "gva_gbp_m", sic07_code="Total") == 30_000
    assert _value(data, 2004, "gva_gbp_m", sic07_code="G-T") == 1_234_567
    assert _value(data, 2006, "gva_gbp_m", sic07_code="G-T") == 9


def test_suppressed_cells_are_na_and_flagged(tmp_path):
    lines = _industry_lines()
    lines[2] = "TLG31,Birmingham,A-E,Production sector,[c],..,520"
    data = get_gva_by_industry(_write(tmp_path, lines)).data
    rows = data[data["sic07_code"] == "A-E"].set_index("year")
    assert rows.loc[2004, "gva_gbp_m"] is pd.NA
    assert rows.loc[2005, "gva_gbp_m"] is pd.NA
    assert rows["suppressed"].tolist() == [True, True, False]
    assert rows.loc[2006, "gva_gbp_m"] == 520
    assert not data.loc[data["sic07_code"] != "A-E", "suppressed"].any()


def test_footnote_blank_code_and_duplicate_rows_rejected(tmp_path):
    lines = _industry_lines()
    lines += [
        "TLG31,Birmingham,C (10-33),Manufacturing,1,2,3",  # duplicate of row 4
        ",Birmingham,F (41-43),Construction,1,2,3",         # blank ITL code
        "TLG31,Birmingham,,Construction,1,2,3",             # blank SIC07 code
        '"Source: Office for National Statistics, Table 3c",,,,,,',
    ]
    result = get_gva_by_industry(_write(tmp_path, lines))
    reasons = dict(zip(result.rejects["source_row"], result.rejects["reason"], strict=True))
    assert reasons[5].startswith("duplicate") and "first at row 4" in reasons[5]
    assert reasons[6] == "blank ITL code"
    assert reasons[7] == "blank SIC07 code"
    assert reasons[8].startswith("footnote")
    assert result.rows_in == 7
    assert result.rows_kept == 3
    assert result.rows_rejected == 4
    assert len(result.data) == 3 * 3
    assert _value(result.data, 2004, "gva_gbp_m", sic07_code="C") == 400  # first kept


def test_unrecognised_sic_code_rejected(tmp_path):
    lines = _industry_lines() + ["TLG31,Birmingham,Widgets,Widget making,1,2,3"]
    result = get_gva_by_industry(_write(tmp_path, lines))
    assert result.rejects["reason"].tolist() == ["unrecognised SIC07 code"]
    assert result.rejects["source_row"].tolist() == [5]


def test_unexpected_column_error_names_column(tmp_path):
    lines = [line + ",x" for line in _industry_lines()]
    lines[0] = INDUSTRY_HEADER + ",Notes"
    with pytest.raises(DataFileError) as err:
        get_gva_by_industry(_write(tmp_path, lines))
    assert "column 'Notes'" in str(err.value)


@pytest.mark.parametrize(("label", "expected"), [
    ("Total", ("Total", None, "total")),
    ("A-E", ("A-E", None, "broad")),
    ("G-T", ("G-T", None, "broad")),
    ("AB (1-9)", ("AB", "1-9", "section")),
    ("C (10-33)", ("C", "10-33", "section")),
    ("L (68)", ("L", "68", "section")),
    ("CA (10-12)", ("CA", "10-12", "subsection")),
    ("CM (31-33)", ("CM", "31-33", "subsection")),
    ("CD-CG (19-23)", ("CD-CG", "19-23", "subsection")),
    ("49-51", ("49-51", None, "division")),
    ("68IMP", ("68IMP", None, "division")),
    ("Widgets", None),
])
def test_parse_sic07_label(label, expected):
    assert parse_sic07_label(label) == expected


def _tidy(total: float, sections: list[float | None]) -> pd.DataFrame:
    rows = [("TLG31", 2020, "total", total)]
    rows += [("TLG31", 2020, "section", v) for v in sections]
    frame = pd.DataFrame(rows, columns=["itl_code", "year", "industry_level", "gva_gbp_m"])
    return frame.astype({"year": "Int64", "gva_gbp_m": "Float64"})


@pytest.mark.parametrize(("total", "sections", "within"), [
    (100, [50, 49], True),     # diff 1 <= 1.5
    (100, [50, 51.5], True),   # diff -1.5 == tolerance
    (100, [50, 47], False),    # diff 3 > 1.5
])
def test_check_additivity_flags_gaps(total, sections, within):
    out = check_additivity(_tidy(total, sections)).iloc[0]
    assert out["n_sections"] == 2
    assert out["tolerance"] == 1.5
    assert out["diff"] == total - sum(sections)
    assert bool(out["within_tolerance"]) is within


def test_check_additivity_incomplete_when_a_section_is_suppressed():
    out = check_additivity(_tidy(100, [50, None])).iloc[0]
    assert not out["complete"]
    assert out["diff"] is pd.NA
    assert out["within_tolerance"] is pd.NA


def test_per_hour_rejects_level_mismatch_and_footnote(tmp_path):
    lines = [
        PER_HOUR_HEADER,
        "UK,UKX,UK less Extra-Regio,24.8,25.7",
        "Other,TLB,England,25.3,26.3",
        "ITL2,TLG3,West Midlands,22,22.5",
        "ITL2,TLG31,Birmingham,21.1,22.4",   # an ITL3 code labelled ITL2
        "ITL3,TLG32,Solihull,29.1,[x]",
        "Source: ONS subregional productivity,,,,",
    ]
    result = get_gva_per_hour_itl(_write(tmp_path, lines, name="a4.csv"))
    reasons = dict(zip(result.rejects["source_row"], result.rejects["reason"], strict=True))
    assert set(reasons) == {5, 7}
    assert "does not match" in reasons[5]
    assert reasons[7].startswith("footnote")
    data = result.data
    assert set(data["itl_code"]) == {"UKX", "TLB", "TLG3", "TLG32"}
    assert _value(data, 2005, "gva_per_hour_gbp", itl_code="TLG3") == 22.5
    assert _value(data, 2004, "gva_per_hour_gbp", itl_code="TLG32") == 29.1
    assert data.loc[(data["itl_code"] == "TLG32") & (data["year"] == 2005),
                    "gva_per_hour_gbp"].isna().all()
    assert result.rows_in == 6 and result.rows_kept == 4 and result.rows_rejected == 2


def test_per_hour_non_numeric_error_names_row_and_column(tmp_path):
    lines = [PER_HOUR_HEADER, "ITL3,TLG31,Birmingham,21.1,abc"]
    with pytest.raises(DataFileError) as err:
        get_gva_per_hour_itl(_write(tmp_path, lines, name="a4.csv"))
    assert "row 2" in str(err.value) and "column '2005'" in str(err.value)
