"""Appraisal statistics against published figures.

Sources: HM Treasury Green Book 2022 Annex A6 (discount factors); CRAN package greenbook
(C. Coverdale), tests/testthat/test-discounting.R at commit 495fa4c (kinked-schedule factors);
English Partnerships Additionality Guide 3rd ed. 2008 s. 5.2 formula (hand-worked example);
Scottish Enterprise (2017) SDI evaluation additional analysis and NAO (2012) Regional Growth
Fund report (cost per net additional job); CRAN greenbook optimism_bias.csv (Mott MacDonald
2002 upper bounds); What Works Centre for Local Economic Growth (2016) SMS scoring guide.
"""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import REPO
from wmresearch.evaluation.appraisal import (
    additional_impact,
    apply_optimism_bias,
    benefit_cost_ratio,
    cost_per_net_job,
    cost_per_output,
    discount_factors,
    discount_rates,
    gross_to_net,
    net_additional_range,
    present_value,
    sms_level,
)
from wmresearch.evaluation.programmes import Additionality, get_programme


def test_green_book_year_10_factor():
    # Green Book 2022 Annex A6 discount-factor table: year 10 at 3.5% = 0.7089 (4 dp).
    assert discount_factors([10])[0] == pytest.approx(0.7089, abs=5e-5)
    assert discount_factors([0])[0] == 1.0


def test_kinked_schedule_matches_greenbook_package():
    # greenbook test-discounting.R: D31 = D30 / 1.030; D75 = 1/(1.035^30 1.030^45);
    # D76 = D75 / 1.025 (tolerance 1e-9 there and here).
    d = discount_factors([30, 31, 75, 76])
    assert d[0] == pytest.approx(1 / 1.035**30, rel=1e-9)
    assert d[1] == pytest.approx(d[0] / 1.030, rel=1e-9)
    assert d[2] == pytest.approx(1 / (1.035**30 * 1.030**45), rel=1e-9)
    assert d[3] == pytest.approx(d[2] / 1.025, rel=1e-9)
    assert list(discount_rates([0, 30, 31, 75, 76, 301])) == [0.035, 0.035, 0.03, 0.03,
                                                               0.025, 0.01]


def test_npv_known_value_from_greenbook_package():
    # greenbook test "gb_npv known-value: GBP 100 capex, 5 years of GBP 30 benefit":
    # expect_equal(npv, -100 + sum(30 / 1.035^(1:5)), tolerance = 1e-9) (= 35.45157).
    manual = -100 + sum(30 / 1.035**t for t in range(1, 6))
    assert present_value([-100, 30, 30, 30, 30, 30]) == pytest.approx(manual, rel=1e-9)
    with pytest.raises(ValueError, match="year 2"):
        present_value([1.0, 2.0, float("nan")])


def test_gross_to_net_hand_worked_example():
    # Additionality Guide formula AI = [GI(1-L)(1-Dp)(1-S)M] - [GI*(1-L)(1-Dp)(1-S)M]
    # worked by hand: GI = 100 jobs, GI* = 20 (deadweight 20%), L = 10%, Dp = 25%, S = 0,
    # M = 1.5: option 100 x 0.9 x 0.75 x 1.5 = 101.25; reference 20.25; AI = 81.0.
    steps = gross_to_net(100, deadweight=0.2, leakage=0.1, displacement=0.25,
                         substitution=0.0, multiplier=1.5)
    assert (steps.after_leakage, steps.after_displacement) == (90.0, 67.5)
    assert steps.after_multiplier == pytest.approx(101.25)
    assert steps.reference_case == pytest.approx(20.25)
    assert steps.net_additional == pytest.approx(81.0)
    assert additional_impact(100, 20, leakage=0.1, displacement=0.25, substitution=0.0,
                             multiplier=1.5) == pytest.approx(81.0)
    # reference case with its own leakage L* = 0: 101.25 - 20 x 0.75 x 1.5 = 78.75
    assert additional_impact(100, 20, leakage=0.1, displacement=0.25, substitution=0.0,
                             multiplier=1.5, reference_leakage=0.0) == pytest.approx(78.75)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"deadweight": 1.2}, "deadweight"), ({"leakage": -0.1}, "leakage"),
    ({"multiplier": 0.8}, "multiplier")])
def test_gross_to_net_rejects_bad_factors(kwargs, field):
    with pytest.raises(ValueError, match=field):
        gross_to_net(100, **kwargs)


def test_cost_per_net_job_published_examples():
    # Scottish Enterprise (2017), SDI evaluation additional analysis: trade £114m / 2,200 net
    # jobs = "£51,000"; inward investment £181m / 16,700 = "£10,900". NAO (2012) on the
    # Regional Growth Fund: £1.4bn for 41,000 net jobs, "about £33,000" per job. Every figure
    # is printed rounded, so the test is interval arithmetic: the cost per job over the
    # rounding intervals of the inputs must reach the printed figure's rounding interval.
    for cost, d_cost, jobs, d_jobs, printed, d_printed in [
            (114e6, 0.5e6, 2_200, 50, 51_000, 500), (181e6, 0.5e6, 16_700, 50, 10_900, 50),
            (1.4e9, 0.05e9, 41_000, 500, 33_000, 500)]:
        assert cost_per_net_job(cost, jobs) == pytest.approx(cost / jobs, rel=1e-12)
        low = cost_per_net_job(cost - d_cost, jobs + d_jobs)
        high = cost_per_net_job(cost + d_cost, jobs - d_jobs)
        assert low - d_printed <= printed <= high + d_printed
    with pytest.raises(ValueError, match="net_jobs"):
        cost_per_net_job(1e6, 0)
    assert cost_per_output(8.9e6, 285 + 143) == pytest.approx(8.9e6 / 428)


def test_benefit_cost_ratio_and_optimism_bias():
    # Green Book: BCR = PV benefits / PV costs; greenbook optimism_bias.csv: standard
    # buildings capex upper bound 24% -> £100m becomes £124m.
    costs = present_value([100, 0, 0, 0, 0])
    benefits = present_value([0, 30, 30, 30, 30])
    annuity = sum(1.035**-t for t in range(1, 5))  # 3.673079 at 3.5%
    assert benefit_cost_ratio(benefits, costs) == pytest.approx(30 * annuity / 100, rel=1e-9)
    assert apply_optimism_bias(100e6, 0.24) == pytest.approx(124e6)
    with pytest.raises(ValueError, match="pv_costs"):
        benefit_cost_ratio(1.0, 0.0)


def test_sensitivity_range_orders_low_central_high():
    factor = {"source": "test", "rationale": "test"}
    assumptions = Additionality(
        deadweight={"central": 0.4, "low": 0.2, "high": 0.6, **factor},
        leakage={"central": 0.1, "low": 0.0, "high": 0.25, **factor},
        displacement={"central": 0.5, "low": 0.25, "high": 0.75, **factor},
        substitution={"central": 0.0, **factor},
        multiplier={"central": 1.3, "low": 1.1, "high": 1.5, **factor})
    table = net_additional_range(1000, assumptions)
    # central by hand: 1000 x 0.6 x 0.9 x 0.5 x 1.0 x 1.3 = 351
    assert table.loc["central", "net_additional"] == pytest.approx(351.0)
    assert (table.loc["low", "net_additional"] < 351 < table.loc["high", "net_additional"])


def test_sensitivity_refuses_unpublished_assumptions():
    params = yaml.safe_load((REPO / "programmes.yaml").read_text(encoding="utf-8"))
    prog = get_programme(params["programmes"], "ukspf")
    with pytest.raises(ValueError, match="additionality.deadweight: no central value"):
        net_additional_range(100, prog.additionality)


def test_sms_levels_follow_what_works_guide():
    # WWC-LEG (2016): before/after without comparison 1 (2 with controls); DiD 3;
    # quasi-random (IV/RDD) 4; RCT 5.
    assert sms_level("descriptive").level == 1
    assert (sms_level("before_after").level, sms_level("before_after").max_level) == (1, 2)
    assert sms_level("did").level == 3 and sms_level("matching").level == 3
    assert (sms_level("synthetic_control").level,
            sms_level("synthetic_control").max_level) == (3, 4)
    assert sms_level("rdd").level == 4 and sms_level("rct").level == 5
    with pytest.raises(ValueError, match="no SMS rating for 'guess'"):
        sms_level("guess")
