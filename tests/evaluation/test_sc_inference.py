"""Synthetic-control inference and diagnostics (``wmresearch.evaluation.sc_inference``).

Expectations are hand-checkable: placebo ranks on a table written out here, permutation
p-values whose value follows from counting, and the size and coverage of the conformal test
(Chernozhukov, Wüthrich & Zhu 2021) by simulation with a planted effect. No published conformal
interval for a real application could be recovered as numbers (the CWZ paper and the
``scinference`` vignette show them as plots), so none is claimed here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation.sc_inference import (
    conformal_intervals,
    conformal_pvalue,
    donor_weights_table,
    leave_one_out,
    overfit_check,
    placebo_rank_test,
    placebo_restriction_table,
)
from wmresearch.evaluation.synthetic import placebo_in_time, synthetic_control


def _table(n_placebos: int = 6) -> pd.DataFrame:
    """Treated: pre RMSPE 1 (MSPE 1), ratio 10. Placebo i: pre RMSPE sqrt(i) (MSPE i)."""
    rows = [{"unit": "T", "pre_rmspe": 1.0, "ratio": 10.0, "treated": True}]
    ratios = [12.0, 3.0, 11.0, 2.0, 20.0, 1.0, 4.0, 5.0]
    rows += [{"unit": f"p{i}", "pre_rmspe": math.sqrt(i), "ratio": ratios[i - 1],
              "treated": False} for i in range(1, n_placebos + 1)]
    return pd.DataFrame(rows)


def test_placebo_rank_by_hand() -> None:
    table = _table()
    # no restriction: ratios above 10 are p1 (12), p3 (11), p5 (20): rank 4 of 7
    t = placebo_rank_test(table, None)
    assert (t.rank, t.n_units, t.kept, t.dropped) == (4, 7, 6, 0)
    assert t.pvalue == pytest.approx(4 / 7) and t.min_pvalue == pytest.approx(1 / 7)
    # 5x: MSPE <= 5 keeps p1..p5; above 10: p1, p3, p5 -> rank 4 of 6
    t5 = placebo_rank_test(table, 5)
    assert (t5.rank, t5.n_units, t5.dropped) == (4, 6, 1)
    # 2x keeps p1, p2; only p1 beats 10 -> rank 2 of 3, p = 2/3; a 5% test is impossible
    t2 = placebo_rank_test(table, 2)
    assert (t2.rank, t2.n_units, t2.pvalue) == (2, 3, pytest.approx(2 / 3))
    assert not t2.reaches_alpha and "cannot show an effect" in t2.statement()
    tab = placebo_restriction_table(table)
    assert list(tab["kept"]) == [6, 5, 2, 6] and list(tab["rank"]) == [4, 4, 2, 4]


def test_reaches_alpha_needs_19_placebos_for_5_percent() -> None:
    def table(n: int) -> pd.DataFrame:
        rows = [{"unit": "T", "pre_rmspe": 1.0, "ratio": 9.0, "treated": True}]
        rows += [{"unit": i, "pre_rmspe": 1.0, "ratio": 1.0, "treated": False}
                 for i in range(n)]
        return pd.DataFrame(rows)

    assert placebo_rank_test(table(19), 5).reaches_alpha  # 1/20 = 0.05
    assert placebo_rank_test(table(19), 5).pvalue == pytest.approx(0.05)
    assert not placebo_rank_test(table(18), 5).reaches_alpha  # 1/19 > 0.05
    with pytest.raises(ValueError, match="cutoff"):
        placebo_rank_test(table(3), 0)


def test_conformal_pvalue_by_counting() -> None:
    # one donor: the simplex forces weight 1, so the residuals are y1 - y0 exactly
    t = 10
    y0 = np.arange(t, dtype=float)[:, None]
    y1 = y0[:, 0].copy()
    y1[-1] += 5.0
    # theta0 = 0: residuals (0,...,0,5); only the block holding the 5 reaches 5: p = 1/T
    assert conformal_pvalue(y1, y0, 1, 0.0) == pytest.approx(1 / t)
    # the true effect: all residuals 0, every block ties: p = 1
    assert conformal_pvalue(y1, y0, 1, 5.0) == pytest.approx(1.0)
    # a 2-period block: residuals (0,..,0,3,5) under theta0 = 0 and last two +3, +5;
    # blocks (cyclic) with sum >= 8: only the last one -> 1/T
    y1[-2] += 3.0
    assert conformal_pvalue(y1, y0, 2, 0.0) == pytest.approx(1 / t)
    # iid permutations: p >= 1/(n_perm + 1), seeded
    p = conformal_pvalue(y1, y0, 2, 0.0, permutation="iid", n_perm=199, seed=1)
    assert p == conformal_pvalue(y1, y0, 2, 0.0, permutation="iid", n_perm=199, seed=1)
    assert 1 / 200 <= p <= 0.05
    with pytest.raises(ValueError, match="permutation"):
        conformal_pvalue(y1, y0, 2, 0.0, permutation="bootstrap")  # type: ignore[arg-type]


def _simulated(rng: np.random.Generator, *, t0: int, t1: int, j: int = 8,
               effect: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Treated = mean of donors 0-2 + N(0, 1) noise, donors iid N(0, 1) around a trend."""
    trend = np.linspace(0, 3, t0 + t1)[:, None]
    y0 = trend + rng.normal(size=(t0 + t1, j))
    y1 = y0[:, :3].mean(axis=1) + rng.normal(size=t0 + t1)
    y1[t0:] += effect
    return y1, y0


def test_conformal_size_under_a_true_null() -> None:
    """CWZ (2021, Theorem 1): with exchangeable errors the test has exact size.

    Moving blocks at alpha = 0.1 with T = 35 periods reject when the observed block is among
    the 3 largest of 35 (p <= 3/35 < 0.1 < 4/35): the rejection rate should be 3/35 = 0.086;
    per period (T0 + 1 = 31 permutations): 3/31 = 0.097. 600 draws: binomial sd about 0.012.
    """
    rng = np.random.default_rng(7)
    joint, single = [], []
    for _ in range(600):
        y1, y0 = _simulated(rng, t0=30, t1=5, effect=2.0)
        joint.append(conformal_pvalue(y1, y0, 5, 2.0) <= 0.1)
        idx = np.r_[np.arange(30), 30]
        single.append(conformal_pvalue(y1[idx], y0[idx], 1, 2.0) <= 0.1)
    assert np.mean(joint) == pytest.approx(3 / 35, abs=0.04)
    assert np.mean(single) == pytest.approx(3 / 31, abs=0.04)


def test_conformal_interval_coverage_with_planted_effect() -> None:
    """90% intervals for a planted constant effect of 2 cover it in about 90% of draws."""
    rng = np.random.default_rng(11)
    cover_joint, cover_period, excludes_zero = [], [], []
    for r in range(120):
        y1, y0 = _simulated(rng, t0=30, t1=5, effect=2.0)
        rows = [(u, t, y) for t in range(35) for u, y in
                [("treated", y1[t]), *((f"d{k}", y0[t, k]) for k in range(y0.shape[1]))]]
        data = pd.DataFrame(rows, columns=["unit", "t", "y"])
        ci = conformal_intervals(data, outcome="y", unit="unit", time="t",
                                 treated_unit="treated", treatment_time=30, alpha=0.1,
                                 per_period=r < 40, n_grid=21)
        joint = ci.iloc[0]
        cover_joint.append(joint["lower"] <= 2.0 <= joint["upper"])
        excludes_zero.append(joint["lower"] > 0)
        if r < 40:
            first = ci.iloc[1]
            cover_period.append(first["lower"] <= 2.0 <= first["upper"])
    assert ci["attainable"].all() and (ci["level"] == 0.9).all()
    assert "Chernozhukov" in ci["method"].iloc[0]
    assert np.mean(cover_joint) >= 0.85
    assert np.mean(cover_period) >= 0.8
    assert np.mean(excludes_zero) >= 0.8  # the test has power against no effect


def test_conformal_interval_unbounded_when_level_unattainable() -> None:
    # 19 periods: the smallest moving-block p-value is 1/19 > 0.05, so 95% is out of reach
    rng = np.random.default_rng(2)
    y1, y0 = _simulated(rng, t0=13, t1=6)
    rows = [(u, t, y) for t in range(19) for u, y in
            [("treated", y1[t]), *((f"d{k}", y0[t, k]) for k in range(y0.shape[1]))]]
    data = pd.DataFrame(rows, columns=["unit", "t", "y"])
    ci = conformal_intervals(data, outcome="y", unit="unit", time="t", treated_unit="treated",
                             treatment_time=13, alpha=0.05)
    assert not ci["attainable"].any()
    assert (ci["lower"] == -np.inf).all() and (ci["upper"] == np.inf).all()
    assert ci["min_pvalue"].iloc[0] == pytest.approx(1 / 19)
    assert ci["min_pvalue"].iloc[1] == pytest.approx(1 / 14)


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    """Treated = 0.5 u1 + 0.5 u2 exactly, plus 5 from t = 15; 11 noisy donors."""
    rng = np.random.default_rng(3)
    rows = []
    for i in range(1, 12):
        base = rng.normal(10, 2)
        rows += [{"u": f"u{i}", "t": t, "y": base + 0.5 * t + rng.normal(0, 0.2)}
                 for t in range(20)]
    data = pd.DataFrame(rows)
    w = data.pivot(index="t", columns="u", values="y")
    treated = 0.5 * w["u1"] + 0.5 * w["u2"] + np.where(w.index >= 15, 5.0, 0.0)
    return pd.concat([data, pd.DataFrame({"u": "u0", "t": w.index, "y": treated.to_numpy()})],
                     ignore_index=True)


def test_weights_table_leave_one_out_and_overfit(planted: pd.DataFrame) -> None:
    kw = {"outcome": "y", "unit": "u", "time": "t", "treated_unit": "u0", "treatment_time": 15}
    fit = synthetic_control(planted, placebo=False, **kw)
    table = donor_weights_table(fit.extra["weights"], {"u1": "one", "u2": "two"})
    assert list(table.columns) == ["donor", "name", "weight"]
    assert set(table["donor"]) == {"u1", "u2"}
    assert table["weight"].to_numpy() == pytest.approx([0.5, 0.5], abs=1e-6)
    assert set(table["name"]) == {"one", "two"}
    loo = leave_one_out(planted, fit, **kw)
    assert set(loo["dropped"]) == {"u1", "u2"}
    # without u1 (or u2) the fit is imperfect but the planted effect of 5 is still recovered
    assert loo["att"].to_numpy() == pytest.approx([5.0, 5.0], abs=1.0)
    assert (loo["pre_rmspe"] > 1e-3).all()
    # an exact pre-period fit (RMSPE ~ 0) is flagged; 2 donors for 15 periods is not
    detail = fit.detail.set_index("t")
    pre = detail[detail.index < 15]
    check = overfit_check(pre["gap"], pre["treated"], len(table))
    assert check.flagged and check.fit_to_noise < 0.1 and len(check.reasons) == 1
    # a fit error of the size of the year-to-year noise is not flagged ...
    noisy = overfit_check([0.3, -0.3, 0.3, -0.3], [1.0, 1.2, 1.1, 1.4], 1)
    assert not noisy.flagged
    # ... nor is it once donors are few, but 2 donors for 4 periods is (share 0.5)
    assert overfit_check([0.3, -0.3, 0.3, -0.3], [1.0, 1.2, 1.1, 1.4], 2).flagged


def test_in_time_placebo_uses_the_main_specification(planted: pd.DataFrame) -> None:
    kw = {"outcome": "y", "unit": "u", "time": "t", "treated_unit": "u0"}
    donors = ["u3", "u4", "u5", "u6"]
    res = placebo_in_time(planted, fake_time=10, end_time=15, donors=donors,
                          special_predictors=[("y", [5, 7, 9], "mean")], v_starts=3, seed=4,
                          **kw)
    assert set(res.extra["weights"].index) == set(donors)
    assert res.extra["spec"]["donors"] == tuple(donors)
    assert res.extra["spec"]["v_starts"] == 3 and res.extra["spec"]["seed"] == 4
    assert res.detail["t"].max() == 14
    with pytest.raises(ValueError, match=r"predictor period\(s\) \[12\]"):
        placebo_in_time(planted, fake_time=10, end_time=15,
                        special_predictors=[("y", [5, 12], "mean")], **kw)
