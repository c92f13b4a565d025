"""Relatedness between industries from where they locate, after Delgado, Porter & Stern (2016).

Delgado, Porter & Stern (2016), "Defining clusters of related industries", *Journal of
Economic Geography* 16(1), 1-38 (DPS), measure how related two industries are by their
co-location, among other links. Two co-location measures are built here from an area x
industry table of employment :math:`e_{mi}`:

* **LQ correlation** (DPS's "LC" measure): the Pearson correlation across areas
  *m* of the two industries' employment location quotients
  :math:`LQ_{mi} = (e_{mi}/e_m)/(e_i/e)` (Isard 1960; computed by
  :func:`wmresearch.colocation.lq.location_quotients`).
* **Co-agglomeration** (DPS's "COI" measure): the Ellison, Glaeser & Kerr (2010, eq. 2) index
  :math:`\\gamma^c_{ij}`, from :func:`wmresearch.colocation.coagglomeration.coagglomeration`.

The measures have different scales, so they are combined as DPS combine theirs: each is
turned into its percentile rank among all industry pairs (the ``_pc`` columns of the US
Cluster Mapping Project's related-clusters file) and the percentiles are averaged. The result
is a symmetric similarity in (0, 1] with 1 on the diagonal.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from wmresearch.colocation.coagglomeration import coagglomeration
from wmresearch.colocation.lq import check_long_table, location_quotients

MEASURES = ("lq_correlation", "coagglomeration")


def select_industries(frame: pd.DataFrame, *, industry: str, value: str,
                      min_employment: float = 0.0) -> tuple[list[str], pd.DataFrame]:
    """Industries whose total ``value`` exceeds ``min_employment``, and those left out.

    Returns
    -------
    kept, excluded
        Sorted industry codes kept, and a table ``industry``, ``total``, ``reason`` of the
        industries excluded (so nothing is dropped silently).
    """
    totals = (pd.to_numeric(frame[value], errors="coerce").fillna(0.0)
              .groupby(frame[industry].astype(str)).sum())
    small = totals <= min_employment
    excluded = pd.DataFrame({"industry": totals.index[small], "total": totals[small].to_numpy(),
                             "reason": f"total {value} <= min_employment {min_employment:g}"})
    return sorted(totals.index[~small]), excluded


def lq_correlation(frame: pd.DataFrame, *, area: str, industry: str, value: str,
                   area_total: pd.Series | None = None,
                   industries: Sequence[str] | None = None) -> pd.DataFrame:
    """DPS (2016) "LC" relatedness: correlation of industries' LQs across areas.

    Parameters
    ----------
    frame
        Long table area x industry (one year) of employment (or establishments).
    area, industry, value
        Column names.
    area_total
        All-industry employment by area for the LQ denominators (default: the sum over
        ``frame``); pass it when ``frame`` holds only some industries.
    industries
        Industries to return (default: all in ``frame``).

    Returns
    -------
    pandas.DataFrame
        Symmetric industries x industries Pearson correlations, 1 on the diagonal.

    Raises
    ------
    ValueError
        An industry whose LQ is the same in every area (no variation: its correlation is
        undefined), named.
    """
    check_long_table(frame, [area, industry, value], value)
    work = frame.assign(**{industry: frame[industry].astype(str),
                           value: pd.to_numeric(frame[value]).astype(float).fillna(0.0)})
    total = None
    if area_total is not None:
        total = float(area_total.sum())
    lq = location_quotients(work, region=area, industry=industry, value=value,
                            region_total=area_total, total=total)
    wide = lq.pivot_table(index=area, columns=industry, values="lq_raw", aggfunc="first",
                          observed=True).fillna(0.0)
    if industries is not None:
        absent = sorted(set(industries) - set(wide.columns))
        if absent:
            raise KeyError(f"industries {absent[:10]} not in column {industry!r}")
        wide = wide[list(industries)]
    flat = wide.columns[wide.std(ddof=0).to_numpy() == 0]
    if len(flat):
        raise ValueError(f"industries {list(flat[:10])} have the same LQ in every area: "
                         "their LQ correlation is undefined; exclude them (select_industries)")
    return wide.corr(method="pearson")


def percentile_rank(matrix: pd.DataFrame) -> pd.DataFrame:
    """Percentile rank (0, 1] of each off-diagonal entry among all pairs; diagonal 1.

    Ties share their average rank (``scipy.stats.rankdata`` "average"). This is the scale of
    the US Cluster Mapping Project's ``cr_*_pc`` columns (DPS 2016), divided by 100.

    Raises
    ------
    ValueError
        A non-square, asymmetric matrix or a missing off-diagonal value (pairs named).
    """
    values = _check_square(matrix)
    upper = np.triu_indices(len(matrix), k=1)
    pairs = values[upper]
    ranks = rankdata(pairs, method="average") / len(pairs) if len(pairs) else pairs
    out = np.ones_like(values, dtype=float)
    out[upper] = ranks
    out.T[upper] = ranks
    return pd.DataFrame(out, index=matrix.index, columns=matrix.columns)


def _check_square(matrix: pd.DataFrame) -> np.ndarray:
    if list(matrix.index) != list(matrix.columns):
        raise ValueError("relatedness matrix must have the same industries, in the same order, "
                         "as rows and columns")
    values = matrix.to_numpy(float)
    off = ~np.eye(len(matrix), dtype=bool)
    bad = np.argwhere(np.isnan(values) & off)
    if len(bad):
        pairs = [(matrix.index[i], matrix.columns[j]) for i, j in bad[:5]]
        raise ValueError(f"relatedness is missing for industry pairs {pairs}")
    if not np.allclose(values[off], values.T[off], equal_nan=True):
        raise ValueError("relatedness matrix is not symmetric")
    return values


def combined_relatedness(frame: pd.DataFrame, *, area: str, industry: str, value: str,
                         measures: Sequence[str] = MEASURES, min_employment: float = 0.0,
                         area_total: pd.Series | None = None) -> pd.DataFrame:
    """DPS (2016) style co-location similarity: mean percentile rank of the chosen measures.

    Parameters
    ----------
    frame
        Long table area x industry (one year).
    area, industry, value
        Column names.
    measures
        Any of ``"lq_correlation"`` (DPS "LC") and ``"coagglomeration"`` (EGK 2010, DPS
        "COI").
    min_employment
        Industries with total ``value`` at or below this are excluded before computing
        (listed in ``attrs["excluded"]``).
    area_total
        All-industry employment by area (default: the sum over ``frame``, before exclusion).

    Returns
    -------
    pandas.DataFrame
        Symmetric similarity in (0, 1], diagonal 1; ``attrs["components"]`` holds each raw
        measure, ``attrs["excluded"]`` the excluded industries with the reason.
    """
    unknown = sorted(set(measures) - set(MEASURES))
    if unknown or not measures:
        raise ValueError(f"unknown relatedness measure(s) {unknown}; choose from {MEASURES}")
    check_long_table(frame, [area, industry, value], value)
    work = frame.assign(**{industry: frame[industry].astype(str)})
    if area_total is None:
        area_total = pd.to_numeric(work[value]).fillna(0.0).groupby(work[area]).sum()
    kept, excluded = select_industries(work, industry=industry, value=value,
                                       min_employment=min_employment)
    if len(kept) < 3:
        raise ValueError(f"only {len(kept)} industries above min_employment {min_employment:g}")
    work = work[work[industry].isin(kept)]
    raw = {}
    if "lq_correlation" in measures:
        raw["lq_correlation"] = lq_correlation(work, area=area, industry=industry, value=value,
                                               area_total=area_total, industries=kept)
    if "coagglomeration" in measures:
        raw["coagglomeration"] = coagglomeration(
            work.fillna({value: 0.0}), area=area, industry=industry, value=value,
            area_total=area_total).loc[kept, kept]
    ranks = [percentile_rank(m) for m in raw.values()]
    out = sum(ranks[1:], ranks[0]) / len(ranks)
    out.attrs = {"components": raw, "excluded": excluded}
    return out


__all__ = ["MEASURES", "combined_relatedness", "lq_correlation", "percentile_rank",
           "select_industries"]
