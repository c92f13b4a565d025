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
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

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

LONDON = "E12000007"
WMCA = "E47000007"
NORTH_OF_TYNE = "E47000011"
PANDEMIC = (2020, 2021)


@dataclass(frozen=True)
class Outcome:
    """Where an outcome comes from: evidence table, series, log or level, years."""

    table: str
    series: str
    label: str
    log: bool
    first: int
    last: int
    note: str = ""


#: The outcomes of the devolution panel (keys are the panel's outcome column names).
OUTCOMES: dict[str, Outcome] = {
    "log_gva_per_hour": Outcome(
        "productivity_lad", "gva_per_hour", "log GVA per hour worked (June 2024 workbook)",
        True, 2004, 2022),
    "log_gva_per_job": Outcome(
        "productivity_lad", "gva_per_job", "log GVA per filled job (June 2024 workbook)",
        True, 2002, 2022),
    "log_gva_per_hour_2025": Outcome(
        "explore_local", "Gross value added per hour worked",
        "log GVA per hour worked (later release, Explore local statistics)", True, 2004,
        2023),
    "log_gva_per_job_2025": Outcome(
        "explore_local", "Gross value added per filled job",
        "log GVA per filled job (later release, Explore local statistics)", True, 2002, 2023),
    "employment_rate": Outcome(
        "explore_local", "Employment rate", "employment rate, % of residents 16-64 (APS)",
        False, 2004, 2023),
    "log_gdhi_per_head": Outcome(
        "explore_local", "Gross disposable household income",
        "log gross disposable household income per head (GBP, current prices)", True,
        2004, 2023),
    "log_gdp_per_head_real": Outcome(
        "explore_local", "Gross domestic product per head in chained volume measure",
        "log real GDP per head (chained volume, GBP)", True, 2004, 2023),
    "claimant_rate": Outcome(
        "explore_local", "Claimant Count", "claimant count, % of residents 16-64", False,
        2004, 2024),
    "business_birth_rate": Outcome(
        "business_demography", "births/active", "business births, % of active enterprises",
        False, 2019, 2024,
        note="starts 2019: the 2017-2019 cohorts have no pre-period and are not estimated"),
}


def outcome_series(key: str, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One outcome by current district and year, in levels, from the evidence tables.

    Parameters
    ----------
    key : a key of :data:`OUTCOMES`.
    tables : evidence tables by name (``productivity_lad``, ``explore_local``,
        ``business_demography`` as needed).

    Returns
    -------
    pandas.DataFrame
        ``lad_code``, ``year``, ``value`` (one row per district and year; suppressed or
        missing values dropped). The business birth rate is
        :math:`100 \times \text{births}/\text{active}` after adding former districts'
        counts into their current district (ONS's definition of the birth rate).
    """
    spec = OUTCOMES[key]
    data = tables[spec.table]
    if spec.table == "productivity_lad":
        d = data[(data["measure"] == spec.series) & data["lad_code"].notna()]
        out = d[["lad_code", "year", "value"]]
    elif spec.table == "explore_local":
        d = data[(data["indicator"] == spec.series)
                 & data["areacd"].astype(str).str.match(r"^[EW]0[6-9]\d{6}$")
                 & ~data["suppressed"].fillna(False).astype(bool)]
        out = d.rename(columns={"areacd": "lad_code", "observation": "value"})[
            ["lad_code", "year", "value"]]
    else:
        counts = (data[data["measure"].isin(["births", "active"])]
                  .groupby(["lad_code", "year", "measure"])["count"].sum()
                  .unstack("measure"))
        out = (100 * counts["births"] / counts["active"]).rename("value").reset_index()
    out = pd.DataFrame({"lad_code": out["lad_code"].astype(str),
                        "year": pd.to_numeric(out["year"]).astype(int),
                        "value": pd.to_numeric(out["value"], errors="coerce").astype(float)})
    out = out.dropna(subset=["value"])
    if out.duplicated(["lad_code", "year"]).any():
        raise ValueError(f"{key}: several values for one district and year in "
                         f"{spec.table}")
    return out.sort_values(["lad_code", "year"]).reset_index(drop=True)


def devolution_panel(series: pd.DataFrame, districts: pd.DataFrame, lookup: pd.DataFrame, *,
                     outcome: str, log: bool = False, first: int | None = None,
                     last: int | None = None) -> tuple[pd.DataFrame, dict[str, Any]]:
    r"""Balanced district panel for England outside London with mayoral cohorts.

    Parameters
    ----------
    series : ``lad_code``, ``year``, ``value`` (:func:`outcome_series`).
    districts : the ``mayoral_districts`` evidence table.
    lookup : the ``lad_lookup`` evidence table (current English districts, their region).
    outcome : name of the outcome column; ``log`` takes :math:`\ln` of the value.
    first, last : years kept (default: the series' range).

    Returns
    -------
    (pandas.DataFrame, dict)
        The panel: ``lad_code``, ``year``, ``authority`` (the combined authority's code for
        a district of a mayoral authority, else the district's code: the cluster),
        ``ca_code`` (any combined authority, incl. those without a mayor), ``cohort``
        (first treated year; 0 for never treated and for authorities first treated after
        ``last``), ``future_cohort`` (the actual first year, 0 if none), ``composition
        _changed`` and the outcome. And the accounting: districts in England outside
        London, dropped for no data, for gaps, or for having no pre-period (cohort
        :math:`\le` ``first``), kept, and districts and authorities per cohort.
    """
    active = lookup[(lookup["lad_code"] == lookup["lad_code_active"])
                    & (lookup["country_code"].astype(str) == "E92000001")]
    london = active["region_code"].astype(str) == LONDON
    universe = active.loc[~london, "lad_code"].astype(str)
    first = int(series["year"].min()) if first is None else int(first)
    last = int(series["year"].max()) if last is None else int(last)
    years = list(range(first, last + 1))
    s = series[series["lad_code"].isin(universe) & series["year"].between(first, last)]
    wide = s.pivot(index="lad_code", columns="year", values="value").reindex(
        index=universe, columns=years)
    if log:
        wide = wide.where(wide > 0)
        wide = np.log(wide)
    no_data = wide.isna().all(axis=1)
    gaps = wide.notna().any(axis=1) & wide.isna().any(axis=1)
    info = districts.set_index("lad_code")
    mayoral = info["treatment_year"].notna()
    future = info["treatment_year"].where(mayoral, 0).astype(int)
    units = pd.DataFrame(index=wide.index)
    units["future_cohort"] = future.reindex(units.index).fillna(0).astype(int)
    units["cohort"] = units["future_cohort"].where(units["future_cohort"] <= last, 0)
    units["ca_code"] = info["ca_code"].reindex(units.index).astype(object)
    units["authority"] = np.where(
        mayoral.reindex(units.index, fill_value=False).to_numpy(), units["ca_code"],
        units.index.to_numpy())
    units["composition_changed"] = info["composition_changed"].reindex(
        units.index, fill_value=False).astype(bool)
    no_pre = (units["cohort"] > 0) & (units["cohort"] <= first)
    keep = ~(no_data | gaps | no_pre)
    kept = units[keep]
    panel = (wide[keep].rename_axis(index="lad_code", columns="year").stack()
             .rename(outcome).reset_index())
    panel = panel.merge(kept.reset_index(names="lad_code"), on="lad_code")
    panel = panel[["lad_code", "year", "authority", "ca_code", "cohort", "future_cohort",
                   "composition_changed", outcome]].sort_values(["lad_code", "year"])
    per_cohort = kept.groupby("cohort").agg(districts=("authority", "size"),
                                            authorities=("authority", "nunique"))
    accounting = {
        "outcome": outcome, "first": first, "last": last,
        "districts_england": int(len(active)), "london_excluded": int(london.sum()),
        "districts_outside_london": int(len(universe)),
        "dropped_no_data": int(no_data.sum()), "dropped_gaps": int(gaps.sum()),
        "dropped_no_pre_period": int((no_pre & ~no_data & ~gaps).sum()),
        "cohorts_without_pre_period": sorted(int(c) for c in units.loc[no_pre, "cohort"]
                                             .unique()),
        "districts_kept": int(keep.sum()),
        "treated_districts": int((kept["cohort"] > 0).sum()),
        "treated_authorities": int(kept.loc[kept["cohort"] > 0, "authority"].nunique()),
        "future_treated_controls": int(((kept["cohort"] == 0)
                                        & (kept["future_cohort"] > 0)).sum()),
        "per_cohort": {int(c): {"districts": int(r["districts"]),
                                "authorities": int(r["authorities"])}
                       for c, r in per_cohort.iterrows()},
    }
    return panel.reset_index(drop=True), accounting


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
        ``event_pretrend`` (:func:`event_pretrend_test`, clustered, 5 leads) and
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
    treated = int(panel.loc[panel["cohort"] > 0, cluster or "lad_code"].nunique())
    result.extra["event_pretrend"] = event_pretrend_test(result, clusters,
                                                         treated_clusters=treated)
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
            "pretrend_pvalue": result.extra.get("pretrend_pvalue")}


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


def threat_checks(panel: pd.DataFrame, outcome: str, boundaries: Any | None = None,
                  ) -> pd.DataFrame:
    """The headline and each robustness check as one tidy row (simple ATT, clustered SE):
    anticipation of 1 and 2 years, no bordering controls (if ``boundaries``), no 2020-21,
    no North of Tyne districts, not-yet-treated controls."""
    rows = [_as_row("headline", devolution_att(panel, outcome))]
    for k in (1, 2):
        rows.append(_as_row(f"anticipation {k} year{'s' if k > 1 else ''}",
                            anticipation_check(panel, outcome, k)))
    if boundaries is not None:
        rows.append(_as_row("no bordering controls",
                            spillover_check(panel, outcome, boundaries)))
    rows.append(_as_row("without 2020-21", pandemic_check(panel, outcome)))
    rows.append(_as_row("without North of Tyne", composition_check(panel, outcome)))
    rows.append(_as_row("not-yet-treated controls",
                        devolution_att(panel, outcome, control="notyet")))
    return pd.DataFrame(rows)


def sdid_by_cohort(panel: pd.DataFrame, outcome: str, *, replications: int = 50,
                   seed: int = 0) -> pd.DataFrame:
    r"""Synthetic DiD (Arkhangelsky et al. 2021) per cohort against never-treated districts.

    For each cohort :math:`g`: a block design of cohort-:math:`g` districts (treated from
    :math:`g`) and cohort-0 districts; other cohorts dropped. SEs by the unit bootstrap
    (Algorithm 2, ``replications`` draws, seeded), which ignores clustering within an
    authority. Slow: each replication refits the weights (about 65 s for 50 replications
    and four cohorts of the GVA-per-hour panel on 2 cores).

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
                            treated="_treated", se_replications=replications, seed=seed)
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


__all__ = ["OUTCOMES", "Outcome", "anticipation_check", "authority_cohort_att",
           "bordering_districts", "cell_pretrend_test", "composition_check", "devolution_att",
           "devolution_panel", "event_pretrend_test", "fast_att_gt", "fast_simple_att",
           "outcome_series", "panel_matrix", "pandemic_check", "randomisation_inference",
           "sdid_by_cohort", "spillover_check", "threat_checks", "wild_cluster_bootstrap"]
