"""Conformal inference for a synthetic control with one treated unit (Chernozhukov, Wüthrich
& Zhu 2021): :func:`conformal_pvalue`, and :func:`conformal_intervals` by test inversion, per
post-period and for an effect that is constant over the post-period. Part of the inference of
:mod:`wmresearch.evaluation.sc_inference`, which re-exports both.

References
----------
Chernozhukov, V., Wüthrich, K. and Zhu, Y. (2021), "An exact and robust conformal inference
method for counterfactual and synthetic controls", JASA 116(536): 1849-1864.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from wmresearch.evaluation.synthetic import simplex_weights

Permutation = Literal["moving_block", "iid"]


# --------------------------------------------------------------------------------------------
# Conformal inference (Chernozhukov, Wüthrich & Zhu 2021)
# --------------------------------------------------------------------------------------------

def _residuals(y1: np.ndarray, y0: np.ndarray) -> np.ndarray:
    """Residuals of the outcome-only SC proxy fitted on every period given (CWZ sec. 2.3)."""
    return y1 - y0 @ simplex_weights(y1, y0)


def _block_pvalue(u: np.ndarray, t1: int, q: float) -> float:
    """Moving-block permutation p-value of S_q over the last ``t1`` residuals (CWZ eq. 2)."""
    t = u.size
    a = np.abs(np.concatenate([u, u[: t1 - 1]])) ** q
    c = np.concatenate([[0.0], np.cumsum(a)])
    stats = c[t1: t1 + t] - c[:t]  # block starting at s = 0..T-1
    observed = stats[t - t1]
    return float(np.mean(stats >= observed * (1 - 1e-12)))


def _iid_pvalue(u: np.ndarray, t1: int, q: float, perms: np.ndarray) -> float:
    """iid-permutation p-value (CWZ sec. 3.1), identity counted once, random draws ``perms``."""
    a = np.abs(u) ** q
    observed = a[-t1:].sum()
    stats = a[perms[:, -t1:]].sum(axis=1)
    return float((1 + np.sum(stats >= observed * (1 - 1e-12))) / (1 + perms.shape[0]))


def conformal_pvalue(y1: np.ndarray, y0: np.ndarray, t1: int, theta0: float | np.ndarray, *,
                     permutation: Permutation = "moving_block", q: float = 1.0,
                     n_perm: int = 999, seed: int = 0) -> float:
    r"""CWZ (2021) p-value of the sharp null :math:`\theta_t = \theta^0_t` for the last ``t1``
    periods.

    Under the null, :math:`Y^N_{1t} = Y_{1t} - \theta^0_t` in the post-period; the SC proxy
    (simplex weights, no intercept, outcome only) is refitted on *all* :math:`T` periods of the
    null-adjusted data, giving residuals :math:`\hat u_t`, and
    :math:`S_q(\hat u) = (T_1^{-1/2} \sum_{t > T_0} |\hat u_t|^q)^{1/q}` is compared with its
    value under permutations :math:`\pi` of time: :math:`p = |\Pi|^{-1} \sum_\pi
    1\{S_q(\hat u_\pi) \ge S_q(\hat u)\}` (CWZ eq. 1-2, Algorithm 1). Moving-block
    permutations (the :math:`T` cyclic shifts; robust to serial dependence, smallest p
    :math:`1/T`) or ``n_perm`` random iid permutations plus the identity (exact under
    exchangeability, smallest p :math:`1/(n_{perm}+1)`).

    Parameters
    ----------
    y1 : (T,) treated outcomes; y0 : (T, J) donor outcomes; t1 : number of post periods.
    """
    y1 = np.asarray(y1, dtype=float).copy()
    y1[-t1:] -= np.asarray(theta0, dtype=float)
    u = _residuals(y1, np.asarray(y0, dtype=float))
    if permutation == "moving_block":
        return _block_pvalue(u, t1, q)
    if permutation == "iid":
        rng = np.random.default_rng(seed)
        perms = np.array([rng.permutation(u.size) for _ in range(n_perm)])
        return _iid_pvalue(u, t1, q, perms)
    raise ValueError(f"permutation must be 'moving_block' or 'iid', got {permutation!r}")


def _invert(pvalue: Callable[[float], float], centre: float, half: float, alpha: float, *,
            n_grid: int, max_doublings: int = 6, bisections: int = 30
            ) -> tuple[float, float]:
    """Bounds of {theta: p(theta) > alpha}: a grid of ``n_grid`` points on ``centre`` +-
    ``half``, doubled until the accepted set is interior (else +-inf), or halved while nothing
    on it is accepted (NaN bounds if still empty: the model rejects every value); each end is
    refined by bisection between the outermost accepted and the next rejected grid point."""
    for _ in range(max_doublings + 1):
        grid = centre + half * np.linspace(-1.0, 1.0, n_grid)
        ok = np.array([pvalue(g) > alpha for g in grid])
        if not ok.any():
            half /= 4
            continue
        idx = np.flatnonzero(ok)
        if idx[0] > 0 and idx[-1] < n_grid - 1:
            break
        half *= 2
    else:
        return (-math.inf, math.inf) if ok.any() else (math.nan, math.nan)

    def refine(inside: float, outside: float) -> float:
        for _ in range(bisections):
            mid = (inside + outside) / 2
            if pvalue(mid) > alpha:
                inside = mid
            else:
                outside = mid
        return inside

    return (float(refine(grid[idx[0]], grid[idx[0] - 1])),
            float(refine(grid[idx[-1]], grid[idx[-1] + 1])))


def conformal_intervals(data: pd.DataFrame, *, outcome: str, unit: str, time: str,
                        treated_unit: object, treatment_time: object,
                        donors: Sequence[object] | None = None, alpha: float = 0.10,
                        permutation: Permutation = "moving_block", q: float = 1.0,
                        n_perm: int = 999, seed: int = 0, n_grid: int = 41,
                        per_period: bool = True) -> pd.DataFrame:
    r"""Conformal confidence intervals for a synthetic control (Chernozhukov, Wüthrich & Zhu
    2021), by test inversion.

    * **Constant effect** over the post-period: :math:`C = \{\theta : p(\theta) > \alpha\}`
      for the sharp null :math:`\theta_t = \theta` for every post period :math:`t`, the
      :math:`T_1` post residuals entering :math:`S_q` together (CWZ sec. 2-3).
    * **Per period** (CWZ sec. 4.2, Algorithm 1 with :math:`T_1 = 1`): for each post period
      :math:`t`, the data are the :math:`T_0` pre-periods and :math:`t` alone, and
      :math:`p = \#\{s : |\hat u_s| \ge |\hat u_t|\} / (T_0 + 1)` (every permutation of one
      post residual among :math:`T_0 + 1` is a moving block, so both schemes coincide).

    Each :math:`p(\theta)` refits the outcome-only SC (simplex weights, no intercept) on every
    period of the null-adjusted data (:func:`conformal_pvalue`); the procedure is exact when
    the proxy's residuals are exchangeable over time (moving blocks: under weak dependence,
    approximately). Test inversion on a grid centred on the pre-period-fitted SC gap,
    widened until the accepted set is interior and refined by bisection at each end; the
    interval is the hull of the accepted set (NaN bounds if nothing is accepted: every
    constant effect is rejected, a sign the model does not fit). When the smallest attainable
    p-value (moving blocks: :math:`1/T` for the constant effect, :math:`1/(T_0+1)` per
    period) is above :math:`\alpha` nothing can be rejected: the interval is
    :math:`(-\infty, \infty)` and ``attainable`` is False.

    The proxy is the outcome-only SC whatever the headline specification: CWZ's exactness
    needs an estimator that treats all periods symmetrically, which a V-weighted fit on
    pre-period predictors is not.

    Validation: no interval for a published application could be recovered to test against
    (the CWZ paper's and the ``scinference`` vignette's figures are plots, the vignette's
    data are random draws), so ``tests/evaluation/test_sc_inference.py`` checks coverage by
    simulation with a planted effect, and the size of the test of a true null.

    Returns
    -------
    pandas.DataFrame
        One row for the constant effect (``target = "constant effect"``, ``period`` NaN)
        and, if ``per_period``, one per post period: ``estimate`` (the SC gap: mean
        post-period gap, or the period's gap, weights fitted on the pre-period), ``lower``,
        ``upper``, ``level``, ``p_zero`` (p-value of no effect), ``min_pvalue``,
        ``attainable``, ``method``.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    wide = data.pivot(index=time, columns=unit, values=outcome).sort_index()
    pool = [c for c in wide.columns if c != treated_unit] if donors is None else list(donors)
    y1 = wide[treated_unit].to_numpy(float)
    y0 = wide[pool].to_numpy(float)
    post = (wide.index >= treatment_time)
    t0, t1 = int((~post).sum()), int(post.sum())
    if t0 < 2 or t1 < 1:
        raise ValueError(f"conformal inference needs pre and post periods, got {t0} and {t1}")
    gap = y1 - y0 @ simplex_weights(y1[:t0], y0[:t0])
    scale = float(np.std(np.diff(y1[:t0]), ddof=1)) or float(np.std(y1[:t0])) or 1.0
    perm_name = ("moving-block" if permutation == "moving_block"
                 else f"{n_perm} iid") + " permutations"
    rows = []

    def row(target: str, period: object, est: float, pfun: Callable[[float], float],
            min_p: float, scheme: str) -> dict[str, Any]:
        ok = min_p <= alpha
        lo, hi = _invert(pfun, est, 4 * scale + 2 * abs(est), alpha, n_grid=n_grid) if ok \
            else (-math.inf, math.inf)
        return {"target": target, "period": period, "estimate": est, "lower": lo, "upper": hi,
                "level": 1 - alpha, "p_zero": pfun(0.0), "min_pvalue": min_p,
                "attainable": ok,
                "method": f"Conformal inference (Chernozhukov, Wüthrich & Zhu 2021), "
                          f"outcome-only SC refitted under the null, {scheme}"}

    def p_joint(theta: float) -> float:
        return conformal_pvalue(y1, y0, t1, theta, permutation=permutation, q=q,
                                n_perm=n_perm, seed=seed)

    min_joint = 1 / (t0 + t1) if permutation == "moving_block" else 1 / (n_perm + 1)
    rows.append(row("constant effect", math.nan, float(gap[post].mean()), p_joint, min_joint,
                    perm_name))
    if per_period:
        for k, period in enumerate(wide.index[post]):
            idx = np.r_[np.arange(t0), t0 + k]

            def p_one(theta: float, idx: np.ndarray = idx) -> float:
                return conformal_pvalue(y1[idx], y0[idx], 1, theta,
                                        permutation="moving_block", q=q)

            rows.append(row("period", period, float(gap[t0 + k]), p_one, 1 / (t0 + 1),
                            f"all {t0 + 1} permutations of one post period"))
    return pd.DataFrame(rows)


__all__ = ["Permutation", "conformal_intervals", "conformal_pvalue"]
