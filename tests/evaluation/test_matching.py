"""Propensity-score matching on the LaLonde NSW experimental sample (Dehejia-Wahba subset).

Data: ``nsw_mixtape`` from causaldata 0.1.5 (185 treated, 260 experimental controls), the same
445 men as R Matching's ``lalonde`` (its before-matching means below agree).

Published: Dehejia & Wahba (1999, JASA 94(448), Table 3, "NSW" row): experimental effect on
1978 earnings $1,794 (SE 633), printed to the dollar, so tolerance $0.5.

Reference implementation: R package Matching 4.9-7 (J. Sekhon), saved output
``tests/DehejiaWahba.Rout.save`` (github.com/cran/Matching, commit 9272307): the Dehejia-Wahba
logit (age, age^2, educ, educ^2, black, hisp, married, nodegr, re74, re74^2, re75, re75^2,
u74, u75), ``Match(Y = re78, Tr = treat, X = glm$fitted, M = 1)`` (ATT, ties, AI SE with
``Var.calc = 0``, no common-support rule) prints "Estimate... 2153.3", "AI SE...... 825.4",
185 treated matched, 346 matched pairs (unweighted), and ``MatchBalance``'s "mean control"
after matching to 5 significant digits. Tolerances: half a unit in the last printed digit.
The two squared-earnings means are printed to the unit but causaldata stores earnings as
float32 (7 significant digits), which moves them by up to 4 in 8.9 million: checked to 1e-6
relative for that reason.

The heteroskedastic SE (``se="ai"``, ``Match(..., Var.calc = 1)``) has no printed counterpart
here; it is checked against a brute-force implementation of the same estimator in this file
(statsmodels logit, full distance matrix) at 1e-6 relative.
"""

from __future__ import annotations

import causaldata
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from wmresearch.evaluation.matching import matching

DW_COVARIATES = ["age", "age2", "educ", "educ2", "black", "hisp", "marr", "nodegree", "re74",
                 "re74sq", "re75", "re75sq", "u74", "u75"]
# MatchBalance "mean control" after matching, 5 significant digits (DehejiaWahba.Rout.save)
MATCHED_CONTROL_MEANS = {"age": 25.006, "age2": 673.08, "educ": 10.48, "educ2": 113.21,
                         "black": 0.85946, "hisp": 0.048649, "marr": 0.16667,
                         "nodegree": 0.69189, "re74": 1624.3, "re75": 1297.6,
                         "u74": 0.68458, "u75": 0.62072}
MATCHED_EARNINGS_SQ_MEANS = {"re74sq": 13117852, "re75sq": 8896263}


def _half_unit(value: float, significant: int = 5) -> float:
    """Half a unit in the last of `significant` printed digits of `value`."""
    return 0.5 * 10.0 ** (np.floor(np.log10(abs(value))) - significant + 1)


@pytest.fixture(scope="module")
def nsw() -> pd.DataFrame:
    d = causaldata.nsw_mixtape.load_pandas().data.drop(columns="data_id").astype(float)
    return d.assign(age2=d["age"] ** 2, educ2=d["educ"] ** 2, re74sq=d["re74"] ** 2,
                    re75sq=d["re75"] ** 2, u74=(d["re74"] == 0).astype(float),
                    u75=(d["re75"] == 0).astype(float))


@pytest.fixture(scope="module")
def dw(nsw: pd.DataFrame):
    """Dehejia-Wahba specification as R Match runs it (no common-support rule)."""
    return {se: matching(nsw, outcome="re78", treated="treat", covariates=DW_COVARIATES,
                         common_support=False, se=se) for se in ("ai", "ai_homoscedastic")}


def test_data_reproduce_the_experimental_benchmark(nsw: pd.DataFrame, dw) -> None:
    # Dehejia & Wahba Table 3: 1,794 (633); the SE is the pooled-variance two-sample SE
    assert dw["ai"].extra["raw_difference"] == pytest.approx(1794, abs=0.5)
    y1, y0 = nsw.loc[nsw["treat"] == 1, "re78"], nsw.loc[nsw["treat"] == 0, "re78"]
    pooled = ((len(y1) - 1) * y1.var() + (len(y0) - 1) * y0.var()) / (len(nsw) - 2)
    assert np.sqrt(pooled * (1 / len(y1) + 1 / len(y0))) == pytest.approx(633, abs=0.5)


def test_matches_r_matching_dehejia_wahba(dw) -> None:
    res = dw["ai_homoscedastic"]
    assert res.att == pytest.approx(2153.3, abs=0.05)
    assert res.se == pytest.approx(825.4, abs=0.05)
    assert res.n_treated == 185
    assert res.extra["matched_pairs"] == 346
    assert res.extra["dropped"] == {}
    means = res.detail.set_index("covariate")["mean_control_matched"]
    for col, printed in MATCHED_CONTROL_MEANS.items():
        assert means[col] == pytest.approx(printed, abs=_half_unit(printed)), col
    for col, printed in MATCHED_EARNINGS_SQ_MEANS.items():
        assert means[col] == pytest.approx(printed, rel=1e-6), col
    # the point estimate does not depend on the variance option
    assert dw["ai"].att == res.att
    assert "nan" not in res.summary()


def _brute_force(data: pd.DataFrame) -> tuple[float, float]:
    """ATT and Var.calc = 1 AI SE, written out independently of the estimator."""
    x = sm.add_constant(data[DW_COVARIATES].to_numpy())
    w = data["treat"].to_numpy() == 1
    ps = sm.GLM(w.astype(float), x, family=sm.families.Binomial()).fit(tol=1e-12).fittedvalues
    z = ps / np.std(ps, ddof=1)
    y = data["re78"].to_numpy()
    dist = (z[:, None] - z[None, :]) ** 2                 # all pairs, standardised score
    t, c = np.flatnonzero(w), np.flatnonzero(~w)
    match = dist[np.ix_(t, c)] <= dist[np.ix_(t, c)].min(1, keepdims=True) + 1e-5
    share = match / match.sum(1, keepdims=True)         # weight of control j for treated i
    tau = y[t] - share @ y[c]
    att = tau.mean()
    k, k2 = share.sum(0), (share**2).sum(0)
    dc = dist[np.ix_(c, c)] + np.diag(np.full(len(c), np.inf))
    near = dc <= dc.min(1, keepdims=True) + np.sqrt(np.finfo(float).eps)
    sigma2 = np.array([np.var(np.append(y[c][near[j]], y[c][j]), ddof=1)
                       for j in range(len(c))])
    var = (np.sum((tau - att) ** 2) + np.sum((k**2 - k2) * sigma2)) / len(t) ** 2
    return float(att), float(np.sqrt(var))


def test_heteroskedastic_se_matches_brute_force(nsw: pd.DataFrame, dw) -> None:
    att, se = _brute_force(nsw)
    assert dw["ai"].att == pytest.approx(att, rel=1e-6)
    assert dw["ai"].se == pytest.approx(se, rel=1e-6)


def test_default_common_support_is_a_sanity_check_against_the_experiment(
        nsw: pd.DataFrame) -> None:
    # Not a replication: with randomised treatment the matched ATT and the experimental
    # difference estimate the same effect, so they should differ by less than the published
    # experimental SE ($633). The default common-support rule drops 2 treated units.
    res = matching(nsw, outcome="re78", treated="treat", covariates=DW_COVARIATES)
    assert res.extra["dropped"] == {"off_support": 2}
    assert res.n_treated == 183
    assert abs(res.att - 1794) < 633


def test_caliper_trim_and_seeded_bootstrap(nsw: pd.DataFrame) -> None:
    kw = {"outcome": "re78", "treated": "treat", "covariates": DW_COVARIATES}
    a = matching(nsw, caliper=0.2, trim=(0.05, 0.95), se="bootstrap", n_boot=30, seed=7, **kw)
    b = matching(nsw, caliper=0.2, trim=(0.05, 0.95), se="bootstrap", n_boot=30, seed=7, **kw)
    assert a.se == b.se and np.isfinite(a.se)
    assert set(a.extra["dropped"]) == {"trimmed", "off_support", "outside_caliper"}
    assert a.n_treated + a.extra["dropped"]["off_support"] + \
        a.extra["dropped"]["outside_caliper"] <= 185


def test_errors(nsw: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"column\(s\) \['income'\] not in the panel"):
        matching(nsw, outcome="re78", treated="treat", covariates=["income"])
    with pytest.raises(ValueError, match="column 'treat' must be 0/1"):
        matching(nsw.assign(treat=nsw["treat"] * 2), outcome="re78", treated="treat",
                 covariates=["age"])
    with pytest.raises(ValueError, match="column 're78' must be numeric"):
        matching(nsw.assign(re78="x"), outcome="re78", treated="treat", covariates=["age"])
    with pytest.raises(ValueError, match="se must be one of"):
        matching(nsw, outcome="re78", treated="treat", covariates=["age"], se="robust")
