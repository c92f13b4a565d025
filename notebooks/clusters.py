# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Industrial specialisation and co-location
#
# Which industries are concentrated in the area, which locate together, and how the Plan for
# Growth clusters compare with clusters found in the data. Employment is from the Business
# Register and Employment Survey (BRES) for ITL2 areas. The last section is a method
# demonstration on a **synthetic** firm register (no open file locates every firm): it shows
# that the firm-level methods recover planted clusters and states no finding.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601
year = None
lq_threshold = 1.25
min_employment = 100
top_n = 15
n_clusters_range = [5, 40]
industry_min_gb_employment = 5000
kd_simulations = 199
kd_cell_size = 200
kd_rmax_km = 20
dask_scheduler = None
disclosure = {"min_firms": 10, "dominance_share": 0.5}
synthetic_firms = {"scale": 0.25, "jitter_m": 400, "min_cluster_size": 15, "n_boot": 10,
                   "groups": {"pharmaceuticals and R&D": ["21", "72"],
                              "vehicles and aerospace": ["29", "30"]}}

# %% tags=["remove-cell"]
from wmresearch.colocation import report, report_firms, report_industry, report_plan
from wmresearch.config import Project

ctx = report.setup(Project.here().paths, region, seed=seed, year=year, top_n=top_n,
                   lq_threshold=lq_threshold, min_employment=min_employment)

# %% [markdown]
# ## 1. The area

# %%
report.describe_area(ctx)

# %% [markdown]
# ## 2. Concentration: location quotients
#
# The location quotient (LQ) compares an industry's share of the area's jobs with its share
# of Great Britain's (LQ above 1: over-represented in the area).

# %%
report.concentration(ctx)

# %% [markdown]
# ## 3. Cluster mapping: specialisation, growth and size

# %%
report_plan.cluster_map(ctx)

# %% [markdown]
# ## 4. Which industries are geographically concentrated in Great Britain?

# %%
report_plan.eg_ranking(ctx)

# %% [markdown]
# ## 5. The Plan for Growth clusters

# %%
report_plan.plan_clusters(ctx)

# %% [markdown]
# ## 6. Clusters found in the data
#
# Industries that locate in the same places are grouped, following Delgado, Porter and Stern
# (2016), and the groups are set beside the SIC divisions and the plan's clusters.

# %%
report_industry.industry_clusters(ctx, n_clusters_range, industry_min_gb_employment)

# %% [markdown]
# ## 7. Method demonstration on synthetic firms (not a finding)
#
# No open file locates every firm, so the firm-level methods are shown on a **synthetic**
# register: invented firms drawn to match official totals, with clusters planted at known
# places. This section shows that the methods find the planted clusters; it says nothing
# about where real firms, or any Plan for Growth cluster, are.
#
# ### 7.1 The synthetic register

# %%
report_firms.register(ctx, synthetic_firms)

# %% [markdown]
# ### 7.2 K-densities recover the planted distance
#
# Duranton and Overman's (2005) K-density: the distribution of distances between pairs of an
# industry's firms, against bands from firms placed at random on the sites of all firms. Each
# planted cluster is a disc of firms of one SIC division; the K-density of that division
# should rise above the band at distances within the disc's diameter.

# %%
report_firms.k_densities(ctx, simulations=kd_simulations, cell_size=kd_cell_size,
                         rmax_km=kd_rmax_km, scheduler=dask_scheduler)

# %% [markdown]
# ### 7.3 HDBSCAN recovers the planted clusters, and disclosure control demonstrated

# %%
report_firms.firm_cluster_map(ctx, synthetic_firms, disclosure)

# %% tags=["remove-cell"]
metrics = report.save(ctx)
