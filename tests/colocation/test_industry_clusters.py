"""Data-driven industry clusters after Delgado, Porter & Stern (2016), checked on the US
Cluster Mapping Project's published data.

References
----------
* Delgado, Porter & Stern (2016), "Defining clusters of related industries", *Journal of
  Economic Geography* 16(1), 1-38 (DPS); US Cluster Mapping Project files in the mirror's
  reference/us_cluster_mapping/: uscmp_api_states_clusters.csv (50 states x 67 clusters,
  2016), uscmp_relatedClusters.csv (51 x 51 published relatedness: cr_lcemp, cr_lcest,
  cr_lc; DPS "related" flag rel_all_90_v3), bcd2016_traded_naics_to_cluster.csv.
* Hubert & Arabie (1985) adjusted Rand index; scikit-learn ``adjusted_rand_score`` user guide
  examples (scikit-learn 1.x, "Rand index" section).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from wmresearch.colocation.industry_clusters import (
    adjusted_rand_index,
    choose_industry_clusters,
    cluster_industries,
    compare_with_plan,
    similarity_to_distance,
    validation_scores,
)
from wmresearch.colocation.relatedness import (
    combined_relatedness,
    lq_correlation,
    percentile_rank,
)

US = "reference/us_cluster_mapping/"


@pytest.fixture(scope="module")
def us_related(mirror):
    rel = pd.read_csv(mirror / US / "uscmp_relatedClusters.csv",
                      dtype={"clustera": str, "clusterb": str})
    return rel[~rel["diag"]]


def _pairs(matrix: pd.DataFrame, rel: pd.DataFrame) -> np.ndarray:
    rows = matrix.index.get_indexer(rel["clustera"])
    cols = matrix.columns.get_indexer(rel["clusterb"])
    return matrix.to_numpy()[rows, cols]


def test_lq_correlation_reproduces_published_colocation_ranking(mirror, us_related):
    """DPS "LC" from 50 states x 51 traded clusters vs the published cr_lc (1,275 pairs).

    The published cr_lc is the mean of cr_lcemp and cr_lcest (checked below to 1e-6), each a
    correlation of LQs computed by DPS from county/EA data for 6-digit NAICS industries and
    averaged over the clusters' industry pairs; from state-level cluster totals we can only
    approximate it. Measured Spearman rank correlation: 0.241 (employment and establishment
    LQ correlations averaged), against about 0 (mean 0.00, sd 0.05, max 0.12 over 200
    permutations) when the
    clusters are shuffled (a Mantel test). Threshold: 0.20, and above every permutation.
    """
    states = pd.read_csv(mirror / US / "uscmp_api_states_clusters.csv",
                         dtype={"region_code_t": str, "cluster_code_t": str})
    rel = us_related
    np.testing.assert_allclose(rel["cr_lc"], (rel["cr_lcemp"] + rel["cr_lcest"]) / 2,
                               atol=1e-6)
    traded = sorted(rel["clustera"].unique(), key=int)
    lc = sum(lq_correlation(states, area="region_code_t", industry="cluster_code_t", value=v,
                            industries=traded) for v in ("emp_tl", "est_tl")) / 2
    rho = spearmanr(_pairs(lc, rel), rel["cr_lc"]).statistic
    assert rho > 0.20
    assert rho == pytest.approx(0.241, abs=0.005)
    rng = np.random.default_rng(20160101)
    null = []
    for _ in range(200):
        perm = rng.permutation(traded)
        shuffled = pd.DataFrame(lc.loc[perm, perm].to_numpy(), index=traded, columns=traded)
        null.append(spearmanr(_pairs(shuffled, rel), rel["cr_lc"]).statistic)
    assert rho > max(null)


def test_clustering_published_relatedness_keeps_dps_related_pairs_together(us_related):
    """Average-linkage clusters of the published cr_lc keep DPS's related pairs together.

    rel_all_90_v3 flags 128 pairs DPS call related (top decile on co-location, input-output
    and occupation links together), so it is not cr_lc alone. At each k from 5 to 15 the
    share of flagged pairs in the same cluster must beat random relabellings with the same
    cluster sizes: permutation p-value (share of 200 relabellings at least as high) <= 0.01.
    Measured: 0.98-1.00 of flagged pairs together against base rates 0.50-0.85; p = 0.005 at
    k = 5 (one giant cluster), 0 from k = 6.
    """
    rel = us_related
    traded = sorted(rel["clustera"].unique(), key=int)
    published = (rel.pivot(index="clustera", columns="clusterb", values="cr_lc")
                 .reindex(index=traded, columns=traded).fillna(1.0))
    result = choose_industry_clusters(percentile_rank(published), range(5, 16))
    flagged = rel[rel["rel_all_90_v3"] == 1]
    rng = np.random.default_rng(7)
    for k in range(5, 16):
        labels = result.labels_by_k[k]
        same = np.mean(labels[flagged["clustera"]].to_numpy()
                       == labels[flagged["clusterb"]].to_numpy())
        null = []
        for _ in range(200):
            perm = pd.Series(rng.permutation(labels.to_numpy()), index=labels.index)
            null.append(np.mean(perm[flagged["clustera"]].to_numpy()
                                == perm[flagged["clusterb"]].to_numpy()))
        assert np.mean(np.array(null) >= same) <= 0.01, k
    # pairs DPS flag as related and that name the same activity end in one cluster
    names = rel.drop_duplicates("clustera").set_index("cluster_name")["clustera"]
    labels = result.labels_by_k[10]
    for a, b in [("Music and Sound Recording", "Performing Arts"),
                 ("Financial Services", "Insurance Services"),
                 ("Apparel", "Leather and Related Products")]:
        assert rel.loc[(rel["cluster_name"] == a) & (rel["cluster_name_2"] == b),
                       "rel_all_90_v3"].item() == 1
        assert labels[names[a]] == labels[names[b]], (a, b)


def _planted(seed: int = 3, n_areas: int = 40, groups: int = 4, per_group: int = 6):
    """Area x industry employment with known groups: each group thrives in its own areas."""
    rng = np.random.default_rng(seed)
    host = rng.integers(0, groups, size=n_areas)
    rows, truth = [], {}
    for g in range(groups):
        for j in range(per_group):
            name = f"g{g}i{j}"
            truth[name] = g
            base = rng.uniform(200, 800)
            for m in range(n_areas):
                boost = 6.0 if host[m] == g else 1.0
                rows.append({"area": f"A{m:02d}", "industry": name,
                             "employment": base * boost * rng.lognormal(0, 0.25)})
    return pd.DataFrame(rows), pd.Series(truth)


def test_planted_groups_recovered_and_k_chosen():
    frame, truth = _planted()
    similarity = combined_relatedness(frame, area="area", industry="industry",
                                      value="employment")
    for criterion in ("silhouette", "own_cluster_share"):
        result = choose_industry_clusters(similarity, range(2, 9), criterion=criterion)
        if criterion == "silhouette":
            assert result.k == 4
        assert adjusted_rand_index(result.labels_by_k[4], truth) == 1.0
    scores = result.scores.loc[4]
    assert scores["own_cluster_share"] == 1.0 and scores["top_related_share"] == 1.0
    assert scores["within_between_ratio"] > 1.5
    # determinism: the same inputs give identical labels
    again = choose_industry_clusters(similarity, range(2, 9))
    pd.testing.assert_series_equal(again.labels, result.labels_by_k[4].rename("cluster"))
    assert list(result.members.loc[1, "industries"].split(", "))[:2] == ["g0i0", "g0i1"]


def test_adjusted_rand_index_matches_scikit_learn_documented_examples():
    """scikit-learn user guide: ARI([0,0,1,1],[0,0,1,2]) = 0.57 (2 d.p.); relabelling gives
    1.0; ARI([0,0,0,0],[0,1,2,3]) = 0.0 (Hubert & Arabie 1985 adjustment)."""
    idx = list("abcd")
    s = lambda v: pd.Series(v, index=idx)  # noqa: E731
    assert adjusted_rand_index(s([0, 0, 1, 2]), s([0, 0, 1, 1])) == pytest.approx(0.57, abs=0.005)
    assert adjusted_rand_index(s([1, 1, 0, 0]), s([0, 0, 1, 1])) == 1.0
    assert adjusted_rand_index(s([0, 1, 2, 3]), s([0, 0, 0, 0])) == 0.0
    with pytest.raises(KeyError, match="only one grouping.*'e'"):
        adjusted_rand_index(s([0, 0, 1, 1]), pd.Series([0, 0, 1, 1, 2], index=list("abcde")))
    assert adjusted_rand_index(s([0, 0, 1, 1]), pd.Series([0, 0, 1, 1, 2], index=list("abcde")),
                               missing="drop") == 1.0


def test_compare_with_plan_confirmation_definition():
    """A plan code is confirmed iff another code of its plan cluster shares its data cluster."""
    labels = pd.Series({"2910": 1, "2932": 1, "3030": 2, "2562": 2, "6201": 3})
    plan = pd.DataFrame({"cluster": ["auto", "auto", "auto", "aero", "aero", "dig"],
                         "sic5_code": ["29100", "29320", "25620", "30300", "25620", "58210"]})
    out = compare_with_plan(labels, plan)
    conf = out.confirmation.set_index("plan_cluster")
    # auto: 2910 & 2932 share cluster 1 (confirmed), 2562 is alone in cluster 2 -> 2 of 3
    assert conf.loc["auto", ["n_codes", "n_confirmed"]].tolist() == [3, 2]
    # aero: 3030 and 2562 both in cluster 2 -> 2 of 2
    assert conf.loc["aero", ["n_codes", "n_confirmed"]].tolist() == [2, 2]
    # dig: 5821 is not in the data-driven grouping -> listed, not counted, not confirmed
    assert conf.loc["dig", ["n_listed", "n_codes", "n_confirmed"]].tolist() == [1, 0, 0]
    row = out.overlap[(out.overlap["data_cluster"] == 2) & (out.overlap["plan_cluster"] == "aero")]
    assert row["shared"].item() == "2562, 3030"


def test_bad_relatedness_inputs_are_named():
    sim = pd.DataFrame([[1, 0.5, np.nan], [0.5, 1, 0.2], [np.nan, 0.2, 1]],
                       index=list("xyz"), columns=list("xyz"))
    with pytest.raises(ValueError, match=r"\('x', 'z'\)"):
        similarity_to_distance(sim)
    sim = sim.fillna(0.1)
    with pytest.raises(KeyError, match="without a label.*'z'"):
        validation_scores(sim, pd.Series({"x": 1, "y": 1}))
    with pytest.raises(ValueError, match="between 1 and 3"):
        cluster_industries(sim, 4)
    # p has 2 of 10 jobs in both areas: LQ = 1 everywhere, so no correlation is defined
    flat = pd.DataFrame({"area": ["a", "b", "a", "b", "a", "b"],
                         "industry": ["p", "p", "q", "q", "r", "r"],
                         "employment": [2.0, 2.0, 5.0, 2.0, 1.0, 3.0]})
    with pytest.raises(ValueError, match=r"\['p'\].*same LQ"):
        lq_correlation(flat, area="area", industry="industry", value="employment",
                       area_total=pd.Series({"a": 10.0, "b": 10.0}))


def test_uk_bres_sic5_clusters_run_and_are_deterministic(mirror):
    from wmresearch.evidence.bres import get_bres_itl2_sic5

    bres = get_bres_itl2_sic5(mirror / "nomis/bres_employment_itl2_sic5_2015_2021.csv.gz").data
    year = bres[(bres["year"] == 2021) & ~bres["is_defra_agri"].astype(bool)]
    year = year.assign(employment=year["employment"].astype(float).fillna(0.0))
    sim = combined_relatedness(year, area="itl2_code", industry="sic_code", value="employment",
                               min_employment=1000)
    excluded = sim.attrs["excluded"]
    assert len(sim) + len(excluded) == year["sic_code"].nunique()
    first = choose_industry_clusters(sim, [20, 40])
    second = choose_industry_clusters(sim, [20, 40])
    pd.testing.assert_series_equal(first.labels, second.labels)
    assert first.members["size"].sum() == len(sim)
