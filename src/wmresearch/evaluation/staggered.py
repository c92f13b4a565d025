"""Staggered-adoption difference-in-differences: Callaway & Sant'Anna (2021), via csdid.

Reference: Callaway, B. and Sant'Anna, P. H. C. (2021), "Difference-in-Differences with
multiple time periods", Journal of Econometrics 225(2): 200-230; R package ``did`` 2.x
(``att_gt``, ``aggte``), ported to Python as ``csdid`` 0.4 (which uses ``drdid`` for the
doubly robust 2x2 estimators of Sant'Anna & Zhao 2020).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from wmresearch.evaluation.result import EstimateResult
from wmresearch.evaluation.validation import panel_checks, require_pre_periods

if TYPE_CHECKING:
    from csdid.att_gt import ATTgt

Aggregation = Literal["simple", "group", "dynamic", "calendar"]
#: the estimation method in a reader's words (the method string is printed on reports)
_METHOD_NAMES = {"dr": "doubly robust", "reg": "outcome regression",
                 "ipw": "inverse probability weighting"}
_NAMES = {"simple": "simple (size-weighted)", "group": "group/cohort", "dynamic": "event-time",
          "calendar": "calendar-time"}


def _aggregate(fit: ATTgt, kind: str,
               influence: dict[str, np.ndarray] | None = None,
               ) -> tuple[float, float, pd.DataFrame]:
    # csdid prints its tables; keep the notebook output to our own summary
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit.aggte(typec=kind, bstrap=False, cband=False)
    a = fit.atte
    if influence is not None:
        funcs = a.get("inf_function") or {}
        overall = {"simple": "simple_att", "group": "selective_inf_func",
                   "dynamic": "dynamic_inf_func", "calendar": "calendar_inf_func"}[kind]
        if overall in funcs:
            influence[kind] = np.asarray(funcs[overall], dtype=float).ravel()
        if kind == "dynamic" and "dynamic_inf_func_e" in funcs:
            influence["dynamic_e"] = np.asarray(funcs["dynamic_inf_func_e"], dtype=float)
    if kind == "simple":
        table = pd.DataFrame(columns=["level", "estimate", "se"])
    else:
        table = pd.DataFrame({"level": [int(v) for v in a["egt"]],
                              "estimate": np.asarray(a["att_egt"], dtype=float),
                              "se": np.asarray(a["se_egt"], dtype=float)})
    return float(a["overall_att"]), float(np.asarray(a["overall_se"]).ravel()[0]), table


def staggered_did(data: pd.DataFrame, *, outcome: str, unit: str, time: str, cohort: str,
                  covariates: Sequence[str] = (),
                  control: Literal["never", "notyet"] = "never",
                  method: Literal["dr", "reg", "ipw"] = "dr",
                  aggregation: Aggregation = "group", cluster: str | None = None,
                  anticipation: int = 0) -> EstimateResult:
    r"""Group-time ATT(g,t) and their aggregations (Callaway & Sant'Anna 2021).

    For each cohort :math:`g` (first treated period) and period :math:`t`,
    :math:`ATT(g,t) = E[Y_t - Y_{g-1} | G=g] - E[Y_t - Y_{g-1} | C]` (eq. 2.6; conditional on
    ``covariates`` through outcome regression, IPW or the doubly robust estimator), with
    :math:`C` the never-treated (``control="never"``) or not-yet-treated units. Pre-treatment
    cells use the varying base period :math:`t-1`. Aggregations (sec. 3): ``simple``
    (weights :math:`\propto` cohort size over post cells), ``group`` (average per cohort,
    then over cohorts: the paper's preferred overall ATT), ``dynamic`` (event time
    :math:`e = t - g`, overall = mean over :math:`e \ge 0`), ``calendar``. Analytic
    influence-function SEs (no bootstrap, so results are deterministic); with ``cluster``,
    cluster-robust: :math:`\widehat{se} = \sqrt{\sum_c S_c^2}/n` with :math:`S_c` the sum
    of the influence function over the units of cluster :math:`c` (R ``did``'s
    ``clustervars`` with ``bstrap=FALSE``).

    Parameters
    ----------
    cohort : column with the first treated period; 0 (or NaN) for never-treated units.
    aggregation : which aggregation is the headline ``att``; all four are in ``extra``.
    cluster : optional time-invariant column to cluster the SEs on (e.g. an authority that
        is treated as a whole); ``None`` (default) is unit-level.
    anticipation : periods of anticipation :math:`\delta` (sec. 3.1): post cells compare
        with period :math:`g-\delta-1`; cells :math:`g-\delta \le t < g` are estimated
        but left out of the simple, group and calendar aggregations and of the pre-test.

    Returns
    -------
    EstimateResult
        ``detail``: one row per (cohort, time) with att, se, post flag; ``extra`` has
        ``aggregations`` (dict of tables with overall estimates) and ``pretrend_pvalue``
        (the package's Wald pre-test of all pre-treatment ATT(g,t) = 0; clustered when
        ``cluster`` is set), ``influence`` (each aggregation's influence function,
        ``dynamic_e`` the event-time ones and ``att_gt`` the cells', one row per unit) and
        ``influence_units`` (the units in that row order).
    """
    # imported here: csdid brings statsmodels (0.5 s), which pages without this
    # estimator should not pay for
    from csdid.att_gt import ATTgt

    panel_checks(data, outcome=outcome, unit=unit, time=time, numeric=[*covariates])
    g = pd.to_numeric(data[cohort], errors="coerce").fillna(0)
    if (g < 0).any():
        raise ValueError(f"column {cohort!r} has a negative first-treatment period")
    periods = sorted(data[time].unique())
    cohorts = sorted(g[g > 0].unique())
    if not cohorts:
        raise ValueError(f"no treated units: {cohort!r} is 0 or missing for every unit")
    if anticipation < 0:
        raise ValueError(f"anticipation must be 0 or more, got {anticipation}")
    for c in cohorts:
        require_pre_periods(periods, c - anticipation, 1, who=f"cohort {c:g}")
    never = (g == 0).any()
    if control == "never" and not never:
        raise ValueError(f"no never-treated units ({cohort!r} == 0) to compare with; use "
                         "control='notyet' or add never-treated units")
    if control == "notyet" and not never and cohorts[0] >= cohorts[-1]:
        raise ValueError("no not-yet-treated units: all treated units start in the same "
                         "period and none is never treated")
    if cluster is not None and cluster not in data.columns:
        raise ValueError(f"cluster column {cluster!r} not in the panel")
    if cluster is not None and (data.groupby(unit)[cluster].nunique() > 1).any():
        raise ValueError(f"cluster column {cluster!r} varies over time within a unit")
    keep = [unit, time, outcome, *covariates] + ([cluster] if cluster else [])
    frame = data[list(dict.fromkeys(keep))].copy()
    frame["_g"] = g.astype(int).to_numpy()
    codes, labels = pd.factorize(frame[unit])
    frame[unit] = codes + 1
    if cluster is not None:
        frame["_cluster"] = pd.factorize(frame[cluster])[0] + 1
    xformla = f"{outcome} ~ " + (" + ".join(covariates) if covariates else "1")
    # csdid warns about small cohorts and a singular pre-test through `warnings`; keep them
    # out of the report (they are returned in extra["warnings"]) and its tables off stdout
    with (contextlib.redirect_stdout(io.StringIO()),
          warnings.catch_warnings(record=True) as caught):
        warnings.simplefilter("always")
        fit = ATTgt(yname=outcome, gname="_g", idname=unit, tname=time, data=frame,
                    xformla=xformla,
                    control_group="nevertreated" if control == "never" else "notyettreated",
                    clustervar="_cluster" if cluster is not None else None,
                    anticipation=anticipation,
                    print_details=False).fit(est_method=method, bstrap=False)
    mp = fit.MP
    se = np.asarray(fit.results["se"], dtype=float)
    detail = pd.DataFrame({"cohort": np.asarray(mp["group"], dtype=int),
                           "time": np.asarray(mp["t"], dtype=int),
                           "att": np.asarray(mp["att"], dtype=float), "se": se})
    detail["post"] = detail["time"] >= detail["cohort"]
    aggs: dict[str, dict[str, object]] = {}
    influence: dict[str, np.ndarray] = {}
    dp = fit.dp
    first = dp["data"][dp["data"][dp["tname"]] == min(dp["data"][dp["tname"]])]
    order = np.asarray(first[dp["idname"]].unique(), dtype=int) - 1
    if mp.get("inffunc") is not None:
        influence["att_gt"] = np.asarray(mp["inffunc"]["inffunc"], dtype=float)
    for kind in ("simple", "group", "dynamic", "calendar"):
        att, agg_se, table = _aggregate(fit, kind, influence)
        aggs[kind] = {"att": att, "se": agg_se, "table": table}
    head = aggs[aggregation]
    n_treated = int(data.loc[g > 0, unit].nunique())
    notes = []
    if cluster is not None:
        notes.append(f"SEs clustered by {cluster}")
    if anticipation:
        notes.append(f"anticipation {anticipation}")
    suffix = f"; {', '.join(notes)}" if notes else ""
    return EstimateResult.from_normal(
        float(head["att"]), float(head["se"]), n_treated=n_treated,  # type: ignore[arg-type]
        n_control=int(data[unit].nunique() - n_treated),
        method=f"Callaway & Sant'Anna (2021) staggered DiD, {_NAMES[aggregation]} aggregation, "
               f"{'never' if control == 'never' else 'not-yet'}-treated controls, "
               f"{_METHOD_NAMES[method]}{suffix}",
        detail=detail,
        extra={"aggregations": aggs,
               "warnings": sorted({str(w.message).split("\n")[0] for w in caught}),
               "pretrend_pvalue": float(mp["Wpval"])
               if mp.get("Wpval") is not None else None,
               "influence": influence, "influence_units": list(labels[order])})
