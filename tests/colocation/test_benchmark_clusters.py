"""UK benchmark clusters (DPS 2016 method) and the ITL2 cluster map.

DPS's published validation scores are for 778 US NAICS industries and cannot be reproduced
on UK data, so these tests check properties: the locational Gini by hand, validation scores
by hand on a small matrix, recovery of a planted block structure (which then beats the
division baseline), and the cluster map's LQ, share, growth and strong-cluster rule by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wmresearch.colocation import benchmark_clusters as bc
from wmresearch.colocation.cluster_map import cluster_map, peer_comparison


def test_locational_gini_by_hand():
    pop = pd.Series([100.0, 100.0], index=["a", "b"])
    emp = pd.DataFrame({"even": [50.0, 50.0], "one": [0.0, 80.0]}, index=["a", "b"])
    g = bc.locational_gini(emp, pop)
    assert g["even"] == pytest.approx(0.0)
    # sorted a (0 jobs), b: s = 0, 0, 1; q = 0, .5, 1 -> 1 - (.5*0 + .5*1) = 0.5
    assert g["one"] == pytest.approx(0.5)
    traded = bc.traded_industries(emp, pop, threshold=0.3)
    assert traded.set_index("industry")["traded"].to_dict() == {"even": False, "one": True}
    with pytest.raises(KeyError, match="c"):
        bc.locational_gini(emp.rename(index={"b": "c"}), pop)


def test_dps_scores_by_hand():
    sim = pd.DataFrame([[1, .9, .1, .2], [.9, 1, .3, .1], [.1, .3, 1, .8], [.2, .1, .8, 1]],
                       index=list("wxyz"), columns=list("wxyz"), dtype=float)
    scores = bc.dps_scores({"m": sim}, pd.Series([1, 1, 2, 2], index=list("wxyz"))).loc["m"]
    assert scores["wcr"] == pytest.approx((.9 + .8) / 2)
    assert scores["bcr"] == pytest.approx((.1 + .2 + .3 + .1) / 4)
    assert scores["vs_ri"] == 1.0
    wrong = bc.dps_scores({"m": sim}, pd.Series([1, 2, 1, 2], index=list("wxyz"))).loc["m"]
    assert wrong["vs_ri"] == 0.0 and wrong["ratio"] < 1


def test_planted_blocks_are_recovered_and_beat_the_division_baseline():
    rng = np.random.default_rng(0)
    codes = [f"{d}{i:02d}" for d in ("10", "20", "30") for i in range(6)]
    truth = pd.Series([i % 3 for i in range(len(codes))],
                      index=codes)          # blocks cut across the divisions
    noise = rng.uniform(0, .2, (18, 18))
    values = np.where(truth.to_numpy()[:, None] == truth.to_numpy()[None, :], .8, .1)
    values = (values + (noise + noise.T) / 2)
    np.fill_diagonal(values, 1.0)
    sim = bc.percentile_rank(pd.DataFrame(values, index=codes, columns=codes))
    measures = {"a": sim, "b": sim, "combined": sim}
    found = bc.candidate_clusterings(measures, range(2, 7), seed=1)
    assert found.k == 3
    from sklearn.metrics import adjusted_rand_score
    assert adjusted_rand_score(truth, found.labels) == 1.0
    chosen = found.scores.query("algorithm == @found.algorithm and k == 3 and measure == 'a'")
    assert chosen["ratio"].iloc[0] > found.baseline.loc["a", "ratio"]
    table = bc.definitions_table(found.labels, measures, pd.Series(dtype=str),
                                 pd.Series(1.0, index=codes), "v-test")
    assert len(table) == 18 and table["relatedness_a"].between(0.5, 1).all()


def test_cluster_map_by_hand():
    emp = pd.DataFrame([(y, a, i, v) for y, rows in {
        2015: [("A", "1", 10), ("A", "2", 90), ("B", "1", 10), ("B", "2", 90)],
        2021: [("A", "1", 40), ("A", "2", 60), ("B", "1", 10), ("B", "2", 90)]}.items()
        for a, i, v in rows], columns=["year", "itl2_code", "sic4_code", "employment"])
    defs = pd.DataFrame({"sic4_code": ["1"], "cluster": [1], "cluster_name": ["one"]})
    out = cluster_map(emp, defs, start=2015, end=2021, lq_threshold=1.25, min_employment=20,
                      top_share=0.5).set_index("itl2_code")
    # A: 40/100 over 50/200 = 1.6; share 40/50; growth +300%
    assert out.loc["A", "lq"] == pytest.approx(1.6)
    assert out.loc["A", "national_share"] == pytest.approx(0.8)
    assert out.loc["A", "growth"] == pytest.approx(3.0)
    assert bool(out.loc["A", "strong"]) and not bool(out.loc["B", "strong"])
    peers = peer_comparison(out.reset_index(), ["A"]).set_index("itl2_code")
    assert peers.loc["A", "strong_clusters"] == 1 and peers.loc["A", "chosen"]
    with pytest.raises(ValueError, match="2016"):
        cluster_map(emp, defs, start=2016, end=2021)


def test_cluster_names_by_theme_else_largest_and_related():
    labels = pd.Series({"2910": 1, "2932": 1, "2511": 1, "4711": 2, "5510": 2, "6201": 3})
    names = pd.Series({"2910": "Motor vehicles", "2932": "Vehicle parts",
                       "2511": "Structural metal", "4711": "Retail in stores",
                       "5510": "Hotels", "6201": "Programming"})
    jobs = pd.Series({"2910": 60.0, "2932": 30.0, "2511": 50.0, "4711": 40.0, "5510": 35.0,
                      "6201": 10.0})
    themes = pd.Series({"29": "Manufacture of motor vehicles", "47": "Retail trade"})
    out = bc.cluster_names(labels, names, jobs, themes)
    assert out[1] == "Manufacture of motor vehicles"  # division 29: 90 of 140 jobs
    assert out[2] == "Retail trade"  # division 47: 40 of 75 jobs, over half
    assert out[3] == "Programming"  # a cluster of one keeps its class's name


def test_cluster_without_a_theme_takes_its_largest_class():
    labels = pd.Series({"4711": 1, "5510": 1, "6201": 1})
    names = pd.Series({"4711": "Retail in stores", "5510": "Hotels", "6201": "Programming"})
    jobs = pd.Series({"4711": 40.0, "5510": 35.0, "6201": 30.0})
    out = bc.cluster_names(labels, names, jobs, pd.Series({"47": "Retail trade"}))
    assert out[1] == "Retail in stores and related"  # no division has half of 105 jobs


def test_two_clusters_of_one_theme_are_told_apart():
    labels = pd.Series({"5210": 1, "5224": 1, "5229": 2, "5221": 2})
    names = pd.Series({"5210": "Warehousing and storage", "5224": "Cargo handling",
                       "5229": "Other transport support", "5221": "Land transport support"})
    jobs = pd.Series({"5210": 50.0, "5224": 10.0, "5229": 40.0, "5221": 5.0})
    out = bc.cluster_names(labels, names, jobs, pd.Series({"52": "Warehousing"}))
    assert out.tolist() == ["Warehousing: mainly warehousing and storage",
                            "Warehousing: mainly other transport support"]


def test_validation_table_quotes_the_mean_over_measures_not_the_combined_similarity():
    # scores of two configurations, by hand; the chosen one is complete linkage, k = 2
    scores = pd.DataFrame({
        "algorithm": ["complete"] * 3 + ["average"] * 3, "k": [2] * 3 + [3] * 3,
        "measure": ["a", "b", "combined"] * 2,
        "ratio": [2.0, 1.0, 1.6, 9.0, 9.0, 9.0], "vs_ri": [0.5, 0.3, 0.9, 1.0, 1.0, 1.0]})
    baseline = pd.DataFrame({"ratio": [1.2, 1.4, 1.3], "vs_ri": [0.1, 0.0, 0.4]},
                            index=pd.Index(["a", "b", "combined"], name="measure"))
    found = bc.BenchmarkClusters("complete", 2, pd.Series(dtype=int), scores, baseline)
    table = bc.validation_table(found)
    assert list(table.index) == ["a", "b", "combined", "mean"]
    assert table.loc["mean"].to_dict() == pytest.approx(
        {"ratio": 1.5, "vs_ri": 0.4, "ratio_sic": 1.3, "vs_ri_sic": 0.05})
    assert table.loc["combined", "vs_ri"] == 0.9 and table.loc["combined", "vs_ri_sic"] == 0.4
