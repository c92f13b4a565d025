"""UK benchmark cluster definitions by the method of Delgado, Porter & Stern (2016).

DPS (2016), "Defining clusters of related industries", *J. Econ. Geography* 16(1), 1-38:

1. **Traded vs local** (Porter 2003, "The economic performance of regions", *Regional
   Studies* 37(6-7)): local industries serve the local market, so their employment follows
   population. :func:`locational_gini` measures how far an industry's employment across areas
   departs from population (0 = exactly proportional); an industry is *traded* when it is at
   least a threshold (:func:`traded_industries`). Only traded industries are clustered.
2. **Relatedness** between industries from several measures (:func:`relatedness_measures`):
   co-location (EGK 2010 co-agglomeration and LQ correlation, DPS's "COI" and "LC") over each
   area x industry table given, and input-output links (DPS's "IO",
   :func:`~wmresearch.colocation.io_links.io_relatedness_classes`). Each is turned into
   percentile ranks among pairs and the ranks are averaged (DPS's combined measure).
3. **Clustering** of the combined similarity by several algorithms and numbers of clusters
   (:func:`candidate_clusterings`).
4. **Validation scores** (:func:`dps_scores`) for each measure: within-cluster relatedness
   (WCR, mean over pairs in one cluster), between-cluster relatedness (BCR), their ratio, and
   the share of industries more related (on average) to their own cluster than to any other
   (DPS's VS-RI idea). VS-RI favours few large clusters and WCR/BCR many small ones, so the
   configuration with the best mean percentile rank on the two (each averaged over the
   measures) is chosen; the same scores of SIC divisions are the baseline
   (:func:`validation_table`: the mean over the measures is the score to quote).

DPS's own validation scores are for 778 US NAICS industries and cannot be reproduced on UK
data; the tests check properties (a planted block structure is recovered and scores above
the division baseline; scores by hand on a small matrix).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, SpectralClustering

from wmresearch.colocation.coagglomeration import coagglomeration
from wmresearch.colocation.relatedness import lq_correlation, percentile_rank

ALGORITHMS = ("average", "complete", "spectral")


def locational_gini(employment: pd.DataFrame, population: pd.Series) -> pd.Series:
    """Locational Gini of each industry's employment against population across areas.

    ``employment``: areas x industries; ``population``: by area (same index). Areas are
    sorted by the industry's employment per resident; with :math:`s` the cumulative share of
    the industry's employment and :math:`q` of population, :math:`G = 1 - \\sum_m
    (q_m - q_{m-1})(s_m + s_{m-1})` (Krugman 1991 locational Gini on population).

    Raises
    ------
    KeyError
        An area without population (named).
    """
    absent = sorted(set(employment.index) - set(population.dropna().index))
    if absent:
        raise KeyError(f"areas without population: {absent[:10]}")
    pop = population.reindex(employment.index).to_numpy(float)
    q = pop / pop.sum()
    values = employment.to_numpy(float)
    out = np.full(values.shape[1], np.nan)
    for j in range(values.shape[1]):
        col = values[:, j]
        if col.sum() <= 0:
            continue
        order = np.argsort(col / pop, kind="stable")
        s = np.concatenate([[0.0], np.cumsum(col[order] / col.sum())])
        cq = np.concatenate([[0.0], np.cumsum(q[order])])
        out[j] = 1.0 - np.sum(np.diff(cq) * (s[1:] + s[:-1]))
    return pd.Series(out, index=employment.columns, name="locational_gini")


def traded_industries(employment: pd.DataFrame, population: pd.Series, *,
                      threshold: float) -> pd.DataFrame:
    """Porter (2003) traded/local split: traded when the locational Gini >= ``threshold``.

    Returns a table ``industry``, ``locational_gini``, ``gb_employment``, ``traded``.
    """
    gini = locational_gini(employment, population)
    return pd.DataFrame({"industry": gini.index, "locational_gini": gini.to_numpy(),
                         "gb_employment": employment.sum().to_numpy(float),
                         "traded": (gini >= threshold).to_numpy()})


def relatedness_measures(tables: Mapping[str, tuple[pd.DataFrame, str, str, str]],
                         industries: Sequence[str],
                         io: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Percentile-ranked relatedness matrices over ``industries`` (DPS steps 2).

    ``tables``: name -> (long area x industry frame, area, industry, value column); each
    gives an EGK co-agglomeration (``coi_<name>``) and an LQ correlation (``lc_<name>``)
    computed over all its industries (so the area totals are whole-economy), restricted to
    ``industries``. ``io``: an industries x industries IO relatedness. The result has one
    entry per measure plus ``combined`` (their mean).
    """
    out: dict[str, pd.DataFrame] = {}
    inds = list(industries)
    for name, (frame, area, industry, value) in tables.items():
        work = frame.assign(**{industry: frame[industry].astype(str),
                               value: pd.to_numeric(frame[value]).astype(float).fillna(0.0)})
        total = work.groupby(area)[value].sum()
        sub = work[work[industry].isin(inds)]
        absent = sorted(set(inds) - set(sub.loc[sub[value] > 0, industry]))
        if absent:
            raise KeyError(f"table {name!r}: industries {absent[:10]} have no {value}")
        coi = coagglomeration(sub, area=area, industry=industry, value=value, area_total=total)
        out[f"coi_{name}"] = percentile_rank(coi.loc[inds, inds])
        out[f"lc_{name}"] = percentile_rank(lq_correlation(sub, area=area, industry=industry,
                                                           value=value, area_total=total,
                                                           industries=inds))
    if io is not None:
        out["io"] = percentile_rank(io.loc[inds, inds])
    out["combined"] = sum(out.values()) / len(out)
    return out


def cluster(similarity: pd.DataFrame, k: int, algorithm: str, *, seed: int = 0) -> pd.Series:
    """Labels 1..k (in order of first appearance) from one algorithm on a similarity in
    [0, 1]: average or complete linkage on 1 - similarity, or spectral clustering with the
    similarity as affinity."""
    values = similarity.to_numpy(float)
    if algorithm in ("average", "complete"):
        model = AgglomerativeClustering(n_clusters=k, metric="precomputed", linkage=algorithm)
        raw = model.fit_predict(1.0 - values)
    elif algorithm == "spectral":
        model = SpectralClustering(n_clusters=k, affinity="precomputed", random_state=seed,
                                   assign_labels="cluster_qr")
        raw = model.fit_predict(values)
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose from {ALGORITHMS}")
    order = {lab: i + 1 for i, lab in enumerate(pd.unique(raw))}
    return pd.Series([order[r] for r in raw], index=similarity.index, name="cluster")


def dps_scores(measures: Mapping[str, pd.DataFrame], labels: pd.Series) -> pd.DataFrame:
    """Validation scores of one grouping for each measure (see module): ``wcr``, ``bcr``,
    ``ratio`` (WCR/BCR) and ``vs_ri`` (share of industries in clusters of two or more whose
    mean relatedness to their own cluster, themselves excluded, exceeds that to every other
    cluster). One row per measure."""
    rows = []
    index = None
    for name, sim in measures.items():
        if index is None or not sim.index.equals(index):
            # the grouping's arrays, computed once for all measures on the same industries
            index, lab = sim.index, labels.reindex(sim.index).to_numpy()
            if pd.isna(lab).any():
                raise KeyError(f"measure {name!r}: industries without a label")
            n = len(lab)
            codes, inv = np.unique(lab, return_inverse=True)
            onehot = np.zeros((n, len(codes)))
            onehot[np.arange(n), inv] = 1.0
            counts = onehot.sum(axis=0)[None, :] - onehot   # self excluded from its own cluster
            own_cluster = onehot.astype(bool)
            eligible = counts[np.arange(n), inv] > 0
            same = inv[:, None] == inv[None, :]
            pairs_within, pairs_between = same & ~np.eye(n, dtype=bool), ~same
        values = sim.to_numpy(float)
        off = values.copy()
        np.fill_diagonal(off, 0.0)
        sums = off @ onehot
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.where(counts > 0, sums / counts, np.nan)
        own = means[np.arange(n), inv]
        others = np.where(own_cluster, -np.inf, np.nan_to_num(means, nan=-np.inf))
        wins = own[eligible] > others[eligible].max(axis=1)
        within, between = values[pairs_within], values[pairs_between]
        wcr = float(within.mean()) if len(within) else np.nan
        bcr = float(between.mean()) if len(between) else np.nan
        rows.append({"measure": name, "wcr": wcr, "bcr": bcr, "ratio": wcr / bcr,
                     "vs_ri": float(wins.mean()) if len(wins) else np.nan})
    return pd.DataFrame(rows).set_index("measure")


@dataclass
class BenchmarkClusters:
    """Result of :func:`candidate_clusterings`: the chosen ``algorithm`` and ``k``, its
    ``labels``, the ``scores`` of every configuration (algorithm, k, measure) and the
    ``baseline`` scores of SIC divisions."""

    algorithm: str
    k: int
    labels: pd.Series
    scores: pd.DataFrame
    baseline: pd.DataFrame


def candidate_clusterings(measures: Mapping[str, pd.DataFrame], k_values: Iterable[int], *,
                          algorithms: Sequence[str] = ALGORITHMS, seed: int = 0,
                          ) -> BenchmarkClusters:
    """Cluster the ``combined`` similarity for every algorithm and k; choose by DPS scores.

    Each configuration's ``vs_ri`` and ``ratio`` are averaged over the individual measures
    (``combined`` excluded) and ranked among configurations; the best mean rank is chosen
    (ties: higher ``vs_ri``). The baseline groups
    industries by their first two code characters (SIC division).
    """
    combined = measures["combined"]
    singles = {k: v for k, v in measures.items() if k != "combined"} or dict(measures)
    rows, labels_of = [], {}
    for algorithm in algorithms:
        for k in sorted(set(int(k) for k in k_values)):
            if not 2 <= k < len(combined):
                continue
            labels = cluster(combined, k, algorithm, seed=seed)
            labels_of[(algorithm, k)] = labels
            scores = dps_scores(measures, labels).reset_index()
            rows.append(scores.assign(algorithm=algorithm, k=k))
    if not rows:
        raise ValueError("no k in k_values between 2 and the number of industries - 1")
    scores = pd.concat(rows, ignore_index=True)
    single = scores[scores["measure"].isin(list(singles))]
    summary = single.groupby(["algorithm", "k"])[["vs_ri", "ratio"]].mean()
    # VS-RI favours few large clusters and WCR/BCR many small ones: rank on both
    summary["rank"] = summary.rank(pct=True).mean(axis=1)
    best = summary.sort_values(["rank", "vs_ri"], ascending=False, kind="stable").index[0]
    division = pd.Series(combined.index.str[:2], index=combined.index)
    return BenchmarkClusters(algorithm=best[0], k=int(best[1]), labels=labels_of[best],
                             scores=scores, baseline=dps_scores(measures, division))


def validation_table(found: BenchmarkClusters) -> pd.DataFrame:
    """The chosen clustering's validation scores beside the SIC-division baseline.

    One row per measure with ``ratio`` (WCR/BCR) and ``vs_ri`` of the chosen clusters and
    ``ratio_sic``, ``vs_ri_sic`` of the SIC divisions (:func:`dps_scores`), then a row
    ``mean``: the mean over the individual measures, ``combined`` left out. That mean is what
    :func:`candidate_clusterings` ranks configurations on, so it is the score to quote. The
    ``combined`` row scores the clusters on the very similarity they were cut from, which
    flatters them; it is kept for comparison with DPS's table, not as the headline.
    """
    chosen = found.scores[(found.scores["algorithm"] == found.algorithm)
                          & (found.scores["k"] == found.k)]
    table = chosen.set_index("measure")[["ratio", "vs_ri"]].join(
        found.baseline[["ratio", "vs_ri"]].add_suffix("_sic"))
    singles = table.drop(index="combined", errors="ignore")
    return pd.concat([table, singles.mean().to_frame("mean").T.rename_axis("measure")])


def cluster_names(labels: pd.Series, names: pd.Series, employment: pd.Series,
                  themes: pd.Series | None = None, *, theme_share: float = 0.5) -> pd.Series:
    """A readable name for each cluster: the common theme of its largest classes, else its
    largest class "and related".

    The theme is the SIC division (``themes``, names by 2-digit code) holding at least
    ``theme_share`` of the cluster's GB jobs; failing that, the name of the class (``names``,
    by 4-digit code) with most jobs, followed by "and related" when the cluster has other
    classes. Returns names indexed by cluster label.
    """
    lab = labels.astype(int)
    frame = pd.DataFrame({"c": lab, "e": employment.reindex(lab.index).fillna(0.0),
                          "n": names.reindex(lab.index).fillna(pd.Series(lab.index,
                                                                         index=lab.index)),
                          "d": lab.index.to_series().astype(str).str[:2]})
    out = {}
    for c, rows in frame.sort_values(["c", "e"], ascending=[True, False]).groupby("c"):
        by_division = rows.groupby("d")["e"].sum().sort_values(ascending=False)
        total = float(rows["e"].sum())
        top_division = str(by_division.index[0])
        if (themes is not None and len(rows) > 1 and top_division in themes.index and total > 0
                and by_division.iloc[0] >= theme_share * total):
            out[c] = str(themes[top_division])
        else:
            out[c] = str(rows["n"].iloc[0]) + (" and related" if len(rows) > 1 else "")
    named = pd.Series(out, name="cluster_name")
    # two clusters with one theme are told apart by their largest classes' names
    largest = frame.sort_values("e", ascending=False).groupby("c")["n"].first()
    twice = named.duplicated(keep=False)
    named[twice] = named[twice] + ": mainly " + largest.reindex(named.index)[twice].str.lower()
    return named


def definitions_table(labels: pd.Series, measures: Mapping[str, pd.DataFrame],
                      names: pd.Series, employment: pd.Series, version: str,
                      themes: pd.Series | None = None) -> pd.DataFrame:
    """The published definitions: one row per SIC class with its cluster, the cluster's
    name (:func:`cluster_names`) and the class's mean relatedness to the
    other members of its cluster on each measure (NaN for a cluster of one)."""
    lab = labels.astype(int)
    emp = employment.reindex(lab.index).fillna(0.0)
    top = cluster_names(lab, names, emp, themes)
    out = pd.DataFrame({"version": version, "sic4_code": lab.index, "cluster": lab.to_numpy(),
                        "cluster_name": lab.map(top).to_numpy(),
                        "sic4_name": names.reindex(lab.index).fillna("").to_numpy(),
                        "gb_employment": emp.to_numpy()})
    for name, sim in measures.items():
        values = sim.loc[lab.index, lab.index].to_numpy(float).copy()
        np.fill_diagonal(values, np.nan)
        same = lab.to_numpy()[:, None] == lab.to_numpy()[None, :]
        sums = np.nansum(np.where(same, values, 0.0), axis=1)
        counts = same.sum(axis=1) - 1
        out[f"relatedness_{name}"] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return out.sort_values(["cluster", "sic4_code"], ignore_index=True)


__all__ = ["ALGORITHMS", "BenchmarkClusters", "candidate_clusterings", "cluster",
           "cluster_names", "definitions_table", "dps_scores", "locational_gini",
           "relatedness_measures", "traded_industries"]
