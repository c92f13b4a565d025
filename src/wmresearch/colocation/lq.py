"""Location quotients.

The location quotient of industry *i* in region *r* compares the industry's share of the
region's employment with its share in the reference economy:

.. math:: LQ_{ir} = \\frac{e_{ir} / e_{r}}{e_{i} / e}

where :math:`e_{ir}` is employment in *i* and *r*, :math:`e_r = \\sum_i e_{ir}`,
:math:`e_i = \\sum_r e_{ir}` and :math:`e = \\sum_{i,r} e_{ir}` (Isard, 1960, *Methods of
Regional Analysis*, ch. 7; the form used by the US Cluster Mapping Project, Delgado, Porter and
Stern 2016, and by REAT's ``locq``). LQ > 1 marks relative specialisation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def location_quotients(frame: pd.DataFrame, *, region: str, industry: str, value: str,
                       by: list[str] | None = None, region_total: pd.Series | None = None,
                       industry_total: pd.Series | None = None,
                       total: float | None = None) -> pd.DataFrame:
    """Location quotients for every region x industry cell of a long table.

    Parameters
    ----------
    frame
        Long table with one row per region, industry (and ``by`` group, e.g. year).
    region, industry, value
        Column names.
    by
        Extra grouping columns (e.g. ``["year"]``): quotients are computed within each group.
    region_total, industry_total, total
        Optional external denominators (e.g. all-industry employment when ``frame`` holds only
        traded clusters); default: sums over ``frame``.

    Returns
    -------
    pandas.DataFrame
        ``frame`` plus ``region_share`` (e_ir/e_r), ``reference_share`` (e_i/e) and ``lq``.
        Cells with zero regional total give NaN, not infinity.
    """
    by = list(by or [])
    out = frame.copy()
    values = out[value].astype(float)
    e_r = (region_total.reindex(out[region]).to_numpy() if region_total is not None
           else values.groupby([out[c] for c in [*by, region]]).transform("sum").to_numpy())
    e_i = (industry_total.reindex(out[industry]).to_numpy() if industry_total is not None
           else values.groupby([out[c] for c in [*by, industry]]).transform("sum").to_numpy())
    if total is not None:
        e = np.full(len(out), float(total))
    elif by:
        e = values.groupby([out[c] for c in by]).transform("sum").to_numpy()
    else:
        e = np.full(len(out), values.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["region_share"] = np.where(e_r > 0, values / e_r, np.nan)
        out["reference_share"] = np.where(e > 0, e_i / e, np.nan)
        out["lq"] = np.where(out["reference_share"] > 0,
                             out["region_share"] / out["reference_share"], np.nan)
    return out


def region_lq_table(employment: pd.DataFrame, areas: list[str], *, area_col: str,
                    industry_col: str, value_col: str = "employment",
                    by: list[str] | None = None) -> pd.DataFrame:
    """LQs of a region made of ``areas`` (e.g. ITL2 codes) against all areas in ``employment``.

    The region's areas are summed first, so a combined authority spanning several areas is
    treated as one region; the reference is the whole table (e.g. Great Britain).
    """
    by = list(by or [])
    frame = employment.copy()
    frame["_in_region"] = frame[area_col].isin(areas)
    if not frame["_in_region"].any():
        raise KeyError(f"none of the areas {areas} is in column {area_col!r}")
    grouped = (frame.assign(_area=np.where(frame["_in_region"], "REGION", frame[area_col]))
               .groupby([*by, "_area", industry_col], as_index=False, observed=True)[value_col]
               .sum(min_count=1))
    lq = location_quotients(grouped, region="_area", industry=industry_col, value=value_col,
                            by=by)
    return lq[lq["_area"] == "REGION"].drop(columns="_area").reset_index(drop=True)
