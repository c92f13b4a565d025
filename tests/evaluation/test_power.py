"""Minimum detectable effects against published power tables, and by simulation.

Published: Bloom (1995, Evaluation Review 19(5), Table 1): multiplier 2.80 for a two-tailed
test at alpha = 0.05 and 80% power (large df); 2.49 one-tailed (here: two-sided alpha 0.10).
Cohen (1988, Table 2.4.1): d = 0.80 needs n = 26 per group (alpha .05 two-tailed, power .80),
so the MDE at n = 26 is at most 0.80 and at n = 25 above it; d = 0.50 needs n = 64.
Tolerances: 0.005 on the multiplier (printed to 2 decimals); simulation rejection rate
0.80 +- 0.04 (2000 draws, binomial SD 0.009).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation.power import (
    mde_did,
    mde_multiplier,
    mde_placebo,
    mde_two_sample,
    pre_period_sigma,
)


def test_bloom_multiplier() -> None:
    assert mde_multiplier(0.05, 0.8) == pytest.approx(2.80, abs=0.005)
    assert mde_multiplier(0.10, 0.8) == pytest.approx(2.49, abs=0.005)


def test_cohen_table_sample_sizes() -> None:
    assert mde_two_sample(26, 26) <= 0.80 < mde_two_sample(25, 25)
    assert mde_two_sample(64, 64) <= 0.50 < mde_two_sample(63, 63)


def _panel(rng: np.random.Generator, n1: int, n0: int, m: int, r: int, sigma: float,
           effect: float) -> pd.DataFrame:
    n, t = n1 + n0, m + r
    y = rng.normal(0, 3, (n, 1)) + np.linspace(0, 2, t) + rng.normal(0, sigma, (n, t))
    y[:n1, m:] += effect
    return y


def test_did_mde_has_80_percent_power_by_simulation() -> None:
    n1, n0, m, r, sigma = 20, 40, 4, 3, 1.5
    mde = mde_did(sigma, n_treated=n1, n_control=n0, pre_periods=m, post_periods=r)
    rng = np.random.default_rng(2024)
    rejections = 0
    draws = 2000
    for _ in range(draws):
        y = _panel(rng, n1, n0, m, r, sigma, mde)
        change = y[:, m:].mean(axis=1) - y[:, :m].mean(axis=1)
        diff = change[:n1].mean() - change[n1:].mean()
        se = np.sqrt(change[:n1].var(ddof=1) / n1 + change[n1:].var(ddof=1) / n0)
        rejections += abs(diff / se) > 1.959964
    assert rejections / draws == pytest.approx(0.80, abs=0.04)


def test_pre_period_sigma_recovers_noise() -> None:
    rng = np.random.default_rng(5)
    y = _panel(rng, 30, 30, 8, 0, 1.5, 0.0)
    long = pd.DataFrame({"unit": np.repeat(np.arange(60), 8), "t": np.tile(np.arange(8), 60),
                         "y": y.ravel()})
    assert pre_period_sigma(long, outcome="y", unit="unit", time="t") == \
        pytest.approx(1.5, rel=0.08)


def test_placebo_mde_and_errors() -> None:
    gaps = np.arange(1, 39)  # |gaps| 1..38
    assert mde_placebo(gaps, alpha=0.05) == 37
    with pytest.raises(ValueError, match="below 1/\\(J\\+1\\)"):
        mde_placebo(gaps[:5], alpha=0.05)
    with pytest.raises(ValueError, match="n_treated must be at least 1"):
        mde_did(1.0, n_treated=0, n_control=5, pre_periods=2, post_periods=2)
    with pytest.raises(ValueError, match="alpha"):
        mde_multiplier(1.5)
