r"""Placebo standard error of synthetic difference-in-differences (Arkhangelsky, Athey,
Hirshberg, Imbens & Wager 2021, AER 111(12): 4088-4118, Algorithm 4), computed as the
reference implementation, R ``synthdid`` (``placebo_se`` in ``R/vcov.R``), computes it.

Algorithm 4: for :math:`b = 1, \dots, r`, draw :math:`N_1` of the :math:`N_0` control units
without replacement, call them treated, and re-estimate :math:`\hat\tau^{(b)}` on the
controls alone; :math:`\widehat{SE} = \sqrt{(r-1)/r}\;\mathrm{sd}(\hat\tau^{(1)}, \dots,
\hat\tau^{(r)})`. As in R, each re-estimate runs Algorithm 1 with the full panel's tuning
(the ridge levels :math:`\zeta_\omega, \zeta_\lambda` and the stopping rule of the full fit),
starting from the full fit's weights (:math:`\omega` restricted to the remaining controls and
renormalised). Re-estimating :math:`\zeta` from each placebo panel instead, as the paper's
wording allows, gives 8.365-8.366 instead of 8.368 on the Prop 99 draws below: within Table 1's
precision, but the R vignette's printed interval (-32.01, 0.80) admits only 8.368 to 8.372.

A placebo estimate depends only on which controls are drawn, so each distinct set is fitted
once: with one treated unit there are at most :math:`N_0` fits however many draws.

Prop 99 (39 states, California treated from 1989): R's 200 draws under ``set.seed(12345)``,
which print Table 1's 8.4 and the vignette's 95% interval (-32.01, 0.80), give 8.368 here. That
figure is one Monte Carlo draw: as :math:`r \to \infty` the placebo SE tends to the standard
deviation of the 38 single-state placebo estimates, 9.37 (the sd of a 200-draw SE around it is
0.64, so 8.37 sits at its 7th percentile; synthdid-py 0.1's 10.06, from 500 draws with its seed
1, is the same estimator drawn high).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from synthdid import SynthDIDEstimate


def sdid_placebo_draws(n_control: int, n_treated: int, replications: int,
                       seed: int) -> np.ndarray:
    """``replications`` placebo assignments: each row the indices of ``n_treated`` of the
    ``n_control`` controls, drawn without replacement (the last ``n_treated`` of a uniform
    permutation, as R's ``sample(1:N0)``), seeded by ``seed`` (numpy's PCG64 stream)."""
    if n_control <= n_treated:
        raise ValueError(f"the placebo SE needs more control units than treated units: "
                         f"{n_control} controls, {n_treated} treated")
    if replications < 2:
        raise ValueError(f"the placebo SE needs at least 2 replications, got {replications}")
    rng = np.random.default_rng(seed)
    return np.array([rng.permutation(n_control)[n_control - n_treated:]
                     for _ in range(replications)], dtype=int).reshape(replications, n_treated)


def sdid_placebo_estimates(estimate: SynthDIDEstimate, draws: np.ndarray) -> np.ndarray:
    r"""SDID estimate on the controls of ``estimate`` for each placebo assignment in ``draws``.

    Parameters
    ----------
    estimate : a synthdid-py ``synthdid_estimate`` fit on the full panel (its setup, weights
        and tuning are reused as R's ``placebo_se`` reuses them).
    draws : (r, N1) indices into the controls (rows ``0..N0-1`` of ``estimate.setup.Y``), e.g.
        from :func:`sdid_placebo_draws`.

    Returns
    -------
    numpy.ndarray
        The r placebo estimates :math:`\hat\tau^{(b)}`, in the order of ``draws``.
    """
    from synthdid import synthdid_estimate

    setup, fitted = estimate.setup, estimate.weights
    n0 = int(setup.N0)
    draws = np.asarray(draws, dtype=int)
    if draws.ndim != 2 or draws.shape[1] != setup.Y.shape[0] - n0:
        raise ValueError(f"each placebo draw must name {setup.Y.shape[0] - n0} controls; "
                         f"got draws of shape {draws.shape}")
    if draws.size and (draws.min() < 0 or draws.max() >= n0):
        raise ValueError(f"placebo draws must index the {n0} controls (0 to {n0 - 1})")
    fits: dict[tuple[int, ...], float] = {}
    for placebo in {tuple(sorted(row)) for row in draws.tolist()}:
        if len(set(placebo)) != len(placebo):
            raise ValueError(f"a placebo draw repeats a control: {placebo}")
        rest = [i for i in range(n0) if i not in placebo]
        rows = np.array(rest + list(placebo))
        omega = np.asarray(fitted.omega, dtype=float)[rest]
        start = {"omega": omega / omega.sum() if omega.sum() != 0
                 else np.full(len(rest), 1.0 / len(rest)),
                 "lambda": np.asarray(fitted.lambda_, dtype=float)}
        if fitted.beta is not None:
            start["beta"] = fitted.beta
        fits[placebo] = float(synthdid_estimate(setup.Y[rows], len(rest), setup.T0,
                                                X=setup.X[rows], weights=start, **estimate.opts))
    return np.array([fits[tuple(sorted(row))] for row in draws.tolist()])


def sdid_placebo_se(estimates: np.ndarray) -> float:
    r"""Algorithm 4's standard error, :math:`\sqrt{(r-1)/r}\,\mathrm{sd}(\hat\tau^{(b)})` (the
    standard deviation with divisor r)."""
    est = np.asarray(estimates, dtype=float)
    if est.size < 2:
        raise ValueError(f"the placebo SE needs at least 2 placebo estimates, got {est.size}")
    r = est.size
    return float(np.sqrt((r - 1) / r) * np.std(est, ddof=1))
