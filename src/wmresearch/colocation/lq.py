"""Location quotients.

The location quotient of industry *i* in region *r* compares the industry's share of the
region's employment with its share in the reference (benchmark) economy:

.. math:: LQ_{ir} = \\frac{e_{ir} / e_{r}}{e_{i} / e}

where :math:`e_{ir}` is employment (or a count of units) in *i* and *r*,
:math:`e_r = \\sum_i e_{ir}`, and :math:`e_i = \\sum_{r \\in B} e_{ir}`,
:math:`e = \\sum_{i, r \\in B} e_{ir}` are sums over the benchmark areas *B* (Isard, 1960,
*Methods of Regional Analysis*, ch. 7; the form used by the US Cluster Mapping Project,
Delgado, Porter and Stern 2016, and by REAT's ``locq``, Wieland, REAT 3.0.3). LQ > 1 marks
relative specialisation.

Small industries give noisy, extreme quotients (open-access BRES cells are rounded to 5 below
100), so a minimum size can be set: such cells keep their raw quotient in ``lq_raw`` but get
``lq`` = NaN and a ``filter_reason``, so they cannot top a ranking and are not dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def check_long_table(frame: pd.DataFrame, columns: Sequence[str], value: str, *,
                     key: Sequence[str] | None = None, allow_missing: bool = True) -> None:
    """Raise a clear error for missing columns, non-numeric, negative or duplicated cells.

    Parameters
    ----------
    frame
        Long table to check.
    columns
        Columns that must exist (including ``value``).
    value
        Numeric value column: must be numeric and non-negative.
    key
        Columns that must identify rows uniquely (default: ``columns`` minus ``value``).
    allow_missing
        If False, a missing (NaN) value is an error naming its row.

    Raises
    ------
    KeyError
        A required column is absent.
    ValueError
        Non-numeric, negative or missing values, or duplicate keys, naming the first rows.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the table (columns: {list(frame.columns)})")
    numbers = pd.to_numeric(frame[value], errors="coerce")
    bad = numbers.isna() & frame[value].notna()
    if bad.any():
        raise ValueError(f"column {value!r} is not numeric at row(s) "
                         f"{list(frame.index[bad][:5])}: {list(frame.loc[bad, value][:5])}")
    if (numbers < 0).any():
        rows = frame.loc[numbers < 0]
        raise ValueError(f"column {value!r} has negative values at row(s) "
                         f"{rows.head(5).to_dict('records')}")
    if not allow_missing and numbers.isna().any():
        rows = frame.loc[numbers.isna()]
        raise ValueError(f"column {value!r} is missing at row(s) "
                         f"{rows.head(5).to_dict('records')}; fill or drop these cells "
                         "explicitly before calling")
    key = list(key) if key is not None else [c for c in columns if c != value]
    dup = frame.duplicated(key, keep=False) if key else pd.Series(False, index=frame.index)
    if dup.any():
        raise ValueError(f"duplicate {key} in the table, e.g. "
                         f"{frame.loc[dup, key].head(4).to_dict('records')}")


def sic_prefix(codes: pd.Series, digits: int, *, column: str = "industry") -> pd.Series:
    """The first ``digits`` (2 to 5) digits of SIC 2007 codes, e.g. division "29" of "29100".

    Raises
    ------
    ValueError
        ``digits`` outside 2-5, or a code that is not at least ``digits`` decimal digits
        (the offending codes are named).
    """
    if digits not in (2, 3, 4, 5):
        raise ValueError(f"sic_digits must be 2, 3, 4 or 5, not {digits!r}")
    text = codes.astype("string").str.strip()
    ok = text.str.fullmatch(rf"\d{{{digits},5}}").fillna(False).astype(bool)
    if not ok.all():
        raise ValueError(f"column {column!r} holds codes that are not SIC 2007 codes of at "
                         f"least {digits} digits: {sorted(set(text[~ok].astype(str)))[:10]}")
    return text.str.slice(0, digits)


def location_quotients(frame: pd.DataFrame, *, region: str, industry: str, value: str,
                       by: list[str] | None = None, region_total: pd.Series | None = None,
                       industry_total: pd.Series | None = None,
                       total: float | None = None, benchmark: Sequence[str] | None = None,
                       sic_digits: int | None = None, min_size: float | None = None,
                       min_industry_size: float | None = None) -> pd.DataFrame:
    """Location quotients for every region x industry cell of a long table.

    Formula and references: see the module docstring (Isard 1960; REAT ``locq``).

    Parameters
    ----------
    frame
        Long table with one row per region, industry (and ``by`` group, e.g. year).
    region, industry, value
        Column names; ``value`` is employment or a count (local units, enterprises).
    by
        Extra grouping columns (e.g. ``["year"]``): quotients are computed within each group.
    region_total, industry_total, total
        Optional external denominators (e.g. all-industry employment when ``frame`` holds only
        traded clusters); default: sums over ``frame`` (industry sums over ``benchmark``).
    benchmark
        Regions forming the reference economy (default: every region in ``frame``). Regions
        outside it still get quotients against it.
    sic_digits
        Aggregate SIC 2007 codes in ``industry`` to their first 2-5 digits first (e.g. 2 for
        divisions from 5-digit subclasses).
    min_size
        Cells with ``value`` below this (e.g. 50 employees) are filtered.
    min_industry_size
        Industries whose benchmark total is below this are filtered in every region.

    Returns
    -------
    pandas.DataFrame
        ``frame`` (aggregated if ``sic_digits``) plus ``region_share`` (e_ir/e_r),
        ``reference_share`` (e_i/e), ``lq_raw``, ``lq`` (NaN where filtered), ``filtered``
        and ``filter_reason``. Cells with zero regional or reference total give NaN, not inf.

    Raises
    ------
    KeyError, ValueError
        Missing column, non-numeric/negative value, duplicate cell, bad SIC code, or a
        benchmark region absent from ``frame``.
    """
    by = list(by or [])
    check_long_table(frame, [*by, region, industry, value], value)
    out = frame.copy()
    if sic_digits is not None:
        out[industry] = sic_prefix(out[industry], sic_digits, column=industry)
        out = (out.groupby([*by, region, industry], as_index=False, observed=True,
                           dropna=False)[value].sum(min_count=1))
    values = out[value].astype(float)
    in_bench = pd.Series(True, index=out.index)
    if benchmark is not None:
        absent = sorted(set(benchmark) - set(out[region]))
        if absent:
            raise KeyError(f"benchmark region(s) {absent} not in column {region!r}")
        in_bench = out[region].isin(list(benchmark))
    bench_values = values.where(in_bench, 0.0)
    e_r = (region_total.reindex(out[region]).to_numpy() if region_total is not None
           else values.groupby([out[c] for c in [*by, region]]).transform("sum").to_numpy())
    e_i = (industry_total.reindex(out[industry]).to_numpy() if industry_total is not None
           else bench_values.groupby([out[c] for c in [*by, industry]])
           .transform("sum").to_numpy())
    if total is not None:
        e = np.full(len(out), float(total))
    elif by:
        e = bench_values.groupby([out[c] for c in by]).transform("sum").to_numpy()
    else:
        e = np.full(len(out), bench_values.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        out["region_share"] = np.where(e_r > 0, values / e_r, np.nan)
        out["reference_share"] = np.where(e > 0, e_i / e, np.nan)
        out["lq_raw"] = np.where(out["reference_share"] > 0,
                                 out["region_share"] / out["reference_share"], np.nan)
    reasons = pd.Series("", index=out.index, dtype="string")
    if min_size is not None:
        small = (values < min_size).to_numpy()
        reasons[small] = f"{value} < min_size {min_size:g}"
    if min_industry_size is not None:
        tiny = e_i < min_industry_size
        reasons[tiny] = (reasons[tiny] + "; ").str.lstrip("; ") + (
            f"benchmark industry total < min_industry_size {min_industry_size:g}")
    out["filtered"] = (reasons != "").to_numpy()
    out["filter_reason"] = reasons.where(out["filtered"], pd.NA)
    out["lq"] = out["lq_raw"].where(~out["filtered"], np.nan)
    return out


def region_lq_table(employment: pd.DataFrame, areas: list[str], *, area_col: str,
                    industry_col: str, value_col: str = "employment",
                    by: list[str] | None = None, benchmark: Sequence[str] | None = None,
                    sic_digits: int | None = None, min_size: float | None = None,
                    min_industry_size: float | None = None) -> pd.DataFrame:
    """LQs of a region made of ``areas`` (e.g. ITL2 codes) against a benchmark of areas.

    The region's areas are summed first, so a combined authority spanning several areas is
    treated as one region; the reference is ``benchmark`` (default: the whole table, e.g.
    Great Britain for BRES). Other parameters as in :func:`location_quotients`, whose formula
    (Isard 1960; REAT ``locq``) this applies.
    """
    by = list(by or [])
    check_long_table(employment, [*by, area_col, industry_col, value_col], value_col)
    frame = employment.copy()
    frame["_in_region"] = frame[area_col].isin(areas)
    if not frame["_in_region"].any():
        raise KeyError(f"none of the areas {areas} is in column {area_col!r}")
    if sic_digits is not None:
        frame[industry_col] = sic_prefix(frame[industry_col], sic_digits, column=industry_col)
    grouped = (frame.assign(_area=np.where(frame["_in_region"], "REGION", frame[area_col]))
               .groupby([*by, "_area", industry_col], as_index=False, observed=True)[value_col]
               .sum(min_count=1))
    bench = None
    if benchmark is not None:
        absent = sorted(set(benchmark) - set(employment[area_col]))
        if absent:
            raise KeyError(f"benchmark area(s) {absent} not in column {area_col!r}")
        present = set(areas) & set(employment[area_col])
        inside = set(benchmark) & present
        if inside and inside != present:
            raise ValueError(f"benchmark holds only some of the region's areas "
                             f"({sorted(inside)} of {sorted(present)}): include all or none")
        bench = sorted({"REGION" if a in areas else a for a in benchmark})
    lq = location_quotients(grouped, region="_area", industry=industry_col, value=value_col,
                            by=by, benchmark=bench, min_size=min_size,
                            min_industry_size=min_industry_size)
    return lq[lq["_area"] == "REGION"].drop(columns="_area").reset_index(drop=True)
