# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---
# %% [markdown]
# # State of the Region: evidence base
#
# The region's economy from the publishers' own files: productivity, output by industry, jobs
# and their sectors, business structure, deprivation and small-area employment. Every table
# below is rebuilt by `dvc repro` and every cleaned dataset accounts for its rows.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601

# %% tags=["remove-cell"]
import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display
from matplotlib.ticker import MaxNLocator

from wmresearch.config import Project
from wmresearch.region import profile
from wmresearch.evidence.build import build_evidence
from wmresearch.evidence.geography import itl_to_nuts
from wmresearch.reporting import data_banner, source_note, write_metrics
from wmresearch.reporting.charts import line_chart, paired_bars
from wmresearch.sources import load_manifest

project = Project.here()
paths = project.paths.ensure()
manifest = load_manifest(paths)
SRC_PROD = ("ONS, Subregional productivity: labour productivity by local authority district "
            "(June 2024)")
SRC_A4 = "ONS, Subregional productivity, Table A4: GVA per hour worked by ITL area"
SRC_GVA = "ONS, Regional gross value added (balanced) by industry, ITL3, current prices"
SRC_BRES = "ONS, Business Register and Employment Survey (open access), via NOMIS"
SRC_UKBC = "ONS, UK Business Counts (IDBR), via NOMIS"
SRC_IMD = "MHCLG, English Indices of Deprivation 2019"
SRC_CENSUS = "ONS, Census 2011 workplace population by industry (WP605EW)"
SRC_BDY = "ONS Open Geography Portal boundaries; contains OS data (c) Crown copyright"


def tidy_axes(ax, years=True):
    if years:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)


# %%
data_banner(manifest["mode"], manifest["missing"])

# %% tags=["remove-cell"]
accounting = build_evidence(paths, manifest, region, seed=seed)


def table(name):
    path = paths.evidence / f"{name}.parquet"
    return pd.read_parquet(path) if path.is_file() else None


lads = table("region_lads")
lad_codes = list(lads["lad_code"])
region_label = (f"{lads['cauth_name'].iloc[0]} Combined Authority"
                if region.startswith("E47") else region)
itl2 = sorted(lads["itl2_code"].dropna().unique())
itl3 = sorted(lads["itl3_code"].dropna().unique())
lad_itl = table("lad_itl")
coverage = profile.itl_coverage(lad_itl, lads) if lad_itl is not None else {"exact": True}

# %%
note = "" if coverage["exact"] else (
    f" ITL2-level statistics below cover {', '.join(itl2)}, which also contains "
    f"{', '.join(coverage['extra_lads'])}.")
display(Markdown(f"**Region:** {region_label} (`{region}`): {', '.join(lads['lad_name'])}. "
                 f"ITL3 areas: {', '.join(itl3)}; ITL2: {', '.join(itl2)}.{note}"))

# %% [markdown]
# ## 1. Productivity
#
# GVA per hour worked is the headline measure of labour productivity; GVA per filled job
# also reflects hours worked per job. Both are in current prices (smoothed), so comparisons
# across areas within a year are the meaningful ones.

# %%
prod = table("productivity_lad")
hour = profile.aggregate_rate(prod, lad_codes, "gva_per_hour", "hours_worked") \
    if "hours_worked" in set(prod["measure"]) else None
a4 = table("gva_per_hour_itl")
if a4 is not None:
    comp = profile.productivity_vs_england_uk(a4, itl2).set_index("year")
    line_chart({c: comp[c] for c in comp.columns},
               title="GVA per hour worked vs England and the UK (£, current prices)",
               xlabel="Year", ylabel="£ per hour", sources=[SRC_A4])

# %%
if hour is not None:
    job = profile.aggregate_rate(prod, lad_codes, "gva_per_job", "filled_jobs")
    line_chart({"GVA per hour worked": hour.set_index("year")["relative"],
                "GVA per filled job": job.set_index("year")["relative"]},
               title=f"{region_label}: productivity relative to the UK (UK = 100)",
               xlabel="Year", ylabel="Index (UK = 100)", reference=100,
               sources=[SRC_PROD + "; region = districts' total GVA over total hours (jobs)"])

# %%
latest = int(prod["year"].max())
idx = (prod[prod["lad_code"].isin(lad_codes) & (prod["year"] == latest)
            & prod["measure"].isin(["gva_per_hour_index", "gva_per_job_index"])]
       .pivot_table(index="area_name", columns="measure", values="value")
       .sort_values("gva_per_hour_index"))
paired_bars(list(idx.index), {"per hour worked": idx["gva_per_hour_index"],
                              "per filled job": idx["gva_per_job_index"]},
            title=f"Productivity by district, {latest} (UK = 100)", xlabel="Index (UK = 100)",
            reference=100, sources=[SRC_PROD + ", tables A1 and B1"])

# %% [markdown]
# ## 2. Output by industry

# %%
gva = table("gva_itl3_industry")
if gva is not None:
    growth = profile.gva_growth(gva, itl3)
    sections = profile.gva_by_section(gva, itl3)
    year_gva = int(sections["year"].iloc[0])
    total = sections["gva_gbp_m"].sum()
    display(Markdown(f"Total GVA in {year_gva}: **£{total / 1000:,.1f} billion** (current "
                     f"prices), {100 * total / sections['uk_gva_gbp_m'].sum():.1f}% of the UK."))
    growth = growth.set_index("year")
    line_chart({region_label: growth["region_index"], "UK": growth["uk_index"]},
               title=f"Nominal GVA growth, {int(growth.index.min())} = 100", xlabel="Year",
               ylabel="Index", sources=[SRC_GVA], figsize=(8, 3.8))

# %%
if gva is not None:
    top = sections.sort_values("share")
    paired_bars(list(top["sic07_code"] + " " + top["sic07_description"].str.slice(0, 45)),
                {region_label: top["share"], "UK": top["uk_share"]},
                title=f"Share of GVA by industry section, {year_gva}", xlabel="% of total GVA",
                sources=[SRC_GVA], width=9)

# %% [markdown]
# ## 3. Jobs and specialisation
#
# Employment by industry section and its location quotient against Great Britain
# (LQ > 1: the section's share of jobs is higher than nationally).

# %%
bres = table("bres_itl2_sic2")
emp = profile.employment_by_section(bres, itl2).dropna(subset=["lq"])
sic = table("sic2007")
if sic is not None:
    emp["section_name"] = emp["section"].map(sic.drop_duplicates("section")
                                             .set_index("section")["section_name"])
else:
    emp["section_name"] = ""
emp = emp.sort_values("lq")
fig, ax = plt.subplots(figsize=(9, 6))
ax.barh(emp["section"] + " " + emp["section_name"].fillna("").str.slice(0, 45), emp["lq"])
ax.axvline(1, color="k", lw=1)
ax.set(title=f"Employment location quotients by section vs Great Britain, "
             f"{int(emp['year'].iloc[0])}", xlabel="Location quotient")
tidy_axes(ax, years=False)
plt.show()
source_note(SRC_BRES)

# %%
display(emp.sort_values("employment", ascending=False)
        [["section", "section_name", "employment", "share", "gb_share", "lq"]]
        .rename(columns={"section_name": "name", "share": "% of region", "gb_share": "% of GB"})
        .style.format({"employment": "{:,.0f}", "% of region": "{:.1f}", "% of GB": "{:.1f}",
                       "lq": "{:.2f}"}).hide(axis="index"))
source_note(SRC_BRES + "; open-access counts are rounded")

# %% [markdown]
# ## 4. Business structure

# %%
ukbc = table("ukbc_sizeband")
if ukbc is not None:
    size = profile.business_size_structure(ukbc)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(size["sizeband"].astype(str), size["share"])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set(title=f"Enterprises by employment size band, Great Britain, {int(size['year'].iloc[0])}",
           xlabel="Employees", ylabel="% of enterprises")
    tidy_axes(ax, years=False)
    plt.show()
    source_note(SRC_UKBC + ", enterprises")

# %%
idbr = table("idbr_nuts2_sic4")
if idbr is not None:
    units = profile.local_units_by_section(idbr, [itl_to_nuts(c) for c in itl2])
    display(Markdown(f"Workplaces (local units) in {', '.join(itl2)}: "
                     f"**{units['local_units'].sum():,.0f}** in {int(units['year'].iloc[0])}."))
    display(units.sort_values("local_units", ascending=False)
            .rename(columns={"share": "% of region", "gb_share": "% of GB"})
            .style.format({"local_units": "{:,.0f}", "% of region": "{:.1f}",
                           "% of GB": "{:.1f}", "lq": "{:.2f}"}).hide(axis="index"))
    source_note(SRC_UKBC + ", local units by NUTS2 (2013) area")

# %% [markdown]
# ## 5. Deprivation

# %%
imd = table("imd2019_lsoa")
dep = profile.deprivation_summary(imd, lad_codes)
fig, ax = plt.subplots(figsize=(8, 0.45 * len(dep) + 1.2))
ordered = dep.sort_values("most_deprived_decile_pct")
ax.barh(ordered["lad19_name"], ordered["most_deprived_decile_pct"])
ax.axvline(10, color="k", lw=1, ls=":")
ax.set(title="Share of neighbourhoods (LSOAs) among England's 10% most deprived",
       xlabel="% of the district's LSOAs (England = 10%)")
tidy_axes(ax, years=False)
plt.show()
source_note(SRC_IMD + ", File 1")

# %%
lsoa_bdy = paths.evidence / "lsoa11_boundaries.parquet"
if lsoa_bdy.is_file():
    shapes = gpd.read_parquet(lsoa_bdy)
    shapes = shapes[shapes["lad_code"].isin(lad_codes)].merge(
        imd[["lsoa11_code", "imd_decile"]], left_on="area_code", right_on="lsoa11_code")
if lsoa_bdy.is_file() and len(shapes):
    fig, ax = plt.subplots(figsize=(9, 7))
    shapes.plot(column="imd_decile", cmap="RdYlBu", categorical=True, legend=True, ax=ax,
                linewidth=0, legend_kwds={"title": "IMD decile\n(1 = most deprived)",
                                          "loc": "upper left", "bbox_to_anchor": (1.0, 1.0),
                                          "fontsize": 8})
    ax.set_axis_off()
    ax.set_title("Index of Multiple Deprivation 2019 by LSOA")
    plt.show()
    source_note(SRC_IMD, SRC_BDY)
else:
    display(Markdown("_No LSOA boundaries for this region in the acquired data: map omitted._"))

# %% [markdown]
# ## 6. Where people work: workplace population by MSOA (Census 2011)

# %%
census = table("census2011_workplace_msoa")
msoa_bdy = paths.evidence / "msoa11_boundaries.parquet"
if census is not None and msoa_bdy.is_file():
    msoas = gpd.read_parquet(msoa_bdy)
    msoas = msoas[msoas["lad_code"].isin(lad_codes)]
    work = profile.workplace_by_msoa(census, list(msoas["area_code"]))
    shapes = msoas.merge(work, left_on="area_code", right_on="msoa11_code")
if census is not None and msoa_bdy.is_file() and len(shapes):
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    shapes.plot(column="workers_total", cmap="viridis", legend=True, ax=axes[0], linewidth=0,
                scheme="quantiles", k=5, legend_kwds={"fontsize": 7, "loc": "upper left",
                                                     "bbox_to_anchor": (0.0, -0.02)})
    axes[0].set_title("Workers by place of work")
    shapes.plot(column="share_C", cmap="magma_r", legend=True, ax=axes[1], linewidth=0,
                scheme="quantiles", k=5, legend_kwds={"fontsize": 7, "loc": "upper left",
                                                     "bbox_to_anchor": (0.0, -0.02)})
    axes[1].set_title("% of workers in manufacturing")
    for ax in axes:
        ax.set_axis_off()
    fig.suptitle("Workplace population by MSOA, Census 2011")
    plt.show()
    source_note(SRC_CENSUS, SRC_BDY)
    display(work.nlargest(10, "workers_total")[["msoa11_name", "workers_total", "share_C"]]
            .rename(columns={"msoa11_name": "MSOA", "workers_total": "workers",
                             "share_C": "% manufacturing"})
            .style.format({"workers": "{:,.0f}", "% manufacturing": "{:.1f}"})
            .hide(axis="index"))
else:
    display(Markdown("_No MSOA boundaries or census table for this region: map omitted._"))

# %% [markdown]
# ## 7. Row accounting
#
# Every cleaner accounts for its rows: rows in = rows out + rows rejected. Rejected rows are
# kept with a reason in `data/interim/rejects/<table>.csv`. *Records out* counts the tidy
# rows after reshaping wide year or industry columns.

# %%
acc = pd.DataFrame(accounting["tables"]).T.reset_index(names="table")
display(acc[["table", "source", "rows_in", "rows_out", "rows_rejected", "records_out",
             "balanced"]].style.hide(axis="index"))
if accounting["skipped"]:
    display(pd.Series(accounting["skipped"], name="skipped because").to_frame())

# %% tags=["remove-cell"]
assert acc["balanced"].all(), "row accounting does not balance"
write_metrics(paths.metrics / "evidence.json", accounting)
