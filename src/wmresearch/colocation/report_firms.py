"""Report sections 7-8: K-densities and firm clusters on the SYNTHETIC firm register.

No open file locates every firm, so these sections run on the synthetic register of
:func:`~wmresearch.colocation.firms.synthetic_firm_register` (calibrated on Census 2011
workplaces, BRES and UK Business Counts, with planted clusters) and are labelled SYNTHETIC.
K-densities are Duranton & Overman (2005) with random-location bands
(:func:`~wmresearch.colocation.kdensity.k_density`, simulated on one Dask cluster for the whole
section); firm clusters are HDBSCAN outlines
(:func:`~wmresearch.colocation.firm_clusters.firm_clusters`), published only through the
disclosure check of :mod:`wmresearch.reporting.disclosure` (threshold and dominance rules).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
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
from wmresearch.colocation.report_plan import plan
from wmresearch.reporting.charts import house_style, show, wrap
from wmresearch.reporting.disclosure import (
    CONFIDENTIAL,
    assert_not_disclosive,
    cell_contributions,
    disclosure_check,
)
from wmresearch.reporting.display import synthetic_notice
from wmresearch.reporting.tables import show_table

SRC_SYN = ("SYNTHETIC firm register (wmresearch.colocation.firms), calibrated on ONS Census "
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
    title = f"SYNTHETIC: {what}, {ctx.area.name}"
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


def k_densities(ctx: Context, clusters: Sequence[str], *, simulations: int,
                cell_size: float, rmax_km: float, scheduler: str | None = None,
                pairs: Sequence[Sequence[str]] = ()) -> None:
    """Section 7: DO (2005) K-density with bands for plan ``clusters`` (core+extended codes),
    at distances up to ``rmax_km`` (DO used 180 km for the whole UK; a city region needs less),
    and the co-location K-density (DO 2008) of each pair of clusters in ``pairs``. A SIC code
    in both clusters of a pair stays with the first.

    ``scheduler``: ``None`` starts one Dask ``LocalCluster`` for the section; otherwise a
    scheduler address or a local scheduler name, passed to ``k_density``.
    """
    reg, p = ctx.cache.get("register"), plan(ctx)
    if reg is None or p is None:
        missing("The synthetic firm register or the plan's SIC codes", ctx, "k_density")
        return
    firms = reg.firms
    display(synthetic_notice("K-densities below are computed on synthetic firms."))
    runs: dict[str, tuple[str, KdResult]] = {}
    notes: list[str] = []
    owned = None
    if scheduler is None:
        from dask.distributed import LocalCluster

        owned = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                             processes=True, dashboard_address=None)
        scheduler = owned.scheduler_address
    names = dict(zip(p.clusters["id"], p.clusters["name"], strict=True))
    jobs = [(cid, None) for cid in clusters] + [(a, b) for a, b in pairs]
    with owned if owned is not None else nullcontext():
        for cid, other in jobs:
            label = np.where(firms["sic_code"].isin(p.members(cid)), cid, "")
            if other is not None:
                label = np.where((label == "") & firms["sic_code"].isin(p.members(other)),
                                 other, label)
            sites = firms.assign(kd_label=label)
            name = names[cid] if other is None else f"{names[cid]} and {names[other]}"
            if min((label == c).sum() for c in (cid, other or cid)) < 2:
                notes.append(f"{name}: fewer than 2 synthetic firms, not estimated")
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = k_density(sites, cid, x="easting", y="northing", label="kd_label",
                                neighbour=other, method="binned", cell_size=cell_size,
                                rmax=1000 * rmax_km, n_simulations=simulations, seed=ctx.seed,
                                scheduler=scheduler, progress=False)
            notes += [f"{name}: {w.message}" for w in caught if "bandwidth" in str(w.message)]
            runs[cid if other is None else f"{cid}+{other}"] = (name, res)
    for name, res in runs.values():
        _kd_plot(ctx, res, name)
    summary = pd.DataFrame([{"cluster": name, "firms": r.n_firms + r.n_neighbours,
                             "gamma": r.gamma,
                             "psi": r.psi, "localised": "yes" if r.localised else "no",
                             "bandwidth_m": r.bandwidth} for name, r in runs.values()])
    if len(summary):
        display(Markdown(
            "Localisation index Γ (area between the K-density and the upper global band "
            "where it is above it) and dispersion index Ψ, Duranton & Overman (2005). "
            f"Binned estimator on {cell_size:g} m cells, distances up to {rmax_km:g} km; "
            f"{simulations} simulations placing "
            "each industry's firms on random sites of the whole register. For a pair of "
            "clusters the K-density is of the distances between a firm of one and a firm of "
            "the other (co-location, Duranton & Overman 2008), and both are placed at random "
            "together."))
        show_table(summary.rename(columns={"gamma": "Γ", "psi": "Ψ",
                                           "bandwidth_m": "bandwidth (m)"}),
                   formats={"Γ": "{:.3g}", "Ψ": "{:.3g}", "bandwidth (m)": "{:,.0f}"},
                   sources=[SRC_SYN])
        ctx.outputs["kd_summary"] = summary.assign(cluster_id=list(runs), synthetic=True)
    if notes:
        display(Markdown("Notes: " + "; ".join(notes) + "."))
    ctx.metrics["kd_localised"] = {cid: bool(r.localised) for cid, (_, r) in runs.items()}


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
    ctx.metrics["firm_cluster_cells_suppressed"] = int(shown["suppressed"].sum())
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
    title = f"SYNTHETIC: firm clusters found by HDBSCAN, {ctx.area.name}"
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
    display(synthetic_notice("firm clusters below are found in synthetic firms."))
    display(Markdown(
        "HDBSCAN (Campello, Moulavi & Sander 2013) on the British National Grid locations of "
        "each industry group's firms: "
        + "; ".join(f"{g} (SIC {', '.join(c)})" for g, c in groups.items())
        + f". {len(outlines)} clusters found (minimum cluster size "
        f"{synthetic_firms.get('min_cluster_size', 15)} firms); stability is the mean "
        "cluster-wise Jaccard over bootstrap subsamples (Hennig 2007: ≥ 0.75 stable). "
        f"Recovery of the planted clusters: adjusted Rand index **{fmt(ari, '.3f')}** "
        "between the clusters found and the planted ones (all other firms as one group)."))
    group_firms = reg.firms[reg.firms["firm_id"].isin(labels["firm_id"])]
    _map(ctx, group_firms, outlines, reg.truth)
    if len(outlines):
        table = _disclosed(ctx, reg.firms, outlines, labels, disclosure)
        display(Markdown(
            f"Cells with fewer than {disclosure.get('min_firms', 10)} firms, or where one firm "
            f"has more than {100 * float(disclosure.get('dominance_share', 0.5)):.0f}% of the "
            f"employment, are suppressed ({CONFIDENTIAL}), with secondary suppression so they "
            "cannot be recovered from the total."))
        show_table(table, sources=[SRC_SYN])
    ctx.outputs["firm_cluster_outlines"] = outlines.drop(columns=["composition"])
    ctx.metrics |= {"firm_clusters_found": len(outlines), "planted_ari": ari}
