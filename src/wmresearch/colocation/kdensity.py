"""Duranton-Overman K-density of an industry, with counterfactual bands simulated on Dask.

``k_density`` estimates the K-density of the bilateral distances between an industry's firms
(Duranton and Overman 2005, *Review of Economic Studies* 72(4), 1077-1106; estimator as dbmss
``Kdhat``, see :mod:`wmresearch.colocation.kdensity_estimators`), then draws ``n_simulations``
counterfactual industries: the industry's firms (with their weights) placed on as many sites
drawn at random without replacement among all firms' sites (dbmss ``KdEnvelope`` with
``SimulationType="RandomLocation"``, i.e. spatstat ``rlabel`` over all points). From the
simulations come local and global bands and the indices Gamma and Psi
(:mod:`wmresearch.colocation.kdensity_bands`).

Small jobs run in-process: starting a local Dask cluster costs about 2 s, more than the whole
simulation for a few hundred firms (dbmss is faster than a cluster below about 1,000 firms
for that reason alone), so with ``scheduler=None`` an industry of fewer than
:data:`IN_PROCESS_BELOW` firms is simulated with Dask's synchronous scheduler. A shared
scheduler should be started bound to this machine, ``dask scheduler --host 127.0.0.1``,
unless it is meant to be reachable from other machines (it runs whatever it is sent).

Simulation ``i`` uses ``numpy.random.default_rng(SeedSequence(seed).spawn(n)[i])``, so results
do not depend on the scheduler, the number of workers or the batching.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wmresearch.colocation.kdensity_bands import global_bands, local_bands, localisation_indices
from wmresearch.colocation.kdensity_cross import kd_cross_binned, kd_cross_exact
from wmresearch.colocation.kdensity_estimators import (
    PairGrid,
    kd_binned_cells,
    kd_exact,
    kdhat_r_grid,
    kdhat_rmax,
    make_pair_grid,
    max_pair_distance,
)

LOCAL_SCHEDULERS = ("synchronous", "sync", "threads", "processes")
#: With ``scheduler=None``, industries (plus neighbours) of fewer firms run in-process.
IN_PROCESS_BELOW = 1000


@dataclass
class KdResult:
    """K-density of one industry with its counterfactual bands.

    ``table`` has one row per distance ``r``: ``kd`` (observed), ``sim_mean``, ``local_lo`` /
    ``local_hi`` (pointwise ``alpha`` / ``1 - alpha`` quantiles) and ``global_lo`` /
    ``global_hi`` (DO 2005 global bands at level ``alpha`` each side).
    """

    industry: str
    table: pd.DataFrame
    gamma: float
    psi: float
    bandwidth: float
    n_firms: int
    n_sites: int
    method: str
    n_simulations: int
    seed: int
    alpha: float
    cell_size: float | None
    simulations: np.ndarray = field(repr=False)
    neighbour: str | None = None
    n_neighbours: int = 0

    @property
    def localised(self) -> bool:
        """Kd rises above the upper global band somewhere (DO 2005's test)."""
        return self.gamma > 0

    @property
    def dispersed(self) -> bool:
        """Kd falls below the lower global band somewhere and never above the upper band."""
        return self.psi > 0


@dataclass(frozen=True)
class _Sites:
    """Everything a worker needs to redraw and estimate a counterfactual industry."""

    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    n_firms: int
    r: np.ndarray
    adjust: float
    method: str
    grid: PairGrid | None
    cells: np.ndarray | None
    n_neighbours: int = 0


def _estimate(sites: _Sites, chosen: np.ndarray, weights: np.ndarray | None):
    if sites.n_neighbours:
        # co-localisation: the first n_firms drawn are industry A, the rest industry B
        a, b = chosen[:sites.n_firms], chosen[sites.n_firms:]
        wa, wb = (None, None) if weights is None else (weights[:sites.n_firms],
                                                       weights[sites.n_firms:])
        if sites.method == "exact":
            return kd_cross_exact(sites.x[a], sites.y[a], sites.x[b], sites.y[b], wa=wa, wb=wb,
                                  r=sites.r, adjust=sites.adjust)
        return kd_cross_binned(sites.grid, sites.cells[a], sites.cells[b], wa, wb, r=sites.r,
                               adjust=sites.adjust)
    if sites.method == "exact":
        return kd_exact(sites.x[chosen], sites.y[chosen], weights, r=sites.r, adjust=sites.adjust)
    return kd_binned_cells(sites.grid, sites.cells[chosen], weights, r=sites.r,
                           adjust=sites.adjust)


def _simulate_batch(sites: _Sites, seeds: Sequence[np.random.SeedSequence]) -> np.ndarray:
    """Kd of one counterfactual industry per seed: ``(len(seeds), n_r)``."""
    out = np.empty((len(seeds), len(sites.r)))
    for i, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        chosen = rng.choice(len(sites.x), size=sites.n_firms + sites.n_neighbours,
                            replace=False)
        out[i] = _estimate(sites, chosen, sites.weights).kd
    return out


def _validate(frame: pd.DataFrame, industry: str, x: str, y: str, label: str,
              weight: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    missing = [c for c in (x, y, label, weight) if c is not None and c not in frame.columns]
    if missing:
        raise ValueError(f"k_density: column(s) {missing} not in the sites table "
                         f"(columns: {list(frame.columns)})")
    arrays = {}
    for col in (x, y) + ((weight,) if weight else ()):
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(values)
        if col == weight:
            bad |= values < 0
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            kind = "a non-negative number" if col == weight else "a finite number"
            raise ValueError(f"k_density: row {frame.index[first]!r}, column {col!r}: "
                             f"{frame[col].iloc[first]!r} is not {kind} "
                             f"({int(bad.sum())} such rows)")
        arrays[col] = values
    return arrays[x], arrays[y], (arrays[weight] if weight else None), \
        _members(frame, industry, label)


def _members(frame: pd.DataFrame, industry: str, label: str) -> np.ndarray:
    is_ind = (frame[label] == industry).to_numpy(bool)
    n = int(is_ind.sum())
    if n < 2:
        raise ValueError(f"k_density: industry {industry!r} has {n} firm(s) in column "
                         f"{label!r}; at least 2 are needed for pair distances")
    return is_ind


def k_density(sites: pd.DataFrame, industry: str, *, x: str = "x", y: str = "y",
              label: str = "industry", weight: str | None = None, neighbour: str | None = None,
              r: np.ndarray | None = None, rmax: float | None = None,
              window: tuple[float, float, float, float] | None = None,
              method: str = "binned", cell_size: float = 100.0,
              n_simulations: int = 999, alpha: float = 0.05, seed: int = 0,
              adjust: float = 1.0, scheduler: str | None = None,
              connect_timeout: float = 10.0, n_batches: int | None = None,
              progress: bool = True) -> KdResult:
    """Duranton-Overman K-density of ``industry`` with random-location confidence bands.

    Parameters
    ----------
    sites
        One row per firm (all industries): coordinates in metres (British National Grid),
        industry label and optional employment weight. Every row is a candidate site.
    industry
        Label of the industry in column ``label``.
    neighbour
        Another industry's label: the co-localisation K-density of the distances between
        ``industry``'s and ``neighbour``'s firms (Duranton and Overman 2008; dbmss ``Kdhat``
        with ``ReferenceType`` and ``NeighborType``); each simulation draws sites for both
        industries at once (:mod:`wmresearch.colocation.kdensity_cross`).
    x, y, label, weight
        Column names; ``weight=None`` gives the unweighted Kd (DO 2005 eq. 1), a column the
        employment-weighted Kd (DO 2005 section 4; dbmss ``Weighted=TRUE``).
    r, rmax, window
        Distances for Kd. Default as dbmss ``Kdhat``: ``rmax`` = diameter of ``window`` / 3
        (``window`` = ``(xmin, xmax, ymin, ymax)``, default the sites' bounding box) and
        ``kdhat_r_grid`` (512+ points). DO 2005 used 0-180 km: ``rmax=180_000``.
    method
        ``"binned"`` (FFT pair counts on ``cell_size`` cells, scales to 10^5 sites) or
        ``"exact"`` (all pair distances; a few thousand firms at most).
    n_simulations, alpha, seed
        Counterfactual draws, band level (each side) and seed.
    adjust
        Bandwidth multiplier (``Kdhat``'s ``Adjust``).
    scheduler
        ``None``: in-process (Dask's synchronous scheduler) for fewer than
        :data:`IN_PROCESS_BELOW` firms, else a ``dask.distributed.LocalCluster`` (one
        single-threaded worker per core); ``"tcp://host:port"``: an existing Dask scheduler
        (start it with ``dask scheduler --host 127.0.0.1`` unless other machines must reach
        it); or a local Dask scheduler name (``"synchronous"``, ``"threads"``,
        ``"processes"``).
    connect_timeout
        Seconds to wait for a scheduler address.
    n_batches
        Tasks the simulations are split into (default: about 4 per core, at most one per
        simulation).
    progress
        Show a progress bar.

    Notes
    -----
    Accuracy (tested on paracou16, :mod:`wmresearch.colocation.kdensity_estimators`): the
    exact Kd is within 1e-5 of its peak of an exact kernel sum; it differs from dbmss 2.11
    ``Kdhat`` by at most 0.1% of the peak, and the exact kernel sum differs from ``Kdhat`` by
    as much, so the gap is dbmss's own binning (R's ``stats::density``).

    Raises
    ------
    ValueError
        A missing column, a non-numeric or non-finite coordinate or a negative weight (naming
        row and column), an industry with fewer than 2 firms, or a bad argument.
    ConnectionError
        The scheduler address cannot be reached (the message names the address).
    """
    if method not in ("binned", "exact"):
        raise ValueError(f"k_density: method must be 'binned' or 'exact', got {method!r}")
    if n_simulations < 1 or not 0 < alpha < 0.5:
        raise ValueError(f"k_density: need n_simulations >= 1 and 0 < alpha < 0.5, got "
                         f"{n_simulations} and {alpha}")
    xs, ys, ws, is_ind = _validate(sites, industry, x, y, label, weight)
    chosen = np.flatnonzero(is_ind)
    n_nb = 0
    if neighbour is not None:
        if neighbour == industry:
            raise ValueError(f"k_density: neighbour {neighbour!r} is the industry itself; "
                             "leave neighbour unset for the univariate K-density")
        is_nb = _members(sites, neighbour, label)
        chosen = np.concatenate([chosen, np.flatnonzero(is_nb)])
        n_nb = int(is_nb.sum())
    if window is None:
        window = (float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max()))
    if r is None:
        rmax = kdhat_rmax(window) if rmax is None else float(rmax)
        r = kdhat_r_grid(rmax, max_pair_distance(xs[chosen], ys[chosen]))
    r = np.asarray(r, float)
    if r.ndim != 1 or len(r) < 2 or r.min() < 0 or not np.all(np.diff(r) > 0):
        raise ValueError("k_density: r must be increasing non-negative distances")
    grid = cells = None
    if method == "binned":
        grid = make_pair_grid(xs, ys, cell_size=cell_size, reach=2.0 * float(r.max()))
        cells = grid.cells(xs, ys)
    # The industry's own weights travel with it to the random sites (rlabel permutes marks).
    spec = _Sites(xs, ys, None if ws is None else ws[chosen], int(is_ind.sum()), r, adjust,
                  method, grid, cells, n_nb)
    observed = _estimate(spec, chosen, spec.weights)
    if method == "binned" and observed.bandwidth < 2.0 * cell_size:
        warnings.warn(f"k_density: industry {industry!r}: bandwidth {observed.bandwidth:.1f} "
                      f"is under twice the cell size {cell_size}; use a smaller cell_size or "
                      "method='exact'", stacklevel=2)
    if scheduler is None and spec.n_firms + n_nb < IN_PROCESS_BELOW:
        scheduler = "synchronous"
    sims = simulate(spec, n_simulations, seed=seed, scheduler=scheduler,
                    connect_timeout=connect_timeout, n_batches=n_batches, progress=progress)
    llo, lhi = local_bands(sims, alpha)
    glo, ghi = global_bands(sims, alpha)
    gamma, psi = localisation_indices(r, observed.kd, glo, ghi)
    table = pd.DataFrame({"r": r, "kd": observed.kd, "sim_mean": sims.mean(axis=0),
                          "local_lo": llo, "local_hi": lhi, "global_lo": glo,
                          "global_hi": ghi})
    return KdResult(industry, table, gamma, psi, observed.bandwidth, spec.n_firms, len(xs),
                    method, n_simulations, seed, alpha,
                    cell_size if method == "binned" else None, sims, neighbour, n_nb)


def simulate(spec: _Sites, n_simulations: int, *, seed: int, scheduler: str | None = None,
             connect_timeout: float = 10.0, n_batches: int | None = None,
             progress: bool = True) -> np.ndarray:
    """Run the counterfactual draws on Dask and stack them: ``(n_simulations, n_r)``."""
    import dask

    seeds = np.random.SeedSequence(seed).spawn(n_simulations)
    workers = os.cpu_count() or 1
    n_batches = min(n_simulations, n_batches or 4 * workers)
    size = math.ceil(n_simulations / n_batches)
    batches = [seeds[i:i + size] for i in range(0, n_simulations, size)]
    shared = dask.delayed(spec, traverse=False)
    tasks = [dask.delayed(_simulate_batch, pure=True)(shared, b) for b in batches]
    if scheduler in LOCAL_SCHEDULERS:
        from dask.diagnostics import ProgressBar

        with ProgressBar() if progress else nullcontext():
            parts = dask.compute(*tasks, scheduler=scheduler)
        return np.vstack(parts)
    return np.vstack(_run_distributed(tasks, scheduler, connect_timeout, progress))


def _run_distributed(tasks: list, address: str | None, timeout: float,
                     progress: bool) -> list[np.ndarray]:
    from dask.distributed import Client, LocalCluster, as_completed
    from tqdm.auto import tqdm

    if address is None:
        cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=None)
    else:
        cluster = nullcontext(address)
    with cluster as target:
        try:
            client = Client(target, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"k_density: cannot reach the Dask scheduler at "
                                  f"{address!r} within {timeout:g} s ({exc})") from exc
        with client:
            futures = client.compute(tasks)
            bar = tqdm(total=len(futures), desc="Kd simulations", disable=not progress)
            for _ in as_completed(futures):
                bar.update(1)
            bar.close()
            return client.gather(futures)
