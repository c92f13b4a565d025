"""Propensity-score nearest-neighbour matching for the ATT, with overlap and balance checks.

References
----------
Rosenbaum, P. R. and Rubin, D. B. (1983), Biometrika 70(1): the propensity score.
Dehejia, R. H. and Wahba, S. (1999), JASA 94(448): NSW/CPS application and benchmark.
Abadie, A. and Imbens, G. W. (2006), Econometrica 74(1): matching estimator variance;
Abadie, Drukker, Herr and Imbens (2004), Stata Journal 4(3): 290-311 (``nnmatch``), the
ATT variance used here. Sekhon, J. S. (2011), J. Stat. Software 42(7): R ``Matching``, whose
``Match`` tie rule and variance options are followed exactly. Abadie & Imbens (2008),
Econometrica 76(6): the bootstrap is not valid for NN matching with replacement, so
``se="bootstrap"`` is offered only as a check.
Austin, P. C. (2011), Multivariate Behav. Res. 46(3): standardised mean differences and the
0.2 SD logit caliper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from wmresearch.evaluation.result import EstimateResult
from wmresearch.evaluation.validation import require_columns, require_numeric


def propensity_score(data: pd.DataFrame, *, treated: str, covariates: Sequence[str]) -> pd.Series:
    """Unpenalised logit propensity score P(treated = 1 | covariates) (scikit-learn).

    Covariates are standardised before fitting, which leaves the unpenalised maximum
    likelihood fit (and so the scores) unchanged but helps the solver converge.
    """
    from sklearn.linear_model import LogisticRegression  # imported when used: 0.15 s
    from sklearn.preprocessing import StandardScaler

    x = StandardScaler().fit_transform(data[list(covariates)].to_numpy(float))
    # C = 1e12 is unpenalised for practical purposes on standardised covariates, and avoids
    # penalty=None, deprecated from scikit-learn 1.8
    model = LogisticRegression(C=1e12, max_iter=10_000, tol=1e-10)
    model.fit(x, data[treated].to_numpy(int))
    return pd.Series(model.predict_proba(x)[:, 1], index=data.index, name="pscore")


# R ``Matching::Match`` (Sekhon 2011, JSS 42(7); package 4.10-15) defaults, followed here: the
# distance is the squared difference of the score divided by its sample variance; controls within
# ``distance.tolerance`` = 1e-5 of the nearest are ties, and same-group neighbours for the
# heteroskedastic variance (``Var.calc``) are ties within ``tolerance`` = sqrt(machine epsilon).
DISTANCE_TOLERANCE = 1e-5
VARIANCE_TOLERANCE = math.sqrt(np.finfo(float).eps)


def _match(s_t: np.ndarray, s_c: np.ndarray, sd: float,
           caliper: float | None) -> list[np.ndarray]:
    """Indices of the nearest controls for each treated unit, ties kept as R ``Match`` does."""
    out = []
    for p in s_t:
        dist = ((s_c - p) / sd) ** 2
        m = np.flatnonzero(dist <= dist.min() + DISTANCE_TOLERANCE)
        if caliper is not None:
            m = m[np.abs(s_c[m] - p) <= caliper]
        out.append(m)
    return out


_SE_LABEL = {"ai": "Abadie-Imbens", "ai_homoscedastic": "Abadie-Imbens homoscedastic",
             "bootstrap": "bootstrap"}


def _smd(x_t: np.ndarray, x_c: np.ndarray, w_c: np.ndarray, sd: float) -> float:
    if sd == 0:
        return 0.0
    return float((x_t.mean() - np.average(x_c, weights=w_c)) / sd)


def matching(data: pd.DataFrame, *, outcome: str, treated: str, covariates: Sequence[str],
             caliper: float | None = None, common_support: bool = True,
             trim: tuple[float, float] | None = None,
             se: Literal["ai", "ai_homoscedastic", "bootstrap"] = "ai", n_boot: int = 500,
             seed: int = 0) -> EstimateResult:
    r"""ATT by one-to-one nearest-neighbour propensity-score matching with replacement.

    Each treated unit :math:`i` is matched to the control(s) :math:`\mathcal{J}(i)` closest in
    the logit-fitted propensity score, ties kept and averaged exactly as R
    ``Matching::Match(X = pscore, M = 1, ties = TRUE)`` (distance: squared score difference over
    the score's sample variance; ties within 1e-5 of the nearest);
    :math:`\hat\tau = N_1^{-1}\sum_{i:W_i=1} (Y_i - \bar Y_{\mathcal{J}(i)})`. Variance
    (Abadie, Drukker, Herr & Imbens 2004, the ATT variance; ``Match``'s default, sample=FALSE):
    :math:`\hat V = N_1^{-2}[\sum_{i:W_i=1} (Y_i - \hat Y_i(0) - \hat\tau)^2 +
    \sum_{j:W_j=0} (K_j^2 - K'_j) \hat\sigma^2_j]`, with :math:`K_j = \sum_i
    1\{j\in\mathcal{J}(i)\}/\#\mathcal{J}(i)` and :math:`K'_j = \sum_i
    1\{j\in\mathcal{J}(i)\}/\#\mathcal{J}(i)^2`. ``se="ai"``: :math:`\hat\sigma^2_j` is the
    sample variance of :math:`Y_j` and its nearest same-group neighbour(s) (``Match(...,
    Var.calc = 1)``, heteroskedasticity-robust); ``"ai_homoscedastic"``: one pooled
    :math:`\hat\sigma^2 = \tfrac12` mean over matched pairs of :math:`(Y_i - Y_j - \hat\tau)^2`
    (``Match``'s default ``Var.calc = 0``). Both ignore the estimation of the score.
    ``"bootstrap"`` resamples units (seeded) and re-runs the whole procedure.

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
        ``raw_difference`` (unadjusted difference in means), ``pscore``, ``matched_pairs``
        (treated-control pairs counting every tie; R ``Match``'s "unweighted" matched count).
    """
    require_columns(data, [outcome, treated, *covariates])
    require_numeric(data, [outcome, treated, *covariates])
    if se not in _SE_LABEL:
        raise ValueError(f"se must be one of {sorted(_SE_LABEL)}, got {se!r}")
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
    # Match standardises by the score's SD over the units it is given (treated and controls)
    sd = float(np.std(score[np.concatenate([t_idx, c_idx])], ddof=1))
    matches = _match(score[t_idx], score[c_idx], sd if sd > 0 else 1.0, cal)
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
    k2 = np.zeros(len(c_idx))
    for m in matches:
        k[m] += 1.0 / len(m)
        k2[m] += 1.0 / len(m) ** 2
    n1 = len(t_idx)
    if se in ("ai", "ai_homoscedastic"):
        if se == "ai":
            sigma2 = _within_group_variance(score / (sd if sd > 0 else 1.0), y, c_idx)
        else:
            pairs = [np.mean((y[i] - y[c_idx[m]] - att) ** 2)
                     for i, m in zip(t_idx, matches, strict=True)]
            sigma2 = 0.5 * float(np.mean(pairs))
        var = (np.sum((effects - att) ** 2) + np.sum((k**2 - k2) * sigma2)) / n1**2
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
               f"(scikit-learn logit; {_SE_LABEL[se]} SE)",
        detail=detail,
        extra={"dropped": dropped, "raw_difference": raw, "pscore": ps,
               "matched_pairs": int(sum(len(m) for m in matches)),
               "overlap": {"treated": (float(ps[w == 1].min()), float(ps[w == 1].max())),
                           "control": (float(ps[w == 0].min()), float(ps[w == 0].max()))}})


def _within_group_variance(z: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """sigma^2_j: sample variance of Y_j and its nearest other unit(s) of the same group, ties
    within sqrt(machine epsilon) in squared standardised score kept (R ``Match``, Var.calc=1);
    with one neighbour l this is (1/2)(Y_j - Y_l)^2."""
    s, v = z[idx], y[idx]
    out = np.empty(len(idx))
    for j in range(len(idx)):
        dist = (s - s[j]) ** 2
        dist[j] = np.inf
        near = np.flatnonzero(dist <= dist.min() + VARIANCE_TOLERANCE)
        out[j] = float(np.var(np.append(v[near], v[j]), ddof=1))
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
