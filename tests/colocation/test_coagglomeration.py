"""Coagglomeration: EGK (2010) pairwise matrix and EG (1997) eq. 5 group index.

References
----------
* Ellison, Glaeser & Kerr (2010), AER 100(3), eq. (2), and Ellison & Glaeser (1997), JPE
  105(5), eq. (5).
* Farhauer & Kroell (2014) data ``FK2014_EGC`` from REAT 3.0.3 (mirror:
  ``reference/ellison_glaeser/FK2014_EGC.csv``). REAT's ``ellison.c`` help page prints no
  value and departs from eq. (5) (see the module docstring), so the expected values are
  worked by hand here from the papers' formulae in exact fractions, from the regional sums
  of the firm sizes (clothing trade 8575/645/780, forestry 6425/4295/480, textiles dyeing
  8575/645/210, textiles trade 7765/1245/530; regions 360,000/108,000/132,000 employees).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from tests.colocation.test_concentration import FK_FIRMS, FK_REGION_EMP
from wmresearch.colocation.coagglomeration import coagglomeration, group_coagglomeration
from wmresearch.colocation.concentration import herfindahl

REGION_SUMS = {"Clothing trade": (8575, 645, 780), "Forestry": (6425, 4295, 480),
               "Textiles dyeing": (8575, 645, 210), "Textiles trade": (7765, 1245, 530)}
X = [Fraction(e, 600000) for e in FK_REGION_EMP]
ONE_MINUS = 1 - sum(x * x for x in X)


def _dev(name: str) -> list[Fraction]:
    e = REGION_SUMS[name]
    return [Fraction(v, sum(e)) - x for v, x in zip(e, X, strict=True)]


def _h(name: str) -> Fraction:
    sizes = [f for region in FK_FIRMS[name] for f in region]
    return sum(Fraction(f, sum(sizes)) ** 2 for f in sizes)


def _gamma(name: str) -> Fraction:
    g, h = sum(d * d for d in _dev(name)), _h(name)
    return (g - ONE_MINUS * h) / (ONE_MINUS * (1 - h))


@pytest.fixture(scope="module")
def fk(mirror) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    firms = pd.read_csv(mirror / "reference/ellison_glaeser/FK2014_EGC.csv")
    cells = firms.groupby(["region", "industry"], as_index=False)["emp_firm"].sum()
    area_total = firms.groupby("region")["emp_region"].first()
    h = firms.groupby("industry")["emp_firm"].apply(herfindahl)
    return cells, area_total, h


def test_region_sums_match_the_data(fk):
    cells, _, _ = fk
    got = cells.pivot(index="industry", columns="region", values="emp_firm")
    for name, sums in REGION_SUMS.items():
        assert tuple(got.loc[name]) == sums


def test_egk_pairwise_matrix_by_hand(fk):
    cells, area_total, _ = fk
    mat = coagglomeration(cells, area="region", industry="industry", value="emp_firm",
                          area_total=area_total)
    names = list(REGION_SUMS)
    for i in names:
        for j in names:
            if i == j:
                assert np.isnan(mat.loc[i, j])
                continue
            expected = sum(a * b for a, b in zip(_dev(i), _dev(j), strict=True)) / ONE_MINUS
            assert mat.loc[i, j] == pytest.approx(float(expected), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(mat.to_numpy(), mat.to_numpy().T, equal_nan=True)


def test_eg_group_index_eq5_by_hand(fk):
    cells, area_total, h = fk
    names = list(REGION_SUMS)
    emp = {n: sum(REGION_SUMS[n]) for n in names}
    w = {n: Fraction(emp[n], sum(emp.values())) for n in names}
    pooled = [Fraction(sum(REGION_SUMS[n][m] for n in names), sum(emp.values())) - X[m]
              for m in range(3)]
    g = sum(d * d for d in pooled)
    h_group = sum(w[n] ** 2 * _h(n) for n in names)
    own = sum(_gamma(n) * w[n] ** 2 * (1 - _h(n)) for n in names)
    expected = (g / ONE_MINUS - h_group - own) / (1 - sum(v * v for v in w.values()))
    got = group_coagglomeration(cells, area="region", industry="industry", value="emp_firm",
                                herfindahl=h, area_total=area_total)
    assert got["gamma_c"] == pytest.approx(float(expected), rel=1e-12)
    assert got["H"] == pytest.approx(float(h_group), rel=1e-12)


def test_eq5_for_a_pair_equals_egk_whatever_the_herfindahls(fk):
    """EGK (2010) present eq. (2) as the two-industry case of EG (1997) eq. (5): the H terms
    cancel, so the group index of a pair must equal the matrix entry for any H."""
    cells, area_total, h = fk
    mat = coagglomeration(cells, area="region", industry="industry", value="emp_firm",
                          area_total=area_total)
    rng = np.random.default_rng(3)
    for pair in (["Clothing trade", "Forestry"], ["Textiles dyeing", "Textiles trade"]):
        for herf in (h, pd.Series(rng.uniform(0, 0.5, 4), index=h.index)):
            got = group_coagglomeration(cells, area="region", industry="industry",
                                        value="emp_firm", herfindahl=herf, industries=pair,
                                        area_total=area_total)
            assert got["gamma_c"] == pytest.approx(mat.loc[pair[0], pair[1]], rel=1e-10)


def test_zero_industry_and_errors():
    frame = pd.DataFrame({"a": ["p", "p", "p", "q", "q", "q"], "i": ["x", "y", "z"] * 2,
                          "e": [10.0, 0.0, 5.0, 30.0, 0.0, 5.0]})
    mat = coagglomeration(frame, area="a", industry="i", value="e", diagonal=True)
    assert mat.loc["y"].isna().all() and np.isfinite(mat.loc["x", "z"])
    with pytest.raises(KeyError, match="'w'"):
        group_coagglomeration(frame, area="a", industry="i", value="e",
                              herfindahl=pd.Series({"x": 0.1, "z": 0.2}),
                              industries=["x", "w"])
    with pytest.raises(ValueError, match="at least two"):
        group_coagglomeration(frame, area="a", industry="i", value="e",
                              herfindahl=pd.Series({"x": 0.1, "z": 0.2}),
                              industries=["x", "y"])
