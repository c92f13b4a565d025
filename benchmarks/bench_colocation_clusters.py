"""Benchmark: UK benchmark clusters (target <= 30 s) and the ITL2 cluster map (<= 5 s).

Reads the evidence tables of ``data/processed/evidence`` (run the evidence stage first;
reading is not timed): BRES ITL2 x SIC5, BRES and IDBR NUTS2 x SIC4, mid-2021 population,
the ITL lookup and the input-output flows. Times, as the clusters report runs them with
params.yaml's ``clusters`` section: the traded/local split, the seven relatedness measures,
clustering by three algorithms over the k range with validation scores and the SIC baseline
(one timing), then the cluster map of every ITL2 area x cluster with the peer comparison.

Usage::

    OMP_NUM_THREADS=2 taskset -c 0,1 .venv/bin/python benchmarks/bench_colocation_clusters.py
"""

from __future__ import annotations

import time
import warnings

import pandas as pd
import yaml

from wmresearch.colocation import benchmark_clusters as bc
from wmresearch.colocation import benchmark_data as bd
from wmresearch.colocation.cluster_map import cluster_map, peer_comparison
from wmresearch.colocation.io_links import io_relatedness_classes
from wmresearch.config import Project


def main() -> None:
    warnings.filterwarnings("ignore")
    project = Project.here()
    params = yaml.safe_load((project.root / "params.yaml").read_text())["clusters"]
    ev = project.paths.evidence
    bres = pd.read_parquet(ev / "bres_itl2_sic5.parquet")
    nuts2 = pd.read_parquet(ev / "bres_nuts2_sic4.parquet").query("year == 2018")
    units = pd.read_parquet(ev / "idbr_nuts2_sic4.parquet").query("year == 2018")
    pop = pd.read_parquet(ev / "population_mye2021.parquet")
    lad_itl = pd.read_parquet(ev / "lad_itl.parquet")
    flows = pd.read_parquet(ev / "io_flows_2019.parquet")
    lo, hi, step = params["benchmark_k"]

    t0 = time.perf_counter()
    classes = bd.class_employment(bres)
    year = int(classes["year"].max())
    latest = classes[classes["year"] == year]
    wide = latest.pivot(index="itl2_code", columns="sic4_code", values="employment").fillna(0)
    traded = bc.traded_industries(wide, bd.itl2_population(pop, lad_itl),
                                  threshold=params["traded_gini"])
    kept = bd.clustered_classes(traded, (nuts2, "sic4_code", "employment"),
                                (units, "sic4_code", "local_units"),
                                min_gb_employment=params["industry_min_gb_employment"])
    measures = bc.relatedness_measures(
        {"itl2": (latest, "itl2_code", "sic4_code", "employment"),
         "nuts2": (nuts2, "nuts2_code", "sic4_code", "employment"),
         "nuts2_units": (units, "nuts2_code", "sic4_code", "local_units")},
        kept, io=io_relatedness_classes(flows, kept))
    found = bc.candidate_clusterings(measures, range(lo, hi + 1, step),
                                     algorithms=params["benchmark_algorithms"])
    names = pd.Series(dtype=str)
    defs = bc.definitions_table(found.labels, measures, names,
                                traded.set_index("industry")["gb_employment"], "bench")
    t1 = time.perf_counter()
    mapped = cluster_map(classes, defs, start=int(classes["year"].min()), end=year,
                         lq_threshold=params["lq_threshold"],
                         min_employment=params["strong_min_employment"],
                         top_share=params["strong_top_share"])
    peer_comparison(mapped, ["TLG3"])
    t2 = time.perf_counter()
    configs = found.scores.groupby(["algorithm", "k"]).ngroups
    print(f"benchmark clusters: {len(kept)} classes, {len(measures) - 1} measures, "
          f"{configs} configurations -> {found.algorithm} k={found.k}: "
          f"{t1 - t0:.2f} s (target <= 30 s)")
    print(f"cluster map: {len(mapped):,} area x cluster rows: {t2 - t1:.3f} s (target <= 5 s)")


if __name__ == "__main__":
    main()
