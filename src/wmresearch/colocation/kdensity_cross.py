"""Bivariate (co-localisation) K-density between two industries.

Duranton and Overman (2008), "Exploring the detailed location patterns of UK manufacturing
industries: localization, dispersion and co-localization", *Journal of Regional Science*
48(1), 213-243, section 5: the kernel density of the ``n_A n_B`` distances between each firm
of industry A and each firm of industry B, with pair weights ``w_a w_b`` when weighted; the
counterfactual draws ``n_A + n_B`` sites at random among all firms' sites and labels the first
``n_A`` A. dbmss computes the same function as ``Kdhat(X, r, ReferenceType=A,
NeighborType=B)`` with ``KdEnvelope(SimulationType="RandomLocation")``.

The kernel, bandwidth rule, reflection at zero and ``rmax`` are those of the univariate
estimator (:mod:`wmresearch.colocation.kdensity_estimators`), applied to the cross distances.
The binned version counts cross pairs by offset with the FFT cross-correlation of the two
industries' cell counts; both offsets ``(dx, dy)`` and ``(-dx, -dy)`` of each half-plane
offset are read, since A-to-B pairs are ordered.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
from scipy.spatial.distance import cdist

from wmresearch.colocation.kdensity_estimators import (
    CUTOFF,
    EXACT_STEPS,
    KdCurve,
    PairGrid,
    binned_kde,
    bw_nrd0,
    kd_from_histogram,
)


def kd_cross_exact(xa: np.ndarray, ya: np.ndarray, xb: np.ndarray, yb: np.ndarray, *,
                   wa: np.ndarray | None = None, wb: np.ndarray | None = None,
                   r: np.ndarray, adjust: float = 1.0) -> KdCurve:
    """Co-localisation K-density from exact A-to-B distances (``scipy.spatial.distance.cdist``;
    memory ``n_A n_B``). Weights, if given, must be given for both industries."""
    if (wa is None) != (wb is None):
        raise ValueError("kd_cross_exact: give weights for both industries or for neither")
    dist = cdist(np.column_stack([xa, ya]).astype(float),
                 np.column_stack([xb, yb]).astype(float)).ravel()
    pair_w = np.ones_like(dist) if wa is None else np.outer(wa, wb).ravel()
    r = np.asarray(r, float)
    rmax = float(r.max())
    bw = bw_nrd0(dist[dist <= 2.0 * rmax]) * adjust
    far = dist > rmax + CUTOFF * bw
    kd = binned_kde(dist[~far], pair_w[~far], r, bw, bw / EXACT_STEPS,
                    far_weight=float(pair_w[far].sum()))
    return KdCurve(r, kd, bw)


def _negated(grid: PairGrid) -> np.ndarray:
    """Flat FFT index of ``(-dx, -dy)`` for each half-plane offset of ``grid.flat``."""
    px, py = grid.fft_shape
    dx, dy = grid.flat // py, grid.flat % py
    return ((-dx) % px) * py + ((-dy) % py)


def cross_histogram(grid: PairGrid, cells_a: np.ndarray, cells_b: np.ndarray,
                    wa: np.ndarray | None, wb: np.ndarray | None) -> tuple[np.ndarray, float]:
    """A-to-B pair weight by lattice distance (within the grid's reach) and the total."""
    ones_a = np.ones(len(cells_a)) if wa is None else np.asarray(wa, float)
    ones_b = np.ones(len(cells_b)) if wb is None else np.asarray(wb, float)
    size = grid.nx * grid.ny
    ca = np.bincount(cells_a, weights=ones_a, minlength=size).reshape(grid.nx, grid.ny)
    cb = np.bincount(cells_b, weights=ones_b, minlength=size).reshape(grid.nx, grid.ny)
    # single precision, as pair_histogram: its rounding (~1e-7 of the larger sum of squared
    # counts) stays far below the 0.5 needed to round unweighted counts exactly up to 1e5
    if max(float(np.vdot(ca, ca)), float(np.vdot(cb, cb))) <= 1e5:
        ca, cb = ca.astype(np.float32), cb.astype(np.float32)
    spec = np.conj(scipy.fft.rfft2(ca, s=grid.fft_shape)) * scipy.fft.rfft2(cb,
                                                                            s=grid.fft_shape)
    corr = scipy.fft.irfft2(spec, s=grid.fft_shape).ravel()
    paired = corr[grid.flat] + corr[_negated(grid)]
    same_cell = corr[0]
    if wa is None:
        paired, same_cell = np.rint(paired), float(np.rint(same_cell))
    hist = np.bincount(grid.bins, weights=paired, minlength=grid.n_bins)
    hist[0] += max(float(same_cell), 0.0)
    return hist, float(ones_a.sum() * ones_b.sum())


def kd_cross_binned(grid: PairGrid, cells_a: np.ndarray, cells_b: np.ndarray,
                    wa: np.ndarray | None = None, wb: np.ndarray | None = None, *,
                    r: np.ndarray, adjust: float = 1.0) -> KdCurve:
    """Co-localisation K-density from binned cross pair counts (``grid`` from
    :func:`~wmresearch.colocation.kdensity_estimators.make_pair_grid` with reach at least
    ``2 max(r)``; the bandwidth uses unweighted cross pairs up to ``2 rmax``)."""
    hist_w, total = cross_histogram(grid, cells_a, cells_b, wa, wb)
    hist_u = hist_w if wa is None else cross_histogram(grid, cells_a, cells_b, None, None)[0]
    return kd_from_histogram(grid, hist_w, hist_u, total, r=r, adjust=adjust)
