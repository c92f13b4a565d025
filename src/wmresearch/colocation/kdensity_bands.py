"""Confidence bands and the localisation and dispersion indices of Duranton and Overman (2005).

Reference: G. Duranton and H. G. Overman (2005), "Testing for localization using
micro-geographic data", *Review of Economic Studies* 72(4), 1077-1106, section 4
("Confidence intervals", "Global confidence bands", indices Gamma and Psi).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata


def local_bands(simulations: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise ``alpha`` and ``1 - alpha`` quantiles of the simulated K-densities.

    DO 2005 section 4 use the 5th and 95th percentiles at each distance (``alpha = 0.05``;
    dbmss ``KdEnvelope`` instead uses ``alpha / 2`` on each side). Quantiles are numpy's
    default (R type 7).

    Parameters
    ----------
    simulations
        Array ``(n_simulations, n_r)``.
    alpha
        One-sided level.
    """
    sims = np.asarray(simulations, float)
    lo, hi = np.quantile(sims, [alpha, 1.0 - alpha], axis=0)
    return lo, hi


def global_bands(simulations: np.ndarray, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """DO 2005's global confidence bands: the narrowest pointwise bands (the same order
    statistic at every distance) that at most ``floor(alpha * S)`` of the ``S`` simulations
    cross anywhere, chosen separately for the upper and the lower band.

    A simulation crosses the upper band taken at order statistic ``k`` (0-based) iff, at some
    distance, more than ``k`` simulations lie strictly below it; so ``k`` is the
    ``(S - 1 - floor(alpha S))``-th smallest of the simulations' maximal "min-ranks". The lower
    band is symmetric. (dbmss ``GlobalEnvelope`` approximates the same idea by discarding
    extreme simulations iteratively, two-sided; this is DO's one-sided construction.)

    Returns
    -------
    lower, upper
        Arrays of length ``n_r``.
    """
    sims = np.asarray(simulations, float)
    n_sim = sims.shape[0]
    allowed = math.floor(alpha * n_sim + 1e-9)
    order = np.sort(sims, axis=0)
    # Number of simulations strictly below (for the upper band) and at most equal minus one
    # (for the lower band): ties never count as crossings.
    below = rankdata(sims, axis=0, method="min") - 1
    at_most = rankdata(sims, axis=0, method="max") - 1
    k_hi = int(np.sort(below.max(axis=1))[n_sim - 1 - allowed])
    k_lo = int(np.sort(at_most.min(axis=1))[allowed])
    return order[k_lo], order[k_hi]


def localisation_indices(r: np.ndarray, kd: np.ndarray, global_lo: np.ndarray,
                         global_hi: np.ndarray) -> tuple[float, float]:
    """DO 2005's localisation index Gamma and dispersion index Psi.

    ``Gamma = int max(Kd(r) - Kbar(r), 0) dr`` and, only when ``Gamma = 0``,
    ``Psi = int max(Kunder(r) - Kd(r), 0) dr`` (else ``Psi = 0``), with ``Kbar`` / ``Kunder``
    the upper / lower global bands. DO sum over distances 0-180 km in 1 km steps, which is
    this integral (rectangle rule, unit-free) on their grid; here it is the trapezoidal rule
    on ``r``, so the indices do not depend on the distance unit.
    """
    r = np.asarray(r, float)
    gamma = float(np.trapezoid(np.maximum(np.asarray(kd) - global_hi, 0.0), r))
    psi = 0.0
    if gamma == 0.0:
        psi = float(np.trapezoid(np.maximum(np.asarray(global_lo) - kd, 0.0), r))
    return gamma, psi
