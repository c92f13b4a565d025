"""Disclosure control for tables derived from firm-level data.

A cell of a published table must not reveal information about a single firm (Statistics and
Registration Service Act 2007, s.39; ONS, *Statistical disclosure control policy*,
ons.gov.uk/aboutus/transparencyandgovernance/datastrategy/datapolicies/
statisticaldisclosurecontrol). The rules applied are the standard sensitivity rules for
magnitude tables (Hundepool et al. 2012, *Statistical Disclosure Control*, Wiley, sections
4.2.1-4.2.2):

* **threshold rule**: a cell with ``0 < n < min_count`` contributing firms is sensitive
  (ONS and the GSS commonly use 10 for business counts);
* **dominance rule**, the (n, k) rule with n = 1: a cell is sensitive if its largest
  contributor accounts for more than ``dominance_share`` of the cell value,
  :math:`x_1 > k\\,X`;
* optionally the **p% rule**: sensitive if the second largest contributor could estimate the
  largest to within p%, :math:`X - x_1 - x_2 < \\tfrac{p}{100}\\,x_1`.

Sensitive cells are suppressed (*primary* suppression). Because row and column totals are
published, a single suppressed cell in a row or column could be recovered by subtraction, so
*secondary* (complementary) suppression follows (Cox 1980, "Suppression methodology and
statistical disclosure control", *JASA* 75:377-385; Hundepool et al. 2012, section 4.4): each
row or column (its cells and its total) that holds exactly one suppressed entry gets its
smallest non-zero unsuppressed entry suppressed too, until no line has exactly one. The
pattern is then audited: a suppressed entry is still disclosed if the additive equations of
the table determine it uniquely (its unit vector lies in the row space of the equations
restricted to the suppressed entries); more complements are added until none is.

Absent cells are empty (no firms, value 0); zero cells are never used as complements, since
an empty cell is usually known to be empty. Suppressed entries are shown as ``[c]``
("confidential"), the symbol of the GSS Analysis Function guidance on symbols in tables.

This module is part of the reporting layer: it imports pandas and numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CONFIDENTIAL = "[c]"


class DisclosureError(ValueError):
    """A table would disclose a firm's information; the message names the cell."""


@dataclass
class DisclosureResult:
    """``table``: the long table with its totals (``row``/``col`` equal to the total label),
    measures set to NA where ``suppressed``, and a ``reason``; ``report``: the suppressed
    entries only. The ``contributors`` column, if any, is for audit and must not be published.
    """

    table: pd.DataFrame
    report: pd.DataFrame
    row: str
    col: str | None
    measure: str


@dataclass
class _Grid:
    """Cells plus totals: shape (R + 1, K + 1), last row and column the totals."""

    rows: list
    cols: list
    count: np.ndarray
    value: np.ndarray
    largest: np.ndarray | None
    second: np.ndarray | None
    row_totals: bool


def _check(table: pd.DataFrame, keys: list[str], measures: list[str], total: str) -> None:
    missing = [c for c in keys + measures if c not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the table (columns: {list(table.columns)})")
    for key in keys:
        if table[key].isna().any() or (table[key].astype(str) == total).any():
            bad = table.index[table[key].isna() | (table[key].astype(str) == total)][0]
            raise ValueError(f"row {bad!r}, column {key!r}: missing label or the total label "
                             f"{total!r} (totals are computed here, do not pass them)")
    for col in measures:
        values = pd.to_numeric(table[col], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            i = table.index[bad][0]
            raise ValueError(f"row {i!r} ({', '.join(f'{k}={table.at[i, k]!r}' for k in keys)})"
                             f", column {col!r}: {table.at[i, col]!r} is not a non-negative "
                             "number")
    dup = table.duplicated(keys, keep=False)
    if dup.any():
        raise ValueError(f"rows {list(table.index[dup][:4])}: the same cell "
                         f"({', '.join(keys)}) appears more than once")


def _second_of(tops: np.ndarray, secs: np.ndarray) -> float:
    """Second-largest firm of a line, from its cells' largest and second-largest firms."""
    k = int(np.argmax(tops))
    others = np.delete(tops, k)
    return float(max(others.max() if others.size else 0.0, secs[k]))


def _grid(table: pd.DataFrame, row: str, col: str | None, count_col: str,
          value_col: str | None, contributors: str | None, second: str | None) -> _Grid:
    frame = table.assign(_col="All") if col is None else table
    col = "_col" if col is None else col
    rows = list(pd.unique(frame[row]))
    cols = list(pd.unique(frame[col]))

    def wide(name: str | None, reduce=np.sum) -> np.ndarray | None:
        if name is None:
            return None
        inner = (frame.pivot(index=row, columns=col, values=name).reindex(index=rows, columns=cols)
                 .astype(float).fillna(0).to_numpy())
        full = np.zeros((len(rows) + 1, len(cols) + 1))
        full[:-1, :-1] = inner
        full[-1, :-1], full[:-1, -1] = reduce(inner, axis=0), reduce(inner, axis=1)
        full[-1, -1] = reduce(inner)
        return full

    count, value = wide(count_col), wide(value_col or count_col)
    top, sec = wide(contributors, np.max), wide(second, np.max)
    if top is not None and sec is not None:
        for i in range(len(rows)):
            sec[i, -1] = _second_of(top[i, :-1], sec[i, :-1])
        for j in range(len(cols)):
            sec[-1, j] = _second_of(top[:-1, j], sec[:-1, j])
        sec[-1, -1] = _second_of(top[:-1, :-1].ravel(), sec[:-1, :-1].ravel())
    if top is not None and (top > value + 1e-9).any():
        i, j = np.argwhere(top > value + 1e-9)[0]
        raise ValueError(f"cell ({rows[i]!r}, {cols[j]!r}): column {contributors!r} exceeds the "
                         "cell value")
    return _Grid(rows, cols, count, value, top, sec, row_totals=col != "_col")


def _rules(count: np.ndarray, value: np.ndarray, largest: np.ndarray | None,
           second: np.ndarray | None, min_count: int, dominance_share: float,
           p_percent: float | None) -> np.ndarray:
    """Reason each entry is sensitive ('' if safe): threshold, dominance, p% rules."""
    reason = np.full(count.shape, "", dtype=object)
    few = (count > 0) & (count < min_count)
    reason[few] = [f"primary: {int(n)} firms < {min_count}" for n in count[few]]
    if largest is not None:
        dom = (value > 0) & (largest > dominance_share * value) & (reason == "")
        reason[dom] = [f"primary: largest contributor {s:.0%} > {dominance_share:.0%}"
                       for s in (largest / np.where(value > 0, value, 1))[dom]]
        if p_percent is not None and second is not None:
            pp = (value > 0) & (value - largest - second < p_percent / 100 * largest)
            reason[pp & (reason == "")] = f"primary: p% rule (p = {p_percent:g})"
    return reason


def _primary(g: _Grid, min_count: int, dominance_share: float,
             p_percent: float | None) -> np.ndarray:
    reason = _rules(g.count, g.value, g.largest, g.second, min_count, dominance_share,
                    p_percent)
    if not g.row_totals:
        reason[:, -1] = ""  # a one-column table has no row totals to protect
    return reason


def _lines(g: _Grid) -> list[list[tuple[int, int]]]:
    """Additive lines: each row with its total (if row totals exist) and each column."""
    n_r, n_c = g.count.shape
    lines = [[(i, j) for i in range(n_r)] for j in range(n_c if g.row_totals else 1)]
    if g.row_totals:
        lines += [[(i, j) for j in range(n_c)] for i in range(n_r)]
    return lines


def recoverable(suppressed: np.ndarray, lines: list[list[tuple[int, int]]]) -> list[tuple]:
    """Suppressed entries that the table's additive equations determine exactly.

    Each line says: sum of its cells minus its total = 0. Restricted to the suppressed entries
    (the others are published), an entry is determined iff its unit vector lies in the row
    space of that system (Hundepool et al. 2012, section 4.4.1, "audit").
    """
    cells = [tuple(ix) for ix in np.argwhere(suppressed)]
    if not cells:
        return []
    pos = {c: k for k, c in enumerate(cells)}
    eq = np.zeros((len(lines), len(cells)))
    for r, line in enumerate(lines):
        for k, c in enumerate(line):
            if c in pos:
                eq[r, pos[c]] = -1.0 if k == len(line) - 1 else 1.0
    rank = np.linalg.matrix_rank(eq)
    out = []
    for c, k in pos.items():
        unit = np.zeros(len(cells))
        unit[k] = 1.0
        if np.linalg.matrix_rank(np.vstack([eq, unit])) == rank:
            out.append(c)
    return out


def _complement(line: list[tuple[int, int]], mask: np.ndarray, g: _Grid) -> tuple[int, int]:
    """Smallest non-zero unsuppressed entry of a line, cells before totals."""
    free = [c for c in line if not mask[c] and g.count[c] > 0]
    if not free:
        free = [c for c in line if not mask[c]]
    inner = [c for c in free if c[0] < mask.shape[0] - 1 and c[1] < mask.shape[1] - 1]
    return min(inner or free, key=lambda c: (g.value[c], g.count[c], c))


def _secondary(g: _Grid, reason: np.ndarray) -> np.ndarray:
    mask = reason != ""
    lines = _lines(g)
    while True:
        changed = False
        for line in lines:
            if sum(mask[c] for c in line) == 1:
                pick = _complement(line, mask, g)
                mask[pick], reason[pick], changed = True, "secondary", True
        if changed:
            continue
        left = recoverable(mask, lines)
        if not left:
            return reason
        line = next(ln for ln in lines if left[0] in ln and any(not mask[c] for c in ln))
        pick = _complement(line, mask, g)
        mask[pick], reason[pick] = True, "secondary"


def disclosure_check(table: pd.DataFrame, *, row: str, col: str | None = None,
                     count_col: str, value_col: str | None = None,
                     contributors: str | None = None, second_col: str | None = None,
                     min_count: int = 10, dominance_share: float = 0.5,
                     p_percent: float | None = None, total_label: str = "Total",
                     ) -> DisclosureResult:
    """Primary and secondary cell suppression of a one- or two-way table with totals.

    Parameters
    ----------
    table
        Long table, one row per cell (``row`` x ``col``), without totals.
    row, col
        Columns holding the row and column labels (``col=None``: a one-way table).
    count_col
        Number of firms contributing to the cell.
    value_col
        Magnitude published (e.g. employment); ``None`` publishes the counts.
    contributors, second_col
        Largest and second-largest single firm's contribution to ``value_col`` in the cell
        (dominance rule; p% rule). :func:`cell_contributions` builds them from firm records.
    min_count, dominance_share, p_percent
        Threshold n, dominance share k (n = 1), and p of the p% rule (``None``: not applied).
    total_label
        Label of the totals row and column.

    Returns
    -------
    DisclosureResult
        ``table`` with totals, measures NA where suppressed; ``reason`` is ``primary: ...``
        or ``secondary``; ``report`` lists the suppressed entries.

    Raises
    ------
    KeyError, ValueError
        Missing columns, negative or non-numeric measures, repeated cells, a contributor
        larger than its cell, or total rows in the input (each naming the row and column).
    """
    if not 0 < dominance_share <= 1 or min_count < 1:
        raise ValueError(f"need 0 < dominance_share <= 1 and min_count >= 1 (got "
                         f"{dominance_share}, {min_count})")
    keys = [row] + ([col] if col else [])
    measures = [c for c in (count_col, value_col, contributors, second_col) if c]
    _check(table, keys, list(dict.fromkeys(measures)), total_label)
    g = _grid(table, row, col, count_col, value_col, contributors, second_col)
    reason = _secondary(g, _primary(g, min_count, dominance_share, p_percent))
    rows, cols = [*g.rows, total_label], [*g.cols, total_label]
    n_c = len(cols) if g.row_totals else 1
    out = pd.DataFrame([{row: rows[i], "_col": cols[j] if g.row_totals else "All",
                         count_col: g.count[i, j], "reason": reason[i, j],
                         **({value_col: g.value[i, j]} if value_col else {}),
                         **({contributors: g.largest[i, j]} if contributors else {})}
                        for i in range(len(rows)) for j in range(n_c)])
    out = out.rename(columns={"_col": col}) if col else out.drop(columns="_col")
    out["suppressed"] = out["reason"] != ""
    for name in measures:
        if name in out:
            out[name] = out[name].astype("Float64").mask(out["suppressed"])
    report = out.loc[out["suppressed"], keys + ["reason"]].reset_index(drop=True)
    return DisclosureResult(out, report, row, col, value_col or count_col)


def format_suppressed(result: DisclosureResult, *, decimals: int = 0) -> pd.DataFrame:
    """The published measure as a wide table of text, ``[c]`` where suppressed."""
    frame = result.table
    text = frame[result.measure].map(
        lambda v: CONFIDENTIAL if pd.isna(v) else f"{v:,.{decimals}f}").astype(str)
    frame = frame.assign(_text=text)
    if result.col is None:
        return frame.set_index(result.row)[["_text"]].rename(columns={"_text": result.measure})
    wide = frame.pivot(index=result.row, columns=result.col, values="_text")
    order_r = list(pd.unique(frame[result.row]))
    order_c = list(pd.unique(frame[result.col]))
    return wide.reindex(index=order_r, columns=order_c)


def cell_contributions(firms: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Per cell of ``by``: ``firms``, total ``value``, ``largest`` and ``second`` firm value
    (the inputs of :func:`disclosure_check`)."""
    grouped = firms.groupby(by, sort=True, observed=True)[value]
    return pd.DataFrame({
        "firms": grouped.size(), value: grouped.sum(), "largest": grouped.max(),
        "second": grouped.apply(lambda s: s.nlargest(2).iloc[-1] if len(s) > 1 else 0.0),
    }).reset_index()


def assert_not_disclosive(table: pd.DataFrame, *, row: str, col: str | None = None,
                          count_col: str, value_col: str | None = None,
                          contributors: str | None = None, min_count: int = 10,
                          dominance_share: float = 0.5, suppressed: str = "suppressed",
                          total_label: str = "Total") -> None:
    """Raise :class:`DisclosureError` naming the first cell a table would disclose.

    ``table`` is a long table, with or without its totals (labelled ``total_label``), and a
    boolean ``suppressed`` column (absent: nothing suppressed), e.g. the ``table`` of a
    :class:`DisclosureResult`. It fails if a published entry breaks the threshold or dominance
    rule of :func:`disclosure_check`, or if a suppressed entry can be recovered exactly from
    the published entries and totals (totals absent from ``table`` count as published).
    """
    keys = [row] + ([col] if col else [])
    flag = (table[suppressed].astype(bool) if suppressed in table
            else pd.Series(False, index=table.index))
    is_total = pd.Series(False, index=table.index)
    for key in keys:
        is_total |= table[key].astype(str) == total_label
    if not is_total.any() and not flag.any():
        result = disclosure_check(table, row=row, col=col, count_col=count_col,
                                  value_col=value_col, contributors=contributors,
                                  min_count=1, dominance_share=1.0, total_label=total_label)
        table, is_total = result.table, result.table[row].astype(str) == total_label
        if col:
            is_total |= table[col].astype(str) == total_label
        flag = pd.Series(False, index=table.index)
    shown = table[~flag]

    def numbers(name: str | None) -> np.ndarray | None:
        return None if name is None else pd.to_numeric(shown[name]).astype(float).to_numpy()

    reason = _rules(numbers(count_col), numbers(value_col or count_col), numbers(contributors),
                    None, min_count, dominance_share, None)
    if (reason != "").any():
        where = shown.iloc[int(np.argmax(reason != ""))]
        raise DisclosureError(f"cell ({', '.join(f'{k}={where[k]!r}' for k in keys)}) is "
                              f"published but disclosive: {reason[reason != ''][0]}")
    inner = table[~is_total].assign(_s=flag[~is_total].astype(float))
    g = _grid(inner, row, col, "_s", None, None, None)
    mask = g.count > 0
    mask[-1, :], mask[:, -1] = False, False
    labels_r, labels_c = [*g.rows, total_label], [*g.cols, total_label]
    for _, t in table[is_total & flag].iterrows():
        i = len(g.rows) if str(t[row]) == total_label else g.rows.index(t[row])
        j = len(g.cols) if not col or str(t[col]) == total_label else g.cols.index(t[col])
        mask[i, j] = True
    left = recoverable(mask, _lines(g))
    if left:
        i, j = left[0]
        raise DisclosureError(f"suppressed cell ({labels_r[i]!r}, {labels_c[j]!r}) can be "
                              "recovered from the published cells and totals")
