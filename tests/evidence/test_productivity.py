"""ONS subregional productivity workbook (June 2024) getter."""

from __future__ import annotations

import pytest
import xlrd
import xlwt

from wmresearch.evidence.io import DataFileError
from wmresearch.evidence.productivity import SHEETS, get_productivity_lad

REL = "ons/labour_productivity_local_authorities_2024.xls"


@pytest.fixture(scope="module")
def real(mirror):
    return mirror / REL, get_productivity_lad(mirror / REL)


def _cell(path, sheet, code, year):
    """Independent read of one cell straight from the workbook."""
    sh = xlrd.open_workbook(path).sheet_by_name(sheet)
    header_row = next(r for r in range(20) if sh.cell_value(r, 0) == "LAD_Code")
    col = next(c for c, h in enumerate(sh.row_values(header_row)) if str(h).endswith(str(year)))
    row = next(r for r in range(sh.nrows) if sh.cell_value(r, 0) == code)
    return float(sh.cell_value(row, col))


@pytest.mark.parametrize("sheet,code,year", [("A3", "E08000025", 2022), ("B3", "E08000026", 2002),
                                             ("A1", "UKX", 2010),
                                             ("Productivity Jobs", "E08000031", 2015)])
def test_values_match_the_workbook(real, sheet, code, year):
    path, cleaned = real
    data = cleaned.data
    got = data[(data["area_code"] == code) & (data["measure"] == SHEETS[sheet][0])
               & (data["year"] == year)]
    assert got["value"].iloc[0] == pytest.approx(_cell(path, sheet, code, year))


def test_accounting_balances_and_rejects_are_notes(real):
    _, cleaned = real
    acc = cleaned.accounting()
    assert acc["rows_in"] == acc["rows_out"] + acc["rows_rejected"]
    assert cleaned.rejects["area_code"].str.match(r"(Note|Source|$)").all()
    # every sheet keeps the UK row plus one row per LAD: 361 LADs in the 2024 release
    per_sheet = cleaned.data.groupby("measure")["area_code"].nunique()
    assert (per_sheet == per_sheet.iloc[0]).all() and per_sheet.iloc[0] == 362


def test_uk_index_is_100(real):
    _, cleaned = real
    uk = cleaned.data.query("area_code == 'UKX' and measure == 'gva_per_hour_index'")
    assert (uk["value"] == 100).all()


def _workbook(tmp_path, cell="12.5", sheets=tuple(SHEETS), top=4,
              header=("LAD_Code", "LAD_Name", "Pounds_2020", "Pounds_2021")):
    book = xlwt.Workbook()
    for name in sheets:
        sh = book.add_sheet(name)
        sh.write(0, 0, "Title")
        for c, h in enumerate(header):
            sh.write(top, c, h)
        for c, v in enumerate(["E08000025", "Birmingham", 10.0, cell]):
            sh.write(top + 1, c, v)
        sh.write(top + 3, 0, "Source: Office for National Statistics")
    path = tmp_path / "prod.xls"
    book.save(str(path))
    return path


def test_handmade_workbook_text_numbers_and_notes(tmp_path):
    cleaned = get_productivity_lad(_workbook(tmp_path, cell="1,234.5"))
    assert cleaned.rows_in == 2 * len(SHEETS) and cleaned.rows_rejected == len(SHEETS)
    assert set(cleaned.data["value"].dropna()) == {10.0, 1234.5}


def test_non_numeric_cell_names_sheet_row_and_column(tmp_path):
    with pytest.raises(DataFileError, match=r"prod.xls, row 6, column 'Pounds_2021'.*'abc'"):
        get_productivity_lad(_workbook(tmp_path, cell="abc"))


def test_rows_are_numbered_from_the_detected_header(tmp_path):
    with pytest.raises(DataFileError, match=r"row 3, column 'Pounds_2021'.*'n\.a\.'"):
        get_productivity_lad(_workbook(tmp_path, cell="n.a.", top=1))
    cleaned = get_productivity_lad(_workbook(tmp_path, cell="[c]", top=1))
    assert set(cleaned.rejects["source_row"]) == {5}
    assert cleaned.data["value"].isna().sum() == len(SHEETS)


def test_repeated_year_column_is_an_error(tmp_path):
    path = _workbook(tmp_path, header=("LAD_Code", "LAD_Name", "Pounds_2021", "Pounds_2021"))
    with pytest.raises(DataFileError, match=r"row 5, column 'Pounds_2021'.*repeated"):
        get_productivity_lad(path)


def test_missing_header_row_names_sheet(tmp_path):
    path = _workbook(tmp_path, header=("Code", "Name", "Pounds_2020", "Pounds_2021"))
    with pytest.raises(DataFileError, match=r"sheet 'A1'.*'LAD_Code'"):
        get_productivity_lad(path)


def test_missing_sheet_is_named(tmp_path):
    with pytest.raises(DataFileError, match="Productivity Jobs"):
        get_productivity_lad(_workbook(tmp_path, sheets=list(SHEETS)[:-1]))


def test_not_an_xls_file(tmp_path):
    bad = tmp_path / "bad.xls"
    bad.write_text("LAD_Code,LAD_Name\n")
    with pytest.raises(DataFileError, match="bad.xls"):
        get_productivity_lad(bad)


# --------------------------------------------------------------------------- published values
# Typed from the publisher's workbook, not produced by the code: ONS, "Subregional
# productivity: labour productivity indices by local authority district", June 2024 release,
# sheet A3 "Current Price (smoothed) GVA (B) per hour worked (£)", column U (Pounds_2022); the
# cell reference follows each value. Printed to 0.1, so the tolerance is 0.05 (half a unit of
# the last printed digit) and the cleaned value must equal the printed value to float precision.
GVA_PER_HOUR_2022 = {
    "E08000025": 34.2,  # Birmingham, A3!U257
    "E08000026": 38.5,  # Coventry, A3!U258
    "E08000029": 39.7,  # Solihull, A3!U261
    "E08000031": 34.0,  # Wolverhampton, A3!U263
    "UKX": 39.7,        # UK less Extra-Regio, A3!U6
}
#: Same release, sheet A1 (index UK=100), column U (Index_2022).
GVA_PER_HOUR_INDEX_2022 = {"E08000025": 86.2,  # A1!U257
                           "E08000026": 96.8,  # A1!U258
                           "E08000029": 99.9,  # A1!U261
                           "E08000031": 85.6}  # A1!U263


def _one(data, code, measure, year):
    got = data[(data["area_code"] == code) & (data["measure"] == measure)
               & (data["year"] == year)]["value"]
    assert len(got) == 1, f"{code} {measure} {year}: {len(got)} rows"
    return float(got.iloc[0])


@pytest.mark.parametrize("code,published", sorted(GVA_PER_HOUR_2022.items()))
def test_gva_per_hour_2022_equals_published(real, code, published):
    _, cleaned = real
    assert _one(cleaned.data, code, "gva_per_hour", 2022) == pytest.approx(published, abs=1e-9)


@pytest.mark.parametrize("code,published", sorted(GVA_PER_HOUR_INDEX_2022.items()))
def test_gva_per_hour_index_2022_equals_published(real, code, published):
    _, cleaned = real
    assert _one(cleaned.data, code, "gva_per_hour_index", 2022) == pytest.approx(published,
                                                                                 abs=1e-9)


@pytest.mark.parametrize("pounds,index", [("gva_per_hour", "gva_per_hour_index"),
                                          ("gva_per_job", "gva_per_job_index")])
def test_index_sheets_are_pounds_relative_to_uk(real, pounds, index):
    """Sheets A1/B1 are A3/B3 relative to the UK row (the workbook labels them "UK=100").

    Every area and year of the cleaned table must satisfy index = 100 * area / UK within
    rounding: the pounds (and the UK) are printed to 0.1 and the index to 0.1, so the gap is
    at most 100 * (0.05 / uk + area * 0.05 / uk**2) + 0.05. This fails if a sheet, an area
    row or a year column were misaligned in reading.
    """
    _, cleaned = real
    data = cleaned.data
    wide = data[data["measure"].isin([pounds, index])].pivot_table(
        index=["area_code", "year"], columns="measure", values="value")
    uk = wide.loc["UKX", pounds].rename("uk")
    wide = wide.join(uk, on="year").dropna()
    bound = 100 * (0.05 / wide["uk"] + wide[pounds] * 0.05 / wide["uk"] ** 2) + 0.05
    gap = (100 * wide[pounds] / wide["uk"] - wide[index]).abs()
    assert len(wide) > 360 * 15
    assert (gap <= bound).all(), gap[gap > bound].head()
