"""Gap decompositions: each identity to 1e-9, hand-worked cases, and inputs equal to the
publisher's printed figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from wmresearch.evidence.area import resolve_area
from wmresearch.evidence.bres import get_bres_itl2_sic2
from wmresearch.evidence.geography import current_lad_codes, get_la_codes
from wmresearch.evidence.gva import get_gva_by_industry
from wmresearch.evidence.indicators import INDICATORS, get_indicator
from wmresearch.evidence.population import get_population_mye2021
from wmresearch.evidence.productivity import get_productivity_lad
from wmresearch.region.decomposition import (
    COMPONENTS,
    industry_accounts,
    labour_accounts,
    per_head_decomposition,
    shift_share_productivity,
)

WM7 = [f"E080000{i}" for i in range(25, 32)]


@pytest.fixture(scope="module")
def lookup(mirror):
    return get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                        mirror / "geography/cauth_all_codes.csv.gz").data


@pytest.fixture(scope="module")
def accounts_inputs(mirror, lookup):
    current = current_lad_codes(lookup)
    productivity = get_productivity_lad(
        mirror / "ons/labour_productivity_local_authorities_2024.xls", current).data
    local = get_indicator("employment_rate", mirror / INDICATORS["employment_rate"].relpath,
                          current).data
    population = get_population_mye2021(mirror / "nomis/nomis_NM_2002_mye2021_lad.csv",
                                        current).data
    return productivity, local, population


@pytest.fixture(scope="module")
def industry_inputs(mirror):
    gva = get_gva_by_industry(
        mirror / "ons/regional_gva_itl3_industry_current_prices_1998_2022.csv").data
    bres = get_bres_itl2_sic2(mirror / "nomis/bres_employment_itl2_sic2_2015_2021.csv.gz").data
    return gva, bres


def _toy(**changes: float) -> pd.Series:
    base = {"gva": 100.0, "hours": 4.0, "jobs": 2.0, "employed": 2.0, "working_age": 4.0,
            "population": 5.0}
    return pd.Series({**base, **changes})


def test_per_head_hand_worked():
    # UK: GVA per head 100 / 5 = 20. Area: half the employed residents (1 of 4), with jobs 1
    # and hours 2 (so jobs per employed, hours per job and GVA per hour 50 / 2 = 25 are the
    # UK's): only the employment rate differs. GVA per head 50 / 5 = 10; gap 50 x (20/10 - 1)
    # = 50, all of it the employment rate's.
    area = _toy(gva=50.0, hours=2.0, jobs=1.0, employed=1.0)
    table = per_head_decomposition(area, _toy()).set_index("component")
    assert table.loc["employment_rate", "log_points"] == pytest.approx(100 * math.log(0.5),
                                                                       abs=1e-12)
    assert table.loc["employment_rate", "gap_gbp"] == pytest.approx(50.0, abs=1e-12)
    assert table.loc["employment_rate", "share_of_gap"] == pytest.approx(100.0, abs=1e-12)
    for other in ("productivity", "hours_per_job", "commuting", "working_age_share"):
        assert table.loc[other, "gap_gbp"] == pytest.approx(0.0, abs=1e-12)


def test_per_head_two_components_share_the_gap_by_their_logs():
    # working-age residents 2/3 of the UK's 4 (same population 5), everything per working-age
    # resident as in the UK (employed, jobs, hours all x 2/3), and 18.75 per hour (3/4 of the
    # UK's 25): GVA = 18.75 x 8/3 = 50, per head 10 against 20, gap 50 x (20/10 - 1) = 50;
    # logs ln(3/4) + ln(2/3) = ln(1/2)
    area = _toy(gva=50.0, hours=4.0 * 2 / 3, jobs=2.0 * 2 / 3, employed=2.0 * 2 / 3,
                working_age=4.0 * 2 / 3)
    table = per_head_decomposition(area, _toy()).set_index("component")
    total = math.log(0.5)
    assert table.loc["total", "gap_gbp"] == pytest.approx(50.0, abs=1e-12)
    assert table.loc["productivity", "gap_gbp"] == pytest.approx(
        50.0 * math.log(0.75) / total, abs=1e-12)
    assert table.loc["working_age_share", "gap_gbp"] == pytest.approx(
        50.0 * math.log(2 / 3) / total, abs=1e-12)


def test_bad_account_is_named():
    with pytest.raises(ValueError, match="area account: employed, population"):
        per_head_decomposition(_toy(employed=0.0).drop("population"), _toy())


@pytest.mark.parametrize("area", ["wmca", "wm_three_lep", "midlands_engine"])
def test_per_head_identity_holds_to_1e9(accounts_inputs, lookup, area):
    lads = resolve_area(area, lookup).lad_codes
    acc = labour_accounts(*accounts_inputs, lads, 2021)
    table = per_head_decomposition(acc["area"], acc["uk"]).set_index("component")
    parts = table.loc[list(COMPONENTS)]
    assert parts["log_points"].sum() == pytest.approx(table.loc["total", "log_points"],
                                                      abs=1e-9)
    assert parts["gap_gbp"].sum() == pytest.approx(table.loc["total", "gap_gbp"], rel=1e-9)
    assert parts["share_of_gap"].sum() == pytest.approx(100.0, abs=1e-9)
    product = parts["area"].prod() / parts["uk"].prod()
    assert product == pytest.approx(table.loc["total", "area"] / table.loc["total", "uk"],
                                    rel=1e-9)


def test_inputs_equal_the_published_figures(accounts_inputs, lookup):
    productivity, local, _ = accounts_inputs
    # ONS subregional productivity (June 2024), Birmingham 2021: its published GVA per hour,
    # GVA per filled job and filled jobs are the account's own ratios
    acc = labour_accounts(*accounts_inputs, ["E08000025"], 2021)["area"]
    pub = productivity[(productivity["area_code"] == "E08000025")
                       & (productivity["year"] == 2021)].set_index("measure")["value"]
    assert acc["gva"] / acc["hours"] == pytest.approx(pub["gva_per_hour"], rel=1e-9)
    assert acc["gva"] / acc["jobs"] == pytest.approx(pub["gva_per_job"], rel=1e-9)
    assert acc["jobs"] == pytest.approx(pub["filled_jobs"], rel=1e-12)
    # APS via Explore local statistics, 2021: UK employment rate 16-64 74.7% as printed; the
    # WMCA's, rebuilt from its districts' printed rates, rounds to its own printed 69.8%
    both = labour_accounts(*accounts_inputs, WM7, 2021)
    uk_rate = 100 * both.loc["employed", "uk"] / both.loc["working_age", "uk"]
    assert uk_rate == pytest.approx(74.7, abs=1e-9)
    wmca_rate = 100 * both.loc["employed", "area"] / both.loc["working_age", "area"]
    printed = local.loc[(local["areacd"] == "E47000007") & (local["year"] == 2021),
                        "observation"].iloc[0]
    assert printed == pytest.approx(69.8, abs=1e-6)
    assert round(wmca_rate, 1) == pytest.approx(69.8, abs=1e-9)


def test_a_district_without_data_is_named(accounts_inputs):
    with pytest.raises(ValueError, match="E99999999"):
        labour_accounts(*accounts_inputs, ["E08000025", "E99999999"], 2021)


def test_shift_share_hand_worked():
    # two industries. UK: a 50 jobs x 2 = 100, b 50 x 1 = 50 -> 1.5 per job.
    # Area: a 20 jobs x 1.5 = 30, b 80 x 1 = 80 -> 1.1. Gap -0.4.
    # mix = (0.2 - 0.5) x 2 + (0.8 - 0.5) x 1 = -0.3; within = 0.2 x (1.5 - 2) + 0 = -0.1
    uk = pd.DataFrame({"gva": [100.0, 50.0], "employment": [50.0, 50.0]}, index=["a", "b"])
    area = pd.DataFrame({"gva": [30.0, 80.0], "employment": [20.0, 80.0]}, index=["a", "b"])
    out = shift_share_productivity(area, uk)
    assert out["gap"] == pytest.approx(-0.4, abs=1e-12)
    assert out["mix"] == pytest.approx(-0.3, abs=1e-12)
    assert out["within"] == pytest.approx(-0.1, abs=1e-12)
    assert out["mix_share"] == pytest.approx(75.0, abs=1e-9)


def test_shift_share_bad_input_is_named():
    uk = pd.DataFrame({"gva": [1.0, 1.0], "employment": [1.0, 1.0]}, index=["a", "b"])
    with pytest.raises(ValueError, match=r"industries differ .*'c'"):
        shift_share_productivity(uk.rename(index={"b": "c"}), uk)
    with pytest.raises(ValueError, match=r"area: no employment or GVA for industries \['b'\]"):
        shift_share_productivity(uk.assign(employment=[1.0, 0.0]), uk)


@pytest.mark.parametrize("itl2", [["TLG3"], ["TLF1", "TLF2", "TLF3", "TLG1", "TLG2", "TLG3"]])
def test_shift_share_identity_on_real_data(industry_inputs, itl2):
    acc = industry_accounts(*industry_inputs, itl2, 2021)
    out = shift_share_productivity(acc["area"], acc["uk"])
    assert out["mix"] + out["within"] == pytest.approx(out["gap"], abs=1e-9 * abs(out["uk"]))
    assert out["mix_share"] + out["within_share"] == pytest.approx(100.0, abs=1e-9)


def test_industries_cover_the_published_total(industry_inputs):
    # ONS regional GVA by industry (2024), TLG31 Birmingham 2021: the industries used plus
    # owner-occupiers' imputed rent (68IMP) and households (T) add to the printed "All
    # industries" total, each cell printed to £1m (so within half a million per cell)
    gva, _ = industry_inputs
    rows = gva[(gva["itl_code"] == "TLG31") & (gva["year"] == 2021)].set_index("sic07_code")
    used = industry_accounts(gva, industry_inputs[1], ["TLG3"], 2021)["area"].index
    parts = rows.loc[[*used, "68IMP", "T"], "gva_gbp_m"].astype(float)
    assert parts.sum() == pytest.approx(float(rows.loc["Total", "gva_gbp_m"]),
                                        abs=0.5 * len(parts))


def test_industry_accounts_name_a_missing_itl2(industry_inputs):
    with pytest.raises(ValueError, match="no employment for ITL2 TLZ9"):
        industry_accounts(*industry_inputs, ["TLG3", "TLZ9"], 2021)
