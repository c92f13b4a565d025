"""Region values, comparators and gaps against ONS's own published figures.

Real-data tests read the mirror through the getters (ONS Explore local statistics files,
ONS mid-2021 population via NOMIS NM_2002, ONS Subregional productivity June 2024). Each one
compares a figure this module computes with a figure the publisher prints for the same thing.
"""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.indicators import INDICATORS, get_indicator
from wmresearch.evidence.population import get_population_mye2021
from wmresearch.evidence.productivity import get_productivity_lad
from wmresearch.region.gaps import gdp_per_head_relative, output_gap, real_growth
from wmresearch.region.indicators import AGGREGATION, district_weights, region_value

WMCA = "E47000007"
WM7 = [f"E080000{i}" for i in range(25, 32)]
GM = "E47000001"
GM10 = [f"E080000{i:02d}" for i in range(1, 11)]
NOT_A_CA = "E99999999"  # forces aggregation from the districts


@pytest.fixture(scope="module")
def els(mirror):
    ids = ["employment_rate", "gva_per_hour", "gdp_per_head_current_prices",
           "gdp_per_head_chained_volume", "median_weekly_pay"]
    return pd.concat([get_indicator(i, mirror / INDICATORS[i].relpath).data for i in ids],
                     ignore_index=True)


@pytest.fixture(scope="module")
def population(mirror):
    return get_population_mye2021(mirror / "nomis/nomis_NM_2002_mye2021_lad.csv").data


@pytest.fixture(scope="module")
def productivity(mirror):
    return get_productivity_lad(mirror / "ons/labour_productivity_local_authorities_2024.xls"
                                ).data


def test_every_indicator_has_an_aggregation_rule():
    assert set(AGGREGATION) == set(INDICATORS)
    assert {a.kind for a in AGGREGATION.values()} <= {"rate", "count", "none"}


@pytest.mark.parametrize(("code", "lads", "published"), [(WMCA, WM7, 70.5), (GM, GM10, 71.9)])
def test_employment_rate_district_aggregate_matches_published_ca(els, population, code, lads,
                                                                 published):
    # ONS APS local indicators (LI01, 16 April 2024) via Explore local statistics, 2023:
    # West Midlands CA 70.5% (68.8-72.2), Greater Manchester CA 71.9%. District rates are
    # rounded to 0.1 and weighted by mid-2021 (not 2023) population 16-64: tolerance 0.3 pp.
    pub = region_value(els, "employment_rate", code, lads, year=2023)
    assert pub.method == "published combined-authority figure"
    assert pub.value == published
    agg = region_value(els, "employment_rate", NOT_A_CA, lads, year=2023,
                       population=population)
    assert agg.method.startswith("aggregated from districts, weighted by mid-2021 population "
                                 "aged 16-64")
    assert agg.value == pytest.approx(published, abs=0.3)


def test_comparator_release_and_period_are_reported(els):
    v = region_value(els, "employment_rate", WMCA, WM7, year=2023)
    # Same release: UK 75.7% (75.4-76.0), 2023, source date 16/04/2024.
    assert (v.comparator_code, v.comparator_label) == ("K02000001", "United Kingdom")
    assert (v.comparator_value, v.comparator_lci_95, v.comparator_uci_95) == (75.7, 75.4, 76.0)
    assert v.period == "2023" and v.release_date == pd.Timestamp("2024-04-16")
    assert (v.lci_95, v.uci_95) == (68.8, 72.2)


def test_gva_per_hour_aggregate_matches_published_ca(els, productivity):
    # Explore local statistics GVA per hour (release of 19/06/2025), 2022: West Midlands CA
    # £35.18. Districts weighted by hours worked from the June 2024 release (a different
    # vintage, hence the tolerance of 0.5%).
    pub = region_value(els, "gva_per_hour", WMCA, WM7, year=2022)
    assert pub.value == pytest.approx(35.18, abs=0.005)
    agg = region_value(els, "gva_per_hour", NOT_A_CA, WM7, year=2022,
                       productivity=productivity)
    assert "hours worked 2022" in agg.method
    assert agg.value == pytest.approx(pub.value, rel=0.005)


def test_gdp_per_head_aggregate_matches_published_ca_in_2021(els, population):
    # ONS Regional GDP (17/04/2025), GDP per head 2021 of E47000007 as published; weights
    # are the mid-2021 population, the same year: tolerance 0.5% (revisions to population
    # between the GDP release and the mid-2021 estimate).
    pub = region_value(els, "gdp_per_head_current_prices", WMCA, WM7, year=2021)
    agg = region_value(els, "gdp_per_head_current_prices", NOT_A_CA, WM7, year=2021,
                       population=population)
    assert pub.method == "published combined-authority figure"
    assert agg.value == pytest.approx(pub.value, rel=0.005)


def test_medians_are_never_averaged(els, population):
    v = region_value(els, "median_weekly_pay", NOT_A_CA, WM7, population=population)
    assert v.value is None and v.method.startswith("not available")
    assert "median cannot be aggregated" in v.method
    # The published CA median is used as is (ASHE 2025 via Explore local statistics).
    assert region_value(els, "median_weekly_pay", WMCA, WM7).method.startswith("published")


def test_single_district_uses_its_own_row(els):
    v = region_value(els, "employment_rate", "E08000025", ["E08000025"], year=2023)
    # Birmingham, APS 2023: 65.9% (62.4-69.4) as published in employment-rate.csv.
    assert (v.value, v.lci_95, v.uci_95) == pytest.approx((65.9, 62.4, 69.4))
    assert v.method == "published figure for the area"


def test_unpublished_area_without_districts_is_not_available(els):
    v = region_value(els, "employment_rate", NOT_A_CA, None, year=2023)
    assert v.value is None and v.method.startswith("not available")


def test_missing_district_is_named_not_dropped(els, population):
    v = region_value(els, "employment_rate", NOT_A_CA, [*WM7, "E08009999"], year=2023,
                     population=population)
    assert v.value is None and "E08009999" in v.method


def test_output_gap_uk_gva_matches_published_uk_row(productivity):
    # ONS Subregional productivity (June 2024), 2022, UK less extra-regio: GVA per filled job
    # £61,729.3 x 34,082,047 filled jobs = £2,103.9bn. The sum over districts of jobs x GVA
    # per job must give the same total (rounding of district figures: tolerance 0.5%).
    wide = productivity[productivity["year"] == 2022].pivot_table(
        index="area_code", columns="measure", values="value", aggfunc="first")
    lads = [c for c in wide.index if c != "UKX"]
    gap = output_gap(productivity, lads, year=2022)
    assert gap["gva_gbp_m"] == pytest.approx(61_729.3 * 34_082_047 / 1e6, rel=0.005)
    assert gap["relative"] == pytest.approx(100) and gap["gap_gbp_m"] == pytest.approx(0)


def test_output_gap_single_district_matches_published_index(productivity):
    # Same workbook: Birmingham 2022 GVA per hour index 86.2 (UK = 100). Ours is against the
    # like-for-like UK aggregate of rounded district rates (39.89 vs published 39.7):
    # tolerance 0.7 index points.
    gap = output_gap(productivity, ["E08000025"], year=2022)
    assert gap["relative"] == pytest.approx(86.2, abs=0.7)
    assert gap["gap_gbp_m"] > 0
    assert gap["gap_gbp_m"] == pytest.approx(
        gap["hours_m"] * (gap["uk_gva_per_hour"] - gap["gva_per_hour"]))


def _toy_productivity() -> pd.DataFrame:
    # Two districts, worked by hand: A 10 £/h x 100 h, B 30 £/h x 100 h -> UK 20 £/h.
    # A's GVA = 2 jobs x 500 = 1,000 (= 10 x 100); gap = 100 h x (20 - 10) = 1,000.
    rows = [(c, c, m, 2022, v) for c, vals in
            (("A", {"gva_per_hour": 10, "hours_worked": 100, "filled_jobs": 2,
                    "gva_per_job": 500}),
             ("B", {"gva_per_hour": 30, "hours_worked": 100, "filled_jobs": 2,
                    "gva_per_job": 1500})) for m, v in vals.items()]
    rows.append(("UKX", None, "gva_per_hour", 2022, 20))
    return pd.DataFrame(rows, columns=["area_code", "lad_code", "measure", "year", "value"])


def test_output_gap_hand_calculation():
    gap = output_gap(_toy_productivity(), ["A"])
    assert gap["gva_gbp_m"] == pytest.approx(1000 / 1e6)
    assert gap["gap_gbp_m"] == pytest.approx(1000 / 1e6)
    assert gap["relative"] == pytest.approx(50)


def _toy_els(indicator: str) -> pd.DataFrame:
    # Region R: 100 then 110 (+10%); UK: 200 then 204 (+2%); R at half the UK level in 2019.
    rows = [("R", 2019, 100.0), ("R", 2023, 110.0), ("K02000001", 2019, 200.0),
            ("K02000001", 2023, 204.0)]
    return pd.DataFrame({
        "areacd": [r[0] for r in rows], "areacd_original": [r[0] for r in rows],
        "areanm": ["R", "R", "UK", "UK"], "indicator": indicator,
        "year": [r[1] for r in rows], "period_start": pd.to_datetime(
            [f"{r[1]}-01-01" for r in rows]), "period_label": [str(r[1]) for r in rows],
        "observation": [r[2] for r in rows], "lci_95": None, "uci_95": None,
        "release": "toy", "release_date": pd.Timestamp("2025-04-17")})


def test_real_growth_and_relative_hand_calculation():
    cvm = _toy_els(INDICATORS["gdp_per_head_chained_volume"].indicator)
    g = real_growth(cvm, "R", None, base_year=2019)
    assert g["growth"] == pytest.approx(10) and g["comparator_growth"] == pytest.approx(2)
    cp = _toy_els(INDICATORS["gdp_per_head_current_prices"].indicator)
    assert gdp_per_head_relative(cp, "R", None, year=2019)["relative"] == pytest.approx(50)
    with pytest.raises(ValueError, match="R"):
        real_growth(cvm, "R", None, base_year=2010)


def test_population_16_64_weights_add_the_three_bands(population):
    # NOMIS NM_2002 mid-2021, Birmingham: 16-64 is 16-24 + 25-49 + 50-64 (All Ages minus
    # 0-15 and 65+), checked against the All Ages row of the same extract.
    w, source = district_weights("population aged 16-64", ["E08000025"], 2023,
                                 population=population)
    rows = population[population["lad_code"] == "E08000025"].set_index("age")["population"]
    assert w.iloc[0] == rows["All Ages"] - rows["Aged 0 to 15"] - rows["Aged 65+"]
    assert "mid-2021" in source
