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
disclosure = {"min_firms": 10, "dominance_share": 0.5}
synthetic_firms = {"scale": 0.25, "jitter_m": 400, "min_cluster_size": 15, "n_boot": 10,
                   "groups": {"pharmaceuticals and R&D": ["21", "72"],
                              "vehicles and aerospace": ["29", "30"]}}

# %% tags=["remove-cell"]
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wmresearch.colocation import benchmark_data as bd
from wmresearch.colocation import plan_sizing as ps
from wmresearch.colocation import report, report_firms
from wmresearch.colocation import specialisation as sp
from wmresearch.colocation.concentration import ellison_glaeser, herfindahl_from_sizebands
from wmresearch.colocation.plan_clusters import load_plan_clusters, size_plan_clusters
from wmresearch.config import Project
from wmresearch.evidence.geography import itl_to_nuts
from wmresearch.reporting import number, say, show_table
from wmresearch.reporting.charts import bar_chart, show, wrap

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
    f"({', '.join(area.lads['lad_name'])}). Employment by detailed industry is published "
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
# separately). WMCA has published no SIC definition of them, so the codes are wmresearch's,
# each with a rationale and a source; every cluster has *core* codes and *extended* codes
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
area_jobs = cells[cells["itl2_code"].isin(area.itl2_codes)].fillna({"employment": 0})
members = {(c, s): plan.members(c, s) for c, s in zip(sizes["cluster"], sizes["scope"],
                                                      strict=True)}
gva = ps.apportion_gva(evidence.get("gva_itl3_industry"), area_jobs, members,
                       areas=area.itl2_codes, year=ctx.year)
sizes = sizes.join(gva, on=["cluster", "scope"])
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
SRC_GVA = f"ONS, regional GVA (balanced) by industry {ctx.year}, ITL3 areas, current prices"
SRC_PLAN = "WMCA Plan for Growth (2022) cluster list; SIC codes: wmresearch definition"
show_table(shown[list(PLAN_COLUMNS)].rename(columns=PLAN_COLUMNS),
           formats={f"Jobs {ctx.year}": "{:,.0f}", "% of area jobs": "{:.1f}",
                    "GVA £m": "{:,.0f}", "% of area GVA": "{:.1f}", "LQ": "{:.2f}",
                    f"Growth {START}-{ctx.year} (%)": "{:+.1f}",
                    "National growth": "{:+,.0f}", "Industry mix": "{:+,.0f}",
                    "Regional shift": "{:+,.0f}"},
           caption=f"Plan for Growth clusters in {area.name}, {ctx.year}: jobs, GVA, "
                   "specialisation and growth", sources=[SRC_BRES, SRC_GVA, SRC_PLAN])

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
           sources=[SRC_BRES, SRC_PLAN], data=flips.drop(columns=["core_text",
                                                                 "extended_text"]))
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
         f"({largest['employment']:,.0f} jobs, LQ {largest['lq']:.2f}).")
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
from wmresearch.colocation import benchmark_clusters as bc
from wmresearch.colocation import cluster_map as cm
from wmresearch.colocation.industry_clusters import adjusted_rand_index, compare_with_plan
from wmresearch.colocation.io_links import io_relatedness_classes
from wmresearch.reporting import line_chart
from wmresearch.reporting.downloads import write_csv

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
chosen = found.scores.query("algorithm == @found.algorithm and k == @found.k")
versus = chosen.set_index("measure")[["ratio", "vs_ri"]].join(
    found.baseline[["ratio", "vs_ri"]].add_suffix("_sic"))
MEASURE_NAMES = {"coi_itl2": "Co-agglomeration, ITL2 jobs", "lc_itl2": "LQ correlation, ITL2 "
                 "jobs", "coi_nuts2": "Co-agglomeration, NUTS2 jobs", "lc_nuts2":
                 "LQ correlation, NUTS2 jobs", "coi_nuts2_units": "Co-agglomeration, NUTS2 "
                 "local units", "lc_nuts2_units": "LQ correlation, NUTS2 local units",
                 "io": "Input-output links", "combined": "All measures combined"}
show_table(versus.rename(index=MEASURE_NAMES).reset_index().rename(columns={
    "measure": "Relatedness measure", "ratio": "WCR/BCR, clusters",
    "vs_ri": "VS-RI, clusters", "ratio_sic": "WCR/BCR, SIC divisions",
    "vs_ri_sic": "VS-RI, SIC divisions"}),
    formats={c: "{:.2f}" for c in ("WCR/BCR, clusters", "VS-RI, clusters",
                                   "WCR/BCR, SIC divisions", "VS-RI, SIC divisions")},
    caption=f"Validation scores of the chosen clusters ({found.algorithm} linkage"
            f"{'' if found.algorithm != 'spectral' else ''}, k = {found.k}) and of SIC "
            "divisions", sources=[SRC_B5, SRC_N2, SRC_IO])

# %%
singles = versus.drop(index="combined")
beaten = singles.index[singles["ratio"] <= singles["ratio_sic"]]
say(f"The scores choose **{found.k} clusters** ({found.algorithm}"
    f"{' linkage' if found.algorithm != 'spectral' else ' clustering'}). Averaged over the "
    f"{len(singles)} measures, WCR/BCR is {number(singles['ratio'].mean(), digits=2)} against "
    f"{number(singles['ratio_sic'].mean(), digits=2)} for the SIC divisions, and VS-RI "
    f"{number(singles['vs_ri'].mean(), digits=2)} against "
    f"{number(singles['vs_ri_sic'].mean(), digits=2)}. "
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
               "national_share": "Share of GB cluster jobs", "growth": "Growth",
               "share_rank": "Rank by share", "strong": "Strong cluster"}
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
whole_map = mapped.assign(itl2_name=mapped["itl2_code"].map(label))
link = write_csv(whole_map.rename(columns=MAP_COLUMNS), "table", title="Cluster map of "
                 f"every ITL2 area, {ctx.year}", sources=[SRC_B5])
say(f"The whole map, {len(whole_map):,} rows (every ITL2 area x benchmark cluster): {link}")
ctx.outputs["itl2_cluster_map"] = whole_map
ctx.metrics |= {"benchmark_clusters": found.k, "benchmark_algorithm": found.algorithm,
                "benchmark_wcr_bcr": float(singles["ratio"].mean()),
                "benchmark_wcr_bcr_sic": float(singles["ratio_sic"].mean()),
                "benchmark_vs_ri": float(singles["vs_ri"].mean()),
                "benchmark_vs_ri_sic": float(singles["vs_ri_sic"].mean()),
                "strong_clusters": int(mine["strong_clusters"]),
                "headline": {"UK benchmark clusters": f"{found.k}",
                             "Strong clusters in the area": f"{int(mine['strong_clusters'])} "
                             f"(rank {int(mine['rank'])} of {peers.shape[0]} ITL2 areas)",
                             "Specialised industries":
                             f"{ctx.metrics.get('specialised_industries', 0):,}"}}

# %% [markdown]
# ## 8. Method demonstration on synthetic firms (not a finding)
#
# No open file locates every firm, so the firm-level methods are shown on a **synthetic**
# register: invented firms drawn to match official totals, with clusters planted at known
# places. This section shows that the methods find the planted clusters; it says nothing
# about where real firms, or any Plan for Growth cluster, are.
#
# ### 8.1 The synthetic register

# %%
report_firms.register(ctx, synthetic_firms)

# %% [markdown]
# ### 8.2 K-densities recover the planted distance
#
# Duranton and Overman's (2005) K-density: the distribution of distances between pairs of an
# industry's firms, against bands from firms placed at random on the sites of all firms. Each
# planted cluster is a disc of firms of one SIC division; the K-density of that division
# should rise above the band at distances within the disc's diameter.

# %%
report_firms.k_densities(ctx, simulations=kd_simulations, cell_size=kd_cell_size,
                         rmax_km=kd_rmax_km, scheduler=dask_scheduler)

# %% [markdown]
# ### 8.3 HDBSCAN recovers the planted clusters, and disclosure control demonstrated

# %%
report_firms.firm_cluster_map(ctx, synthetic_firms, disclosure)

# %% tags=["remove-cell"]
metrics = report.save(ctx)
