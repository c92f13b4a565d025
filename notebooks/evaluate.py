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
# # Programme evaluation

# %% tags=["parameters"]
programme = "ukspf"
region = "E47000007"
window = 3

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
from matplotlib.ticker import MaxNLocator

from wmresearch.config import Project
from wmresearch.evaluation import before_after_gap, get_programme, region_productivity
from wmresearch.evidence.build import load_table
from wmresearch.reporting import data_banner, source_note, write_metrics
from wmresearch.sources import load_manifest

project = Project.here()
paths = project.paths.ensure()
manifest = load_manifest(paths)
prog = get_programme(project.params.get("programmes", {}), programme)
lads = load_table(paths, "region_lads")
series = region_productivity(load_table(paths, "productivity_lad"), list(lads["lad_code"]))
gap = before_after_gap(series, prog.start_year, window)

# %%
data_banner(manifest["mode"], manifest["missing"])

# %%
display(Markdown(f"## {prog.name}\n\n{prog.summary}\n\n"
                 f"* Funder: {prog.funder or 'n/a'}\n"
                 f"* Start: {prog.start_year}\n"
                 f"* Budget: {f'£{prog.budget_gbp_m:.1f}m' if prog.budget_gbp_m else 'n/a'}\n"
                 f"* Sources: {'; '.join(prog.sources) or 'n/a'}"))

# %% [markdown]
# ## Context: the region's productivity relative to the UK
#
# A descriptive baseline, not an impact estimate: the change in the gap has no
# counterfactual and mixes the programme with everything else that happened.

# %%
fig, ax = plt.subplots(figsize=(8, 3.8))
ax.plot(series["year"], series["relative"], marker="o")
ax.axvline(prog.start_year - 0.5, color="k", ls="--", lw=1)
ax.axhline(100, color="grey", lw=1)
ax.set(title=f"GVA per hour worked relative to the UK (UK = 100); {prog.name} starts "
             f"{prog.start_year}", xlabel="Year", ylabel="Index")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
plt.show()
source_note("ONS, Subregional productivity by local authority district (June 2024)")

# %%
display(Markdown(
    f"Mean relative productivity {gap['before_mean_relative']:.1f} in the {window} years "
    f"before and {gap['after_mean_relative']:.1f} from {prog.start_year} "
    f"({gap['years_after']} years observed): a change of {gap['change_points']:+.1f} points."))

# %% tags=["remove-cell"]
write_metrics(paths.metrics / "evaluate" / f"{programme}.json", {"programme": programme, **gap})
