"""An area among its peers on one indicator: value, interval, rank and significance.

Peers are chosen by the study area's kind (:class:`~wmresearch.evidence.area.PeerGroup`):
combined authorities, English regions, or the districts of a district's region.

Ranks run from 1 = best given the indicator's direction (``higher_is_better``); tied values
share the best rank of the tie (``min`` ranking: 70.5, 70.5, 69 -> 1, 1, 3 when higher is
better). Significance against the national comparator uses the rule ONS applies to its
survey-based local estimates (ONS, *Uncertainty and how we measure it for our surveys*):
two estimates differ significantly only when their 95% confidence intervals do not overlap.
The rule is conservative: non-overlap implies a difference at well below the 5% level, while
overlapping intervals can still hide a significant difference (Schenker and Gentleman, "On
judging the significance of differences by examining the overlap between confidence
intervals", *The American Statistician* 55(3), 2001, pp. 182-186).
"""

from __future__ import annotations

import math

import pandas as pd

from wmresearch.evidence.area import PeerGroup, StudyArea
from wmresearch.evidence.indicators import INDICATORS
from wmresearch.region.indicators import COMPARATORS, indicator_rows, region_value

HIGHER = "significantly higher"
LOWER = "significantly lower"
SAME = "not significantly different"
NO_INTERVAL = "no interval published"

#: Combined authorities abolished when the North East Combined Authority (E47000014) began.
SUPERSEDED = {"E47000010": "E47000014", "E47000011": "E47000014"}


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def ci_significance(lci: float | None, uci: float | None, comparator_lci: float | None,
                    comparator_uci: float | None) -> str:
    """Compare two 95% intervals: "significantly higher/lower" only when they do not overlap.

    Parameters
    ----------
    lci, uci
        The area's 95% confidence limits.
    comparator_lci, comparator_uci
        The comparator's 95% confidence limits.

    Returns
    -------
    str
        :data:`HIGHER` when ``lci > comparator_uci``, :data:`LOWER` when ``uci <
        comparator_lci``, :data:`SAME` when the intervals overlap or touch, and
        :data:`NO_INTERVAL` when any limit is missing.

    Raises
    ------
    ValueError
        If a lower limit exceeds its upper limit.
    """
    limits = (lci, uci, comparator_lci, comparator_uci)
    if any(_missing(x) for x in limits):
        return NO_INTERVAL
    lo, hi, clo, chi = (float(x) for x in limits)  # type: ignore[arg-type]
    if lo > hi or clo > chi:
        raise ValueError(f"lower limit above upper limit: ({lo}, {hi}) vs ({clo}, {chi})")
    if lo > chi:
        return HIGHER
    if hi < clo:
        return LOWER
    return SAME


def rank_best_first(values: pd.Series, higher_is_better: bool | None) -> pd.Series:
    """Rank values with 1 = best; ties share the best rank (``min``); missing values stay NA.

    ``higher_is_better=None`` (no good direction) ranks the highest value first.
    """
    ascending = higher_is_better is False
    return values.astype(float).rank(method="min", ascending=ascending).astype("Int64")


def ordinal(n: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 22 -> "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _peer_rows(rows: pd.DataFrame, peers: PeerGroup | None) -> pd.DataFrame:
    if peers is None:
        return rows[rows["areacd"].str.startswith("E47")]
    keep = rows["areacd"].map(peers.selects) & ~rows["areacd"].isin(peers.excluded)
    return rows[keep.astype(bool)]


def peer_table(table: pd.DataFrame, indicator_id: str, *, year: int | None = None,
               highlight: str | None = None, peers: PeerGroup | None = None,
               add: tuple[str, str, float] | None = None) -> pd.DataFrame:
    """Every peer ONS publishes for the indicator, ranked, vs the nation.

    Parameters
    ----------
    table
        The evidence table ``explore_local``.
    indicator_id
        Key of :data:`~wmresearch.evidence.indicators.INDICATORS`.
    year
        Year in which the period starts; default the latest year with any peer.
    highlight
        An area code to flag (``highlight`` column).
    peers
        The study area's :class:`~wmresearch.evidence.area.PeerGroup` (default: combined
        authorities); peers sharing districts with the area (``peers.excluded``) are left out.
    add
        ``(code, name, value)`` of an area ONS publishes no figure for (a union of areas,
        aggregated from its districts for the same year), ranked with the peers; it has no
        confidence interval.

    Returns
    -------
    pandas.DataFrame
        One row per peer (the codes in the file that year; a combined authority superseded
        by :data:`SUPERSEDED` is dropped when its successor is present), best first:
        ``areacd, areanm, value, lci_95, uci_95, rank, of, rank_text`` ("3rd of 14"),
        ``comparator_code, comparator_label, comparator_value, significance, highlight,
        period, year, release, release_date``. Ranks are among areas with a value; an area
        whose value is suppressed has rank NA and rank_text "not published".

    Raises
    ------
    KeyError
        Unknown indicator, or no peer row for it (in ``year``).
    """
    spec = INDICATORS[indicator_id] if indicator_id in INDICATORS else None
    group = peers.label if peers is not None else "combined authorities"
    rows = indicator_rows(table, indicator_id)
    cas = _peer_rows(rows, peers)
    if cas.empty:
        raise KeyError(f"indicator {indicator_id!r} has no rows for {group}")
    year = int(year if year is not None else cas["year"].max())
    cas = cas[cas["year"] == year]
    if cas.empty:
        raise KeyError(f"indicator {indicator_id!r} has no rows for {group} in {year}")
    present = set(cas["areacd"])
    cas = cas[~cas["areacd"].map(lambda c: SUPERSEDED.get(c) in present)]
    comp = rows[(rows["year"] == year) & rows["areacd"].isin(list(COMPARATORS))]
    comp = comp.assign(order=comp["areacd"].map(list(COMPARATORS).index)).sort_values("order")
    c = comp.iloc[0] if len(comp) else None
    out = pd.DataFrame({
        "areacd": cas["areacd"].to_numpy(), "areanm": cas["areanm"].to_numpy(),
        "value": cas["observation"].astype(float).to_numpy(),
        "lci_95": cas["lci_95"].astype(float).to_numpy(),
        "uci_95": cas["uci_95"].astype(float).to_numpy(),
        "period": cas["period_label"].to_numpy(), "release": cas["release"].to_numpy(),
        "release_date": cas["release_date"].to_numpy()})
    if add is not None:
        first = out.iloc[0]
        out.loc[len(out)] = {"areacd": add[0], "areanm": add[1], "value": float(add[2]),
                             "lci_95": math.nan, "uci_95": math.nan, "period": first["period"],
                             "release": first["release"], "release_date": first["release_date"]}
    out["year"] = year
    out["rank"] = rank_best_first(out["value"], spec.higher_is_better if spec else True)
    out["of"] = int(out["value"].notna().sum())
    out["rank_text"] = [f"{ordinal(int(r))} of {out['of'].iloc[0]}" if pd.notna(r)
                        else "not published" for r in out["rank"]]
    out["comparator_code"] = None if c is None else c["areacd"]
    out["comparator_label"] = None if c is None else COMPARATORS[c["areacd"]]
    out["comparator_value"] = math.nan if c is None else float(c["observation"])
    out["significance"] = [
        "no comparator published" if c is None else
        ci_significance(lo, hi, c["lci_95"], c["uci_95"])
        for lo, hi in zip(out["lci_95"], out["uci_95"], strict=True)]
    out["highlight"] = out["areacd"] == highlight
    return out.sort_values(["rank", "areacd"], na_position="last", ignore_index=True)


def area_among_peers(table: pd.DataFrame, indicator_id: str, area: StudyArea, *,
                     year: int | None = None, **weights: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`peer_table` for a study area's peer group, the area highlighted.

    Where ONS publishes no figure for the area (a union such as the Midlands Engine), its
    value for the peers' year is aggregated from its districts
    (:func:`~wmresearch.region.indicators.region_value`, with the ``weights`` tables
    ``population``, ``productivity``, ``demography``) and ranked with them; peers sharing its
    districts are left out. When the value cannot be aggregated (a median, say) the table
    holds the peers only.
    """
    base = peer_table(table, indicator_id, year=year, highlight=area.code, peers=area.peers)
    if area.peers is not None and area.peers.own is not None:
        return base
    own = int(base["year"].iloc[0])
    value = region_value(table, indicator_id, area.code, area.lad_codes, year=own, **weights)
    if value.value is None:
        return base
    return peer_table(table, indicator_id, year=own, highlight=area.code, peers=area.peers,
                      add=(area.code, area.name, value.value))


def rank_of(peers: pd.DataFrame, region_code: str) -> str:
    """The "7th of 12" text of one area in a :func:`peer_table`, or why there is none."""
    hit = peers[peers["areacd"] == region_code]
    if hit.empty:
        return "not ranked (not among the areas published for this indicator)"
    return str(hit["rank_text"].iloc[0])


__all__ = ["HIGHER", "LOWER", "NO_INTERVAL", "SAME", "SUPERSEDED", "area_among_peers",
           "ci_significance", "ordinal", "peer_table", "rank_best_first", "rank_of"]
