"""TWFE DiD and event study against the R ``did`` package's documented mpdta example.

With one treated cohort and never-treated controls, the TWFE event-study coefficient at
event time e (reference -1) is the 2x2 DiD of period g+e against g-1, i.e. Callaway &
Sant'Anna's unconditional ATT(g, g+e). Published values: R ``did`` 2.x README (``att_gt``
summary on mpdta, est_method="reg"): ATT(2004,2004) -0.0105, (2004,2005) -0.0704,
(2004,2006) -0.1373, (2004,2007) -0.1008, (2007,2007) -0.0261; ``aggte(type="group")``
cohort 2004: -0.0797. Tolerance 5e-5 (half a unit of the printed 4th decimal).
"""

from __future__ import annotations

import moderndid
import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation.did import difference_in_differences, event_study

TOL = 5e-5


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    data = moderndid.load_mpdta().to_pandas().rename(columns={"first.treat": "g"})
    data["D"] = ((data["g"] > 0) & (data["year"] >= data["g"])).astype(int)
    return data


def test_event_study_reproduces_did_readme_cohort_2004(mpdta: pd.DataFrame) -> None:
    d = mpdta[mpdta["g"].isin([0, 2004])]
    res = event_study(d, outcome="lemp", unit="countyreal", time="year", cohort="g",
                      min_pre_periods=1)
    est = res.detail.set_index("event_time")["estimate"]
    for e, published in {0: -0.0105, 1: -0.0704, 2: -0.1373, 3: -0.1008}.items():
        assert est[e] == pytest.approx(published, abs=TOL)
    assert est[-1] == 0.0
    assert res.att == pytest.approx(-0.0797, abs=TOL)  # aggte group, cohort 2004
    assert (res.n_treated, res.n_control) == (20, 309)


def test_event_study_pretrend_test_and_e0_for_cohort_2007(mpdta: pd.DataFrame) -> None:
    d = mpdta[mpdta["g"].isin([0, 2007])]
    res = event_study(d, outcome="lemp", unit="countyreal", time="year", cohort="g")
    est = res.detail.set_index("event_time")["estimate"]
    assert est[0] == pytest.approx(-0.0261, abs=TOL)
    assert res.extra["pretrend_df"] == 3
    assert 0 < res.extra["pretrend_pvalue"] < 1
    assert "nan" not in res.summary()


def test_did_two_period_equals_att_2004_2004(mpdta: pd.DataFrame) -> None:
    d = mpdta[mpdta["g"].isin([0, 2004]) & mpdta["year"].isin([2003, 2004])]
    res = difference_in_differences(d, outcome="lemp", unit="countyreal", time="year",
                                    treated="D")
    assert res.att == pytest.approx(-0.0105, abs=TOL)
    assert res.ci[0] < res.att < res.ci[1]
    assert set(res.detail.columns) >= {"year", "treated", "control", "gap"}
    assert "nan" not in res.summary()


def _panel(pretrend: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(80):
        g = 6 if i < 40 else 0
        for t in range(10):
            trend = pretrend * t if g else 0.0
            y = i * 0.1 + t * 0.3 + trend + (1.0 if g and t >= g else 0.0) + rng.normal(0, .1)
            rows.append({"unit": i, "t": t, "g": g, "y": y})
    return pd.DataFrame(rows)


def test_pretrend_test_detects_differential_trend() -> None:
    # known-truth check: parallel trends -> large p; a trend of 0.05/period -> rejected
    ok = event_study(_panel(0.0, 1), outcome="y", unit="unit", time="t", cohort="g")
    bad = event_study(_panel(0.05, 1), outcome="y", unit="unit", time="t", cohort="g")
    assert ok.extra["pretrend_pvalue"] > 0.01
    assert bad.extra["pretrend_pvalue"] < 1e-6


def test_errors_name_the_problem(mpdta: pd.DataFrame) -> None:
    d = mpdta[mpdta["g"].isin([0, 2004])]
    with pytest.raises(ValueError, match="too few pre-treatment periods.*cohort 2004"):
        event_study(d, outcome="lemp", unit="countyreal", time="year", cohort="g")
    treated_only = mpdta[mpdta["g"] > 0]
    with pytest.raises(ValueError, match="no never-treated units"):
        difference_in_differences(treated_only, outcome="lemp", unit="countyreal",
                                  time="year", treated="D")
    with pytest.raises(ValueError, match="treated unit.*99999.*not in the panel"):
        difference_in_differences(mpdta, outcome="lemp", unit="countyreal", time="year",
                                  treated="D", treated_units=[99999])
    with pytest.raises(ValueError, match="unbalanced panel: unit 8001 has no row for "
                                         "period 2003"):
        difference_in_differences(mpdta.iloc[1:], outcome="lemp", unit="countyreal",
                                  time="year", treated="D")
    text = mpdta.assign(lemp=mpdta["lemp"].astype(str))
    with pytest.raises(ValueError, match="column 'lemp' must be numeric"):
        difference_in_differences(text, outcome="lemp", unit="countyreal", time="year",
                                  treated="D")
