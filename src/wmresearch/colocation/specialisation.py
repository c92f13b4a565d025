"""Specialisation that survives its caveats: rounding bounds, minimum size, misplaced activity.

A location quotient (Isard 1960; :mod:`~wmresearch.colocation.lq`) computed from open-access
BRES inherits the rounding of every cell. NOMIS rounds public (open) access BRES estimates to
a base that grows with the estimate (NOMIS, "Rounding of Business Register and Employment
Survey estimates", nomisweb.co.uk/articles/1103.aspx):

=================  ===============  ==============
size of estimate   relaxed base     strict base
=================  ===============  ==============
0 to 49            5                10
50 to 249          25               50
250 to 499         50               100
500 to 999         100              200
1,000 to 2,499     250              500
2,500 to 4,999     500              1,000
5,000 and over     1,000            2,000
=================  ===============  ==============

Strict rounding is applied to disclosive cells, which the user cannot tell apart. A published
value that is not a multiple of its strict base must have been rounded to the relaxed base;
one that is may have been rounded to either, so it gets the strict base (the wider interval).
The true value lies within half a base of the published one (and is not negative):
:math:`x \\pm b(x)/2`.

LQ bounds of industry *i* in region *r* (:math:`LQ = (e_{ir}/e_r)/(E_i/E)`, with
:math:`E_i = e_{ir} + o_i`, *o* the rest of the benchmark): the lowest LQ takes :math:`e_{ir}`
at its lower bound and every other area's cell of *i* at its upper bound; the highest the
reverse. The all-industry totals :math:`e_r` and *E* are held at their published sums:
they add hundreds of cells whose rounding errors partly cancel, and their worst-case relative
error is returned (``total_error``) so a page can say how small it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from wmresearch.colocation.lq import check_long_table

#: (lower edge of the size band, relaxed base, strict base), NOMIS article 1103.
ROUNDING_BANDS = ((0, 5, 10), (50, 25, 50), (250, 50, 100), (500, 100, 200),
                  (1000, 250, 500), (2500, 500, 1000), (5000, 1000, 2000))

#: SIC prefixes whose workplace record misplaces the activity, with the reason shown.
MISPLACED = {
    "85422": "higher education: each university is coded wholly to first-degree (85421) or "
             "post-graduate (85422) education, whatever it teaches, so the split is an "
             "artefact of coding",
    "7010": "head offices: head-office staff are counted apart from the plants they run",
    "78": "employment agencies: placed workers are counted at the agency, not where they work",
    "84": "public administration: jobs are counted where the department is, not where the "
          "service is delivered",
}


def rounding_half_width(values: pd.Series | np.ndarray) -> np.ndarray:
    """Half the BRES open-access rounding base of each published value (strict if possible).

    Rule and reference in the module docstring (NOMIS article 1103). Missing values give NaN.
    """
    x = np.asarray(pd.to_numeric(pd.Series(values)).astype(float))
    edges = np.array([b[0] for b in ROUNDING_BANDS], dtype=float)
    band = np.clip(np.searchsorted(edges, np.where(np.isnan(x), 0, x), side="right") - 1, 0,
                   len(edges) - 1)
    relaxed = np.array([b[1] for b in ROUNDING_BANDS], dtype=float)[band]
    strict = np.array([b[2] for b in ROUNDING_BANDS], dtype=float)[band]
    base = np.where(np.isclose(np.mod(x, strict), 0.0), strict, relaxed)
    return np.where(np.isnan(x), np.nan, base / 2.0)


def lq_rounding_bounds(frame: pd.DataFrame, areas: Sequence[str], *, area: str,
                       industry: str, value: str) -> pd.DataFrame:
    """LQ of a region (``areas`` summed) for each industry with its bounds under rounding.

    Formula, rounding rule and the treatment of totals: module docstring.

    Parameters
    ----------
    frame
        Long table of published (rounded) BRES cells for one year: ``area``, ``industry``,
        ``value``; the benchmark is every area in it (Great Britain). Missing cells count 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by industry: ``employment`` (region), ``employment_low``/``_high``, ``lq``,
        ``lq_low``, ``lq_high``; ``attrs["total_error"]`` is the worst-case relative rounding
        error of the region's all-industry total.
    """
    check_long_table(frame, [area, industry, value], value)
    cells = frame.assign(_v=pd.to_numeric(frame[value]).astype(float).fillna(0.0))
    cells["_h"] = rounding_half_width(cells["_v"])
    inside = cells[area].isin(list(areas))
    if not inside.any():
        raise KeyError(f"none of the areas {list(areas)} is in column {area!r}")
    region = cells[inside].groupby(industry)[["_v", "_h"]].sum()
    rest = cells[~inside].groupby(industry)[["_v", "_h"]].sum()
    rest = rest.reindex(region.index.union(rest.index), fill_value=0.0)
    region = region.reindex(rest.index, fill_value=0.0)
    e_r, big_e = region["_v"].sum(), cells["_v"].sum()
    low = (region["_v"] - region["_h"]).clip(lower=0.0)
    high = region["_v"] + region["_h"]
    rest_low = (rest["_v"] - rest["_h"]).clip(lower=0.0)
    rest_high = rest["_v"] + rest["_h"]

    def lq(e_ir: pd.Series, other: pd.Series) -> pd.Series:
        total = e_ir + other
        return ((e_ir / e_r) / (total / big_e)).where(total > 0)

    out = pd.DataFrame({"employment": region["_v"], "employment_low": low,
                        "employment_high": high, "lq": lq(region["_v"], rest["_v"]),
                        "lq_low": lq(low, rest_high), "lq_high": lq(high, rest_low)})
    out.index.name = industry
    out.attrs["total_error"] = float(region["_h"].sum() / e_r) if e_r else np.nan
    return out


def misplaced_reason(codes: pd.Series, misplaced: Mapping[str, str] = MISPLACED) -> pd.Series:
    """The reason a SIC code's workplace record misplaces its activity, or NA (first match)."""
    text = codes.astype(str)
    out = pd.Series(pd.NA, index=codes.index, dtype="string")
    for prefix, reason in misplaced.items():
        out = out.mask(out.isna() & text.str.startswith(prefix), reason)
    return out


def specialisation_caveats(bounds: pd.DataFrame, local_units: pd.Series, *,
                           threshold: float, min_employment: float,
                           min_local_units: float,
                           misplaced: Mapping[str, str] = MISPLACED) -> pd.DataFrame:
    """Which industries are specialised before and after the caveats, each with its reason.

    Parameters
    ----------
    bounds
        From :func:`lq_rounding_bounds` (indexed by SIC code).
    local_units
        Local units in the region by SIC code prefix (e.g. 4-digit class from IDBR): each
        industry takes the count of the longest prefix present. A subclass's class count is an
        upper bound on its own, so an industry below ``min_local_units`` on it is below.
    threshold, min_employment, min_local_units
        Specialised: LQ at least ``threshold``; ranked only with at least ``min_employment``
        jobs and ``min_local_units`` local units in the region.

    Returns
    -------
    pandas.DataFrame
        ``bounds`` plus ``local_units``, ``specialised_raw`` (LQ >= threshold),
        ``ranked`` (size rules met), ``robust`` (ranked and ``lq_low`` >= threshold),
        ``misplaced`` (reason or NA), ``specialised`` (robust and not misplaced) and
        ``caveat``: the first caveat that removes a raw specialisation.
    """
    out = bounds.copy()
    codes = out.index.to_series().astype(str)
    units = pd.Series(np.nan, index=out.index)
    lengths = sorted({len(k) for k in local_units.index.astype(str)}, reverse=True)
    lookup = local_units.copy()
    lookup.index = lookup.index.astype(str)
    for n in lengths:
        units = units.fillna(codes.str[:n].map(lookup))
    out["local_units"] = units
    out["specialised_raw"] = out["lq"] >= threshold
    small = out["employment"] < min_employment
    few = out["local_units"].fillna(0) < min_local_units
    out["ranked"] = ~small & ~few
    out["robust"] = out["ranked"] & (out["lq_low"] >= threshold)
    out["misplaced"] = misplaced_reason(codes, misplaced).to_numpy()
    out["specialised"] = out["robust"] & out["misplaced"].isna()
    caveat = pd.Series(pd.NA, index=out.index, dtype="string")
    caveat = caveat.mask(small, f"fewer than {min_employment:,.0f} jobs")
    caveat = caveat.mask(caveat.isna() & few & out["local_units"].isna(),
                         "local units not published for its class (suppressed as few)")
    caveat = caveat.mask(caveat.isna() & few, f"fewer than {min_local_units:,.0f} local units")
    caveat = caveat.mask(caveat.isna() & ~(out["lq_low"] >= threshold),
                         "LQ below the threshold at its rounding bound")
    caveat = caveat.mask(caveat.isna() & out["misplaced"].notna(), out["misplaced"])
    out["caveat"] = caveat.where(out["specialised_raw"])
    return out


__all__ = ["MISPLACED", "ROUNDING_BANDS", "lq_rounding_bounds", "misplaced_reason",
           "rounding_half_width", "specialisation_caveats"]
