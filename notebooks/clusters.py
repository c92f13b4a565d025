# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Industrial specialisation: location quotients
#
# Which industries are over-represented in the region's employment compared with Great
# Britain, from the Business Register and Employment Survey (BRES).

# %% tags=["parameters"]
region = "E47000007"
year = None
lq_threshold = 1.25
top_n = 15

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from wmresearch.colocation.lq import region_lq_table
from wmresearch.config import Project
from wmresearch.evidence.build import load_table
from wmresearch.reporting import source_note, write_metrics
from wmresearch.sources import load_manifest

project = Project.here()
paths = project.paths.ensure()
manifest = load_manifest(paths)
bres = load_table(paths, "bres_itl2_sic2")
lads = load_table(paths, "region_lads")
areas = sorted(lads["itl2_code"].dropna().unique())
year = int(year or bres["year"].max())

# %%
lq = region_lq_table(bres[bres["year"] == year], areas, area_col="itl2_code",
                     industry_col="sic_code", value_col="employment")
names = bres.drop_duplicates("sic_code").set_index("sic_code")["sic_name"]
lq["industry"] = lq["sic_code"] + " " + lq["sic_code"].map(names).fillna("")
display(Markdown(f"Region = ITL2 area(s) {', '.join(areas)}; reference = Great Britain; "
                 f"BRES {year}."))

# %%
top = lq.dropna(subset=["lq"]).nlargest(top_n, "lq").sort_values("lq")
fig, ax = plt.subplots(figsize=(9, 0.35 * top_n + 1))
ax.barh(top["industry"].str.slice(0, 60), top["lq"])
ax.axvline(1, color="k", lw=1)
ax.set(title=f"Most specialised industries (SIC division), {year}: location quotient vs GB",
       xlabel="Location quotient (1 = GB share)")
plt.show()
source_note("ONS, Business Register and Employment Survey (open access) via NOMIS")

# %% tags=["remove-cell"]
out = paths.processed / "colocation"
out.mkdir(parents=True, exist_ok=True)
lq.to_parquet(out / "lq_region_sic2.parquet", index=False)
write_metrics(paths.metrics / "clusters.json", {
    "year": year, "industries": int(lq["lq"].notna().sum()),
    "specialised_industries": int((lq["lq"] >= lq_threshold).sum()),
    "max_lq": float(lq["lq"].max()),
    "region_employment": float(lq["employment"].sum()),
})
