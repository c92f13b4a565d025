"""Programme registry and the descriptive productivity baseline."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from tests.conftest import REPO
from wmresearch.evaluation import before_after_gap, get_programme, region_productivity


def test_every_programme_in_params_loads():
    programmes = yaml.safe_load((REPO / "params.yaml").read_text())["programmes"]
    for key in programmes:
        prog = get_programme(programmes, key)
        assert prog.id == key and prog.name and 2000 < prog.start_year < 2030


def test_unknown_programme_lists_known():
    with pytest.raises(KeyError, match="known: a"):
        get_programme({"a": {"name": "A", "start_year": 2020}}, "b")


def test_region_productivity_hours_weighted():
    rows = [("A", "gva_per_hour", 2020, 10.0), ("A", "hours_worked", 2020, 1.0),
            ("B", "gva_per_hour", 2020, 20.0), ("B", "hours_worked", 2020, 3.0),
            ("C", "gva_per_hour", 2020, 32.5), ("C", "hours_worked", 2020, 4.0),
            ("UKX", "gva_per_hour", 2020, 99.0)]
    prod = pd.DataFrame(rows, columns=["area_code", "measure", "year", "value"])
    prod["lad_code"] = prod["area_code"].where(prod["area_code"] != "UKX")
    out = region_productivity(prod, ["A", "B"]).iloc[0]
    # region (10*1 + 20*3) / 4 = 17.5; UK from all districts (70 + 130) / 8 = 25
    assert out["region"] == pytest.approx(17.5) and out["relative"] == pytest.approx(70.0)


def test_before_after_gap_windows():
    series = pd.DataFrame({"year": range(2015, 2025),
                           "relative": [80, 80, 80, 80, 80, 90, 92, 94, 96, 98]})
    gap = before_after_gap(series, 2020, window=3)
    assert gap["before_mean_relative"] == 80 and gap["after_mean_relative"] == 92
    assert gap["change_points"] == 12 and gap["years_before"] == gap["years_after"] == 3
