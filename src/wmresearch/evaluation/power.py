"""Minimum detectable effects (MDE) for evaluation designs, in the programme's own years.

One definition of the MDE is used throughout: the smallest true effect that the planned test
(two-sided, size ``alpha = 0.05``) rejects with probability ``power = 0.8``. Every function
here has those defaults. A critical value (the effect that would just be *declared*
significant, i.e. 50% power) is not an MDE and is returned separately by
:func:`placebo_critical_value`.

References
----------
Abadie, A., Diamond, A. and Hainmueller, J. (2010), "Synthetic control methods for
comparative case studies", JASA 105(490): 493-505, sec. 2.4 (placebo/permutation inference).
Bloom, H. S. (1995), "Minimum detectable effects", Evaluation Review 19(5): 547-556: MDE =
M x SE with M = z_{1-alpha/2} + z_{power} (2.80 for alpha = 0.05 two-sided, power 0.8).
Duflo, E., Glennerster, R. and Kremer, M. (2007), "Using randomization in development
economics research: a toolkit", Handbook of Development Economics 4, eq. (10)-(11).
McKenzie, D. (2012), "Beyond baseline and follow-up", J. Dev. Econ. 99(2): 210-221, eq. for
DiD with m pre and r post periods.
Cohen, J. (1988), *Statistical Power Analysis for the Behavioral Sciences*, Table 2.4.1.
Nickell, S. (1981), "Biases in dynamic models with fixed effects", Econometrica 49(6):
1417-1426 (within-residual autocorrelation is biased by about -(1 + rho)/(T - 1)).
Firpo, S. and Possebom, V. (2018), "Synthetic control method: inference, sensitivity
analysis and confidence sets", J. Causal Inference 6(2), sec. 4.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

# the normal quantile of scipy.stats.norm.ppf (which is ndtri), without importing
# scipy.stats: most of a second in every report kernel
from scipy.special import ndtri

from wmresearch.evaluation.power_projection import (
    PlausibleEffect,
    PowerProjection,
    mde_ratio,
    plausible_effect_gva_per_hour,
    post_periods_in_data,
)

ALPHA = 0.05
POWER = 0.8


def _check_alpha_power(alpha: float, power: float) -> None:
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha ({alpha}) and power ({power}) must lie in (0, 1)")


def mde_multiplier(alpha: float = ALPHA, power: float = POWER) -> float:
    """Bloom's (1995) multiplier :math:`z_{1-\\alpha/2} + z_{power}` for a two-sided test.

    2.80 for ``alpha = 0.05`` and ``power = 0.8`` (Bloom 1995, Table 1, large df).
    """
    _check_alpha_power(alpha, power)
    return float(ndtri(1 - alpha / 2) + ndtri(power))


def mde_two_sample(n_treated: float, n_control: float, *, alpha: float = ALPHA,
                   power: float = POWER) -> float:
    """MDE in standard-deviation units for a two-sample t-test (exact, noncentral t).

    Solved by statsmodels ``TTestIndPower.solve_power`` (the same calculation as R
    ``pwr::pwr.t.test`` and Cohen 1988, Table 2.4.1). Two-sided ``alpha = 0.05``, 80% power.
    """
    if n_treated < 2 or n_control < 2:
        raise ValueError(f"need at least 2 units per arm, got {n_treated} and {n_control}")
    from statsmodels.stats.power import TTestIndPower  # imported when used

    return float(TTestIndPower().solve_power(effect_size=None, nobs1=n_treated,
                                             ratio=n_control / n_treated, alpha=alpha,
                                             power=power, alternative="two-sided"))


def did_variance_factor(pre_periods: int, post_periods: int, rho: float = 0.0) -> float:
    r"""Variance of (post mean - pre mean) of unit-level noise, in units of :math:`\sigma^2`.

    For AR(1) noise :math:`e_t` with variance :math:`\sigma^2` and autocorrelation
    :math:`\rho` over ``pre_periods`` (:math:`m`) consecutive years followed by
    ``post_periods`` (:math:`r`) consecutive years,

    .. math:: V = \frac{1}{m^2}\sum_{s,t \le m}\rho^{|s-t|} + \frac{1}{r^2}\sum_{s,t > m}
              \rho^{|s-t|} - \frac{2}{mr}\sum_{s \le m < t}\rho^{|s-t|},

    which is :math:`1/m + 1/r` for :math:`\rho = 0` (McKenzie 2012, DiD variance, with the
    equicorrelated part of his :math:`\rho` absorbed by the unit effect). With strongly
    persistent noise (:math:`\rho \gtrsim 0.9`) more post years can *raise* :math:`V`, as
    later years drift further from the pre-period level.
    """
    for name, v in {"pre_periods": pre_periods, "post_periods": post_periods}.items():
        if v < 1:
            raise ValueError(f"{name} must be at least 1, got {v}")
    if not -1 < rho < 1:
        raise ValueError(f"autocorrelation rho must lie in (-1, 1), got {rho}")
    if rho == 0:
        return 1 / pre_periods + 1 / post_periods
    t = np.arange(pre_periods + post_periods)
    cov = rho ** np.abs(t[:, None] - t[None, :])
    w = np.where(t < pre_periods, -1 / pre_periods, 1 / post_periods)
    return float(w @ cov @ w)


def mde_did(sigma: float, *, n_treated: int, n_control: int, pre_periods: int,
            post_periods: int, alpha: float = ALPHA, power: float = POWER,
            rho: float = 0.0) -> float:
    r"""Analytic MDE (80% power, 5% two-sided by default) of a DiD of means.

    .. math:: MDE = (z_{1-\alpha/2} + z_{\kappa})\,\sigma\,\sqrt{(1/n_1 + 1/n_0)\,V(m, r,
              \rho)}

    with :math:`V` from :func:`did_variance_factor` (:math:`1/m + 1/r` without serial
    correlation) for :math:`m` pre and :math:`r` post periods, unit and period effects
    (McKenzie 2012; Bloom 1995 multiplier 2.80). ``sigma`` is the residual SD after unit and
    period effects, e.g. from :func:`pre_period_sigma`; ``rho`` its AR(1) autocorrelation,
    e.g. from :func:`pre_period_autocorrelation`. Same ``alpha``/``power`` defaults as
    :func:`mde_placebo`.
    """
    for name, v in {"n_treated": n_treated, "n_control": n_control}.items():
        if v < 1:
            raise ValueError(f"{name} must be at least 1, got {v}")
    if sigma < 0 or not math.isfinite(sigma):
        raise ValueError(f"sigma must be finite and non-negative, got {sigma}")
    factor = did_variance_factor(pre_periods, post_periods, rho)
    se = sigma * math.sqrt((1 / n_treated + 1 / n_control) * factor)
    return mde_multiplier(alpha, power) * se


def two_way_residuals(data: pd.DataFrame, *, outcome: str, unit: str,
                      time: str) -> pd.Series:
    r"""Residuals of the outcome after unit and period fixed effects, by least squares.

    :math:`y_{it} = \alpha_i + \lambda_t + e_{it}`, fitted by OLS on the unit and period
    dummies (one period dropped), so unbalanced panels are handled exactly; the residuals
    equal fixest's ``feols(y ~ 1 | unit + time)`` (Berge 2018), which the tests check. Rows
    with a missing outcome are left out; the result is indexed like the rows kept.
    """
    data = data.dropna(subset=[outcome])
    if data.empty:
        raise ValueError(f"no rows with a value of {outcome!r} to fit fixed effects on")
    units, _ = pd.factorize(data[unit])
    periods, _ = pd.factorize(data[time], sort=True)
    design = np.zeros((len(data), units.max() + periods.max() + 1))
    rows = np.arange(len(data))
    design[rows, units] = 1.0
    # the first period is the reference, absorbed by the unit effects
    later = periods > 0
    design[rows[later], units.max() + periods[later]] = 1.0
    y = data[outcome].to_numpy(dtype=float)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return pd.Series(y - design @ coef, index=data.index, name=outcome)


def _pre_fit(data: pd.DataFrame, outcome: str, unit: str,
             time: str) -> tuple[pd.Series, pd.DataFrame, int, int]:
    data = data.dropna(subset=[outcome])
    n, t = data[unit].nunique(), data[time].nunique()
    dof = len(data) - n - t + 1
    if dof < 1:
        raise ValueError(f"too few pre-treatment observations to estimate noise: {len(data)} "
                         f"rows for {n} units and {t} periods")
    return two_way_residuals(data, outcome=outcome, unit=unit, time=time), data, t, dof


def pre_period_sigma(data: pd.DataFrame, *, outcome: str, unit: str, time: str) -> float:
    """Residual SD of the outcome after unit and period fixed effects (pre-period panel).

    Degrees of freedom corrected: :math:`\\hat\\sigma^2 = RSS / (NT - N - T + 1)`.
    """
    resid, _, _, dof = _pre_fit(data, outcome, unit, time)
    return float(math.sqrt(np.sum(resid.to_numpy() ** 2) / dof))


def _within_lag1(rho: float, periods: int) -> float:
    """Expected lag-1 autocorrelation of unit-demeaned AR(1) noise (ratio of expectations)."""
    numerator, denominator = _within_lag1_polynomials(periods)
    powers = rho ** np.arange(periods)
    return float(numerator @ powers / (denominator @ powers))


def _within_lag1_polynomials(periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (ascending powers of rho) of the mean first off-diagonal and the mean
    diagonal of :math:`M\\Sigma(\\rho)M`: :math:`\\Sigma(\\rho) = \\sum_k \\rho^k A_k`
    with :math:`A_k` the pairs of periods ``k`` apart, and both means are linear in it."""
    t = np.arange(periods)
    lags = np.abs(t[:, None] - t[None, :])
    demean = np.eye(periods) - 1 / periods
    numerator, denominator = np.empty(periods), np.empty(periods)
    for k in range(periods):
        w = demean @ (lags == k).astype(float) @ demean
        numerator[k], denominator[k] = np.mean(np.diag(w, 1)), np.mean(np.diag(w))
    return numerator, denominator


def pre_period_autocorrelation(data: pd.DataFrame, *, outcome: str, unit: str,
                               time: str) -> float:
    r"""AR(1) autocorrelation of the noise after unit and period fixed effects.

    The pooled lag-1 autocorrelation of the within residuals,
    :math:`\hat\rho_w = \overline{e_t e_{t-1}} / \overline{e_t^2}`, is biased towards
    :math:`-1/(T-1)` by the unit means (Nickell 1981: about :math:`-(1+\rho)/(T-1)`). The
    estimate solves :math:`E_\rho[\hat\rho_w] = \hat\rho_w` exactly for AR(1) noise over
    :math:`T` periods (ratio of expectations of :math:`M\Sigma(\rho)M`, :math:`M` the
    within transformation), clipped to :math:`[-0.99, 0.99]`. Needs at least 4 periods;
    assumes a balanced panel of consecutive integer periods.
    """
    resid, data, t, _ = _pre_fit(data, outcome, unit, time)
    if t < 4:
        raise ValueError(f"need at least 4 pre periods to estimate autocorrelation, got {t}")
    res = data[[unit, time]].assign(_e=resid.to_numpy()).sort_values([unit, time])
    lag = res.groupby(unit)["_e"].shift(1)
    lag_time = res.groupby(unit)[time].shift(1)
    ok = lag.notna() & (res[time] - lag_time == 1)
    rho_w = float(np.mean(res["_e"][ok] * lag[ok]) / np.mean(res["_e"] ** 2))
    return _ar1_from_within(rho_w, t)


def _ar1_from_within(rho_w: float, periods: int, lo: float = -0.99,
                     hi: float = 0.99) -> float:
    """The AR(1) coefficient whose expected within autocorrelation is ``rho_w``, clipped."""
    if rho_w <= _within_lag1(lo, periods):
        return lo
    if rho_w >= _within_lag1(hi, periods):
        return hi
    # E[rho_w] is a ratio of polynomials in rho, rising over the bracket: the solution is the
    # one real root there of numerator - rho_w * denominator (exact, where a bracketing
    # search would stop at its tolerance)
    numerator, denominator = _within_lag1_polynomials(periods)
    roots = np.polynomial.polynomial.polyroots(numerator - rho_w * denominator)
    real = roots.real[(np.abs(roots.imag) < 1e-9) & (roots.real > lo) & (roots.real < hi)]
    return float(real[np.argmin([abs(_within_lag1(r, periods) - rho_w) for r in real])])


def _placebo_noise(gaps: Sequence[float] | np.ndarray, alpha: float) -> np.ndarray:
    e = np.asarray(gaps, dtype=float).ravel()
    if e.size == 0 or not np.isfinite(e).all():
        raise ValueError("post_gaps must be a non-empty list of finite placebo gaps")
    if alpha < 1 / (e.size + 1):
        raise ValueError(f"alpha {alpha} is below 1/(J+1) = {1 / (e.size + 1):.3f} for "
                         f"{e.size} placebo units: not attainable")
    return e


def placebo_critical_value(gaps: Sequence[float] | np.ndarray, *, alpha: float = ALPHA) -> float:
    """Critical value of the placebo test: the :math:`1-\\alpha` quantile of :math:`|gap|`.

    An estimate is declared significant when its absolute mean post gap exceeds this
    (Abadie, Diamond & Hainmueller 2010, sec. 2.4; with J placebos the smallest attainable
    p-value is 1/(J+1), so alpha must exceed it). This is the half-width of the confidence
    interval obtained by inverting the test (Firpo & Possebom 2018), and the effect detected
    with only about 50% power; it is *not* the MDE (see :func:`mde_placebo`).
    """
    e = _placebo_noise(gaps, alpha)
    return float(np.quantile(np.abs(e), 1 - alpha, method="higher"))


def placebo_power(effect: float, gaps: Sequence[float] | np.ndarray, *,
                  alpha: float = ALPHA) -> float:
    """Power of the placebo test against a constant effect, with placebo gaps as the noise.

    :math:`\\Pr(|\\tau + e| > c)` over :math:`e \\in \\{\\pm gap_j\\}` (the placebo gaps and
    their reflections, equally weighted) and :math:`c` = :func:`placebo_critical_value`.
    """
    e = _placebo_noise(gaps, alpha)
    c = placebo_critical_value(e, alpha=alpha)
    noise = np.concatenate([e, -e])
    return float(np.mean(np.abs(effect + noise) > c))


def mde_placebo(gaps: Sequence[float] | np.ndarray, *, alpha: float = ALPHA,
                power: float = POWER) -> float:
    r"""MDE (80% power, 5% two-sided by default) of the in-space placebo test.

    The test rejects when the treated unit's absolute mean post gap exceeds the critical value
    :math:`c`, the :math:`1-\alpha` quantile of the placebo units' :math:`|gap_j|` (ADH 2010,
    sec. 2.4; :func:`placebo_critical_value`). Treating the placebo gaps as draws of the noise
    the treated estimate would carry, an additive effect :math:`\tau` is detected with
    probability

    .. math:: \pi(\tau) = \frac{1}{2J}\sum_{j=1}^{J}\sum_{s=\pm 1}
              \mathbf{1}\{|\tau + s\,gap_j| > c\},

    the gaps reflected about zero because the test is two-sided and depends only on
    :math:`|gap|` (the result depends only on :math:`|gap_j|`, so signed and absolute gaps give
    the same MDE). The MDE is :math:`\inf\{\tau \ge 0 : \pi(t) \ge` ``power`` for all
    :math:`t > \tau\}`, found exactly on the step function :math:`\pi` (it changes only at
    :math:`\tau = \pm c \pm gap_j`). It is the empirical analogue of Bloom's (1995)
    :math:`(z_{1-\alpha/2} + z_{\kappa})\sigma`: for normal gaps with SD :math:`\sigma` and
    many placebos it tends to :math:`2.80\sigma`, whereas :math:`c` alone tends to
    :math:`1.96\sigma` (50% power). Same ``alpha``/``power`` defaults as :func:`mde_did`.

    Parameters
    ----------
    gaps
        Post-period mean gaps (treated minus synthetic) of the placebo units (J of them).
    alpha, power
        Two-sided size of the placebo test and the required power.
    """
    _check_alpha_power(alpha, power)
    e = _placebo_noise(gaps, alpha)
    c = placebo_critical_value(e, alpha=alpha)
    noise = np.sort(np.concatenate([e, -e]))
    n = noise.size
    cuts = np.unique(np.abs(np.concatenate([c - noise, c + noise])))
    cuts = cuts[cuts > 0]
    if cuts.size == 0:  # every gap is exactly +-c: any positive effect is detected
        return 0.0
    # the power on each open interval between consecutive cut points (and [0, first cut))
    probe = np.concatenate([[cuts[0] / 2], (cuts[:-1] + cuts[1:]) / 2, [cuts[-1] + 1.0]])
    upper = n - np.searchsorted(noise, c - probe, side="right")  # #{e > c - t}
    lower = np.searchsorted(noise, -c - probe, side="left")  # #{e < -c - t}
    pw = (upper + lower) / n
    short = np.flatnonzero(pw < power)
    if short.size == 0:
        return 0.0
    # probe i lies left of cuts[i]: the last short interval ends at that cut point
    return float(cuts[short[-1]])


def power_by_year(*, start_year: int, last_data_year: int, sigma: float, n_treated: int,
                  n_control: int, pre_periods: int, rho: float = 0.0,
                  plausible_effect: float | None = None, horizon: int = 10,
                  alpha: float = ALPHA, power: float = POWER,
                  mde_at: Callable[[int], float] | None = None) -> PowerProjection:
    """MDE for the post-period the data actually have, and as later years are published.

    Post periods are counted from the programme's real ``start_year`` (never shifted back to
    fit the data): :func:`post_periods_in_data`. With 0 post years the design is not
    evaluable and the first data year needed is ``start_year``. The MDE for r post years is
    :func:`mde_did` (80% power, 5% two-sided) with the pre-period noise ``sigma``/``rho``,
    ``pre_periods`` pre years (fixed: later data add post years only) and the given units,
    unless ``mde_at(r)`` supplies the planned estimator's MDE for r post years.
    ``detectable_from`` is the first last-data year ``start_year .. start_year + horizon``
    whose MDE is at most ``plausible_effect`` (same units as the MDE, e.g. log points from
    :func:`plausible_effect_gva_per_hour`).
    """
    if horizon < 0:
        raise ValueError(f"horizon must be non-negative, got {horizon}")

    def mde_for(r: int) -> float:
        if mde_at is not None:
            return float(mde_at(r))
        return mde_did(sigma, n_treated=n_treated, n_control=n_control,
                       pre_periods=pre_periods, post_periods=r, alpha=alpha, power=power,
                       rho=rho)

    years = np.arange(start_year, start_year + horizon + 1)
    rows = [{"last_data_year": int(y), "post_periods": post_periods_in_data(start_year, y),
             "mde": mde_for(post_periods_in_data(start_year, y)),
             "published": bool(y <= last_data_year)} for y in years]
    table = pd.DataFrame(rows)
    detectable_from = None
    if plausible_effect is not None:
        table["detectable"] = table["mde"] <= plausible_effect
        hits = table.loc[table["detectable"], "last_data_year"]
        detectable_from = int(hits.iloc[0]) if len(hits) else None
    r_now = post_periods_in_data(start_year, last_data_year)
    return PowerProjection(start_year=int(start_year), last_data_year=int(last_data_year),
                           post_periods=r_now, mde=mde_for(r_now) if r_now > 0 else None,
                           first_data_year_needed=int(start_year), table=table,
                           plausible_effect=plausible_effect, detectable_from=detectable_from)


__all__ = ["ALPHA", "POWER", "PlausibleEffect", "PowerProjection", "did_variance_factor",
           "mde_did", "mde_multiplier", "mde_placebo", "mde_ratio", "mde_two_sample",
           "placebo_critical_value", "placebo_power", "plausible_effect_gva_per_hour",
           "post_periods_in_data", "power_by_year", "pre_period_autocorrelation",
           "pre_period_sigma"]
