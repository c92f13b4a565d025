r"""Mayoral devolution in England as a staggered adoption: did districts gain when their
combined authority elected its first mayor?

Design. Units are current English districts outside London (the Greater London Authority
has had a mayor since 2000, so London has no untreated past); a district is treated from the
calendar year of its authority's first mayoral election (2017: six authorities, 2018 South
Yorkshire, 2019 North of Tyne, 2021 West Yorkshire, 2024 and 2025: evidence table
``mayoral_districts``). Authorities first treated after the panel's last year are controls
(cohort 0) with their future year kept in ``future_cohort``. Estimator: Callaway &
Sant'Anna (2021) via :func:`wmresearch.evaluation.staggered.staggered_did`, doubly robust
with no covariates, never-treated controls; treatment is assigned to whole authorities, so
SEs are clustered by ``authority`` (the combined authority, or the district itself).

With about ten treated authorities, cluster-robust normal inference can over-reject
(Cameron, Gelbach & Miller 2008; MacKinnon & Webb 2017). Two checks: a multiplier (wild)
bootstrap of the simple ATT's influence function with one Rademacher (or Webb) weight per
authority (Callaway & Sant'Anna 2021, sec. 4 and Remark 10; Kline & Santos 2012), and
randomisation inference permuting the authorities' treatment years (Fisher 1935; MacKinnon
& Webb 2020, "Randomization inference for difference-in-differences with few treated
clusters", J. Econometrics 218(2)), using :func:`fast_simple_att`, a vectorised
difference-in-means form of the no-covariate DR ATT(g,t) (all three in
:mod:`wmresearch.evaluation.devolution_inference`, re-exported here).

Every function returns an :class:`~wmresearch.evaluation.result.EstimateResult` or a
DataFrame; nothing prints or plots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from wmresearch.evaluation.devolution_data import (
    OUTCOMES,
    Outcome,
    devolution_panel,
    outcome_series,
)
from wmresearch.evaluation.devolution_inference import (
    cell_pretrend_test,
    event_pretrend_test,
    fast_att_gt,
    fast_simple_att,
    panel_matrix,
    randomisation_inference,
    wild_cluster_bootstrap,
)
from wmresearch.evaluation.result import EstimateResult
from wmresearch.evaluation.staggered import staggered_did

WMCA = "E47000007"
NORTH_OF_TYNE = "E47000011"
PANDEMIC = (2020, 2021)


def devolution_att(panel: pd.DataFrame, outcome: str, *,
                   control: Literal["never", "notyet"] = "never",
                   aggregation: Literal["simple", "group", "dynamic", "calendar"] = "simple",
                   cluster: str | None = "authority", anticipation: int = 0,
                   ) -> EstimateResult:
    r"""Callaway & Sant'Anna (2021) ATT of a first mayor, clustered by authority.

    :math:`ATT(g,t) = E[Y_t - Y_{g-1} \mid G = g] - E[Y_t - Y_{g-1} \mid C]` with :math:`C`
    never-treated (cohort 0) or not-yet-treated districts, doubly robust with no covariates
    (which is this difference in means), aggregated as ``aggregation`` (``simple``: weights
    :math:`\propto` cohort size over post cells). SEs from the influence function clustered
    by ``cluster``. Reference: Callaway & Sant'Anna (2021), J. Econometrics 225(2), eqs.
    2.6, 3.2-3.4; R ``did`` (``att_gt``, ``aggte``) via csdid.

    Returns
    -------
    EstimateResult
        As :func:`~wmresearch.evaluation.staggered.staggered_did`; ``extra`` also has
        ``influence_clusters`` (each unit's cluster, in influence-function order, for
        :func:`wild_cluster_bootstrap`), ``event_pretrend`` (:func:`event_pretrend_test`,
        clustered, 5 leads) and
        ``cell_pretrend_unit`` (:func:`cell_pretrend_test` by unit); ``pretrend_pvalue``
        falls back to the latter when csdid's clustered test is undefined (said in
        ``pretrend_note``).
    """
    result = staggered_did(panel, outcome=outcome, unit="lad_code", time="year",
                           cohort="cohort", control=control, aggregation=aggregation,
                           cluster=cluster, anticipation=anticipation)
    units = result.extra["influence_units"]
    clusters = (panel.drop_duplicates("lad_code").set_index("lad_code")[cluster]
                .reindex(units).to_numpy() if cluster else np.asarray(units))
    result.extra["influence_clusters"] = clusters
    treated = int(panel.loc[panel["cohort"] > 0, cluster or "lad_code"].nunique())
    result.extra["event_pretrend"] = event_pretrend_test(result, clusters,
                                                         treated_clusters=treated,
                                                         anticipation=anticipation)
    result.extra["cell_pretrend_unit"] = cell_pretrend_test(result, None,
                                                            anticipation=anticipation)
    if result.extra.get("pretrend_pvalue") is None:
        result.extra["pretrend_pvalue"] = result.extra["cell_pretrend_unit"]["pvalue"]
        result.extra["pretrend_note"] = ("csdid's clustered pre-test is undefined (singular "
                                         "covariance); unit-level Wald pre-test reported")
    return result


def bordering_districts(boundaries: Any, codes: Sequence[str], *,
                        tolerance: float = 100.0) -> set[str]:
    """Districts sharing a border with any of ``codes`` (themselves excluded).

    Two districts border if their polygons, grown by ``tolerance`` metres (generalised BUC
    boundaries can leave slivers), intersect. ``boundaries``: GeoDataFrame with
    ``lad_code`` and geometry in a metric CRS (EPSG:27700).
    """
    gdf = boundaries[["lad_code", "geometry"]]
    target = gdf[gdf["lad_code"].isin(list(codes))]
    if target.empty:
        return set()
    grown = target.geometry.buffer(tolerance).union_all()
    hit = gdf[gdf.geometry.intersects(grown)]
    return set(hit["lad_code"]) - set(codes)


def _as_row(name: str, result: EstimateResult) -> dict[str, Any]:
    return {"check": name, "att": result.att, "se": result.se, "ci_low": result.ci[0],
            "ci_high": result.ci[1], "pvalue": result.pvalue,
            "n_treated": result.n_treated, "n_control": result.n_control,
            # the page's pre-trend test throughout: event-time leads, few-cluster F
            "pretrend_f": result.extra["event_pretrend"]["pvalue_f"]}


def anticipation_check(panel: pd.DataFrame, outcome: str, periods: int = 1,
                       ) -> EstimateResult:
    """Simple ATT allowing ``periods`` years of anticipation (devolution deals were signed
    1-2 years before the first elections: 2015-16 for the 2017 cohort): post cells compare
    with year :math:`g - periods - 1` (Callaway & Sant'Anna 2021, sec. 3.1)."""
    return devolution_att(panel, outcome, anticipation=periods)


def spillover_check(panel: pd.DataFrame, outcome: str, boundaries: Any) -> EstimateResult:
    """Simple ATT with control districts that border a treated district dropped (a mayor's
    effect leaking to neighbours would bias the comparison; SUTVA)."""
    treated = panel.loc[panel["cohort"] > 0, "lad_code"].unique()
    near = bordering_districts(boundaries, list(treated))
    keep = ~(panel["lad_code"].isin(near) & (panel["cohort"] == 0))
    return devolution_att(panel[keep], outcome)


def pandemic_check(panel: pd.DataFrame, outcome: str,
                   years: Sequence[int] = PANDEMIC) -> EstimateResult:
    """Simple ATT with the pandemic years dropped from the panel."""
    return devolution_att(panel[~panel["year"].isin(list(years))], outcome)


def composition_check(panel: pd.DataFrame, outcome: str) -> EstimateResult:
    """Simple ATT without the districts whose authority changed (North of Tyne, later the
    North East)."""
    return devolution_att(panel[~panel["composition_changed"]], outcome)


def threat_checks(panel: pd.DataFrame, outcome: str, boundaries: Any | None = None, *,
                  headline: EstimateResult | None = None,
                  notyet: EstimateResult | None = None) -> pd.DataFrame:
    """The headline and each robustness check as one tidy row (simple ATT, clustered SE):
    anticipation of 1 and 2 years, no bordering controls (if ``boundaries``), no 2020-21,
    no North of Tyne districts, not-yet-treated controls. ``pretrend_f`` is each fit's
    event-time pre-trend test (5 leads, few-cluster F), the one the page reports throughout.

    ``headline`` and ``notyet``: :func:`devolution_att` of the same panel and outcome with
    never-treated and not-yet-treated controls, when already fitted (each fit is refitted
    otherwise; passing them saves two csdid fits and changes nothing).
    """
    headline = headline or devolution_att(panel, outcome)
    rows = [_as_row("headline", headline)]
    for k in (1, 2):
        rows.append(_as_row(f"anticipation {k} year{'s' if k > 1 else ''}",
                            anticipation_check(panel, outcome, k)))
    if boundaries is not None:
        rows.append(_as_row("no bordering controls",
                            spillover_check(panel, outcome, boundaries)))
    rows.append(_as_row("without 2020-21", pandemic_check(panel, outcome)))
    rows.append(_as_row("without North of Tyne", composition_check(panel, outcome)))
    rows.append(_as_row("not-yet-treated controls",
                        notyet or devolution_att(panel, outcome, control="notyet")))
    return pd.DataFrame(rows)


def sdid_by_cohort(panel: pd.DataFrame, outcome: str, *, replications: int = 50,
                   seed: int = 0, se_method: str = "jackknife") -> pd.DataFrame:
    r"""Synthetic DiD (Arkhangelsky et al. 2021) per cohort against never-treated districts.

    For each cohort :math:`g`: a block design of cohort-:math:`g` districts (treated from
    :math:`g`) and cohort-0 districts; other cohorts dropped. SEs by the jackknife
    (Algorithm 3: each district left out in turn, weights held fixed; fast and free of
    random draws) or, with ``se_method="bootstrap"``, the unit bootstrap (Algorithm 2,
    ``replications`` draws, seeded; about 65 s for 50 replications and four cohorts on 2
    cores). Both are by district and ignore clustering within an authority.

    Returns
    -------
    pandas.DataFrame
        ``cohort``, ``att``, ``se``, ``ci_low``, ``ci_high``, ``n_treated``, ``n_control``.
    """
    from wmresearch.evaluation.synthetic import synthetic_did

    rows = []
    for g in sorted(c for c in panel["cohort"].unique() if c > 0):
        sub = panel[panel["cohort"].isin([0, g])].copy()
        sub["_treated"] = ((sub["cohort"] == g) & (sub["year"] >= g)).astype(int)
        res = synthetic_did(sub, outcome=outcome, unit="lad_code", time="year",
                            treated="_treated", se_replications=replications, seed=seed,
                            se_method=se_method, comparisons=False)
        rows.append({"cohort": int(g), "att": res.att, "se": res.se, "ci_low": res.ci[0],
                     "ci_high": res.ci[1], "n_treated": res.n_treated,
                     "n_control": res.n_control})
    return pd.DataFrame(rows)


def authority_cohort_att(panel: pd.DataFrame, outcome: str, authority: str = WMCA,
                         ) -> EstimateResult:
    r"""One authority's own estimate: CS with only its districts treated, never-treated
    controls (other treated cohorts dropped); the group ATT of its cohort.

    With one treated authority the SE is unit-level (clustering by authority would rest on
    a single treated cluster); read it with the randomisation p-values in mind.
    """
    mine = panel["authority"] == authority
    if not mine.any():
        raise ValueError(f"authority {authority!r} is not in the panel")
    sub = panel[mine | (panel["cohort"] == 0)]
    return devolution_att(sub, outcome, aggregation="group", cluster=None)


def inference_table(results: Sequence[tuple[str, EstimateResult]]) -> pd.DataFrame:
    """One row per (name, result): ``method``, ``estimate_pct``, ``ci_low_pct``,
    ``ci_high_pct`` (log points x 100), ``se``, ``pvalue``."""
    return pd.DataFrame([{"method": name, "estimate_pct": 100 * r.att,
                          "ci_low_pct": 100 * r.ci[0], "ci_high_pct": 100 * r.ci[1],
                          "se": r.se, "pvalue": r.pvalue} for name, r in results])


def event_table(result: EstimateResult, aggregation: str = "dynamic") -> pd.DataFrame:
    """An aggregation's levels (``dynamic``: event time; ``group``: cohort) with pointwise
    95% intervals, clustered as the fit: ``level``, ``estimate``, ``se``, ``ci_low``,
    ``ci_high`` (``event_time`` instead of ``level`` for the dynamic aggregation)."""
    table = result.extra["aggregations"][aggregation]["table"]
    z = float(stats.norm.ppf(0.975))
    return pd.DataFrame({"event_time" if aggregation == "dynamic" else "cohort":
                         table["level"].astype(int),
                         "estimate": table["estimate"], "se": table["se"],
                         "ci_low": table["estimate"] - z * table["se"],
                         "ci_high": table["estimate"] + z * table["se"]})


def cohort_table(groups: EstimateResult, sdid: pd.DataFrame) -> pd.DataFrame:
    """Per cohort, CS group ATT (the group aggregation of any :func:`devolution_att` fit:
    one csdid fit holds every aggregation) beside SDID (:func:`sdid_by_cohort`), in % (x 100)."""
    table = groups.extra["aggregations"]["group"]["table"]
    z = float(stats.norm.ppf(0.975))
    cs = pd.DataFrame({"cohort": table["level"].astype(int),
                       "cs_pct": 100 * table["estimate"],
                       "cs_ci_low_pct": 100 * (table["estimate"] - z * table["se"]),
                       "cs_ci_high_pct": 100 * (table["estimate"] + z * table["se"])})
    sd = pd.DataFrame({"cohort": sdid["cohort"].astype(int), "sdid_pct": 100 * sdid["att"],
                       "sdid_ci_low_pct": 100 * sdid["ci_low"],
                       "sdid_ci_high_pct": 100 * sdid["ci_high"],
                       "districts": sdid["n_treated"]})
    return cs.merge(sd, on="cohort", how="outer").sort_values("cohort").reset_index(drop=True)


def outcome_fits(tables: Mapping[str, pd.DataFrame], districts: pd.DataFrame,
                 lookup: pd.DataFrame, *, first: int | None = None,
                 ) -> dict[str, tuple[pd.DataFrame, dict[str, Any], EstimateResult | None]]:
    """The headline design (:func:`devolution_att`: never-treated, clustered by authority)
    fitted once for every outcome in :data:`OUTCOMES` whose table is in ``tables``.

    ``first`` raises an outcome's first year (never lowers it). Returns, per outcome key,
    its panel, the panel's accounting and the fit (None where no cohort has a pre-period).
    One csdid fit holds every aggregation, so the simple ATT and the event study of an
    outcome come from the same fit. The devolution page runs this in another process
    (:func:`wmresearch.parallel.in_background`) while it estimates the headline.
    """
    fits: dict[str, tuple[pd.DataFrame, dict[str, Any], EstimateResult | None]] = {}
    for key, spec in OUTCOMES.items():
        if spec.table not in tables:
            continue
        start = spec.first if first is None else max(spec.first, first)
        panel, acc = devolution_panel(outcome_series(key, tables), districts, lookup,
                                      outcome=key, log=spec.log, first=start, last=spec.last)
        acc["first_year"] = start
        fits[key] = (panel, acc, None if not acc["treated_districts"] else
                     devolution_att(panel, key))
    return fits


def outcomes_table(fits: Mapping[str, tuple[pd.DataFrame, dict[str, Any],
                                            EstimateResult | None]]) -> pd.DataFrame:
    """One row per outcome of :func:`outcome_fits`: log outcomes in % (x 100), rates in
    percentage points. Columns ``outcome``, ``unit``, ``years``, ``estimate``, ``ci_low``,
    ``ci_high``, ``pvalue``, ``pretrend_p`` (event-time, 5 leads, few-cluster F),
    ``districts`` (in the panel), ``treated_districts``, ``authorities`` (treated), ``note``;
    NaN where no cohort has a pre-period."""
    rows = []
    for key, (_, acc, r) in fits.items():
        spec = OUTCOMES[key]
        scale = 100.0 if spec.log else 1.0
        row: dict[str, Any] = {"outcome": spec.label, "unit": "%" if spec.log else "pp",
                               "years": f"{acc['first_year']}-{spec.last}", "estimate": np.nan,
                               "ci_low": np.nan, "ci_high": np.nan, "pvalue": np.nan,
                               "pretrend_p": np.nan, "districts": acc["districts_kept"],
                               "treated_districts": acc["treated_districts"],
                               "authorities": acc["treated_authorities"], "note": spec.note}
        if r is not None:
            row.update(estimate=scale * r.att, ci_low=scale * r.ci[0],
                       ci_high=scale * r.ci[1], pvalue=r.pvalue,
                       pretrend_p=r.extra["event_pretrend"]["pvalue_f"])
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["OUTCOMES", "Outcome", "anticipation_check", "authority_cohort_att",
           "cohort_table", "event_table", "inference_table", "outcome_fits", "outcomes_table",
           "bordering_districts", "cell_pretrend_test", "composition_check", "devolution_att",
           "devolution_panel", "event_pretrend_test", "fast_att_gt", "fast_simple_att",
           "outcome_series", "panel_matrix", "pandemic_check", "randomisation_inference",
           "sdid_by_cohort", "spillover_check", "threat_checks", "wild_cluster_bootstrap"]
