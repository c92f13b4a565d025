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

from wmresearch.config import Project
from wmresearch.reporting import number, say, show_table, write_metrics
from wmresearch.sources import load_manifest
from wmresearch.sources.acquire import datasets_table, missing_report

paths = Project.here().paths.ensure()
SOURCE = "wmresearch dataset registry; where this run found each file"
WHERE = {"raw": "in data/raw/", "mirror": "in the open-data mirror",
         "download": "downloaded from the publisher"}

# %% [markdown]
# ## 1. Where each dataset was found

# %%
manifest = load_manifest(paths)
table = pd.DataFrame(datasets_table(manifest))
found_in = table["found in"].str.split(", ").explode().value_counts()
show_table(table.rename(columns={
               "dataset": "Dataset (release)", "publisher": "Publisher", "licence": "Licence",
               "status": "Status", "found in": "Found in", "files": "Files",
               "MB": "Size (MB)", "checksum": "Checksum"}),
           formats={"Files": "{:,}", "Size (MB)": "{:,.2f}"},
           caption="Every registered dataset: publisher, licence and where this run found it",
           sources=[SOURCE])
say(f"**{len(table)} datasets** are registered: {len(table) - len(manifest['missing'])} found "
    f"({', '.join(f'{n} {WHERE[where]}' for where, n in found_in.items() if where in WHERE)})"
    f" and {len(manifest['missing'])} missing; {number(int(table['files'].sum()), digits=0)} "
    f"files, {number(table['MB'].sum(), digits=1)} MB. "
    f"{len(manifest['unverified'])} of the files found do not match the release the project "
    "was tested on.")

# %% [markdown]
# ## 2. Missing files and how to get them
#
# Each file of each missing dataset, with the publisher's direct download link where there is
# one (else its landing page) and where to save it.

# %%
missing = pd.DataFrame(missing_report(manifest))
if len(missing):
    show_table(missing.rename(columns={
                   "dataset": "Dataset", "required": "Required", "file": "File",
                   "download": "Download from", "direct link": "Direct link",
                   "save as": "Save as"}),
               caption="Missing files: where to download each and where to save it",
               sources=[SOURCE])
say(f"{len(missing)} files are missing: download each and save it where the table says, then "
    "rerun `dvc repro`." if len(missing) else
    "No file is missing: every file of every dataset was found.")

# %% tags=["remove-cell"]
write_metrics(paths.metrics / "acquire.json", {
    "mode": manifest["mode"], "datasets": len(table),
    "datasets_missing": len(manifest["missing"]), "files": int(table["files"].sum()),
    "files_missing": len(missing), "files_unverified": len(manifest["unverified"]),
    "megabytes": float(table["MB"].sum()),
})
