"""Tests for wmresearch.evidence.gva and gva_hour on small hand-written files, one per
failure mode (encoding, truncation, missing columns, notes, duplicates), and unit tests of
the SIC07 label parser and the additivity check."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wmresearch.evidence.gva import check_additivity, get_gva_by_industry, parse_sic07_label
from wmresearch.evidence.gva_hour import get_gva_per_hour_itl
from wmresearch.evidence.io import DataFileError

INDUSTRY_HEADER = "ITL code,Region name,SIC07 code,SIC07 description,2004,2005,2006"
PER_HOUR_HEADER = "ITL level,ITL code,Region name,2004,2005"


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


def _value(data: pd.DataFrame, year: int, value: str, **keys: str) -> float:
    mask = data["year"] == year
    for column, wanted in keys.items():
        mask &= data[column] == wanted
    hit = data.loc[mask, value]
    assert len(hit) == 1, f"{keys} {year}: {len(hit)} rows"
    return float(hit.iloc[0])


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
