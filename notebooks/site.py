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
# # wmresearch reports
#
# Reproducible evidence for the region's economic strategy, rebuilt from official open data
# with `dvc repro`.

# %% tags=["parameters"]
site_title = "wmresearch reports"

# %% tags=["remove-cell"]
from IPython.display import HTML

from wmresearch.config import Project
from wmresearch.reporting.site import index_fragment
from wmresearch.sources import load_manifest

project = Project.here()
paths = project.paths

# %%
HTML(index_fragment(paths.reports, manifest=load_manifest(paths),
                    order=["acquire.html", "evidence.html", "clusters.html"]))
