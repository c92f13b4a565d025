"""Minimum detectable effects against published power tables, and by simulation.

Published: Bloom (1995, Evaluation Review 19(5), Table 1): multiplier 2.80 for a two-tailed
test at alpha = 0.05 and 80% power (large df); 2.49 one-tailed (here: two-sided alpha 0.10).
Cohen (1988, Table 2.4.1): d = 0.80 needs n = 26 per group (alpha .05 two-tailed, power .80),
so the MDE at n = 26 is at most 0.80 and at n = 25 above it; d = 0.50 needs n = 64.
Tolerances: 0.005 on the multiplier (printed to 2 decimals); simulation rejection rate
0.80 +- 0.04 (2000 draws, binomial SD 0.009).

The placebo MDE is checked on N(0, 1) gaps, where the placebo test is a two-sided z-test with
known sigma = 1, so the MDE is Bloom's 1.96 + 0.84 = 2.80 (exact root of
Phi(t - 1.96) + Phi(-t - 1.96) = 0.8: 2.8016). With 100,000 gaps the sampling SD of the
empirical MDE is 0.0074 (60 seeds; the quantile-SE formula gives < 0.01), so +-0.03 is 4 SD.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation import power as power_module
from wmresearch.evaluation.power import (
    PlausibleEffect,
    did_variance_factor,
    mde_did,
    mde_multiplier,
    mde_placebo,
    mde_ratio,
    mde_two_sample,
    placebo_critical_value,
    placebo_power,
    plausible_effect_gva_per_hour,
    post_periods_in_data,
    power_by_year,
    pre_period_autocorrelation,
    pre_period_sigma,
    two_way_residuals,
)

BLOOM = 2.80  # Bloom (1995) Table 1, two-tailed 5%, power 80%


def test_bloom_multiplier() -> None:
    assert mde_multiplier(0.05, 0.8) == pytest.approx(BLOOM, abs=0.005)
    assert mde_multiplier(0.10, 0.8) == pytest.approx(2.49, abs=0.005)


def test_cohen_table_sample_sizes() -> None:
    assert mde_two_sample(26, 26) <= 0.80 < mde_two_sample(25, 25)
    assert mde_two_sample(64, 64) <= 0.50 < mde_two_sample(63, 63)


def test_one_definition_of_the_mde() -> None:
    """Every MDE function defaults to 5% two-sided and 80% power (the referee's point)."""
    for fn in (mde_multiplier, mde_two_sample, mde_did, mde_placebo, power_by_year):
        params = inspect.signature(fn).parameters
        assert params["alpha"].default == 0.05, fn.__name__
        assert params["power"].default == 0.8, fn.__name__


def test_did_mde_equals_bloom_times_se() -> None:
    # n1 = n0 = 2, m = r = 1: SE = sigma * sqrt((1/2 + 1/2) * (1 + 1)) = sqrt(2) * sigma
    assert mde_did(1.0, n_treated=2, n_control=2, pre_periods=1, post_periods=1) == \
        pytest.approx(BLOOM * np.sqrt(2), abs=0.005 * np.sqrt(2))
    # one treated area, 199 donors, 18 pre years, 1 post year, sigma 0.03 log points
    assert mde_did(0.03, n_treated=1, n_control=199, pre_periods=18, post_periods=1) == \
        pytest.approx(BLOOM * 0.03 * np.sqrt((1 + 1 / 199) * (1 / 18 + 1)), rel=0.002)


def _ar1(rng: np.random.Generator, n: int, t: int, rho: float) -> np.ndarray:
    """Stationary AR(1) noise with unit variance, n series of length t."""
    e = np.empty((n, t))
    e[:, 0] = rng.normal(size=n)
    for k in range(1, t):
        e[:, k] = rho * e[:, k - 1] + np.sqrt(1 - rho ** 2) * rng.normal(size=n)
    return e


def _panel(rng: np.random.Generator, n1: int, n0: int, m: int, r: int, sigma: float,
           effect: float, rho: float = 0.0) -> np.ndarray:
    n, t = n1 + n0, m + r
    y = rng.normal(0, 3, (n, 1)) + np.linspace(0, 2, t) + sigma * _ar1(rng, n, t, rho)
    y[:n1, m:] += effect
    return y


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_did_mde_has_80_percent_power_by_simulation(rho: float) -> None:
    """The rejection rate at the MDE is 0.80 with or without serial correlation.

    With rho = 0.6 ignoring the autocorrelation would understate the MDE by a factor
    sqrt(0.583 / 0.846) = 0.83, i.e. 64% power, so the test can fail.
    """
    n1, n0, m, r, sigma = 20, 40, 4, 3, 1.5
    mde = mde_did(sigma, n_treated=n1, n_control=n0, pre_periods=m, post_periods=r, rho=rho)
    rng = np.random.default_rng(2024)
    rejections = 0
    draws = 2000
    for _ in range(draws):
        y = _panel(rng, n1, n0, m, r, sigma, mde, rho)
        change = y[:, m:].mean(axis=1) - y[:, :m].mean(axis=1)
        diff = change[:n1].mean() - change[n1:].mean()
        se = np.sqrt(change[:n1].var(ddof=1) / n1 + change[n1:].var(ddof=1) / n0)
        rejections += abs(diff / se) > 1.959964
    assert rejections / draws == pytest.approx(0.80, abs=0.04)


def test_did_variance_factor_by_hand() -> None:
    assert did_variance_factor(4, 3) == pytest.approx(1 / 4 + 1 / 3)
    # m = r = 1, AR(1): Var(e_2 - e_1) = 2 (1 - rho)
    assert did_variance_factor(1, 1, 0.5) == pytest.approx(1.0)
    # m = 2, r = 1: Var(e_3 - (e_1 + e_2)/2) = 1 + (2 + 2 rho)/4 - (rho + rho^2)
    rho = 0.3
    assert did_variance_factor(2, 1, rho) == pytest.approx(1 + (2 + 2 * rho) / 4 - rho - rho ** 2)


def test_pre_period_sigma_recovers_noise() -> None:
    rng = np.random.default_rng(5)
    y = _panel(rng, 30, 30, 8, 0, 1.5, 0.0)
    long = pd.DataFrame({"unit": np.repeat(np.arange(60), 8), "t": np.tile(np.arange(8), 60),
                         "y": y.ravel()})
    assert pre_period_sigma(long, outcome="y", unit="unit", time="t") == \
        pytest.approx(1.5, rel=0.08)


def test_two_way_residuals_match_fixest_on_an_unbalanced_panel() -> None:
    """The reference implementation on the same data: pyfixest's feols (a port of R fixest)
    absorbs the two sets of fixed effects by alternating projections; least squares on the
    dummies must give the same residuals, to its convergence tolerance."""
    import pyfixest as pf

    rng = np.random.default_rng(11)
    long = pd.DataFrame({"unit": np.repeat(np.arange(40), 9), "t": np.tile(np.arange(9), 40)})
    long["y"] = (rng.normal(size=40)[long["unit"]] + 0.3 * long["t"]
                 + rng.normal(scale=0.7, size=len(long)))
    long = long.drop(index=rng.choice(len(long), 50, replace=False))  # unbalanced
    long.loc[long.index[:3], "y"] = np.nan
    ours = two_way_residuals(long, outcome="y", unit="unit", time="t")
    fixest = pf.feols("y ~ 1 | unit + t", data=long.dropna(subset=["y"])).resid()
    assert len(ours) == len(long) - 3
    np.testing.assert_allclose(ours.to_numpy(), np.asarray(fixest), atol=1e-6)
    # and not merely unit-demeaned: the period effects are removed too
    assert abs(ours.groupby(long["t"]).mean()).max() < 0.05


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_pre_period_autocorrelation_recovers_ar1(rho: float) -> None:
    """400 units x 10 years: sampling SD about 0.02 (20 seeds), tolerance 0.07.

    The raw within-residual autocorrelation is biased by about -(1 + rho)/9 here (-0.11 and
    -0.17; Nickell 1981), which this tolerance would catch.
    """
    n, t = 400, 10
    y = _panel(np.random.default_rng(11), n, 0, t, 0, 1.0, 0.0, rho)
    long = pd.DataFrame({"unit": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                         "y": y.ravel()})
    assert pre_period_autocorrelation(long, outcome="y", unit="unit", time="t") == \
        pytest.approx(rho, abs=0.07)


def _expected_within_lag1(rho: float, periods: int) -> float:
    """E[rho_w] straight from its definition: the demeaned AR(1) covariance M Sigma M."""
    t = np.arange(periods)
    demean = np.eye(periods) - 1 / periods
    w = demean @ (rho ** np.abs(t[:, None] - t[None, :]).astype(float)) @ demean
    return float(np.mean(np.diag(w, 1)) / np.mean(np.diag(w)))


@pytest.mark.parametrize("periods", [4, 7, 10, 19])
@pytest.mark.parametrize("rho", [-0.8, -0.3, 0.0, 0.25, 0.6, 0.95])
def test_within_autocorrelation_is_inverted_exactly(rho: float, periods: int) -> None:
    """The Nickell correction solves E_rho[rho_w] = rho_w: fed the expectation of a known rho
    (computed from the covariance matrix, not from the solver's polynomials) it returns that
    rho to 1e-9; outside the attainable range it returns the clip."""
    expected = _expected_within_lag1(rho, periods)
    assert power_module._within_lag1(rho, periods) == pytest.approx(expected, abs=1e-13)
    assert power_module._ar1_from_within(expected, periods) == pytest.approx(rho, abs=1e-9)
    assert power_module._ar1_from_within(_expected_within_lag1(0.999, periods), periods) == 0.99
    assert power_module._ar1_from_within(-1.0, periods) == -0.99


def test_placebo_mde_by_hand() -> None:
    """Small cases solved by hand on the reflected gaps +-1..+-J.

    J = 20, alpha = 0.10: c = 19 (the 0.9 quantile of 1..20, 'higher'). 80% of the 40
    reflected gaps = 32 must satisfy e > 19 - t, i.e. all 20 positives and -12..-1, so
    t > 31: MDE = 31. At 50% power 20 gaps (1..20) need 19 - t < 1: MDE = 18.
    J = 38, alpha = 0.05: c = 37; 61 of 76 reflected gaps (38 positives, -23..-1) need
    37 - t < -23: MDE = 60. The old definition returned c = 37 (the 5% critical value, i.e.
    about 50% power), which is why this expectation changed from 37 to 60.
    """
    assert mde_placebo(np.arange(1, 21), alpha=0.10) == 31
    assert mde_placebo(np.arange(1, 21), alpha=0.10, power=0.5) == 18
    gaps = np.arange(1, 39)
    assert placebo_critical_value(gaps, alpha=0.05) == 37
    assert mde_placebo(gaps, alpha=0.05) == 60
    # only |gap| matters: the test is two-sided
    signs = np.where(np.arange(38) % 3 == 0, -1, 1)
    assert mde_placebo(gaps * signs, alpha=0.05) == 60


def test_placebo_mde_is_bloom_for_normal_gaps() -> None:
    gaps = np.random.default_rng(7).normal(0, 1, 100_000)
    assert mde_placebo(gaps) == pytest.approx(1.96 + 0.84, abs=0.03)
    # the critical value (the old 'MDE') is only the 50%-power effect
    assert placebo_critical_value(gaps) == pytest.approx(1.96, abs=0.03)
    assert mde_placebo(gaps, power=0.5) == pytest.approx(1.96, abs=0.03)
    assert mde_placebo(3 * gaps) == pytest.approx(3 * 2.80, abs=0.09)


def test_placebo_mde_has_80_percent_power_on_fresh_noise() -> None:
    """Fresh N(0,1) draws at the MDE: 200,000 draws (binomial SD 0.001) plus the MDE's own
    sampling SD (0.0074 x phi(0.84) = 0.002): tolerance 0.01."""
    rng = np.random.default_rng(3)
    gaps = rng.normal(0, 1, 100_000)
    mde, c = mde_placebo(gaps), placebo_critical_value(gaps)
    fresh = rng.normal(0, 1, 200_000)
    assert np.mean(np.abs(mde + fresh) > c) == pytest.approx(0.80, abs=0.01)
    assert placebo_power(mde, gaps) >= 0.80 > placebo_power(mde - 0.01, gaps)


def test_placebo_and_did_errors() -> None:
    gaps = np.arange(1, 39)
    with pytest.raises(ValueError, match="below 1/\\(J\\+1\\)"):
        mde_placebo(gaps[:5], alpha=0.05)
    with pytest.raises(ValueError, match="non-empty"):
        mde_placebo([], alpha=0.05)
    with pytest.raises(ValueError, match="power"):
        mde_placebo(gaps, power=1.0)
    with pytest.raises(ValueError, match="n_treated must be at least 1"):
        mde_did(1.0, n_treated=0, n_control=5, pre_periods=2, post_periods=2)
    with pytest.raises(ValueError, match="post_periods must be at least 1"):
        mde_did(1.0, n_treated=1, n_control=5, pre_periods=2, post_periods=0)
    with pytest.raises(ValueError, match="alpha"):
        mde_multiplier(1.5)


def test_post_periods_count_from_the_real_start() -> None:
    assert post_periods_in_data(2024, 2022) == 0
    assert post_periods_in_data(2022, 2022) == 1
    assert post_periods_in_data(2017, 2022) == 6


_NOISE = dict(sigma=1.0, n_treated=2, n_control=2, pre_periods=4)  # SE = sqrt(1/4 + 1/r)


@pytest.mark.parametrize("start", [2023, 2024])
def test_programme_after_the_data_is_not_evaluable(start: int) -> None:
    """Investment Zone (2024) / Innovation Accelerator (2023) on data ending 2022."""
    proj = power_by_year(start_year=start, last_data_year=2022, **_NOISE)
    assert not proj.evaluable and proj.post_periods == 0 and proj.mde is None
    assert proj.first_data_year_needed == start
    assert "Not evaluable" in proj.summary() and str(start) in proj.summary()
    assert proj.table["last_data_year"].iloc[0] == start
    assert proj.table["last_data_year"].iloc[-1] == start + 10
    assert not proj.table["published"].any()


def test_programme_in_its_first_year_has_one_post_period() -> None:
    """UKSPF (2022) on data ending 2022: one post year, not three from a shifted 2020."""
    proj = power_by_year(start_year=2022, last_data_year=2022, **_NOISE)
    assert proj.evaluable and proj.post_periods == 1
    assert proj.mde == pytest.approx(BLOOM * np.sqrt(1 / 4 + 1), rel=0.002)
    assert proj.table["published"].sum() == 1


def test_detectable_from_year_by_hand_and_monotone() -> None:
    # MDE(r) = 2.80 sqrt(1/4 + 1/r): r = 3 -> 2.14, r = 4 -> 1.98; effect 2.0 needs r = 4,
    # i.e. data to 2024 + 3 = 2027
    proj = power_by_year(start_year=2024, last_data_year=2022, plausible_effect=2.0, **_NOISE)
    assert proj.detectable_from == 2027
    assert "Detectable from data year 2027" in proj.summary()
    # below the asymptote 2.80 * 0.5 = 1.40: never, whatever the data
    assert power_by_year(start_year=2024, last_data_year=2022, plausible_effect=1.39,
                         **_NOISE).detectable_from is None
    years = [power_by_year(start_year=2024, last_data_year=2030, plausible_effect=eff,
                           **_NOISE).detectable_from for eff in np.linspace(1.3, 4.0, 28)]
    as_num = [np.inf if y is None else y for y in years]
    assert all(a >= b for a, b in zip(as_num, as_num[1:], strict=False))
    assert as_num[0] == np.inf and as_num[-1] == 2024
    # more noise -> later (never earlier) detection
    later = [power_by_year(start_year=2024, last_data_year=2022, plausible_effect=2.5,
                           **{**_NOISE, "sigma": s}).detectable_from for s in (0.8, 1.0, 1.2)]
    assert later == sorted(later)


def test_plausible_effect_in_gva_per_hour_units() -> None:
    # £10m a year against £50bn GVA and 1bn hours: GVA per hour £50, at most +£0.01 (0.02%)
    eff = plausible_effect_gva_per_hour(10e6, 50e9, 1e9)
    assert eff.gbp_per_hour == pytest.approx(0.01)
    assert eff.gva_per_hour == pytest.approx(50.0)
    assert eff.proportion == pytest.approx(2e-4)
    assert eff.log_points == pytest.approx(np.log(50.01 / 50.0))
    assert "hours worked unchanged" in eff.assumption
    # a 5-log-point MDE is 250 times the bound
    assert mde_ratio(0.05, eff) == pytest.approx(0.05 / np.log1p(2e-4))
    assert mde_ratio(0.05, 2e-4) == pytest.approx(250.0)
    assert plausible_effect_gva_per_hour(10e6, 50e9).gbp_per_hour is None
    assert isinstance(eff, PlausibleEffect)
    with pytest.raises(ValueError, match="positive"):
        mde_ratio(0.05, 0.0)
    with pytest.raises(ValueError, match="GVA"):
        plausible_effect_gva_per_hour(10e6, 0.0)
