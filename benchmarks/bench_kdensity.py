"""Speed of the Duranton-Overman K-density (``wmresearch.colocation.kdensity.k_density``).

Synthetic pattern: 100,000 firm sites uniform in a 60 km x 50 km box (British National Grid
metres), one industry of 10,000 of them, half in 20 clusters of radius 2 km. Prints:

* binned Kd (100 m and 200 m cells) with 999 simulations and global bands, on a Dask
  LocalCluster started by ``k_density`` (time includes start-up) and on a cluster already
  running (the pipeline's case: ``scheduler=<address>``); target <= 10 s on 2 cores;
* the exact method on a 1,000-firm industry from the same sites with 19 simulations, the
  binned method on the same case, and the per-simulation ratio;
* the co-location K-density of the industry with 5,000 other firms (binned, 200 m cells,
  999 simulations; two forward FFTs per draw instead of one).

Run: ``python benchmarks/bench_kdensity.py``.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
from dask.distributed import LocalCluster

from wmresearch.colocation.kdensity import k_density


def synthetic_sites(n_sites: int = 100_000, n_firms: int = 10_000, seed: int = 0,
                    ) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 60_000, n_sites)
    y = rng.uniform(0, 50_000, n_sites)
    label = np.full(n_sites, "other", dtype=object)
    chosen = rng.choice(n_sites, n_firms, replace=False)
    label[chosen] = "industry"
    # Half of the industry's firms pulled into 20 clusters of radius 2 km.
    centres = rng.uniform([5_000, 5_000], [55_000, 45_000], (20, 2))
    pulled = chosen[: n_firms // 2]
    which = rng.integers(0, 20, len(pulled))
    angle = rng.uniform(0, 2 * np.pi, len(pulled))
    radius = 2_000 * np.sqrt(rng.uniform(0, 1, len(pulled)))
    x[pulled] = centres[which, 0] + radius * np.cos(angle)
    y[pulled] = centres[which, 1] + radius * np.sin(angle)
    return pd.DataFrame({"x": x, "y": y, "industry": label})


def timed(label: str, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    res = k_density(progress=False, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:6.2f} s  (bandwidth {res.bandwidth:.0f} m, Gamma "
          f"{res.gamma:.4f}, Psi {res.psi:.4f}, {len(res.table)} distances)")
    return seconds, res


def main() -> None:
    cores = os.cpu_count()
    sites = synthetic_sites()
    print(f"{len(sites):,} sites, 10,000-firm industry, 60 km x 50 km, {cores} cores")
    timed("binned 100 m, 999 sims, LocalCluster started inside", sites=sites,
          industry="industry", cell_size=100.0, n_simulations=999)
    with LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        for cell in (100.0, 200.0):
            timed(f"binned {cell:.0f} m, 999 sims, running cluster", sites=sites,
                  industry="industry", cell_size=cell, n_simulations=999, scheduler=address)
        small = sites.copy()
        keep = np.flatnonzero(small.industry == "industry")[1_000:]
        small.loc[keep, "industry"] = "other"
        t_exact, _ = timed("exact, 1,000 firms, 19 sims", sites=small, industry="industry",
                           method="exact", n_simulations=19, scheduler=address)
        t_binned, _ = timed("binned 100 m, 1,000 firms, 19 sims", sites=small,
                            industry="industry", cell_size=100.0, n_simulations=19,
                            scheduler=address)
        print(f"exact / binned time, 1,000 firms: {t_exact / t_binned:.1f}x")
        # co-location: the 10,000-firm industry against 5,000 other firms relabelled "B"
        pair = sites.copy()
        others = np.flatnonzero(pair.industry == "other")[:5_000]
        pair.loc[others, "industry"] = "B"
        timed("co-location binned 200 m, 10,000 x 5,000 firms, 999 sims, running cluster",
              sites=pair, industry="industry", neighbour="B", cell_size=200.0,
              n_simulations=999, scheduler=address)


if __name__ == "__main__":
    main()
