"""ONS Business demography 2024 workbook: births, deaths, active enterprises by district.

Published figures used:

* ONS, Business demography, UK: 2024 reference tables (businessdemographyexceltables2024.xlsx,
  20 Nov 2025), UK rows (K02000001) of Tables 1.1a-d, 2.1a-d, 3.1a-d, e.g. 2024 births
  317,440 (Table 1.1d), deaths 280,370 (2.1d), active 2,859,535 (3.1d). Counts are
  controlled-rounded so the districts add to the UK total exactly.
* ONS Explore local statistics, business-demography.csv (commit 4972c588): birth and death
  rates, "births as a proportion of the active businesses" (its .json caveats), published
  unrounded (e.g. Birmingham 2024 births 15.055008685581933%).
"""

from __future__ import annotations

import csv

import openpyxl
import pytest

from wmresearch.evidence.demography import TABLES, get_business_demography
from wmresearch.evidence.geography import current_lad_codes, get_la_codes
from wmresearch.evidence.io import DataFileError

BOOK = "ons/businessdemographyexceltables2024.xlsx"
WM7 = [f"E080000{i}" for i in range(25, 32)]
UK_2024 = {"births": 317_440, "deaths": 280_370, "active": 2_859_535}


@pytest.fixture(scope="module")
def lookup(mirror):
    return current_lad_codes(get_la_codes(mirror / "geography/la_all_codes.csv.gz").data)


@pytest.fixture(scope="module")
def real(mirror, lookup):
    return get_business_demography(mirror / BOOK, lookup)


def test_districts_add_to_the_published_uk_totals(real):
    totals = real.data.groupby(["measure", "year"])["count"].sum()
    uk = real.rejects[real.rejects["code"] == "K02000001"].set_index(["measure", "year"])
    assert len(uk) == 18
    for (measure, year), value in uk["value"].items():
        assert totals[(measure, int(year))] == int(value), (measure, year)
    for measure, value in UK_2024.items():
        assert totals[(measure, 2024)] == value
    assert real.rows_in == real.rows_kept + real.rows_rejected


def test_rates_implied_by_counts_match_explore_local_statistics(real, mirror):
    """births / active x 100 reproduces ONS's published rate to 1e-9 (relative)."""
    with open(mirror / "ons/explore_local_statistics/business-demography.csv",
              encoding="utf-8") as fh:
        rates = {(r["areacd"], r["indicator"], r["period"][:4]): float(r["observation"])
                 for r in csv.DictReader(fh)}
    counts = real.data.set_index(["lad_code_original", "measure", "year"])["count"]
    checked = 0
    for lad in WM7:
        for year in range(2019, 2025):
            active = counts[(lad, "active", year)]
            for measure, name in (("births", "Business births"), ("deaths", "Business deaths")):
                published = rates[(lad, name, str(year))]
                assert counts[(lad, measure, year)] / active * 100 == pytest.approx(
                    published, rel=1e-9)
                checked += 1
    assert checked == 84
    assert rates[("E08000025", "Business births", "2024")] == pytest.approx(15.055008685581933)


def test_each_year_on_its_own_boundaries_mapped_to_current(real):
    data = real.data
    allerdale = data[data["lad_code_original"] == "E07000026"]
    # Table 1.1c (2021-2023) is still on the districts before the April 2023 Cumbrian merger.
    assert set(allerdale["year"]) == {2019, 2020, 2021, 2022, 2023}
    assert set(allerdale["lad_code"]) == {"E06000063"}
    cumberland = data[data["lad_code_original"] == "E06000063"]
    assert set(cumberland["year"]) == {2024}
    assert len(data[(data["year"] == 2024) & (data["measure"] == "births")]) == 361


def test_star_marker_is_a_flag_not_part_of_the_name(real):
    bham = real.data[(real.data["lad_code"] == "E08000025")]
    assert set(bham["lad_name"]) == {"Birmingham"}
    assert bham["multiple_registrations"].any() and not bham["multiple_registrations"].all()


def _workbook(tmp_path, bad_value=None, drop=None):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for word, sheets in TABLES.values():
        for i, sheet in enumerate(sheets):
            if sheet == drop:
                continue
            ws = book.create_sheet(sheet)
            ws.append([f"Table - Count of {word} for {2019 + i}"])
            ws.append(["This worksheet contains one table"])
            ws.append(["Units: Counts"])
            ws.append([None, None, 2019 + i])
            ws.append(["K02000001", "UNITED KINGDOM", 100])
            ws.append(["E08000025", "Birmingham", 100])
    if bad_value is not None:
        book["Table 2.1b"]["C6"] = bad_value
    path = tmp_path / "bd.xlsx"
    book.save(path)
    return path


def test_synthetic_workbook_round_trip(tmp_path):
    cleaned = get_business_demography(_workbook(tmp_path), {"E08000025": "E08000025"})
    assert cleaned.rows_in == 24 and cleaned.rows_rejected == 12 and len(cleaned.data) == 12


def test_non_numeric_count_names_sheet_row_and_column(tmp_path):
    with pytest.raises(DataFileError, match=r"row 6, column 'C \(2020\)'.*Table 2.1b"):
        get_business_demography(_workbook(tmp_path, bad_value="12a"), {})


def test_missing_sheet_is_an_error(tmp_path):
    with pytest.raises(DataFileError, match="missing sheet.*Table 3.1c"):
        get_business_demography(_workbook(tmp_path, drop="Table 3.1c"), {})


def test_not_a_workbook_is_an_error(tmp_path):
    path = tmp_path / "bd.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataFileError, match="not a readable Excel workbook"):
        get_business_demography(path, {})
