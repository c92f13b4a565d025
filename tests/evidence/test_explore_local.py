"""ONS Explore local statistics reader and the per-indicator getters.

Published figures used (ONS, Explore local statistics data, github.com/ONSdigital/
explore-local-statistics-data at commit 4972c588):

* total-value-of-uk-exports.csv, ONS "Subnational trade in goods and services" (released
  06/08/2025): West Midlands Combined Authority (E47000007) exports 2023 = GBP 28,575m, also
  published for ITL2 TLG3 (the same area) and as seven ITL3 areas TLG31-TLG39 whose values
  (9,727 + 8,599 + 4,892 + 795 + 910 + 1,955 + 1,697) add to it exactly.
* employment-rate.json names the APS release of 16/04/2024 (ONS LI01 dataset).
"""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from wmresearch.evidence.explore_local import parse_periods, read_explore_local
from wmresearch.evidence.geography import current_lad_codes, get_la_codes
from wmresearch.evidence.indicators import GETTERS, INDICATORS, get_exports, get_indicator
from wmresearch.evidence.io import DataFileError

ELS = "ons/explore_local_statistics"


@pytest.fixture(scope="module")
def lookup(mirror):
    return current_lad_codes(get_la_codes(mirror / "geography/la_all_codes.csv.gz").data)


def test_wmca_exports_match_publication_and_add_up_from_itl3(mirror, lookup):
    data = get_exports(mirror / f"{ELS}/total-value-of-uk-exports.csv", lookup).data
    y2023 = data[data["year"] == 2023].set_index("areacd")["observation"]
    assert y2023["E47000007"] == 28_575.0  # published, exact
    assert y2023["TLG3"] == y2023["E47000007"]
    itl3 = [f"TLG3{i}" for i in (1, 2, 3, 6, 7, 8, 9)]
    assert y2023[itl3].sum() == y2023["E47000007"]


def test_periods_follow_iso_8601():
    """ISO 8601:2004 s.4.4.3: start/duration; end = start + duration - 1 day."""
    text = pd.Series(["2022-04-01/P1Y", "2011-01-01/P3Y", "2025-04-30", "1998",
                      "2023-01-01/P1Y", "2019-08-01/P1Y"])
    out = parse_periods(text, "x.csv", pd.Series(range(2, 8)))
    assert out["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-03-31", "2013-12-31", "2025-04-30", "1998-12-31", "2023-12-31", "2020-07-31"]
    assert out["period_label"].tolist() == ["2022/23", "2011-2013", "2025", "1998", "2023",
                                            "2019/20"]
    assert out["year"].tolist() == [2022, 2011, 2025, 1998, 2023, 2019]


def test_suppressed_values_are_missing_never_zero(mirror, lookup):
    path = mirror / f"{ELS}/claimant-count.csv"
    with open(path, encoding="utf-8-sig") as fh:
        flagged = sum(r["status"] == "x" for r in csv.DictReader(fh))
    cleaned = read_explore_local(path, lookup)
    x = cleaned.data[cleaned.data["status"] == "x"]
    assert len(x) == flagged > 0
    assert x["observation"].isna().all() and x["suppressed"].all()
    assert cleaned.rows_in == cleaned.rows_kept + cleaned.rows_rejected


def test_confidence_limits_bracket_the_estimate(mirror, lookup):
    data = read_explore_local(mirror / f"{ELS}/employment-rate.csv", lookup).data
    both = data.dropna(subset=["observation", "lci_95", "uci_95"])
    assert len(both) > 10_000
    assert ((both["lci_95"] <= both["observation"] + 1e-9)
            & (both["observation"] <= both["uci_95"] + 1e-9)).all()


def test_legacy_gdp_layout_is_read(mirror, lookup):
    path = mirror / f"{ELS}/gdp-per-head.csv"
    cleaned = read_explore_local(path, lookup)
    with open(path, encoding="utf-8-sig") as fh:
        n = sum(1 for _ in csv.DictReader(fh))
    assert cleaned.rows_in == n and cleaned.rows_rejected == 0
    wm = cleaned.data[(cleaned.data["areacd"] == "E47000007") & (cleaned.data["year"] == 1998)]
    assert set(wm["period_label"]) == {"1998"} and wm["geography"].iloc[0] == "ITL Level 2"
    assert cleaned.data["release_date"].iloc[0] == pd.Timestamp("2025-04-17")


def test_obsolete_district_codes_map_to_current(mirror, lookup):
    data = read_explore_local(mirror / f"{ELS}/business-demography.csv", lookup).data
    allerdale = data[data["areacd_original"] == "E07000026"]  # merged into Cumberland, 2023
    assert len(allerdale) and set(allerdale["areacd"]) == {"E06000063"}


def test_release_metadata_is_carried(mirror, lookup):
    data = GETTERS["employment_rate"](mirror / f"{ELS}/employment-rate.csv", lookup).data
    assert set(data["release_date"]) == {pd.Timestamp("2024-04-16")}
    assert "li01" in data["release"].iloc[0]
    pay = GETTERS["median_weekly_pay"](mirror / f"{ELS}/gross-median-weekly-pay.csv").data
    assert pay["release_org"].iloc[0].split("|")[1].startswith("Northern Ireland")


def test_rows_without_a_code_are_rejected_with_reason(mirror):
    path = mirror / f"{ELS}/foreign-direct-investment.csv"
    with open(path, encoding="utf-8-sig") as fh:
        na = sum(r["areacd"] == "na" for r in csv.DictReader(fh))
    cleaned = read_explore_local(path)
    assert cleaned.rows_rejected == na == 60  # 3 Scottish city regions x 10 years x 2
    assert cleaned.rejects["reason"].str.contains("area code na").all()


def test_every_registered_indicator_is_in_its_file(mirror):
    names: dict[str, set[str]] = {}
    for spec in INDICATORS.values():
        if spec.file not in names:
            with open(mirror / spec.relpath, encoding="utf-8-sig") as fh:
                reader = csv.reader(fh)
                header = [h.lower() for h in next(reader)]
                col = header.index("indicator")
                names[spec.file] = {row[col] for row in reader if row}
        assert spec.indicator in names[spec.file], spec.id
    assert set(GETTERS) == set(INDICATORS)
    with pytest.raises(KeyError, match="known"):
        get_indicator("no_such_indicator", mirror / INDICATORS["exports"].relpath)


# ----------------------------------------------------------------------- injected faults

HEADER = ("areacd,areanm,geography,indicator,period,observation,measure,unit,lci_95,uci_95,"
          "status,notes\n")
ROW = "E08000025,Birmingham,Local Authority District,Employment rate,2023-01-01/P1Y,{},"\
      "Percentage,%,,,{},\n"


@pytest.fixture
def fake(tmp_path, mirror):
    def _make(body: str):
        path = tmp_path / "employment-rate.csv"
        path.write_text(HEADER + body, encoding="utf-8")
        shutil.copy(mirror / f"{ELS}/employment-rate.json", tmp_path / "employment-rate.json")
        return path
    return _make


def test_truncated_file_names_the_row(fake):
    path = fake(ROW.format("65.1", "") + "E08000026,Coventry,Local Authority District,Emp")
    with pytest.raises(DataFileError, match="row 3.*truncated"):
        read_explore_local(path)


def test_non_numeric_observation_names_row_and_column(fake):
    path = fake(ROW.format("65.1", "") + ROW.format("n/a", ""))
    with pytest.raises(DataFileError, match="row 3, column 'observation'"):
        read_explore_local(path)


def test_unknown_status_code_is_an_error(fake):
    path = fake(ROW.format("", "z"))
    with pytest.raises(DataFileError, match="row 2, column 'status'.*unknown status"):
        read_explore_local(path)


def test_missing_metadata_is_an_error(fake):
    path = fake(ROW.format("65.1", ""))
    path.with_suffix(".json").unlink()
    with pytest.raises(DataFileError, match="release metadata"):
        read_explore_local(path)


def test_bad_period_names_row(fake):
    path = fake(ROW.format("65.1", "").replace("2023-01-01/P1Y", "2023-Q1"))
    with pytest.raises(DataFileError, match="row 2, column 'period'"):
        read_explore_local(path)
