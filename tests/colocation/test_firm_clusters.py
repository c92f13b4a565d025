"""HDBSCAN firm clusters: recovery of clusters planted at known places, stability, errors.

References
----------
* Campello, Moulavi and Sander (2013), PAKDD, LNCS 7819:160-172 (HDBSCAN), through
  ``sklearn.cluster.HDBSCAN`` (scikit-learn 1.9).
* Hennig, C. (2007), "Cluster-wise assessment of cluster stability", CSDA 52:258-271,
  section 2: the cluster-wise Jaccard of an original cluster C in a subsample S is
  :math:`\\max_D |C \\cap S \\cap D| / |(C \\cap S) \\cup D|`; mean >= 0.75 means "stable".
* Hubert and Arabie (1985), J. Classification 2:193-218: adjusted Rand index
  (``sklearn.metrics.adjusted_rand_score``), 1 for a perfect recovery, ~0 by chance.

Ground truth is independent of the clustering code: the ``planted`` labels of
:func:`wmresearch.colocation.firms.synthetic_firm_register`. Threshold: ARI > 0.8 at a quarter
of the region's workforce (background firms inside a planted disc cannot be told apart from
planted ones; they are labelled noise in the truth, so a perfect method scores below 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.metrics import adjusted_rand_score

from tests.colocation.test_firms import WMCA, real_tables  # noqa: F401 (fixture)
from wmresearch.colocation.firm_clusters import cluster_jaccard, firm_clusters
from wmresearch.colocation.firm_clusters import core_members as firm_clusters_core
from wmresearch.colocation.firms import synthetic_firm_register


def test_cluster_jaccard_hand_example():
    # C0 = {0, 1, 2, 3}; subsample S = {0, 1, 2, 4, 5}; rerun clusters D1 = {0, 1, 4},
    # D2 = {2, 5}. C0 in S = {0, 1, 2}: J(D1) = 2/4, J(D2) = 1/4 -> 0.5 (Hennig 2007, eq. 2.1)
    reference = np.array([0, 0, 0, 0, -1, -1])
    subsample = np.array([0, 1, 2, 4, 5])
    labels = np.array([1, 1, 2, 1, 2])
    assert cluster_jaccard(reference, subsample, labels) == {0: 0.5}
    assert cluster_jaccard(reference, subsample, np.full(5, -1)) == {0: 0.0}


def blobs(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = [(400000, 280000), (405000, 280000)]
    xy = np.vstack([rng.normal(c, 150, (60, 2)) for c in centres]
                   + [rng.uniform((395000, 275000), (410000, 285000), (30, 2))])
    return pd.DataFrame({"firm_id": [f"F{i}" for i in range(len(xy))], "easting": xy[:, 0],
                         "northing": xy[:, 1], "sic_code": ["29100"] * 120 + ["47110"] * 30,
                         "employment": 10})


def test_outlines_contain_their_core_firms_and_are_in_bng():
    firms = blobs()
    res = firm_clusters(firms, industry_groups={"all": ["29", "47"]}, min_cluster_size=20,
                        n_boot=5, seed=1)
    assert res.outlines.crs.to_epsg() == 27700 and len(res.outlines) == 2
    assert sorted(res.outlines["n_firms"]) == sorted(
        res.labels[res.labels["cluster"] >= 0]["cluster"].value_counts())
    merged = res.labels.merge(firms, on="firm_id")
    every = firm_clusters(firms, industry_groups={"all": ["29", "47"]}, min_cluster_size=20,
                          n_boot=0, core_probability=0.0)
    for (_, out), whole in zip(res.outlines.iterrows(), every.outlines.geometry, strict=True):
        pts = merged[merged["cluster"] == out["cluster"]]
        core = pts[pts["probability"] >= 0.5]   # the default core_probability
        assert out["n_outlined"] == len(core) < out["n_firms"] == len(pts)
        assert out["geometry"].buffer(1e-6).contains(
            shapely.points(core[["easting", "northing"]].to_numpy())).all()
        assert whole.buffer(1e-6).contains(
            shapely.points(pts[["easting", "northing"]].to_numpy())).all()
        assert out["employment"] == 10 * out["n_firms"]
        assert out["stability"] >= 0.75  # Hennig's "stable"
    again = firm_clusters(firms, industry_groups={"all": ["29", "47"]}, min_cluster_size=20,
                          n_boot=5, seed=1)
    pd.testing.assert_frame_equal(pd.DataFrame(res.outlines.drop(columns="geometry")),
                                  pd.DataFrame(again.outlines.drop(columns="geometry")))


def test_errors_name_the_industry_group():
    firms = blobs()
    with pytest.raises(KeyError, match="industry group 'pharma'"):
        firm_clusters(firms, industry_groups={"pharma": ["21"]})
    with pytest.raises(ValueError, match="industry group 'retail' has 30 firms, fewer than "
                                         "min_cluster_size=50"):
        firm_clusters(firms, industry_groups={"retail": ["47"]}, min_cluster_size=50)
    bad = firms.assign(easting=firms["easting"].where(firms.index != 3))
    with pytest.raises(ValueError, match="'easting'.*firm 'F3'"):
        firm_clusters(bad, industry_groups={"all": ["29"]})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_recovers_planted_clusters(real_tables, seed):  # noqa: F811
    reg = synthetic_firm_register(WMCA, seed=seed, scale=0.25, **real_tables)
    res = firm_clusters(reg.firms, industry_groups={"planted": ["21", "30", "72"]},
                        min_cluster_size=30, n_boot=10, seed=seed)
    lab = res.labels.merge(reg.firms[["firm_id", "planted", "synthetic"]], on="firm_id")
    assert adjusted_rand_score(lab["planted"], lab["cluster"]) > 0.8
    assert len(res.outlines) == 3 and (res.outlines["stability"] >= 0.75).all()
    assert res.outlines["synthetic"].all() and "Synthetic" in res.outlines.attrs["synthetic"]
    for _, t in reg.truth.iterrows():
        centre = shapely.Point(t["centre_easting"], t["centre_northing"])
        assert res.outlines.contains(centre).sum() == 1


def test_core_members_by_hand():
    p = np.array([1.0, 0.9, 0.5, 0.49, 0.03])
    assert firm_clusters_core(p, 0.5).tolist() == [True, True, True, False, False]
    assert firm_clusters_core(p, 0.0).all()
    # fewer than three at the level: the three most probable, ties in input order
    assert firm_clusters_core(np.array([0.2, 0.9, 0.2, 0.1]), 0.95).tolist() == \
        [True, True, True, False]
    assert firm_clusters_core(np.array([0.2, 0.1]), 0.95).all()


def test_a_lone_distant_member_does_not_stretch_the_outline():
    # Two tight clusters of 40 firms 30 km apart, and one firm 5 km from the first. The firm
    # is still with the first cluster when the two split (at about 25 km), so HDBSCAN keeps it
    # as a member, falling out only at about 5 km: membership probability ~0.03.
    rng = np.random.default_rng(4)
    xy = np.vstack([rng.normal((400000, 280000), 100, (40, 2)),
                    rng.normal((430000, 280000), 100, (40, 2)), [[405000.0, 280000.0]]])
    firms = pd.DataFrame({"firm_id": [f"F{i}" for i in range(len(xy))], "easting": xy[:, 0],
                          "northing": xy[:, 1], "sic_code": "29100", "employment": 1})
    kw = dict(industry_groups={"g": ["29"]}, min_cluster_size=20, n_boot=0)
    every = firm_clusters(firms, core_probability=0.0, **kw)
    cored = firm_clusters(firms, core_probability=0.5, **kw)
    lone = cored.labels.set_index("firm_id").loc["F80"]
    assert lone["cluster"] >= 0 and lone["probability"] < 0.05
    first = cored.outlines.set_index("cluster").loc[lone["cluster"]]
    assert (first["n_firms"], first["n_outlined"]) == (41, 40)
    assert every.outlines["n_firms"].tolist() == cored.outlines["n_firms"].tolist()
    assert not first["geometry"].contains(shapely.Point(405000, 280000))
    assert first["geometry"].contains(shapely.Point(400000, 280000))
    # about 0.2 km2 around the 40 firms, against about 1 km2 with the lone firm's spike
    stretched = every.outlines.set_index("cluster").loc[lone["cluster"], "area_km2"]
    assert first["area_km2"] < 0.5 < stretched
