# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Industrial specialisation and co-location
#
# Which industries are concentrated in the area, which locate together, and how the Plan for
# Growth clusters compare with clusters found in the data. Employment is from the Business
# Register and Employment Survey (BRES) for ITL2 areas. The last section is a method
# demonstration on a **synthetic** firm register (no open file locates every firm): it shows
# that the firm-level methods recover planted clusters and states no finding.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601
year = None
lq_threshold = 1.25
min_employment = 100
min_local_units = 10
top_n = 15
industry_min_gb_employment = 5000
traded_gini = 0.3
benchmark_k = [20, 70, 5]
benchmark_algorithms = ["average", "complete", "spectral"]
strong_min_employment = 1000
strong_top_share = 0.25
kd_simulations = 199
kd_cell_size = 200
kd_rmax_km = 20
dask_scheduler = None
firm_register = "synthetic"
companies_house_file = None
onspd_file = None
disclosure = {"min_firms": 10, "dominance_share": 0.5}
synthetic_firms = {"scale": 0.25, "jitter_m": 400, "min_cluster_size": 15, "n_boot": 10,
                   "core_probability": 0.5,
                   "groups": {"pharmaceuticals and R&D": ["21", "72"],
                              "vehicles and aerospace": ["29", "30"]}}

# %% tags=["remove-cell"]
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from wmresearch.colocation import benchmark_clusters as bc
from wmresearch.colocation import benchmark_data as bd
from wmresearch.colocation import cluster_map as cm
from wmresearch.colocation import demonstration as demo
from wmresearch.colocation import plan_sizing as ps
from wmresearch.colocation import report
from wmresearch.colocation import specialisation as sp
from wmresearch.colocation.concentration import ellison_glaeser, herfindahl_from_sizebands
from wmresearch.colocation.firm_clusters import firm_clusters
from wmresearch.colocation.firms import EVIDENCE_FILES, synthetic_firm_register
from wmresearch.colocation.industry_clusters import adjusted_rand_index, compare_with_plan
from wmresearch.colocation.io_links import io_relatedness_classes
from wmresearch.colocation.kdensity import k_density
from wmresearch.colocation.plan_clusters import load_plan_clusters, size_plan_clusters
from wmresearch.colocation.register_source import firm_register as firm_register_of
from wmresearch.config import Project
from wmresearch.evidence.geography import itl_to_nuts

# %% tags=["remove-cell"]
from wmresearch.reporting import (
    line_chart,
    number,
    say,
    show,
    show_table,
    synthetic_notice,
    write_metrics,
)
from wmresearch.reporting.charts import bar_chart, figure_data, wrap
from wmresearch.reporting.disclosure import (
    CONFIDENTIAL,
    assert_not_disclosive,
    cell_contributions,
    disclosure_check,
)

# %% tags=["remove-cell"]
ctx = report.setup(Project.here().paths, region, seed=seed, year=year, top_n=top_n,
                   lq_threshold=lq_threshold, min_employment=min_employment)
evidence = ctx.tables
SRC_BRES = f"ONS, BRES {ctx.year} (open access, rounded), GB ITL2 areas x SIC subclasses, NOMIS"
SRC_UNITS = "ONS, UK Business Counts 2018, local units by NUTS2 area and SIC class, NOMIS"

# %% [markdown]
# ## 1. The area

# %%
area = ctx.area
outside = (f"; these ITL2 areas also contain {', '.join(area.extra_lads)}, so ITL2 figures "
           "describe a larger area" if area.extra_lads else ", which matches its districts "
           "exactly")
say(f"**{area.name}**: {len(area.lads)} districts "
    f"({', '.join(area.districts['lad_name'])}). Employment by detailed industry is published "
    f"for ITL2 areas, so the area is measured as ITL2 {area.itl2_label()}{outside}. "
    f"Reference economy: Great Britain. Data year: BRES {ctx.year}.")

# %% [markdown]
# ## 2. Specialisation: location quotients that survive their caveats
#
# The location quotient (LQ) compares an industry's share of the area's jobs with its share
# of Great Britain's (LQ above 1: over-represented in the area). Three caveats decide whether
# a high LQ is a finding. **Size**: an industry is ranked only with enough jobs and enough
# workplaces (local units) in the area, or one firm makes the quotient. **Rounding**: open
# BRES cells are rounded to a base that grows with the count (5 below 50 jobs, 25 below 250,
# up to 1,000 from 5,000; twice that for cells ONS treats as disclosive, NOMIS's published
# rule), so an industry is *specialised* only if its LQ stays at or above the threshold
# when the area's cell is at its lowest and every other area's at its highest. **Misplaced
# activity**: where the workplace record puts jobs somewhere other than where the activity
# is (head offices, universities, employment agencies, public administration), a high LQ
# is flagged with the reason and not counted.

# %%
bres5 = evidence.get("bres_itl2_sic5")
cells = bres5[(bres5["year"] == ctx.year) & (bres5["sic_code"] != "01000")]
units = evidence.get("idbr_nuts2_sic4").query("year == 2018")
nuts2 = [itl_to_nuts(code) for code in area.itl2_codes]
area_units = units[units["nuts2_code"].isin(nuts2)].groupby("sic4_code")["local_units"].sum()
bounds = sp.lq_rounding_bounds(cells, area.itl2_codes, area="itl2_code",
                               industry="sic_code", value="employment")
caveats = sp.specialisation_caveats(bounds, area_units, threshold=lq_threshold,
                                    min_employment=min_employment,
                                    min_local_units=min_local_units)
names5 = evidence.get("sic2007").set_index("sic5_code")["sic5_name"]
caveats["name"] = caveats.index.map(names5).fillna("")
counts = {k: int(caveats[k].sum()) for k in ("specialised_raw", "ranked", "robust",
                                             "specialised")}
raw_ranked = int((caveats["specialised_raw"] & caveats["ranked"]).sum())
flagged = caveats[caveats["robust"] & caveats["misplaced"].notna()]
say(f"Of {number(len(caveats))} SIC subclasses, **{number(counts['specialised_raw'])}** "
    f"have an LQ of at least {number(lq_threshold, digits=2)} in BRES {ctx.year}. "
    f"{number(raw_ranked)} of them have at least {number(min_employment)} jobs and "
    f"{number(min_local_units)} local units in the area (units: UK Business Counts 2018 at "
    f"SIC class, an upper bound for a subclass); {number(counts['robust'])} stay at or "
    f"above the threshold at their rounding bounds; {len(flagged)} of those "
    f"({', '.join(flagged.index)}) are flagged as misplaced activity, leaving "
    f"**{number(counts['specialised'])} specialised industries**. The all-industry totals "
    f"are held at their published sums (at worst "
    f"{number(100 * bounds.attrs['total_error'], digits=1)}% off for the area; errors "
    "across hundreds of cells largely cancel).")

# %%
best = caveats[caveats["specialised"]].nlargest(top_n, "lq")
bar_chart(list(best.index + " " + best["name"])[::-1], list(best["lq_low"])[::-1],
          title=f"{area.name}: most specialised industries (LQ at its lower rounding bound), "
                f"{ctx.year}", xlabel="Location quotient, lower bound (1 = GB share)",
          reference=lq_threshold, sources=[SRC_BRES, SRC_UNITS], width=9)
LQ_COLUMNS = {"name": "Industry", "employment": "Jobs", "local_units": "Local units "
              "(class)", "lq": "LQ", "lq_low": "LQ, lower bound", "lq_high": "LQ, upper bound"}
show_table(best[list(LQ_COLUMNS)].rename(columns=LQ_COLUMNS).rename_axis("SIC").reset_index(),
           formats={"Jobs": "{:,.0f}", "Local units (class)": "{:,.0f}", "LQ": "{:.2f}",
                    "LQ, lower bound": "{:.2f}", "LQ, upper bound": "{:.2f}"},
           caption=f"The {len(best)} most specialised industries after the caveats",
           sources=[SRC_BRES, SRC_UNITS])

# %%
dropped = caveats[caveats["caveat"].notna()].nlargest(top_n, "lq")
show_table(dropped[["name", "employment", "lq", "lq_low", "caveat"]]
           .rename(columns=LQ_COLUMNS | {"caveat": "Why it is not counted"})
           .rename_axis("SIC").reset_index(),
           formats={"Jobs": "{:,.0f}", "LQ": "{:.2f}", "LQ, lower bound": "{:.2f}"},
           caption=f"The {len(dropped)} highest LQs that do not survive a caveat",
           sources=[SRC_BRES, SRC_UNITS])
top_raw = caveats.loc[caveats["lq"].idxmax()]
say(f"The highest raw LQ is {number(top_raw['lq'], digits=1)}, for {top_raw.name} "
    f"{top_raw['name']}: " + (f"not a finding ({top_raw['caveat']})."
                              if top_raw["caveat"] is not pd.NA else "it survives the caveats."))
ctx.outputs["lq_region_sic5"] = caveats.reset_index()
ctx.metrics |= {"specialised_industries": counts["specialised"],
                "specialised_industries_raw": counts["specialised_raw"],
                "specialised_industries_ranked": raw_ranked,
                "specialised_industries_robust": counts["robust"],
                "max_lq": float(best["lq"].max()), "lq_level": "sic5"}

# %% [markdown]
# ## 3. The Plan for Growth clusters: jobs and output, core and extended
#
# The plan names nine clusters (eight primary and the Digital Economy, an enabler counted
# separately). WMCA has published no SIC definition of them, so the codes are this report's
# own, each with a rationale and a source; every cluster has *core* codes and *extended* codes
# (the wider supply chain). Each cluster is sized in both tiers: its jobs (BRES), its output
# (regional GVA), its location quotient, and its growth with the Dunn (1960) shift-share
# split (national growth + industry mix + regional shift = change in jobs).
#
# Regional GVA is published for groups of industries coarser than SIC subclasses (sections,
# manufacturing subsections such as machinery and transport equipment, divisions such as
# 72-73). Each group's GVA in the area is shared among its subclasses by their BRES jobs in
# the area in the same year, which assumes equal output per job within the group; the area's
# total GVA includes owner-occupiers' imputed rent, which no cluster holds.

# %%
plan = load_plan_clusters(evidence.get("sic2007"))
START = 2015
sizes = size_plan_clusters(plan, bres5, units, area.itl2_codes, sic=evidence.get("sic2007"),
                           start=START, end=ctx.year)
area_jobs = (cells[cells["itl2_code"].isin(area.itl2_codes)].fillna({"employment": 0})
             .groupby("sic_code", as_index=False)["employment"].sum())
members = {(c, s): plan.members(c, s) for c, s in zip(sizes["cluster"], sizes["scope"],
                                                      strict=True)}
gva_table = evidence.get("gva_itl3_industry")
gva = ps.apportion_gva(gva_table, area_jobs, members, areas=area.itl2_codes, year=ctx.year)
sizes = sizes.join(gva, on=["cluster", "scope"])
area_gva = (gva_table[gva_table["itl_code"].astype(str).str.startswith(tuple(area.itl2_codes))
                      & gva_table["sic07_code"].eq("Total")]
            .groupby("year")["gva_gbp_m"].sum().astype(float))
GVA_RELEASE = ("ONS, regional GVA (balanced) by industry, ITL3 areas, current prices, release "
               f"covering {int(area_gva.index.min())}-{int(area_gva.index.max())}")
SRC_GVA = f"{GVA_RELEASE} ({ctx.year} figures)"
SRC_PLAN = "WMCA Plan for Growth (2022) cluster list; SIC codes: this report's definition"

# %%
PLAN_COLUMNS = {"name": "Cluster", "scope": "Codes", "employment": f"Jobs {ctx.year}",
                "share_of_region": "% of area jobs", "gva": "GVA £m",
                "gva_share": "% of area GVA", "lq": "LQ",
                "growth": f"Growth {START}-{ctx.year} (%)",
                "national_growth": "National growth", "industry_mix": "Industry mix",
                "regional_shift": "Regional shift"}
shown = sizes.assign(share_of_region=100 * sizes["share_of_region"],
                     gva_share=100 * sizes["gva_share"], growth=100 * sizes["growth"],
                     scope=sizes["scope"].map({"core": "core", "core+extended":
                                               "core and extended"}))
show_table(shown[list(PLAN_COLUMNS)].rename(columns=PLAN_COLUMNS),
           formats={f"Jobs {ctx.year}": "{:,.0f}", "% of area jobs": "{:.1f}",
                    "GVA £m": "{:,.0f}", "% of area GVA": "{:.1f}", "LQ": "{:.2f}",
                    f"Growth {START}-{ctx.year} (%)": "{:+.1f}",
                    "National growth": "{:+,.0f}", "Industry mix": "{:+,.0f}",
                    "Regional shift": "{:+,.0f}"},
           caption=f"Plan for Growth clusters in {area.name}, {ctx.year}: jobs, GVA, "
                   "specialisation and growth (% of area GVA: of the area's "
                   f"£{number(gva.attrs['total_gva'] / 1000, digits=1)}bn in {ctx.year})",
           sources=[SRC_BRES, SRC_GVA, SRC_PLAN])

# %%
unions = sizes.set_index(["cluster", "scope"])
eight, nine = unions.loc["all_primary"], unions.loc["all_clusters"]
wider = eight.loc["core+extended"]
named = sizes[(sizes["scope"] == "core") & ~sizes["cluster"].str.startswith("all_")]
gap = named.loc[(named["gva_share"] - named["share_of_region"]).idxmax()]
low, high = plan.published.set_index("id").loc["share_all_clusters", ["low", "high"]]
position = {k: ["below", "within", "above"][int(eight.loc["core", k] >= low)
                                             + int(eight.loc["core", k] > high)]
            for k in ("share_of_region", "gva_share")}
say(f"The plan says its clusters are **12-15% of the region's economy** without saying "
    f"whether output or jobs; both are shown, each job and each £ counted once (clusters "
    f"overlap). The eight primary clusters' core codes hold "
    f"{number(eight.loc['core', 'share_of_region'], pct=True)} of the area's jobs and "
    f"**{number(eight.loc['core', 'gva_share'], pct=True)} of its GVA** "
    f"(£{number(eight.loc['core', 'gva'] / 1000, digits=1)}bn of "
    f"£{number(gva.attrs['total_gva'] / 1000, digits=1)}bn in {ctx.year}); with the "
    f"Digital Economy as the ninth, {number(nine.loc['core', 'share_of_region'], pct=True)} "
    f"of jobs and {number(nine.loc['core', 'gva_share'], pct=True)} of GVA. With the "
    f"extended codes the eight hold {number(wider['share_of_region'], pct=True)} of jobs "
    f"and {number(wider['gva_share'], pct=True)} of GVA. The output share is the larger "
    f"mainly because {gap['name']} has {number(gap['gva_share'], pct=True)} of the area's "
    f"GVA on {number(gap['share_of_region'], pct=True)} of its jobs (core codes). On like-for-"
    f"like terms the eight primary clusters' core codes are {position['share_of_region']} "
    f"the plan's range on jobs and {position['gva_share']} it on output. "
    "Imputed rent "
    f"(£{number(gva.attrs['imputed_rent'] / 1000, digits=1)}bn) is in the total.")

# %%
latest = int(area_gva.index.max())
say(f"**One GVA total on this page.** Every share of GVA here is a share of the area's "
    f"£{number(area_gva[ctx.year] / 1000, digits=1)}bn in {ctx.year} ({GVA_RELEASE}), the "
    f"year of the job counts: BRES open-access jobs stop in {ctx.year}, so the clusters are "
    "sized in that year. "
    + (f"The State of the Region page quotes the same release's latest year, "
       f"£{number(area_gva[latest] / 1000, digits=1)}bn in {latest}: "
       f"{number(area_gva[latest] / area_gva[ctx.year] - 1, pct=True)} more, in current "
       f"prices, from growth and inflation between {ctx.year} and {latest}; it is not a "
       "different measure of the same year." if latest > ctx.year else ""))

# %% [markdown]
# ## 4. Where the tier changes the answer
#
# Adding a cluster's extended codes can move it across LQ 1 or the specialisation threshold,
# or change the sign of its growth or of its regional shift. Where it does, the extended codes
# on their own explain why: their jobs, growth and LQ are the difference between the tiers.

# %%
flips = ps.tier_flips(sizes, threshold=lq_threshold)
FORMATS = {"lq": "{:.2f}", "growth": "{:+.1%}", "regional_shift": "{:+,.0f} jobs"}
flips["core_text"] = [FORMATS[m].format(v) for m, v in zip(flips["measure"], flips["core"],
                                                             strict=True)]
flips["extended_text"] = [FORMATS[m].format(v) for m, v in zip(flips["measure"],
                                                                 flips["extended"], strict=True)]
FLIP_COLUMNS = {"name": "Cluster", "result": "Result", "core_text": "Core codes",
                "extended_text": "Core and extended", "extended_jobs": "Extended codes: jobs",
                "extended_growth": "Extended codes: growth (%)",
                "extended_lq": "Extended codes: LQ"}
show_table(flips.assign(extended_growth=100 * flips["extended_growth"])
           [list(FLIP_COLUMNS)].rename(columns=FLIP_COLUMNS),
           formats={"Extended codes: jobs": "{:,.0f}", "Extended codes: growth (%)": "{:+.1f}",
                    "Extended codes: LQ": "{:.2f}"},
           caption="Results that flip between the core and the extended definition",
           sources=[SRC_BRES, SRC_PLAN])

# %%
for row in flips.itertuples():
    say(f"**{row.name}**, {row.result}: the extended codes add {number(row.extended_jobs)} "
        "jobs " + (f"with an LQ of {number(row.extended_lq, digits=2)}, which takes the "
                   f"cluster's LQ from {row.core_text} to {row.extended_text}"
                   if row.measure == "lq" else
                   f"whose number changed by {number(row.extended_growth, pct=True, signed=True)}"
                   f" since {START}, which takes the cluster's {row.result} from "
                   f"{row.core_text} to {row.extended_text}") + ".")
say("In each case the core codes describe the cluster the plan names; the extended codes "
    "add a wider supply chain with its own level and trend, so a result that holds for one "
    "tier only is stated for that tier only.")

# %%
core = sizes[(sizes["scope"] == "core") & ~sizes["cluster"].str.startswith("all_")]
gb_growth = float(bres5.query("year == @ctx.year")["employment"].sum()
                  / bres5.query("year == @START")["employment"].sum() - 1)
fig, ax = plt.subplots(figsize=(9, 6))
ax.scatter(core["lq"], 100 * core["growth"], s=3000 * core["employment"]
           / core["employment"].max(), alpha=0.55, edgecolors="k", linewidths=0.5,
           c=[f"C{i}" for i in range(len(core))])
for row in core.itertuples():
    ax.annotate(wrap(row.name, 24), (row.lq, 100 * row.growth), fontsize=7.5, ha="center")
ax.axvline(1, color="k", lw=1, ls=":")
ax.axhline(100 * gb_growth, color="k", lw=1, ls=":")
title = f"{area.name}: Plan for Growth clusters (core codes), LQ and growth {START}-{ctx.year}"
ax.set(title=wrap(title, 70), xlabel=f"Location quotient vs Great Britain, {ctx.year}",
       ylabel=f"Change in jobs {START}-{ctx.year} (%)")
largest = core.loc[core["employment"].idxmax()]
show(fig, title=title, sources=[SRC_BRES, SRC_PLAN],
     alt=f"{len(core)} bubbles sized by jobs; dotted lines at LQ 1 and GB growth "
         f"{100 * gb_growth:+.1f}%. Largest: {largest['name']} "
         f"({largest['employment']:,.0f} jobs, LQ {largest['lq']:.2f}).",
     data=core[["name", "employment", "lq"]].assign(growth=100 * core["growth"]).rename(
         columns={"name": "Cluster", "employment": f"Jobs {ctx.year}", "lq": "LQ",
                  "growth": f"Change in jobs {START}-{ctx.year} (%)"}))
say(f"Right of the vertical line: more concentrated in the area than in Great Britain; above "
    f"the horizontal line: jobs grew faster than Great Britain's "
    f"({number(100 * gb_growth, digits=1, signed=True)}%).")

# %% [markdown]
# ## 5. Which industries are geographically concentrated in Great Britain?
#
# The Ellison-Glaeser (1997) index γ of each SIC class (4 digits) across the GB ITL2 areas nets
# out the concentration expected if plants located at random, given how lumpy the industry's
# plants are (its Herfindahl H). H is not published: it is estimated from UK Business Counts
# for the same year (enterprises by nine employment size bands), fitting a lognormal firm
# size to the band counts with the open top band set to match BRES GB jobs. Enterprises are
# not plants, so H is overstated and γ understated for multi-site industries.

# %%
classes = bd.class_employment(bres5)
in_year = classes[classes["year"] == ctx.year]
gb_class = in_year.groupby("sic4_code")["employment"].sum()
gb_class = gb_class[gb_class > industry_min_gb_employment]
ukbc = evidence.get("ukbc_sizeband")
h_year = ps.sizeband_year(ukbc["year"].unique(), ctx.year)
bands, unusable = ps.class_sizebands(ukbc, h_year, gb_class)
with warnings.catch_warnings():  # the lognormal fit probes extreme parameters on its way
    warnings.simplefilter("ignore", RuntimeWarning)
    h = herfindahl_from_sizebands(bands, industry="sic4_code", employment=gb_class)
usable = h["H"].dropna()[lambda x: x < 1]
eg = ellison_glaeser(in_year[in_year["sic4_code"].isin(usable.index)], area="itl2_code",
                     industry="sic4_code", value="employment", herfindahl=usable,
                     area_total=in_year.groupby("itl2_code")["employment"].sum())
eg["class"] = pd.cut(eg["gamma"], [-np.inf, 0.02, 0.05, np.inf], right=False,
                     labels=["not very localised", "moderately localised",
                             "highly localised"]).astype(str)
eg["name"] = eg.index.map(evidence.get("sic2007").drop_duplicates("sic4_code")
                          .set_index("sic4_code")["sic3_name"])
tally = eg["class"].value_counts()

# %%
show_table(eg.nlargest(top_n, "gamma")[["name", "employment", "H", "G", "gamma", "class"]]
           .rename(columns={"name": "Group of the class", "employment": "GB jobs",
                            "gamma": "γ", "class": "EG's label"}).rename_axis("SIC class")
           .reset_index(), formats={"GB jobs": "{:,.0f}", "H": "{:.4f}", "G": "{:.4f}",
                                    "γ": "{:.3f}"},
           caption=f"The {top_n} most localised SIC classes in Great Britain, {ctx.year}",
           sources=[f"ONS, BRES {ctx.year}, GB ITL2 areas x SIC classes, NOMIS",
                    f"ONS, UK Business Counts {h_year}: enterprises by size band, NOMIS"])
say(f"Of {number(len(gb_class))} SIC classes with more than "
    f"{number(industry_min_gb_employment)} GB jobs, {number(len(eg))} have a usable H "
    f"(UK Business Counts {h_year}, the BRES year"
    + ("" if h_year == ctx.year else f" {ctx.year} not being published, the nearest")
    + f"; {len(unusable)} have size bands suppressed or rounded below their BRES jobs). "
    f"{number(int(tally.get('highly localised', 0)))} have γ above 0.05, "
    f"{number(int(tally.get('moderately localised', 0)))} between 0.02 and 0.05 and "
    f"{number(int(tally.get('not very localised', 0)))} below 0.02. Ellison and Glaeser set "
    "those thresholds for 459 US four-digit manufacturing industries across the 50 states and "
    "the District of Columbia (1987 Census of Manufactures); GB ITL2 areas are fewer, smaller "
    "and unequal in size, and the classes here include services, so the labels are a guide "
    "to ranking, not a like-for-like classification.")
ctx.outputs["ellison_glaeser_sic4"] = eg.reset_index()
ctx.outputs["plan_cluster_sizes"] = sizes
ctx.metrics |= {"plan_share_core": float(eight.loc["core", "share_of_region"]),
                "plan_gva_share_core": float(eight.loc["core", "gva_share"]),
                "eg_highly_localised_classes": int(tally.get("highly localised", 0)),
                "herfindahl_year": int(h_year)}

# %% [markdown]
# ## 6. UK benchmark clusters
#
# Which industries belong together? Following Delgado, Porter & Stern (2016), industries are
# related by where they locate and by what they buy from and sell to each other, then grouped
# into clusters whose quality is scored against the SIC divisions. No open UK definition
# exists; this is one, built only from published ONS data.
#
# ### 6.1 Traded and local industries
#
# Local industries (shops, schools, surgeries) serve their own area, so their jobs follow
# population (Porter 2003). An industry's locational Gini compares its jobs across the GB ITL2
# areas with population (0 = in exact proportion); industries at or above the threshold are
# *traded* and are the ones clustered.

# %% tags=["remove-cell"]
SRC_B5 = f"ONS, BRES {ctx.year} (open access, rounded), GB ITL2 areas x SIC classes, NOMIS"
SRC_N2 = "ONS, BRES and UK Business Counts 2018 (local units), NUTS2 x SIC classes, NOMIS"
SRC_IO = "ONS, UK input-output analytical tables 2019, industry by industry"
SRC_POP = "ONS, mid-2021 population estimates, NOMIS"

# %%
latest = in_year
population = bd.itl2_population(evidence.get("population_mye2021"), evidence.get("lad_itl"))
wide = latest.pivot(index="itl2_code", columns="sic4_code", values="employment").fillna(0.0)
traded = bc.traded_industries(wide, population, threshold=traded_gini)
jobs_traded = traded.loc[traded["traded"], "gb_employment"].sum()
say(f"Of {number(len(traded))} SIC classes, **{number(int(traded['traded'].sum()))} are "
    f"traded** (locational Gini at least {number(traded_gini, digits=2)}), with "
    f"{number(100 * jobs_traded / traded['gb_employment'].sum(), digits=1)}% of GB jobs; "
    f"retail of food in non-specialised stores (4711) has a Gini of "
    f"{number(traded.set_index('industry').loc['4711', 'locational_gini'], digits=2)}, "
    f"aircraft manufacture (3030) "
    f"{number(traded.set_index('industry').loc['3030', 'locational_gini'], digits=2)}.")

# %% [markdown]
# ### 6.2 Relatedness from co-location and input-output links
#
# Co-location: the Ellison-Glaeser-Kerr co-agglomeration index and the correlation of
# location quotients, over GB ITL2 areas (employment) and NUTS2 areas (employment and local
# units). Input-output: the largest of the shares of one industry's purchases from, or sales
# to, the other (DPS 2016). The 105 input-output industries are SIC divisions, groups or
# classes; each SIC class takes its group's links (classes 20.11, 20.13 and 20.15 all take
# those of "industrial gases, inorganics and fertilisers", C20A): groups are not split,
# because no published table says how their flows divide. Each measure is turned into
# percentile ranks among industry pairs and the ranks are averaged.

# %%
nuts2 = evidence.get("bres_nuts2_sic4").query("year == 2018")
units = evidence.get("idbr_nuts2_sic4").query("year == 2018")
flows = evidence.get("io_flows_2019")
kept = bd.clustered_classes(traded, (nuts2, "sic4_code", "employment"),
                            (units, "sic4_code", "local_units"),
                            min_gb_employment=industry_min_gb_employment)
measures = bc.relatedness_measures(
    {"itl2": (latest, "itl2_code", "sic4_code", "employment"),
     "nuts2": (nuts2, "nuts2_code", "sic4_code", "employment"),
     "nuts2_units": (units, "nuts2_code", "sic4_code", "local_units")},
    kept, io=io_relatedness_classes(flows, kept))
say(f"{number(len(kept))} traded SIC classes with more than "
    f"{number(industry_min_gb_employment)} GB jobs and present in every table are related "
    f"by {len(measures) - 1} measures. Left out because the workplace record misplaces the "
    "activity: " + "; ".join(f"{code} {why}" for code, why in bd.NOT_CLUSTERED.items()) + ".")

# %% [markdown]
# ### 6.3 Clustering, scored against the SIC divisions
#
# Three algorithms (average- and complete-linkage hierarchical clustering, spectral
# clustering) and a range of cluster counts. For every measure, two scores: within-cluster
# over between-cluster relatedness (WCR/BCR), and the share of industries more related to
# their own cluster than to any other (VS-RI). The first favours many small clusters, the
# second few large ones, so the configuration with the best average rank on both is chosen.

# %%
found = bc.candidate_clusterings(measures, range(benchmark_k[0], benchmark_k[1] + 1,
                                                 benchmark_k[2]),
                                 algorithms=benchmark_algorithms, seed=seed)
versus = bc.validation_table(found)
singles = versus.drop(index=["combined", "mean"])
MEASURE_NAMES = {"coi_itl2": "Co-agglomeration, ITL2 jobs", "lc_itl2": "LQ correlation, ITL2 "
                 "jobs", "coi_nuts2": "Co-agglomeration, NUTS2 jobs", "lc_nuts2":
                 "LQ correlation, NUTS2 jobs", "coi_nuts2_units": "Co-agglomeration, NUTS2 "
                 "local units", "lc_nuts2_units": "LQ correlation, NUTS2 local units",
                 "io": "Input-output links", "combined": "Combined relatedness (the "
                 "similarity clustered)", "mean": f"Mean of the {len(singles)} measures"}
show_table(versus.rename(index=MEASURE_NAMES).reset_index().rename(columns={
    "measure": "Relatedness measure", "ratio": "WCR/BCR, clusters",
    "vs_ri": "VS-RI, clusters", "ratio_sic": "WCR/BCR, SIC divisions",
    "vs_ri_sic": "VS-RI, SIC divisions"}),
    formats={c: "{:.2f}" for c in ("WCR/BCR, clusters", "VS-RI, clusters",
                                   "WCR/BCR, SIC divisions", "VS-RI, SIC divisions")},
    caption=f"Validation scores of the chosen {found.k} clusters ({found.algorithm}"
            f"{' linkage' if found.algorithm != 'spectral' else ' clustering'}) and of the "
            "SIC divisions", sources=[SRC_B5, SRC_N2, SRC_IO])

# %%
beaten = singles.index[singles["ratio"] <= singles["ratio_sic"]]
mean, combined = versus.loc["mean"], versus.loc["combined"]
say(f"The scores choose **{found.k} clusters** ({found.algorithm}"
    f"{' linkage' if found.algorithm != 'spectral' else ' clustering'}). Averaged over the "
    f"{len(singles)} measures, WCR/BCR is {number(mean['ratio'], digits=2)} against "
    f"{number(mean['ratio_sic'], digits=2)} for the SIC divisions, and **VS-RI "
    f"{number(mean['vs_ri'], digits=2)} against {number(mean['vs_ri_sic'], digits=2)}**: "
    f"on average {number(100 * mean['vs_ri'], digits=0)}% of industries are more related "
    "to their own cluster than to any other (SIC divisions: "
    f"{number(100 * mean['vs_ri_sic'], digits=0)}%). On the combined relatedness the "
    f"clusters were cut from, VS-RI is {number(combined['vs_ri'], digits=2)} against "
    f"{number(combined['vs_ri_sic'], digits=2)}; that score flatters the clusters by "
    "construction, so the choice and this summary use the mean over the measures. "
    + (f"The SIC divisions score better on {', '.join(MEASURE_NAMES[m] for m in beaten)}: "
       "input-output groups nest inside divisions, so divisions are built from the same "
       "lines as that measure." if len(beaten) else "The clusters beat the divisions on "
       "every measure."))
summary = found.scores.query("measure != 'combined'").groupby(["algorithm", "k"])[
    ["ratio", "vs_ri"]].mean().reset_index()
line_chart({f"VS-RI, {a}": g.set_index("k")["vs_ri"] for a, g in summary.groupby("algorithm")},
           title="Share of industries more related to their own cluster (VS-RI), by number "
                 "of clusters", xlabel="Number of clusters", ylabel="VS-RI (mean over "
                 "measures)", sources=[SRC_B5, SRC_N2, SRC_IO])

# %% [markdown]
# ### 6.4 The definitions, and the Plan for Growth clusters
#
# The definitions are published as a versioned table: each SIC class, its cluster and its
# average relatedness to the other classes of its cluster on each measure.

# %%
sic_table = evidence.get("sic2007")
names4 = sic_table.drop_duplicates("sic4_code").set_index("sic4_code")["sic3_name"]
themes = sic_table.drop_duplicates("sic2_code").set_index("sic2_code")["sic2_name"]
version = f"UK benchmark clusters v1 (BRES {ctx.year}, NUTS2 2018, IO 2019)"
definitions = bc.definitions_table(found.labels, measures, names4,
                                   traded.set_index("industry")["gb_employment"], version,
                                   themes=themes)
cluster_sizes = definitions.groupby(["cluster", "cluster_name"]).agg(
    classes=("sic4_code", "size"), jobs=("gb_employment", "sum")).reset_index()
show_table(cluster_sizes.nlargest(top_n, "jobs").rename(columns={
    "cluster": "Cluster", "cluster_name": "Name", "classes": "SIC classes",
    "jobs": "GB jobs"}), formats={"GB jobs": "{:,.0f}"},
    caption=f"The {top_n} largest of the {found.k} UK benchmark clusters", sources=[SRC_B5])
say("A cluster is named after the SIC division holding at least half of its GB jobs, "
    "or else after its largest group of industries, \"and related\"; two clusters of one "
    "division are told apart by their largest groups (\"mainly ...\").")
ctx.outputs["benchmark_cluster_definitions"] = definitions

# %%
plan_core = plan.sic5.query("tier == 'core'")
versus_plan = compare_with_plan(found.labels, plan_core)
confirmed = versus_plan.confirmation
ari_div = adjusted_rand_index(found.labels, found.labels.index.to_series().str[:2])
say(f"Of the Plan for Growth's core SIC classes that are traded and clustered "
    f"({number(int(confirmed['n_codes'].sum()))}), "
    f"**{number(int(confirmed['n_confirmed'].sum()))}** share a benchmark cluster with "
    f"another class of the same plan cluster. Agreement of the benchmark clusters with the "
    f"SIC divisions: adjusted Rand index {number(ari_div, digits=2)} (1 = the same grouping).")

# %% [markdown]
# ## 7. A cluster map of every ITL2 area
#
# For every GB ITL2 area and benchmark cluster: jobs, location quotient, growth and the area's
# share of the cluster's GB jobs. A cluster is **strong** in an area when its LQ is at least
# the specialisation threshold, it has at least the minimum number of jobs, and the area is
# in the top quarter of areas by its share of the cluster's GB jobs (after the US Cluster
# Mapping Project's rule: specialised and among the largest).

# %%
MAP_COLUMNS = {"itl2_code": "ITL2 code", "itl2_name": "ITL2 area", "cluster": "Cluster",
               "cluster_name": "Cluster name", "employment": "Jobs",
               "employment_start": "Jobs in first year", "lq": "LQ",
               "national_share": "% of GB cluster jobs",
               "growth": f"Growth {int(classes['year'].min())}-{ctx.year} (%)",
               "share_rank": "Rank by share of GB cluster jobs", "strong": "Strong cluster"}
first_year = int(classes["year"].min())
mapped = cm.cluster_map(classes, definitions, start=first_year, end=ctx.year,
                        lq_threshold=lq_threshold, min_employment=strong_min_employment,
                        top_share=strong_top_share)
peers = cm.peer_comparison(mapped, ctx.area.itl2_codes)
area_names = classes.merge(evidence.get("bres_itl2_sic5")[["itl2_code", "itl2_name"]]
                           .drop_duplicates(), on="itl2_code")
label = dict(zip(area_names["itl2_code"], area_names["itl2_name"], strict=False))
ours = mapped[mapped["itl2_code"].isin(ctx.area.itl2_codes) & mapped["strong"]]
mine = peers[peers["chosen"]].iloc[0]
say(f"Across {peers.shape[0]} ITL2 areas, {ctx.area.itl2_label()} has "
    f"**{number(int(mine['strong_clusters']))} strong clusters** (rank {int(mine['rank'])} of "
    f"{peers.shape[0]}): {number(100 * mine['strong_jobs_share'], digits=1)}% of its jobs in "
    f"benchmark clusters are in strong ones. Growth is {first_year}-{ctx.year}.")

# %%
show_table(ours.sort_values("lq", ascending=False)[
    ["cluster", "cluster_name", "employment", "lq", "national_share", "growth"]]
    .assign(national_share=lambda d: 100 * d["national_share"],
            growth=lambda d: 100 * d["growth"])
    .rename(columns={"cluster": "Cluster", "cluster_name": "Name",
                     "employment": f"Jobs {ctx.year}", "lq": "LQ",
                     "national_share": "% of GB cluster jobs",
                     "growth": f"Growth {first_year}-{ctx.year} (%)"}),
    formats={f"Jobs {ctx.year}": "{:,.0f}", "LQ": "{:.2f}", "% of GB cluster jobs": "{:.1f}",
             f"Growth {first_year}-{ctx.year} (%)": "{:+.1f}"}, missing="no jobs at start",
    caption=f"Strong benchmark clusters of {ctx.area.itl2_label()}", sources=[SRC_B5])

# %%
top = peers.head(15)
bar_chart([label.get(c, c) for c in top["itl2_code"]][::-1],
          list(top["strong_clusters"])[::-1],
          title="Strong benchmark clusters by ITL2 area (the 15 areas with most)",
          xlabel="Number of strong clusters", sources=[SRC_B5],
          highlight=label.get(ctx.area.itl2_codes[0]))

# %%
whole_map = mapped.assign(itl2_name=mapped["itl2_code"].map(label))
published_map = whole_map.assign(national_share=100 * whole_map["national_share"],
                                 growth=100 * whole_map["growth"],
                                 strong=whole_map["strong"].map({True: "yes", False: "no"}))
area_map = published_map[published_map["itl2_code"].isin(ctx.area.itl2_codes)]
shown_map = ["cluster", "cluster_name", "employment", "lq", "national_share", "growth",
             "strong"]
show_table(area_map.sort_values("lq", ascending=False)[shown_map].rename(columns=MAP_COLUMNS),
           formats={"Jobs": "{:,.0f}", "LQ": "{:.2f}", MAP_COLUMNS["national_share"]: "{:.1f}",
                    MAP_COLUMNS["growth"]: "{:+.1f}"}, missing="no jobs at start",
           caption=f"Cluster map, {ctx.year}: every benchmark cluster in "
                   f"{ctx.area.itl2_label()}; the CSV holds every ITL2 area "
                   f"({len(whole_map):,} rows)", sources=[SRC_B5],
           data=published_map.rename(columns=MAP_COLUMNS))
ctx.outputs["itl2_cluster_map"] = whole_map
ctx.metrics |= {"benchmark_clusters": found.k, "benchmark_algorithm": found.algorithm,
                "benchmark_measures": len(singles),
                "benchmark_wcr_bcr_mean_of_measures": float(mean["ratio"]),
                "benchmark_wcr_bcr_mean_of_measures_sic_divisions": float(mean["ratio_sic"]),
                "benchmark_vs_ri_mean_of_measures": float(mean["vs_ri"]),
                "benchmark_vs_ri_mean_of_measures_sic_divisions": float(mean["vs_ri_sic"]),
                "strong_clusters": int(mine["strong_clusters"]),
                "headline": {"UK benchmark clusters": f"{found.k}",
                             "Strong clusters in the area": f"{int(mine['strong_clusters'])} "
                             f"(rank {int(mine['rank'])} of {peers.shape[0]} ITL2 areas)",
                             "Specialised industries":
                             f"{ctx.metrics.get('specialised_industries', 0):,}"}}

# %% [markdown]
# ### Real firm locations (when chosen)
#
# With the firm register set to Companies House, every live company of the area is placed at
# the full postcode of its registered office (ONS Postcode Directory). Its row accounting is
# shown here; the method demonstration below always uses the synthetic register, whose
# planted truth the real one does not have.

# %%
real = None if firm_register == "synthetic" else firm_register_of(
    firm_register, area.districts, paths=ctx.paths, seed=seed,
    companies_house_file=companies_house_file, onspd_file=onspd_file)
if real is not None:
    show_table(real.accounting, caption="Companies House firms of the area: read, left out "
               "and located", sources=["Companies House, Free Company Data Product; ONS "
                                       "Postcode Directory"])
    say(f"{number(len(real.firms))} live companies located. {real.caveat}")
    ctx.outputs["real_firm_register"] = real.firms

# %% [markdown]
# ## 8. Method demonstration on synthetic firms (not a finding)
#
# **This section is a method demonstration, not a finding.** No open file locates every
# firm, so the firm-level methods are run on a **synthetic** register: invented firms drawn
# to match official totals, with clusters planted at known places. It shows whether the
# methods recover the planted clusters; it says nothing about where real firms, or any Plan
# for Growth cluster, are. The planted clusters are named after the SIC division they are
# drawn in (pharmaceuticals, aerospace, research and development) only to say which firms
# they hold; they are not the Plan for Growth clusters of similar names.
#
# ### 8.1 The synthetic register

# %%
# THE FIRM REGISTER. The only cell that loads firms: the switch point for a register of real
# firm locations. Later cells read `register.firms`, and `register.truth` (planted clusters).
calibration = {key: evidence.get(name) for key, name in EVIDENCE_FILES.items()}
absent = [EVIDENCE_FILES[key] for key, table in calibration.items() if table is None]
register = None if absent else synthetic_firm_register(
    area.districts, **calibration, oa_lookup=evidence.get("oa_lookup_2011"), seed=seed,
    scale=synthetic_firms.get("scale", 1.0), jitter_m=synthetic_firms.get("jitter_m", 400))

# %%
if register is None:
    say(f"_The tables the synthetic firm register is drawn from "
        f"({'; '.join(demo.TABLE_TITLES.get(name, name) for name in absent)}) are not in "
        "the evidence base for this run, so the method demonstration is not shown._")
    ctx.metrics["sections_unavailable"] = ["synthetic_register", "k_density", "firm_clusters"]
else:
    districts = demo.district_outlines(evidence.get("msoa11_boundaries"), area.districts)
    outside_msoas = demo.msoas_outside(register.msoas, districts)
    kept = ~register.firms["msoa11_code"].isin(outside_msoas)
    firms = register.firms[kept].reset_index(drop=True)
    planted = register.truth
    derived = sorted(register.msoas.loc[register.msoas["centroid_derived"], "msoa11_code"])
    ctx.metrics["synthetic_firms_outside_area"] = len(register.firms) - len(firms)
    ctx.outputs["synthetic_planted_clusters"] = planted

# %%
if register is not None:
    display(synthetic_notice(register.firms.attrs["synthetic"]))
    say(f"{number(len(firms))} synthetic firms "
        f"({number(100 * synthetic_firms.get('scale', 1.0))}% of "
        f"the area's Census 2011 workplace jobs represented), drawn with seed {seed}. "
        "Planted clusters, known by construction, let the methods below be checked: "
        + "; ".join(f"{c.name} (SIC {c.sic_prefix}, {number(c.n_firms)} firms within "
                    f"{number(c.radius_m / 1000)} km)" for c in planted.itertuples()) + "."
        + (f" {number(len(register.firms) - len(firms))} drawn firms fell outside the area's "
           "district boundaries (the point of their MSOA lies elsewhere: "
           f"{', '.join(outside_msoas)}) and are left out." if outside_msoas else "")
        + (f" {len(derived)} MSOAs ({', '.join(derived)}) are placed at the mean of their "
           "LSOAs' population-weighted centroids, because their own centroid in the ONS file "
           "lies far from them (the data checks rejected it)." if derived else ""))

# %% [markdown]
# ### 8.2 Do K-densities recover the planted clusters?
#
# Duranton and Overman's (2005) K-density: the distribution of distances between pairs of an
# industry's firms, against bands from firms placed at random on the sites of all firms. Each
# planted cluster is a disc of firms of one SIC division; the K-density of that division
# should rise above the upper global band from short distances up to about the disc's
# diameter. A planted cluster counts as *recovered* when the K-density is above that band
# starting at a distance within the diameter.

# %%
kd_runs = {}
if register is not None:
    for cluster in planted.itertuples():
        division = firms["sic_code"].str[:len(cluster.sic_prefix)]
        with warnings.catch_warnings():  # a bandwidth under two cells is said in words below
            warnings.simplefilter("ignore", UserWarning)
            kd_runs[cluster.name] = k_density(
                firms.assign(division=division), cluster.sic_prefix, x="easting",
                y="northing", label="division", method="binned", cell_size=kd_cell_size,
                rmax=1000 * kd_rmax_km, n_simulations=kd_simulations, seed=seed,
                scheduler=dask_scheduler, progress=False)
    recovery = demo.kd_recovery(kd_runs, planted)
    bandwidths = pd.Series({name: run.bandwidth for name, run in kd_runs.items()})

# %%
KD_COLUMNS = {"km": "Distance (km)", "kd": "K-density", "local_lo": "Local band, low",
              "local_hi": "Local band, high", "global_lo": "Global band, low",
              "global_hi": "Global band, high"}
for name, result in kd_runs.items():
    curve = result.table.assign(km=result.table["r"] / 1000)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.fill_between(curve["km"], curve["local_lo"], curve["local_hi"], color="0.8",
                    label=f"local band ({100 * (1 - 2 * result.alpha):.0f}%)")
    ax.plot(curve["km"], curve["global_hi"], "k--", lw=1, label="global bands")
    ax.plot(curve["km"], curve["global_lo"], "k--", lw=1)
    ax.plot(curve["km"], curve["kd"], lw=2, color="C3", label="K-density")
    ax.legend(frameon=False)
    title = (f"SYNTHETIC method demonstration: K-density of SIC {result.industry} firms "
             f"(planted cluster: {name})")
    ax.set(title=wrap(title, 70), xlabel="Distance between firms (km)",
           ylabel="Density of pair distances")
    peak = curve.loc[curve["kd"].idxmax(), "km"]
    show(fig, title=title, sources=[demo.SOURCE, f"{result.n_simulations} random-location "
                                    "simulations (Duranton & Overman 2005)"],
         alt=f"Synthetic firms. The K-density peaks at {peak:.1f} km; localisation index "
             f"Gamma {result.gamma:.3g} ({'above' if result.localised else 'not above'} the "
             f"upper global band); {result.n_firms:,} firms among {result.n_sites:,} sites.",
         data=curve[list(KD_COLUMNS)].rename(columns=KD_COLUMNS).assign(synthetic=True))

# %%
RECOVERY_COLUMNS = {"planted": "Planted cluster", "sic_prefix": "SIC division",
                    "planted_firms": "Planted firms", "division_firms": "Firms of the division",
                    "diameter_km": "Planted disc diameter (km)",
                    "above_from_km": "Above the band from (km)", "above_to_km": "to (km)",
                    "gamma": "Γ", "recovered": "Recovered"}
if register is not None:
    table = recovery.assign(recovered=recovery["recovered"].map({True: "yes", False: "no"}))
    show_table(table.drop(columns="synthetic").rename(columns=RECOVERY_COLUMNS),
               formats={"Γ": "{:.3g}", "Planted disc diameter (km)": "{:.1f}",
                        "Above the band from (km)": "{:.1f}", "to (km)": "{:.1f}"},
               missing="never above", sources=[demo.SOURCE],
               caption="SYNTHETIC method demonstration: do K-densities recover the planted "
                       "clusters?", data=table.rename(columns=RECOVERY_COLUMNS))
    ctx.outputs["demo_kd_summary"] = recovery
    ctx.metrics["method_demonstration"] = {
        "synthetic": True, "kd_planted_recovered": dict(zip(
            recovery["planted"], recovery["recovered"].astype(bool), strict=True))}

# %%
if register is not None:
    recovered = int(recovery["recovered"].sum())
    verdict = ("The method recovers the planted clusters" if recovered == len(recovery) else
               f"The method recovers {recovered} of the {len(recovery)} planted clusters")
    say(f"**{verdict}.** In {number(recovered)} of {len(recovery)} planted "
        "industries the K-density is localised (above the upper global band) starting "
        "within the planted disc's diameter: "
        + "; ".join(f"{r.planted}, above the band from {number(r.above_from_km)} to "
                    f"{number(r.above_to_km)} km against a diameter of "
                    f"{number(r.diameter_km)} km (Γ {number(r.gamma, digits=3)})"
                    for r in recovery.itertuples())
        + f". Localisation index Γ: the area between the K-density and the upper global band "
        f"where it is above it (Duranton & Overman 2005); binned estimator on "
        f"{number(kd_cell_size)} m cells, distances up to {number(kd_rmax_km)} km, "
        f"{number(kd_simulations)} simulations placing each industry's firms on random "
        "sites of the whole synthetic register. The firms of a division include the planted "
        "ones and those drawn elsewhere, so the planted signal is diluted as it would be in "
        "real data. The kernel bandwidth (Silverman's rule, as in the R package dbmss) is "
        + ", ".join(f"{number(b, digits=0)} m for {n}" for n, b in bandwidths.items()) + "."
        + (f" Where it is under twice the {number(kd_cell_size)} m cell "
           f"({', '.join(bandwidths.index[narrow])}) the binned estimator resolves distances "
           "only to about a cell, far shorter than the planted discs' diameters, so the check "
           "is not affected." if (narrow := bandwidths < 2 * kd_cell_size).any() else ""))

# %% [markdown]
# ### 8.3 Does HDBSCAN recover the planted clusters?
#
# HDBSCAN (Campello, Moulavi & Sander 2013) finds dense groups of firms on the British
# National Grid locations of each industry group's firms; stability is the mean cluster-wise
# Jaccard similarity over bootstrap subsamples (Hennig 2007: 0.75 or more is stable). The
# adjusted Rand index compares the clusters found with the planted ones (1 = exactly the
# planted clusters, 0 = no better than chance; all unplanted firms count as one group).

# %%
if register is not None:
    groups = {str(k): [str(c) for c in v] for k, v in synthetic_firms["groups"].items()}
    core_level = synthetic_firms["core_probability"]
    found_firms = firm_clusters(firms, industry_groups=groups, seed=seed,
                                min_cluster_size=synthetic_firms.get("min_cluster_size", 15),
                                n_boot=synthetic_firms.get("n_boot", 10),
                                core_probability=core_level)
    outlines = found_firms.outlines
    ari = demo.planted_ari(found_firms.labels, firms)
    matches = demo.planted_matches(found_firms.labels, firms, planted)
    clustered = demo.cluster_members(firms, found_firms.labels).merge(
        firms[["firm_id", "planted"]], on="firm_id")
    in_clusters, unplanted_in = len(clustered), int((clustered["planted"] < 0).sum())
    ctx.outputs["firm_cluster_outlines"] = outlines.drop(columns=["composition"])
    ctx.metrics["method_demonstration"] |= {"hdbscan_clusters_found": len(outlines),
                                            "hdbscan_ari_planted": ari}

# %%
MATCH_COLUMNS = {"planted": "Planted cluster", "sic_prefix": "SIC division",
                 "matched": "HDBSCAN cluster holding most of its firms",
                 "share_found": "Share of the planted firms in it (%)",
                 "share_planted": "Share of its firms that are planted (%)",
                 "jaccard": "Jaccard similarity", "recovered": "Recovered"}
if register is not None:
    table = matches.assign(share_found=100 * matches["share_found"],
                           share_planted=100 * matches["share_planted"],
                           recovered=matches["recovered"].map({True: "yes", False: "no"}))
    show_table(table.drop(columns="synthetic").rename(columns=MATCH_COLUMNS),
               formats={MATCH_COLUMNS["share_found"]: "{:.0f}", "Jaccard similarity": "{:.2f}",
                        MATCH_COLUMNS["share_planted"]: "{:.0f}"}, missing="none found",
               caption="SYNTHETIC method demonstration: does HDBSCAN recover the planted "
                       "clusters?", sources=[demo.SOURCE],
               data=table.rename(columns=MATCH_COLUMNS))

# %%
if register is not None:
    recovered = int(matches["recovered"].sum())
    verdict = ("The method recovers the planted clusters" if recovered == len(matches) else
               f"The method recovers {recovered} of the {len(matches)} planted clusters")
    say(f"**{verdict}** "
        "(synthetic firms): " + "; ".join(
            f"{m.planted} is found as {m.matched or 'noise'}, which holds "
            f"{number(m.share_found, pct=True, digits=0)} of its firms and is "
            f"{number(m.share_planted, pct=True, digits=0)} planted firms"
            for m in matches.itertuples())
        + f". Over all the firms of the industry groups the adjusted Rand index of HDBSCAN "
        f"against the planted labels is **{number(ari, digits=3)}**, below 1 because "
        f"{number(unplanted_in)} of the {number(in_clusters)} firms HDBSCAN puts in clusters "
        "are not planted (dense groups of the register's own firms), which the index counts "
        "as disagreement. Industry groups: " + "; ".join(
            f"{g} (SIC {', '.join(c)})" for g, c in groups.items())
        + f"; {number(len(outlines))} clusters found (minimum cluster size "
        f"{number(synthetic_firms.get('min_cluster_size', 15))} firms). Each outline on the "
        "map is drawn around the cluster's core: the firms whose HDBSCAN membership "
        f"probability is at least {number(core_level, digits=2)}, i.e. that join the cluster "
        f"at no less than {number(100 * core_level, digits=0)}% of its peak density "
        f"({number(int(outlines['n_outlined'].sum()))} of the "
        f"{number(int(outlines['n_firms'].sum()))} firms in clusters), so a lone firm far away "
        "does not stretch it. The outlines describe invented firms, not where real firms are.")

# %%
if register is not None:
    shown_firms = firms[firms["firm_id"].isin(found_firms.labels["firm_id"])]
    fig, ax = plt.subplots(figsize=(10, 8))
    if districts is not None:
        districts.boundary.plot(ax=ax, color="0.3", lw=0.8)
        for row in districts.itertuples():
            point = row.geometry.representative_point()
            ax.annotate(row.lad_name, (point.x, point.y), ha="center", fontsize=8, color="0.2")
    ax.scatter(shown_firms["easting"], shown_firms["northing"], s=1, color="0.6",
               label="firms of the industry groups")
    for i, (group, mine) in enumerate(outlines.groupby("industry_group", sort=False)):
        mine.plot(ax=ax, color=f"C{i}", alpha=0.45, edgecolor=f"C{i}", lw=1.5)
        ax.plot([], [], color=f"C{i}", lw=6, alpha=0.45, label=wrap(group, 30))
    ax.scatter(planted["centre_easting"], planted["centre_northing"], marker="x", color="k",
               s=60, label="planted cluster centres")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_axis_off()
    ax.set_aspect("equal")
    title = ("SYNTHETIC method demonstration: firm clusters found by HDBSCAN, each outlined "
             f"around its core firms (membership probability at least "
             f"{number(core_level, digits=2)})")
    ax.set_title(wrap(title, 70))
    show(fig, title=title, data=figure_data(fig).assign(synthetic=True),
         sources=[demo.SOURCE] + ([demo.BOUNDARIES] if districts is not None else []),
         alt=f"Map of {len(outlines)} cluster outlines, each around its core firms, over "
             f"{len(shown_firms):,} synthetic firms; planted cluster centres marked with crosses"
             + (f"; districts {', '.join(districts['lad_name'])}" if districts is not None
                else "; district boundaries are not in the evidence base") + ".")

# %% [markdown]
# ### 8.4 Disclosure control, demonstrated on invented firms
#
# The firms are invented, so nothing here is confidential: the table shows how the rules
# would treat a table of real firms. A cell is suppressed ([c]) when it has fewer than the
# minimum number of firms or one firm holds more than the dominance share of its employment,
# then complementary cells are suppressed so that no suppressed cell can be recovered from
# the total (Hundepool et al. 2012). On real firms the recovery tables and the map above would
# go through the same control; here they describe invented firms.

# %%
if register is not None and len(outlines):
    rules = {"min_count": int(disclosure["min_firms"]),
             "dominance_share": float(disclosure["dominance_share"])}
    cells = cell_contributions(demo.cluster_members(firms, found_firms.labels),
                               ["cluster_name"], "employment")
    checked = disclosure_check(cells, row="cluster_name", count_col="firms",
                               value_col="employment", contributors="largest",
                               second_col="second", **rules)
    assert_not_disclosive(checked.table, row="cluster_name", count_col="firms",
                          value_col="employment", contributors="largest", **rules)
    published = demo.disclosure_table(checked.table, outlines, symbol=CONFIDENTIAL)
    primary = int(checked.table["reason"].str.startswith("primary").sum())
    ctx.metrics["method_demonstration"]["disclosure_cells_suppressed"] = int(
        published["suppressed"].sum())

# %%
DISCLOSURE_COLUMNS = {"cluster": "Cluster (synthetic)", "firms": "Firms",
                      "employment": "Employment", "area_km2": "Core outline (km²)",
                      "stability": "Stability (Jaccard)",
                      "composition": "Leading SIC subclasses"}
if register is not None and len(outlines):
    show_table(published.drop(columns=["suppressed", "synthetic"])
               .rename(columns=DISCLOSURE_COLUMNS),
               caption="SYNTHETIC demonstration of disclosure control: firm clusters of "
                       "invented firms", sources=[demo.SOURCE],
               data=published.drop(columns="suppressed").rename(columns=DISCLOSURE_COLUMNS))
    say(f"**Disclosure control, demonstrated.** Of the {len(published) - 1} clusters of "
        f"invented firms, {number(int(published['suppressed'].sum()))} are suppressed: "
        f"{number(primary)} with fewer than {number(rules['min_count'])} firms or one firm "
        f"holding more than {number(rules['dominance_share'], pct=True, digits=0)} of the "
        f"employment, and {number(int(published['suppressed'].sum()) - primary)} more so that "
        "those cannot be recovered from the total.")

# %% tags=["remove-cell"]
write_metrics(ctx.paths.metrics / "clusters.json", report.save(ctx))
