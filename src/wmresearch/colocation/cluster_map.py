"""A cluster map of every area: employment, LQ, growth, national share and strong clusters.

What the US Cluster Mapping Project publishes for states (Delgado, Porter & Stern 2014,
"Clusters, convergence, and economic performance", *Research Policy* 43(10)), here for
ITL2 areas and the UK benchmark clusters (:mod:`~wmresearch.colocation.benchmark_clusters`).
For area *m* and cluster *c* with employment :math:`e_{mc}` (sum over the cluster's SIC
classes):

* location quotient :math:`LQ_{mc} = (e_{mc}/e_m)/(e_c/e)` against all of the areas, with
  :math:`e_m` the area's employment in all industries;
* national share :math:`e_{mc}/e_c`;
* growth :math:`e_{mc,end}/e_{mc,start} - 1` between two years;
* **strong cluster** (the rule, after the CMP's: specialised and among the largest): LQ at
  least ``lq_threshold``, at least ``min_employment`` jobs, and a national share in the top
  ``top_share`` of areas for that cluster.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wmresearch.colocation.lq import check_long_table


def cluster_map(employment: pd.DataFrame, definitions: pd.DataFrame, *, start: int, end: int,
                lq_threshold: float = 1.25, min_employment: float = 1000.0,
                top_share: float = 0.25, area: str = "itl2_code",
                industry: str = "sic4_code") -> pd.DataFrame:
    """Area x cluster table for year ``end`` with growth since ``start`` (see module).

    Parameters
    ----------
    employment
        Long table ``year``, ``area``, ``industry``, ``employment`` for all industries
        (those not in a cluster still count in the area totals).
    definitions
        ``industry`` -> ``cluster`` (and ``cluster_name``).

    Returns
    -------
    pandas.DataFrame
        One row per area x cluster: ``employment``, ``employment_start``, ``growth``,
        ``lq``, ``national_share``, ``share_rank`` (1 = largest share), ``strong``.

    Raises
    ------
    ValueError
        ``start`` or ``end`` not in the table, or a bad long table (named).
    """
    check_long_table(employment, ["year", area, industry, "employment"], "employment")
    years = set(employment["year"].astype(int))
    if {start, end} - years:
        raise ValueError(f"years {sorted({start, end} - years)} not in the employment table "
                         f"(has {sorted(years)})")
    work = employment.assign(employment=pd.to_numeric(employment["employment"]).fillna(0.0),
                             year=employment["year"].astype(int))
    names = definitions.drop_duplicates("cluster").set_index("cluster")["cluster_name"] \
        if "cluster_name" in definitions else None
    cl = definitions.set_index(industry)["cluster"]
    totals = work.groupby(["year", area])["employment"].sum()
    work = work[work[industry].isin(cl.index)].assign(cluster=lambda d: d[industry].map(cl))
    cells = (work.groupby(["year", area, "cluster"])["employment"].sum()
             .unstack("year", fill_value=0.0))
    out = pd.DataFrame({"employment": cells[end], "employment_start": cells[start]})
    out = out.reset_index()
    area_total = out[area].map(totals.loc[end])
    gb_cluster = out.groupby("cluster")["employment"].transform("sum")
    gb_total = float(totals.loc[end].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["lq"] = (out["employment"] / area_total) / (gb_cluster / gb_total)
        out["national_share"] = out["employment"] / gb_cluster
        out["growth"] = np.where(out["employment_start"] > 0,
                                 out["employment"] / out["employment_start"] - 1, np.nan)
    out["share_rank"] = out.groupby("cluster")["national_share"].rank(
        ascending=False, method="min").astype(int)
    n_areas = out.groupby("cluster")[area].transform("size")
    out["strong"] = ((out["lq"] >= lq_threshold) & (out["employment"] >= min_employment)
                     & (out["share_rank"] <= np.ceil(top_share * n_areas)))
    if names is not None:
        out.insert(2, "cluster_name", out["cluster"].map(names))
    return out.sort_values([area, "cluster"], ignore_index=True)


def peer_comparison(mapped: pd.DataFrame, areas: list[str], *,
                    area: str = "itl2_code") -> pd.DataFrame:
    """Strong clusters per area (count and share of the area's jobs in them), with the
    chosen ``areas`` flagged and each area's rank by the number of strong clusters."""
    jobs = mapped.groupby(area)["employment"].sum()
    strong = mapped[mapped["strong"]].groupby(area)["employment"].agg(["size", "sum"])
    out = pd.DataFrame({"strong_clusters": strong["size"].reindex(jobs.index).fillna(0)
                        .astype(int),
                        "strong_jobs_share": (strong["sum"].reindex(jobs.index).fillna(0.0)
                                              / jobs)})
    out["rank"] = out["strong_clusters"].rank(ascending=False, method="min").astype(int)
    out["chosen"] = out.index.isin(areas)
    return out.reset_index().sort_values(["rank", area], ignore_index=True)


__all__ = ["cluster_map", "peer_comparison"]
