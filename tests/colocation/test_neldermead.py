"""Nelder-Mead on many problems at once against scipy's Nelder-Mead, problem by problem.

Reference: ``scipy.optimize.minimize(method="Nelder-Mead")`` (scipy 1.17), run on each
problem alone. The batched version must take the same steps, so the minimisers must be the
same floating-point numbers, including on flat objectives (ties in the simplex order), on
objectives that are NaN in part of the plane, and when ``maxiter`` stops the search.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from wmresearch.colocation.neldermead import nelder_mead_many


def _objective(kind: str, a: np.ndarray, c: np.ndarray):
    def one(x: np.ndarray) -> float:
        if kind == "quadratic":
            return float(np.sum(a * (x - c) ** 2))
        if kind == "rosenbrock":
            return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
                         + a[0] * np.sum((x - c) ** 2))
        if kind == "steps":   # flat pieces: equal values in the simplex
            return float(np.floor(3 * np.sum(a * (x - c) ** 2)))
        return float(np.sum(a * (x - c) ** 2)) if x[0] < c[0] + 1 else np.nan
    return one


@pytest.mark.parametrize("kind", ["quadratic", "rosenbrock", "steps", "nan"])
@pytest.mark.parametrize("n_var", [1, 2, 3])
@pytest.mark.parametrize("maxiter", [4000, 25])
def test_same_minimiser_as_scipy_problem_by_problem(kind, n_var, maxiter):
    rng = np.random.default_rng(n_var)
    m = 25
    a, c = rng.uniform(0.5, 5, (m, n_var)), rng.normal(0, 2, (m, n_var))
    x0 = rng.normal(0, 3, (m, n_var))
    x0[0] = 0.0   # scipy's other start step (0.00025 for a zero coordinate)
    funs = [_objective(kind, a[i], c[i]) for i in range(m)]
    options = {"xatol": 1e-8, "fatol": 1e-10, "maxiter": maxiter}

    def batch(points: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.array([funs[i](x) for i, x in zip(rows, points, strict=True)])

    got = nelder_mead_many(batch, x0, **options)
    want = np.array([minimize(funs[i], x0[i], method="Nelder-Mead", options=options).x
                     for i in range(m)])
    np.testing.assert_array_equal(got, want)
