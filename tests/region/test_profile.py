"""State of the Region statistics on small hand-made tables with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.region import profile


def _gva():
    rows = []
    for itl, c, g in (("R1", 30, 70), ("R2", 10, 90), ("X", 10, 390)):
        rows += [(itl, "section", "C", "Manufacturing", 2022, c),
                 (itl, "section", "G", "Trade", 2022, g),
                 (itl, "total", "Total", "All", 2022, c + g),
                 (itl, "total", "Total", "All", 2021, (c + g) / 2)]
    return pd.DataFrame(rows, columns=["itl_code", "industry_level", "sic07_code",
                                       "sic07_description", "year", "gva_gbp_m"])


def test_gva_by_section_sums_region_itl3s():
    out = profile.gva_by_section(_gva(), ["R1", "R2"]).set_index("sic07_code")
    assert out.loc["C", "gva_gbp_m"] == 40 and out.loc["C", "share"] == pytest.approx(20)
    assert out.loc["C", "uk_share"] == pytest.approx(100 * 50 / 600)


def test_gva_growth_indexes_first_year():
    out = profile.gva_growth(_gva(), ["R1"])
    assert out["region_index"].tolist() == pytest.approx([100, 200])


def test_employment_by_section_maps_divisions_and_computes_lq():
    bres = pd.DataFrame({
        "year": [2021] * 6, "itl2_code": ["R", "R", "R", "X", "X", "X"],
        "sic_code": ["10", "29", "47", "10", "29", "47"],  # C, C, G
        "employment": [10.0, 30.0, 60.0, 10.0, 10.0, 280.0]})
    out = profile.employment_by_section(bres, ["R"]).set_index("section")
    # region C = 40 of 100; GB C = 60 of 400
    assert out.loc["C", "employment"] == 40
    assert out.loc["C", "lq"] == pytest.approx(0.4 / 0.15)


def test_deprivation_summary_weights_by_population():
    imd = pd.DataFrame({"lad_code": ["L"] * 3 + ["M"], "lad19_name": ["L"] * 3 + ["M"],
                        "imd_rank": [100, 20000, 30000, 5], "imd_decile": [1, 7, 10, 1],
                        "population_2015": [3000, 1000, 1000, 10]})
    out = profile.deprivation_summary(imd, ["L"]).iloc[0]
    assert out["lsoas"] == 3
    assert out["most_deprived_decile_pct"] == pytest.approx(100 / 3)
    assert out["mean_rank_pop_weighted"] == pytest.approx((300000 + 2e7 + 3e7) / 5000)


def test_workplace_by_msoa_share_and_lq():
    census = pd.DataFrame({"msoa11_code": ["m1", "m1", "m2", "m2"],
                           "msoa11_name": ["M1", "M1", "M2", "M2"],
                           "sic_section": ["C", "G", "C", "G"], "workers": [50, 50, 10, 90]})
    out = profile.workplace_by_msoa(census, ["m1"]).iloc[0]
    assert out["share_C"] == pytest.approx(50) and out["lq_C"] == pytest.approx(0.5 / 0.3)


def test_business_demography_rates_equal_ons_published_rates(mirror):
    """Birth and death rates from the workbook's counts equal the rates ONS publishes in
    Explore local statistics (business-demography.csv, 2024), to its full precision."""
    from wmresearch.evidence.demography import get_business_demography
    from wmresearch.evidence.geography import current_lad_codes, get_la_codes

    lookup = get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                          mirror / "geography/cauth_all_codes.csv.gz").data
    demography = get_business_demography(mirror / "ons/businessdemographyexceltables2024.xlsx",
                                         current_lad_codes(lookup)).data
    out = profile.business_demography_summary(demography, ["E08000025", "E08000029"],
                                              total_label="Two districts")
    assert out["year"].eq(2024).all() and list(out["lad_name"]) == [
        "Birmingham", "Solihull", "United Kingdom", "Two districts"]
    rows = out.set_index("lad_name")
    # published: Birmingham births 15.055008685581933%, deaths 11.9166184134337%;
    # UK births 11.101105599336956%, deaths 9.804740980613982%, 2,859,535 active enterprises
    assert rows.loc["Birmingham", "birth_rate"] == pytest.approx(15.055008685581933, rel=1e-12)
    assert rows.loc["Birmingham", "death_rate"] == pytest.approx(11.9166184134337, rel=1e-12)
    assert rows.loc["United Kingdom", "birth_rate"] == pytest.approx(11.101105599336956,
                                                                     rel=1e-12)
    assert rows.loc["United Kingdom", "death_rate"] == pytest.approx(9.804740980613982,
                                                                     rel=1e-12)
    assert rows.loc["United Kingdom", "active"] == 2_859_535
    assert rows.loc["Two districts", "active"] == rows.loc[["Birmingham", "Solihull"],
                                                           "active"].sum()
