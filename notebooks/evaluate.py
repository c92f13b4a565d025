# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Programme evaluation
#
# One report per programme of the registry (`programmes:` in `params.yaml`), in the order of
# HM Treasury's Magenta Book: what was done and why, what was delivered, how impact is to be
# identified, whether the data could detect an effect of plausible size, and only then any
# impact figure, its value for money and its caveats. Figures that are not published are said
# to be so; synthetic illustrations are labelled.

# %% tags=["parameters"]
programme = "ukspf"
region = "E47000007"
seed = 20240601
window = 3

# %% tags=["remove-cell"]
from wmresearch.config import Project
from wmresearch.evaluation import report, report_impact
from wmresearch.reporting import write_metrics

project = Project.here()
paths = project.paths
ctx = report.Context.load(paths, project.params["programmes"], programme, seed=seed,
                          window=window)

# %%
metrics = report.summary(ctx)

# %%
metrics.update(report.programme_section(ctx))

# %%
metrics.update(report.monitoring_section(ctx))

# %%
metrics.update(report.method_section(ctx))

# %%
power = report_impact.power_section(ctx)

# %%
impact = report_impact.impact_section(ctx, power)

# %%
metrics.update(report_impact.firm_level_section(ctx))

# %%
metrics.update(report_impact.value_for_money(ctx, impact))

# %%
metrics.update(report.caveats(ctx))

# %% tags=["remove-cell"]
metrics.update(power, **impact, region_parameter=region)
write_metrics(paths.metrics / "evaluate" / f"{programme}.json", report_impact.headline(metrics))
