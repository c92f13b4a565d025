"""Co-localisation (bivariate) K-density, Duranton and Overman (2008) section 5.

No package prints a bivariate Kd value to compare with, so the tests check what must hold by
construction, as dbmss's own tests do for ``Kdhat``: the density integrates to 1 over all
distances, A-to-B equals B-to-A, binned pair counts are exact for points at cell centres
(checked against distances from ``scipy.spatial.distance.cdist``), the binned estimate is
within dbmss's 10% L1 of the exact one (met at 1%), and a planted co-location is detected
while two independent industries are not flagged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist

from wmresearch.colocation.kdensity import k_density
from wmresearch.colocation.kdensity_cross import (
    cross_histogram,
    kd_cross_binned,
    kd_cross_exact,
)
from wmresearch.colocation.kdensity_estimators import make_pair_grid


def _pair(rng: np.random.Generator, n_a: int = 400, n_b: int = 300, near: float | None = 300.0):
    xa, ya = rng.uniform(0, 20_000, n_a), rng.uniform(0, 20_000, n_a)
    if near is None:
        xb, yb = rng.uniform(0, 20_000, n_b), rng.uniform(0, 20_000, n_b)
    else:
        k = rng.integers(0, n_a, n_b)
        xb, yb = xa[k] + rng.normal(0, near, n_b), ya[k] + rng.normal(0, near, n_b)
    return xa, ya, xb, yb


def test_symmetric_and_integrates_to_one():
    xa, ya, xb, yb = _pair(np.random.default_rng(1))
    r = np.linspace(0, 40_000, 2000)  # beyond the largest distance plus 8 bandwidths
    ab = kd_cross_exact(xa, ya, xb, yb, r=r)
    ba = kd_cross_exact(xb, yb, xa, ya, r=r)
    np.testing.assert_allclose(ab.kd, ba.kd, rtol=1e-12, atol=1e-18)
    assert np.trapezoid(ab.kd, r) == pytest.approx(1.0, abs=2e-3)


def test_binned_counts_are_exact_at_cell_centres():
    rng = np.random.default_rng(2)
    cell = 100.0
    xa, ya = (rng.integers(0, 100, 300) + 0.5) * cell, (rng.integers(0, 80, 300) + 0.5) * cell
    xb, yb = (rng.integers(0, 100, 200) + 0.5) * cell, (rng.integers(0, 80, 200) + 0.5) * cell
    grid = make_pair_grid(np.r_[xa, xb], np.r_[ya, yb], cell_size=cell, reach=3_000.0,
                          delta=cell / 20)
    hist, total = cross_histogram(grid, grid.cells(xa, ya), grid.cells(xb, yb), None, None)
    d = cdist(np.c_[xa, ya], np.c_[xb, yb]).ravel()
    d = d[d <= 3_000.0]
    expected = np.bincount(np.rint(d / grid.delta).astype(int), minlength=grid.n_bins)
    lattice = np.arange(grid.n_bins) * grid.delta
    within = lattice < 3_000.0  # the last bin also holds pairs just beyond the cut
    np.testing.assert_array_equal(hist[within], expected[: grid.n_bins][within])
    assert total == 300 * 200


@pytest.mark.parametrize("weighted", [False, True])
def test_binned_close_to_exact(weighted):
    rng = np.random.default_rng(3)
    xa, ya, xb, yb = _pair(rng)
    wa, wb = (rng.uniform(1, 50, len(xa)), rng.uniform(1, 50, len(xb))) if weighted \
        else (None, None)
    r = np.linspace(0, 8_000, 400)
    exact = kd_cross_exact(xa, ya, xb, yb, wa=wa, wb=wb, r=r)
    grid = make_pair_grid(np.r_[xa, xb], np.r_[ya, yb], cell_size=50.0, reach=2 * r.max())
    binned = kd_cross_binned(grid, grid.cells(xa, ya), grid.cells(xb, yb), wa, wb, r=r)
    l1 = np.trapezoid(np.abs(binned.kd - exact.kd), r) / np.trapezoid(exact.kd, r)
    assert l1 < 0.01
    assert binned.bandwidth == pytest.approx(exact.bandwidth, rel=0.02)


def _sites(near: float | None, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    xa, ya, xb, yb = _pair(rng, 150, 150, near)
    xo, yo = rng.uniform(0, 20_000, 1500), rng.uniform(0, 20_000, 1500)
    return pd.DataFrame({"x": np.r_[xa, xb, xo], "y": np.r_[ya, yb, yo],
                         "industry": ["A"] * 150 + ["B"] * 150 + ["other"] * 1500})


def test_planted_colocation_is_detected_and_independence_is_not():
    kw = {"method": "exact", "n_simulations": 99, "scheduler": "synchronous",
          "progress": False, "rmax": 5_000.0}
    planted = k_density(_sites(300.0, 4), "A", neighbour="B", seed=1, **kw)
    assert planted.neighbour == "B" and planted.n_firms == 150 and planted.n_neighbours == 150
    assert planted.localised
    head = planted.table[planted.table["r"] <= 500]
    assert (head["kd"] > head["global_hi"]).all()
    independent = k_density(_sites(None, 5), "A", neighbour="B", seed=1, **kw)
    assert not independent.localised


def test_errors_name_the_industries():
    sites = _sites(300.0, 6)
    with pytest.raises(ValueError, match="neighbour 'A' is the industry itself"):
        k_density(sites, "A", neighbour="A", n_simulations=1, scheduler="synchronous",
                  progress=False)
    with pytest.raises(ValueError, match="industry 'Z' has 0 firm"):
        k_density(sites, "A", neighbour="Z", n_simulations=1, scheduler="synchronous",
                  progress=False)
