# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Checking the region's headline claims
#
# The region's strategies publish many headline figures, often without a source, a year or
# the geography they describe. Each claim below is taken as published, the nearest official
# figure is recomputed from the open data in the evidence base for the claim's own geography,
# and a verdict is given with its reason: **matches** (within the precision printed),
# **close** (within 10%), **differs**, or **cannot be checked with open data** (with the
# dataset a reader would need). Then two decompositions explain the output gap the claims
# are about, for the West Midlands Combined Authority, the three-LEP area of the 2019 Local
# Industrial Strategy and the Midlands Engine.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601
decomposition_year = 2021
industry_year = 2021
areas = ["wmca", "wm_three_lep", "midlands_engine"]

# %% tags=["remove-cell"]
import textwrap

import pandas as pd

from wmresearch.config import Project
from wmresearch.evidence.area import study_area
from wmresearch.evidence.tables import Tables
from wmresearch.region import claims as register
from wmresearch.region import decomposition as dec
from wmresearch.reporting import line_chart, number, say, show_table, write_metrics
from wmresearch.reporting.charts import bar_chart

# %% tags=["remove-cell"]
paths = Project.here().paths
evidence = Tables(paths)
SRC_CLAIMS = ("West Midlands Local Industrial Strategy (2019); Midlands Engine; WMCA Plan for "
              "Growth (2022); WMCA West Midlands Futures Green Paper (2024)")
SRC_PROD = "ONS, Subregional productivity by local authority district, June 2024 release"
SRC_GVA = "ONS, Regional gross value added (balanced) by industry, 2024 release"
SRC_APS = "ONS, Annual Population Survey via Explore local statistics"
SRC_POP = "ONS, mid-2021 population estimates"
SRC_BRES = "ONS, Business Register and Employment Survey (NOMIS)"
SRC_LOOKUP = "ONS, local authority district code history; areas register of this package"

# %% [markdown]
# ## 1. The areas
#
# Each area is a union of ONS codes resolved to today's districts through the code history;
# members may not share a district, so every total counts a district once.

# %%
resolved = {key: study_area(evidence, key) for key in areas}
area_table = pd.DataFrame({
    "Area": [a.name for a in resolved.values()],
    "Made of": [", ".join(a.members) for a in resolved.values()],
    "Districts": [len(a.lads) for a in resolved.values()],
    "Source of the list": [a.source for a in resolved.values()]})
show_table(area_table, caption="The areas the claims describe", sources=[SRC_LOOKUP])
three_lep = resolved["wm_three_lep"]
say(f"The three-LEP area of the 2019 Local Industrial Strategy has {len(three_lep.lads)} "
    f"districts: {', '.join(three_lep.lads.values())}. The Midlands Engine's "
    f"{len(resolved['midlands_engine'].lads)} districts are the East and West Midlands "
    "regions.")

# %% [markdown]
# ## 2. The claims, recomputed
#
# The year each figure refers to is the document's; where the document states none, it is
# the latest year available when it was published, fixed in the register before any figure
# was recomputed. GVA is in current prices.

# %%
claims = register.load_claims()
checked = register.check_claims(claims, evidence)
names = {key: a.name for key, a in resolved.items()}
claims_table = pd.DataFrame({
    "Claim (as published)": checked["words"], "Document": checked["document"],
    "Area": checked["area"].map(names).fillna(checked["area"]), "Year(s)": checked["period"],
    "Published": checked["published"] + " " + checked["unit"],
    "Recomputed": [number(v, digits=1) for v in checked["recomputed"]],
    "Verdict": checked["verdict"]})
show_table(claims_table, caption="Each claim with its recomputed figure and verdict",
           sources=[SRC_CLAIMS, SRC_GVA, SRC_PROD, SRC_APS, SRC_POP, SRC_BRES],
           data=claims_table.assign(Recomputed=checked["recomputed"]))
counts = checked["verdict"].value_counts()
say(f"Of {len(checked)} claims, {counts.get('matches', 0)} match the open data, "
    f"{counts.get('close', 0)} are close, {counts.get('differs', 0)} differ and "
    f"{counts.get('cannot be checked with open data', 0)} cannot be checked with open data.")

# %% [markdown]
# ### Why each verdict
#
# What each figure was recomputed from, and why it may differ from the published one.

# %%
say("\n".join(
    f"* **“{row.words}”** ({row.published} {row.unit}; recomputed "
    f"{number(row.nearest, digits=1)}; {row.verdict}). {row.basis}. {row.reason}"
    + (f" Year(s): {row.period_note}." if row.period_note else "")
    for row in checked.itertuples()))

# %% [markdown]
# ### The series behind the claims about change
#
# Where a claim is about change, its series shows whether the figure depends on the years
# chosen.

# %%
axis_labels = {"gva_growth": "GVA (£bn, current prices)",
               "productivity_growth_vs_uk": "GVA per hour worked (£)",
               "employment_rate": "Employment rate, 16-64 (%)",
               "unemployment_rate": "Unemployment rate (%)",
               "emissions_change": "Greenhouse gas emissions per head (tCO2e)"}
for row in checked[checked["series"].notna()].itertuples():
    series = row.series.set_index("year")
    line_chart({column: series[column] for column in series.columns},
               title=f"“{textwrap.shorten(row.words, 70, placeholder='…')}”: the series",
               xlabel="Year", ylabel=axis_labels.get(row.measure, row.unit),
               sources=[row.basis.split(":")[0]])

# %% [markdown]
# ## 3. Why output per head is lower: the five components
#
# GVA per head is the product of productivity (GVA per hour worked), hours worked per job,
# jobs per employed resident (commuting), the employment rate of residents aged 16-64 and the
# working-age share of the population. The log gap to the UK is the sum of the five log gaps;
# the output gap in £ (the GVA the area would add with the UK's GVA per head) is shared among
# them in proportion (ONS's and the LIS evidence base's decomposition). Year: mid-2021, the
# only year with population by age in the evidence base; GVA here is the GVA behind ONS's
# district productivity figures.

# %%
productivity = evidence.get("productivity_lad")
local = evidence.get("explore_local")
population = evidence.get("population_mye2021")
decompositions = {}
for key, area in resolved.items():
    accounts = dec.labour_accounts(productivity, local, population, area.lad_codes,
                                   decomposition_year)
    decompositions[key] = dec.per_head_decomposition(accounts["area"], accounts["uk"])
wmca_gap = decompositions["wmca"].set_index("component")
say(f"In {decomposition_year} the West Midlands Combined Authority's GVA per head was "
    f"£{number(wmca_gap.loc['total', 'area'], digits=0)} against the UK's "
    f"£{number(wmca_gap.loc['total', 'uk'], digits=0)}: an output gap of "
    f"**{number(wmca_gap.loc['total', 'gap_gbp'], gbp=True)}**, of which productivity "
    f"accounts for {number(wmca_gap.loc['productivity', 'gap_gbp'], gbp=True)} "
    f"({number(wmca_gap.loc['productivity', 'share_of_gap'], digits=0)}%) and the "
    f"employment rate for {number(wmca_gap.loc['employment_rate', 'gap_gbp'], gbp=True)} "
    f"({number(wmca_gap.loc['employment_rate', 'share_of_gap'], digits=0)}%).")

# %%
for key, table in decompositions.items():
    shown = pd.DataFrame({
        "Component": table["label"], "Unit": table["component"].map(dec.UNITS),
        "Area": table["area"], "UK": table["uk"],
        "Log points": table["log_points"], "Output gap (£bn)": table["gap_gbp"] / 1e9,
        "Share of the gap (%)": table["share_of_gap"]})
    show_table(shown, formats={"Area": "{:,.3f}", "UK": "{:,.3f}", "Log points": "{:+.1f}",
                               "Output gap (£bn)": "{:+.2f}",
                               "Share of the gap (%)": "{:.0f}"},
               caption=f"{names[key]}: GVA per head against the UK in {decomposition_year}, "
                       "by component (a positive £ figure is output missing)",
               sources=[SRC_PROD, SRC_APS, SRC_POP])
    parts = table[table["component"] != "total"]
    bar_chart(list(parts["label"]), list(parts["gap_gbp"] / 1e9),
              title=f"{names[key]}: output gap by component, {decomposition_year}",
              xlabel="£bn of output missing", sources=[SRC_PROD, SRC_APS, SRC_POP],
              reference=0)

# %%
lep_gap = decompositions["wm_three_lep"].set_index("component")
say(f"For the three-LEP area the {decomposition_year} output gap is "
    f"{number(lep_gap.loc['total', 'gap_gbp'], gbp=True)}, of which the employment rate "
    f"accounts for {number(lep_gap.loc['employment_rate', 'gap_gbp'], gbp=True)} "
    f"({number(lep_gap.loc['employment_rate', 'share_of_gap'], digits=0)}%). The Local "
    "Industrial Strategy's £5.2bn from fewer residents in employment and £3bn from skills, "
    "'together 54 per cent', imply a gap of about £15.2bn in its (unstated) year; the skills "
    "part needs data the evidence base does not hold, so the two figures are not compared "
    "like for like.")

# %% [markdown]
# ## 4. Industry mix or productivity within industries?
#
# The productivity gap (GVA per job) to Great Britain is split into the part due to the
# area's mix of industries (the gap if each industry were as productive as Great Britain's)
# and the part due to its industries being less productive than the same industries
# nationally (static shift-share, 17 industries). Employment by industry (BRES) is published
# for ITL2 areas only: an area that is not a union of ITL2 areas is described by the ITL2
# areas that hold it.

# %%
gva = evidence.get("gva_itl3_industry")
bres = evidence.get("bres_itl2_sic2")
rows = []
for key, area in resolved.items():
    itl2, exact = list(area.itl2), area.itl2_exact
    split = dec.shift_share_productivity(**dec.industry_accounts(gva, bres, itl2,
                                                                 industry_year))
    rows.append({"Area": names[key], "ITL2 areas": ", ".join(itl2),
                 "Exactly the area": "yes" if exact else "no, a larger area",
                 "GVA per job (£)": split["area"], "Great Britain (£)": split["uk"],
                 "Gap (£ per job)": split["gap"], "Industry mix (%)": split["mix_share"],
                 "Within industries (%)": split["within_share"]})
shift = pd.DataFrame(rows)
show_table(shift, formats={c: "{:,.0f}" for c in shift.columns[3:]},
           caption=f"The productivity gap split into industry mix and within-industry "
                   f"productivity, {industry_year}", sources=[SRC_GVA, SRC_BRES])
first = shift.iloc[0]
say(f"For {first['Area']}, {number(first['Within industries (%)'], digits=0)}% of the gap of "
    f"{number(-first['Gap (£ per job)'], gbp=True, digits=0)} per job is within industries "
    f"and {number(first['Industry mix (%)'], digits=0)}% is industry mix: with open data, "
    "lower productivity is mostly within industries, as the Local Industrial Strategy says; "
    "whether that is due to firms cannot be told from industry totals.")

# %% tags=["remove-cell"]
metrics = {
    "key_messages": [
        f"{counts.get('matches', 0)} of {len(checked)} published claims match the open data, "
        f"{counts.get('differs', 0)} differ",
        f"WMCA output gap {number(wmca_gap.loc['total', 'gap_gbp'], gbp=True)} per head "
        f"({decomposition_year}), {number(wmca_gap.loc['productivity', 'share_of_gap'], digits=0)}"
        "% productivity"],
    "claims": {row.id: {"published": row.published, "recomputed": row.recomputed,
                        "verdict": row.verdict} for row in checked.itertuples()},
    "wmca_gap_gbp_bn": {row.component: row.gap_gbp / 1e9
                        for row in decompositions["wmca"].itertuples()},
    "data_as_of": max(decomposition_year, industry_year),
}
write_metrics(paths.metrics / "claims.json", metrics)
