"""Duranton-Overman K-density (wmresearch.colocation.kdensity).

References used below:

* dbmss (Marcon, Traissac, Puech, Lang; CRAN, version 2.9), ``R/Kdhat.R`` and its tests
  ``tests/testthat/testKd.R`` ("Kd sums to 1 when all distances are kept": the sum of
  ``Kdhat(paracou16, r=0:300, "")$Kd`` equals 1 with tolerance 1e-2; "Kd approximated is
  close to Kd (10% error allowed)"). No printed Kd value for paracou16 was found in dbmss's
  vignette, help pages or tests, so the paracou16 tests check these documented properties
  and independent computations.
* Duranton and Overman (2005), Review of Economic Studies 72(4), section 4: global bands,
  Gamma and Psi.
* Silverman (1986), Density Estimation, eq. 3.31, as R ``stats::bw.nrd0``.
"""

from __future__ import annotations

import math
import socket

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist
from scipy.stats import gaussian_kde, norm

from wmresearch.colocation import kdensity
from wmresearch.colocation.kdensity import k_density
from wmresearch.colocation.kdensity_bands import (
    global_bands,
    local_bands,
    localisation_indices,
)
from wmresearch.colocation.kdensity_estimators import (
    bw_nrd0,
    kd_binned_cells,
    kd_exact,
    kdhat_r_grid,
    kdhat_rmax,
    make_pair_grid,
    max_pair_distance,
    reflected_kde,
)

PARACOU = "reference/kdensity/paracou16.csv"
#: paracou16's enclosing rectangle (dbmss data help page: 200 m x 250 m, x 300-500, y 0-250).
#: Its window proper is a polygon inside it (spatstat: area 41,162 m2, diameter 306.315 m), so
#: ``Kdhat``'s default rmax on paracou16 is 306.3151971418 / 3 m, not the rectangle's 106.7 m.
WINDOW = (300.0, 500.0, 0.0, 250.0)
DBMSS_RMAX = 306.3151971418 / 3
#: dbmss 2.11 ``Kdhat(paracou16, ReferenceType=..., Weighted=...)$Kd`` on its own grid (512
#: distances from 0 to DBMSS_RMAX), at grid points 0, 64, ..., 448 and 511, with the curve's
#: peak; run in R 4.2.2 (dbmss built from its CRAN source) and printed to 9 digits.
DBMSS_KD = {
    ("V. Americana", False): ([1.59507056e-03, 2.93079002e-03, 4.50207693e-03, 6.28933406e-03,
                               7.23270954e-03, 7.46705339e-03, 7.66200308e-03, 7.39568681e-03,
                               6.98769502e-03], 7.66234068e-03),
    ("Q. Rosea", True): ([1.94089275e-03, 3.01219244e-03, 4.44607409e-03, 4.76289895e-03,
                          4.72415775e-03, 4.36829382e-03, 4.17624165e-03, 5.15523326e-03,
                          6.43920768e-03], 6.43920768e-03),
    ("", False): ([2.48612361e-04, 1.79871967e-03, 3.29536191e-03, 4.53365371e-03,
                   5.44793105e-03, 6.14184311e-03, 6.60319934e-03, 6.79808317e-03,
                   6.77727351e-03], 6.83951841e-03),
}


@pytest.fixture
def paracou(mirror_file) -> pd.DataFrame:
    return pd.read_csv(mirror_file(PARACOU))


def test_bw_nrd0_by_hand():
    # x = 1..5: sd = sqrt(2.5) = 1.5811, IQR (type 7) = 4 - 2 = 2, 2 / 1.34 = 1.4925 < sd,
    # so h = 0.9 * 1.4925 * 5^(-1/5) = 0.97358 (Silverman 1986 eq. 3.31 / R bw.nrd0).
    assert bw_nrd0(np.arange(1.0, 6.0)) == pytest.approx(0.9 * (2 / 1.34) * 5 ** -0.2, 1e-12)
    assert 0.9 * (2 / 1.34) * 5 ** -0.2 == pytest.approx(0.97358, abs=1e-5)
    # IQR = 0 falls back to sd (R: `(lo <- hi)`): sd of (0,0,0,0,1) = sqrt(0.2).
    assert bw_nrd0(np.array([0, 0, 0, 0, 1.0])) == pytest.approx(
        0.9 * math.sqrt(0.2) * 5 ** -0.2, 1e-12)
    # The histogram form is the same statistic on the expanded sample.
    rng = np.random.default_rng(0)
    sample = rng.integers(0, 40, 500).astype(float)
    values, counts = np.unique(sample, return_counts=True)
    assert bw_nrd0(values, counts) == pytest.approx(bw_nrd0(sample), 1e-12)
    with pytest.raises(ValueError, match="at least 2"):
        bw_nrd0(np.array([1.0]))


def test_kdhat_defaults_on_paracou_window():
    # Kdhat: rmax = diameter / 3; for paracou16's enclosing rectangle sqrt(200^2 + 250^2) / 3
    # = 106.719 m (its polygon window gives 102.105 m, DBMSS_RMAX); 512 points when
    # max(d) / rmax * 128 < 512.
    assert kdhat_rmax(WINDOW) == pytest.approx(math.hypot(200, 250) / 3, 1e-12)
    r = kdhat_r_grid(kdhat_rmax(WINDOW), 320.0)
    assert len(r) == 512 and r[0] == 0 and r[-1] == pytest.approx(106.719, abs=1e-3)
    assert len(kdhat_r_grid(10.0, 100.0)) == 1280  # 100 / 10 * 128


def test_paracou_kd_sums_to_one_as_dbmss_test(paracou):
    # dbmss testKd.R: sum(Kdhat(paracou16, r=0:300, "")$Kd) == 1, tolerance 1e-2.
    curve = kd_exact(paracou.x.to_numpy(), paracou.y.to_numpy(), r=np.arange(0.0, 301.0))
    assert curve.kd.sum() == pytest.approx(1.0, rel=1e-2)


def _reflected_gaussian_kde(dist, pair_w, r, h):
    """Full reflection with scipy.stats.gaussian_kde: Kd(r) = 2 kde([d, -d])(r)."""
    aug = np.concatenate([dist, -dist])
    aug_w = np.concatenate([pair_w, pair_w])
    kde = gaussian_kde(aug, weights=aug_w)
    kde.set_bandwidth(h / math.sqrt(float(kde.covariance[0, 0]) / kde.factor ** 2))
    return 2.0 * kde(r)


@pytest.mark.parametrize("rmax", [kdhat_rmax(WINDOW), DBMSS_RMAX], ids=["rectangle", "dbmss"])
@pytest.mark.parametrize("species", ["Q. Rosea", "V. Americana"])
@pytest.mark.parametrize("weighted", [False, True])
def test_paracou_exact_matches_scipy_gaussian_kde(paracou, species, weighted, rmax):
    # Independent route: scipy's gaussian_kde of the fully reflected sample. Kdhat mirrors only
    # d <= 4h, which changes Kd by at most phi(4)/h per pair (< 2e-4 of the peak here).
    sub = paracou[paracou.PointType == species]
    pts = sub[["x", "y"]].to_numpy()
    w = sub.PointWeight.to_numpy() if weighted else None
    r = kdhat_r_grid(rmax, max_pair_distance(pts[:, 0], pts[:, 1]))
    curve = kd_exact(pts[:, 0], pts[:, 1], w, r=r)
    dist = pdist(pts)
    iu, ju = np.triu_indices(len(pts), 1)
    pair_w = np.ones_like(dist) if w is None else w[iu] * w[ju]
    assert curve.bandwidth == pytest.approx(bw_nrd0(dist[dist <= 2 * r.max()]), 1e-12)
    expected = _reflected_gaussian_kde(dist, pair_w, r, curve.bandwidth)
    assert np.max(np.abs(curve.kd - expected)) <= 1e-3 * expected.max()
    # ... and the exact kernel sum (no lattice) agrees as the estimators' docstring states:
    # within 1e-5 of the peak, and 4e-5 of Kd itself where Kd is at least 1% of its peak
    # (measured at most 9.9e-6 and 3.3e-5 over these eight cases).
    exact_sum = reflected_kde(dist, pair_w, r, curve.bandwidth)
    gap = np.abs(curve.kd - exact_sum)
    assert gap.max() <= 1e-5 * exact_sum.max()
    shown = exact_sum >= 0.01 * exact_sum.max()
    assert np.max(gap[shown] / exact_sum[shown]) <= 4e-5


@pytest.mark.parametrize(("species", "weighted"), list(DBMSS_KD))
def test_paracou_kd_against_dbmss_kdhat(paracou, species, weighted):
    # dbmss 2.11 Kdhat on its own data (DBMSS_KD). The curves differ by at most 0.1% of the
    # peak (measured 0.083-0.096% at these points), and that gap is dbmss's: an exact kernel
    # sum computed in R differs from Kdhat by the same 0.085-0.10% over the whole grid, of
    # which R's density() binning is 0.09-0.10% and dbmss's Riemann sum for the reflected
    # mass at most 0.01%.
    sub = paracou if species == "" else paracou[paracou.PointType == species]
    r = np.linspace(0.0, DBMSS_RMAX, 512)
    curve = kd_exact(sub.x.to_numpy(), sub.y.to_numpy(),
                     sub.PointWeight.to_numpy() if weighted else None, r=r)
    expected, peak = DBMSS_KD[(species, weighted)]
    at = [0, 64, 128, 192, 256, 320, 384, 448, 511]
    assert np.max(np.abs(curve.kd[at] - np.array(expected))) <= 1e-3 * peak
    assert curve.kd.max() == pytest.approx(peak, rel=1e-3)


def test_kd_integrates_to_one_on_half_line():
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 1000, 150), rng.uniform(0, 800, 150)
    r = np.linspace(0.0, 1400.0, 4001)
    for w in (None, rng.lognormal(1, 1, 150)):
        assert np.trapezoid(kd_exact(x, y, w, r=r).kd, r) == pytest.approx(1.0, abs=1e-4)


def _binned(x, y, w, r, cell, **kw):
    grid = make_pair_grid(x, y, cell_size=cell, reach=2 * r.max())
    return kd_binned_cells(grid, grid.cells(x, y), w, r=r, **kw)


@pytest.mark.parametrize("weighted", [False, True])
def test_binned_within_stated_error_of_exact(weighted):
    # Module docstring: each pair distance moves by at most eps = c sqrt(2) (+ lattice
    # rounding c/40). With the bandwidth held fixed, each reflected kernel pair
    # phi(r-d) + phi(r+d) moves by at most 2 eps sup|phi_h'| = 2 eps / (h^2 sqrt(2 pi e)).
    rng = np.random.default_rng(11)
    x, y = rng.uniform(0, 4000, 300), rng.uniform(0, 3000, 300)
    w = rng.lognormal(2, 1, 300) if weighted else None
    r = np.linspace(0.0, kdhat_rmax((0, 4000, 0, 3000)), 512)
    exact = kd_exact(x, y, w, r=r)
    h = exact.bandwidth
    for cell in (40.0, 10.0):
        binned = _binned(x, y, w, r, cell, bandwidth=h)
        eps = cell * math.sqrt(2) + cell / 40
        bound = 2 * eps / (h ** 2 * math.sqrt(2 * math.pi * math.e))
        assert np.max(np.abs(binned.kd - exact.kd)) <= bound + 1e-3 * exact.kd.max()
    # With its own rule-of-thumb bandwidth and c = h / 10, within 1% of the peak, like
    # dbmss's own "approximated within 10% (L1)" test but ten times stricter.
    binned = _binned(x, y, w, r, h / 10)
    assert binned.bandwidth == pytest.approx(h, rel=0.01)
    assert np.max(np.abs(binned.kd - exact.kd)) <= 0.01 * exact.kd.max()


def test_paracou_binned_close_to_exact_as_dbmss_test(paracou):
    # dbmss testKd.R: sum |Kd_exact - Kd_approx| over r = 0:300 < sum(Kd_exact) / 10.
    sub = paracou[paracou.PointType == "V. Americana"]
    x, y = sub.x.to_numpy(), sub.y.to_numpy()
    r = np.arange(0.0, 301.0)
    exact = kd_exact(x, y, r=r)
    binned = _binned(x, y, None, r, 1.0)
    assert np.abs(exact.kd - binned.kd).sum() < exact.kd.sum() / 10
    assert np.abs(exact.kd - binned.kd).sum() < exact.kd.sum() / 100


def test_global_bands_do2005_property():
    # DO 2005: widest-needed identical order statistic so that at most 5% of simulations
    # cross the band anywhere; one step narrower lets more than 5% cross.
    rng = np.random.default_rng(2)
    sims = rng.normal(size=(999, 40)).cumsum(axis=1)
    lo, hi = global_bands(sims, 0.05)
    above = (sims > hi).any(axis=1).sum()
    below = (sims < lo).any(axis=1).sum()
    assert above <= 49 and below <= 49
    order = np.sort(sims, axis=0)
    k_hi = int(np.flatnonzero((order == hi).all(axis=1))[0])
    k_lo = int(np.flatnonzero((order == lo).all(axis=1))[0])
    assert (sims > order[k_hi - 1]).any(axis=1).sum() > 49
    assert (sims < order[k_lo + 1]).any(axis=1).sum() > 49
    llo, lhi = local_bands(sims, 0.05)
    assert np.all(lo <= llo) and np.all(hi >= lhi)


def test_localisation_indices_by_definition():
    # DO 2005: Gamma = sum max(K - Kbar, 0); Psi = sum max(Kunder - K, 0) only if Gamma = 0.
    r = np.array([0.0, 1.0, 2.0, 3.0])
    lo, hi = np.full(4, 0.1), np.full(4, 0.3)
    gamma, psi = localisation_indices(r, np.array([0.5, 0.3, 0.05, 0.2]), lo, hi)
    assert gamma == pytest.approx(0.5 * 0.2) and psi == 0.0  # trapezoid: (0.2 + 0) / 2
    gamma, psi = localisation_indices(r, np.array([0.2, 0.0, 0.2, 0.2]), lo, hi)
    assert gamma == 0.0 and psi == pytest.approx(0.1)  # (0 + 0.1)/2 + (0.1 + 0)/2


def _uniform_sites(n, seed, size=10_000.0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.uniform(0, size, n), "y": rng.uniform(0, size, n),
                         "industry": "other", "emp": rng.integers(1, 50, n)})


@pytest.mark.parametrize("method", ["exact", "binned"])
def test_planted_cluster_is_localised(method):
    sites = _uniform_sites(1000, 1, size=4000.0)
    rng = np.random.default_rng(7)
    angle, radius = rng.uniform(0, 2 * np.pi, 50), 300.0 * np.sqrt(rng.uniform(0, 1, 50))
    cluster = pd.DataFrame({"x": 2000 + radius * np.cos(angle),
                            "y": 2000 + radius * np.sin(angle), "industry": "planted",
                            "emp": 10})
    frame = pd.concat([sites, cluster], ignore_index=True)
    res = k_density(frame, "planted", method=method, cell_size=10.0, rmax=1500.0,
                    n_simulations=99, scheduler="threads", progress=False, seed=4)
    t = res.table
    # Points uniform in a disc of radius 300 m: pair distances peak near 0.9 R and stay
    # below 600 m, so Kd must exceed the upper global band there and nowhere beyond 800 m.
    near = t.r.between(100, 400)
    assert res.localised and (t.kd[near] > t.global_hi[near]).all()
    assert (t.kd[t.r > 800] <= t.global_hi[t.r > 800]).all()
    assert res.psi == 0.0 and res.n_firms == 50 and res.n_sites == 1050


def test_random_labelling_is_mostly_not_localised():
    sites = _uniform_sites(600, 3)
    localised = 0
    for draw in range(6):
        frame = sites.copy()
        pick = np.random.default_rng(100 + draw).choice(len(frame), 40, replace=False)
        frame.loc[pick, "industry"] = "random"
        res = k_density(frame, "random", method="exact", n_simulations=199,
                        scheduler="synchronous", progress=False, seed=draw)
        localised += res.localised
    assert localised <= 1  # each has a 5% chance under the null


def test_same_seed_same_result_on_any_scheduler(paracou):
    kw = dict(label="PointType", weight="PointWeight", window=WINDOW, method="exact",
              n_simulations=40, seed=9, progress=False)
    a = k_density(paracou, "Q. Rosea", scheduler="synchronous", **kw)
    b = k_density(paracou, "Q. Rosea", scheduler="threads", n_batches=7, **kw)
    assert np.array_equal(a.simulations, b.simulations)
    pd.testing.assert_frame_equal(a.table, b.table)
    c = k_density(paracou, "Q. Rosea", scheduler="synchronous", **{**kw, "seed": 10})
    assert not np.array_equal(a.simulations, c.simulations)


def test_small_jobs_run_in_process(monkeypatch):
    def no_cluster(*args, **kwargs):
        raise AssertionError("a Dask cluster was started for 30 firms")

    monkeypatch.setattr(kdensity, "_run_distributed", no_cluster)
    sites = _uniform_sites(300, 8)
    sites.loc[:29, "industry"] = "ind"
    res = k_density(sites, "ind", method="exact", n_simulations=8, progress=False)
    assert res.simulations.shape[0] == 8


def test_in_process_threshold_counts_the_industry_and_its_neighbour(monkeypatch):
    # The threshold: below IN_PROCESS_BELOW (1,000) firms of the industry plus its neighbour,
    # Dask's synchronous scheduler; from it on, a local cluster (scheduler None); a scheduler
    # the caller names is used as given.
    used = []

    def record(spec, n_simulations, *, scheduler, **kwargs):
        used.append(scheduler)
        return np.zeros((n_simulations, len(spec.r)))

    monkeypatch.setattr(kdensity, "simulate", record)
    assert kdensity.IN_PROCESS_BELOW == 1000
    sites = _uniform_sites(1200, 9)
    kw = dict(method="binned", cell_size=50.0, n_simulations=3, progress=False)
    for n_firms in (999, 1000):
        frame = sites.assign(industry=np.where(np.arange(1200) < n_firms, "ind", "other"))
        k_density(frame, "ind", **kw)
    pair = sites.assign(industry=np.repeat(["a", "b", "other"], [600, 399, 201]))
    k_density(pair, "a", neighbour="b", **kw)               # 999 firms in all
    k_density(pair.assign(industry=np.repeat(["a", "b"], [600, 600])), "a", neighbour="b", **kw)
    k_density(sites.assign(industry="ind"), "ind", scheduler="threads", **kw)
    assert used == ["synchronous", None, "synchronous", None, "threads"]


def test_local_cluster_default_runs(monkeypatch):
    monkeypatch.setattr(kdensity, "IN_PROCESS_BELOW", 0)  # force the cluster for 30 firms
    sites = _uniform_sites(300, 8)
    sites.loc[:29, "industry"] = "ind"
    res = k_density(sites, "ind", method="exact", n_simulations=8, progress=False,
                    n_batches=2)
    ref = k_density(sites, "ind", method="exact", n_simulations=8, progress=False,
                    scheduler="synchronous")
    assert np.array_equal(res.simulations, ref.simulations)


def test_unreachable_scheduler_names_address():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"  # closed once the socket is released
    sites = _uniform_sites(50, 1)
    sites.loc[:9, "industry"] = "ind"
    with pytest.raises(ConnectionError, match=address):
        k_density(sites, "ind", method="exact", n_simulations=4, scheduler=address,
                  connect_timeout=1.0, progress=False)


def test_bad_input_names_row_column_industry():
    sites = _uniform_sites(50, 1)
    sites.loc[:9, "industry"] = "ind"
    with pytest.raises(ValueError, match="'easting'"):
        k_density(sites, "ind", x="easting", scheduler="synchronous")
    bad = sites.copy()
    bad.loc[17, "y"] = np.nan
    with pytest.raises(ValueError, match=r"row 17, column 'y'"):
        k_density(bad, "ind", scheduler="synchronous")
    bad = sites.copy()
    bad.loc[3, "emp"] = -2
    with pytest.raises(ValueError, match=r"row 3, column 'emp'"):
        k_density(bad, "ind", weight="emp", scheduler="synchronous")
    with pytest.raises(ValueError, match="'nowhere' has 0 firm"):
        k_density(sites, "nowhere", scheduler="synchronous")
    with pytest.raises(ValueError, match="method"):
        k_density(sites, "ind", method="fast", scheduler="synchronous")


def test_gaussian_reference_helper_is_a_density():
    # Guards the test helper itself: for one distance d, 2 kde([d, -d])(r) is
    # phi_h(r - d) + phi_h(r + d).
    r = np.array([0.0, 1.0, 3.0])
    got = _reflected_gaussian_kde(np.array([2.0]), np.array([1.0]), r, 0.7)
    assert np.allclose(got, norm.pdf(r, 2.0, 0.7) + norm.pdf(r, -2.0, 0.7))
