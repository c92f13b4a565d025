"""Co-agglomeration: do industries locate in the same places?

Two indices, both built on the area shares of :mod:`wmresearch.colocation.concentration`:

* Ellison, Glaeser & Kerr (2010), "What causes industry agglomeration? Evidence from
  coagglomeration patterns", *American Economic Review* 100(3), 1195-1213, eq. (2): for a
  pair of industries *i*, *j*,

  .. math:: \\gamma^c_{ij} = \\frac{\\sum_m (s_{mi} - x_m)(s_{mj} - x_m)}{1 - \\sum_m x_m^2}

  computed here for all pairs at once as :math:`D^\\top D / (1 - \\sum x^2)` with
  :math:`D_{mi} = s_{mi} - x_m`. For a pair it equals EG (1997) eq. (5) whatever the plant
  Herfindahls (the H terms cancel when the group has two industries; checked in the tests).

* Ellison & Glaeser (1997), *Journal of Political Economy* 105(5), 889-927, eq. (5), for a
  group of industries *j* = 1..r with employment weights :math:`w_j`, individual indices
  :math:`\\gamma_j` and plant Herfindahls :math:`H_j`:

  .. math::

      \\gamma^c = \\frac{G / (1 - \\sum_m x_m^2) - H - \\sum_j \\gamma_j w_j^2 (1 - H_j)}
                       {1 - \\sum_j w_j^2}

  with :math:`G = \\sum_m (s_m - x_m)^2` for the group's pooled employment and
  :math:`H = \\sum_j w_j^2 H_j` the group's plant Herfindahl.

REAT's ``ellison.c`` (Wieland, REAT 3.0.3) departs from eq. (5), as its R source shows:
(a) its "G" sums, over areas, the squared difference between the *sum over industries* of
each industry's area share (:math:`\\sum_j s_{mj}`, which adds up to r, not 1) and
:math:`x_m`, not the pooled group share :math:`s_m`; (b) its weights are each industry's
share of *all* employment (:math:`e_j/e`) rather than of the group's (:math:`w_j`), both in
:math:`H` and in the denominator; (c) the :math:`\\gamma_j` term multiplies every
:math:`\\gamma_j (1 - H_j)` by the same :math:`\\sum_k s_k^2` instead of its own
:math:`w_j^2`; and (d) its :math:`\\gamma_j` use area totals from the firm list
(``ellison.a2``) even when regional totals ``e_j`` are supplied. This module follows the paper.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wmresearch.colocation.concentration import (
    area_industry_shares,
    ellison_glaeser,
)


def coagglomeration(frame: pd.DataFrame, *, area: str, industry: str, value: str,
                    area_total: pd.Series | None = None,
                    diagonal: bool = False) -> pd.DataFrame:
    """Ellison-Glaeser-Kerr (2010, eq. 2) pairwise coagglomeration of every industry pair.

    Formula and references: see the module docstring.

    Parameters
    ----------
    frame
        Long table area x industry of employment (one year).
    area, industry, value
        Column names.
    area_total
        Aggregate employment by area for :math:`x_m` (default: the sum over ``frame``).
    diagonal
        Keep the diagonal, :math:`G_i / (1 - \\sum x^2)` (the EG index with :math:`H = 0`, not
        a coagglomeration); default NaN so it cannot top a ranking of pairs.

    Returns
    -------
    pandas.DataFrame
        Symmetric industries x industries matrix. An industry with no employment has NaN in
        its row and column.
    """
    shares, x = area_industry_shares(frame, area=area, industry=industry, value=value,
                                     area_total=area_total)
    dev = shares.to_numpy(float) - x.to_numpy(float)[:, None]
    matrix = dev.T @ dev / (1.0 - float(np.sum(x.to_numpy(float) ** 2)))
    if not diagonal:
        np.fill_diagonal(matrix, np.nan)
    return pd.DataFrame(matrix, index=shares.columns, columns=shares.columns)


def group_coagglomeration(frame: pd.DataFrame, *, area: str, industry: str, value: str,
                          herfindahl: pd.Series, industries: Sequence[str] | None = None,
                          area_total: pd.Series | None = None) -> pd.Series:
    """Ellison-Glaeser (1997, eq. 5) coagglomeration index of a group of industries.

    Formula and references: see the module docstring (EG 1997 eq. 5; not REAT ``ellison.c``).

    Parameters
    ----------
    frame
        Long table area x industry of employment (one year).
    area, industry, value
        Column names.
    herfindahl
        Plant Herfindahl :math:`H_j` by industry.
    industries
        The group (default: every industry in ``frame``); at least two.
    area_total
        Aggregate employment by area for :math:`x_m` (default: the sum over ``frame``, all
        industries, not only the group).

    Returns
    -------
    pandas.Series
        ``gamma_c``, ``G`` (pooled group), ``H`` (group plant Herfindahl), ``sum_w2``,
        ``sum_x2``.

    Raises
    ------
    KeyError
        A group industry absent from ``frame``.
    ValueError
        Fewer than two industries with employment in the group.
    """
    if area_total is None:
        area_total = frame.groupby(area, observed=True)[value].sum()
    eg = ellison_glaeser(frame, area=area, industry=industry, value=value,
                         herfindahl=herfindahl, area_total=area_total)
    group = list(industries) if industries is not None else list(eg.index)
    absent = sorted(set(group) - set(eg.index))
    if absent:
        raise KeyError(f"industries {absent} not in column {industry!r}")
    eg = eg.loc[group]
    if (eg["employment"] > 0).sum() < 2:
        raise ValueError(f"the group {group} needs at least two industries with employment")
    w = eg["employment"] / eg["employment"].sum()
    pooled = (frame[frame[industry].isin(group)]
              .groupby(area, as_index=False, observed=True)[value].sum()
              .assign(**{industry: "group"}))
    pooled_eg = ellison_glaeser(pooled, area=area, industry=industry, value=value,
                                herfindahl=0.0, area_total=area_total)
    g, sum_x2 = float(pooled_eg["G"].iloc[0]), float(pooled_eg["sum_x2"].iloc[0])
    weighted = w.pow(2)
    h = float((weighted * eg["H"]).sum())
    sum_w2 = float(weighted.sum())
    own = float((eg["gamma"] * weighted * (1 - eg["H"])).sum())
    gamma_c = (g / (1 - sum_x2) - h - own) / (1 - sum_w2)
    return pd.Series({"gamma_c": gamma_c, "G": g, "H": h, "sum_w2": sum_w2, "sum_x2": sum_x2})
