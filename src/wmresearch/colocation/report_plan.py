"""Report sections 3-5: cluster mapping, Ellison-Glaeser rankings, Plan for Growth clusters.

Statistics come from :mod:`~wmresearch.colocation.plan_clusters` (sizes, LQ, growth and Dunn
1960 shift-share of each cluster) and :mod:`~wmresearch.colocation.concentration` (Ellison &
Glaeser 1997 γ with the plant Herfindahl estimated from UK Business Counts size
bands); see their docstrings for formulae and references.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown, display

from wmresearch.colocation.concentration import ellison_glaeser, herfindahl_from_sizebands
from wmresearch.colocation.plan_clusters import (
    PlanClusters,
    compare_with_published,
    load_plan_clusters,
    size_plan_clusters,
)
from wmresearch.colocation.report import SRC_BRES, Context, fmt, missing
from wmresearch.reporting.charts import house_style, show, wrap
from wmresearch.reporting.tables import show_table

SRC_UKBC = "ONS, UK Business Counts {year}: enterprises by employment size band, GB (NOMIS)"
SRC_IDBR = "ONS, IDBR local units by SIC 4-digit class and NUTS2 area, {year} (NOMIS)"
SRC_PLAN = ("WMCA Plan for Growth (2022) cluster list; SIC codes: wmresearch definition "
            "(src/wmresearch/colocation/clusters.yaml)")
START_YEAR = 2015
WMCA = "E47000007"


def plan(ctx: Context) -> PlanClusters | None:
    """The validated Plan for Growth definitions (cached), or ``None`` without ``sic2007``."""
    if "plan" not in ctx.cache:
        sic = ctx.tables.get("sic2007")
        ctx.cache["plan"] = None if sic is None else load_plan_clusters(sic)
    return ctx.cache["plan"]


def plan_sizes(ctx: Context) -> pd.DataFrame | None:
    """:func:`size_plan_clusters` for the area, 2015 to the report year (cached)."""
    if "plan_sizes" not in ctx.cache:
        p, bres = plan(ctx), ctx.tables.get("bres_itl2_sic5")
        idbr = ctx.tables.get("idbr_nuts2_sic4")
        ready = p is not None and bres is not None and idbr is not None
        ctx.cache["plan_sizes"] = size_plan_clusters(
            p, bres, idbr, ctx.area.itl2_codes, sic=ctx.tables.get("sic2007"),
            start=START_YEAR, end=ctx.year) if ready else None
    return ctx.cache["plan_sizes"]


def _gb_growth(ctx: Context) -> float:
    bres = ctx.tables.get("bres_itl2_sic5")
    total = pd.to_numeric(bres["employment"]).astype(float).groupby(bres["year"]).sum()
    return float(total[ctx.year] / total[START_YEAR] - 1.0)


def cluster_map(ctx: Context) -> None:
    """Section 3: bubble chart of the plan clusters (core): LQ x growth x employment."""
    sizes = plan_sizes(ctx)
    if sizes is None:
        missing("BRES by SIC subclass, IDBR local units or the SIC 2007 hierarchy", ctx,
                "cluster_map")
        return
    core = sizes[(sizes["scope"] == "core") & ~sizes["cluster"].str.startswith("all_")]
    gb = _gb_growth(ctx)
    house_style()
    fig, ax = plt.subplots(figsize=(9, 6))
    area = 3000 * core["employment"] / core["employment"].max()
    ax.scatter(core["lq"], 100 * core["growth"], s=area, alpha=0.55,
               c=[f"C{i % 10}" for i in range(len(core))], edgecolors="k", linewidths=0.5)
    for row in core.itertuples():
        if np.isfinite(row.lq) and np.isfinite(row.growth):
            ax.annotate(wrap(row.name, 24), (row.lq, 100 * row.growth), fontsize=7.5,
                        ha="center", va="center")
    ax.axvline(1, color="k", lw=1, ls=":")
    ax.axhline(100 * gb, color="k", lw=1, ls=":")
    title = (f"{ctx.area.name}: Plan for Growth clusters (core codes), specialisation and "
             f"growth {START_YEAR}-{ctx.year}")
    ax.set(title=wrap(title, 70), xlabel=f"Location quotient vs Great Britain, {ctx.year}",
           ylabel=f"Employment growth {START_YEAR}-{ctx.year} (%)")
    top = core.sort_values("employment").iloc[-1]
    alt = (f"{len(core)} bubbles, area proportional to employment; dotted lines at LQ 1 and "
           f"GB growth {100 * gb:.1f}%. Largest: {top['name']} ({fmt(top['employment'])} "
           f"jobs, LQ {fmt(top['lq'], '.2f')}).")
    show(fig, title=title, alt=alt,
         sources=[SRC_BRES.format(year=f"{START_YEAR} and {ctx.year}"), SRC_PLAN])
    display(Markdown(
        f"Right of the vertical line: more concentrated in the area than in Great Britain; "
        f"above the horizontal line: employment grew faster than in Great Britain "
        f"({100 * gb:+.1f}%). Bubbles are sized by {ctx.year} employment."))


def _division_bands(ukbc: pd.DataFrame) -> pd.DataFrame:
    rows = ukbc[ukbc["year"] == ukbc["year"].max()]
    rows = rows.assign(division=rows["sic_code"].astype(str).str[:2],
                       enterprises=pd.to_numeric(rows["enterprises"]).fillna(0))
    return rows.groupby(["division", "sizeband_lower"], as_index=False, observed=True).agg(
        enterprises=("enterprises", "sum"), sizeband_upper=("sizeband_upper", "first"))


def eg_ranking(ctx: Context) -> None:
    """Section 4: Ellison-Glaeser (1997) localisation of SIC divisions across GB ITL2 areas."""
    bres, ukbc = ctx.tables.get("bres_itl2_sic2"), ctx.tables.get("ukbc_sizeband")
    if bres is None or ukbc is None:
        missing("BRES by division or UK Business Counts size bands", ctx, "ellison_glaeser")
        return
    rows = bres[bres["year"] == ctx.year]
    gaps = int(rows["employment"].isna().sum())
    cells = rows.assign(employment=pd.to_numeric(rows["employment"]).astype(float).fillna(0.0))
    gb = cells.groupby("sic_code")["employment"].sum()
    with warnings.catch_warnings():  # the lognormal fit probes extreme parameters on the way
        warnings.simplefilter("ignore", RuntimeWarning)
        h = herfindahl_from_sizebands(_division_bands(ukbc), industry="division",
                                      employment=gb)
    usable = h["H"].dropna()
    usable = usable[usable < 1]
    dropped = sorted(set(gb[gb > 0].index) - set(usable.index))
    eg = ellison_glaeser(cells[cells["sic_code"].isin(usable.index)], area="itl2_code",
                         industry="sic_code", value="employment", herfindahl=usable,
                         area_total=cells.groupby("itl2_code")["employment"].sum())
    names = bres.drop_duplicates("sic_code").set_index("sic_code")["sic_name"]
    eg = eg.reset_index().rename(columns={"index": "sic_code"})
    eg.insert(1, "sic_name", eg["sic_code"].map(names).fillna(""))
    eg["class"] = pd.cut(eg["gamma"], [-np.inf, 0.02, 0.05, np.inf],
                         labels=["not very localised", "moderately localised",
                                 "highly localised"], right=False).astype(str)
    lq = ctx.outputs.get("lq_region_sic2")
    if lq is not None:
        eg["area_lq"] = eg["sic_code"].map(lq.set_index("sic_code")["lq"])
    ctx.outputs["ellison_glaeser_sic2"] = eg
    unranked = f"; area LQ 'not available': under {ctx.min_employment:,.0f} area employees"
    ukbc_year = int(ukbc["year"].max())
    display(Markdown(
        f"Ellison-Glaeser (1997) index γ of each SIC division across the "
        f"{cells['itl2_code'].nunique()} ITL2 areas of Great Britain, BRES {ctx.year}. The "
        "index nets out the concentration expected if firms located at random, given how "
        "lumpy the industry's firms are (its plant Herfindahl H). H is not published: it is "
        f"estimated from UK Business Counts {ukbc_year} (enterprises by nine employment size "
        "bands, GB), fitting a lognormal firm-size distribution to the band counts and "
        "setting the open 1000+ band's mean so that the division's total matches BRES GB "
        "employment. Enterprises are not plants, so H is overstated and "
        "γ understated for multi-site industries. EG call "
        "γ > 0.05 highly and < 0.02 not very localised."
        + (f" {gaps} suppressed BRES cells count as 0." if gaps else "")
        + (f" Divisions without an estimate of H (no enterprises or an undefined top band): "
           f"{', '.join(dropped)}." if dropped else "")))
    top = eg.nlargest(ctx.top_n, "gamma")
    cols = ["sic_code", "sic_name", "employment", "H", "G", "gamma", "class"]
    cols += ["area_lq"] if "area_lq" in top else []
    show_table(top[cols].rename(columns={"sic_code": "SIC", "sic_name": "division",
                                         "employment": "GB employment", "gamma": "γ",
                                         "area_lq": "area LQ"}),
               formats={"GB employment": "{:,.0f}", "H": "{:.4f}", "G": "{:.4f}",
                        "γ": "{:.3f}", "area LQ": "{:.2f}"},
               sources=[SRC_BRES.format(year=ctx.year) + unranked,
                        SRC_UKBC.format(year=ukbc_year)])
    ctx.metrics["eg_highly_localised_divisions"] = int((eg["gamma"] > 0.05).sum())


def plan_clusters(ctx: Context) -> None:
    """Section 5: Plan for Growth clusters sized, beside the plan's published figures."""
    sizes, p = plan_sizes(ctx), plan(ctx)
    if sizes is None or p is None:
        missing("BRES by SIC subclass, IDBR local units or the SIC 2007 hierarchy", ctx,
                "plan_clusters")
        return
    ctx.outputs["plan_cluster_sizes"] = sizes
    table = sizes.assign(share=100 * sizes["share_of_region"], growth=100 * sizes["growth"])
    cols = {"name": "cluster", "scope": "codes", "employment": f"employment {ctx.year}",
            "share": "% of area jobs", "lq": "LQ", "growth": f"growth {START_YEAR}-{ctx.year} %",
            "national_growth": "national growth", "industry_mix": "industry mix",
            "regional_shift": "regional shift", "local_units": "local units"}
    display(Markdown(
        f"Each cluster's BRES employment in {ctx.year}, its share of the area's jobs, "
        f"location quotient, growth since {START_YEAR} and the Dunn (1960) shift-share split "
        "of the change in jobs (national growth + industry mix + regional shift = change). "
        "Businesses are IDBR local units "
        f"{sizes.attrs.get('idbr_year', '')} at SIC 4-digit class, an upper bound where a "
        "cluster holds only part of a class. The union rows count each job once (clusters "
        "overlap). WMCA has published no SIC definition of its clusters; the codes are "
        "wmresearch's, with a rationale and source for each."))
    show_table(table[list(cols)].rename(columns=cols),
               formats={cols["employment"]: "{:,.0f}", "% of area jobs": "{:.1f}",
                        "LQ": "{:.2f}", cols["growth"]: "{:+.1f}", "national growth": "{:+,.0f}",
                        "industry mix": "{:+,.0f}", "regional shift": "{:+,.0f}",
                        "local units": "{:,.0f}"},
               sources=[SRC_BRES.format(year=f"{START_YEAR} and {ctx.year}"),
                        SRC_IDBR.format(year=sizes.attrs.get("idbr_year", "")), SRC_PLAN])
    union = sizes[(sizes["cluster"] == "all_primary") & (sizes["scope"] == "core")]
    share = float(union["share_of_region"].iloc[0])
    ctx.metrics["plan_share_core"] = share
    if ctx.area.code != WMCA:
        display(Markdown(f"The plan's published figures describe the West Midlands Combined "
                         f"Authority, not {ctx.area.name}, so they are not compared here."))
        return
    published = compare_with_published(p, sizes)
    shown = published.assign(
        measured_text=[fmt(100 * m, ".1f", "%") if "share" in metric else fmt(m)
                       for m, metric in zip(published["measured"], published["metric"],
                                            strict=True)],
        within=published["within_range"].map({True: "yes", False: "no"}).fillna(
            "not comparable (a 2030 flow vs today's stock)"))
    ctx.outputs["plan_published_comparison"] = published
    display(Markdown(
        f"The plan says its clusters together are 12-15% of the regional economy; the eight "
        f"primary clusters' core codes hold **{fmt(100 * share, '.1f', '%')}** of the area's "
        f"jobs in {ctx.year}."))
    show_table(shown[["metric", "cluster", "scope", "published", "measured_text", "within",
                      "source"]].rename(columns={"measured_text": "measured",
                                                 "within": "within range"}),
               sources=[SRC_PLAN, SRC_BRES.format(year=ctx.year)])
