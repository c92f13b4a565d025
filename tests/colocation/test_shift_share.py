"""Shift-share (Dunn 1960; Esteban-Marquillas 1972) against a printed worked example.

Reference: Krumme, G., "Shift & Share Table with Excel Explanations", University of
Washington, Geography 350 (faculty.washington.edu/krumme/350/ssexcel.html). Region
"Holukuluku", industries I-IV, 1985 -> 1995 employment 500/100/200/200 -> 1000/100/250/280;
national shares in 1985 10/20/40/30 % and national growth 10/20/30/40 % (total 29 %).
Printed: expected 1995 employment at national total growth (col. 8) 645/129/258/258 = 1290,
expected at national industry growth (col. 10) 550/120/260/280 = 1210; regional employment
growth 630, national growth effect 290, total shift 340, differential effect 420, composition
(industry-mix) effect 80 in magnitude (signs follow from the printed columns: 1210 - 1290 =
-80; per industry 550 - 645 = -95, 120 - 129 = -9, 260 - 258 = 2, 280 - 258 = 22; the
differential effect is col. 6 - col. 10: 450, -20, -10, 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation.shift_share import COMPONENTS, shift_share

REGION_0, REGION_1 = [500, 100, 200, 200], [1000, 100, 250, 280]
# a nation of 10,000 with the printed 1985 shares and industry growth rates
NATION_0, NATION_1 = [1000, 2000, 4000, 3000], [1100, 2400, 5200, 4200]
INDUSTRIES = ["I", "II", "III", "IV"]


def _frame() -> pd.DataFrame:
    rows = []
    for year, reg, nat in ((1985, REGION_0, NATION_0), (1995, REGION_1, NATION_1)):
        for ind, r, n in zip(INDUSTRIES, reg, nat, strict=True):
            rows += [{"year": year, "area": "Holukuluku", "sic": ind, "emp": r},
                     {"year": year, "area": "Rest", "sic": ind, "emp": n - r}]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def result() -> pd.DataFrame:
    return shift_share(_frame(), area="area", industry="sic", value="emp", start=1985,
                       end=1995, region_areas=["Holukuluku"])


def test_krumme_printed_components(result):
    ind = result.loc[INDUSTRIES]
    # printed as whole numbers: exact up to float rounding
    np.testing.assert_allclose(ind["start"] + ind["national_growth"], [645, 129, 258, 258])
    np.testing.assert_allclose(ind["industry_mix"], [-95, -9, 2, 22])
    np.testing.assert_allclose(ind["regional_shift"], [450, -20, -10, 0], atol=1e-9)
    total = result.loc["Total"]
    assert total["change"] == 630 and total["national_growth"] == pytest.approx(290)
    assert total["industry_mix"] == pytest.approx(-80)
    assert total["regional_shift"] == pytest.approx(420)
    assert total["industry_mix"] + total["regional_shift"] == pytest.approx(340)


def test_esteban_marquillas_by_hand(result):
    # homothetic e* = 1000 x national shares = 100/200/400/300; g_ir - G_i = .9/-.2/-.05/0
    ind = result.loc[INDUSTRIES]
    np.testing.assert_allclose(ind["homothetic"], [100, 200, 400, 300])
    np.testing.assert_allclose(ind["em_competitive"], [90, -40, -20, 0], atol=1e-9)
    np.testing.assert_allclose(ind["em_allocation"], [360, 20, 10, 0], atol=1e-9)


def test_components_sum_exactly_to_change_on_random_data():
    rng = np.random.default_rng(7)
    rows = [{"year": y, "area": f"a{a}", "sic": f"{i:02d}", "emp": float(rng.integers(0, 500))}
            for y in (2015, 2021) for a in range(6) for i in range(30)]
    out = shift_share(pd.DataFrame(rows), area="area", industry="sic", value="emp",
                      start=2015, end=2021, region_areas=["a0", "a1"], benchmark=["a1", "a2",
                                                                                  "a3"])
    parts = out[list(COMPONENTS)].sum(axis=1)
    np.testing.assert_allclose(parts, out["change"], rtol=0, atol=1e-9)
    ok = out["start"] > 0
    np.testing.assert_allclose((out["em_competitive"] + out["em_allocation"])[ok],
                               out["regional_shift"][ok], atol=1e-9)


def test_bad_input_named():
    frame = _frame()
    gap = frame.copy()
    gap.loc[0, "emp"] = np.nan
    with pytest.raises(ValueError, match="missing"):
        shift_share(gap, area="area", industry="sic", value="emp", start=1985, end=1995,
                    region_areas=["Holukuluku"])
    filled = shift_share(gap, area="area", industry="sic", value="emp", start=1985,
                         end=1995, region_areas=["Holukuluku"], missing="zero")
    assert filled.attrs["missing_cells"] == 1
    with pytest.raises(KeyError, match="Nowhere"):
        shift_share(frame, area="area", industry="sic", value="emp", start=1985, end=1995,
                    region_areas=["Nowhere"])
    with pytest.raises(KeyError, match="2001"):
        shift_share(frame, area="area", industry="sic", value="emp", start=1985, end=2001,
                    region_areas=["Holukuluku"])
    orphan = frame.copy()
    orphan.loc[(orphan["area"] == "Rest") & (orphan["sic"] == "I"), "emp"] = 0
    with pytest.raises(ValueError, match="no benchmark emp in 1985: \\['I'\\]"):
        shift_share(orphan, area="area", industry="sic", value="emp", start=1985, end=1995,
                    region_areas=["Holukuluku"], benchmark=["Rest"])
