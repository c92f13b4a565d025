"""Callaway & Sant'Anna (2021) on mpdta against the R ``did`` package's printed output.

Sources (R ``did`` 2.x): README ``att_gt`` summary (ATT(g,t) and "P-value for pre-test of
parallel trends assumption: 0.16812"); reference page of ``aggte`` (examples, never-treated,
doubly robust): simple -0.04 (SE 0.0119), dynamic -0.0772 (SE 0.0208) with event times
-3..3 = 0.0305, -0.0006, -0.0245, -0.0199, -0.0510, -0.1373, -0.1008; group -0.031 (SE
0.0126) with 2004 -0.0797, 2006 -0.0229, 2007 -0.0261; calendar -0.0417 (SE 0.0175) with
2004 -0.0105, 2005 -0.0704, 2006 -0.0488, 2007 -0.0371. Point estimates: tolerance 5e-5
(-0.04 and -0.031 printed to fewer digits: 5e-4).

Standard errors. Ours are analytic (influence function); they are checked to 1e-6 against the
analytic SEs of an independent port of R ``did``, moderndid 0.2.0 (``att_gt(..., boot=False)``,
``aggte(..., boot=False)``) on the same data. The published SEs above are multiplier-bootstrap
draws (``did`` default: biters = 1000, SE = interquartile range / 1.349 of the draws), which
estimate the same asymptotic SE with Monte Carlo error: the relative SD of an IQR-based scale
estimate from B normal draws is 1.166 / sqrt(B) = 3.7% at B = 1000, so they are checked to three
such SDs (11%; the 3-significant-digit rounding adds at most 0.4%).
"""

from __future__ import annotations

import math

import moderndid
import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation.staggered import staggered_did

TOL = 5e-5
BOOTSTRAP_SE_REL = 3 * 1.166 / math.sqrt(1000)  # 3 Monte Carlo SDs of did's bootstrap SE


@pytest.fixture(scope="module")
def result():
    data = moderndid.load_mpdta().to_pandas()
    return staggered_did(data, outcome="lemp", unit="countyreal", time="year",
                         cohort="first.treat")


def test_att_gt_matches_readme(result) -> None:
    published = {(2004, 2004): -0.0105, (2004, 2005): -0.0704, (2004, 2006): -0.1373,
                 (2004, 2007): -0.1008, (2006, 2004): 0.0065, (2006, 2005): -0.0028,
                 (2006, 2006): -0.0046, (2006, 2007): -0.0412, (2007, 2004): 0.0305,
                 (2007, 2005): -0.0027, (2007, 2006): -0.0311, (2007, 2007): -0.0261}
    got = result.detail.set_index(["cohort", "time"])["att"]
    for key, value in published.items():
        assert got[key] == pytest.approx(value, abs=TOL)
    assert result.extra["pretrend_pvalue"] == pytest.approx(0.16812, abs=5e-6)


@pytest.mark.parametrize(("kind", "overall", "se", "levels", "tol"), [
    ("simple", -0.04, 0.0119, {}, 5e-4),
    ("group", -0.031, 0.0126, {2004: -0.0797, 2006: -0.0229, 2007: -0.0261}, 5e-4),
    ("dynamic", -0.0772, 0.0208, {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199,
                                  1: -0.0510, 2: -0.1373, 3: -0.1008}, TOL),
    ("calendar", -0.0417, 0.0175, {2004: -0.0105, 2005: -0.0704, 2006: -0.0488,
                                   2007: -0.0371}, TOL),
])
def test_aggregations_match_aggte_reference(result, kind, overall, se, levels, tol) -> None:
    agg = result.extra["aggregations"][kind]
    assert agg["att"] == pytest.approx(overall, abs=tol)
    assert agg["se"] == pytest.approx(se, rel=BOOTSTRAP_SE_REL)
    table = agg["table"].set_index("level")["estimate"]
    for level, value in levels.items():
        assert table[level] == pytest.approx(value, abs=TOL)


def test_headline_is_group_aggregation_with_summary(result) -> None:
    assert result.att == pytest.approx(-0.031, abs=5e-4)
    assert (result.n_treated, result.n_control) == (191, 309)
    assert "nan" not in result.summary()


def test_not_yet_treated_and_errors() -> None:
    data = moderndid.load_mpdta().to_pandas()
    treated_only = data[data["first.treat"] > 0]
    with pytest.raises(ValueError, match="no never-treated units"):
        staggered_did(treated_only, outcome="lemp", unit="countyreal", time="year",
                      cohort="first.treat")
    # not-yet-treated controls work without never-treated units (2007 cohort as control)
    res = staggered_did(treated_only, outcome="lemp", unit="countyreal", time="year",
                        cohort="first.treat", control="notyet")
    assert res.n_control == 0 and res.att < 0
    one = data[data["first.treat"] == 2004]
    with pytest.raises(ValueError, match="no not-yet-treated units"):
        staggered_did(one, outcome="lemp", unit="countyreal", time="year",
                      cohort="first.treat", control="notyet")
    early = data.assign(**{"first.treat": data["first.treat"].replace(2004, 2003)})
    with pytest.raises(ValueError, match="too few pre-treatment periods for cohort 2003"):
        staggered_did(early, outcome="lemp", unit="countyreal", time="year",
                      cohort="first.treat")
    assert isinstance(res.detail, pd.DataFrame)


@pytest.fixture(scope="module")
def moderndid_reference():
    mp = moderndid.att_gt(moderndid.load_mpdta(), yname="lemp", tname="year",
                          idname="countyreal", gname="first.treat", est_method="dr",
                          boot=False, cband=False)
    return mp, {kind: moderndid.aggte(mp, type=kind, boot=False, cband=False)
                for kind in ("simple", "group", "dynamic", "calendar")}


def test_analytic_ses_match_moderndid(result, moderndid_reference) -> None:
    mp, aggs = moderndid_reference
    detail = result.detail.set_index(["cohort", "time"])
    ref = pd.DataFrame({"cohort": np.asarray(mp.groups), "time": np.asarray(mp.times),
                        "att": np.asarray(mp.att_gt), "se": np.asarray(mp.se_gt)})
    ref = ref.set_index(["cohort", "time"]).loc[detail.index]
    np.testing.assert_allclose(detail["att"], ref["att"], rtol=1e-6)
    np.testing.assert_allclose(detail["se"], ref["se"], rtol=1e-6)
    for kind, agg in aggs.items():
        ours = result.extra["aggregations"][kind]
        assert ours["att"] == pytest.approx(agg.overall_att, rel=1e-6)
        assert ours["se"] == pytest.approx(agg.overall_se, rel=1e-6)
        if kind != "simple":
            table = ours["table"]
            np.testing.assert_allclose(table["level"], np.asarray(agg.event_times))
            np.testing.assert_allclose(table["estimate"], np.asarray(agg.att_by_event),
                                       rtol=1e-6)
            np.testing.assert_allclose(table["se"], np.asarray(agg.se_by_event), rtol=1e-6)
