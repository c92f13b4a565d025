r"""Inference for mayoral devolution's staggered adoption with few treated authorities.

A vectorised no-covariate ATT(g,t) (differences in means, equal to csdid's doubly robust
estimates: tested to 1e-10), randomisation inference permuting authorities' treatment years,
a wild cluster (multiplier) bootstrap of the influence function, and Wald pre-tests from the
influence functions clustered by authority. Used by :mod:`wmresearch.evaluation.devolution`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from wmresearch.evaluation.result import EstimateResult


def _wald(theta: np.ndarray, inf: np.ndarray, clusters: Sequence[object] | np.ndarray | None,
          treated_clusters: int | None = None) -> dict[str, float | int]:
    n = inf.shape[0]
    if clusters is None:
        sums = inf
    else:
        codes, uniq = pd.factorize(pd.Series(np.asarray(clusters, dtype=object)))
        sums = np.zeros((len(uniq), inf.shape[1]))
        np.add.at(sums, codes, inf)
    v = sums.T @ sums / n**2
    out: dict[str, float | int] = {"wald": math.nan, "df": int(theta.size),
                                   "pvalue": math.nan, "clusters": int(len(sums)),
                                   "pvalue_f": math.nan}
    # R did's guard: a (near-)singular covariance gives no test
    if theta.size == 0 or not np.isfinite(v).all() or \
            1.0 / np.linalg.cond(v, p=1) <= np.finfo(float).eps:
        return out
    wald = float(theta @ np.linalg.solve(v, theta))
    out.update(wald=wald, pvalue=float(stats.chi2.sf(wald, theta.size)))
    g, q = treated_clusters, theta.size
    if g is not None and g > q:
        # Hotelling-type few-cluster correction: (G-q)/(q(G-1)) W ~ F(q, G-q)
        out["pvalue_f"] = float(stats.f.sf(wald * (g - q) / (q * (g - 1)), q, g - q))
    return out


def cell_pretrend_test(result: EstimateResult,
                       clusters: Sequence[object] | np.ndarray | None = None, *,
                       anticipation: int = 0) -> dict[str, float | int]:
    r"""Wald pre-test that every pre-treatment :math:`ATT(g,t)` (:math:`t < g - \delta`) is
    zero: :math:`W = \hat\theta' \hat V^{-1} \hat\theta \sim \chi^2_q`, :math:`\hat V =
    n^{-2}\sum_c S_c S_c'` from the cells' influence functions summed by cluster (by unit
    when ``clusters`` is None: then it is R ``did``'s / csdid's ``Wpval``). NaN when
    :math:`\hat V` is numerically singular (R's rule), as it is when the pre cells
    outnumber the treated clusters. Reference: Callaway & Sant'Anna (2021), sec. 4.

    Returns
    -------
    dict
        ``wald``, ``df``, ``pvalue``, ``clusters``.
    """
    detail = result.detail
    pre = np.flatnonzero((detail["time"] < detail["cohort"] - anticipation).to_numpy()
                         & np.isfinite(detail["se"].to_numpy()))
    inf = result.extra["influence"]["att_gt"][:, pre]
    return _wald(detail["att"].to_numpy()[pre], inf, clusters)


def event_pretrend_test(result: EstimateResult,
                        clusters: Sequence[object] | np.ndarray | None = None, *,
                        leads: int | None = 5, treated_clusters: int | None = None,
                        anticipation: int = 0) -> dict[str, float | int]:
    r"""Joint Wald test that the dynamic aggregation's pre-period event-time ATTs are zero.

    :math:`W = \hat\theta_{pre}' \hat V^{-1} \hat\theta_{pre} \sim \chi^2_q`, with
    :math:`\hat\theta_{pre}` the event-time estimates at :math:`-\text{leads} \le e < 0`
    (all :math:`e<0` if ``leads`` is None), or with ``anticipation`` :math:`\delta` the
    ``leads`` before the anticipation window, :math:`-\delta-\text{leads} \le e < -\delta`
    (effects inside the window are allowed), and :math:`\hat V = n^{-2} \sum_c S_c S_c'` from
    their influence functions summed by cluster. Keep :math:`q` well below the number of
    treated clusters: long leads rest on the earliest cohorts only and make
    :math:`\hat V` near singular. With :math:`G` treated clusters (``treated_clusters``)
    ``pvalue_f`` is the few-cluster Hotelling form :math:`\frac{G-q}{q(G-1)} W \sim
    F_{q, G-q}` (Hansen 2007, J. Econometrics 141(2); Cameron & Miller 2015, JHR 50(2),
    sec. VII), since :math:`\hat V` is estimated from about :math:`G` independent pieces.
    Reference: Callaway & Sant'Anna (2021), sec. 3-4; Roth (2022), AER: Insights 4(3), on
    pre-test power.

    Returns
    -------
    dict
        ``wald``, ``df``, ``pvalue`` (chi-squared), ``pvalue_f`` (F), ``clusters``.
    """
    table = result.extra["aggregations"]["dynamic"]["table"]
    levels = table["level"].to_numpy()
    window = (levels < -anticipation if leads is None else
              (levels < -anticipation) & (levels >= -anticipation - leads))
    pre = np.flatnonzero(window)
    inf = result.extra["influence"]["dynamic_e"][:, pre]
    return _wald(table["estimate"].to_numpy()[pre], inf, clusters, treated_clusters)


def panel_matrix(panel: pd.DataFrame, outcome: str,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """Balanced panel as a (districts, years) matrix, the years, the cohorts and the
    districts' rows (``lad_code`` index)."""
    wide = panel.pivot(index="lad_code", columns="year", values=outcome)
    if wide.isna().any().any():
        raise ValueError(f"the panel is not balanced in {outcome!r}")
    units = panel.drop_duplicates("lad_code").set_index("lad_code").loc[wide.index]
    return (wide.to_numpy(dtype=float), wide.columns.to_numpy(dtype=int),
            units["cohort"].to_numpy(dtype=int), units)


def fast_att_gt(y: np.ndarray, years: np.ndarray, cohort: np.ndarray, *,
                control: Literal["never", "notyet"] = "never",
                anticipation: int = 0) -> pd.DataFrame:
    r"""ATT(g,t) without covariates as differences in means (Callaway & Sant'Anna 2021).

    Post cells (:math:`t \ge g - \delta`): :math:`\widehat{ATT}(g,t) = \bar{\Delta Y}_{g}
    - \bar{\Delta Y}_{C}` with :math:`\Delta Y = Y_t - Y_{g-\delta-1}`; pre cells use the
    varying base :math:`t-1`. With no covariates the doubly robust estimator of Sant'Anna &
    Zhao (2020) is exactly this difference in means (the propensity score and outcome
    regression are constants), so this equals csdid's / R ``did``'s ``est_method="dr"``.
    Controls :math:`C`: cohort 0 (``never``) or also units with :math:`G > t + \delta`,
    :math:`G \ne g` (``notyet``).

    Parameters
    ----------
    y : (units, periods) balanced outcome matrix.
    years : the periods (sorted integers).
    cohort : first treated period per unit, 0 for never treated.

    Returns
    -------
    pandas.DataFrame
        ``cohort``, ``time``, ``att``, ``post`` (:math:`t \ge g`), ``n_treated``.
    """
    years = np.asarray(years)
    index = {int(t): i for i, t in enumerate(years)}
    rows = []
    for g in sorted({int(c) for c in cohort if c > 0}):
        treat = cohort == g
        base_post = index[int(years[years < g - anticipation].max())]
        for j in range(1, len(years)):
            t = int(years[j])
            base = base_post if t >= g - anticipation else j - 1
            ctrl = cohort == 0
            if control == "notyet":
                ctrl = ctrl | ((cohort > t + anticipation) & (cohort != g))
            dy = y[:, j] - y[:, base]
            att = dy[treat].mean() - dy[ctrl].mean()
            rows.append((g, t, att, t >= g, int(treat.sum())))
    return pd.DataFrame(rows, columns=["cohort", "time", "att", "post", "n_treated"])


def fast_simple_att(y: np.ndarray, years: np.ndarray, cohorts: np.ndarray) -> np.ndarray:
    r"""Simple-aggregation ATT (never-treated controls, no covariates) for many
    assignments at once.

    :math:`\theta = \sum_{g}\sum_{t \ge g} n_g\,ATT(g,t) / \sum_g\sum_{t\ge g} n_g` with
    :math:`ATT(g,t) = (\bar Y_{g,t} - \bar Y_{g,g-1}) - (\bar Y_{0,t} - \bar Y_{0,g-1})`:
    R ``did``'s ``aggte(type="simple")`` on :func:`fast_att_gt`. Vectorised over draws:
    cohort means are one matrix product per cohort.

    Parameters
    ----------
    y : (units, periods) outcome matrix; years : its periods.
    cohorts : (draws, units) or (units,) first treated period, 0 = never treated.

    Returns
    -------
    numpy.ndarray
        One simple ATT per row of ``cohorts``.
    """
    cohorts = np.atleast_2d(np.asarray(cohorts))
    years = np.asarray(years)
    never = (cohorts == 0).astype(float)
    y0 = never @ y / never.sum(axis=1, keepdims=True)
    num = np.zeros(len(cohorts))
    den = np.zeros(len(cohorts))
    for g in np.unique(cohorts[cohorts > 0]):
        mask = (cohorts == g).astype(float)
        n_g = mask.sum(axis=1)
        yg = mask @ y / np.where(n_g > 0, n_g, 1)[:, None]
        gap = yg - y0
        base = int(np.flatnonzero(years < g).max())
        post = years >= g
        att_sum = (gap[:, post] - gap[:, [base]]).sum(axis=1)
        num += n_g * att_sum
        den += n_g * post.sum()
    return num / den


def wild_cluster_bootstrap(result: EstimateResult, clusters: Sequence[object] | np.ndarray,
                           *, draws: int = 999, seed: int = 0, kind: str = "simple",
                           weights: Literal["rademacher", "webb"] = "rademacher",
                           ) -> EstimateResult:
    r"""Multiplier (wild) bootstrap of an aggregated ATT, one weight per cluster.

    :math:`\hat\theta^*_b - \hat\theta = n^{-1}\sum_c v_{cb} S_c`, :math:`S_c` the sum of
    the aggregation's influence function over cluster :math:`c`'s units and :math:`v_{cb}`
    Rademacher (:math:`\pm 1`) or Webb's six-point weights (better with few clusters: Webb
    2023, Canadian J. Economics 56(3)). SE: the bootstrap interquartile range over
    :math:`2 z_{0.75}` (R ``did``'s ``mboot``); p-value
    :math:`(1 + \#\{|\hat\theta^*_b - \hat\theta| \ge |\hat\theta|\})/(1 + B)`; CI: symmetric,
    :math:`\hat\theta \pm q_{0.95}(|\hat\theta^* - \hat\theta|)`. Reference: Callaway &
    Sant'Anna (2021), sec. 4 and Remark 10; Kline & Santos (2012).

    Parameters
    ----------
    result : from :func:`devolution_att` (its ``extra["influence"][kind]``).
    clusters : the cluster of each unit, in ``result.extra["influence_units"]`` order.
    """
    inf = np.asarray(result.extra["influence"][kind], dtype=float)
    codes, uniq = pd.factorize(pd.Series(np.asarray(clusters, dtype=object)))
    sums = np.bincount(codes, weights=inf, minlength=len(uniq))
    rng = np.random.default_rng(seed)
    if weights == "webb":
        values = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0,
                           math.sqrt(1.5)])
        v = rng.choice(values, size=(draws, len(uniq)))
    else:
        v = rng.choice(np.array([-1.0, 1.0]), size=(draws, len(uniq)))
    dev = v @ sums / len(inf)
    att = float(result.extra["aggregations"][kind]["att"])
    q75, q25 = np.quantile(dev, [0.75, 0.25])
    se = float((q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25)))
    crit = float(np.quantile(np.abs(dev), 0.95))
    pvalue = float((1 + np.sum(np.abs(dev) >= abs(att))) / (1 + draws))
    return EstimateResult(
        att=att, se=se, ci=(att - crit, att + crit), pvalue=pvalue,
        n_treated=result.n_treated, n_control=result.n_control,
        method=f"{result.method}; wild cluster (multiplier) bootstrap, {weights} weights, "
               f"{draws} draws, seed {seed}, {len(uniq)} clusters",
        extra={"draws": dev, "clusters": int(len(uniq))})


def randomisation_inference(panel: pd.DataFrame, outcome: str, *, draws: int = 999,
                            seed: int = 0,
                            within: Literal["all", "combined"] = "combined",
                            ) -> EstimateResult:
    r"""Randomisation inference for the simple ATT, permuting treatment years across
    authorities.

    Each draw permutes the authorities' cohorts (0 = never treated), so the number of
    authorities per cohort is fixed while which authority is treated when is random; a
    district takes its authority's cohort. ``within="combined"`` (default) permutes among
    combined authorities (E47: treated, future-treated and without a mayor), whose size is
    like the treated ones', other districts staying controls; ``"all"`` permutes over every
    cluster, so a cohort may fall on single districts and the placebo ATTs are far noisier
    than the real one (RI needs exchangeable units: MacKinnon & Webb 2020, sec. 3).
    Statistic: the simple ATT (:func:`fast_simple_att`); p-value
    :math:`(1 + \#\{|\theta^*_b| \ge |\hat\theta|\})/(1 + B)`. Reference: Fisher (1935);
    MacKinnon & Webb (2020), J. Econometrics 218(2); Young (2019), QJE 134(2).

    Returns
    -------
    EstimateResult
        ``att`` the observed simple ATT, ``pvalue`` the randomisation p-value, ``se`` the
        SD of the permutation distribution (``ci`` NaN); ``extra["draws"]``.
    """
    y, years, cohort, units = panel_matrix(panel, outcome)
    clusters, uniq = pd.factorize(units["authority"])
    cl_cohort = pd.Series(cohort).groupby(clusters).first().to_numpy()
    if (pd.Series(cohort).groupby(clusters).nunique() > 1).any():
        raise ValueError("districts of one authority have different cohorts")
    pool = np.arange(len(uniq))
    if within == "combined":
        pool = np.flatnonzero(pd.Series(uniq).astype(str).str.startswith("E47").to_numpy())
    if len(np.unique(cl_cohort[pool])) < 2:
        raise ValueError(f"nothing to permute: the {len(pool)} clusters pooled "
                         f"({within!r}) all have the same cohort")
    rng = np.random.default_rng(seed)
    assign = np.tile(cl_cohort, (draws, 1))
    assign[:, pool] = rng.permuted(np.tile(cl_cohort[pool], (draws, 1)), axis=1)
    observed = float(fast_simple_att(y, years, cohort)[0])
    perm = fast_simple_att(y, years, assign[:, clusters])
    # ties (a draw reproducing the observed assignment) count, whatever the rounding
    hits = np.abs(perm) >= abs(observed) - 1e-12 * max(1.0, abs(observed))
    pvalue = float((1 + np.sum(hits)) / (1 + draws))
    return EstimateResult(
        att=observed, se=float(np.std(perm, ddof=1)), ci=(math.nan, math.nan),
        pvalue=pvalue, n_treated=int((cohort > 0).sum()), n_control=int((cohort == 0).sum()),
        method=f"Randomisation inference: authorities' first-mayor years permuted "
               f"({within}), {draws} draws, seed {seed}; simple CS ATT, never-treated",
        extra={"draws": perm, "clusters_permuted": int(len(pool))})


__all__ = ["cell_pretrend_test", "event_pretrend_test", "fast_att_gt", "fast_simple_att",
           "panel_matrix", "randomisation_inference", "wild_cluster_bootstrap"]
