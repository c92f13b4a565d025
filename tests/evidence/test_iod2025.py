"""English Indices of Deprivation 2025, Files 1 and 3.

Reference: MHCLG, English Indices of Deprivation 2025 (statistical release 30 Oct 2025):
33,755 LSOAs (2021); decile 1 = the most deprived 10% nationally, i.e.
``ceil(10 * rank / 33755)``. No published count of decile-1 LSOAs per WMCA district was
found with search, so the count is recomputed independently with openpyxl straight from the
workbook cells (a different engine and code path from the getter's calamine reader).
"""

from __future__ import annotations

from collections import Counter

import openpyxl
import pytest

from wmresearch.evidence.io import DataFileError
from wmresearch.evidence.iod2025 import (
    FILE1_SHEET,
    N_LSOA_2025,
    get_iod2025_imd,
    get_iod2025_supplementary,
)

FILE1 = "mhclg/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx"
FILE3 = "mhclg/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx"
WM7 = [f"E080000{i}" for i in range(25, 32)]


@pytest.fixture(scope="module")
def imd(mirror):
    return get_iod2025_imd(mirror / FILE1)


def test_all_33755_lsoas_kept_and_deciles_follow_ranks(imd):
    assert imd.rows_in == len(imd.data) == N_LSOA_2025 and imd.rows_rejected == 0
    ranks = imd.data["imd_rank"]
    assert ranks.min() == 1 and ranks.max() == N_LSOA_2025
    assert (imd.data["imd_decile"] == 1).sum() in (3375, 3376)  # a tenth of 33,755


def test_wmca_decile_one_counts_match_the_workbook_cells(imd, mirror):
    book = openpyxl.load_workbook(mirror / FILE1, read_only=True, data_only=True)
    rows = book[FILE1_SHEET].iter_rows(min_row=2, values_only=True)
    expected = Counter(r[2] for r in rows if r[2] in WM7 and r[5] == 1)
    book.close()
    got = imd.data[imd.data["lad24_code"].isin(WM7) & (imd.data["imd_decile"] == 1)]
    assert got["lad24_code"].value_counts().to_dict() == dict(expected)
    assert sum(expected.values()) == 466 and expected["E08000025"] == 282


def test_supplementary_indices(mirror, imd):
    sup = get_iod2025_supplementary(mirror / FILE3)
    assert sup.rows_in == N_LSOA_2025 and sup.rows_rejected == 0
    assert set(sup.data["lsoa21_code"]) == set(imd.data["lsoa21_code"])
    for prefix in ("idaci", "idaopi"):
        # Ten national deciles of 33,755 LSOAs: 3,375 or 3,376 each.
        sizes = sup.data[f"{prefix}_decile"].value_counts()
        assert set(sizes.index) == set(range(1, 11))
        assert sizes.between(3375, 3376).all(), sizes.to_dict()


def _file1(tmp_path, rank=26525, decile=8, code="E01000001"):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = FILE1_SHEET
    ws.append(["LSOA code (2021)", "LSOA name (2021)", "Local Authority District code (2024)",
               "Local Authority District name (2024)",
               "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
               "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of "
               "LSOA"])
    ws.append([code, "City of London 001A", "E09000001", "City of London", rank, decile])
    path = tmp_path / "f1.xlsx"
    book.save(path)
    return path


def test_text_rank_names_row_and_column(tmp_path):
    with pytest.raises(DataFileError, match="row 2, column 'imd_rank'"):
        get_iod2025_imd(_file1(tmp_path, rank="26,525x"))


def test_inconsistent_decile_and_bad_code_are_rejected(tmp_path):
    cleaned = get_iod2025_imd(_file1(tmp_path, decile=3))
    assert cleaned.rows_rejected == 1 and "disagrees" in cleaned.rejects["reason"].iloc[0]
    cleaned = get_iod2025_imd(_file1(tmp_path, code="W01000001"))
    assert "LSOA 2021" in cleaned.rejects["reason"].iloc[0]


def test_missing_sheet_is_an_error(tmp_path):
    with pytest.raises(DataFileError, match="no sheet"):
        get_iod2025_supplementary(_file1(tmp_path))
