"""Minimum detectable effects (MDE) for evaluation designs.

References
----------
Bloom, H. S. (1995), "Minimum detectable effects", Evaluation Review 19(5): 547-556: MDE =
M x SE with M = z_{1-alpha/2} + z_{power} (2.80 for alpha = 0.05 two-sided, power 0.8).
Duflo, E., Glennerster, R. and Kremer, M. (2007), "Using randomization in development
economics research: a toolkit", Handbook of Development Economics 4, eq. (10)-(11).
McKenzie, D. (2012), "Beyond baseline and follow-up", J. Dev. Econ. 99(2): 210-221, eq. for
DiD with m pre and r post periods.
Cohen, J. (1988), *Statistical Power Analysis for the Behavioral Sciences*, Table 2.4.1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyfixest as pf
from scipy import stats
from statsmodels.stats.power import TTestIndPower


def mde_multiplier(alpha: float = 0.05, power: float = 0.8) -> float:
    """Bloom's (1995) multiplier z_{1-alpha/2} + z_{power} for a two-sided test."""
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError(f"alpha ({alpha}) and power ({power}) must lie in (0, 1)")
    return float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))


def mde_two_sample(n_treated: float, n_control: float, *, alpha: float = 0.05,
                   power: float = 0.8) -> float:
    """MDE in standard-deviation units for a two-sample t-test (exact, noncentral t).

    Solved by statsmodels ``TTestIndPower.solve_power`` (the same calculation as R
    ``pwr::pwr.t.test`` and Cohen 1988, Table 2.4.1).
    """
    if n_treated < 2 or n_control < 2:
        raise ValueError(f"need at least 2 units per arm, got {n_treated} and {n_control}")
    return float(TTestIndPower().solve_power(effect_size=None, nobs1=n_treated,
                                             ratio=n_control / n_treated, alpha=alpha,
                                             power=power, alternative="two-sided"))


def mde_did(sigma: float, *, n_treated: int, n_control: int, pre_periods: int,
            post_periods: int, alpha: float = 0.05, power: float = 0.8) -> float:
    r"""Analytic MDE of a DiD of means with idiosyncratic noise ``sigma``.

    :math:`MDE = (z_{1-\alpha/2} + z_{\kappa})\,\sigma\,\sqrt{(1/n_1 + 1/n_0)
    (1/m + 1/r)}` for :math:`m` pre and :math:`r` post periods with unit and period effects
    and serially uncorrelated noise (McKenzie 2012, DiD variance with :math:`\rho` absorbed by
    the unit effect; Bloom 1995 multiplier). ``sigma`` is the residual SD after unit and
    period effects, e.g. from :func:`pre_period_sigma`.
    """
    for name, v in {"n_treated": n_treated, "n_control": n_control,
                    "pre_periods": pre_periods, "post_periods": post_periods}.items():
        if v < 1:
            raise ValueError(f"{name} must be at least 1, got {v}")
    se = sigma * math.sqrt((1 / n_treated + 1 / n_control) * (1 / pre_periods + 1 / post_periods))
    return mde_multiplier(alpha, power) * se


def pre_period_sigma(data: pd.DataFrame, *, outcome: str, unit: str, time: str) -> float:
    """Residual SD of the outcome after unit and period fixed effects (pre-period panel).

    Degrees of freedom corrected: :math:`\\hat\\sigma^2 = RSS / (NT - N - T + 1)`.
    """
    fit = pf.feols(f"{outcome} ~ 1 | {unit} + {time}", data=data)
    n, t = data[unit].nunique(), data[time].nunique()
    dof = len(data) - n - t + 1
    if dof < 1:
        raise ValueError(f"too few pre-treatment observations to estimate noise: {len(data)} "
                         f"rows for {n} units and {t} periods")
    return float(math.sqrt(np.sum(np.asarray(fit.resid()) ** 2) / dof))


def mde_placebo(post_gaps: Sequence[float], *, alpha: float = 0.05) -> float:
    """MDE for a single treated unit from placebo (in-space) post-period mean gaps.

    The effect the treated unit needs to exceed all but a share ``alpha`` of placebo
    effects in absolute value: the :math:`1-\\alpha` quantile of :math:`|\\text{gap}|`
    (Abadie, Diamond & Hainmueller 2010, sec. 2.4, permutation inference; with J placebos the
    smallest attainable p-value is 1/(J+1), so alpha must exceed it).
    """
    gaps = np.abs(np.asarray(post_gaps, dtype=float))
    if gaps.size == 0 or not np.isfinite(gaps).all():
        raise ValueError("post_gaps must be a non-empty list of finite placebo gaps")
    if alpha < 1 / (gaps.size + 1):
        raise ValueError(f"alpha {alpha} is below 1/(J+1) = {1 / (gaps.size + 1):.3f} for "
                         f"{gaps.size} placebo units: not attainable")
    return float(np.quantile(gaps, 1 - alpha, method="higher"))
