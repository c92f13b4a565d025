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
from wmresearch.reporting import glossary, write_metrics

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
metrics.update(report_money.show_output_gap(gaps, area.title))

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
