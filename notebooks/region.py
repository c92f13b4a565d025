# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # The State of the Region
#
# The area's economy from the publishers' own files: productivity, output by industry, jobs
# and their sectors, business structure, deprivation and where people work. Each chart names
# the release it comes from; every figure is rebuilt by `dvc repro`.

# %% tags=["parameters"]
region = "E47000007"

# %% tags=["remove-cell"]
from IPython.display import Markdown, display

from wmresearch.config import Project
from wmresearch.region import report, report_money
from wmresearch.region import report_indicators as indicators
from wmresearch.region.area import study_area
from wmresearch.region.indicators import PRODUCTIVITY_RELEASE
from wmresearch.region.money import WMCA_GREEN_PAPER
from wmresearch.reporting import glossary, say, show_table, write_metrics

paths = Project.here().paths
area = study_area(paths, region)
tables = report.Tables(paths)
metrics = {"region": region, "area": area.name}

# %%
display(Markdown(area.describe()))
gaps = report_money.reconcile(area, tables)
board, found = indicators.overview(area, tables, gaps)
metrics.update(found)

# %% [markdown]
# ## Dashboard
#
# Every indicator ONS publishes for local areas, grouped by the inclusive-growth
# fundamentals: the area's latest value, the national figure, its rank among combined
# authorities, whether the gap is statistically significant (only where ONS publishes 95%
# confidence intervals that do not overlap) and the trend over the last five periods.
#
# How to read it: ranks compare rates, shares and per-head figures only (1st = best); totals
# such as exports or investment are not ranked, because combined authorities differ in size.
# A rank is out of the combined authorities ONS publishes that indicator for, which is why
# some ranks are out of 15 and others out of 6, 9, 11 or 14. Trends of money in current
# prices are marked "nominal": part of any rise is inflation, so they are not called
# improving. Indicators that move together (five business survival rates, four wellbeing
# scores) are counted once in the key messages.

# %%
indicators.dashboard_table(board)

# %% [markdown]
# ## 1. Productivity
#
# GVA per hour worked is the headline measure of labour productivity; GVA per filled job
# also reflects hours worked per job. Both are in current prices and smoothed by ONS, so
# comparisons across areas within a year are the meaningful ones.

# %%
metrics.update(report.productivity(area, tables))

# %% [markdown]
# ### The output gap
#
# How much larger the economy would be at UK productivity. Every measure below starts from the
# same GVA total (section 2), so each figure can be checked by hand: gap = GVA × (100 / area
# as % of UK − 1).

# %%
if gaps is None:
    say("_GVA or productivity for the area's districts is not in the acquired data for this "
        "run, so the output gap is omitted._")
else:
    say(f"At UK productivity the economy of {area.title} would have been "
        f"**£{gaps['gap_gbp_bn']:,.1f} billion** larger in {gaps['year']}: its GVA of "
        f"£{gaps['gva_gbp_m'] / 1000:,.1f} billion × (100 / {gaps['hour_relative']:.1f} − 1), "
        f"where {gaps['hour_relative']:.1f}% is its GVA per hour worked against the UK's. "
        "The hours-based gap is the headline because GVA per hour worked compares like with "
        "like: it is not affected by part-time work or by how many residents are in work. "
        "Per filled job and per head the gap differs (table below).")

# %%
if gaps is not None:
    show_table(gaps["table"].rename(columns={
        "measure": "Measure", "relative": "Area as % of UK",
        "total_gbp_bn": "GVA total used (£bn)", "gap_gbp_bn": "Output gap (£bn)",
        "basis": "What the gap assumes"}),
        formats={"Area as % of UK": "{:.1f}", "GVA total used (£bn)": "{:.1f}",
                 "Output gap (£bn)": "{:.1f}"},
        caption=f"Output gap at UK productivity, {gaps['year']}, each measure on the one GVA "
                "total",
        sources=[report_money.SRC_GVA, PRODUCTIVITY_RELEASE + " (GVA per hour and per job, "
                 "UK aggregated from districts)", "ONS, GDP per head (Explore local statistics)",
                 WMCA_GREEN_PAPER.source])
    metrics.update(output_gap_gbp_bn=gaps["gap_gbp_bn"], output_gap_year=gaps["year"],
                   output_gap_method="hours-based: GVA x (100 / GVA per hour relative to UK "
                                     "- 1)", output_gap_gva_gbp_bn=gaps["gva_gbp_m"] / 1000)

# %%
published = (gaps["table"][gaps["table"]["measure"].str.startswith("Published")]
             if gaps is not None else [])
if len(published):
    own = published.iloc[0]
    uk_published = (f" (£{gaps['uk_published']:.2f} that year)" if gaps["uk_published"]
                    else "")
    say(f"WMCA quotes an output gap of about £{WMCA_GREEN_PAPER.gap_gbp_bn:.0f} billion "
        f"({WMCA_GREEN_PAPER.source}), from GVA per hour of "
        f"£{WMCA_GREEN_PAPER.gva_per_hour:.2f} against the UK's "
        f"£{WMCA_GREEN_PAPER.uk_gva_per_hour:.2f} ({own['relative']:.1f}%). Applied to the "
        f"£{own['total_gbp_bn']:,.1f} billion shown here those rates give "
        f"£{own['gap_gbp_bn']:,.1f} billion. The rest of the difference is the total: WMCA "
        "does not state the GVA it applied its rates to. Its rates also differ from this "
        f"page's (£{gaps['gva_per_hour']:.2f} against £{gaps['uk_gva_per_hour']:.2f} in "
        f"{gaps['year']}) because it compares with ONS's published UK figure{uk_published}, "
        "where this page aggregates the UK from districts in the same way as the area (like "
        "for like).")

# %% [markdown]
# ## 2. Output by industry

# %%
metrics.update(report.output(area, tables))

# %% [markdown]
# ## 3. Jobs and specialisation
#
# Employment by industry section and its location quotient against Great Britain
# (LQ above 1: the section's share of jobs is higher than nationally).

# %%
metrics.update(report.jobs(area, tables))

# %% [markdown]
# ## 4. Business structure
#
# The area's own enterprises in the latest year ONS publishes for districts: how many are
# active, how many start up and how many close, against the UK.

# %%
metrics.update(report.business(area, tables))

# %% [markdown]
# ## 5. Deprivation
#
# The English Indices of Deprivation 2025 rank every neighbourhood (LSOA) in England; the
# 2019 indices appear only in the comparison that follows.

# %%
metrics.update(report.deprivation(area, tables))

# %%
metrics.update(indicators.deprivation_2025(area, tables))

# %% [markdown]
# ## 6. Against the other combined authorities

# %%
metrics.update(indicators.peers(area, tables))

# %% [markdown]
# ## 7. Where people work
#
# From the 2011 Census, the latest count of workers by place of work for small areas: the
# map shows workers per square kilometre, so large areas do not look busy by size alone.

# %%
metrics.update(report.workplaces(area, tables))

# %%
glossary(["gva", "output_gap", "lq", "confidence_interval", "lsoa", "imd"])

# %% tags=["remove-cell"]
write_metrics(paths.metrics / "region.json", metrics)
