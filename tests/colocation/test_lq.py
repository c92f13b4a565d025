"""Location quotients, checked against printed textbook figures and against real BRES rows.

References
----------
* Krumme, G., "Shift & Share Table with Excel Explanations", University of Washington,
  Geography 350 (faculty.washington.edu/krumme/350/ssexcel.html): the region "Holukuluku",
  1985 employment 500/100/200/200 in industries I-IV (shares 50/10/20/20 %) against national
  shares 10/20/40/30 %, printed location quotients 5, 0.5, 0.5, .667 (column 3).
* REAT 3.0.3 (Wieland), ``locq`` help page example from Farhauer & Kroell (2013):
  ``locq(1714, 79006, 879213, 15593224)`` returns 0.3847623.
* US Cluster Mapping Project (Delgado, Porter & Stern 2016) API extract: published ``lq_tf``.
* ONS BRES open access via NOMIS, ``nomis/bres_employment_itl2_sic2_2015_2021.csv.gz``: the
  LQ of SIC division 29 in West Midlands metropolitan county (NUTS UKG3 / ITL TLG3) against
  Great Britain, recomputed here from the raw CSV rows with the csv module.
"""

from __future__ import annotations

import csv
import gzip

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation.lq import location_quotients, region_lq_table
from wmresearch.evidence.bres import get_bres_itl2_sic2

# Holukuluku (H) and the rest of the nation (R) chosen so that the nation H + R has the
# printed shares 10/20/40/30 % (1000/2000/4000/3000 of 10,000).
KRUMME = pd.DataFrame({
    "area": ["H"] * 4 + ["R"] * 4,
    "ind": ["I", "II", "III", "IV"] * 2,
    "emp": [500, 100, 200, 200, 500, 1900, 3800, 2800],
})


def test_krumme_printed_location_quotients():
    lq = location_quotients(KRUMME, region="area", industry="ind", value="emp")
    got = lq[lq["area"] == "H"].set_index("ind")["lq"]
    # printed to 3 decimals at most (".667"): tolerance 5e-4
    np.testing.assert_allclose(got[["I", "II", "III", "IV"]], [5, 0.5, 0.5, 0.667], atol=5e-4)


def test_benchmark_excluding_the_region():
    # Against R only (500/1900/3800/2800 of 9000), by hand: 0.5 / (500/9000) = 9.0,
    # 0.1 / (1900/9000) = 0.47368..., 0.2 / (3800/9000) = 0.47368..., 0.2 / (2800/9000)
    lq = location_quotients(KRUMME, region="area", industry="ind", value="emp",
                            benchmark=["R"])
    got = lq[lq["area"] == "H"].set_index("ind")["lq"]
    np.testing.assert_allclose(got[["I", "II", "III", "IV"]],
                               [9.0, 0.9 / 1.9, 1.8 / 3.8, 1.8 / 2.8], rtol=1e-12)
    with pytest.raises(KeyError, match="ZZ"):
        location_quotients(KRUMME, region="area", industry="ind", value="emp",
                           benchmark=["ZZ"])


def test_reat_locq_example_with_external_denominators():
    frame = pd.DataFrame({"r": ["j"], "i": ["i"], "e": [1714]})
    lq = location_quotients(frame, region="r", industry="i", value="e",
                            region_total=pd.Series({"j": 79006}),
                            industry_total=pd.Series({"i": 879213}), total=15593224)
    assert lq["lq"].iloc[0] == pytest.approx(0.3847623, abs=5e-8)  # printed to 7 d.p.


def test_zero_region_total_gives_nan_not_inf():
    frame = pd.DataFrame({"r": ["A", "B"], "i": ["x", "x"], "e": [0, 5]})
    lq = location_quotients(frame, region="r", industry="i", value="e")
    assert np.isnan(lq["lq"].iloc[0]) and lq["lq"].iloc[1] == 1


def test_min_size_filters_are_flagged_not_dropped():
    lq = location_quotients(KRUMME, region="area", industry="ind", value="emp",
                            min_size=150, min_industry_size=1500)
    assert len(lq) == len(KRUMME)
    row = lq.set_index(["area", "ind"])
    assert row.loc[("H", "II"), "filtered"] and np.isnan(row.loc[("H", "II"), "lq"])
    assert row.loc[("H", "II"), "lq_raw"] == pytest.approx(0.5)
    # industry I has 1000 in the nation: filtered everywhere, with its reason
    assert "min_industry_size" in row.loc[("R", "I"), "filter_reason"]
    assert not row.loc[("H", "III"), "filtered"] and row.loc[("H", "III"), "lq"] == 0.5


def test_sic_digits_aggregates_subclasses():
    frame = pd.DataFrame({"a": ["A", "A", "A", "B", "B", "B"],
                          "sic": ["29100", "29201", "10110"] * 2,
                          "e": [30, 10, 60, 5, 5, 90]})
    lq = location_quotients(frame, region="a", industry="sic", value="e", sic_digits=2)
    got = lq.set_index(["a", "sic"])["lq"]
    # division 29: A 40/100 vs nation 50/200
    assert got[("A", "29")] == pytest.approx(0.4 / 0.25)
    with pytest.raises(ValueError, match="2910x"):
        location_quotients(frame.assign(sic=["2910x"] + list(frame["sic"][1:])), region="a",
                           industry="sic", value="e", sic_digits=2)


def test_bad_input_is_named():
    bad = KRUMME.copy()
    bad.loc[3, "emp"] = -5
    with pytest.raises(ValueError, match="negative"):
        location_quotients(bad, region="area", industry="ind", value="emp")
    with pytest.raises(ValueError, match="duplicate"):
        location_quotients(pd.concat([KRUMME, KRUMME.head(1)]), region="area",
                           industry="ind", value="emp")
    with pytest.raises(KeyError, match="jobs"):
        location_quotients(KRUMME, region="area", industry="ind", value="jobs")


def test_region_lq_table_sums_areas_first():
    frame = pd.DataFrame({"area": ["a1", "a1", "a2", "a2", "b", "b"],
                          "sic": ["x", "y"] * 3, "emp": [10, 0, 10, 20, 5, 55]})
    lq = region_lq_table(frame, ["a1", "a2"], area_col="area", industry_col="sic",
                         value_col="emp")
    # region: x=20, y=20 of 40; nation: x=25, y=75 of 100
    assert lq.set_index("sic")["lq"].to_dict() == pytest.approx({"x": 0.5 / 0.25,
                                                                 "y": 0.5 / 0.75})
    with pytest.raises(KeyError, match="zz"):
        region_lq_table(frame, ["zz"], area_col="area", industry_col="sic", value_col="emp")
    with pytest.raises(ValueError, match="some of the region"):
        region_lq_table(frame, ["a1", "a2"], area_col="area", industry_col="sic",
                        value_col="emp", benchmark=["a1", "b"])


def test_fifty_state_approximation_close_to_uscmp(mirror):
    """In-table sums over the 50 states stay close to USCMP's published LQs, whose national
    totals include DC and Puerto Rico (so exact equality is not expected)."""
    data = pd.read_csv(mirror / "reference/us_cluster_mapping/uscmp_api_states_clusters.csv")
    data = data[data["emp_tl"] > 0]
    lq = location_quotients(data, region="region_code_t", industry="cluster_code_t",
                            value="emp_tl", by=["traded_b"])
    rel = (lq["lq"] / lq["lq_tf"] - 1).abs()
    assert rel.median() < 0.01 and rel.quantile(0.95) < 0.1


def _raw_division29_lq(path) -> dict[int, float]:
    """LQ of division 29 in UKG3 vs GB per year, straight from the NOMIS CSV rows."""
    total, ind, region, cell = {}, {}, {}, {}
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["COUNT"].strip():  # blank = suppressed (Scottish farm data)
                continue
            year, count = int(row["DATE"]), float(row["COUNT"])
            total[year] = total.get(year, 0.0) + count
            if row["INDUSTRY_CODE"] == "29":
                ind[year] = ind.get(year, 0.0) + count
            if row["GEOGRAPHY_CODE"] == "UKG3":
                region[year] = region.get(year, 0.0) + count
                if row["INDUSTRY_CODE"] == "29":
                    cell[year] = count
    return {y: (cell[y] / region[y]) / (ind[y] / total[y]) for y in cell}


def test_motor_vehicles_lq_west_midlands_matches_raw_nomis_rows(mirror_file):
    path = mirror_file("nomis/bres_employment_itl2_sic2_2015_2021.csv.gz")
    expected = _raw_division29_lq(path)
    bres = get_bres_itl2_sic2(path).data
    lq = region_lq_table(bres, ["TLG3"], area_col="itl2_code", industry_col="sic_code",
                         by=["year"])
    got = lq[lq["sic_code"] == "29"].set_index("year")["lq"]
    assert set(expected) == set(range(2015, 2022))
    for year, value in expected.items():
        assert got[year] == pytest.approx(value, rel=1e-12), year
