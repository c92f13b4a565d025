"""The claims register: every claim of issue 18 present, verdict rules by hand, bad input
named, and recomputed claims against the publisher's own printed figures."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.bres import get_bres_itl2_sic2
from wmresearch.evidence.geography import (
    current_lad_codes,
    get_itl3_boundaries,
    get_la_codes,
    get_lad_boundaries,
    lad_to_itl,
)
from wmresearch.evidence.gva import get_gva_by_industry
from wmresearch.evidence.indicators import INDICATORS, get_indicator
from wmresearch.evidence.population import get_population_mye2021
from wmresearch.evidence.productivity import get_productivity_lad
from wmresearch.region.claims import (
    VERDICTS,
    Claim,
    ClaimError,
    check_claim,
    check_claims,
    load_claims,
    verdict,
)

ISSUE_CLAIMS = {  # issue 18: every claim it lists, by the words that identify it
    "lis_gva_total": "£99bn", "lis_gva_share": "five per cent", "lis_output_growth": "27",
    "lis_productivity_growth": "twice the rate", "lis_employment_rate": "71 per cent",
    "lis_unemployment_rate": "5.7", "lis_business_growth": "9.6", "lis_gap_skills": "£3bn",
    "lis_gap_employment": "£5.2bn", "lis_gap_share": "54 per cent",
    "lis_firm_productivity": "16 per cent", "lis_not_structure": "industrial structure",
    "lis_emissions": "18 per cent", "me_population": "11 million",
    "me_businesses": "816,000", "me_gva": "£246 billion", "me_manufacturing": "£36 billion",
    "pfg_clusters": "12%-15%", "wmca_output_gap": "£12 billion",
}


class Evidence(dict):
    """The evidence tables a check reads, built from the mirror through their getters."""


@pytest.fixture(scope="module")
def evidence(mirror):
    lookup = get_la_codes(mirror / "geography/la_all_codes.csv.gz",
                          mirror / "geography/cauth_all_codes.csv.gz").data
    current = current_lad_codes(lookup)
    local = pd.concat([get_indicator(key, mirror / INDICATORS[key].relpath, current).data
                       for key in ("employment_rate", "modelled_unemployment_rate",
                                   "ghg_emissions_per_capita", "active_businesses")],
                      ignore_index=True)
    lads = get_lad_boundaries(mirror / "geography/lad_dec2023_uk_buc.geojson").data
    itl3 = get_itl3_boundaries(
        mirror / "geography/itl3_jan2021_uk_buc/ITL3_JAN_2021_UK_BUC_V3.shp").data
    return Evidence({
        "lad_lookup": lookup,
        "productivity_lad": get_productivity_lad(
            mirror / "ons/labour_productivity_local_authorities_2024.xls", current).data,
        "explore_local": local,
        "population_mye2021": get_population_mye2021(
            mirror / "nomis/nomis_NM_2002_mye2021_lad.csv", current).data,
        "gva_itl3_industry": get_gva_by_industry(
            mirror / "ons/regional_gva_itl3_industry_current_prices_1998_2022.csv").data,
        "bres_itl2_sic2": get_bres_itl2_sic2(
            mirror / "nomis/bres_employment_itl2_sic2_2015_2021.csv.gz").data,
        "lad_itl": lad_to_itl(lads, itl3),
    })


def _claim(**changes) -> Claim:
    base = dict(id="t", words="w", document="d", date="2024", area="wmca",
                measure="gva_total", period=(2022,), value=10.0, unit="£bn", printed_to=1.0)
    return Claim(**{**base, **changes})


def test_every_claim_of_the_issue_is_registered_with_its_fields():
    claims = {c.id: c for c in load_claims()}
    assert set(claims) == set(ISSUE_CLAIMS)
    for key, words in ISSUE_CLAIMS.items():
        claim = claims[key]
        assert words in claim.words, key
        assert claim.document and claim.date and claim.area and claim.unit
    assert claims["lis_gva_total"].area == "wm_three_lep"
    assert claims["me_gva"].area == "midlands_engine"


def test_verdict_rules_by_hand():
    assert verdict(_claim(), 10.49) == VERDICTS[0]          # within half of the £1bn printed
    assert verdict(_claim(), 10.6) == VERDICTS[1]           # 6% away
    assert verdict(_claim(), 11.2) == VERDICTS[2]           # 12% away
    assert verdict(_claim(), None) == VERDICTS[3]
    assert verdict(_claim(value=(12.0, 15.0)), 14.0) == VERDICTS[0]
    assert verdict(_claim(value=(12.0, 15.0)), 11.0) == VERDICTS[1]
    assert verdict(_claim(comparison="above"), 30.0) == VERDICTS[0]
    assert verdict(_claim(comparison="above"), 8.0) == VERDICTS[2]


@pytest.mark.parametrize(("text", "message"), [
    ("claims: [{id: a, words: w, document: d, date: '2019', area: wmca, measure: nonsense, "
     "period: '2019', value: 1, unit: u, printed_to: 1}]",
     r"claim 1 \(a\): measure 'nonsense' is not one the package can recompute"),
    ("claims: [{id: a, words: w, document: d, date: '2019', area: wmca, measure: gva_total, "
     "period: '2019', unit: u, printed_to: 1}]", r"claim 1 \(a\): missing value"),
    ("claims: [{id: a, words: w, document: d, date: '2019', area: wmca, measure: gva_total, "
     "period: '2019', value: 1, unit: u, printed_to: 1}, {id: a, words: w, document: d, "
     "date: '2019', area: wmca, measure: gva_total, period: '2019', value: 1, unit: u, "
     "printed_to: 1}]", "id 'a' is used twice"),
])
def test_bad_register_is_named(text, message):
    with pytest.raises(ClaimError, match=message):
        load_claims(text)


def test_a_claim_needing_an_absent_table_is_named():
    with pytest.raises(ClaimError, match=r"claim t: evidence table\(s\) gva_itl3_industry, "
                                         "productivity_lad, lad_itl not built"):
        check_claim(_claim(), Evidence())


def test_population_equals_the_printed_regional_totals(evidence):
    # ONS mid-2021 estimates (NOMIS NM_2002) print East Midlands 4,880,094 and West Midlands
    # 5,954,240 persons: the Midlands Engine's 65 districts add to their sum exactly
    claim = next(c for c in load_claims() if c.id == "me_population")
    row = check_claim(claim, evidence)
    assert row["recomputed"] * 1e6 == pytest.approx(4_880_094 + 5_954_240, abs=1e-3)
    assert row["verdict"] == "matches"


@pytest.mark.parametrize(("area", "year", "printed"), [("E12000005", 2018, 73.3),
                                                       ("E12000004", 2021, 74.1)])
def test_employment_rate_from_districts_against_the_printed_region(evidence, area, year,
                                                                   printed):
    # APS (LI01) via Explore local statistics prints the West Midlands region 73.3% in 2018
    # and the East Midlands 74.1% in 2021. District rates (printed to 0.1) weighted by
    # mid-2021 residents aged 16-64, not the survey's own weights: within 0.3 points
    claim = _claim(area=area, measure="employment_rate", period=(year,), value=printed,
                   printed_to=0.1)
    row = check_claim(claim, evidence)
    assert row["recomputed"] == pytest.approx(printed, abs=0.3)


def test_wmca_output_gap_reconciles_with_the_region_page(evidence):
    # ONS regional GVA 2024 release prints the seven WMCA ITL3 areas' 2022 GVA adding to
    # £76,333m; the gap at the hours-weighted relative (86.8) is the region page's £11.6bn
    claim = next(c for c in load_claims() if c.id == "wmca_output_gap")
    row = check_claim(claim, evidence)
    assert "£76.3bn" in row["basis"] and "86.8" in row["basis"]
    assert round(row["recomputed"], 1) == 11.6
    assert row["verdict"] == "matches"


def test_whole_register_gives_one_row_per_claim_and_never_invents_a_figure(evidence):
    # UK Business Counts (Great Britain) is left out of the fixture: its claim is not held
    claims = [c for c in load_claims() if c.measure != "business_growth"]
    table = check_claims(claims, evidence)
    assert len(table) == len(claims)
    cannot = table["verdict"] == VERDICTS[3]
    assert table.loc[cannot, "recomputed"].isna().all()
    assert table.loc[~cannot, "recomputed"].notna().all()
    assert table["reason"].str.len().gt(20).all()
