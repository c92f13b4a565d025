"""Mayoral devolution as a staggered adoption.

References checked: Callaway & Sant'Anna (2021) on mpdta, simple ATT -0.0400 and the
parallel-trends pre-test p-value 0.16812 (R ``did`` README / ``aggte`` reference page, as in
test_staggered.py); the vectorised difference-in-means ATT(g,t) must equal csdid's doubly
robust no-covariate estimates to 1e-10 on mpdta and on the real district panel.
"""

from __future__ import annotations

import time

import geopandas as gpd
import moderndid
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from wmresearch.evaluation import devolution as dv
from wmresearch.evaluation.staggered import staggered_did


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return moderndid.load_mpdta().to_pandas()


def _matrix(data: pd.DataFrame, outcome: str, unit: str, time_: str, cohort: str):
    wide = data.pivot(index=unit, columns=time_, values=outcome)
    g = data.drop_duplicates(unit).set_index(unit)[cohort].reindex(wide.index)
    return wide.to_numpy(float), wide.columns.to_numpy(int), g.to_numpy(int)


@pytest.mark.parametrize("control", ["never", "notyet"])
def test_fast_att_gt_equals_csdid_on_mpdta(mpdta, control) -> None:
    res = staggered_did(mpdta, outcome="lemp", unit="countyreal", time="year",
                        cohort="first.treat", control=control, aggregation="simple")
    y, years, g = _matrix(mpdta, "lemp", "countyreal", "year", "first.treat")
    fast = dv.fast_att_gt(y, years, g, control=control)
    both = fast.merge(res.detail, on=["cohort", "time"], suffixes=("", "_cs"))
    assert len(both) == len(res.detail) == 12
    assert np.abs(both["att"] - both["att_cs"]).max() < 1e-10
    if control == "never":
        simple = dv.fast_simple_att(y, years, g)[0]
        assert simple == pytest.approx(res.att, abs=1e-10)
        assert simple == pytest.approx(-0.0400, abs=5e-4)  # CS (2021) / R did


def test_fast_att_gt_with_anticipation_equals_csdid(mpdta) -> None:
    data = mpdta[mpdta["first.treat"] != 2004]  # 2004 has no pre-period with anticipation
    res = staggered_did(data, outcome="lemp", unit="countyreal", time="year",
                        cohort="first.treat", anticipation=1)
    y, years, g = _matrix(data, "lemp", "countyreal", "year", "first.treat")
    fast = dv.fast_att_gt(y, years, g, anticipation=1)
    both = fast.merge(res.detail, on=["cohort", "time"], suffixes=("", "_cs"))
    assert np.abs(both["att"] - both["att_cs"]).max() < 1e-10


def test_event_pretest_leaves_out_the_anticipation_window(real_panel) -> None:
    """With anticipation of one year, e = -1 may hold an effect: the pre-test's five leads
    are e = -6..-2, not -5..-1."""
    panel, _ = real_panel
    plain = dv.devolution_att(panel, "log_gva_per_hour")
    early = dv.devolution_att(panel, "log_gva_per_hour", anticipation=1)
    assert plain.extra["event_pretrend"]["df"] == early.extra["event_pretrend"]["df"] == 5
    assert early.extra["event_pretrend"]["wald"] != plain.extra["event_pretrend"]["wald"]
    pre = dv.event_pretrend_test(early, early.extra["influence_clusters"], leads=None,
                                 anticipation=1)
    assert pre["df"] == len([e for e in dv.event_table(early)["event_time"] if e < -1])


def test_cell_pretest_reproduces_csdid_wald(mpdta) -> None:
    res = staggered_did(mpdta, outcome="lemp", unit="countyreal", time="year",
                        cohort="first.treat")
    test = dv.cell_pretrend_test(res)
    assert round(test["pvalue"], 5) == pytest.approx(0.16812, abs=1e-5)
    assert test["df"] == 5


def test_wild_bootstrap_se_close_to_analytic_and_seeded(mpdta) -> None:
    res = staggered_did(mpdta, outcome="lemp", unit="countyreal", time="year",
                        cohort="first.treat", aggregation="simple")
    units = np.asarray(res.extra["influence_units"])
    a = dv.wild_cluster_bootstrap(res, units, draws=999, seed=1)
    b = dv.wild_cluster_bootstrap(res, units, draws=999, seed=1)
    assert a.se == pytest.approx(res.se, rel=0.1)
    assert a.pvalue == b.pvalue and a.pvalue < 0.05
    assert dv.wild_cluster_bootstrap(res, units, weights="webb").se == pytest.approx(
        res.se, rel=0.1)


def _placebo_panel(rng: np.random.Generator, n_ca: int = 16, size: int = 4,
                   n_single: int = 60, years: range = range(2006, 2016)) -> pd.DataFrame:
    """Authorities of ``size`` districts and single districts, authority shocks, no effect;
    six authorities treated in 2011-2013, the rest never."""
    units = [(f"E470000{c:02d}", f"E080{c:02d}{k:03d}") for c in range(n_ca)
             for k in range(size)]
    units += [(f"E07{j:06d}", f"E07{j:06d}") for j in range(n_single)]
    cohort = {f"E470000{c:02d}": (2011, 2011, 2011, 2012, 2013, 2013)[c] if c < 6 else 0
              for c in range(n_ca)}
    rows = []
    shocks = {a: rng.normal(0, 0.05, len(years)).cumsum() for a, _ in units}
    for auth, lad in units:
        level = rng.normal(3, 0.2)
        noise = rng.normal(0, 0.02, len(years))
        for i, y in enumerate(years):
            rows.append((lad, y, auth, cohort.get(auth, 0), level + shocks[auth][i]
                         + noise[i]))
    return pd.DataFrame(rows, columns=["lad_code", "year", "authority", "cohort", "y"])


def test_randomisation_pvalue_is_uniform_under_placebo() -> None:
    rng = np.random.default_rng(2024)
    pvalues = [dv.randomisation_inference(_placebo_panel(rng), "y", draws=199,
                                          seed=s).pvalue for s in range(60)]
    pvalues = np.array(pvalues)
    assert 0.02 <= np.mean(pvalues <= 0.1) <= 0.25
    assert 0.35 <= pvalues.mean() <= 0.65
    from scipy import stats
    assert stats.kstest(pvalues, "uniform").pvalue > 0.01


def test_randomisation_detects_a_planted_effect() -> None:
    panel = _placebo_panel(np.random.default_rng(7))
    on = (panel["cohort"] > 0) & (panel["year"] >= panel["cohort"])
    panel.loc[on, "y"] += 0.3
    res = dv.randomisation_inference(panel, "y", draws=199, seed=0)
    assert res.att == pytest.approx(0.3, abs=0.1) and res.pvalue <= 0.02
    again = dv.randomisation_inference(panel, "y", draws=199, seed=0)
    assert again.pvalue == res.pvalue  # seeded
    with pytest.raises(ValueError, match="nothing to permute"):
        dv.randomisation_inference(panel.assign(authority=panel["lad_code"]), "y",
                                   within="combined")


def test_bordering_districts_on_a_grid() -> None:
    # 3 x 3 grid of 1 km squares; the centre borders all eight, a corner three
    cells = [(f"E0{r}{c}", box(c * 1000, r * 1000, (c + 1) * 1000, (r + 1) * 1000))
             for r in range(3) for c in range(3)]
    gdf = gpd.GeoDataFrame({"lad_code": [c for c, _ in cells]},
                           geometry=[g for _, g in cells], crs="EPSG:27700")
    assert len(dv.bordering_districts(gdf, ["E011"])) == 8
    assert dv.bordering_districts(gdf, ["E000"]) == {"E001", "E010", "E011"}
    assert dv.bordering_districts(gdf, ["E000"], tolerance=0) == {"E001", "E010", "E011"}
    assert dv.bordering_districts(gdf, ["nope"]) == set()


def _tiny_inputs():
    lookup = pd.DataFrame({
        "lad_code": ["A1", "A2", "B1", "C1", "L1", "X1"],
        "lad_code_active": ["A1", "A2", "B1", "C1", "L1", "X1"],
        "country_code": "E92000001",
        "region_code": ["R", "R", "R", "R", "E12000007", "R"],
    })
    districts = pd.DataFrame({
        "lad_code": ["A1", "A2", "B1", "C1"], "ca_code": ["E47A", "E47A", "E47B", "E47C"],
        "treatment_year": pd.array([2005, 2005, 2009, None], dtype="Int64"),
        "composition_changed": [False, False, True, False],
    })
    rows = [(lad, y, 1.0 + y - 2000) for lad in ["A1", "A2", "B1", "C1", "L1", "X1"]
            for y in range(2002, 2009)]
    series = pd.DataFrame(rows, columns=["lad_code", "year", "value"])
    return series, districts, lookup


def test_panel_cohorts_controls_and_accounting() -> None:
    series, districts, lookup = _tiny_inputs()
    series = series[~((series["lad_code"] == "X1") & (series["year"] == 2004))]  # a gap
    panel, acc = dv.devolution_panel(series, districts, lookup, outcome="y", log=True)
    units = panel.drop_duplicates("lad_code").set_index("lad_code")
    assert sorted(units.index) == ["A1", "A2", "B1", "C1"]  # London and the gap dropped
    assert units.loc["A1", "authority"] == "E47A" and units.loc["A1", "cohort"] == 2005
    assert units.loc["B1", "cohort"] == 0 and units.loc["B1", "future_cohort"] == 2009
    assert units.loc["B1", "authority"] == "E47B"
    assert units.loc["C1", "authority"] == "C1" and units.loc["C1", "cohort"] == 0
    assert acc["london_excluded"] == 1 and acc["dropped_gaps"] == 1
    assert acc["districts_kept"] == 4 and acc["future_treated_controls"] == 1
    assert panel["y"].iloc[0] == pytest.approx(np.log(3.0))
    assert len(panel) == 4 * 7
    late, acc = dv.devolution_panel(series, districts, lookup, outcome="y", first=2005)
    assert acc["dropped_no_pre_period"] == 2 and acc["cohorts_without_pre_period"] == [2005]


@pytest.fixture(scope="module")
def real_panel(district_productivity, mirror):
    from wmresearch.evidence.devolution import get_mayoral_districts, read_county_names

    data, lookup = district_productivity
    la = mirror / "geography/la_all_codes.csv.gz"
    districts = get_mayoral_districts(
        mirror / "reference/programmes/mayoral_combined_authorities.csv", lookup,
        read_county_names(la)).data
    series = dv.outcome_series("log_gva_per_hour", {"productivity_lad": data})
    return dv.devolution_panel(series, districts, lookup, outcome="log_gva_per_hour",
                               log=True, first=2004, last=2022)


def test_real_panel_cohorts(real_panel) -> None:
    panel, acc = real_panel
    assert acc["districts_outside_london"] == 263 and acc["districts_kept"] == 263
    assert {c: v["districts"] for c, v in acc["per_cohort"].items()} == {
        0: 214, 2017: 37, 2018: 4, 2019: 3, 2021: 5}
    assert acc["treated_authorities"] == 9 and acc["future_treated_controls"] == 34
    wm = panel[panel["authority"] == "E47000007"].drop_duplicates("lad_code")
    assert len(wm) == 7 and (wm["cohort"] == 2017).all()
    assert panel.groupby("lad_code").size().eq(19).all()


def test_real_fast_att_equals_csdid_and_ri_is_fast(real_panel) -> None:
    panel, _ = real_panel
    res = dv.devolution_att(panel, "log_gva_per_hour")
    y, years, g, _ = dv.panel_matrix(panel, "log_gva_per_hour")
    fast = dv.fast_att_gt(y, years, g)
    both = fast.merge(res.detail, on=["cohort", "time"], suffixes=("", "_cs"))
    assert len(both) == len(res.detail)
    assert np.abs(both["att"] - both["att_cs"]).max() < 1e-10
    assert dv.fast_simple_att(y, years, g)[0] == pytest.approx(res.att, abs=1e-10)
    start = time.perf_counter()
    ri = dv.randomisation_inference(panel, "log_gva_per_hour", draws=999, seed=0)
    assert time.perf_counter() - start < 20
    assert ri.att == pytest.approx(res.att, abs=1e-12) and 0 < ri.pvalue <= 1
    assert ri.extra["draws"].shape == (999,)
    assert res.method.endswith("SEs clustered by authority")


def test_real_tables_for_the_report(real_panel, district_productivity, mirror) -> None:
    from wmresearch.evidence.devolution import get_mayoral_districts, read_county_names

    panel, acc = real_panel
    assert acc["dropped_incomplete"] == 0
    res = dv.devolution_att(panel, "log_gva_per_hour")
    boot = dv.wild_cluster_bootstrap(res, res.extra["influence_clusters"], draws=199,
                                     weights="webb")
    assert boot.extra["clusters"] == 194  # 9 authorities + 185 control clusters
    table = dv.inference_table([("analytic", res), ("bootstrap", boot)])
    assert list(table["estimate_pct"]) == pytest.approx([100 * res.att] * 2)
    event = dv.event_table(dv.devolution_att(panel, "log_gva_per_hour",
                                             aggregation="dynamic"))
    assert event["event_time"].min() == -16 and event["event_time"].max() == 5
    data, lookup = district_productivity
    la = mirror / "geography/la_all_codes.csv.gz"
    districts = get_mayoral_districts(
        mirror / "reference/programmes/mayoral_combined_authorities.csv", lookup,
        read_county_names(la)).data
    out = dv.outcomes_table(dv.outcome_fits({"productivity_lad": data}, districts, lookup))
    assert len(out) == 2 and out.loc[0, "estimate"] == pytest.approx(100 * res.att)
    # treated by 2022: West Midlands 7, Greater Manchester 10, Liverpool City Region 6, Tees
    # Valley 5, West of England 3, Cambridgeshire & Peterborough 6, South Yorkshire 4, North
    # of Tyne 3, West Yorkshire 5 districts (current codes)
    assert out.loc[0, "treated_districts"] == acc["treated_districts"] == 49
    assert out.loc[0, "districts"] == 263 and out.loc[0, "authorities"] == 9
    # the robustness table's pre-trend column is the test the page states and Table 5 shows
    # (event-time leads, few-cluster F), defined for every specification
    threats = dv.threat_checks(panel, "log_gva_per_hour", headline=res)
    assert threats.loc[0, "pretrend_f"] == out.loc[0, "pretrend_p"]
    assert threats["pretrend_f"].between(0, 1).all()
