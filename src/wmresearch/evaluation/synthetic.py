"""Synthetic control (Abadie, Diamond & Hainmueller 2010) and synthetic DiD (Arkhangelsky et
al. 2021), wrapping pysyncon 1.7 and synthdid-py 0.1 (a port of the R ``synthdid`` package).

References
----------
Abadie, A., Diamond, A. and Hainmueller, J. (2010), "Synthetic control methods for comparative
case studies", JASA 105(490): 493-505 (weights eq. 1-2; placebo inference sec. 2.4, 3.3).
Abadie, A. (2021), "Using synthetic controls", JEL 59(2): 391-425 (in-time placebos, sec. 6).
Arkhangelsky, D., Athey, S., Hirshberg, D. A., Imbens, G. W. and Wager, S. (2021),
"Synthetic difference-in-differences", AER 111(12): 4088-4118 (Algorithm 1; placebo SE,
Algorithm 4).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from wmresearch.evaluation.result import EstimateResult
from wmresearch.evaluation.sdid_inference import (
    sdid_placebo_draws,
    sdid_placebo_estimates,
    sdid_placebo_se,
)
from wmresearch.evaluation.validation import (
    panel_checks,
    require_pre_periods,
    require_units_present,
    show,
)


def simplex_weights(x1: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """argmin ||x1 - x0 w||^2 over the simplex (w >= 0, sum w = 1), by NNLS.

    The adding-up constraint is imposed as a heavily weighted extra row, the standard
    reduction of simplex-constrained least squares to Lawson-Hanson NNLS (scipy ``nnls``).
    """
    from scipy import optimize  # imported when used: pages without a synthetic control skip it

    scale = 1e3 * max(1.0, float(np.abs(x0).max()))
    a = np.vstack([x0, np.full((1, x0.shape[1]), scale)])
    b = np.concatenate([x1, [scale]])
    w, _ = optimize.nnls(a, b, maxiter=50 * x0.shape[1])
    return w / w.sum()


_simplex_weights = simplex_weights  # the name used before it was public
Special = tuple[str, Sequence[object], str]


def _standardised(x: pd.DataFrame) -> pd.DataFrame:
    """Rows divided by their standard deviation over treated and donors (Synth's X.scaled)."""
    sd = x.std(axis=1, ddof=1).replace(0.0, 1.0)
    return x.div(sd, axis=0)


def _nested_weights(x1: np.ndarray, x0: np.ndarray, z1: np.ndarray, z0: np.ndarray, *,
                    v: np.ndarray | None, starts: int, seed: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """ADH's nested problem: W(V) = argmin (X1-X0W)'V(X1-X0W) on the simplex, and V (>= 0,
    sum 1) minimising the pre-period outcome MSPE of W(V) (ADH 2010, sec. 2.3; Abadie 2021,
    eq. 8).

    V is searched by Nelder-Mead on a softmax parametrisation from equal weights and
    ``starts - 1`` Dirichlet(1) draws seeded by ``seed``; the best MSPE wins. This replaces
    pysyncon's single-start search, which on the Mixtape's Texas prison specification stops at
    an MSPE of 3.48m-7.67m against R Synth's 2.02m (see tests/evaluation/test_replications.py).
    """
    scale = float(np.mean(z1**2)) or 1.0

    def inner(vv: np.ndarray) -> np.ndarray:
        r = np.sqrt(vv)
        return simplex_weights(r * x1, r[:, None] * x0)

    def loss(theta: np.ndarray) -> float:
        vv = np.exp(theta - theta.max())
        return float(np.mean((z1 - z0 @ inner(vv / vv.sum())) ** 2)) / scale

    if v is None:
        from scipy import optimize

        k = x0.shape[0]
        rng = np.random.default_rng(seed)
        inits = [np.zeros(k)] + [np.log(rng.dirichlet(np.ones(k))) for _ in range(starts - 1)]
        best = min((optimize.minimize(loss, t0, method="Nelder-Mead",
                                      options={"maxiter": 1500, "xatol": 1e-4,
                                               "fatol": 1e-10}) for t0 in inits),
                   key=lambda r: r.fun)
        v = np.exp(best.x - best.x.max())
    v = np.asarray(v, dtype=float) / np.sum(v)
    return v, inner(v)


def _fit_one(data: pd.DataFrame, *, outcome: str, unit: str, time: str, treated: object,
             donors: Sequence[object], pre: list, predictors: Sequence[str],
             special: Sequence[Special] | None = None, predictor_periods: list | None = None,
             v: Sequence[float] | None = None, starts: int = 40, seed: int = 0
             ) -> tuple[pd.Series, pd.Series, pd.DataFrame | None]:
    """Donor weights and the gap series for one treated unit."""
    wide = data.pivot(index=time, columns=unit, values=outcome).sort_index()
    z0, z1 = wide[list(donors)], wide[treated]
    balance = None
    if predictors or special:
        # imported here: pysyncon costs import time on every evaluation page, and only
        # covariate-based fits use it
        from pysyncon import Dataprep

        specials = list(special) if special else [(outcome, [p], "mean") for p in pre]
        dp = Dataprep(foo=data, predictors=list(predictors), predictors_op="mean",
                      dependent=outcome, unit_variable=unit, time_variable=time,
                      treatment_identifier=treated, controls_identifier=list(donors),
                      time_predictors_prior=predictor_periods or pre, time_optimize_ssr=pre,
                      special_predictors=specials)
        x0, x1 = dp.make_covariate_mats()
        scaled = _standardised(pd.concat([x0, x1.rename("_treated")], axis=1))
        zz0, zz1 = dp.make_outcome_mats(time_period=pre)
        vv, w = _nested_weights(
            scaled["_treated"].to_numpy(float), scaled[x0.columns].to_numpy(float),
            zz1.to_numpy(float), zz0.to_numpy(float),
            v=None if v is None else np.asarray(v, dtype=float), starts=starts, seed=seed)
        weights = pd.Series(w, index=x0.columns).reindex(list(donors)).rename("weight")
        balance = pd.DataFrame({"treated": x1, "synthetic": x0 @ w,
                                "donor mean": x0.mean(axis=1), "v_weight": vv})
    else:
        # Outcome-only SC: V = I on every pre-period outcome is the constrained least squares
        # of Abadie (2021, eq. 7) and the "SC" column of Arkhangelsky et al. (2021, Table 1).
        pre_rows = z0.index.isin(pre)
        w = simplex_weights(z1[pre_rows].to_numpy(float), z0[pre_rows].to_numpy(float))
        weights = pd.Series(w, index=z0.columns, name="weight")
    gap = (z1 - z0 @ weights).rename("gap")
    return weights, gap, balance


def _rmspe(gap: pd.Series, start: object) -> tuple[float, float]:
    pre = gap[gap.index < start]
    post = gap[gap.index >= start]
    return float(np.sqrt((pre**2).mean())), float(np.sqrt((post**2).mean()))


def synthetic_control(data: pd.DataFrame, *, outcome: str, unit: str, time: str,
                      treated_unit: object, treatment_time: object,
                      predictors: Sequence[str] = (), donors: Sequence[object] | None = None,
                      special_predictors: Sequence[Special] | None = None,
                      predictor_periods: Sequence[object] | None = None,
                      v_weights: Sequence[float] | None = None, v_starts: int = 40,
                      seed: int = 0, placebo: bool = True,
                      min_pre_periods: int = 5) -> EstimateResult:
    r"""Synthetic control for one treated unit, with in-space placebo inference.

    Donor weights :math:`W \ge 0, \sum W = 1` minimise :math:`(X_1 - X_0 W)' V (X_1 -
    X_0 W)` (ADH 2010, sec. 2.3) where :math:`X` stacks the means of ``predictors`` over
    ``predictor_periods`` (default: the pre-period) and the ``special_predictors``
    ``(variable, periods, "mean")`` (default: every pre-period outcome), each row divided by
    its standard deviation as in R ``Synth``. :math:`V` minimises the pre-period outcome
    MSPE (ADH's nested optimisation, multistart with ``v_starts`` seeded by ``seed``), for the
    treated unit and again for each placebo, unless ``v_weights`` fixes it for all. Without
    predictors :math:`V = I` on the pre-period outcomes and the weights are a
    simplex-constrained least squares.
    ``att`` is the mean post-period gap
    :math:`Y_{1t} - \sum_j w_j Y_{jt}`. Inference (ADH 2010, sec. 3.3): each donor is
    treated in turn as a placebo; ``pvalue`` is the rank of the treated unit's post/pre
    RMSPE ratio among all units, divided by their number (smallest attainable: 1/(J+1)),
    with no pre-period MSPE restriction; the restricted tests of ADH (2010, sec. 3.3: 20x, 5x,
    2x) are :func:`wmresearch.evaluation.sc_inference.placebo_rank_test`. No standard error
    is defined; intervals come from
    :func:`wmresearch.evaluation.sc_inference.conformal_intervals`.

    Returns
    -------
    EstimateResult
        ``detail``: per period, treated, synthetic, gap. ``extra``: ``weights`` (donor
        weights), ``balance`` (predictor balance when ``predictors`` are given),
        ``placebos`` (unit, pre/post RMSPE, ratio, post mean gap), ``placebo_gaps`` (wide
        gaps per placebo unit), ``rmspe_ratio``, ``pre_mspe`` (the MSPE V minimises),
        ``spec`` (the specification arguments, donors resolved, to refit the same model, e.g.
        for leave-one-out or an in-time placebo).
    """
    specials = list(special_predictors or [])
    panel_checks(data, outcome=outcome, unit=unit, time=time,
                 numeric=list(dict.fromkeys([*predictors, *(sp[0] for sp in specials)])))
    require_units_present(data, unit, [treated_unit])
    periods = sorted(data[time].unique())
    require_pre_periods(periods, treatment_time, min_pre_periods,
                        who=f"treated unit {show(treated_unit)}")
    if treatment_time not in periods:
        raise ValueError(f"treatment period {treatment_time!r} is not a period of the panel")
    pool = [u for u in data[unit].unique() if u != treated_unit] if donors is None \
        else list(donors)
    require_units_present(data, unit, pool)
    if len(pool) < 2:
        raise ValueError(f"synthetic control needs at least 2 donor units, got {len(pool)}")
    pre = [p for p in periods if p < treatment_time]
    spec = {"predictors": predictors, "special": specials, "starts": v_starts, "seed": seed,
            "predictor_periods": None if predictor_periods is None else list(predictor_periods),
            "v": v_weights}
    weights, gap, balance = _fit_one(data, outcome=outcome, unit=unit, time=time,
                                     treated=treated_unit, donors=pool, pre=pre, **spec)
    treated_path = data.loc[data[unit] == treated_unit].set_index(time)[outcome]
    detail = pd.DataFrame({"treated": treated_path.reindex(gap.index),
                           "synthetic": treated_path.reindex(gap.index) - gap, "gap": gap})
    detail = detail.rename_axis(time).reset_index()
    pre_r, post_r = _rmspe(gap, treatment_time)
    rows = [{"unit": treated_unit, "pre_rmspe": pre_r, "post_rmspe": post_r,
             "ratio": post_r / pre_r, "post_gap": float(gap[gap.index >= treatment_time].mean()),
             "treated": True}]
    gaps = {treated_unit: gap}
    pvalue = math.nan
    if placebo:
        for u in pool:
            others = [d for d in pool if d != u]
            # each placebo refits the whole model, V included, as ADH (2010, sec. 3.3)
            _, g, _ = _fit_one(data, outcome=outcome, unit=unit, time=time, treated=u,
                               donors=others, pre=pre, **spec)
            a, b = _rmspe(g, treatment_time)
            rows.append({"unit": u, "pre_rmspe": a, "post_rmspe": b, "ratio": b / a,
                         "post_gap": float(g[g.index >= treatment_time].mean()),
                         "treated": False})
            gaps[u] = g
        table = pd.DataFrame(rows)
        pvalue = float((table["ratio"] >= table["ratio"].iloc[0]).mean())
    else:
        table = pd.DataFrame(rows)
    att = float(gap[gap.index >= treatment_time].mean())
    return EstimateResult(
        att=att, se=math.nan, ci=(math.nan, math.nan), pvalue=pvalue, n_treated=1,
        n_control=len(pool), detail=detail,
        method="Synthetic control (Abadie, Diamond & Hainmueller 2010), "
        f"{'V-optimised' if predictors or specials else 'outcome-only'} weights, "
        "placebo rank p-value",
        extra={"weights": weights.sort_values(ascending=False), "balance": balance,
               "placebos": table, "placebo_gaps": pd.DataFrame(gaps),
               "rmspe_ratio": post_r / pre_r, "pre_mspe": pre_r**2,
               "spec": {"predictors": tuple(predictors), "donors": tuple(pool),
                        "special_predictors": specials or None,
                        "predictor_periods": spec["predictor_periods"],
                        "v_weights": v_weights, "v_starts": v_starts, "seed": seed}})


def placebo_in_time(data: pd.DataFrame, *, outcome: str, unit: str, time: str,
                    treated_unit: object, fake_time: object, end_time: object,
                    predictors: Sequence[str] = (), donors: Sequence[object] | None = None,
                    special_predictors: Sequence[Special] | None = None,
                    predictor_periods: Sequence[object] | None = None,
                    v_weights: Sequence[float] | None = None, v_starts: int = 40,
                    seed: int = 0, min_pre_periods: int = 5) -> EstimateResult:
    """Refit the synthetic control with a fake treatment date on pre-treatment data only.

    Abadie (2021, sec. 6, "in-time placebos"): using periods before ``end_time`` (the real
    treatment date) and pretending treatment began at ``fake_time``, a credible design shows
    no gap between ``fake_time`` and ``end_time``. No placebo units are fitted.

    Every specification argument of :func:`synthetic_control` (``predictors``, ``donors``,
    ``special_predictors``, ``predictor_periods``, ``v_weights``, ``v_starts``, ``seed``) is
    passed through unchanged, so the placebo is the main fit moved in time and nothing else.
    ``predictor_periods`` defaults, as in the main fit, to every period before the (fake) start.

    Raises
    ------
    ValueError
        If ``fake_time`` is not before ``end_time``, or a predictor or special-predictor period
        is not before ``fake_time`` (a predictor measured after the fake start would use the
        period the placebo is meant to test).
    """
    if not fake_time < end_time:
        raise ValueError(f"in-time placebo: fake_time {fake_time!r} must precede end_time "
                         f"{end_time!r}")
    late = [p for p in (predictor_periods or []) if not p < fake_time]
    late += [p for sp in (special_predictors or []) for p in sp[1] if not p < fake_time]
    if late:
        raise ValueError(f"in-time placebo: predictor period(s) {sorted(set(late))} are not "
                         f"before the fake start {fake_time!r}")
    window = data.loc[data[time] < end_time]
    return synthetic_control(window, outcome=outcome, unit=unit, time=time,
                             treated_unit=treated_unit, treatment_time=fake_time,
                             predictors=predictors, donors=donors,
                             special_predictors=special_predictors,
                             predictor_periods=predictor_periods, v_weights=v_weights,
                             v_starts=v_starts, seed=seed, placebo=False,
                             min_pre_periods=min_pre_periods)


def synthetic_did(data: pd.DataFrame, *, outcome: str, unit: str, time: str, treated: str,
                  se_replications: int = 200, seed: int = 0,
                  se_method: Literal["auto", "placebo", "bootstrap", "jackknife"] = "auto",
                  min_pre_periods: int = 2, comparisons: bool = True) -> EstimateResult:
    r"""Synthetic difference-in-differences (Arkhangelsky et al. 2021, Algorithm 1).

    Unit weights :math:`\hat\omega` (regularised SC weights with an intercept) and time
    weights :math:`\hat\lambda` are fitted on the pre-period, then :math:`\hat\tau` is the
    weighted two-way fixed-effects DiD (eq. 1). SE (``se_method="auto"``) by the placebo
    method (Algorithm 4, required with one treated unit) or the bootstrap (Algorithm 2) when
    there are several, with ``seed`` fixing the draws; ``"jackknife"`` (Algorithm 3, weights
    held fixed, no random draws, needs at least two treated units) is far faster. Wraps
    synthdid-py 0.1 (``synthdid_estimate``), whose point estimates reproduce R ``synthdid``
    0.0.9 (Prop 99: -15.60). The placebo SE is
    :func:`wmresearch.evaluation.sdid_inference.sdid_placebo_se`, Algorithm 4 as R computes it,
    each distinct placebo set fitted once. On Prop 99, R's own 200 draws (``set.seed(12345)``)
    give 8.37 here, Table 1's 8.4 and the R vignette's interval (-32.01, 0.80) to the printed
    digit; that is one Monte Carlo draw of an SE whose limit over all 38 placebo states is
    9.37, and 1,000 draws with ``seed=1`` give 9.54 (38 fits, 5 s). Simultaneous adoption (a
    block design) only.

    Parameters
    ----------
    treated : 0/1 column, 1 for treated units in post-treatment periods.
    comparisons : also fit synthetic control and DiD on the same panel (Table 1's other
        columns); ``False`` skips them, which halves the time of a fit.

    Returns
    -------
    EstimateResult
        ``detail``: per period, time weight lambda, treated mean, synthetic-control mean.
        ``extra``: ``unit_weights``, ``sc_estimate`` and ``did_estimate`` on the same panel
        (with ``comparisons``);
        with the placebo SE, ``placebo_draws`` (per draw, the placebo-treated units and the
        estimate).
    """
    from synthdid import did_estimate, panel_matrices, sc_estimate, synthdid_estimate

    panel_checks(data, outcome=outcome, unit=unit, time=time, numeric=[treated])
    on = data.loc[data[treated] > 0]
    if on.empty:
        raise ValueError(f"no treated observations: {treated!r} is 0 everywhere")
    starts = on.groupby(unit)[time].min()
    if starts.nunique() > 1:
        raise ValueError(f"synthetic DiD needs simultaneous adoption; units start at "
                         f"{sorted(starts.unique())} (use staggered_did)")
    start = starts.iloc[0]
    if data[unit].nunique() == starts.size:
        raise ValueError("no never-treated units to build the synthetic control from")
    require_pre_periods(sorted(data[time].unique()), start, min_pre_periods)
    panel = panel_matrices(data[[unit, time, outcome, treated]], unit=unit, time=time,
                           outcome=outcome, treatment=treated)
    tau = synthdid_estimate(panel.Y, panel.N0, panel.T0, unit_names=panel.units,
                            time_labels=panel.time)
    n1 = panel.Y.shape[0] - panel.N0
    method = ("placebo" if n1 == 1 else "bootstrap") if se_method == "auto" else se_method
    if method == "jackknife" and n1 < 2:
        raise ValueError("the jackknife SE needs at least two treated units; use 'placebo'")
    placebo = None
    if method == "placebo":
        draws = sdid_placebo_draws(int(panel.N0), int(n1), se_replications, seed)
        estimates = sdid_placebo_estimates(tau, draws)
        se = sdid_placebo_se(estimates)
        names = np.asarray(panel.units)[: panel.N0]
        placebo = pd.DataFrame({"placebo_units": [tuple(names[row].tolist()) for row in draws],
                                "estimate": estimates})
    else:
        se = float(tau.se(method=method, replications=se_replications, random_state=seed))
    weights = tau.weights
    lam = np.concatenate([np.asarray(weights.lambda_, dtype=float),
                          np.full(panel.Y.shape[1] - panel.T0, math.nan)])
    omega = pd.Series(np.asarray(weights.omega, dtype=float),
                      index=list(panel.units)[: panel.N0], name="weight")
    y = np.asarray(panel.Y, dtype=float)
    detail = pd.DataFrame({time: list(panel.time), "time_weight": lam,
                           "treated": y[panel.N0:].mean(axis=0),
                           "synthetic": omega.to_numpy() @ y[: panel.N0]})
    extra: dict[str, object] = {"unit_weights": omega.sort_values(ascending=False)}
    if comparisons:
        extra["sc_estimate"] = float(sc_estimate(panel.Y, panel.N0, panel.T0))
        extra["did_estimate"] = float(did_estimate(panel.Y, panel.N0, panel.T0))
    if placebo is not None:
        extra["placebo_draws"] = placebo
    return EstimateResult.from_normal(
        float(tau), se, n_treated=int(n1), n_control=int(panel.N0),
        method=f"Synthetic difference-in-differences (Arkhangelsky et al. 2021), "
               f"{method} SE", detail=detail, extra=extra)
