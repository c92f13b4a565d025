"""Firm clusters: HDBSCAN on the projected locations of an industry group's firms.

For each industry group (a set of SIC code prefixes) the firms' British National Grid
coordinates (EPSG:27700, metres, so Euclidean distance is ground distance) are clustered with
HDBSCAN (Campello, Moulavi and Sander 2013, "Density-based clustering based on hierarchical
density estimates", PAKDD, LNCS 7819:160-172; McInnes, Healy and Astels 2017, JOSS 2(11):205),
as implemented by :class:`sklearn.cluster.HDBSCAN` (scikit-learn >= 1.3). Firms outside every
dense region are noise (label -1), so a cluster is a place, not a partition of all firms.

Each cluster is described by its outline, number of firms, employment, leading SIC
subclasses, the mean HDBSCAN membership probability and a
bootstrap stability: the cluster-wise Jaccard coefficient of Hennig (2007, "Cluster-wise
assessment of cluster stability", *Computational Statistics & Data Analysis* 52:258-271;
R ``fpc::clusterboot``, "subset" scheme). On each of ``n_boot`` subsamples without replacement
(fraction ``boot_fraction``; 0.8 as in Ben-Hur, Elisseeff and Guyon 2002, *PSB* 7:6-17) the
clustering is rerun, and for an original cluster :math:`C` restricted to the subsample
:math:`S`, its Jaccard similarity with the most similar subsample cluster :math:`D` is

.. math:: \\gamma_C = \\max_D \\frac{|C \\cap S \\cap D|}{|(C \\cap S) \\cup D|}.

The mean over subsamples is reported: Hennig calls clusters with mean Jaccard >= 0.75
"stable" and those <= 0.5 "dissolved".

The outline (convex hull, or shapely's concave hull) is drawn around the cluster's *core*:
its members whose HDBSCAN membership probability is at least ``core_probability``. That
probability is :math:`\\lambda_p / \\lambda_{max}` (Campello et al. 2013; McInnes et al.
2017), the density at which a firm joins the cluster relative to the cluster's densest
firm, so a firm that joins only at a few per cent of the peak density, typically a lone firm
kilometres away, does not stretch the outline over empty ground. Counts, employment and
stability still cover every member.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sklearn.cluster import HDBSCAN

BNG = "EPSG:27700"
REQUIRED = ("firm_id", "easting", "northing", "sic_code", "employment")


@dataclass
class FirmClusters:
    """``outlines`` (one polygon per cluster, EPSG:27700) and ``labels`` (one row per firm
    and industry group: cluster label, -1 for noise, and membership probability)."""

    outlines: gpd.GeoDataFrame
    labels: pd.DataFrame


def cluster_jaccard(reference: np.ndarray, subsample: np.ndarray,
                    labels: np.ndarray) -> dict[int, float]:
    """Hennig's (2007) cluster-wise Jaccard of each reference cluster in one subsample.

    Parameters
    ----------
    reference
        Labels of all points in the original clustering (-1: noise).
    subsample
        Indices of the points drawn into the subsample.
    labels
        Labels of the subsample's points from the re-run clustering (-1: noise).

    Returns
    -------
    dict
        For each reference cluster, :math:`\\max_D |C\\cap S\\cap D| / |(C\\cap S)\\cup D|`
        over the subsample clusters D (0 if none, or if no point of C was drawn).
    """
    ref = reference[subsample]
    out: dict[int, float] = {}
    for c in np.unique(reference[reference >= 0]):
        in_c = ref == c
        best = 0.0
        for d in np.unique(labels[labels >= 0]):
            in_d = labels == d
            union = np.count_nonzero(in_c | in_d)
            best = max(best, np.count_nonzero(in_c & in_d) / union if union else 0.0)
        out[int(c)] = best
    return out


def _hdbscan(xy: np.ndarray, min_cluster_size: int, min_samples: int | None,
             epsilon: float) -> HDBSCAN:
    return HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples,
                   cluster_selection_epsilon=epsilon, copy=True).fit(xy)


def _stability(xy: np.ndarray, labels: np.ndarray, rng: np.random.Generator, n_boot: int,
               fraction: float, params: tuple[int, int | None, float]) -> dict[int, float]:
    """Mean cluster-wise Jaccard over ``n_boot`` subsamples (NaN if ``n_boot`` is 0)."""
    clusters = [int(c) for c in np.unique(labels[labels >= 0])]
    if n_boot == 0:
        return dict.fromkeys(clusters, float("nan"))
    size = max(int(round(fraction * len(xy))), 2)
    scores: dict[int, list[float]] = {c: [] for c in clusters}
    for _ in range(n_boot):
        idx = np.sort(rng.choice(len(xy), size, replace=False))
        boot = (_hdbscan(xy[idx], *params).labels_ if size > params[0]
                else np.full(size, -1))
        for c, j in cluster_jaccard(labels, idx, boot).items():
            scores[c].append(j)
    return {c: float(np.mean(v)) for c, v in scores.items()}


#: Fewest members an outline is drawn around (a hull of fewer points has no area).
MIN_OUTLINED = 3


def core_members(probability: np.ndarray, level: float) -> np.ndarray:
    """Which members of one cluster its outline is drawn around: membership probability at
    least ``level``, and never fewer than :data:`MIN_OUTLINED` members (the most probable,
    ties in input order) so that the outline keeps an area."""
    probability = np.asarray(probability, float)
    keep = probability >= level
    if keep.sum() < min(MIN_OUTLINED, len(probability)):
        order = np.argsort(-probability, kind="stable")[:MIN_OUTLINED]
        keep = np.zeros(len(probability), bool)
        keep[order] = True
    return keep


def _outline(xy: np.ndarray, hull: str, ratio: float) -> shapely.Geometry:
    points = shapely.multipoints(xy)
    if hull == "concave":
        return shapely.concave_hull(points, ratio=ratio)
    return shapely.convex_hull(points)


def _composition(codes: pd.Series, top: int) -> str:
    shares = codes.value_counts(normalize=True).sort_index(kind="stable")
    shares = shares.sort_values(ascending=False, kind="stable").head(top)
    return ", ".join(f"{code} ({share:.0%})" for code, share in shares.items())


def _group_firms(firms: pd.DataFrame, name: str, prefixes: Sequence[str],
                 min_cluster_size: int) -> pd.DataFrame:
    if isinstance(prefixes, str):
        prefixes = [prefixes]
    mine = firms[firms["sic_code"].astype("string").str.startswith(tuple(prefixes))]
    if mine.empty:
        raise KeyError(f"industry group {name!r}: no firm has a SIC code starting with "
                       f"{list(prefixes)}")
    if len(mine) < min_cluster_size:
        raise ValueError(f"industry group {name!r} has {len(mine)} firms, fewer than "
                         f"min_cluster_size={min_cluster_size}: no cluster can be found")
    return mine


def _check_firms(firms: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in firms.columns]
    if missing:
        raise KeyError(f"firm table lacks column(s) {missing} (it has {list(firms.columns)})")
    for col in ("easting", "northing"):
        bad = ~np.isfinite(pd.to_numeric(firms[col], errors="coerce").to_numpy(float))
        if bad.any():
            raise ValueError(f"column {col!r} is missing or not numeric for firm "
                             f"{firms['firm_id'].iloc[int(np.argmax(bad))]!r}")
    if firms["firm_id"].duplicated().any():
        dup = firms.loc[firms["firm_id"].duplicated(), "firm_id"].iloc[0]
        raise ValueError(f"firm_id {dup!r} appears more than once")


def firm_clusters(firms: pd.DataFrame, *, industry_groups: Mapping[str, Sequence[str]],
                  min_cluster_size: int = 30, min_samples: int | None = None,
                  cluster_selection_epsilon: float = 0.0, n_boot: int = 20,
                  boot_fraction: float = 0.8, seed: int = 0, hull: str = "convex",
                  concave_ratio: float = 0.3, core_probability: float = 0.5,
                  top: int = 3) -> FirmClusters:
    """HDBSCAN clusters of each industry group's firms, with outlines and stability.

    Parameters
    ----------
    firms
        One row per firm: ``firm_id``, ``easting``, ``northing`` (BNG metres), ``sic_code``
        (5-digit string), ``employment``; a ``synthetic`` column is carried through.
    industry_groups
        Group name -> SIC code prefixes (e.g. ``{"automotive": ["29"]}``).
    min_cluster_size, min_samples, cluster_selection_epsilon
        HDBSCAN parameters (:class:`sklearn.cluster.HDBSCAN`; epsilon in metres).
    n_boot, boot_fraction, seed
        Subsamples for the cluster-wise Jaccard stability (``n_boot=0`` skips it), their
        size as a fraction of the group, and the seed of :func:`numpy.random.default_rng`.
    hull, concave_ratio
        ``"convex"`` or ``"concave"`` outline (:func:`shapely.concave_hull` with ``ratio``).
    core_probability
        The outline is drawn around the members with at least this HDBSCAN membership
        probability (:func:`core_members`; 0 outlines every member).
    top
        Number of leading SIC subclasses listed in ``composition``.

    Returns
    -------
    FirmClusters
        ``outlines``: industry_group, cluster, n_firms, n_outlined (members the outline is
        drawn around), employment, composition, mean_probability, stability (mean
        Jaccard), area_km2 (of the outline), geometry (EPSG:27700);
        ``labels``: firm_id, industry_group, cluster, probability.

    Raises
    ------
    KeyError
        A missing column, or an industry group matching no firm (naming the group).
    ValueError
        A group with fewer firms than ``min_cluster_size`` (naming it), bad coordinates
        (naming the firm) or parameters.
    """
    _check_firms(firms)
    if (hull not in ("convex", "concave") or not 0 < boot_fraction <= 1 or n_boot < 0
            or not 0 <= core_probability <= 1):
        raise ValueError(f"hull must be convex/concave, 0 < boot_fraction <= 1, n_boot >= 0, "
                         f"0 <= core_probability <= 1 (got {hull!r}, {boot_fraction}, "
                         f"{n_boot}, {core_probability})")
    rng = np.random.default_rng(seed)
    params = (min_cluster_size, min_samples, cluster_selection_epsilon)
    synthetic = bool(firms.get("synthetic", pd.Series(False)).any())
    outlines, labels = [], []
    for name, prefixes in industry_groups.items():
        mine = _group_firms(firms, name, prefixes, min_cluster_size)
        xy = mine[["easting", "northing"]].to_numpy(float)
        fit = _hdbscan(xy, *params)
        labels.append(pd.DataFrame({"firm_id": mine["firm_id"].to_numpy(),
                                    "industry_group": name, "cluster": fit.labels_,
                                    "probability": fit.probabilities_}))
        stable = _stability(xy, fit.labels_, rng, n_boot, boot_fraction, params)
        for c, score in stable.items():
            inside = fit.labels_ == c
            core = core_members(fit.probabilities_[inside], core_probability)
            shape = _outline(xy[inside][core], hull, concave_ratio)
            outlines.append({
                "industry_group": name, "cluster": c, "n_firms": int(inside.sum()),
                "n_outlined": int(core.sum()),
                "employment": float(mine["employment"].to_numpy()[inside].sum()),
                "composition": _composition(mine["sic_code"][inside], top),
                "mean_probability": float(fit.probabilities_[inside].mean()),
                "stability": score, "area_km2": shape.area / 1e6, "geometry": shape})
    columns = ["industry_group", "cluster", "n_firms", "n_outlined", "employment",
               "composition", "mean_probability", "stability", "area_km2", "geometry"]
    out = gpd.GeoDataFrame(pd.DataFrame(outlines, columns=columns), geometry="geometry",
                           crs=BNG)
    table = pd.concat(labels, ignore_index=True)
    if synthetic:
        for frame in (out, table):
            frame["synthetic"] = True
            frame.attrs["synthetic"] = firms.attrs.get("synthetic", "synthetic firm register")
    return FirmClusters(out, table)
