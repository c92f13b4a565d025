"""Replications on the Mixtape's Texas prison and castle-doctrine panels (causaldata 0.1.5).

Texas (Cunningham, *Causal Inference: The Mixtape*, ch. 10; data ``texas`` = the Mixtape's
``texas.dta``). Published: the Mixtape's own notebook ``Python/Synthetic_Control.ipynb``
(github.com/scunning1975/mixtape, commit 39d57c9), which runs R ``Synth`` with predictors
poverty and income (means 1985-1993) and special predictors bmprison (1988, 1990-1992),
alcohol (1990), aidscapita (1990-1991), black (1990-1992), perc1519 (1990), 49 donors, and
prints ``MSPE (LOSS V): 2019839``, ``solution.v`` and ``solution.w``: California .3420653,
Florida .2963684, Louisiana .3613969, every other donor below 1e-4.

Castle doctrine (Cheng & Hoekstra 2013, JHR; data ``castle`` = the Mixtape's ``castle.dta``).
Published: Mixtape Sessions, *Causal Inference 2*, ``Lab/Cheng_Hoekstra/Solutions/
Solutions-Stata.md`` (github.com/Mixtape-Sessions/Causal-Inference-2, commit 78a3d13), which
prints Stata's ``reghdfe`` TWFE event study and ``csdid ..., agg(event)`` (never-treated
controls, no covariates) on the same file. causaldata's copy drops ``effyear``; ``post``
switches on the year after it, so the cohort is the year before ``post`` first equals 1
(Stata's small groups 2005, 2007, 2008, 2009 and 13 states in 2006 come out the same way).
Stata prints these to 7 decimals, so estimates, standard errors and CI bounds are compared to
5e-8 (half a unit in the last printed digit).

Texas tolerances: R Synth solves the inner weight problem with kernlab ``ipop`` at synth()'s
defaults ``Margin.ipop = 5e-4``, ``Sigf.ipop = 5``, so its printed W (7 digits) carries solver
error of the order of 5e-4; with Synth's printed V our weights are compared to 1e-3 (twice that
margin) and every other donor must stay below 1e-4, as in Synth's printout. The pre-period
MSPE at our W is then a consistency check at 0.5% (not a printed-precision comparison: the
loss is evaluated at a W that differs within the solver tolerance). With V searched the
problem is non-convex and Synth's V is one local optimum, so weights cannot be compared to
printed precision: the test asks for Synth's donor set and an MSPE no worse than Synth's.
"""

from __future__ import annotations

import causaldata
import numpy as np
import pandas as pd
import pytest

from wmresearch.evaluation.did import event_study
from wmresearch.evaluation.staggered import staggered_did
from wmresearch.evaluation.synthetic import synthetic_control

STATA_TOL = 5e-8
SYNTH_W_TOL = 1e-3  # twice Synth's Margin.ipop (5e-4)
TEXAS_DONORS = [1, 2, 4, 5, 6, *range(8, 14), *range(15, 43), *range(44, 47),
                49, 50, 51, 53, 54, 55, 56]
TEXAS_SPEC = {
    "outcome": "bmprison", "unit": "statefip", "time": "year", "treated_unit": 48,
    "treatment_time": 1994, "predictors": ["poverty", "income"],
    "special_predictors": [("bmprison", [1988, 1990, 1991, 1992], "mean"),
                           ("alcohol", [1990], "mean"), ("aidscapita", [1990, 1991], "mean"),
                           ("black", [1990, 1991, 1992], "mean"),
                           ("perc1519", [1990], "mean")],
    "placebo": False,
}
SYNTH_W = {6: .3420653, 12: .2963684, 22: .3613969}  # California, Florida, Louisiana
SYNTH_V = [0.06843543, 0.02849309, 0.8949852, 3.30278e-05, 0.000122374, 0.007929645,
           1.2876e-06]
SYNTH_LOSS = 2019839.0

# Stata csdid agg(event): event time -> (coefficient, standard error)
CSDID_EVENT = {-8: (.5276058, .0414008), -7: (-.2750778, .2076307), -6: (.2581694, .0908255),
               -5: (-.0149105, .050696), -4: (-.0393112, .0541868), -3: (.0644989, .0444428),
               -2: (.0011024, .0453654), -1: (-.057916, .0437708), 0: (.0972154, .0396431),
               1: (.1115491, .0493212), 2: (.1115662, .0593121), 3: (.1368254, .0572429),
               4: (.0925866, .0537054), 5: (.1119418, .050854)}
# Stata reghdfe, rel_year_shifted k is event time k - 9: (coefficient, robust SE, CI low)
REGHDFE_EVENT = {-9: (-.2484057, .0570123, -.3629763), -8: (-.0766955, .158832, -.3958804),
                 -7: (-.2262526, .1263759, -.4802145), -6: (.0383738, .063393, -.0890192),
                 -5: (.0240412, .0598185, -.0961685), -4: (-.0015389, .059078, -.1202607),
                 -3: (.0541307, .0452908, -.0368846), -2: (.0585765, .050259, -.0424228),
                 0: (.0918614, .0431759, .005096), 1: (.105671, .0519573, .0012588),
                 2: (.1146227, .0658122, -.0176319), 3: (.1095202, .0663352, -.0237854),
                 4: (.0835843, .0589927, -.0349659), 5: (.1272444, .0500376, .0266902)}


@pytest.fixture(scope="module")
def texas() -> pd.DataFrame:
    return causaldata.texas.load_pandas().data


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    data = causaldata.castle.load_pandas().data
    first_post = data.loc[data["post"] == 1].groupby("sid")["year"].min()
    return data.assign(effyear=data["sid"].map(first_post - 1).fillna(0))


def test_texas_weights_given_synths_v(texas: pd.DataFrame) -> None:
    """With R Synth's printed V, our inner problem returns Synth's printed W."""
    fit = synthetic_control(texas, donors=TEXAS_DONORS, v_weights=SYNTH_V, **TEXAS_SPEC)
    w = fit.extra["weights"]
    for donor, published in SYNTH_W.items():
        assert w[donor] == pytest.approx(published, abs=SYNTH_W_TOL)
    assert w.drop(list(SYNTH_W)).max() < 1e-4
    # consistency check at 0.5%: see the module docstring
    assert fit.extra["pre_mspe"] == pytest.approx(SYNTH_LOSS, rel=0.005)


def test_texas_searched_v_finds_synths_donors(texas: pd.DataFrame) -> None:
    """The nested V search lands on Synth's donors, at an MSPE no worse than Synth's."""
    fit = synthetic_control(texas, donors=TEXAS_DONORS, **TEXAS_SPEC)
    w = fit.extra["weights"]
    # Synth's donor set: California, Florida, Louisiana; every other donor below 1e-4
    assert (w[list(SYNTH_W)] > 0.1).all()
    assert w.drop(list(SYNTH_W)).max() < 1e-4
    # an MSPE no worse than Synth's printed loss (printed to the unit)
    assert fit.extra["pre_mspe"] <= SYNTH_LOSS + 0.5
    balance = fit.extra["balance"]
    assert balance["v_weight"].sum() == pytest.approx(1.0)
    assert len(balance) == 7
    # Texas gains black male prisoners after the 1993 expansion: positive mean gap
    assert fit.att > 0


def test_castle_callaway_santanna_event_study_matches_stata(castle: pd.DataFrame) -> None:
    fit = staggered_did(castle, outcome="l_homicide", unit="sid", time="year",
                        cohort="effyear", aggregation="dynamic")
    table = fit.extra["aggregations"]["dynamic"]["table"].set_index("level")
    assert sorted(table.index) == sorted(CSDID_EVENT)
    for e, (coef, se) in CSDID_EVENT.items():
        assert table.loc[e, "estimate"] == pytest.approx(coef, abs=STATA_TOL)
        assert table.loc[e, "se"] == pytest.approx(se, abs=STATA_TOL)


def test_castle_twfe_event_study_matches_reghdfe(castle: pd.DataFrame) -> None:
    fit = event_study(castle, outcome="l_homicide", unit="sid", time="year", cohort="effyear")
    detail = fit.detail.set_index("event_time")
    assert detail.loc[-1, "estimate"] == 0.0
    for e, (coef, se, low) in REGHDFE_EVENT.items():
        assert detail.loc[e, "estimate"] == pytest.approx(coef, abs=STATA_TOL)
        assert detail.loc[e, "se"] == pytest.approx(se, abs=STATA_TOL)
        assert detail.loc[e, "ci_low"] == pytest.approx(low, abs=STATA_TOL)
    assert np.isfinite(fit.extra["pretrend_pvalue"])


def test_a_non_numeric_special_predictor_is_named(texas: pd.DataFrame) -> None:
    bad = texas.assign(alcohol=texas["alcohol"].astype(str))
    bad.loc[3, "alcohol"] = "n/a"
    with pytest.raises(ValueError, match=r"column 'alcohol' must be numeric.*row 3: 'n/a'"):
        synthetic_control(bad, donors=TEXAS_DONORS, **TEXAS_SPEC)
