"""Duranton-Overman K-density estimators: exact pair distances, and binned pair counts.

The estimator is Duranton and Overman's (2005, *Review of Economic Studies* 72(4), 1077-1106,
eq. 1 and section 4) kernel density of the bilateral distances between an industry's firms,
defined exactly as in the R package dbmss (Marcon, Traissac, Puech and Lang), function
``Kdhat`` (version 2.9, file ``R/Kdhat.R``, the non-approximated branch):

* distances ``d_ij`` of the ``n(n-1)/2`` unordered pairs, with pair weights ``w_i w_j`` when
  weighted (``Weighted=TRUE``, DO 2005 section 4's employment-weighted K-density) or 1;
* Gaussian kernel with Silverman's rule-of-thumb bandwidth ``h = bw.nrd0(d[d <= 2 rmax])``
  times ``adjust`` (R ``stats::bw.nrd0``: ``0.9 min(sd, IQR/1.34) N^(-1/5)``); the bandwidth
  uses unweighted distances even in the weighted case, as ``Kdhat`` does;
* reflection at zero: distances ``d <= 4h`` are mirrored to ``-d`` (adapted by ``Kdhat`` from
  ``GoFKernel::density.reflected``); the density of the augmented sample (normalised by its
  total weight) is divided by ``1 - m``, ``m`` its mass below zero, so Kd integrates to 1 on
  ``[0, inf)``;
* default ``rmax`` = window diameter / 3 (``MaxRange="ThirdW"``) and a grid of
  ``ceil(min(max(512, max(d) / rmax * 128), 4096))`` points from 0 to ``rmax``.

Accuracy, as measured (tests/colocation/test_kdensity.py, paracou16's two species, weighted
and not): :func:`kd_exact` is within 1e-5 of Kd's peak of an exact kernel sum
(:func:`reflected_kde`, every kernel summed with no lattice), and within 4e-5 of it relative
to Kd itself wherever Kd is at least 1% of its peak (measured at most 9.9e-6 and 3.3e-5).
Against dbmss 2.11 ``Kdhat`` (run in R 4.2.2 on
paracou16, its own grid of 512 distances) Kd differs by at most 0.10% of its peak (0.4% of Kd
itself near r = 0, where Kd is small), and the exact kernel sum differs from ``Kdhat`` by the
same amount: the gap is dbmss's. Decomposed in R, nearly all of it (0.09-0.10% of the peak)
is the binning of R's ``stats::density``, which spreads the distances on 512+ grid points
and convolves by FFT; the Riemann sum for ``m`` adds at most 0.01%. Here Kd is computed by
linear binning and FFT on a lattice of step ``h / 100`` (:func:`binned_kde`), with kernels cut
at 8 h (neglected weight ``< 2e-14``) and ``m`` the exact normal integral. When ``r`` is
given, Kd is evaluated at ``r`` (``Kdhat`` interpolates its 512-point grid).

The binned estimator (:func:`kd_binned_cells`) grids the points in square cells of side ``c``,
gets every pair count by offset from the FFT autocorrelation of the cell counts, and applies
the same estimator to the offsets' distances. It is exact for the points moved to their cell
centres; each point moves by at most ``c / sqrt(2)``, so each pair distance by at most
``c sqrt(2)``. With positions uniform within cells the distance error has mean ~0 and variance
``c^2 / 6``, i.e. it acts like a bandwidth ``sqrt(h^2 + c^2/6)`` instead of ``h``: keep
``c`` well below ``h`` (a warning is raised when ``h < 2c``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft
from scipy.signal import fftconvolve
from scipy.spatial import ConvexHull, QhullError
from scipy.spatial.distance import pdist
from scipy.special import ndtr

#: Kernels are cut at this many bandwidths (the neglected weight is below 2e-14).
CUTOFF = 8.0
#: ``kd_exact`` sums kernels on a lattice of step h / EXACT_STEPS (relative error ~1e-5).
EXACT_STEPS = 100
_SQRT_2PI = math.sqrt(2.0 * math.pi)


@dataclass(frozen=True)
class KdCurve:
    """An estimated K-density: distances ``r``, values ``kd`` and the bandwidth used."""

    r: np.ndarray
    kd: np.ndarray
    bandwidth: float


def bw_nrd0(x: np.ndarray, counts: np.ndarray | None = None) -> float:
    """Silverman's rule-of-thumb bandwidth, as R's ``stats::bw.nrd0``.

    ``0.9 * min(sd, IQR / 1.34) * N^(-1/5)`` (Silverman 1986, *Density Estimation*, eq. 3.31),
    with R's fallbacks when the minimum is 0: ``sd``, then ``|x[0]|``, then 1. ``sd`` has the
    ``N - 1`` denominator and the IQR uses R's default quantile type 7.

    Parameters
    ----------
    x
        Sample values; with ``counts``, the distinct values of a sample, sorted ascending.
    counts
        Optional whole-number multiplicities of ``x`` (a histogram of the sample).
    """
    x = np.asarray(x, dtype=float)
    c = np.ones_like(x) if counts is None else np.asarray(counts, dtype=float)
    if counts is not None:
        keep = c > 0
        x, c = x[keep], c[keep]
    n = float(c.sum())
    if n < 2:
        raise ValueError(f"bandwidth needs at least 2 distances, got {n:g}")
    if counts is None:
        order = np.argsort(x, kind="stable")
        x, c = x[order], c[order]
    mean = float(np.dot(c, x) / n)
    sd = math.sqrt(float(np.dot(c, (x - mean) ** 2)) / (n - 1.0))
    iqr = _quantile7(x, c, 0.75) - _quantile7(x, c, 0.25)
    lo = min(sd, iqr / 1.34)
    if not lo:
        lo = sd or abs(float(x[0])) or 1.0
    return 0.9 * lo * n ** -0.2


def _quantile7(x: np.ndarray, c: np.ndarray, p: float) -> float:
    """Type-7 quantile (R's default) of the sorted values ``x`` repeated ``c`` times."""
    position = (float(c.sum()) - 1.0) * p
    below = math.floor(position)
    ends = np.cumsum(c)
    lo = x[np.searchsorted(ends, below + 1)]
    hi = x[min(np.searchsorted(ends, below + 2), len(x) - 1)]
    return float(lo + (position - below) * (hi - lo))


def kdhat_rmax(window: tuple[float, float, float, float]) -> float:
    """``Kdhat``'s default range: the window's diameter / 3 (``MaxRange="ThirdW"``)."""
    xmin, xmax, ymin, ymax = window
    return math.hypot(xmax - xmin, ymax - ymin) / 3.0


def kdhat_r_grid(rmax: float, max_distance: float) -> np.ndarray:
    """``Kdhat``'s grid of distances: ``ceil(min(max(512, max_d / rmax * 128), 4096))`` points
    from 0 to ``rmax`` (R's ``seq`` rounds a fractional length up)."""
    n = math.ceil(min(max(512.0, max_distance / rmax * 128.0), 4096.0))
    return np.linspace(0.0, rmax, n)


def max_pair_distance(x: np.ndarray, y: np.ndarray) -> float:
    """The largest distance between two of the points (found on their convex hull)."""
    pts = np.column_stack([x, y])
    try:
        pts = pts[ConvexHull(pts).vertices]
    except (QhullError, ValueError):
        pass  # collinear or too few points: every point is a candidate
    if len(pts) > 5000:
        pts = pts[:5000]  # unreachable for a convex hull of real data; bounds the memory
    return float(pdist(pts).max()) if len(pts) > 1 else 0.0


def reflected_kde(values: np.ndarray, weights: np.ndarray, r: np.ndarray, bandwidth: float,
                  *, far_weight: float = 0.0) -> np.ndarray:
    """``Kdhat``'s reflected Gaussian kernel density of non-negative distances, summed exactly.

    ``Kd(r) = f(r) / (1 - m)`` with ``f(r) = sum_k a_k phi_h(r - v_k) / sum_k a_k`` over the
    sample augmented with ``-v`` for every ``v <= 4h`` (same weight), and
    ``m = sum_k a_k Phi(-v_k / h) / sum_k a_k`` its mass below 0 (dbmss ``Kdhat``).

    Parameters
    ----------
    values, weights
        Distances (any order) and their weights.
    r
        Where to evaluate.
    bandwidth
        Kernel standard deviation ``h``.
    far_weight
        Weight of pairs left out of ``values`` because they are too far to matter (beyond
        ``max(r) + 8h``); it enters the normalisation only.
    """
    h = float(bandwidth)
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    near = v <= 4.0 * h
    aug_v = np.concatenate([-v[near][::-1], v])
    aug_w = np.concatenate([w[near][::-1], w])
    total = float(aug_w.sum()) + far_weight
    below = float(np.dot(aug_w, ndtr(-aug_v / h))) / total
    lo = np.searchsorted(aug_v, r - CUTOFF * h)
    hi = np.searchsorted(aug_v, r + CUTOFF * h, side="right")
    dens = np.empty(len(r))
    for j, (a, b) in enumerate(zip(lo, hi, strict=True)):
        z = (r[j] - aug_v[a:b]) / h
        dens[j] = np.dot(aug_w[a:b], np.exp(-0.5 * z * z))
    return dens / (h * _SQRT_2PI) / total / (1.0 - below)


def kd_exact(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None, *,
             r: np.ndarray, adjust: float = 1.0) -> KdCurve:
    """K-density from exact pairwise distances (``scipy.spatial.distance.pdist``), defined as
    dbmss ``Kdhat`` (non-approximated branch, see the module docstring).

    Memory grows as ``n^2 / 2``: use :func:`kd_binned_cells` beyond a few thousand points.

    Parameters
    ----------
    x, y
        Coordinates of the industry's points (metres for British National Grid).
    weights
        Optional point weights (employment); pair weights are ``w_i w_j``.
    r
        Distances where Kd is evaluated; ``rmax = max(r)``.
    adjust
        Bandwidth multiplier (``Kdhat``'s ``Adjust``).
    """
    pts = np.column_stack([x, y]).astype(float)
    dist = pdist(pts)
    if weights is None:
        pair_w = np.ones_like(dist)
    else:
        w = np.asarray(weights, float)
        iu, ju = np.triu_indices(len(w), k=1)
        pair_w = w[iu] * w[ju]
    rmax = float(np.max(r))
    bw = bw_nrd0(dist[dist <= 2.0 * rmax]) * adjust
    far = dist > rmax + CUTOFF * bw
    kd = binned_kde(dist[~far], pair_w[~far], np.asarray(r, float), bw, bw / EXACT_STEPS,
                    far_weight=float(pair_w[far].sum()))
    return KdCurve(np.asarray(r, float), kd, bw)


@dataclass(frozen=True)
class PairGrid:
    """Cells and FFT offsets shared by every estimate on one set of sites.

    ``flat`` indexes the half plane of cell offsets within ``reach`` in the (cyclic) FFT
    autocorrelation array; ``bins`` gives each offset's distance on a lattice of step
    ``delta`` (at most ``delta / 2`` rounding).
    """

    origin: tuple[float, float]
    cell_size: float
    nx: int
    ny: int
    fft_shape: tuple[int, int]
    flat: np.ndarray
    bins: np.ndarray
    delta: float
    n_bins: int

    def cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat cell index (row-major over ``(nx, ny)``) of each point."""
        ix = np.floor((np.asarray(x, float) - self.origin[0]) / self.cell_size).astype(np.int64)
        iy = np.floor((np.asarray(y, float) - self.origin[1]) / self.cell_size).astype(np.int64)
        if ix.min() < 0 or iy.min() < 0 or ix.max() >= self.nx or iy.max() >= self.ny:
            raise ValueError("points fall outside the grid built on the sites")
        return ix * self.ny + iy


def make_pair_grid(x: np.ndarray, y: np.ndarray, *, cell_size: float, reach: float,
                   delta: float | None = None) -> PairGrid:
    """Grid covering the points ``x, y`` (all sites) for pair counts up to distance ``reach``.

    The cyclic FFT of size ``n + R`` (``R`` = reach in cells) holds every offset up to ``R``
    without wrap-around, so far fewer cells are transformed than the ``2n - 1`` of a full
    linear correlation when ``reach`` is small against the grid.
    """
    if not cell_size > 0:
        raise ValueError(f"cell_size must be positive, got {cell_size}")
    x0, y0 = float(np.min(x)), float(np.min(y))
    nx = int(math.floor((float(np.max(x)) - x0) / cell_size)) + 1
    ny = int(math.floor((float(np.max(y)) - y0) / cell_size)) + 1
    rx = min(nx - 1, math.ceil(reach / cell_size) + 1)
    ry = min(ny - 1, math.ceil(reach / cell_size) + 1)
    px = scipy.fft.next_fast_len(nx + rx, real=True)
    py = scipy.fft.next_fast_len(ny + ry, real=True)
    dx, dy = np.meshgrid(np.arange(-rx, rx + 1), np.arange(0, ry + 1), indexing="ij")
    dx, dy = dx.ravel(), dy.ravel()
    dist = cell_size * np.hypot(dx, dy)
    half = ((dy > 0) | (dx > 0)) & (dist <= reach + cell_size)
    dx, dy, dist = dx[half], dy[half], dist[half]
    delta = cell_size / 20.0 if delta is None else float(delta)
    bins = np.rint(dist / delta).astype(np.int64)
    flat = (dx % px) * py + dy
    return PairGrid((x0, y0), float(cell_size), nx, ny, (px, py), flat.astype(np.int64),
                    bins, delta, int(bins.max()) + 1 if len(bins) else 1)


def pair_histogram(grid: PairGrid, cells: np.ndarray,
                   weights: np.ndarray | None) -> tuple[np.ndarray, float]:
    """Pair weight by lattice distance (within ``reach``) and the total pair weight.

    Pairs in the same cell are put at distance 0. Unweighted counts are rounded to whole
    numbers, which removes the FFT's rounding error exactly.
    """
    w = np.ones(len(cells)) if weights is None else np.asarray(weights, float)
    counts = np.bincount(cells, weights=w, minlength=grid.nx * grid.ny)
    counts = counts.reshape(grid.nx, grid.ny)
    # Single precision halves the FFT time; its rounding (~1e-7 sum(C^2)) stays far below
    # the 0.5 needed to round unweighted counts exactly while sum(C^2) <= 1e5. (Not np.dot:
    # on this many cells it wakes OpenBLAS threads, whose spinning doubled the CPU time of
    # every simulation. The sum only picks the precision; whole counts sum exactly anyway.)
    flat = counts.ravel()
    if float((flat * flat).sum()) <= 1e5:
        counts = counts.astype(np.float32)
    spec = scipy.fft.rfft2(counts, s=grid.fft_shape)
    auto = scipy.fft.irfft2(spec * spec.conj(), s=grid.fft_shape).ravel()
    paired = auto[grid.flat]
    if weights is None:
        paired = np.rint(paired)
    hist = np.bincount(grid.bins, weights=paired, minlength=grid.n_bins)
    self_w = float(np.dot(w, w))
    hist[0] += max(float(np.rint(auto[0]) if weights is None else auto[0]) - self_w, 0.0) / 2
    total = (float(w.sum()) ** 2 - self_w) / 2.0
    return hist, total


def kd_binned_cells(grid: PairGrid, cells: np.ndarray, weights: np.ndarray | None, *,
                    r: np.ndarray, adjust: float = 1.0,
                    bandwidth: float | None = None) -> KdCurve:
    """K-density from binned pair counts (see the module docstring for the error).

    Parameters
    ----------
    grid
        From :func:`make_pair_grid` with ``reach >= 2 max(r)`` (the bandwidth uses pairs up to
        ``2 rmax``, as ``Kdhat``).
    cells
        Cell of each of the industry's points (:meth:`PairGrid.cells`).
    weights
        Optional point weights (pair weights ``w_i w_j``).
    r, adjust
        As :func:`kd_exact`.
    bandwidth
        Impose a bandwidth instead of the rule of thumb (for error analysis).
    """
    hist_w, total = pair_histogram(grid, cells, weights)
    hist_u = hist_w if weights is None else pair_histogram(grid, cells, None)[0]
    return kd_from_histogram(grid, hist_w, hist_u, total, r=r, adjust=adjust,
                             bandwidth=bandwidth)


def kd_from_histogram(grid: PairGrid, hist_w: np.ndarray, hist_u: np.ndarray, total: float,
                      *, r: np.ndarray, adjust: float = 1.0,
                      bandwidth: float | None = None) -> KdCurve:
    """Kd from pair weights by lattice distance (``hist_w``; unweighted counts ``hist_u`` set
    the bandwidth from pairs up to ``2 max(r)``, as ``Kdhat``) and the total pair weight."""
    r = np.asarray(r, float)
    rmax = float(r.max())
    lattice = np.arange(grid.n_bins) * grid.delta
    if bandwidth is None:
        inside = lattice <= 2.0 * rmax
        bandwidth = bw_nrd0(lattice[inside], np.rint(hist_u[inside])) * adjust
    near = (lattice <= rmax + CUTOFF * bandwidth) & (hist_w > 0)
    kd = binned_kde(lattice[near], hist_w[near], r, bandwidth, grid.delta,
                    far_weight=total - float(hist_w[near].sum()))
    return KdCurve(r, kd, float(bandwidth))


def binned_kde(values: np.ndarray, weights: np.ndarray, r: np.ndarray, h: float,
               delta: float, *, far_weight: float = 0.0) -> np.ndarray:
    """:func:`reflected_kde` computed on a lattice of step ``delta``: values (and their mirror
    images) are linearly binned on ``k * delta``, convolved with the Gaussian by FFT and
    interpolated linearly at ``r``.

    The relative error is of order ``(delta / h)^2 / 8`` (linear binning, Wand and Jones 1995,
    *Kernel Smoothing*, appendix D; linear interpolation); values already on the lattice are
    binned without error. R's ``stats::density``, which ``Kdhat`` calls, uses the same scheme
    on a coarser grid of 512+ points. The mass below 0 is summed exactly.
    """
    v = np.asarray(values, float)
    w = np.asarray(weights, float)
    n_up = int(math.ceil((float(np.max(r)) + CUTOFF * h) / delta)) + 2
    n_lo = int(math.ceil(4.0 * h / delta)) + 2
    mirrored = v <= 4.0 * h
    pos = np.concatenate([v, -v[mirrored]]) / delta + n_lo
    wts = np.concatenate([w, w[mirrored]])
    total = float(wts.sum()) + far_weight
    low = v <= CUTOFF * h
    below = float(np.dot(w[low], ndtr(-v[low] / h)) + np.dot(w[mirrored], ndtr(v[mirrored] / h)))
    below /= total
    keep = pos < n_lo + n_up - 1
    base = np.floor(pos[keep]).astype(np.int64)
    frac = pos[keep] - base
    lattice = np.bincount(base, wts[keep] * (1.0 - frac), minlength=n_lo + n_up)
    lattice += np.bincount(base + 1, wts[keep] * frac, minlength=n_lo + n_up)
    half = int(math.ceil(CUTOFF * h / delta))
    z = np.arange(-half, half + 1) * delta / h
    kernel = np.exp(-0.5 * z * z) / (h * _SQRT_2PI)
    dens = fftconvolve(lattice, kernel, mode="same")
    grid = (np.arange(n_lo + n_up) - n_lo) * delta
    return np.interp(r, grid, dens) / total / (1.0 - below)
