# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Data sources: what was acquired and from where
#
# Every official dataset wmresearch uses, its publisher and licence, and where this run found
# it: a copy in `data/raw/`, the open-data mirror (`WMRESEARCH_MIRROR` or
# `wmresearch.local.yaml`), or a download from the publisher. Checksums are compared with the
# release the project was tested on; a file that does not match is flagged on every report.

# %% tags=["parameters"]
verify_checksums = True
download_timeout = 60
download_retries = 3

# %% tags=["remove-cell"]
import pandas as pd
from IPython.display import Markdown, display

from wmresearch.config import Project
from wmresearch.reporting import write_metrics
from wmresearch.sources import load_manifest
from wmresearch.sources.acquire import datasets_table, missing_report

paths = Project.here().paths.ensure()
manifest = load_manifest(paths)
table = pd.DataFrame(datasets_table(manifest))
missing = pd.DataFrame(missing_report(manifest))

# %% [markdown]
# ## Datasets

# %%
display(table.style.hide(axis="index"))

# %% [markdown]
# ## Missing files and how to get them
#
# Each file of each missing dataset, with the publisher's direct download link where there is
# one (else its landing page) and where to save it.

# %%
display(missing.style.hide(axis="index") if len(missing) else
        Markdown("None: every file of every dataset was found."))

# %% tags=["remove-cell"]
write_metrics(paths.metrics / "acquire.json", {
    "mode": manifest["mode"], "datasets": len(table),
    "datasets_missing": len(manifest["missing"]), "files": int(table["files"].sum()),
    "files_missing": len(missing), "files_unverified": len(manifest["unverified"]),
    "megabytes": float(table["MB"].sum()),
})
