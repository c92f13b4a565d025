"""Two-way fixed-effects difference-in-differences and event studies (wrapping pyfixest).

References
----------
Angrist, J. D. and Pischke, J.-S. (2009), *Mostly Harmless Econometrics*, ch. 5.2 (TWFE DiD).
Bertrand, M., Duflo, E. and Mullainathan, S. (2004), QJE 119(1): unit-clustered SEs.
Cameron, A. C. and Miller, D. L. (2015), JHR 50(2): CRV1 small-sample correction.
pyfixest 0.60 ``feols`` (port of R fixest) does the estimation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyfixest as pf

# the F tail of scipy.stats.f.sf (which is fdtrc), without importing scipy.stats
from scipy.special import fdtrc

from wmresearch.evaluation.result import EstimateResult
from wmresearch.evaluation.validation import (
    panel_checks,
    require_pre_periods,
    require_units_present,
    show,
)


def _first_treated(data: pd.DataFrame, unit: str, time: str, treated: str) -> pd.Series:
    on = data.loc[data[treated] > 0]
    return on.groupby(unit)[time].min()


def _check_design(data: pd.DataFrame, unit: str, time: str, first: pd.Series,
                  min_pre_periods: int) -> None:
    never = set(data[unit]) - set(first.index)
    if not never:
        raise ValueError("no never-treated units: every unit is treated at some point, so "
                         "there is no comparison group for the DiD")
    periods = sorted(data[time].unique())
    for u, start in first.items():
        require_pre_periods(periods, start, min_pre_periods, who=f"treated unit {show(u)}")


def difference_in_differences(data: pd.DataFrame, *, outcome: str, unit: str, time: str,
                              treated: str, covariates: Sequence[str] = (),
                              weights: str | None = None, treated_units: Sequence[object] = (),
                              min_pre_periods: int = 1) -> EstimateResult:
    r"""Two-way fixed-effects difference-in-differences with unit-clustered SEs.

    Estimates :math:`Y_{it} = \alpha_i + \lambda_t + \delta D_{it} + X_{it}'\beta +
    \varepsilon_{it}` by OLS (pyfixest ``feols``, unit and time FE absorbed); ``att`` is
    :math:`\hat\delta`, its SE is CRV1 clustered by unit (Bertrand, Duflo & Mullainathan
    2004) with t(G-1) inference. With staggered adoption and heterogeneous effects
    :math:`\hat\delta` is a weighted average with possibly negative weights (Goodman-Bacon
    2021): use :func:`wmresearch.evaluation.staggered.staggered_did` there.

    Parameters
    ----------
    data : long panel, one row per unit and period (balanced).
    outcome, unit, time : column names.
    treated : 0/1 column, 1 when the unit is under treatment in that period.
    covariates : time-varying controls.
    weights : optional analytic weights column (e.g. population).
    treated_units : units that must appear in the panel (checked, for a clear error).
    min_pre_periods : untreated periods each treated unit must have before treatment.

    Returns
    -------
    EstimateResult
        ``detail`` has one row per period: treated and control mean outcome and the gap.
    """
    panel_checks(data, outcome=outcome, unit=unit, time=time,
                 numeric=[treated, *covariates, *([weights] if weights else [])])
    require_units_present(data, unit, treated_units)
    first = _first_treated(data, unit, time, treated)
    _check_design(data, unit, time, first, min_pre_periods)
    rhs = " + ".join([treated, *covariates])
    fit = pf.feols(f"{outcome} ~ {rhs} | {unit} + {time}", data=data,
                   vcov={"CRV1": unit}, weights=weights)
    att = float(fit.coef()[treated])
    se = float(fit.se()[treated])
    lo, hi = (float(v) for v in fit.confint().loc[treated])
    ever = data[unit].isin(first.index)
    detail = (data.assign(group=np.where(ever, "treated", "control"))
              .pivot_table(index=time, columns="group", values=outcome, aggfunc="mean")
              .assign(gap=lambda d: d["treated"] - d["control"]).reset_index())
    return EstimateResult(
        att=att, se=se, ci=(lo, hi), pvalue=float(fit.pvalue()[treated]),
        n_treated=int(first.size), n_control=int(data[unit].nunique() - first.size),
        method="Two-way fixed-effects difference-in-differences (standard errors clustered "
               "by unit)",
        detail=detail, extra={"nobs": int(fit._N), "clusters": int(fit._G[0])})


def _event_label(e: int) -> str:
    return f"lead{-e}" if e < 0 else f"lag{e}"


def event_study(data: pd.DataFrame, *, outcome: str, unit: str, time: str, cohort: str,
                window: tuple[int, int] | None = None, covariates: Sequence[str] = (),
                weights: str | None = None, min_pre_periods: int = 2) -> EstimateResult:
    r"""Dynamic TWFE event study with reference period -1 and a joint pre-trend Wald test.

    :math:`Y_{it} = \alpha_i + \lambda_t + \sum_{e \ne -1} \beta_e 1[t - G_i = e] +
    \varepsilon_{it}`, never-treated units (``cohort`` 0 or NaN) in every reference cell
    (Borusyak, Jaravel & Spiess 2024, sec. 2; Sun & Abraham 2021 eq. 3). Event times outside
    ``window`` are binned into the end points. The pre-trend test is the Wald F-test of
    :math:`\beta_e = 0` for all leads :math:`e \le -2` with the CRV1 covariance and an
    F(k, G-1) reference distribution (as Stata's ``test`` after a clustered regression).
    ``att`` is the mean of the lag coefficients :math:`e \ge 0`, its SE from
    the same covariance.

    Returns
    -------
    EstimateResult
        ``detail``: event_time, estimate, se, ci_low, ci_high (with the -1 reference row at 0);
        ``extra['pretrend_f']``, ``extra['pretrend_pvalue']``.
    """
    panel_checks(data, outcome=outcome, unit=unit, time=time,
                 numeric=[*covariates, *([weights] if weights else [])])
    g = pd.to_numeric(data[cohort], errors="coerce").fillna(0)
    treated_units = data.loc[g > 0, unit].unique()
    if len(treated_units) == data[unit].nunique():
        raise ValueError(f"no never-treated units: every unit has a {cohort!r} date")
    if len(treated_units) == 0:
        raise ValueError(f"no treated units: {cohort!r} is 0 or missing for every unit")
    periods = sorted(data[time].unique())
    for c in sorted(g[g > 0].unique()):
        require_pre_periods(periods, c, min_pre_periods, who=f"cohort {c:g}")
    rel = (data[time] - g).where(g > 0)
    lo = int(rel.min()) if window is None else window[0]
    hi = int(rel.max()) if window is None else window[1]
    rel = rel.clip(lo, hi)
    frame = data.copy()
    names = []
    for e in range(lo, hi + 1):
        if e == -1:
            continue
        name = _event_label(e)
        frame[name] = (rel == e).astype(float)
        if frame[name].any():
            names.append(name)
    rhs = " + ".join([*names, *covariates])
    fit = pf.feols(f"{outcome} ~ {rhs} | {unit} + {time}", data=frame,
                   vcov={"CRV1": unit}, weights=weights)
    coef, vcov = fit.coef(), pd.DataFrame(fit._vcov, index=fit.coef().index,
                                           columns=fit.coef().index)
    leads = [n for n in names if n.startswith("lead")]
    lags = [n for n in names if n.startswith("lag")]
    extra: dict[str, float] = {}
    if leads:
        # F = b'V^{-1}b / k against F(k, G-1), as Stata's `test` after clustered regress
        b = coef[leads].to_numpy()
        wald = float(b @ np.linalg.solve(vcov.loc[leads, leads].to_numpy(), b))
        dfd = int(fit._G[0]) - 1
        extra = {"pretrend_f": wald / len(leads), "pretrend_df": len(leads),
                 "pretrend_pvalue": float(fdtrc(len(leads), dfd, wald / len(leads)))}
    w = pd.Series(1.0 / len(lags), index=lags)
    att = float(coef[lags] @ w)
    se = float(np.sqrt(w @ vcov.loc[lags, lags] @ w))
    ev = [int(n[4:]) * -1 if n.startswith("lead") else int(n[3:]) for n in names]
    ci = fit.confint()
    detail = pd.DataFrame({"event_time": ev, "estimate": coef[names].to_numpy(),
                           "se": fit.se()[names].to_numpy(),
                           "ci_low": ci.loc[names].iloc[:, 0].to_numpy(),
                           "ci_high": ci.loc[names].iloc[:, 1].to_numpy()})
    ref = pd.DataFrame({"event_time": [-1], "estimate": [0.0], "se": [0.0],
                        "ci_low": [0.0], "ci_high": [0.0]})
    detail = pd.concat([detail, ref]).sort_values("event_time").reset_index(drop=True)
    result = EstimateResult.from_normal(
        att, se, n_treated=len(treated_units),
        n_control=int(data[unit].nunique() - len(treated_units)),
        method="Two-way fixed-effects event study, reference period -1 (standard errors "
               "clustered by unit)",
        detail=detail, extra=extra)
    return result
