"""Method demonstration: K-densities and firm clusters on the SYNTHETIC firm register.

No open file locates every firm, so these sections run on the synthetic register of
:func:`~wmresearch.colocation.firms.synthetic_firm_register` (calibrated on Census 2011
workplaces, BRES and UK Business Counts, with planted clusters) and are labelled SYNTHETIC.
K-densities are Duranton & Overman (2005) with random-location bands
(:func:`~wmresearch.colocation.kdensity.k_density`, simulated on one Dask cluster for the whole
section); firm clusters are HDBSCAN outlines
(:func:`~wmresearch.colocation.firm_clusters.firm_clusters`), published only through the
disclosure check of :mod:`wmresearch.reporting.disclosure` (threshold and dominance rules).
These sections show that the methods recover clusters planted by construction; they state no
finding about a real industry or a Plan for Growth cluster, and the disclosure check on them
is a demonstration (the firms are invented).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from wmresearch.colocation.firm_clusters import firm_clusters
from wmresearch.colocation.firms import EVIDENCE_FILES, synthetic_firm_register
from wmresearch.colocation.industry_clusters import adjusted_rand_index
from wmresearch.colocation.kdensity import KdResult, k_density
from wmresearch.colocation.report import Context, fmt, missing
from wmresearch.reporting.charts import house_style, show, wrap
from wmresearch.reporting.disclosure import (
    CONFIDENTIAL,
    assert_not_disclosive,
    cell_contributions,
    disclosure_check,
)
from wmresearch.reporting.display import synthetic_notice
from wmresearch.reporting.tables import show_table

SRC_SYN = ("SYNTHETIC firm register of invented firms, calibrated on ONS Census "
           "2011 WP605EW, BRES and UK Business Counts; not real firms")
SRC_BDY = "ONS MSOA 2011 boundaries dissolved to districts; contains OS data (c) Crown copyright"
REGISTER_KEYS = ("scale", "jitter_m")


def register(ctx: Context, synthetic_firms: Mapping[str, Any]) -> None:
    """Draw the synthetic register for the area (once) and say how it is made."""
    tables = {key: ctx.tables.get(name) for key, name in EVIDENCE_FILES.items()}
    absent = [EVIDENCE_FILES[k] for k, v in tables.items() if v is None]
    if absent:
        missing(f"The tables the synthetic firm register is calibrated on ({', '.join(absent)})",
                ctx, "synthetic_register")
        ctx.cache["register"] = None
        return
    options = {k: synthetic_firms[k] for k in REGISTER_KEYS if k in synthetic_firms}
    reg = synthetic_firm_register(ctx.area.lads, seed=ctx.seed, **tables, **options,
                                  oa_lookup=ctx.tables.get("oa_lookup_2011"))
    reg_all = reg.firms
    derived = sorted(reg.msoas.loc[reg.msoas["centroid_derived"], "msoa11_code"].astype(str))
    outside = reg_all["msoa11_code"].isin(_msoas_outside(ctx, reg.msoas))
    reg.firms = reg.firms[~outside].reset_index(drop=True)
    ctx.cache["register"] = reg
    display(synthetic_notice(reg_all.attrs.get("synthetic", SRC_SYN)))
    truth = reg.truth
    display(Markdown(
        f"{len(reg.firms):,} synthetic firms ({fmt(100 * options.get('scale', 1.0), '.0f')}% "
        f"of the area's Census 2011 workplace jobs represented), seed {ctx.seed}. Planted "
        "clusters, known by construction, let the methods below be checked: "
        + "; ".join(f"{r.name} (SIC {r.sic_prefix}, {r.n_firms} firms within "
                    f"{r.radius_m / 1000:g} km)" for r in truth.itertuples()) + "."
        + (f" {int(outside.sum()):,} drawn firms fell outside the area's district boundaries "
           f"(the point of their MSOA lies elsewhere: MSOA(s) "
           f"{', '.join(sorted(set(reg_all.loc[outside, 'msoa11_code'])))}) and are left out."
           if outside.any() else "")
        + (f" {len(derived)} MSOA(s) ({', '.join(derived)}) are placed at the mean of their "
           "LSOAs' population-weighted centroids, because their own centroid in the ONS file "
           "lies far from them (rejected by the evidence stage)." if derived else "")))
    ctx.metrics["synthetic_firms_outside_area"] = int(outside.sum())
    ctx.outputs["synthetic_planted_clusters"] = truth


def _kd_plot(ctx: Context, result: KdResult, name: str) -> None:
    t = result.table.assign(km=result.table["r"] / 1000)
    house_style()
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.fill_between(t["km"], t["local_lo"], t["local_hi"], color="0.8",
                    label=f"local band ({100 * (1 - 2 * result.alpha):.0f}%)")
    ax.plot(t["km"], t["global_hi"], "k--", lw=1, label="global bands")
    ax.plot(t["km"], t["global_lo"], "k--", lw=1)
    ax.plot(t["km"], t["kd"], lw=2, color="C3", label="K-density")
    ax.legend(frameon=False)
    what = f"co-location of {name} firms" if result.neighbour else f"K-density of {name} firms"
    title = f"SYNTHETIC method demonstration: {what}"
    ax.set(title=wrap(title, 70), xlabel="Distance between firms (km)",
           ylabel="Density of pair distances")
    peak = t.loc[t["kd"].idxmax()]
    alt = (f"K-density peaks at {peak['km']:.1f} km; localisation index Gamma "
           f"{result.gamma:.3g} ({'above' if result.localised else 'not above'} the upper "
           f"global band); {result.n_firms + result.n_neighbours} firms among "
           f"{result.n_sites} sites.")
    ref = "Duranton & Overman 2008" if result.neighbour else "Duranton & Overman 2005"
    show(fig, title=title, alt=alt,
         sources=[SRC_SYN, f"{result.n_simulations} random-location simulations ({ref})"])


def _above_band(result: KdResult) -> tuple[float, float]:
    """First and last distance (km) where the K-density is above its upper global band."""
    t = result.table
    above = t.loc[t["kd"] > t["global_hi"], "r"] / 1000
    return (float(above.min()), float(above.max())) if len(above) else (np.nan, np.nan)


def k_densities(ctx: Context, *, simulations: int, cell_size: float, rmax_km: float,
                scheduler: str | None = None) -> None:
    """Method demonstration: DO (2005) K-density with bands for the industry of each PLANTED
    cluster of the synthetic register (its SIC prefix), at distances up to ``rmax_km`` (DO
    used 180 km for the whole UK; a city region needs less). The K-density should be above
    the upper global band at distances within the planted disc's diameter: that is what
    "recovered" means in the table. Nothing here is a finding about a real industry.

    ``scheduler``: ``None`` starts one Dask ``LocalCluster`` for the section; otherwise a
    scheduler address or a local scheduler name, passed to ``k_density``.
    """
    reg = ctx.cache.get("register")
    if reg is None:
        missing("The synthetic firm register", ctx, "k_density")
        return
    firms = reg.firms
    display(synthetic_notice("K-densities below are computed on synthetic firms, to show "
                             "that the method finds the clusters planted in them."))
    runs: dict[str, tuple[Any, KdResult]] = {}
    owned = None
    if scheduler is None:
        from dask.distributed import LocalCluster

        owned = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                             processes=True, dashboard_address=None)
        scheduler = owned.scheduler_address
    with owned if owned is not None else nullcontext():
        for row in reg.truth.itertuples():
            label = np.where(firms["sic_code"].str.startswith(row.sic_prefix), row.name, "")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = k_density(firms.assign(kd_label=label), row.name, x="easting",
                                y="northing", label="kd_label", method="binned",
                                cell_size=cell_size, rmax=1000 * rmax_km,
                                n_simulations=simulations, seed=ctx.seed,
                                scheduler=scheduler, progress=False)
            runs[row.name] = (row, res)
    rows = []
    for name, (planted, res) in runs.items():
        _kd_plot(ctx, res, f"SIC {planted.sic_prefix} (planted: {name})")
        low, high = _above_band(res)
        diameter = 2 * planted.radius_m / 1000
        rows.append({"planted cluster": name, "SIC division": planted.sic_prefix,
                     "planted firms": planted.n_firms, "firms of the division": res.n_firms,
                     "planted disc diameter (km)": diameter,
                     "above the band from (km)": low, "to (km)": high, "Γ": res.gamma,
                     "recovered": "yes" if res.localised and low <= diameter else "no"})
    summary = pd.DataFrame(rows)
    if len(summary):
        recovered = int(summary["recovered"].eq("yes").sum())
        display(Markdown(
            f"**Does the method recover the planted clusters?** In {recovered} of "
            f"{len(summary)} planted industries the K-density is localised (above the upper "
            "global band) at distances within the planted disc's diameter. Localisation index "
            "Γ (area between the K-density and the upper global band where it is above it), "
            f"Duranton & Overman (2005); binned estimator on {cell_size:g} m cells, distances "
            f"up to {rmax_km:g} km; {simulations} simulations placing each industry's firms "
            "on random sites of the whole synthetic register. The firms of a division include "
            "the planted ones and those drawn elsewhere, so the planted signal is diluted as "
            "it would be in real data."))
        show_table(summary, formats={"Γ": "{:.3g}", "planted disc diameter (km)": "{:.1f}",
                                     "above the band from (km)": "{:.1f}", "to (km)": "{:.1f}"},
                   missing="never above", sources=[SRC_SYN])
        ctx.outputs["demo_kd_summary"] = summary.assign(synthetic=True)
    ctx.metrics.setdefault("method_demonstration", {"synthetic": True})[
        "kd_planted_recovered"] = {n: r == "yes" for n, r in
                                   zip(summary.get("planted cluster", []),
                                       summary.get("recovered", []), strict=True)}


def _districts(ctx: Context) -> gpd.GeoDataFrame | None:
    shapes = ctx.tables.get("msoa11_boundaries")
    lads = ctx.area.lads
    if shapes is None or not set(lads["lad_code"]) <= set(shapes["lad_code"]):
        return None
    out = shapes[shapes["lad_code"].isin(lads["lad_code"])].dissolve("lad_code").reset_index()
    return out.merge(lads[["lad_code", "lad_name"]], on="lad_code")


def _msoas_outside(ctx: Context, msoas: pd.DataFrame) -> set[str]:
    """MSOAs whose point (as drawn: its centroid, or its LSOAs' mean where the centroid was
    misplaced) lies outside the area's districts (none when the boundaries are not
    available). Jitter may put a firm just over a boundary; that is kept."""
    districts = _districts(ctx)
    if districts is None:
        return set()
    points = gpd.points_from_xy(msoas["easting"], msoas["northing"], crs=districts.crs)
    return set(msoas.loc[~points.within(districts.buffer(1.0).union_all()), "msoa11_code"])


def _disclosed(ctx: Context, firms: pd.DataFrame, outlines: pd.DataFrame,
               labels: pd.DataFrame, rules: Mapping[str, Any]) -> pd.DataFrame:
    member = labels[labels["cluster"] >= 0].merge(firms[["firm_id", "employment"]],
                                                  on="firm_id")
    member["cluster_name"] = member["industry_group"] + " #" + (member["cluster"] + 1).astype(str)
    cells = cell_contributions(member, ["cluster_name"], "employment")
    kw = {"min_count": int(rules.get("min_firms", 10)),
          "dominance_share": float(rules.get("dominance_share", 0.5))}
    result = disclosure_check(cells, row="cluster_name", count_col="firms",
                              value_col="employment", contributors="largest",
                              second_col="second", **kw)
    assert_not_disclosive(result.table, row="cluster_name", count_col="firms",
                          value_col="employment", contributors="largest", **kw)
    shown = result.table.set_index("cluster_name")
    info = outlines.assign(cluster_name=outlines["industry_group"] + " #"
                           + (outlines["cluster"] + 1).astype(str)).set_index("cluster_name")
    table = pd.DataFrame({
        "firms": shown["firms"].map(lambda v: CONFIDENTIAL if pd.isna(v) else f"{v:,.0f}"),
        "employment": shown["employment"].map(
            lambda v: CONFIDENTIAL if pd.isna(v) else f"{v:,.0f}")})
    table["area (km²)"] = info["area_km2"].reindex(table.index).map(
        lambda v: fmt(v, ".2f")).where(table.index != "Total", "")
    table["stability (Jaccard)"] = info["stability"].reindex(table.index).map(
        lambda v: fmt(v, ".2f")).where(table.index != "Total", "")
    comp = info["composition"].reindex(table.index).fillna("")
    table["leading SIC subclasses"] = comp.where(~shown["suppressed"], CONFIDENTIAL)
    ctx.metrics.setdefault("method_demonstration", {"synthetic": True})[
        "disclosure_cells_suppressed"] = int(shown["suppressed"].sum())
    return table.reset_index().rename(columns={"cluster_name": "cluster"})


def _map(ctx: Context, firms: pd.DataFrame, outlines: gpd.GeoDataFrame,
         truth: pd.DataFrame) -> None:
    house_style()
    fig, ax = plt.subplots(figsize=(10, 8))
    districts = _districts(ctx)
    if districts is not None:
        districts.boundary.plot(ax=ax, color="0.3", lw=0.8)
        for row in districts.itertuples():
            pt = row.geometry.representative_point()
            ax.annotate(row.lad_name, (pt.x, pt.y), ha="center", fontsize=8, color="0.2")
    else:  # no boundaries: name each district at the mean of its synthetic firms
        where = firms.groupby("lad_code")[["easting", "northing"]].median()
        for code, name in zip(ctx.area.lads["lad_code"], ctx.area.lads["lad_name"],
                              strict=True):
            if code in where.index:
                ax.annotate(name, tuple(where.loc[code]), ha="center", fontsize=8,
                            color="0.2", bbox={"fc": "white", "alpha": 0.6, "lw": 0})
    ax.scatter(firms["easting"], firms["northing"], s=1, color="0.6", label="group firms")
    groups = list(dict.fromkeys(outlines["industry_group"]))
    for i, group in enumerate(groups):
        mine = outlines[outlines["industry_group"] == group]
        mine.plot(ax=ax, color=f"C{i}", alpha=0.45, edgecolor=f"C{i}", lw=1.5)
        ax.plot([], [], color=f"C{i}", lw=6, alpha=0.45, label=wrap(group, 30))
    ax.scatter(truth["centre_easting"], truth["centre_northing"], marker="x", color="k",
               s=60, label="planted cluster centres")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    if districts is None:  # stray MSOA centroids (see the register note) would shrink the map
        lo, hi = firms[["easting", "northing"]].quantile([0.01, 0.99]).to_numpy()
        ax.set(xlim=(lo[0] - 3000, hi[0] + 3000), ylim=(lo[1] - 3000, hi[1] + 3000))
    ax.set_axis_off()
    ax.set_aspect("equal")
    title = "SYNTHETIC method demonstration: firm clusters found by HDBSCAN"
    ax.set_title(wrap(title, 70))
    alt = (f"Map of {len(outlines)} cluster outlines in {len(groups)} industry groups over "
           f"{len(firms):,} synthetic firms; planted cluster centres marked with crosses"
           + (f"; district boundaries and names of {', '.join(districts['lad_name'])}"
              if districts is not None else "; district boundaries are not in the evidence base, "
              "so district names sit at the median of their synthetic firms") + ".")
    show(fig, title=title, alt=alt, sources=[SRC_SYN] + ([SRC_BDY] if districts is not None
                                                          else []))


def firm_cluster_map(ctx: Context, synthetic_firms: Mapping[str, Any],
                     disclosure: Mapping[str, Any]) -> None:
    """Section 8: HDBSCAN firm clusters of industry groups, mapped and disclosure-checked."""
    reg = ctx.cache.get("register")
    if reg is None:
        missing("The synthetic firm register", ctx, "firm_clusters")
        return
    groups = {str(k): [str(c) for c in v] for k, v in synthetic_firms["groups"].items()}
    found = firm_clusters(reg.firms, industry_groups=groups,
                          min_cluster_size=int(synthetic_firms.get("min_cluster_size", 15)),
                          n_boot=int(synthetic_firms.get("n_boot", 10)), seed=ctx.seed)
    outlines, labels = found.outlines, found.labels.drop_duplicates("firm_id")
    pred = pd.Series(np.where(labels["cluster"] >= 0, labels["industry_group"] + ":"
                              + labels["cluster"].astype(str), "noise"),
                     index=labels["firm_id"].to_numpy())
    truth = reg.firms.set_index("firm_id")["planted"].reindex(pred.index)
    ari = adjusted_rand_index(pred, truth)
    display(synthetic_notice("firm clusters below are found in synthetic firms, to show "
                             "that the method recovers the planted clusters."))
    display(Markdown(
        "HDBSCAN (Campello, Moulavi & Sander 2013) on the British National Grid locations of "
        "each industry group's firms: "
        + "; ".join(f"{g} (SIC {', '.join(c)})" for g, c in groups.items())
        + f". {len(outlines)} clusters found (minimum cluster size "
        f"{synthetic_firms.get('min_cluster_size', 15)} firms); stability is the mean "
        "cluster-wise Jaccard over bootstrap subsamples (Hennig 2007: ≥ 0.75 stable). "
        f"**Does the method recover the planted clusters?** Adjusted Rand index of HDBSCAN "
        f"against the planted labels **{fmt(ari, '.3f')}** (1 = exactly the planted "
        "clusters, 0 = no better than chance; all unplanted firms as one group). The outlines "
        "describe invented firms, not where real firms are."))
    group_firms = reg.firms[reg.firms["firm_id"].isin(labels["firm_id"])]
    _map(ctx, group_firms, outlines, reg.truth)
    if len(outlines):
        table = _disclosed(ctx, reg.firms, outlines, labels, disclosure)
        display(Markdown(
            "**Disclosure control, demonstrated.** The firms are invented, so nothing here is "
            "confidential; the table shows how the rules would treat real firm data: cells "
            f"with fewer than {disclosure.get('min_firms', 10)} firms, or where one firm has "
            f"more than {100 * float(disclosure.get('dominance_share', 0.5)):.0f}% of the "
            f"employment, are suppressed ({CONFIDENTIAL}), with secondary suppression so they "
            "cannot be recovered from the total."))
        show_table(table, sources=[SRC_SYN], caption="SYNTHETIC demonstration of "
                   "disclosure control: firm clusters of invented firms")
    ctx.outputs["firm_cluster_outlines"] = outlines.drop(columns=["composition"])
    ctx.metrics.setdefault("method_demonstration", {"synthetic": True}).update(
        {"hdbscan_clusters_found": len(outlines), "hdbscan_ari_planted": ari})
