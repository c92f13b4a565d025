"""Location quotients, checked against the US Cluster Mapping Project's published LQs.

Reference: Delgado, Porter & Stern (2016), US Cluster Mapping Project API extract 2016
(mirror: reference/us_cluster_mapping/uscmp_api_states_clusters.csv), 50 states x 67 clusters
with employment (emp_tl), the state's share (region_emp_per_tf), the state's share of the
national cluster (cluster_emp_per_tf) and the LQ (lq_tf). USCMP computes traded and local
cluster LQs separately, against national totals that include DC and Puerto Rico.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation import location_quotients, region_lq_table


def test_textbook_example():
    # Two regions, two industries: region A has 60 of its 100 jobs in x; nation 80 of 200.
    frame = pd.DataFrame({"r": ["A", "A", "B", "B"], "i": ["x", "y", "x", "y"],
                          "e": [60, 40, 20, 80]})
    lq = location_quotients(frame, region="r", industry="i", value="e")
    assert lq["lq"].tolist() == pytest.approx([0.6 / 0.4, 0.4 / 0.6, 0.2 / 0.4, 0.8 / 0.6])


def test_zero_region_total_gives_nan_not_inf():
    frame = pd.DataFrame({"r": ["A", "B"], "i": ["x", "x"], "e": [0, 5]})
    lq = location_quotients(frame, region="r", industry="i", value="e")
    assert np.isnan(lq["lq"].iloc[0]) and lq["lq"].iloc[1] == 1


@pytest.fixture(scope="module")
def uscmp(mirror):
    data = pd.read_csv(mirror / "reference/us_cluster_mapping/uscmp_api_states_clusters.csv")
    return data[data["emp_tl"] > 0].copy()


def test_reproduces_uscmp_lq_with_published_denominators(uscmp):
    for traded, group in uscmp.groupby("traded_b"):
        region_total = (group["emp_tl"] / group["region_emp_per_tf"]).groupby(
            group["region_code_t"]).median()
        cluster_total = (group["emp_tl"] / group["cluster_emp_per_tf"]).groupby(
            group["cluster_code_t"]).median()
        # national total recovered once from the first row; every other row is then a check
        first = group.iloc[0]
        national = (first["lq_tf"] * cluster_total[first["cluster_code_t"]]
                    / first["region_emp_per_tf"])
        lq = location_quotients(group, region="region_code_t", industry="cluster_code_t",
                                value="emp_tl", region_total=region_total,
                                industry_total=cluster_total, total=national)
        np.testing.assert_allclose(lq["lq"], group["lq_tf"], rtol=1e-5,
                                   err_msg=f"traded={traded}")


def test_fifty_state_approximation_close_to_uscmp(uscmp):
    """With in-table sums (50 states only) LQs stay close to the published ones."""
    lq = location_quotients(uscmp, region="region_code_t", industry="cluster_code_t",
                            value="emp_tl", by=["traded_b"])
    rel = (lq["lq"] / lq["lq_tf"] - 1).abs()
    assert rel.median() < 0.01 and rel.quantile(0.95) < 0.1


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
