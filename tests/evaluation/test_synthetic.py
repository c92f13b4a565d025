"""Synthetic control and synthetic DiD on California's Proposition 99 (39 states, 1970-2000).

Data: ``california_prop99`` as shipped by synthdid-py 0.1 (the R ``synthdid`` package's data:
packs per capita only; ADH's covariates - income, beer, age 15-24 share, retail price - are not
shipped by any installable package, so ADH's covariate-based V cannot be rerun here).
Published numbers:
* Arkhangelsky et al. (2021, AER, Table 1, California row): SDID -15.6 (SE 8.4), SC -19.6,
  DiD -27.3. SDID/SC/DiD points to 0.05; SC (ours by NNLS, theirs with a 1e-6 ridge) to 0.3;
  placebo SE from 30 seeded draws (theirs: many), checked to +-40%.
* Abadie, Diamond & Hainmueller (2010, JASA, p. 502 and Table 2): gap of about -26 packs by
  2000; donor weights Utah .334, Nevada .234, Montana .199, Colorado .164, Connecticut .069
  (they sum to 1; with covariates); California's post/pre RMSPE ratio ranks first of 39,
  p = 1/39 (sec. 3.3, Figure 8).

Why the weights and the placebo p-value are not tested to ADH's numbers: ADH's weights come
from V-weighted predictors - log income, retail price, age 15-24 share, beer consumption
(means 1980-88) and cigarette sales in 1975, 1980 and 1988 - and none of the installed packages
ships those covariates (synthdid ships packs per capita only, pysyncon ships no data,
causaldata has no smoking set), so ADH's specification cannot be rerun and a 0.02 tolerance
cannot be met. The outcome-only fit (V = I on the 19 pre-period outcomes) gives Utah .394,
Montana .232, Nevada .205, Connecticut .109, New Hampshire .045, Colorado .015: ADH's five donors
still carry >= 90% of the weight, Utah, Nevada, Montana and Connecticut are within 0.065 of ADH's
and Colorado within 0.15 (tested at those bounds). With that fit California's ratio ranks third
of 39 (behind Missouri and Virginia, whose pre-period fits are closer): p = 3/39, tested exactly
as our own number, not ADH's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import synthdid

from wmresearch.evaluation.sc_inference import conformal_intervals, placebo_restriction_table
from wmresearch.evaluation.synthetic import placebo_in_time, synthetic_control, synthetic_did

ADH = {"Utah": .334, "Nevada": .234, "Montana": .199, "Colorado": .164, "Connecticut": .069}
KW = {"outcome": "PacksPerCapita", "unit": "State", "time": "Year"}


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    return synthdid.load_california_prop99()


@pytest.fixture(scope="module")
def sc(prop99: pd.DataFrame):
    return synthetic_control(prop99, treated_unit="California", treatment_time=1989, **KW)


def test_sc_matches_arkhangelsky_table1_and_adh_gap(sc) -> None:
    assert sc.att == pytest.approx(-19.6, abs=0.3)
    gap_2000 = sc.detail.set_index("Year").loc[2000, "gap"]
    assert gap_2000 == pytest.approx(-26.0, abs=2.0)
    w = sc.extra["weights"]
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()
    assert w[list(ADH)].sum() >= 0.90
    for state, published in ADH.items():
        # outcome-only vs ADH's covariate specification: see the module docstring
        assert w[state] == pytest.approx(published, abs=0.15 if state == "Colorado" else 0.065)
    assert "nan" not in sc.summary()


def test_sc_placebo_inference(sc) -> None:
    table = sc.extra["placebos"]
    assert len(table) == 39 and sc.extra["placebo_gaps"].shape == (31, 39)
    # outcome-only fit: Missouri and Virginia have larger ratios, California is 3rd of 39
    # (ADH 2010, with covariates: 1st of 39, p = 1/39; see the module docstring)
    above = set(table.loc[table["ratio"] > sc.extra["rmspe_ratio"], "unit"])
    assert above == {"Missouri", "Virginia"}
    assert sc.pvalue == pytest.approx(3 / 39)
    # both fit better than California before 1989, so every ADH restriction keeps them
    restricted = placebo_restriction_table(table)
    assert list(restricted["rank"]) == [3, 3, 3, 3]
    assert restricted["pvalue"].iloc[-1] == pytest.approx(3 / 39)


def test_conformal_intervals_for_california(prop99: pd.DataFrame, sc) -> None:
    """CWZ (2021) conformal 90% intervals (our computation; no published figure is tested):
    with 19 pre-periods each year's interval can reach 1/20 = 0.05 < 0.1, every one excludes
    zero and contains the SC gap of that year."""
    ci = conformal_intervals(prop99, treated_unit="California", treatment_time=1989,
                             alpha=0.1, **KW)
    years = ci[ci["target"] == "period"]
    assert len(years) == 12 and years["attainable"].all()
    assert (years["upper"] < 0).all()
    assert ((years["lower"] <= years["estimate"]) & (years["estimate"] <= years["upper"])).all()
    joint = ci.iloc[0]
    assert joint["estimate"] == pytest.approx(sc.att)
    assert joint["min_pvalue"] == pytest.approx(1 / 31) and joint["upper"] < 0


def test_placebo_rank_is_one_for_a_large_known_effect() -> None:
    rng = np.random.default_rng(3)
    rows = []
    for i in range(12):
        base = rng.normal(10, 2)
        for t in range(20):
            y = base + 0.5 * t + rng.normal(0, 0.2) + (5.0 if i == 0 and t >= 15 else 0.0)
            rows.append({"u": f"u{i}", "t": t, "y": y})
    data = pd.DataFrame(rows)
    data.loc[data["u"] == "u0", "y"] = data.loc[data["u"] == "u0", "y"] * 0 + \
        data.loc[data["u"] == "u1", "y"].to_numpy() * 0.5 + \
        data.loc[data["u"] == "u2", "y"].to_numpy() * 0.5 + \
        np.where(data.loc[data["u"] == "u0", "t"] >= 15, 5.0, 0.0)
    res = synthetic_control(data, outcome="y", unit="u", time="t", treated_unit="u0",
                            treatment_time=15)
    assert res.att == pytest.approx(5.0, abs=0.3)
    assert res.pvalue == pytest.approx(1 / 12)


def test_in_time_placebo_shows_small_gap(prop99: pd.DataFrame, sc) -> None:
    # the main fit's specification, donors included, moved to a fake start
    res = placebo_in_time(prop99, treated_unit="California", fake_time=1980, end_time=1989,
                          donors=list(sc.extra["spec"]["donors"]), **KW)
    assert abs(res.att) < abs(sc.att) / 2
    assert res.detail["Year"].max() == 1988
    assert res.extra["spec"]["donors"] == sc.extra["spec"]["donors"]


def test_sdid_matches_arkhangelsky_table1(prop99: pd.DataFrame) -> None:
    res = synthetic_did(prop99, treated="treated", se_replications=30, seed=1, **KW)
    assert res.att == pytest.approx(-15.6, abs=0.05)
    assert res.extra["sc_estimate"] == pytest.approx(-19.6, abs=0.05)
    assert res.extra["did_estimate"] == pytest.approx(-27.3, abs=0.05)
    # The placebo SE is not checked here: Arkhangelsky et al. (2021, Table 1) and R synthdid's
    # README print 8.4 (95% CI -32.01 to 0.80 with 200 placebo draws), while synthdid-py 0.1
    # gives 10.06 with 500 draws (9.70 and 10.91 with 200 draws, seeds 2 and 1): a 20% gap
    # beyond Monte Carlo noise (about 5% at 200 draws), not yet explained. A tolerance wide
    # enough to pass (the old rel=0.4) could not fail, so the SE is left untested until the
    # port is reconciled with R (noted in the evaluation issue).
    assert res.se > 0
    # seeded placebo draws: the same seed gives the same SE (5 draws suffice to show it)
    a, b = (synthetic_did(prop99, treated="treated", se_replications=5, seed=2, **KW)
            for _ in range(2))
    assert a.se == b.se
    assert res.extra["unit_weights"].sum() == pytest.approx(1.0)
    assert "nan" not in res.summary()


def test_errors(prop99: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="treated unit.*'Atlantis'.*not in the panel"):
        synthetic_control(prop99, treated_unit="Atlantis", treatment_time=1989, **KW)
    with pytest.raises(ValueError, match="too few pre-treatment periods for treated unit "
                                         "'California': 2 before 1972"):
        synthetic_control(prop99, treated_unit="California", treatment_time=1972, **KW)
    no_controls = prop99.assign(treated=np.where(prop99["Year"] >= 1989, 1, 0))
    with pytest.raises(ValueError, match="no never-treated units"):
        synthetic_did(no_controls, treated="treated", **KW)
    gap = prop99[~((prop99["State"] == "Utah") & (prop99["Year"] == 1975))]
    with pytest.raises(ValueError, match="unit 'Utah' has no row for period 1975"):
        synthetic_control(gap, treated_unit="California", treatment_time=1989, **KW)
