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


def _workbook(tmp_path, cell="12.5", sheets=tuple(SHEETS)):
    book = xlwt.Workbook()
    for name in sheets:
        sh = book.add_sheet(name)
        sh.write(0, 0, "Title")
        for c, h in enumerate(["LAD_Code", "LAD_Name", "Pounds_2020", "Pounds_2021"]):
            sh.write(4, c, h)
        for c, v in enumerate(["E08000025", "Birmingham", 10.0, cell]):
            sh.write(5, c, v)
        sh.write(7, 0, "Source: Office for National Statistics")
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


def test_missing_sheet_is_named(tmp_path):
    with pytest.raises(DataFileError, match="Productivity Jobs"):
        get_productivity_lad(_workbook(tmp_path, sheets=list(SHEETS)[:-1]))


def test_not_an_xls_file(tmp_path):
    bad = tmp_path / "bad.xls"
    bad.write_text("LAD_Code,LAD_Name\n")
    with pytest.raises(DataFileError, match="bad.xls"):
        get_productivity_lad(bad)
