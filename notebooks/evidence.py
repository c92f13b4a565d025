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
# Productivity, deprivation and the row accounting of every cleaned official dataset for the
# region set in `params.yaml`.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator
import pandas as pd
from IPython.display import Markdown, display

from wmresearch.config import Project
from wmresearch.evaluation import region_productivity
from wmresearch.evidence.build import build_evidence
from wmresearch.reporting import data_banner, source_note, write_metrics
from wmresearch.sources import load_manifest

project = Project.here()
paths = project.paths.ensure()
manifest = load_manifest(paths)

# %%
data_banner(manifest["mode"], manifest["missing"])

# %% tags=["remove-cell"]
accounting = build_evidence(paths, manifest, region, seed=seed)
tables = {name: pd.read_parquet(paths.evidence / f"{name}.parquet")
          for name in accounting["tables"]}
lads = tables["region_lads"]
region_label = (f"{lads['cauth_name'].iloc[0]} Combined Authority"
                if region.startswith("E47") and len(lads) else region)

# %%
display(Markdown(f"**Region:** {region_label} ({region}): "
                 + ", ".join(lads["lad_name"]) + "."))

# %% [markdown]
# ## Productivity: GVA per hour worked

# %%
prod = tables["productivity_lad"]
series = region_productivity(prod, list(lads["lad_code"]))
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(series["year"], series["region"], label=region_label, lw=2)
ax.plot(series["year"], series["uk"], label="UK less Extra-Regio", lw=2, ls="--")
ax.set(title=f"GVA per hour worked, {region_label} vs UK (current prices, £)",
       xlabel="Year", ylabel="£ per hour")
ax.legend()
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
plt.show()
source_note("ONS, Subregional productivity by local authority district (June 2024), "
            "tables A3 and hours worked; region = hours-weighted")

# %%
latest = int(prod["year"].max())
by_lad = (prod[(prod["measure"] == "gva_per_hour_index") & (prod["year"] == latest)
               & prod["lad_code"].isin(lads["lad_code"])]
          .sort_values("value"))
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.barh(by_lad["area_name"], by_lad["value"])
ax.axvline(100, color="k", lw=1)
ax.set(title=f"GVA per hour worked by district, {latest} (UK = 100)", xlabel="Index")
plt.show()
source_note("ONS, Subregional productivity by local authority district (June 2024), table A1")

# %% [markdown]
# ## Deprivation (English Indices of Deprivation 2019)

# %%
imd = tables["imd2019_lsoa"]
imd_region = imd[imd["lad_code"].isin(lads["lad_code"])]
share = (imd_region.assign(most_deprived=imd_region["imd_decile"] == 1)
         .groupby("lad19_name")["most_deprived"].mean().mul(100).sort_values())
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.barh(share.index, share.values)
ax.axvline(10, color="k", lw=1, ls=":")
ax.set(title="Share of LSOAs among England's 10% most deprived (IMD 2019)",
       xlabel="% of the district's LSOAs (England average = 10%)")
plt.show()
source_note("MHCLG, English Indices of Deprivation 2019, File 1")

# %% [markdown]
# ## Row accounting
#
# Every cleaner accounts for its rows: rows in = rows out + rows rejected. Rejected rows are
# kept with a reason in `data/interim/rejects/`.

# %%
acc = pd.DataFrame(accounting["tables"]).T.reset_index(names="table")
display(acc[["table", "rows_in", "rows_out", "rows_rejected", "records_out", "balanced"]]
        .style.hide(axis="index"))
if accounting["skipped"]:
    display(pd.Series(accounting["skipped"], name="skipped because").to_frame())

# %% tags=["remove-cell"]
assert acc["balanced"].all(), "row accounting does not balance"
write_metrics(paths.metrics / "evidence.json", accounting)
