"""The real-data place-based evaluation: WMCA against a synthetic control of English districts.

Published figures it reproduces (ONS, *Subregional productivity: labour productivity indices by
local authority district*, June 2024 release, in the mirror):

* the seven WMCA districts' hours-weighted GVA per hour in 2022, £34.57 (86.8% of the UK
  aggregated the same way: the like-for-like figure of ``tests/evidence/test_aggregate.py``);
* their annual GVA, GVA per hour x weekly hours x 52, against ONS Regional GVA (balanced) by
  industry, ITL3, 2022 (Table 3c, the seven ITL3 areas TLG31-TLG39 sum to £76,333m).
"""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evaluation.place import (
    LONDON,
    OUTCOME,
    area_gva,
    devolution_evaluation,
    donor_pool,
    place_panel,
    treated_series,
)

WMCA = [f"E080000{i}" for i in range(25, 32)]
YEARS = list(range(2004, 2023))


@pytest.fixture(scope="module")
def tables(district_productivity):
    return district_productivity


@pytest.fixture(scope="module")
def evaluation(tables):
    prod, lookup = tables
    return devolution_evaluation(prod, lookup, WMCA, treated_unit="E47000007",
                                 start_year=2017, fake_start=2012)


def test_treated_aggregate_2022_is_published_hours_weighted_mean(tables):
    prod, _ = tables
    series = treated_series(prod, WMCA, YEARS).set_index("year")
    # ONS June 2024: sum(GVA per hour x hours) / sum(hours) of the seven districts, 2022
    assert round(series.loc[2022, "gva_per_hour"], 2) == 34.57


def test_area_gva_matches_balanced_regional_gva(tables):
    prod, _ = tables
    year, gva = area_gva(prod, WMCA)
    # ONS Regional GVA (balanced), ITL3 TLG31-TLG39, 2022: £76,333m. The productivity release
    # is smoothed and rounded, so agreement within 3% is expected (measured: 2.2%).
    assert year == 2022
    assert gva == pytest.approx(76_333e6, rel=0.03)


def test_donors_exclude_combined_authorities_london_and_treated(tables):
    prod, lookup = tables
    pool = donor_pool(lookup, prod, WMCA, years=YEARS)
    in_ca = set(lookup.loc[lookup["cauth_code"].notna(), "lad_code_active"])
    london = set(lookup.loc[lookup["region_code"] == LONDON, "lad_code"])
    assert not (set(pool.donors) & (in_ca | london | set(WMCA)))
    assert all(d[:3] in ("E06", "E08") for d in pool.donors)
    # every English district is accounted for: donor or excluded with a reason
    assert len(pool.donors) + len(pool.excluded) == pool.candidates == 296
    assert pool.excluded["reason"].notna().all()
    assert set(WMCA) <= set(pool.excluded["lad_code"])


def test_all_district_pool_still_excludes_combined_authorities(tables):
    prod, lookup = tables
    pool = donor_pool(lookup, prod, WMCA, years=YEARS, tiers=None)
    in_ca = set(lookup.loc[lookup["cauth_code"].notna(), "lad_code_active"])
    assert len(pool.donors) > 200 and not set(pool.donors) & in_ca


def test_panel_is_balanced_with_one_treated_aggregate(tables):
    prod, lookup = tables
    pool = donor_pool(lookup, prod, WMCA, years=YEARS)
    panel = place_panel(prod, WMCA, pool.donors, treated_unit="E47000007", years=YEARS)
    assert panel.shape[0] == (len(pool.donors) + 1) * len(YEARS)
    assert panel.groupby("unit")["year"].nunique().eq(len(YEARS)).all()
    assert panel[OUTCOME].notna().all() and "E47000007" in set(panel["unit"])


def test_placebo_inference_and_mde(evaluation):
    donors = len(evaluation.donors.donors)
    # rank p-value: at least 1/(J+1) and at most 1 (ADH 2010, sec. 3.3)
    assert 1 / (donors + 1) - 1e-12 <= evaluation.placebo_p <= 1
    assert evaluation.mde > 0 and evaluation.ci[0] < evaluation.att < evaluation.ci[1]
    # a credible design shows no gap before the real start (Abadie 2021, sec. 6): the
    # 2012-2016 in-time placebo gap is well inside the MDE
    assert abs(evaluation.in_time.att) < evaluation.mde
    weights = evaluation.sc.extra["weights"]
    assert weights.sum() == pytest.approx(1.0) and (weights >= 0).all()


def test_same_inputs_give_identical_results(tables, evaluation):
    prod, lookup = tables
    again = devolution_evaluation(prod, lookup, WMCA, treated_unit="E47000007",
                                  start_year=2017, fake_start=2012)
    assert again.att == evaluation.att and again.placebo_p == evaluation.placebo_p
    assert again.mde == evaluation.mde
    pd.testing.assert_series_equal(again.sc.extra["weights"], evaluation.sc.extra["weights"])


def test_missing_treated_district_year_is_named(tables):
    prod, _ = tables
    gap = prod[~((prod["lad_code"] == "E08000025") & (prod["year"] == 2010)
                 & (prod["measure"] == "hours_worked"))]
    with pytest.raises(ValueError, match=r"year\(s\) \[2010\]"):
        treated_series(gap, WMCA, YEARS)


def test_fake_start_must_precede_start(tables):
    prod, lookup = tables
    with pytest.raises(ValueError, match="fake_start"):
        devolution_evaluation(prod, lookup, WMCA, treated_unit="E47000007", start_year=2017,
                              fake_start=2018)
