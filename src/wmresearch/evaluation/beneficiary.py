"""Firm- and person-level impact estimates from a monitoring return and an outcome panel.

A programme team's monitoring return lists the beneficiaries and the date each started
support (:mod:`wmresearch.evaluation.monitoring`); an outcome panel (unit, year, outcome) from
administrative data covers the beneficiaries and, ideally, comparable non-beneficiaries. The
design follows from the start dates (:func:`choose_design`):

* **rolling entry** (beneficiaries started in several years): Callaway & Sant'Anna (2021)
  group-time ATTs with not-yet-treated controls and an event-time aggregation
  (:func:`estimate_rolling`). By default the comparison is the *later entrants only*: firms
  or people who chose to join are compared with others who chose to join but had not yet
  started, which is robust to selection into the programme on levels and on growth trends,
  provided the *timing* of entry is unrelated to trends. The last cohort then serves only as
  comparison and years from its start are dropped (as R ``did`` does without a
  never-treated group).
* **single cohort** (every beneficiary started in the same year): matching on pre-period
  outcomes and covariates, then difference-in-differences on the matched sample
  (Heckman, Ichimura & Todd 1997; :func:`estimate_single_cohort`), which needs
  non-beneficiaries in the panel and selection on what is matched on (conditional parallel
  trends).

:func:`estimate_naive` is the before/after of beneficiaries, shown only to say why a comparison
group is needed. Every function returns an :class:`~wmresearch.evaluation.result.EstimateResult`
or a DataFrame; tables carry a ``synthetic`` column (and ``attrs["synthetic"]``) copied from
the inputs, so a demonstration on invented data cannot be mistaken for a finding.

References
----------
Callaway, B. and Sant'Anna, P. H. C. (2021), "Difference-in-Differences with multiple time
periods", Journal of Econometrics 225(2): 200-230.
Heckman, J. J., Ichimura, H. and Todd, P. E. (1997), "Matching as an econometric evaluation
estimator: evidence from evaluating a job training programme", Review of Economic Studies
64(4): 605-654.
Ashenfelter, O. (1978), "Estimating the effect of training programs on earnings", Review of
Economics and Statistics 60(1): 47-57 (the pre-programme dip that before/after mistakes for
impact).
"""


from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from wmresearch.evaluation.beneficiary_data import (
    ROLLING,
    SINGLE,
    BeneficiaryDataError,
    DesignChoice,
    build_outcome_panel,
    choose_design,
    estimate_naive,
    is_synthetic,
    labelled,
    require_panel_columns,
    resolve_id_column,
    screen_beneficiaries,
)
from wmresearch.evaluation.did import difference_in_differences, event_study
from wmresearch.evaluation.matching import matching
from wmresearch.evaluation.monitoring import MonitoringReturn
from wmresearch.evaluation.result import Z95, EstimateResult
from wmresearch.evaluation.staggered import staggered_did

__all__ = ["ROLLING", "SINGLE", "BeneficiaryDataError", "BeneficiaryEvaluation",
           "DesignChoice", "build_outcome_panel", "choose_design", "estimate_demo",
           "estimate_naive", "estimate_rolling", "estimate_single_cohort",
           "evaluate_beneficiaries", "screen_beneficiaries"]

Comparison = Literal["beneficiaries", "all"]


@dataclass
class BeneficiaryEvaluation:
    """The design, its estimate, the naive before/after, the panel they used, and the
    accounting of beneficiaries and outcome rows (used or set aside, by reason)."""

    design: DesignChoice
    estimate: EstimateResult
    naive: EstimateResult
    event_study: pd.DataFrame
    panel: pd.DataFrame
    accounting: pd.DataFrame = field(default_factory=pd.DataFrame)

    def table(self) -> pd.DataFrame:
        """One row per estimator: att, se, ci_low, ci_high, n_treated, n_control."""
        rows = []
        for label, res in (("design", self.estimate), ("naive_before_after", self.naive)):
            rows.append({"estimator": label, "method": res.method, "att": res.att,
                         "se": res.se, "ci_low": res.ci[0], "ci_high": res.ci[1],
                         "n_treated": res.n_treated, "n_control": res.n_control})
        return labelled(pd.DataFrame(rows), is_synthetic(self.panel),
                        self.panel.attrs.get("truth"))


def _with_label(result: EstimateResult, synthetic: bool, truth: object) -> EstimateResult:
    extra = dict(result.extra)
    for key, value in extra.items():
        if isinstance(value, pd.DataFrame):
            extra[key] = labelled(value, synthetic, truth)
    extra["synthetic"] = synthetic
    return dataclasses.replace(result, detail=labelled(result.detail, synthetic, truth),
                               extra=extra)


# --------------------------------------------------------------------------- estimators


def _event_table(table: pd.DataFrame) -> pd.DataFrame:
    out = table.rename(columns={"level": "event_time"})[["event_time", "estimate", "se"]]
    return out.assign(ci_low=out["estimate"] - Z95 * out["se"],
                      ci_high=out["estimate"] + Z95 * out["se"]).reset_index(drop=True)


def estimate_rolling(panel: pd.DataFrame, *, outcome: str, unit: str = "firm_id",
                     time: str = "year", cohort: str = "cohort",
                     comparison: Comparison = "beneficiaries",
                     covariates: Sequence[str] = ()) -> EstimateResult:
    """Callaway & Sant'Anna (2021) DiD for rolling entry, not-yet-treated controls.

    Group-time ATT(g, t) by :func:`wmresearch.evaluation.staggered.staggered_did`
    (``control="notyet"``, doubly robust, analytic SEs); the headline is the group
    aggregation (average per cohort, then over cohorts, the paper's preferred summary) and
    the event study is the dynamic aggregation of the same fit.

    Parameters
    ----------
    panel : from :func:`build_outcome_panel` (``cohort`` 0 for non-beneficiaries).
    comparison
        ``"beneficiaries"`` (default): only beneficiaries enter; each cohort is compared
        with those not yet started. Identifying assumption: the timing of entry is unrelated
        to trends (selection *into* the programme may be on anything). The last cohort is
        used only as comparison and years from its start are dropped, so only event times
        before it are estimated. ``"all"``: non-beneficiaries join the not-yet-treated
        group; this needs parallel trends between beneficiaries and non-beneficiaries.
    covariates : time-invariant numeric columns for conditional parallel trends.

    Returns
    -------
    EstimateResult
        ``detail``: ATT(g, t) (cohort, time, att, se, post). ``extra``: ``event_study``
        (event_time, estimate, se, ci_low, ci_high), ``aggregations``, ``pretrend_pvalue``,
        ``comparison``, ``estimated_cohorts``, ``comparison_only_cohort``, ``years_used``.

    Raises
    ------
    BeneficiaryDataError
        Fewer than two cohorts, or a missing column.
    """
    require_panel_columns(panel, [unit, time, cohort, outcome, *covariates])
    cohorts = sorted(int(c) for c in panel[cohort].unique() if c > 0)
    if len(cohorts) < 2:
        raise BeneficiaryDataError("outcome panel", f"rolling entry needs beneficiaries in "
                                   f"two or more start years, found {cohorts}", column=cohort)
    data = panel[[unit, time, cohort, outcome, *covariates]]
    last: int | None = None
    if comparison == "beneficiaries":
        last = cohorts[-1]
        data = data[(data[cohort] > 0) & (data[time] < last)].copy()
        data[cohort] = data[cohort].where(data[cohort] != last, 0)
    elif comparison != "all":
        raise ValueError(f"comparison: expected 'beneficiaries' or 'all', got {comparison!r}")
    fit = staggered_did(data.reset_index(drop=True), outcome=outcome, unit=unit, time=time,
                        cohort=cohort, covariates=covariates, control="notyet",
                        aggregation="group")
    events = _event_table(fit.extra["aggregations"]["dynamic"]["table"])
    who = ("later entrants only" if comparison == "beneficiaries"
           else "later entrants and non-beneficiaries")
    result = dataclasses.replace(
        fit, method=f"{fit.method}; not-yet-treated comparison: {who}",
        extra=fit.extra | {"event_study": events, "comparison": comparison,
                           "estimated_cohorts": [c for c in cohorts if c != last],
                           "comparison_only_cohort": last,
                           "years_used": (int(data[time].min()), int(data[time].max()))})
    return _with_label(result, is_synthetic(panel), panel.attrs.get("truth"))


#: R ``Matching::Match`` (Sekhon 2011, JSS 42(7)) ``distance.tolerance``: controls whose
#: squared standardised score distance is within this of the nearest are ties.
DISTANCE_TOLERANCE = 1e-5


def _match_weights(score: np.ndarray, treated: np.ndarray,
                   caliper: float | None) -> np.ndarray:
    """Weights of the matched sample: 1 per matched beneficiary, K_j per used control.

    The rule of :func:`wmresearch.evaluation.matching.matching` (which does not return its
    matches) and R ``Match(M = 1, ties = TRUE)``: common support on the score, nearest
    control(s) with replacement by squared score difference over the score's variance, ties
    within :data:`DISTANCE_TOLERANCE` sharing one match; a caliper on the score scale.
    """
    weight = np.zeros(len(score))
    c_idx = np.flatnonzero(~treated)
    lo, hi = score[c_idx].min(), score[c_idx].max()
    t_idx = np.flatnonzero(treated & (score >= lo) & (score <= hi))
    sd = float(np.std(score[np.concatenate([t_idx, c_idx])], ddof=1)) or 1.0
    for i in t_idx:
        dist = ((score[c_idx] - score[i]) / sd) ** 2
        ties = c_idx[dist <= dist.min() + DISTANCE_TOLERANCE]
        if caliper is not None:
            ties = ties[np.abs(score[ties] - score[i]) <= caliper]
        if len(ties):
            weight[i] = 1.0
            weight[ties] += 1.0 / len(ties)
    return weight


def estimate_single_cohort(panel: pd.DataFrame, *, outcome: str, unit: str = "firm_id",
                           time: str = "year", cohort: str = "cohort", lags: int = 3,
                           covariates: Sequence[str] = (),
                           caliper: float | None = None) -> EstimateResult:
    r"""Matching on pre-period outcomes and covariates, then DiD on the matched sample.

    The conditional difference-in-differences matching estimator of Heckman, Ichimura &
    Todd (1997): each beneficiary is matched (nearest neighbour on a logit propensity score,
    with replacement, :func:`wmresearch.evaluation.matching.matching`) to the
    non-beneficiary most alike in the outcome in the ``lags`` years before the start and in
    ``covariates`` (their value in the year before the start); a two-way fixed-effects DiD
    (:func:`wmresearch.evaluation.did.difference_in_differences`) on the matched panel,
    weighted by how often each control is used, then removes any remaining fixed difference.
    Identifying assumption: conditional on what is matched on, beneficiaries and matched
    non-beneficiaries would have had parallel trends. Matching on the pre-period outcomes
    balances a pre-programme dip (Ashenfelter 1978) that a plain DiD would read as impact.

    The headline ``att``, SE and CI are the weighted DiD's (CRV1 by unit, conditional on the
    matches). The same point estimate from matching on the before/after change
    :math:`\Delta Y_i` with the Abadie-Imbens SE is in ``extra["matching"]``.

    Returns
    -------
    EstimateResult
        ``detail``: per year, treated and matched-control means and the gap. ``extra``:
        ``matching`` (its ``detail`` is the balance table, SMD before/after),
        ``event_study`` (weighted TWFE event study, reference year -1, when there are two or
        more pre-years), ``pretrend_pvalue``, ``matched_on``, ``cohort``.

    Raises
    ------
    BeneficiaryDataError
        Several cohorts, no non-beneficiaries, a missing column.
    """
    require_panel_columns(panel, [unit, time, cohort, outcome, *covariates])
    cohorts = sorted(int(c) for c in panel[cohort].unique() if c > 0)
    if len(cohorts) != 1:
        raise BeneficiaryDataError("outcome panel", f"a single cohort is needed, found "
                                   f"start years {cohorts}; use estimate_rolling",
                                   column=cohort)
    start = cohorts[0]
    if not (panel[cohort] == 0).any():
        raise BeneficiaryDataError("outcome panel", "no non-beneficiaries (cohort 0) to match "
                                   "beneficiaries with; add comparison units", column=cohort)
    years = np.sort(panel[time].unique())
    pre = [int(y) for y in years if y < start][-lags:]
    if not pre:
        raise BeneficiaryDataError("outcome panel", f"no year before the start year {start}",
                                   column=time)
    wide = panel.pivot(index=unit, columns=time, values=outcome)
    units = pd.DataFrame(index=wide.index)
    lag_cols = []
    for y in pre:
        units[f"{outcome}_{y}"] = wide[y]
        lag_cols.append(f"{outcome}_{y}")
    base = panel[panel[time] == start - 1].set_index(unit) if start - 1 in years else \
        panel[panel[time] == pre[-1]].set_index(unit)
    for col in covariates:
        units[col] = base[col].reindex(units.index)
    post_years = years >= start
    units["_dy"] = wide.loc[:, post_years].mean(axis=1) - wide.loc[:, ~post_years].mean(axis=1)
    units["_treated"] = (panel.groupby(unit)[cohort].first().reindex(units.index) > 0).astype(
        int)
    units = units.reset_index()
    matched_on = [*lag_cols, *covariates]
    m = matching(units, outcome="_dy", treated="_treated", covariates=matched_on,
                 caliper=caliper)
    ps = m.extra["pscore"].to_numpy()
    logit = np.log(ps / (1 - ps))
    score = logit if caliper is not None else ps
    cal = None if caliper is None else caliper * float(logit.std(ddof=1))
    weight = pd.Series(_match_weights(score, units["_treated"].to_numpy() == 1, cal),
                       index=units[unit])
    sample = panel[panel[unit].map(weight) > 0].reset_index(drop=True)
    sample = sample.assign(_w=sample[unit].map(weight),
                           _d=((sample[cohort] > 0) & (sample[time] >= sample[cohort])).astype(int))
    did = difference_in_differences(sample, outcome=outcome, unit=unit, time=time,
                                    treated="_d", weights="_w")
    extra = {"matching": m, "matched_on": matched_on, "cohort": start,
             "matched_controls": int(((weight > 0) & (units.set_index(unit)["_treated"] == 0)
                                      ).sum())}
    if len([y for y in years if y < start]) >= 2:
        es = event_study(sample, outcome=outcome, unit=unit, time=time, cohort=cohort,
                         weights="_w")
        extra |= {"event_study": es.detail, "pretrend_pvalue": es.extra.get("pretrend_pvalue")}
    result = dataclasses.replace(
        did, n_control=extra["matched_controls"],
        method="Matching then difference-in-differences (Heckman, Ichimura & Todd 1997): "
               "nearest-neighbour propensity-score matching on pre-period outcomes and "
               "covariates, weighted two-way fixed-effects DiD on the matched sample "
               "(standard errors clustered by unit)",
        extra=did.extra | extra)
    return _with_label(result, is_synthetic(panel), panel.attrs.get("truth"))


# --------------------------------------------------------------------------- all together


def evaluate_beneficiaries(monitoring: MonitoringReturn | pd.DataFrame, outcomes: pd.DataFrame,
                           *, outcome: str, id_column: str | None = None, time: str = "year",
                           date_column: str = "start_date", covariates: Sequence[str] = (),
                           comparison: Comparison = "beneficiaries",
                           lags: int = 3) -> BeneficiaryEvaluation:
    """Choose the design from the start dates, build the panel and estimate.

    Beneficiaries the outcome panel cannot evaluate (not linked, or started outside its
    years) are set aside and counted (:func:`screen_beneficiaries`); the design is chosen
    from the start dates of the others, for firms and people alike.

    Parameters
    ----------
    monitoring : a validated :class:`~wmresearch.evaluation.monitoring.MonitoringReturn`,
        firm- or person-level (its firms or participants are used), or a beneficiaries
        table with ``firm_id`` or ``person_id`` and the start date.
    outcomes : outcome panel of beneficiaries and non-beneficiaries (see
        :func:`build_outcome_panel`).
    comparison : for rolling entry, see :func:`estimate_rolling`.
    lags : pre-period outcome years matched on, for a single cohort.

    Returns
    -------
    BeneficiaryEvaluation
        ``design``, ``estimate`` (:func:`estimate_rolling` or :func:`estimate_single_cohort`),
        ``naive`` (:func:`estimate_naive`), ``event_study``, ``panel`` and ``accounting``
        (rows in = rows used + rows set aside, for beneficiaries and for outcome rows).
    """
    ben = monitoring.beneficiaries if isinstance(monitoring, MonitoringReturn) else monitoring
    id_column = resolve_id_column(ben, id_column)
    kept, accounting = screen_beneficiaries(ben, outcomes, id_column=id_column, time=time,
                                            date_column=date_column)
    design = choose_design(kept, id_column=id_column, date_column=date_column)
    panel = build_outcome_panel(kept, outcomes, outcome=outcome, id_column=id_column,
                                time=time, date_column=date_column, covariates=covariates,
                                set_aside=accounting.attrs["set_aside"])
    common = {"outcome": outcome, "unit": id_column, "time": time, "covariates": covariates}
    if design.design == ROLLING:
        est = estimate_rolling(panel, comparison=comparison, **common)
    else:
        est = estimate_single_cohort(panel, lags=lags, **common)
    naive = estimate_naive(panel, outcome=outcome, unit=id_column, time=time)
    events = est.extra.get("event_study", pd.DataFrame())
    events = labelled(events, is_synthetic(panel), panel.attrs.get("truth"))
    accounting = labelled(accounting, is_synthetic(panel), panel.attrs.get("truth"))
    return BeneficiaryEvaluation(design, est, naive, events, panel, accounting)


def estimate_demo(demo: object) -> pd.DataFrame:
    """Planted effect against the chosen design and the naive before/after on synthetic data.

    Parameters
    ----------
    demo : a :class:`~wmresearch.evaluation.monitoring_demo.SyntheticMonitoring` (its
        ``truth`` names ``outcome``, ``id_column``, ``covariates`` and the planted ``effect``).

    Returns
    -------
    pandas.DataFrame
        One row per estimator (``design``, ``naive_before_after``): design, estimator,
        method, planted, estimate, se, ci_low, ci_high, covers_planted, error, n_treated,
        n_control, synthetic; ``attrs["synthetic"]`` and ``attrs["truth"]``.
    """
    truth = demo.truth  # type: ignore[attr-defined]
    ev = evaluate_beneficiaries(demo.beneficiaries, demo.panel,  # type: ignore[attr-defined]
                                outcome=truth["outcome"], id_column=truth["id_column"],
                                covariates=tuple(truth["covariates"]))
    planted = float(truth["effect"])
    t = ev.table().rename(columns={"att": "estimate"})
    t = t.assign(design=ev.design.design, planted=planted,
                 covers_planted=t["ci_low"].le(planted) & t["ci_high"].ge(planted),
                 error=t["estimate"] - planted)
    cols = ["design", "estimator", "method", "planted", "estimate", "se", "ci_low", "ci_high",
            "covers_planted", "error", "n_treated", "n_control"]
    return labelled(t[cols], True, truth)
