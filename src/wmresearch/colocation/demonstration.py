"""Method demonstration on a SYNTHETIC firm register: do the methods recover planted clusters?

No open file locates every firm, so the firm-level methods are shown on the register of
:func:`~wmresearch.colocation.firms.synthetic_firm_register`, whose clusters are planted at
known places. These functions compare what the methods find with that planted truth; they
state no finding about a real industry or a Plan for Growth cluster. Pure functions, frames
in and frames out; the clusters notebook shows and words the results.

* **K-density** (Duranton & Overman 2005, :func:`~wmresearch.colocation.kdensity.k_density`):
  a planted cluster is *recovered* when the K-density of its SIC division is localised (above
  the upper global band, Gamma > 0) starting at a distance no longer than the planted disc's
  diameter, the longest distance between two planted firms (:func:`kd_recovery`).
* **HDBSCAN** (:func:`~wmresearch.colocation.firm_clusters.firm_clusters`): the adjusted Rand
  index of the firms' cluster labels against the planted labels, every unplanted firm in one
  group and HDBSCAN's noise in one group (:func:`planted_ari`; 1 = exactly the planted
  clusters, about 0 = chance).
* **Disclosure control**: cells of a firm-cluster table (:func:`cluster_members` gives the
  firms of each cell) go through :mod:`wmresearch.reporting.disclosure` in the notebook;
  :func:`disclosure_table` lays the checked cells out for publication. The firms are invented,
  so this too is a demonstration.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from wmresearch.colocation.industry_clusters import adjusted_rand_index
from wmresearch.colocation.kdensity import KdResult

#: Source line of every output made from the synthetic register.
SOURCE = ("SYNTHETIC firm register of invented firms, calibrated on ONS Census 2011 WP605EW, "
          "BRES and UK Business Counts; not real firms")
BOUNDARIES = ("ONS MSOA 2011 boundaries dissolved to districts; contains OS data (c) Crown "
              "copyright")
#: What each evidence table the register is drawn from holds, for a reader.
TABLE_TITLES = {"census2011_workplace_msoa": "Census 2011 workplace population by MSOA and "
                "industry section", "bres_itl2_sic5": "BRES jobs by ITL2 area and SIC subclass",
                "ukbc_sizeband": "UK Business Counts by size band",
                "small_area_centroids": "population-weighted centroids of small areas",
                "msoa_lad_lookup": "the MSOA to district lookup"}


def district_outlines(boundaries: pd.DataFrame | None,
                      lads: pd.DataFrame) -> gpd.GeoDataFrame | None:
    """The area's districts (``lad_code``, ``lad_name``, geometry) dissolved from MSOA 2011
    boundaries; ``None`` when the boundaries are missing or lack one of the districts."""
    if boundaries is None or not set(lads["lad_code"]) <= set(boundaries["lad_code"]):
        return None
    mine = gpd.GeoDataFrame(boundaries[boundaries["lad_code"].isin(lads["lad_code"])])
    out = mine.dissolve("lad_code").reset_index()[["lad_code", "geometry"]]
    return out.merge(lads[["lad_code", "lad_name"]], on="lad_code")


def msoas_outside(msoas: pd.DataFrame, districts: gpd.GeoDataFrame | None) -> list[str]:
    """MSOAs whose point as drawn (``easting``, ``northing``: the centroid, or its LSOAs' mean
    where the centroid was misplaced) lies outside the districts, more than 1 m beyond their
    edge; none without boundaries. Jitter may put a firm just over a boundary; that is kept."""
    if districts is None:
        return []
    points = gpd.points_from_xy(msoas["easting"], msoas["northing"], crs=districts.crs)
    inside = points.within(districts.buffer(1.0).union_all())
    return sorted(msoas.loc[~inside, "msoa11_code"].astype(str))


def above_band(result: KdResult) -> tuple[float, float]:
    """First and last distance (km) at which the K-density is above its upper global band
    (NaN, NaN when it never is)."""
    table = result.table
    above = table.loc[table["kd"] > table["global_hi"], "r"] / 1000
    return (float(above.min()), float(above.max())) if len(above) else (np.nan, np.nan)


def kd_recovery(runs: Mapping[str, KdResult], truth: pd.DataFrame) -> pd.DataFrame:
    """Does the K-density of each planted cluster's SIC division find it?

    Parameters
    ----------
    runs
        Planted cluster name -> K-density of the firms of its SIC division.
    truth
        The register's planted clusters (``name``, ``sic_prefix``, ``n_firms``,
        ``radius_m``).

    Returns
    -------
    pandas.DataFrame
        One row per planted cluster: ``planted``, ``sic_prefix``, ``planted_firms``,
        ``division_firms``, ``diameter_km`` (2 x radius), ``above_from_km`` and
        ``above_to_km`` (:func:`above_band`), ``gamma`` (DO 2005's localisation index),
        ``recovered`` (localised, from a distance within the diameter) and ``synthetic``.
    """
    rows = []
    for planted in truth.itertuples():
        result = runs[planted.name]
        low, high = above_band(result)
        diameter = 2 * float(planted.radius_m) / 1000
        rows.append({"planted": planted.name, "sic_prefix": planted.sic_prefix,
                     "planted_firms": int(planted.n_firms), "division_firms": result.n_firms,
                     "diameter_km": diameter, "above_from_km": low, "above_to_km": high,
                     "gamma": result.gamma,
                     "recovered": bool(result.localised and low <= diameter)})
    columns = ["planted", "sic_prefix", "planted_firms", "division_firms", "diameter_km",
               "above_from_km", "above_to_km", "gamma", "recovered"]
    return pd.DataFrame(rows, columns=columns).assign(synthetic=True)


def planted_ari(labels: pd.DataFrame, firms: pd.DataFrame) -> float:
    """Adjusted Rand index of HDBSCAN's firm clusters against the planted clusters.

    ``labels``: :func:`~wmresearch.colocation.firm_clusters.firm_clusters` labels
    (``firm_id``, ``industry_group``, ``cluster``, -1 = noise); ``firms``: the register
    (``firm_id``, ``planted``, -1 = not planted). Compared over the firms HDBSCAN saw, each
    in its first industry group.
    """
    first = labels.drop_duplicates("firm_id")
    found = pd.Series(np.where(first["cluster"] >= 0, first["industry_group"] + ":"
                               + first["cluster"].astype(str), "noise"),
                      index=first["firm_id"].to_numpy())
    planted = firms.set_index("firm_id")["planted"].reindex(found.index)
    return adjusted_rand_index(found, planted)


def planted_matches(labels: pd.DataFrame, firms: pd.DataFrame,
                    truth: pd.DataFrame) -> pd.DataFrame:
    """For each planted cluster, the HDBSCAN cluster that holds most of its firms.

    ``labels`` and ``firms`` as in :func:`planted_ari`; ``truth`` the register's planted
    clusters (``planted`` id, ``name``, ``sic_prefix``). With :math:`P` the planted firms that
    HDBSCAN saw and :math:`C` the found cluster holding most of them (ties: first name),
    returns per planted cluster ``planted``, ``sic_prefix``, ``matched`` (the cluster's
    name, "" if every planted firm is noise), ``share_found`` :math:`|P \\cap C| / |P|`,
    ``share_planted`` :math:`|P \\cap C| / |C|`, ``jaccard`` :math:`|P \\cap C| /
    |P \\cup C|`, ``recovered`` (both shares above one half: the planted cluster is found
    as one cluster made mostly of it) and ``synthetic``.
    """
    first = labels.drop_duplicates("firm_id")
    found = first.assign(found=cluster_names(first).where(first["cluster"] >= 0, ""))
    found = found.merge(firms[["firm_id", "planted"]], on="firm_id")
    rows = []
    for cluster in truth.itertuples():
        mine = found.loc[found["planted"] == cluster.planted, "found"]
        counts = mine[mine != ""].value_counts()
        best = min(counts.index, key=lambda n: (-counts[n], n)) if len(counts) else ""
        overlap = int((mine == best).sum()) if best else 0
        size = int((found["found"] == best).sum()) if best else 0
        rows.append({"planted": cluster.name, "sic_prefix": cluster.sic_prefix,
                     "matched": best, "share_found": overlap / len(mine) if len(mine) else np.nan,
                     "share_planted": overlap / size if size else np.nan,
                     "jaccard": overlap / (len(mine) + size - overlap) if best else 0.0})
    out = pd.DataFrame(rows, columns=["planted", "sic_prefix", "matched", "share_found",
                                      "share_planted", "jaccard"])
    out["recovered"] = (out["share_found"] > 0.5) & (out["share_planted"] > 0.5)
    return out.assign(synthetic=True)


def cluster_members(firms: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The firms of each HDBSCAN cluster (noise left out), one row per firm and cluster:
    ``firm_id``, ``cluster_name`` ("<industry group> #<n>", n from 1) and ``employment``."""
    first = labels.drop_duplicates("firm_id")
    member = first[first["cluster"] >= 0].merge(firms[["firm_id", "employment"]],
                                                 on="firm_id")
    member["cluster_name"] = cluster_names(member)
    return member[["firm_id", "cluster_name", "employment"]].reset_index(drop=True)


def cluster_names(frame: pd.DataFrame) -> pd.Series:
    """"<industry group> #<n>" for rows with ``industry_group`` and ``cluster`` (from 0)."""
    return frame["industry_group"] + " #" + (frame["cluster"] + 1).astype(str)


def disclosure_table(checked: pd.DataFrame, outlines: pd.DataFrame, *,
                     symbol: str) -> pd.DataFrame:
    """The firm-cluster table as published after disclosure control.

    ``checked`` is the ``table`` of a disclosure check by ``cluster_name`` (``firms``,
    ``employment`` NA where suppressed, ``suppressed``, and a "Total" row); ``outlines`` the
    :func:`~wmresearch.colocation.firm_clusters.firm_clusters` outlines. Suppressed counts,
    employment and leading subclasses read ``symbol``; the outline's area and stability are
    kept (they reveal no firm's figures). Returns ``cluster``, ``firms``, ``employment``,
    ``area_km2``, ``stability``, ``composition`` (text), ``suppressed`` and ``synthetic``.
    """
    shown = checked.set_index("cluster_name")
    info = outlines.assign(cluster_name=cluster_names(outlines)).set_index("cluster_name")

    def text(values: pd.Series, spec: str) -> pd.Series:
        return values.map(lambda v: symbol if pd.isna(v) else format(v, spec))

    table = pd.DataFrame({"firms": text(shown["firms"], ",.0f"),
                          "employment": text(shown["employment"], ",.0f")})
    total = table.index == "Total"
    table["area_km2"] = text(info["area_km2"].reindex(table.index), ".2f").where(~total, "")
    table["stability"] = text(info["stability"].reindex(table.index), ".2f").where(~total, "")
    composition = info["composition"].reindex(table.index).fillna("")
    table["composition"] = composition.where(~shown["suppressed"].astype(bool), symbol)
    table["suppressed"] = shown["suppressed"].astype(bool)
    return table.rename_axis("cluster").reset_index().assign(synthetic=True)
