"""Propensity-score nearest-neighbour matching for the ATT, with overlap and balance checks.

References
----------
Rosenbaum, P. R. and Rubin, D. B. (1983), Biometrika 70(1): the propensity score.
Dehejia, R. H. and Wahba, S. (1999), JASA 94(448): NSW/CPS application and benchmark.
Abadie, A. and Imbens, G. W. (2006), Econometrica 74(1): matching estimator variance;
Abadie, Drukker, Herr and Imbens (2004), Stata Journal 4(3): 290-311 (``nnmatch``), the
sample-ATT variance used here. Abadie & Imbens (2008), Econometrica 76(6): the bootstrap is
not valid for NN matching with replacement, so ``se="bootstrap"`` is offered only as a check.
Austin, P. C. (2011), Multivariate Behav. Res. 46(3): standardised mean differences and the
0.2 SD logit caliper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from wmresearch.evaluation.result import EstimateResult
from wmresearch.evaluation.validation import require_columns, require_numeric


def propensity_score(data: pd.DataFrame, *, treated: str, covariates: Sequence[str]) -> pd.Series:
    """Unpenalised logit propensity score P(treated = 1 | covariates) (scikit-learn).

    Covariates are standardised before fitting, which leaves the unpenalised maximum
    likelihood fit (and so the scores) unchanged but helps the solver converge.
    """
    x = StandardScaler().fit_transform(data[list(covariates)].to_numpy(float))
    # C = 1e12 is unpenalised for practical purposes on standardised covariates, and avoids
    # penalty=None, deprecated from scikit-learn 1.8
    model = LogisticRegression(C=1e12, max_iter=10_000, tol=1e-10)
    model.fit(x, data[treated].to_numpy(int))
    return pd.Series(model.predict_proba(x)[:, 1], index=data.index, name="pscore")


def _match(ps_t: np.ndarray, ps_c: np.ndarray, caliper: float | None,
           tol: float = 1e-7) -> list[np.ndarray]:
    """Indices of the nearest controls for each treated unit (all ties kept)."""
    out = []
    for p in ps_t:
        dist = np.abs(ps_c - p)
        best = dist.min()
        if caliper is not None and best > caliper:
            out.append(np.array([], dtype=int))
        else:
            out.append(np.flatnonzero(dist <= best + tol))
    return out


def _smd(x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray, sd: float) -> float:
    if sd == 0:
        return 0.0
    return float((x_t.mean() - np.average(x_c, weights=w_c)) / sd)


def matching(data: pd.DataFrame, *, outcome: str, treated: str, covariates: Sequence[str],
             caliper: float | None = None, common_support: bool = True,
             trim: tuple[float, float] | None = None,
             se: Literal["ai", "bootstrap"] = "ai", n_boot: int = 500,
             seed: int = 0) -> EstimateResult:
    r"""ATT by one-to-one nearest-neighbour propensity-score matching with replacement.

    Each treated unit :math:`i` is matched to the control(s) :math:`\mathcal{J}(i)` closest in
    the logit-fitted propensity score (ties averaged, as R ``Matching::Match(ties=TRUE)``);
    :math:`\hat\tau = N_1^{-1}\sum_{i:W_i=1} (Y_i - \bar Y_{\mathcal{J}(i)})`. SE
    ``"ai"``: :math:`\hat V = N_1^{-2}\sum_i [W_i (Y_i - \hat Y_i(0) - \hat\tau)^2 +
    (1-W_i) (K_i^2 - K_i) \hat\sigma^2_i]` (Abadie, Drukker, Herr & Imbens 2004, eq. for the
    sample ATT, with :math:`K_i` the times control :math:`i` is used and
    :math:`\hat\sigma^2_i` from its nearest same-group neighbour); it ignores the estimation
    of the score. ``"bootstrap"`` resamples units (seeded) and re-runs the whole procedure.

    Parameters
    ----------
    caliper : maximum distance in standard deviations of the logit score (Austin 2011
        suggests 0.2); treated units without a control inside it are dropped and counted.
    common_support : drop (and count) treated units whose score lies outside the controls'.
    trim : drop units with scores outside (lo, hi), e.g. (0.1, 0.9) (Crump et al. 2009).

    Returns
    -------
    EstimateResult
        ``detail``: balance table (covariate, mean treated, mean control before/after, SMD
        before/after). ``extra``: ``dropped`` counts by reason, ``overlap`` score ranges,
        ``raw_difference`` (unadjusted difference in means), ``pscore``.
    """
    require_columns(data, [outcome, treated, *covariates])
    require_numeric(data, [outcome, treated, *covariates])
    w = data[treated]
    if not w.isin([0, 1]).all():
        bad = data.index[~w.isin([0, 1]).to_numpy()][0]
        raise ValueError(f"column {treated!r} must be 0/1; row {bad!r} has {w[bad]!r}")
    if w.sum() == 0 or w.sum() == len(w):
        raise ValueError(f"column {treated!r} needs both treated and control units")
    ps = propensity_score(data, treated=treated, covariates=covariates)
    keep = pd.Series(True, index=data.index)
    dropped: dict[str, int] = {}
    if trim is not None:
        out = (ps < trim[0]) | (ps > trim[1])
        dropped["trimmed"] = int(out.sum())
        keep &= ~out
    is_t = (w == 1) & keep
    is_c = (w == 0) & keep
    if common_support:
        lo, hi = ps[is_c].min(), ps[is_c].max()
        off = is_t & ((ps < lo) | (ps > hi))
        dropped["off_support"] = int(off.sum())
        is_t &= ~off
    logit = np.log(ps / (1 - ps))
    cal = None if caliper is None else caliper * float(logit[keep].std())
    y = data[outcome].to_numpy(float)
    score = logit.to_numpy() if cal is not None else ps.to_numpy()
    t_idx, c_idx = np.flatnonzero(is_t.to_numpy()), np.flatnonzero(is_c.to_numpy())
    matches = _match(score[t_idx], score[c_idx], cal)
    has = np.array([len(m) > 0 for m in matches])
    if caliper is not None:
        dropped["outside_caliper"] = int((~has).sum())
    if not has.any():
        raise ValueError("no treated unit has a control match (caliper too tight?)")
    t_idx = t_idx[has]
    matches = [m for m in matches if len(m)]
    y0_hat = np.array([y[c_idx[m]].mean() for m in matches])
    effects = y[t_idx] - y0_hat
    att = float(effects.mean())
    k = np.zeros(len(c_idx))
    for m in matches:
        k[m] += 1.0 / len(m)
    n1 = len(t_idx)
    if se == "ai":
        sigma2 = _within_group_variance(score, y, c_idx)
        var = (np.sum((effects - att) ** 2) + np.sum((k**2 - k) * sigma2)) / n1**2
        se_val = math.sqrt(var)
    else:
        rng = np.random.default_rng(seed)
        draws = []
        for _ in range(n_boot):
            rows = rng.integers(0, len(data), len(data))
            sample = data.iloc[rows].reset_index(drop=True)
            try:
                draws.append(matching(sample, outcome=outcome, treated=treated,
                                      covariates=covariates, caliper=caliper,
                                      common_support=common_support, trim=trim, se="ai").att)
            except ValueError:
                continue
        se_val = float(np.std(draws, ddof=1))
    detail = _balance(data, covariates, t_idx, c_idx, k, w.to_numpy())
    raw = float(y[w.to_numpy() == 1].mean() - y[w.to_numpy() == 0].mean())
    return EstimateResult.from_normal(
        att, se_val, n_treated=n1, n_control=int((k > 0).sum()),
        method="Propensity-score nearest-neighbour matching with replacement "
               f"(scikit-learn logit; {'Abadie-Imbens' if se == 'ai' else 'bootstrap'} SE)",
        detail=detail,
        extra={"dropped": dropped, "raw_difference": raw, "pscore": ps,
               "overlap": {"treated": (float(ps[w == 1].min()), float(ps[w == 1].max())),
                           "control": (float(ps[w == 0].min()), float(ps[w == 0].max()))}})


def _within_group_variance(score: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """sigma^2_i = (1/2)(Y_i - Y_l)^2 with l the nearest other unit of the same group."""
    s, v = score[idx], y[idx]
    out = np.empty(len(idx))
    for j in range(len(idx)):
        dist = np.abs(s - s[j])
        dist[j] = np.inf
        out[j] = 0.5 * (v[j] - v[int(np.argmin(dist))]) ** 2
    return out


def _balance(data: pd.DataFrame, covariates: Sequence[str], t_idx: np.ndarray,
             c_idx: np.ndarray, k: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    rows = []
    for col in covariates:
        x = data[col].to_numpy(float)
        xt, xc = x[w == 1], x[w == 0]
        sd = math.sqrt((xt.var(ddof=1) + xc.var(ddof=1)) / 2)
        used = k > 0
        rows.append({"covariate": col, "mean_treated": xt.mean(), "mean_control": xc.mean(),
                     "mean_control_matched": np.average(x[c_idx][used], weights=k[used]),
                     "smd_before": _smd(xt, xc, np.ones(len(xc)), sd),
                     "smd_after": _smd(x[t_idx], x[c_idx][used], k[used], sd)})
    return pd.DataFrame(rows)
