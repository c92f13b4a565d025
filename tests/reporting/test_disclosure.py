"""Disclosure control: threshold, dominance and p% rules, secondary suppression, audit.

References
----------
* Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley: section 4.2 (the
  threshold rule, the (n, k) dominance rule :math:`x_1 > kX` and the p% rule
  :math:`X - x_1 - x_2 < (p/100)\\,x_1`), section 4.4 (secondary suppression; in a table with
  published margins a single suppressed cell in a row or column is recovered by subtraction).
* Cox, L. H. (1980), "Suppression methodology and statistical disclosure control", JASA
  75:377-385: in a 2 x 2 table with published margins, one sensitive cell forces all four cells
  to be suppressed.
* ONS, *Statistical disclosure control policy*; GSS Analysis Function, symbols in tables:
  ``[c]`` marks confidential entries.

The audit in these tests is independent of the module's rank test: for every suppressed entry
the feasible interval given the published entries, the totals and non-negativity is computed
with a linear programme (scipy.optimize.linprog); a recoverable entry has a zero-width interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from wmresearch.reporting.disclosure import (
    DisclosureError,
    assert_not_disclosive,
    cell_contributions,
    disclosure_check,
    format_suppressed,
)


def long(rows: dict[str, list[float]], cols: list[str], name: str = "firms") -> pd.DataFrame:
    return pd.DataFrame([{"r": r, "c": c, name: v} for r, vals in rows.items()
                         for c, v in zip(cols, vals, strict=True)])


def intervals(result, measure: str, original: pd.DataFrame) -> dict[tuple, tuple[float, float]]:
    """LP bounds of every suppressed interior cell given what is published (independent)."""
    t = result.table
    truth = original.set_index(["r", "c"])[measure]
    inner = t[(t["r"] != "Total") & (t["c"] != "Total")]
    unknown = [tuple(x) for x in inner.loc[inner["suppressed"], ["r", "c"]].to_numpy()]
    tot_unknown = [tuple(x) for x in t.loc[t["suppressed"] & ((t["r"] == "Total")
                                                           | (t["c"] == "Total")),
                                           ["r", "c"]].to_numpy()]
    var = unknown + tot_unknown
    pos = {v: k for k, v in enumerate(var)}
    value = {(r, c): v for r, c, v in t[["r", "c", measure]].itertuples(index=False)}
    rows = [r for r in pd.unique(t["r"]) if r != "Total"]
    cols = [c for c in pd.unique(t["c"]) if c != "Total"]
    a_eq, b_eq = [], []
    lines = [[(r, c) for c in cols] + [(r, "Total")] for r in [*rows, "Total"]]
    lines += [[(r, c) for r in rows] + [("Total", c)] for c in [*cols, "Total"]]
    for line in lines:
        coef, rhs = np.zeros(len(var)), 0.0
        for k, cell in enumerate(line):
            sign = -1.0 if k == len(line) - 1 else 1.0
            if cell in pos:
                coef[pos[cell]] += sign
            else:
                rhs -= sign * value[cell]
        a_eq.append(coef)
        b_eq.append(rhs)
    out = {}
    for cell in unknown:
        c = np.zeros(len(var))
        c[pos[cell]] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        hi = -linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        assert lo - 1e-6 <= truth[cell] <= hi + 1e-6
        out[cell] = (lo, hi)
    return out


def test_cox_2x2_one_sensitive_cell_suppresses_all_four():
    table = long({"A": [3, 20], "B": [15, 30]}, ["X", "Y"])
    result = disclosure_check(table, row="r", col="c", count_col="firms", min_count=10)
    inner = result.table[(result.table["r"] != "Total") & (result.table["c"] != "Total")]
    assert inner["suppressed"].all()
    assert inner.set_index(["r", "c"]).loc[("A", "X"), "reason"] == "primary: 3 firms < 10"
    assert (inner["reason"] == "secondary").sum() == 3
    # totals stay published: they are safe (23, 45, 18, 50, 68 firms)
    assert not result.table.loc[(result.table["r"] == "Total")
                                | (result.table["c"] == "Total"), "suppressed"].any()


def test_primary_only_would_be_differenced_and_secondary_prevents_it():
    rows = {"A": [20, 15, 30], "B": [25, 4, 18], "C": [12, 22, 16]}
    table = long(rows, ["X", "Y", "Z"])
    result = disclosure_check(table, row="r", col="c", count_col="firms")
    t = result.table.set_index(["r", "c"])
    # without complements, row B's total minus its published cells gives (B, Y) = 4
    assert 47 - 25 - 18 == 4
    assert t.loc[("B", "Y"), "suppressed"]
    inner = t.drop(index="Total", level="r").drop(index="Total", level="c")
    for label in ["A", "B", "C"]:
        assert inner.loc[label, "suppressed"].sum() != 1
    for label in ["X", "Y", "Z"]:
        assert inner.xs(label, level="c")["suppressed"].sum() != 1
    for lo, hi in intervals(result, "firms", table).values():
        assert hi - lo > 1  # never recoverable, even using non-negativity
    assert_not_disclosive(result.table, row="r", col="c", count_col="firms")


def test_dominance_rule_strictly_above_k():
    table = pd.DataFrame({"r": ["A", "B", "C", "D"], "firms": [12, 15, 20, 30],
                          "emp": [100.0, 100.0, 300.0, 400.0],
                          "top": [60.0, 50.0, 40.0, 40.0]})
    result = disclosure_check(table, row="r", count_col="firms", value_col="emp",
                              contributors="top", dominance_share=0.5)
    t = result.table.set_index("r")
    assert t.loc["A", "reason"] == "primary: largest contributor 60% > 50%"
    assert t.loc["B", "reason"] != "primary: largest contributor 50% > 50%"  # x1 = kX: safe
    # one-way table: the column total would reveal A, so the smallest other cell goes too
    assert t.loc["B", "reason"] == "secondary" and t["suppressed"].sum() == 2
    assert not t.loc["Total", "suppressed"]


def test_p_percent_rule_hundepool_definition():
    # X = 100, x1 = 50: x2 = 46 leaves 4 < 10% of 50 (sensitive); x2 = 40 leaves 10 (safe)
    table = pd.DataFrame({"r": ["A", "B", "C"], "firms": [20, 20, 20],
                          "emp": [100.0, 100.0, 500.0], "top": [50.0, 50.0, 100.0],
                          "second": [46.0, 40.0, 90.0]})
    result = disclosure_check(table, row="r", count_col="firms", value_col="emp",
                              contributors="top", second_col="second", p_percent=10)
    reasons = result.table.set_index("r")["reason"]
    assert reasons["A"] == "primary: p% rule (p = 10)"
    assert reasons["B"] == "secondary"


def test_format_renders_c_not_nan_and_report_lists_cells():
    table = long({"A": [3, 20], "B": [15, 30]}, ["X", "Y"])
    result = disclosure_check(table, row="r", col="c", count_col="firms")
    text = format_suppressed(result)
    assert text.loc["A", "X"] == "[c]" and text.loc["Total", "Total"] == "68"
    assert "nan" not in text.to_string().lower()
    assert set(map(tuple, result.report[["r", "c"]].to_numpy())) == {
        ("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y")}


def test_assert_not_disclosive_names_the_cell():
    table = long({"A": [3, 20], "B": [15, 30]}, ["X", "Y"])
    with pytest.raises(DisclosureError, match=r"r='A', c='X'.*3 firms < 10"):
        assert_not_disclosive(table, row="r", col="c", count_col="firms")
    result = disclosure_check(table, row="r", col="c", count_col="firms")
    leaky = result.table.copy()
    leaky.loc[(leaky["r"] == "B") & (leaky["c"] == "Y"), "suppressed"] = False
    leaky.loc[(leaky["r"] == "B") & (leaky["c"] == "Y"), "firms"] = 30
    with pytest.raises(DisclosureError, match="can be recovered"):
        assert_not_disclosive(leaky, row="r", col="c", count_col="firms")


def test_bad_input_names_row_and_column():
    table = long({"A": [3, -1], "B": [15, 30]}, ["X", "Y"])
    with pytest.raises(ValueError, match=r"r='A', c='Y'\), column 'firms'"):
        disclosure_check(table, row="r", col="c", count_col="firms")
    with pytest.raises(KeyError, match="emp"):
        disclosure_check(table, row="r", col="c", count_col="firms", value_col="emp")
    dup = pd.concat([long({"A": [12]}, ["X"])] * 2, ignore_index=True)
    with pytest.raises(ValueError, match="more than once"):
        disclosure_check(dup, row="r", col="c", count_col="firms")


def test_cell_contributions_from_firm_records():
    firms = pd.DataFrame({"area": ["a", "a", "a", "b"], "emp": [5.0, 70.0, 25.0, 8.0]})
    cells = cell_contributions(firms, ["area"], "emp").set_index("area")
    assert cells.loc["a", ["firms", "emp", "largest", "second"]].tolist() == [3, 100, 70, 25]
    assert cells.loc["b", "second"] == 0
