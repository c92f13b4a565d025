"""Tests for wmresearch.evidence.gva: ONS regional GVA by industry and GVA per hour.

Real-file tests compare the cleaned tables with an independent read of the raw CSV using the
csv module, and headline figures with the values printed in the publisher's files (typed, with
line references). Broken-file tests are in ``test_gva_files.py``.
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
)

INDUSTRY_FILE = "ons/regional_gva_itl3_industry_current_prices_1998_2022.csv"
PER_HOUR_FILE = "ons/gva_per_hour_itl2_itl3_2004_2021.csv"
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


def test_birmingham_total_2022_matches_raw_line(industry, industry_path):
    header, rows = _raw(industry_path)
    line = next(r for r in rows if r[0] == "TLG31" and r[2] == "Total")
    expected = _number(line[header.index("2022")])
    assert expected > 1000  # the raw cell carries a thousands separator
    got = _value(industry.data, 2022, "gva_gbp_m", itl_code="TLG31", sic07_code="Total")
    assert got == expected


def test_industry_values_match_raw_sample(industry, industry_path):
    header, rows = _raw(industry_path)
    data = industry.data.set_index(["itl_code", "sic07_description", "year"])["gva_gbp_m"]
    sample = rows[::211]
    for row in sample:
        for column in header[4:]:
            key = (row[0], row[3].strip(), int(column))
            assert data.loc[key] == _number(row[header.index(column)]), key


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


def test_industry_accounting(industry, industry_path):
    _, rows = _raw(industry_path)
    assert industry.rows_in == len(rows)
    assert industry.rows_in == industry.rows_kept + industry.rows_rejected
    assert industry.name == "gva_itl3_industry"
    assert industry.accounting()["records_out"] == industry.rows_kept * 25


def test_subsections_tile_manufacturing(industry):
    codes = industry.data.drop_duplicates("sic07_code")
    sub = codes[codes["industry_level"] == "subsection"]
    divisions: list[int] = []
    for text in sub["sic07_divisions"]:
        first, _, last = text.partition("-")
        divisions.extend(range(int(first), int(last or first) + 1))
    assert sorted(divisions) == list(range(10, 34))  # SIC 2007 section C = divisions 10-33


def test_sections_are_disjoint(industry):
    codes = industry.data.drop_duplicates("sic07_code")
    sections = codes[codes["industry_level"] == "section"]
    letters = "".join(c for code in sections["sic07_code"] for c in code)
    assert sorted(letters) == list("ABCDEFGHIJKLMNOPQRST")  # U (extraterritorial) excluded


def test_total_is_sum_of_sections_within_rounding(industry):
    check = check_additivity(industry.data)
    assert len(check) == industry.data["itl_code"].nunique() * 25
    assert check["complete"].all()
    # each published cell is rounded to £1m: error <= 0.5 per section plus 0.5 for the total
    assert (check["tolerance"] == 0.5 * (check["n_sections"] + 1)).all()
    assert check["within_tolerance"].all(), check[~check["within_tolerance"]]


def test_broad_sectors_plus_construction_sum_to_total(industry):
    data = industry.data
    wide = data[data["sic07_code"].isin(["Total", "A-E", "F", "G-T"])].pivot_table(
        index=["itl_code", "year"], columns="sic07_code", values="gva_gbp_m")
    diff = wide["Total"] - (wide["A-E"] + wide["F"] + wide["G-T"])
    assert (diff.abs() <= 0.5 * 4).all()  # three rounded parts and a rounded total


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


# --------------------------------------------------------------------------- published values
# Expected numbers typed from the publisher's files (line number given, header = line 1), not
# produced by running the code:
# * ONS, "Regional gross value added (balanced) by industry: all ITL regions", Table 3c (ITL3,
#   current prices, £ million), edition covering 1998-2022, column 2022, SIC07 code "Total"
#   ("All industries");
# * ONS, "Subregional productivity: labour productivity indices by UK ITL2 and ITL3
#   subregions", Table A4, current price (smoothed) GVA (B) per hour worked (£), edition
#   covering 2004-2021, column 2021.
# Both print whole £ million (3c) or £0.1 (A4), so cleaned values must equal the printed
# ones exactly (absolute tolerance 1e-9: float representation only).

#: Table 3c, 2022, "Total" / "All industries", £ million: ITL3 code -> (value, file line).
#: The seven ITL3 areas of ITL2 TLG3 (West Midlands metropolitan county) are the seven WMCA
#: constituent districts (Birmingham, Solihull, Coventry, Dudley, Sandwell, Walsall,
#: Wolverhampton).
GVA_TOTAL_2022 = {
    "TLG31": (32_013, 3586),  # Birmingham
    "TLG32": (9_711, 3650),   # Solihull
    "TLG33": (10_723, 3714),  # Coventry
    "TLG36": (5_931, 3778),   # Dudley
    "TLG37": (6_798, 3842),   # Sandwell
    "TLG38": (5_088, 3906),   # Walsall
    "TLG39": (6_069, 3970),   # Wolverhampton
}
#: Table A4, 2021, £ per hour: code -> (value, file line).
GVA_PER_HOUR_2021 = {
    "UKX": (38.7, 2),   # UK less Extra-Regio
    "TLB": (39.3, 3),   # England
    "TLG": (33.6, 71),  # West Midlands (ITL1)
    "TLG3": (34.6, 81),  # West Midlands (ITL2, the metropolitan county)
}


def _totals_2022(data: pd.DataFrame) -> pd.Series:
    rows = data[(data["sic07_code"] == "Total") & (data["year"] == 2022)]
    return rows.set_index("itl_code")["gva_gbp_m"].astype(float)


@pytest.mark.parametrize("code", sorted(GVA_TOTAL_2022))
def test_itl3_all_industries_2022_equals_published(industry, code):
    published, line = GVA_TOTAL_2022[code]
    got = _totals_2022(industry.data)
    assert got[code] == pytest.approx(published, abs=1e-9), f"{INDUSTRY_FILE} line {line}"


def test_itl2_tlg3_total_is_the_sum_of_its_itl3_areas(industry, per_hour):
    """ITL2 TLG3 (from :func:`itl3_in_itl2`) = the seven published ITL3 totals (£76,333m).

    Table 3c holds ITL3 rows only, so the ITL2 figure is the sum of its areas; the published
    ITL2 table (Table 2c) is not in the mirror. The hierarchy must put exactly the seven
    areas above under TLG3, named as in Table A4 (line 81, "West Midlands").
    """
    hierarchy = itl3_in_itl2(industry.data, per_hour.data)
    members = hierarchy.loc[hierarchy["itl2_code"] == "TLG3"]
    assert sorted(members["itl3_code"]) == sorted(GVA_TOTAL_2022)
    assert set(members["itl2_name"]) == {"West Midlands"}
    totals = _totals_2022(industry.data)
    tlg3 = totals[members["itl3_code"]].sum()
    published_sum = sum(value for value, _ in GVA_TOTAL_2022.values())
    assert published_sum == 76_333
    assert tlg3 == pytest.approx(published_sum, abs=1e-9)


@pytest.mark.parametrize("code", sorted(GVA_PER_HOUR_2021))
def test_gva_per_hour_2021_equals_published(per_hour, code):
    published, line = GVA_PER_HOUR_2021[code]
    data = per_hour.data
    got = data.loc[(data["itl_code"] == code) & (data["year"] == 2021), "gva_per_hour_gbp"]
    assert len(got) == 1
    assert float(got.iloc[0]) == pytest.approx(published, abs=1e-9), \
        f"{PER_HOUR_FILE} line {line}"

