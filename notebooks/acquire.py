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
# # Data sources: what was acquired and from where
#
# Every official dataset wmresearch uses, its publisher and licence, and where this run found
# it: a copy in `data/raw/`, the open-data mirror (`WMRESEARCH_MIRROR`), or a download from
# the publisher. Checksums are compared with the release the project was tested on.

# %% tags=["parameters"]
verify_checksums = True
download_timeout = 60
download_retries = 3

# %% tags=["remove-cell"]
import pandas as pd
from IPython.display import display

from wmresearch.config import Project
from wmresearch.reporting import data_banner, write_metrics
from wmresearch.sources import acquire
from wmresearch.sources.acquire import missing_report

project = Project.here()
paths = project.paths.ensure()

# %%
manifest = acquire(paths, verify=verify_checksums, timeout=download_timeout,
                   retries=download_retries)
data_banner(manifest["mode"], manifest["missing"])

# %% [markdown]
# ## Datasets

# %%
rows = []
for entry in manifest["datasets"].values():
    rows.append({
        "dataset": entry["title"],
        "publisher": entry["publisher"],
        "licence": entry["licence"],
        "status": entry["status"],
        "found in": ", ".join(sorted({f["source"] for f in entry["files"]})),
        "files": len(entry["files"]),
        "MB": round(sum(f["size"] or 0 for f in entry["files"]) / 1e6, 2),
        "checksum verified": all(f["verified"] for f in entry["files"]),
    })
table = pd.DataFrame(rows)
display(table.style.hide(axis="index"))

# %% [markdown]
# ## Missing datasets and how to get them

# %%
missing = pd.DataFrame(missing_report(manifest), columns=["dataset", "required", "how_to_get"])
display(missing.style.hide(axis="index") if len(missing) else
        pd.DataFrame({"": ["None: every dataset was found."]}).style.hide(axis="index"))

# %% tags=["remove-cell"]
write_metrics(paths.metrics / "acquire.json", {
    "mode": manifest["mode"],
    "datasets": len(manifest["datasets"]),
    "datasets_missing": len(manifest["missing"]),
    "files": int(table["files"].sum()),
    "megabytes": float(table["MB"].sum()),
})
