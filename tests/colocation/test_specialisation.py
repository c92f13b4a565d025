"""Specialisation caveats: BRES open-access rounding (NOMIS article 1103), LQ bounds and the
size and misplaced-activity rules (wmresearch.colocation.specialisation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation.specialisation import (
    lq_rounding_bounds,
    rounding_half_width,
    specialisation_caveats,
)


@pytest.mark.parametrize(("published", "half"), [
    (35, 2.5),      # 1-49: relaxed base 5 (35 is not a multiple of the strict base 10)
    (40, 5.0),      # a multiple of 10 may be strictly rounded: the wider interval
    (175, 12.5),    # 50-249: base 25
    (150, 25.0),    # ... or strict 50
    (350, 25.0),    # 250-499: base 50
    (700, 50.0),    # 500-999: 100 (700 is not a multiple of the strict 200)
    (1750, 125.0),  # 1,000-2,499: 250
    (3500, 250.0),  # 2,500-4,999: 500 (3,500 is not a multiple of the strict 1,000)
    (7000, 500.0),  # 5,000+: 1,000
    (6000, 1000.0),  # ... or strict 2,000
])
def test_half_width_follows_the_nomis_table(published, half):
    assert rounding_half_width(np.array([published]))[0] == half


def test_missing_stays_missing():
    assert np.isnan(rounding_half_width(pd.Series([np.nan]))[0])


def _cells() -> pd.DataFrame:
    rows = [("R", "a", 175), ("R", "b", 9825), ("X", "a", 35), ("X", "b", 19965)]
    return pd.DataFrame(rows, columns=["area", "ind", "jobs"])


def test_lq_and_bounds_by_hand():
    out = lq_rounding_bounds(_cells(), ["R"], area="area", industry="ind", value="jobs")
    e_r, e = 10000.0, 30000.0
    assert out.loc["a", "lq"] == pytest.approx((175 / e_r) / (210 / e))
    # area cell 175 -> [162.5, 187.5]; other area's 35 -> [32.5, 37.5]
    assert out.loc["a", "lq_low"] == pytest.approx((162.5 / e_r) / ((162.5 + 37.5) / e))
    assert out.loc["a", "lq_high"] == pytest.approx((187.5 / e_r) / ((187.5 + 32.5) / e))
    # worst-case relative error of the area's total: (12.5 + 500) / 10,000
    assert out.attrs["total_error"] == pytest.approx(512.5 / 10000)


def test_unknown_area_is_named():
    with pytest.raises(KeyError, match="Z"):
        lq_rounding_bounds(_cells(), ["Z"], area="area", industry="ind", value="jobs")


def test_each_caveat_removes_with_its_reason():
    bounds = pd.DataFrame({"employment": [50.0, 500, 500, 500, 500],
                           "lq": [3.0, 3.0, 1.3, 3.0, 3.0],
                           "lq_low": [2.0, 2.5, 1.1, 2.5, 2.5]},
                          index=pd.Index(["24310", "24440", "25720", "85422", "29100"]))
    units = pd.Series({"2431": 20, "2444": 5, "2572": 20, "8542": 40, "2910": 80})
    out = specialisation_caveats(bounds, units, threshold=1.25, min_employment=100,
                                 min_local_units=10)
    assert out["caveat"].tolist()[:3] == ["fewer than 100 jobs", "fewer than 10 local units",
                                          "LQ below the threshold at its rounding bound"]
    assert out.loc["85422", "caveat"].startswith("higher education")
    assert out["specialised"].tolist() == [False, False, False, False, True]
    assert out["specialised_raw"].all() and out.loc["29100", "local_units"] == 80
