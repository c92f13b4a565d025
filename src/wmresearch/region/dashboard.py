"""The State-of-the-Region dashboard: one row per indicator, and what its key messages count.

Each row gives the region's latest value (:func:`~wmresearch.region.indicators.region_value`),
the national comparator, the rank among the area's peers
(:func:`~wmresearch.region.peers.peer_table`), the significance of the gap where ONS
publishes intervals, and the trend over the last periods (:func:`trend`). Missing figures are
written in words, never ``nan``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from wmresearch.evidence.area import PeerGroup
from wmresearch.evidence.indicators import INDICATORS
from wmresearch.region.indicators import region_series, region_value
from wmresearch.region.peers import HIGHER, LOWER, ci_significance, peer_table, rank_of

NOT_PUBLISHED = "not published for this area"
NO_COMPARATOR = "no national figure published"
FLAT_TOLERANCE = 0.01
#: Units of levels (totals), which are neither compared with the national total in the
#: messages nor ranked among combined authorities of very different sizes.
LEVEL_UNITS = frozenset({"enterprises", "£ million"})
NOT_RANKED_LEVEL = "not ranked: a total, not a rate"
#: Money series in current prices: their trends are nominal (inflation not removed).
REAL_TERMS = frozenset({"gdp_per_head_chained_volume"})
#: Indicators that move together, counted once (by their average gap) in the key messages.
GROUPS = {**{f"survival_{n}y": "business survival rates" for n in range(1, 6)},
          **dict.fromkeys(("life_satisfaction", "happiness", "worthwhile", "anxiety"),
                          "personal wellbeing"),
          **dict.fromkeys(("apprenticeship_starts", "apprenticeship_achievements"),
                          "apprenticeships"),
          **dict.fromkeys(("child_poverty_bhc", "child_poverty_ahc"), "child poverty"),
          **dict.fromkeys(("gdp_per_head_current_prices", "gdp_per_head_chained_volume"),
                          "GDP per head"),
          **dict.fromkeys(("gva_per_hour", "gva_per_job"), "productivity"),
          **dict.fromkeys(("employment_rate", "economic_inactivity_rate"),
                          "employment and inactivity"),
          **dict.fromkeys(("modelled_unemployment_rate", "claimant_count_rate"),
                          "unemployment"),
          **dict.fromkeys(("healthy_life_expectancy_female", "healthy_life_expectancy_male"),
                          "healthy life expectancy")}


def trend(values: Iterable[float], higher_is_better: bool | None, *,
          flat_tolerance: float = FLAT_TOLERANCE) -> tuple[str, str]:
    """Arrow and word for the direction of the last 3-5 values (oldest first).

    The change over the window is the least-squares slope times its length minus one
    (``numpy.polyfit`` degree 1), so one outlying year moves it less than a first-to-last
    difference. A change smaller than ``flat_tolerance`` (default 1%) of the mean absolute
    level is "→ little change" (a presentational threshold, not a test).

    Returns
    -------
    tuple of str
        ``("↑" | "↓" | "→", "improving" | "worsening" | "rising" | "falling" | "little
        change")``; ``("", "fewer than 3 periods")`` with fewer than three values.
    """
    y = np.asarray([v for v in values if v is not None and not pd.isna(v)], dtype=float)[-5:]
    if len(y) < 3:
        return "", "fewer than 3 periods"
    slope = np.polyfit(np.arange(len(y)), y, 1)[0]
    change = slope * (len(y) - 1)
    if abs(change) < flat_tolerance * np.mean(np.abs(y)):
        return "→", "little change"
    arrow = "↑" if change > 0 else "↓"
    if higher_is_better is None:
        return arrow, "rising" if change > 0 else "falling"
    return arrow, "improving" if (change > 0) == higher_is_better else "worsening"


def format_value(value: float | None, unit: str) -> str:
    """A value with its unit for a reader: "70.5%", "£601", "£35.18", "7.4 years"."""
    if value is None or pd.isna(value):
        return NOT_PUBLISHED
    if unit == "%":
        return f"{value:.1f}%"
    if unit == "£":
        return f"£{value:,.2f}" if abs(value) < 100 else f"£{value:,.0f}"
    if unit.startswith("£ "):
        return f"£{value:,.0f} {unit[2:]}"
    if unit == "enterprises":
        return f"{value:,.0f} enterprises"
    return f"{value:,.2f} {unit}" if abs(value) < 100 else f"{value:,.0f} {unit}"


def _recent(series: pd.DataFrame) -> list[float]:
    """Values of the latest run of years computed the same way (published or aggregated)."""
    have = series[series["value"].notna()]
    if have.empty:
        return []
    method = have["method"].iloc[-1]
    same = have[have["method"] == method]
    return [float(v) for v in same["value"].tail(5)]


def _row(tables: Mapping[str, pd.DataFrame], indicator_id: str, region_code: str,
         lad_codes: list[str] | None, area: str,
         peers: PeerGroup | None) -> dict[str, object]:
    spec = INDICATORS[indicator_id]
    els = tables["explore_local"]
    weights = {"population": tables.get("population_mye2021"),
               "productivity": tables.get("productivity_lad"),
               "demography": tables.get("business_demography")}
    v = region_value(els, indicator_id, region_code, lad_codes, **weights)
    series = region_series(els, indicator_id, region_code, lad_codes, **weights)
    nominal = spec.unit.startswith("£") and indicator_id not in REAL_TERMS
    # a nominal series rises with inflation, so its direction is not called better or worse
    arrow, word = trend(_recent(series), None if nominal else spec.higher_is_better)
    if nominal and arrow in ("↑", "↓"):
        word += " (nominal)"
    if spec.unit in LEVEL_UNITS:
        rank = NOT_RANKED_LEVEL
    else:
        # an area ONS publishes no figure for (a union) is ranked on its aggregated value
        add = ((region_code, area, v.value) if peers is not None and peers.own is None
               and v.value is not None else None)
        try:
            rank = rank_of(peer_table(els, indicator_id, year=v.year, peers=peers, add=add),
                           region_code)
        except KeyError:
            rank = f"no figures published for {peers.label if peers else 'its peers'}"
    published = v.comparator_value is not None
    significance = (ci_significance(v.lci_95, v.uci_95, v.comparator_lci_95,
                                    v.comparator_uci_95)
                    if published and v.value is not None else "no comparison possible")
    return {
        "area": area, "indicator_id": indicator_id, "fundamental": spec.fundamental,
        "indicator": spec.definition, "unit": spec.unit,
        "higher_is_better": ("yes" if spec.higher_is_better else
                             "no" if spec.higher_is_better is False else "neither"),
        "value": v.value if v.value is not None else NOT_PUBLISHED,
        "region_value": format_value(v.value, spec.unit),
        "comparator_value": v.comparator_value if published else NO_COMPARATOR,
        "comparator": (f"{format_value(v.comparator_value, spec.unit)} "
                       f"({v.comparator_label})" if published else NO_COMPARATOR),
        "significance": significance, "rank": rank,
        "trend": f"{arrow} {word}".strip(), "period": v.period or NOT_PUBLISHED,
        "release": (f"{v.release_date:%d %B %Y}: {v.release}" if v.release else
                    NOT_PUBLISHED),
        "method": v.method,
    }


def dashboard(tables: Mapping[str, pd.DataFrame], region_code: str,
              lad_codes: list[str] | None = None, *,
              indicators: Iterable[str] | None = None,
              area_name: str | None = None, peers: PeerGroup | None = None) -> pd.DataFrame:
    """One row per indicator for a region: value, comparator, rank, trend, release, period.

    Parameters
    ----------
    tables
        Evidence tables by name: ``explore_local`` (required), and for weights
        ``population_mye2021``, ``productivity_lad``, ``business_demography`` (optional).
    region_code
        Combined authority (E47), region (E12) or district code.
    lad_codes
        The region's current districts (``wmresearch.evidence.area.region_lads``);
        default ``[region_code]`` for a district code, else ``None`` (published figures only).
    indicators
        Indicator ids (default every id in :data:`~wmresearch.evidence.indicators.INDICATORS`
        with rows in ``explore_local``).
    area_name
        The area's name in the ``area`` column (default the name ONS gives the code).
    peers
        The area's :class:`~wmresearch.evidence.area.PeerGroup`, the areas it is ranked among
        (default: combined authorities, ONS's own figure for ``region_code``).

    Returns
    -------
    pandas.DataFrame
        Columns ``area, indicator_id, fundamental, indicator, unit, higher_is_better, value,
        region_value, comparator_value, comparator, significance, rank, trend, period,
        release, method``. ``value``/``comparator_value`` hold the number or the words
        :data:`NOT_PUBLISHED` / :data:`NO_COMPARATOR`; every other column is text.
    """
    els = tables["explore_local"]
    if lad_codes is None and not region_code.startswith(("E47", "E12", "E92", "K0")):
        lad_codes = [region_code]
    published = set(els["indicator"].unique())
    ids = list(indicators) if indicators is not None else [
        i for i, spec in INDICATORS.items() if spec.indicator in published]
    names = els.loc[els["areacd"] == region_code, "areanm"]
    area = area_name or (str(names.iloc[0]) if len(names) else region_code)
    # every step of a row reads one indicator's rows: split the table once rather than
    # filter all of it three times per indicator (most of the dashboard's time)
    parts = dict(tuple(els.groupby("indicator", sort=False, observed=True)))
    return pd.DataFrame([
        _row({**tables, "explore_local": parts.get(INDICATORS[i].indicator, els.iloc[:0])}
             if i in INDICATORS else tables, i, region_code, lad_codes, area, peers)
        for i in ids])


def _gap(row: pd.Series) -> float | None:
    """Relative gap to the comparator, signed so that positive is better (None if unknown)."""
    value, comp = row["value"], row["comparator_value"]
    if row["unit"] in LEVEL_UNITS:
        return None
    if isinstance(value, str) or isinstance(comp, str) or not comp:
        return None
    sign = {"yes": 1, "no": -1}.get(str(row["higher_is_better"]))
    return None if sign is None else sign * (float(value) / float(comp) - 1)


def board_summary(board: pd.DataFrame) -> dict[str, object]:
    """What the key messages state, counted from a :func:`dashboard` table.

    Indicators compared are rates, means and per-head values with a national figure (totals
    are not compared with national totals); indicators that move together (:data:`GROUPS`,
    e.g. the five business survival rates) count once as a measure, by their average gap.
    The gap is relative, signed so that positive is better (``higher_is_better``).

    Returns
    -------
    dict
        ``area``; ``indicators`` (compared), ``measures`` (groups), ``better``, ``worse``
        (measures); ``shortfalls`` and ``strengths`` (up to two dashboard rows each, the
        largest relative gap first); ``tested`` (indicators with intervals for both),
        ``significant``; ``improving``, ``worsening`` (trends); ``missing`` (not published
        nor buildable from districts) of ``total`` indicators.

    Raises
    ------
    ValueError
        If the table is empty.
    """
    if board.empty:
        raise ValueError("the dashboard has no rows")
    gaps = board.assign(gap=board.apply(_gap, axis=1)).dropna(subset=["gap"])
    gaps = gaps[gaps["gap"].astype(float).notna()].sort_values("gap")
    grouped = gaps.assign(group=gaps["indicator_id"].map(GROUPS).fillna(gaps["indicator_id"])
                          ).groupby("group")["gap"].mean()
    tested = board["significance"].isin([HIGHER, LOWER, "not significantly different"])
    return {"area": str(board["area"].iloc[0]), "indicators": len(gaps),
            "measures": len(grouped), "better": int((grouped > 0).sum()),
            "worse": int((grouped < 0).sum()), "shortfalls": gaps[gaps["gap"] < 0].head(2),
            "strengths": gaps[gaps["gap"] > 0].tail(2).iloc[::-1],
            "tested": int(tested.sum()),
            "significant": int(board["significance"].isin([HIGHER, LOWER]).sum()),
            "improving": int(board["trend"].str.endswith("improving").sum()),
            "worsening": int(board["trend"].str.endswith("worsening").sum()),
            "missing": int((board["region_value"] == NOT_PUBLISHED).sum()),
            "total": len(board)}


__all__ = ["FLAT_TOLERANCE", "GROUPS", "NOT_PUBLISHED", "NOT_RANKED_LEVEL", "NO_COMPARATOR",
           "board_summary", "dashboard", "format_value", "trend"]
