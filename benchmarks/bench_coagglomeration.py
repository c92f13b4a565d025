"""Benchmark: the Ellison-Glaeser-Kerr coagglomeration matrix for every SIC 5-digit pair.

729 x 729 industry pairs over the 40 GB ITL2 areas (target: <= 1 s). With
``WMRESEARCH_MIRROR`` set, the real BRES ITL2 x SIC 5-digit table (latest year) is read
through :func:`wmresearch.evidence.bres.get_bres_itl2_sic5` (reading is not timed); otherwise
a random table of the same shape (seeded) is used. Prints the best and median of ``--repeat``
runs of :func:`wmresearch.colocation.coagglomeration.coagglomeration` (long table in, matrix
out) and of the bare matrix product.

Usage::

    .venv/bin/python benchmarks/bench_coagglomeration.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from wmresearch.colocation.coagglomeration import coagglomeration

AREAS, INDUSTRIES = 40, 729


def load_table(seed: int = 0) -> tuple[pd.DataFrame, str]:
    mirror = os.environ.get("WMRESEARCH_MIRROR")
    path = Path(mirror or ".") / "nomis/bres_employment_itl2_sic5_2015_2021.csv.gz"
    if mirror and path.is_file():
        from wmresearch.evidence.bres import get_bres_itl2_sic5

        data = get_bres_itl2_sic5(path).data
        year = int(data["year"].max())
        table = data[data["year"] == year][["itl2_code", "sic_code", "employment"]]
        table = table.astype({"employment": float}).fillna({"employment": 0.0})
        return table, f"BRES {year}, {path.name}"
    rng = np.random.default_rng(seed)
    emp = rng.lognormal(5, 2, size=(AREAS, INDUSTRIES)).round()
    table = pd.DataFrame({
        "itl2_code": np.repeat([f"TL{a:02d}" for a in range(AREAS)], INDUSTRIES),
        "sic_code": np.tile([f"{i:05d}" for i in range(INDUSTRIES)], AREAS),
        "employment": emp.ravel()})
    return table, f"random lognormal table (seed {seed})"


def timed(func, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    table, label = load_table()
    n_areas, n_ind = table["itl2_code"].nunique(), table["sic_code"].nunique()
    full = timed(lambda: coagglomeration(table, area="itl2_code", industry="sic_code",
                                         value="employment"), args.repeat)
    shares = table.pivot(index="itl2_code", columns="sic_code", values="employment")
    s = (shares / shares.sum()).fillna(0.0).to_numpy()
    x = shares.sum(axis=1).to_numpy() / shares.to_numpy().sum()
    dev = s - x[:, None]
    core = timed(lambda: dev.T @ dev / (1 - float(x @ x)), args.repeat)
    matrix = coagglomeration(table, area="itl2_code", industry="sic_code", value="employment")
    print(f"data: {label}: {n_areas} areas x {n_ind} industries "
          f"({n_ind * (n_ind - 1) // 2:,} pairs)")
    print(f"coagglomeration(): best {min(full):.3f} s, median {statistics.median(full):.3f} s "
          f"over {args.repeat} runs (target <= 1 s)")
    print(f"matrix product only: best {min(core) * 1e3:.1f} ms")
    off = matrix.to_numpy()[~np.eye(len(matrix), dtype=bool)]
    print(f"off-diagonal gamma^c: median {np.nanmedian(off):.5f}, "
          f"max {np.nanmax(off):.4f}, NaN {int(np.isnan(off).sum())}")


if __name__ == "__main__":
    main()
