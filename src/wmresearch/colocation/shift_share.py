"""Shift-share decomposition of a region's employment change.

Classic (comparative-static) shift-share, Dunn (1960, *Papers and Proceedings of the Regional
Science Association* 6, 97-112), for industry *i* in region *r* between years 0 and 1, with
benchmark (national) employment :math:`E_{i}` and :math:`E = \\sum_i E_i`:

.. math::

    e_{ir,1} - e_{ir,0} =
    \\underbrace{e_{ir,0}\\, G}_{\\text{national growth}}
    + \\underbrace{e_{ir,0}\\, (G_i - G)}_{\\text{industry mix}}
    + \\underbrace{e_{ir,0}\\, (g_{ir} - G_i)}_{\\text{regional competitive (shift)}}

with :math:`G = E_1/E_0 - 1`, :math:`G_i = E_{i,1}/E_{i,0} - 1`,
:math:`g_{ir} = e_{ir,1}/e_{ir,0} - 1`. The competitive part is computed as
:math:`e_{ir,1} - e_{ir,0}(1 + G_i)`, which equals the form above when :math:`e_{ir,0} > 0`
and stays defined when it is 0, so the three parts add up exactly to the change in every
industry. These are REAT's ``shift(..., shift.method = "Dunn")`` "National share",
"Industrial mix" and "Regional shift" (Wieland, REAT 3.0.3, after Farhauer & Kroell 2013).

Esteban-Marquillas (1972, *Regional and Urban Economics* 2, 249-261) split the competitive
part with the *homothetic* employment :math:`e^*_{ir} = e_{r,0} E_{i,0}/E_0` (the region's
employment distributed as the benchmark's):

.. math::

    e_{ir,0}(g_{ir} - G_i) = \\underbrace{e^*_{ir}(g_{ir} - G_i)}_{\\text{competitive}}
    + \\underbrace{(e_{ir,0} - e^*_{ir})(g_{ir} - G_i)}_{\\text{allocation}}

(REAT ``shift.method = "Esteban"``: "Regional shift" and "Allocation effect"). When
:math:`e_{ir,0} = 0` the regional growth rate is undefined and both parts are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from wmresearch.colocation.lq import check_long_table

COMPONENTS = ("national_growth", "industry_mix", "regional_shift")


def _wide(frame: pd.DataFrame, areas: Sequence[str], *, area: str, industry: str,
          value: str, time: str, start: object, end: object) -> pd.DataFrame:
    sub = frame[frame[area].isin(list(areas)) & frame[time].isin([start, end])]
    return sub.pivot_table(index=industry, columns=time, values=value, aggfunc="sum",
                           fill_value=0.0, observed=True).reindex(columns=[start, end],
                                                                  fill_value=0.0)


def shift_share(frame: pd.DataFrame, *, area: str, industry: str, value: str, start: object,
                end: object, region_areas: Sequence[str],
                benchmark: Sequence[str] | None = None, time: str = "year",
                missing: Literal["raise", "zero"] = "raise") -> pd.DataFrame:
    """Dunn (1960) shift-share components by industry, with the Esteban-Marquillas split.

    Formulae and references: see the module docstring.

    Parameters
    ----------
    frame
        Long table: one row per ``time`` x ``area`` x ``industry`` with ``value``
        (employment).
    area, industry, value, time
        Column names.
    start, end
        The two values of ``time`` compared (e.g. 2015 and 2021).
    region_areas
        Areas summed into the region (e.g. the ITL2 areas of a combined authority).
    benchmark
        Areas summed into the benchmark (default: every area in ``frame``, e.g. Great
        Britain); it may include or exclude the region.
    missing
        ``"raise"`` (default): a missing value in the areas used is an error naming the
        cells; ``"zero"``: count them as 0 (their number is in ``attrs["missing_cells"]``).

    Returns
    -------
    pandas.DataFrame
        One row per industry plus a final ``"Total"`` row, columns ``start``, ``end``,
        ``change``, ``national_growth``, ``industry_mix``, ``regional_shift``,
        ``homothetic`` (:math:`e^*_{ir}`), ``em_competitive``, ``em_allocation``.
        ``national_growth + industry_mix + regional_shift == change`` in every row.

    Raises
    ------
    KeyError
        A missing column, or region/benchmark areas or years absent from ``frame``.
    ValueError
        Negative, non-numeric, duplicated or (with ``missing="raise"``) missing values;
        an industry with regional but no benchmark employment in ``start``.
    """
    check_long_table(frame, [time, area, industry, value], value)
    for name, areas in (("region_areas", region_areas), ("benchmark", benchmark or [])):
        absent = sorted(set(areas) - set(frame[area].unique()))  # not a Python walk of rows
        if absent:
            raise KeyError(f"{name} area(s) {absent} not in column {area!r}")
    for year in (start, end):
        if not (frame[time] == year).any():
            raise KeyError(f"{time} {year!r} not in column {time!r}")
    bench_areas = list(benchmark) if benchmark is not None else list(frame[area].unique())
    used = frame[frame[area].isin([*region_areas, *bench_areas])
                 & frame[time].isin([start, end])]
    gaps = used[pd.to_numeric(used[value], errors="coerce").isna()]
    if len(gaps) and missing == "raise":
        raise ValueError(f"{len(gaps)} missing {value!r} cell(s), e.g. "
                         f"{gaps[[time, area, industry]].head(5).to_dict('records')}; pass "
                         "missing='zero' to count them as 0")
    work = frame.assign(**{value: pd.to_numeric(frame[value], errors="coerce")
                           .astype(float).fillna(0.0)})
    kw = {"area": area, "industry": industry, "value": value, "time": time, "start": start,
          "end": end}
    reg = _wide(work, region_areas, **kw)
    nat = _wide(work, bench_areas, **kw)
    industries = nat.index.union(reg.index)
    reg, nat = reg.reindex(industries, fill_value=0.0), nat.reindex(industries, fill_value=0.0)
    e0, e1 = reg[start].to_numpy(float), reg[end].to_numpy(float)
    n0, n1 = nat[start].to_numpy(float), nat[end].to_numpy(float)
    orphan = (n0 == 0) & (e0 > 0)
    if orphan.any():
        raise ValueError(f"industries with regional but no benchmark {value} in {start}: "
                         f"{list(industries[orphan][:10])}")
    if n0.sum() <= 0:
        raise ValueError(f"benchmark {value} in {start} is zero")
    growth = n1.sum() / n0.sum() - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        growth_i = np.where(n0 > 0, n1 / n0 - 1.0, 0.0)
        growth_r = np.where(e0 > 0, e1 / e0 - 1.0, np.nan)
    homothetic = e0.sum() * n0 / n0.sum()
    out = pd.DataFrame({
        "start": e0, "end": e1, "change": e1 - e0,
        "national_growth": e0 * growth,
        "industry_mix": e0 * (growth_i - growth),
        "regional_shift": e1 - e0 * (1.0 + growth_i),
        "homothetic": homothetic,
        "em_competitive": homothetic * (growth_r - growth_i),
        "em_allocation": (e0 - homothetic) * (growth_r - growth_i),
    }, index=pd.Index(industries.astype(str), name=industry))
    # NaN Esteban-Marquillas parts (industries new to the region) are left out of the total
    total = out.sum(min_count=1).to_frame("Total").T
    out = pd.concat([out, total])
    out.index.name = industry
    out.attrs["missing_cells"] = len(gaps)
    out.attrs["benchmark_growth"] = growth
    return out
