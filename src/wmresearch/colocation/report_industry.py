"""Report section 6: data-driven industry clusters (Delgado, Porter & Stern 2016).

Industries (SIC 4-digit classes) are related by where they locate across GB ITL2 areas
(:func:`~wmresearch.colocation.relatedness.combined_relatedness`: LQ correlation and
Ellison-Glaeser-Kerr 2010 co-agglomeration, averaged as percentile ranks), grouped by
hierarchical clustering with the number of clusters chosen by validation scores
(:func:`~wmresearch.colocation.industry_clusters.choose_industry_clusters`), and compared with
SIC divisions (adjusted Rand index) and the Plan for Growth clusters
(:func:`~wmresearch.colocation.industry_clusters.compare_with_plan`). Formulae and references
are in those modules.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display

from wmresearch.colocation.industry_clusters import (
    adjusted_rand_index,
    choose_industry_clusters,
    compare_with_plan,
)
from wmresearch.colocation.lq import region_lq_table
from wmresearch.colocation.relatedness import combined_relatedness
from wmresearch.colocation.report import SRC_BRES, Context, fmt, missing
from wmresearch.colocation.report_plan import SRC_PLAN, plan
from wmresearch.reporting.charts import house_style, line_chart, show, wrap
from wmresearch.reporting.tables import show_table

HEATMAP_MAX = 30


def _class_table(ctx: Context) -> pd.DataFrame | None:
    bres = ctx.tables.get("bres_itl2_sic5")
    if bres is None:
        return None
    rows = bres[(bres["year"] == ctx.year) & ~bres["sic_code"].eq("01000")]
    return (rows.assign(sic4=rows["sic_code"].astype(str).str[:4],
                        employment=pd.to_numeric(rows["employment"]).astype(float).fillna(0.0))
            .groupby(["itl2_code", "sic4"], as_index=False)["employment"].sum())


def _class_names(ctx: Context) -> pd.Series:
    sic = ctx.tables.get("sic2007")
    if sic is None or "sic4_code" not in sic:
        return pd.Series(dtype="string")
    # the SIC table names subclasses and groups, not classes: a class with one subclass
    # takes its name, others their group's name
    counts = sic.groupby("sic4_code")["sic5_code"].transform("size")
    named = sic.assign(name=sic["sic5_name"].where(counts == 1, sic["sic3_name"] + " (group)"))
    return named.drop_duplicates("sic4_code").set_index("sic4_code")["name"]


def industry_clusters(ctx: Context, n_clusters_range: Sequence[int],
                      min_gb_employment: float = 5000.0) -> None:
    """Section 6: chosen k with validation scores, co-agglomeration heatmap, plan vs data.

    ``n_clusters_range`` is ``[low, high]`` (inclusive); classes with GB employment at or
    below ``min_gb_employment`` are left out (listed in the text).
    """
    cells = _class_table(ctx)
    if cells is None:
        missing("BRES employment by SIC subclass (bres_itl2_sic5)", ctx, "industry_clusters")
        return
    low, high = int(n_clusters_range[0]), int(n_clusters_range[-1])
    sim = combined_relatedness(cells, area="itl2_code", industry="sic4", value="employment",
                               min_employment=min_gb_employment)
    found = choose_industry_clusters(sim, range(low, high + 1))
    labels = found.labels
    ari = adjusted_rand_index(labels, labels.index.to_series().str[:2])
    chosen = found.scores.loc[found.k]
    excluded = sim.attrs["excluded"]
    display(Markdown(
        f"{len(sim)} SIC 4-digit classes with more than {min_gb_employment:,.0f} GB employees "
        f"in BRES {ctx.year} ({len(excluded)} smaller classes left out) are related by where "
        f"they locate across the {cells['itl2_code'].nunique()} GB ITL2 areas: the "
        "correlation of their location quotients and their Ellison-Glaeser-Kerr (2010) "
        "co-agglomeration, averaged as percentile ranks (Delgado, Porter & Stern 2016). "
        f"Average-linkage clustering for k = {low} to {high} clusters; the silhouette picks "
        f"**k = {found.k}** (silhouette {fmt(chosen['silhouette'], '.3f')}; "
        f"{fmt(100 * chosen['own_cluster_share'], '.0f', '%')} of industries are more related "
        "to their own cluster than to any other; within/between relatedness ratio "
        f"{fmt(chosen['within_between_ratio'], '.2f')}). Agreement with SIC divisions: "
        f"adjusted Rand index **{fmt(ari, '.3f')}** (1 = the same grouping, 0 = chance)."))
    scores = found.scores
    line_chart({"silhouette": scores["silhouette"],
                "share more related to own cluster": scores["own_cluster_share"]},
               title=f"Validation scores by number of clusters, BRES {ctx.year}",
               xlabel="Number of clusters k", ylabel="Score", sources=[
                   SRC_BRES.format(year=ctx.year) + ", GB ITL2 areas"])
    _heatmap(ctx, cells, sim, labels)
    p = plan(ctx)
    confirmed = _plan_comparison(ctx, labels, p) if p is not None else None
    if p is None:
        missing("The SIC 2007 hierarchy (sic2007), needed for the plan's codes,")
    ctx.outputs["industry_clusters_sic4"] = labels.rename("cluster").rename_axis(
        "sic4_code").reset_index()
    ctx.outputs["industry_cluster_scores"] = scores.reset_index()
    ctx.metrics |= {"chosen_k": found.k, "ari_sic_divisions": ari,
                    "industries_clustered": len(sim)}
    if confirmed is not None:
        ctx.metrics |= confirmed


def _heatmap(ctx: Context, cells: pd.DataFrame, sim: pd.DataFrame,
             labels: pd.Series) -> None:
    coagg = sim.attrs["components"]["coagglomeration"]
    lq = region_lq_table(cells, ctx.area.itl2_codes, area_col="itl2_code",
                         industry_col="sic4", min_size=ctx.min_employment)
    lq = lq[lq["sic4"].isin(sim.index)].dropna(subset=["lq"]).nlargest(HEATMAP_MAX, "lq")
    if len(lq) < 2:
        display(Markdown("_Too few of the area's industries reach the minimum size for a "
                         "co-agglomeration heatmap._"))
        return
    order = sorted(lq["sic4"], key=lambda c: (labels[c], c))
    names = _class_names(ctx)
    matrix = coagg.loc[order, order]
    house_style()
    fig, ax = plt.subplots(figsize=(13, 11))
    sns.heatmap(matrix, cmap="RdBu_r", center=0, square=True, ax=ax,
                cbar_kws={"label": "EGK co-agglomeration index"},
                xticklabels=[f"{c} (k{labels[c]})" for c in order],
                yticklabels=[wrap(f"{c} {names.get(c, '')} (cluster {labels[c]})", 60)
                             for c in order])
    ax.tick_params(labelsize=7)
    title = (f"Co-agglomeration across GB ITL2 areas of the {len(order)} most specialised "
             f"industries of {ctx.area.name}, ordered by data-driven cluster, {ctx.year}")
    ax.set(title=wrap(title, 80), xlabel="", ylabel="")
    values = matrix.to_numpy(float, copy=True)
    np.fill_diagonal(values, np.nan)
    i, j = np.unravel_index(np.nanargmax(values), values.shape)
    alt = (f"{len(order)} x {len(order)} matrix; diagonal blank; the most co-agglomerated "
           f"pair is {order[i]} and {order[j]} ({values[i, j]:.4f}).")
    show(fig, title=title, alt=alt, sources=[SRC_BRES.format(year=ctx.year) +
                                             "; industries ranked by area LQ"])


def _plan_comparison(ctx: Context, labels: pd.Series, p) -> dict[str, float]:
    core = p.sic5[p.sic5["tier"] == "core"]
    found = compare_with_plan(labels, core)
    names = dict(zip(p.clusters["id"], p.clusters["name"], strict=True))
    homes = (found.overlap.groupby("plan_cluster")
             .apply(lambda d: ", ".join(f"{int(r.data_cluster)} ({r.n_shared})"
                                        for r in d.head(4).itertuples()), include_groups=False)
             .rename("data-driven clusters (classes)"))
    table = found.confirmation.set_index("plan_cluster").join(homes).reset_index()
    table.insert(0, "cluster", table["plan_cluster"].map(names))
    table["share_confirmed"] = 100 * table["share_confirmed"]
    display(Markdown(
        "Plan for Growth clusters (core codes, at SIC 4-digit class) beside the data-driven "
        "clusters: a plan class is *confirmed* when another class of the same plan cluster "
        "falls in its data-driven cluster. Classes too small to cluster are not counted."))
    show_table(table.drop(columns="plan_cluster").rename(columns={
        "n_listed": "plan classes", "n_codes": "clustered", "n_confirmed": "confirmed",
        "share_confirmed": "% confirmed"}),
               formats={"% confirmed": "{:.0f}"}, sources=[SRC_PLAN])
    ctx.outputs["plan_vs_data_clusters"] = found.codes
    return {"plan_codes_confirmed": int(found.confirmation["n_confirmed"].sum()),
            "plan_codes_clustered": int(found.confirmation["n_codes"].sum())}
