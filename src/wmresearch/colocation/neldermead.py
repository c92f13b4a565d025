"""Nelder-Mead on many independent problems at once, step for step as scipy's.

Nelder & Mead (1965), "A simplex method for function minimization", *The Computer Journal*
7(4), 308-313, in the form of ``scipy.optimize.minimize(method="Nelder-Mead")`` (scipy
1.17, ``adaptive=False``): start simplex :math:`x_0` and :math:`x_0 + 0.05\\, x_{0k} e_k`
(0.00025 where :math:`x_{0k} = 0`); with vertices sorted by :math:`f` and :math:`\\bar x` the
mean of all but the worst vertex :math:`x_w`, try the reflection
:math:`x_r = 2 \\bar x - x_w`, then the expansion :math:`3 \\bar x - 2 x_w`, the outside
contraction :math:`1.5 \\bar x - 0.5 x_w` or the inside contraction
:math:`0.5 \\bar x + 0.5 x_w`, else shrink every vertex halfway towards the best; stop when
every vertex is within ``xatol`` of the best in every coordinate and every value within
``fatol`` of the best value, or after ``maxiter`` iterations.

scipy runs one problem in a Python loop, whose bookkeeping costs more than a small
objective. Here the loop runs once for all problems, each problem taking exactly scipy's
branch, with the same arithmetic in the same order, so each result is the same floating-point
number as scipy's whenever ``fun`` computes each row as scipy's objective would
(tests/colocation/test_neldermead.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# scipy's coefficients (reflection, expansion, contraction, shrink) and start-simplex steps,
# kept as the same Python numbers so that every product rounds as scipy's does
_RHO, _CHI, _PSI, _SIGMA = 1, 2, 0.5, 0.5
_NONZDELT, _ZDELT = 0.05, 0.00025


def _sort(sim: np.ndarray, fsim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # np.argsort row by row, as scipy's np.argsort of one simplex's values (ties alike)
    ind = np.argsort(fsim, axis=1)
    return np.take_along_axis(sim, ind[:, :, None], axis=1), np.take_along_axis(fsim, ind, 1)


def nelder_mead_many(fun: Callable[[np.ndarray, np.ndarray], np.ndarray], x0: np.ndarray, *,
                     xatol: float, fatol: float, maxiter: int) -> np.ndarray:
    """Minimise ``m`` independent functions of ``N`` variables by Nelder-Mead, all at once.

    Method and reference: see the module docstring. Row *i* of the result is
    ``scipy.optimize.minimize(f_i, x0[i], method="Nelder-Mead", options={"xatol": xatol,
    "fatol": fatol, "maxiter": maxiter}).x`` (no limit on function calls).

    Parameters
    ----------
    fun
        ``fun(points, rows)``: the objective values of problems ``rows`` (integer array) at
        ``points`` (one row each, shape ``(len(rows), N)``), as a float array.
    x0
        Start points, shape ``(m, N)``.
    xatol, fatol, maxiter
        scipy's stopping options.

    Returns
    -------
    numpy.ndarray
        Shape ``(m, N)``: the best vertex of each final simplex.
    """
    x0 = np.asarray(x0, dtype=float)
    m, n_var = x0.shape
    sim = np.empty((m, n_var + 1, n_var))
    sim[:, 0] = x0
    for k in range(n_var):
        y = x0.copy()
        y[:, k] = np.where(y[:, k] != 0, (1 + _NONZDELT) * y[:, k], _ZDELT)
        sim[:, k + 1] = y
    rows = np.arange(m)
    fsim = np.column_stack([fun(sim[:, k], rows) for k in range(n_var + 1)]).astype(float)
    sim, fsim = _sort(*_sort(sim, fsim))   # scipy sorts twice before its loop
    active, iterations = rows, 1
    while active.size and iterations < maxiter:
        s, f = sim[active], fsim[active]
        done = ((np.abs(s[:, 1:] - s[:, :1]).max(axis=(1, 2)) <= xatol)
                & (np.abs(f[:, :1] - f[:, 1:]).max(axis=1) <= fatol))
        active, s, f = active[~done], s[~done], f[~done]
        if not active.size:
            break
        xbar = s[:, 0].copy()
        for k in range(1, n_var):   # np.add.reduce over scipy's vertices: in vertex order
            xbar += s[:, k]
        xbar /= n_var
        worst = s[:, -1]
        xr = (1 + _RHO) * xbar - _RHO * worst
        fxr = fun(xr, active)
        # the branch tests are written as scipy's (a NaN value fails every "<")
        expand = fxr < f[:, 0]
        rest = ~expand & ~(fxr < f[:, -2])
        outside = rest & (fxr < f[:, -1])
        inside = rest & ~(fxr < f[:, -1])
        second = expand | rest
        x2 = np.where(expand[:, None], (1 + _RHO * _CHI) * xbar - _RHO * _CHI * worst,
                      np.where(outside[:, None], (1 + _PSI * _RHO) * xbar - _PSI * _RHO * worst,
                               (1 - _PSI) * xbar + _PSI * worst))
        f2 = np.full(len(active), np.nan)
        f2[second] = fun(x2[second], active[second])
        take_r = (~expand & ~rest) | (expand & ~(f2 < fxr))
        take_2 = (expand & (f2 < fxr)) | (outside & (f2 <= fxr)) | (inside & (f2 < f[:, -1]))
        shrink = (outside & ~(f2 <= fxr)) | (inside & ~(f2 < f[:, -1]))
        s[take_r, -1], f[take_r, -1] = xr[take_r], fxr[take_r]
        s[take_2, -1], f[take_2, -1] = x2[take_2], f2[take_2]
        if shrink.any():
            for j in range(1, n_var + 1):
                s[shrink, j] = s[shrink, 0] + _SIGMA * (s[shrink, j] - s[shrink, 0])
                f[shrink, j] = fun(s[shrink, j], active[shrink])
        iterations += 1
        sim[active], fsim[active] = _sort(s, f)
    return sim[:, 0].copy()


__all__ = ["nelder_mead_many"]
