"""Data-driven industry clusters from co-location, after Delgado, Porter & Stern (2016).

Delgado, Porter & Stern (2016), "Defining clusters of related industries", *Journal of
Economic Geography* 16(1), 1-38 (DPS), group industries by a similarity matrix of
inter-industry relatedness, generate many candidate groupings, and keep those with the best
*validation scores*: how much more related industries are to their own cluster than to
others. Here:

1. similarity :math:`S_{ij}` from :func:`wmresearch.colocation.relatedness.combined_relatedness`
   (or any symmetric relatedness, e.g. the US Cluster Mapping Project's published ``cr_lc``);
2. distance :math:`d_{ij} = 1 - S_{ij}` after rescaling :math:`S` to [0, 1] off the diagonal;
   hierarchical clustering with average linkage on the precomputed distances
   (scikit-learn ``AgglomerativeClustering(metric="precomputed", linkage="average")``);
3. for each number of clusters *k* in a range, validation scores (wmresearch's versions of
   DPS's validation scores; definitions in :func:`validation_scores`) and the silhouette
   (Rousseeuw 1987, *J. Comput. Appl. Math.* 20, 53-65; scikit-learn ``silhouette_score``
   with ``metric="precomputed"``); *k* is chosen by one criterion (default: silhouette).

:func:`adjusted_rand_index` (Hubert & Arabie 1985, *Journal of Classification* 2, 193-218;
scikit-learn ``adjusted_rand_score``) compares a grouping with a reference (plan clusters, SIC
divisions), and :func:`compare_with_plan` cross-tabulates data-driven and plan clusters.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score, silhouette_score

from wmresearch.colocation.relatedness import _check_square

Criterion = Literal["silhouette", "own_cluster_share", "top_related_share"]


def similarity_to_distance(similarity: pd.DataFrame) -> pd.DataFrame:
    """Distance :math:`1 - (S - S_{min})/(S_{max} - S_{min})` off the diagonal; 0 on it.

    Raises
    ------
    ValueError
        Non-square, asymmetric or missing similarities (named), or all pairs equal.
    """
    values = _check_square(similarity).copy()
    off = ~np.eye(len(values), dtype=bool)
    lo, hi = values[off].min(), values[off].max()
    if hi <= lo:
        raise ValueError("every industry pair has the same relatedness: nothing to cluster")
    dist = np.where(off, 1.0 - (values - lo) / (hi - lo), 0.0)
    return pd.DataFrame(dist, index=similarity.index, columns=similarity.columns)


def cluster_industries(similarity: pd.DataFrame, n_clusters: int, *,
                       linkage: Literal["average", "complete", "single"] = "average",
                       ) -> pd.Series:
    """Hierarchical clustering of industries on ``1 - similarity`` (DPS 2016 step 3).

    Labels are renumbered 1..k in order of each cluster's first industry in the index, so the
    same input always gives the same labels.

    Returns
    -------
    pandas.Series
        Cluster label (int) per industry, index = the similarity's industries.
    """
    dist = similarity_to_distance(similarity)
    n = len(dist)
    if not 1 <= n_clusters <= n:
        raise ValueError(f"n_clusters must be between 1 and {n} industries, not {n_clusters}")
    if n_clusters == 1:
        return pd.Series(1, index=similarity.index, name="cluster")
    model = AgglomerativeClustering(n_clusters=n_clusters, metric="precomputed",
                                    linkage=linkage)
    raw = model.fit_predict(dist.to_numpy())
    order = {lab: i + 1 for i, lab in enumerate(pd.unique(raw))}
    return pd.Series([order[r] for r in raw], index=similarity.index, name="cluster")


def validation_scores(similarity: pd.DataFrame, labels: pd.Series, *,
                      top_n: int = 5) -> dict[str, float]:
    """Cluster validation scores in the spirit of DPS (2016, "validation scores").

    With :math:`\\bar S_{i,C}` the mean similarity of industry *i* to the members of cluster
    *C* (excluding *i* itself):

    * ``own_cluster_share`` (DPS's "VS-RI" idea): share of industries in clusters of two or
      more whose :math:`\\bar S_{i,own}` exceeds :math:`\\bar S_{i,C}` for every other *C*;
    * ``top_related_share`` (DPS's "top related" idea): over industries, the mean share of
      the :math:`\\min(n, |own| - 1)` most related other industries that are in the own
      cluster, with *n* = ``top_n`` (singletons score 0);
    * ``within_between_ratio`` (DPS's "WCR/BCR"): mean similarity of pairs in the same cluster
      over mean similarity of pairs in different clusters;
    * ``silhouette``: mean silhouette width on the distances of
      :func:`similarity_to_distance` (Rousseeuw 1987; NaN when k < 2 or k = n);
    * ``n_clusters``, ``n_singletons``.

    Raises
    ------
    KeyError
        ``labels`` and ``similarity`` do not cover the same industries (named).
    """
    labels = _aligned(labels, similarity.index)
    values = _check_square(similarity)
    lab = labels.to_numpy()
    n = len(lab)
    same = lab[:, None] == lab[None, :]
    off = ~np.eye(n, dtype=bool)
    clusters = pd.unique(lab)
    sizes = pd.Series(lab).value_counts()
    masked = np.where(off, values, np.nan)
    # mean similarity of each industry to each cluster, itself excluded (NaN if alone in it)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.column_stack([np.nanmean(np.where((lab == c)[None, :], masked, np.nan),
                                            axis=1) for c in clusters])
    own_idx = np.array([int(np.flatnonzero(clusters == x)[0]) for x in lab])
    wins = []
    for i in range(n):
        if sizes[lab[i]] < 2:
            continue
        own = means[i, own_idx[i]]
        others = np.delete(means[i], own_idx[i])
        others = others[~np.isnan(others)]
        wins.append(bool(np.all(own > others)))
    top = []
    for i in range(n):
        m = min(top_n, sizes[lab[i]] - 1)
        if m < 1:
            top.append(0.0)
            continue
        order = np.argsort(-np.where(off[i], values[i], -np.inf), kind="stable")[:m]
        top.append(float(same[i, order].mean()))
    within = values[same & off]
    between = values[~same]
    k = len(clusters)
    sil = (silhouette_score(similarity_to_distance(similarity).to_numpy(), lab,
                            metric="precomputed") if 2 <= k <= n - 1 else np.nan)
    return {"n_clusters": float(k), "n_singletons": float((sizes == 1).sum()),
            "own_cluster_share": float(np.mean(wins)) if wins else np.nan,
            "top_related_share": float(np.mean(top)),
            "within_between_ratio": (float(within.mean() / between.mean())
                                     if len(within) and len(between) and between.mean()
                                     else np.nan),
            "silhouette": float(sil)}


def _aligned(labels: pd.Series, index: pd.Index) -> pd.Series:
    missing = sorted(set(index) - set(labels.index))
    extra = sorted(set(labels.index) - set(index))
    if missing or extra:
        raise KeyError(f"labels and relatedness disagree: industries without a label "
                       f"{missing[:10]}, labelled industries not in the matrix {extra[:10]}")
    return labels.reindex(index)


@dataclass
class IndustryClusters:
    """Result of :func:`choose_industry_clusters`.

    ``labels``: cluster per industry at the chosen ``k``; ``scores``: validation scores per
    k (one row per k); ``members``: one row per cluster with ``size`` and ``industries``;
    ``labels_by_k``: labels for every k tried (industries x k).
    """

    k: int
    labels: pd.Series
    scores: pd.DataFrame
    members: pd.DataFrame
    labels_by_k: pd.DataFrame


def choose_industry_clusters(similarity: pd.DataFrame, k_range: Iterable[int], *,
                             criterion: Criterion = "silhouette", top_n: int = 5,
                             linkage: Literal["average", "complete", "single"] = "average",
                             ) -> IndustryClusters:
    """Cluster industries for every k in ``k_range`` and keep the best k (DPS 2016 steps 3-4).

    The best k maximises ``criterion`` (ties: the smallest k). See :func:`validation_scores`.

    Raises
    ------
    ValueError
        An empty ``k_range``, or a criterion that is NaN for every k.
    """
    ks = sorted(set(int(k) for k in k_range))
    if not ks:
        raise ValueError("k_range is empty")
    by_k, rows = {}, []
    for k in ks:
        labels = cluster_industries(similarity, k, linkage=linkage)
        by_k[k] = labels
        rows.append({"k": k, **validation_scores(similarity, labels, top_n=top_n)})
    scores = pd.DataFrame(rows).set_index("k")
    if criterion not in scores or scores[criterion].isna().all():
        raise ValueError(f"criterion {criterion!r} is undefined for every k in {ks}")
    best = int(scores[criterion].idxmax())
    labels = by_k[best]
    members = (labels.groupby(labels).apply(lambda s: ", ".join(map(str, s.index)))
               .rename("industries").to_frame()
               .assign(size=labels.value_counts().sort_index()))
    members.index.name = "cluster"
    return IndustryClusters(k=best, labels=labels, scores=scores,
                            members=members[["size", "industries"]],
                            labels_by_k=pd.DataFrame(by_k))


def adjusted_rand_index(labels: pd.Series, reference: pd.Series, *,
                        missing: Literal["raise", "drop"] = "raise") -> float:
    """Adjusted Rand index of two groupings of the same industries (Hubert & Arabie 1985).

    scikit-learn ``adjusted_rand_score``: 1 for identical partitions (whatever the label
    names), about 0 for independent ones.

    Parameters
    ----------
    labels, reference
        Series indexed by industry.
    missing
        ``"raise"``: industries in only one of the two are an error naming them; ``"drop"``:
        use the industries in both (their number is the caller's to report).
    """
    common = labels.index.intersection(reference.index)
    only = sorted(set(labels.index).symmetric_difference(reference.index))
    if only and missing == "raise":
        raise KeyError(f"industries in only one grouping: {only[:10]} ({len(only)} in all); "
                       "pass missing='drop' to compare the common ones")
    if len(common) < 2:
        raise ValueError("fewer than two industries in common")
    if labels.loc[common].isna().any() or reference.loc[common].isna().any():
        raise ValueError("a grouping has missing labels for some industries")
    return float(adjusted_rand_score(reference.loc[common].astype(str),
                                     labels.loc[common].astype(str)))


@dataclass
class PlanComparison:
    """Result of :func:`compare_with_plan`.

    ``overlap``: one row per data-driven x plan cluster sharing industries (``n_shared``,
    ``shared``); ``confirmation``: per plan cluster, ``n_codes`` (plan industries present in
    the data-driven grouping), ``n_confirmed``, ``share_confirmed``; ``codes``: per plan
    industry, its data-driven cluster and whether it is confirmed.
    """

    overlap: pd.DataFrame
    confirmation: pd.DataFrame
    codes: pd.DataFrame


def compare_with_plan(labels: pd.Series, plan: pd.DataFrame, *,
                      plan_cluster: str = "cluster", plan_code: str = "sic5_code",
                      ) -> PlanComparison:
    """Which industries each data-driven cluster shares with each plan cluster.

    A plan industry is **confirmed** when at least one *other* industry of the same plan
    cluster falls in its data-driven cluster. Plan codes are truncated to the length of the
    labels' codes (e.g. SIC5 plan subclasses to SIC4 when clustering SIC4 classes);
    industries the data-driven grouping does not cover (e.g. excluded as too small) are
    listed with ``data_cluster`` NA and never confirmed.

    Parameters
    ----------
    labels
        Data-driven cluster per industry code (string codes of one length).
    plan
        Long table of plan cluster and code (e.g. ``PlanClusters.sic5``).
    """
    codes = labels.index.astype(str)
    lengths = set(codes.str.len())
    if len(lengths) != 1:
        raise ValueError(f"labels mix code lengths {sorted(lengths)}; use one SIC level")
    width = lengths.pop()
    short = plan[plan_code].astype(str)
    if (short.str.len() < width).any():
        raise ValueError(f"plan codes shorter than the labels' {width} digits, e.g. "
                         f"{list(short[short.str.len() < width][:5])}")
    pairs = (pd.DataFrame({"plan_cluster": plan[plan_cluster].to_numpy(),
                           "industry": short.str[:width].to_numpy()})
             .drop_duplicates().reset_index(drop=True))
    lab = pd.Series(labels.to_numpy(), index=codes)
    pairs["data_cluster"] = pairs["industry"].map(lab).astype("Int64")
    pairs["confirmed"] = (pairs.groupby(["plan_cluster", "data_cluster"], dropna=False)
                          ["industry"].transform("size") > 1) & pairs["data_cluster"].notna()
    present = pairs[pairs["data_cluster"].notna()]
    overlap = (present.groupby(["data_cluster", "plan_cluster"])["industry"]
               .agg(n_shared="size", shared=lambda s: ", ".join(sorted(s)))
               .reset_index().sort_values(["data_cluster", "n_shared"],
                                          ascending=[True, False], ignore_index=True))
    confirmation = (pairs.groupby("plan_cluster")
                    .agg(n_listed=("industry", "size"),
                         n_codes=("data_cluster", "count"),
                         n_confirmed=("confirmed", "sum"))
                    .assign(share_confirmed=lambda d: d["n_confirmed"] / d["n_codes"]
                            .where(d["n_codes"] > 0)))
    return PlanComparison(overlap=overlap, confirmation=confirmation.reset_index(),
                          codes=pairs)


__all__ = ["IndustryClusters", "PlanComparison", "adjusted_rand_index", "choose_industry_clusters",
           "cluster_industries", "compare_with_plan", "similarity_to_distance",
           "validation_scores"]
