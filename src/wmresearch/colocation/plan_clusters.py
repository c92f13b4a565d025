"""The West Midlands Plan for Growth clusters in SIC 2007 codes: load, validate and size them.

The cluster list is WMCA's (Plan for Growth, December 2022; West Midlands Futures Green Paper
2024/25); WMCA has published no SIC definition of it, so the codes in ``clusters.yaml`` are
wmresearch's, each with a rationale and a source (UK Industrial Strategy IS-8 sector
definitions, gov.uk 23 June 2025; DCMS creative industries and digital sector 2016
definitions; or "wmresearch judgement").

Sizing a cluster *c* (a set of SIC 2007 5-digit subclasses :math:`S_c`) in a region *r* made of
areas (ITL2) against a benchmark (all areas, Great Britain for BRES):

* employment :math:`e_{cr} = \\sum_{i \\in S_c} e_{ir}` (BRES) and its share of the region's
  employment :math:`e_{cr} / e_r`;
* location quotient :math:`LQ_{cr} = (e_{cr}/e_r) / (E_c/E)` (Isard 1960), computed by
  :func:`wmresearch.colocation.lq.region_lq_table` on the cluster-versus-rest split;
* growth :math:`e_{cr,1}/e_{cr,0} - 1` and the Dunn (1960) shift-share components, summed over
  the cluster's subclasses from :func:`wmresearch.colocation.shift_share.shift_share` (the
  components are additive, so the cluster's parts add up to its change);
* businesses: IDBR local units at SIC 4-digit class, the finest level published by area. A
  cluster holding only some subclasses of a class is counted with the whole class (an upper
  bound), and the classes concerned are named in ``sic4_approximate``.

Clusters overlap by design (e.g. machining supplies both vehicles and aerospace); the rows
``all_primary`` (the eight primary clusters) and ``all_clusters`` (with the Digital Economy
enabler) take the union of subclasses, so no job is counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from wmresearch.colocation.lq import check_long_table, region_lq_table
from wmresearch.colocation.shift_share import COMPONENTS, shift_share
from wmresearch.evidence.geography import itl_to_nuts
from wmresearch.evidence.sic import DEFRA_AGRI_CODE

TIERS = ("core", "extended")
SCOPES = {"core": ("core",), "core+extended": TIERS}
UNION_PRIMARY, UNION_ALL = "all_primary", "all_clusters"
_CODE_KEYS = {"code", "rationale", "source"}


class PlanClusterError(ValueError):
    """An invalid cluster definition, naming the cluster and the code."""


@dataclass
class PlanClusters:
    """Validated Plan for Growth cluster definitions.

    ``clusters``: one row per cluster (id, name, description, enabler). ``codes``: one row per
    listed code (cluster, tier, code, rationale, source, overlaps_with). ``sic5``: the codes
    expanded to SIC 2007 subclasses (cluster, tier, code, sic5_code). ``published``: the
    published figures to compare with.
    """

    clusters: pd.DataFrame
    codes: pd.DataFrame
    sic5: pd.DataFrame
    published: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def members(self, cluster: str, scope: str = "core+extended") -> set[str]:
        """SIC 5-digit subclasses of ``cluster`` (an id, or a union id) in ``scope``."""
        tiers = SCOPES[scope]
        rows = self.sic5[self.sic5["tier"].isin(tiers)]
        if cluster == UNION_ALL:
            return set(rows["sic5_code"])
        if cluster == UNION_PRIMARY:
            primary = self.clusters.loc[~self.clusters["enabler"], "id"]
            return set(rows.loc[rows["cluster"].isin(primary), "sic5_code"])
        if cluster not in set(self.clusters["id"]):
            raise KeyError(f"cluster {cluster!r} is not defined (ids: "
                           f"{list(self.clusters['id'])})")
        return set(rows.loc[rows["cluster"] == cluster, "sic5_code"])


def _subclasses(sic: pd.DataFrame) -> pd.Series:
    check_long_table(sic.assign(_v=0), ["sic5_code", "_v"], "_v", key=["sic5_code"])
    real = sic["nomis_hierarchy"].fillna(False).astype(bool) if "nomis_hierarchy" in sic \
        else pd.Series(True, index=sic.index)
    codes = sic.loc[real, "sic5_code"].astype(str)
    return codes[codes != DEFRA_AGRI_CODE].reset_index(drop=True)


def _entries(cluster: dict[str, Any], where: str) -> list[dict[str, Any]]:
    rows = []
    for tier in TIERS:
        for entry in cluster.get(tier) or []:
            if not isinstance(entry, dict) or not _CODE_KEYS <= set(entry):
                raise PlanClusterError(f"{where}, tier {tier!r}: entry {entry!r} needs keys "
                                       f"{sorted(_CODE_KEYS)}")
            code = str(entry["code"]).strip()
            if not (code.isdigit() and 2 <= len(code) <= 5):
                raise PlanClusterError(f"{where}: code {code!r} is not a SIC 2007 code of 2-5 "
                                       "digits (write digits only, e.g. '3030')")
            overlaps = entry.get("overlaps_with") or []
            rows.append({"cluster": cluster["id"], "tier": tier, "code": code,
                         "rationale": str(entry["rationale"]), "source": str(entry["source"]),
                         "overlaps_with": tuple(str(o) for o in overlaps)})
    return rows


def _check_overlaps(sic5: pd.DataFrame) -> None:
    within = sic5[sic5.duplicated(["cluster", "sic5_code"], keep=False)]
    if len(within):
        first = within.iloc[0]
        codes = sorted(set(within.loc[(within["cluster"] == first["cluster"])
                                      & (within["sic5_code"] == first["sic5_code"]), "code"]))
        raise PlanClusterError(f"cluster {first['cluster']!r}: codes {codes} both cover "
                               f"subclass {first['sic5_code']}; list each activity once")
    for sub, rows in sic5.groupby("sic5_code"):
        if rows["cluster"].nunique() < 2:
            continue
        for _, row in rows.iterrows():
            others = set(rows["cluster"]) - {row["cluster"]}
            if not others <= set(row["overlaps_with"]):
                raise PlanClusterError(
                    f"cluster {row['cluster']!r}, code {row['code']!r}: subclass {sub} is also "
                    f"in {sorted(others)}; declare it with overlaps_with")


def load_plan_clusters(sic: pd.DataFrame, path: Path | str | None = None) -> PlanClusters:
    """Load ``clusters.yaml`` and validate every code against the SIC 2007 hierarchy.

    Parameters
    ----------
    sic
        The SIC 2007 table (``sic2007`` evidence table from
        :func:`wmresearch.evidence.sic.get_sic_hierarchy`): ``sic5_code`` and, if present,
        ``nomis_hierarchy`` (codes outside the ONS hierarchy and the NOMIS pseudo-code 01000
        are not SIC 2007 subclasses).
    path
        A YAML file of the same layout (default: the packaged ``clusters.yaml``).

    Returns
    -------
    PlanClusters

    Raises
    ------
    PlanClusterError
        A malformed entry, a code that is not SIC 2007 (naming cluster and code), a code
        covered twice within one cluster, an overlap between clusters not declared with
        ``overlaps_with``, or an ``overlaps_with`` naming an unknown cluster.
    """
    if path is None:
        text = resources.files("wmresearch.colocation").joinpath("clusters.yaml").read_text(
            encoding="utf-8")
        path = "clusters.yaml (packaged)"
    else:
        text = Path(path).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("clusters"), list):
        raise PlanClusterError(f"{path}: expected a mapping with a 'clusters' list")
    subclasses = _subclasses(sic)
    meta_rows, code_rows = [], []
    for i, cluster in enumerate(doc["clusters"]):
        where = f"{path}: cluster #{i + 1} {cluster.get('id', '?')!r}"
        missing = {"id", "name", "description", "enabler", "core"} - set(cluster)
        if missing:
            raise PlanClusterError(f"{where}: missing key(s) {sorted(missing)}")
        meta_rows.append({k: cluster[k] for k in ("id", "name", "description")}
                         | {"enabler": bool(cluster["enabler"])})
        code_rows.extend(_entries(cluster, where))
    clusters = pd.DataFrame(meta_rows)
    dup = clusters["id"][clusters["id"].duplicated()]
    if len(dup):
        raise PlanClusterError(f"{path}: cluster id(s) {list(dup)} defined twice")
    codes = pd.DataFrame(code_rows)
    expanded = []
    for row in codes.itertuples(index=False):
        unknown = set(row.overlaps_with) - set(clusters["id"])
        if unknown:
            raise PlanClusterError(f"cluster {row.cluster!r}, code {row.code!r}: overlaps_with "
                                   f"names unknown cluster(s) {sorted(unknown)}")
        members = subclasses[subclasses.str.startswith(row.code)]
        if members.empty:
            raise PlanClusterError(f"cluster {row.cluster!r}, tier {row.tier!r}: code "
                                   f"{row.code!r} is not a SIC 2007 code (no subclass starts "
                                   "with it in the ONS hierarchy)")
        expanded.append(pd.DataFrame({"cluster": row.cluster, "tier": row.tier,
                                      "code": row.code, "sic5_code": members.to_numpy(),
                                      "overlaps_with": [row.overlaps_with] * len(members)}))
    sic5 = pd.concat(expanded, ignore_index=True)
    _check_overlaps(sic5)
    published = pd.DataFrame(doc.get("published") or [])
    meta = {k: v for k, v in doc.items() if k not in {"clusters", "published"}}
    return PlanClusters(clusters=clusters, codes=codes, sic5=sic5.drop(columns="overlaps_with"),
                        published=published, meta=meta | {"path": str(path)})


def _local_units(members: set[str], idbr: pd.DataFrame, sic: pd.Series,
                 nuts: list[str], year: object) -> tuple[float, str]:
    classes = {m[:4] for m in members}
    in_class: dict[str, set[str]] = {}   # one pass, not a filter of every code per class
    for code in sic.dropna():
        in_class.setdefault(code[:4], set()).add(code)
    partial = sorted(c for c in classes if not in_class.get(c, set()) <= members)
    rows = idbr[(idbr["year"] == year) & idbr["nuts2_code"].isin(nuts)
                & idbr["sic4_code"].isin(classes)]
    return float(pd.to_numeric(rows["local_units"]).sum()), ", ".join(partial)


def size_plan_clusters(plan: PlanClusters, bres_sic5: pd.DataFrame, idbr_sic4: pd.DataFrame,
                       region_areas: Sequence[str], *, sic: pd.DataFrame, start: int = 2015,
                       end: int = 2021, idbr_year: int | None = None) -> pd.DataFrame:
    """Size every Plan for Growth cluster (core, core+extended) and their union in a region.

    Formulae and references: see the module docstring (Isard 1960 LQ; Dunn 1960 shift-share).

    Parameters
    ----------
    plan
        From :func:`load_plan_clusters`.
    bres_sic5
        BRES ITL2 x SIC5 (evidence table ``bres_itl2_sic5``: year, itl2_code, sic_code,
        employment). Suppressed (missing) cells count as 0; their number is in
        ``attrs["missing_cells"]``.
    idbr_sic4
        IDBR local units NUTS2 x SIC4 (evidence table ``idbr_nuts2_sic4``).
    region_areas
        ITL2 codes of the study region (e.g. ``["TLG3"]`` for the West Midlands CA); the
        benchmark is every area of ``bres_sic5`` (Great Britain).
    sic
        The SIC 2007 table used to validate ``plan`` (to find partly covered SIC4 classes).
    start, end
        Years for growth and shift-share; shares, LQ and employment are for ``end``.
    idbr_year
        Year of local units (default: the latest in ``idbr_sic4``).

    Returns
    -------
    pandas.DataFrame
        One row per cluster x scope, then the unions ``all_primary`` and ``all_clusters``:
        ``employment`` (end), ``employment_start``, ``share_of_region``, ``lq``, ``growth``,
        the shift-share ``national_growth``, ``industry_mix``, ``regional_shift`` (adding up
        to ``change``), ``local_units``, ``sic4_approximate`` and, on union rows,
        ``sum_of_clusters`` (the naive sum, larger than ``employment`` by the overlaps).

    Raises
    ------
    KeyError
        A region area or year absent from the tables.
    ValueError
        Bad values (see :func:`~wmresearch.colocation.shift_share.shift_share`).
    """
    bres = bres_sic5.assign(sic_code=bres_sic5["sic_code"].astype(str))
    check_long_table(bres, ["year", "itl2_code", "sic_code", "employment"], "employment")
    ss = shift_share(bres, area="itl2_code", industry="sic_code", value="employment",
                     start=start, end=end, region_areas=list(region_areas), missing="zero")
    ss = ss.drop(index="Total")
    latest = bres[bres["year"] == end]
    region_total = float(ss["end"].sum())
    subs = _subclasses(sic)
    idbr_year = int(idbr_year if idbr_year is not None else idbr_sic4["year"].max())
    nuts = [itl_to_nuts(a) for a in region_areas]
    absent = sorted(set(nuts) - set(idbr_sic4["nuts2_code"]))
    rows = []
    targets = [(c, s) for c in plan.clusters["id"] for s in SCOPES]
    targets += [(u, s) for u in (UNION_PRIMARY, UNION_ALL) for s in SCOPES]
    for cluster, scope in targets:
        members = plan.members(cluster, scope)
        part = ss.loc[ss.index.isin(members)]
        flag = latest.assign(_in=np.where(latest["sic_code"].isin(members), "cluster", "rest"))
        lq = region_lq_table(flag.groupby(["itl2_code", "_in"], as_index=False)["employment"]
                             .sum(), list(region_areas), area_col="itl2_code",
                             industry_col="_in", value_col="employment")
        units, partial = _local_units(members, idbr_sic4, subs, nuts, idbr_year)
        e0, e1 = float(part["start"].sum()), float(part["end"].sum())
        row = {"cluster": cluster, "scope": scope, "n_sic5": len(members),
               "employment_start": e0, "employment": e1,
               "share_of_region": e1 / region_total if region_total else np.nan,
               "lq": float(lq.loc[lq["_in"] == "cluster", "lq"].squeeze())
               if (lq["_in"] == "cluster").any() else np.nan,
               "growth": e1 / e0 - 1.0 if e0 else np.nan, "change": e1 - e0,
               **{c: float(part[c].sum()) for c in COMPONENTS},
               "local_units": np.nan if absent else units,
               "sic4_approximate": partial}
        if cluster in (UNION_PRIMARY, UNION_ALL):
            ids = plan.clusters.loc[~plan.clusters["enabler"] | (cluster == UNION_ALL), "id"]
            row["sum_of_clusters"] = sum(float(ss.loc[ss.index.isin(plan.members(i, scope)),
                                                      "end"].sum()) for i in ids)
        rows.append(row)
    out = pd.DataFrame(rows)
    names = dict(zip(plan.clusters["id"], plan.clusters["name"], strict=True))
    names |= {UNION_PRIMARY: "Eight primary clusters (union)",
              UNION_ALL: "All clusters incl. Digital Economy (union)"}
    out.insert(1, "name", out["cluster"].map(names))
    out.attrs |= {"missing_cells": ss.attrs.get("missing_cells", 0), "region_total": region_total,
                  "year": end, "idbr_year": idbr_year,
                  "idbr_missing_areas": absent}
    return out


def compare_with_published(plan: PlanClusters, sizes: pd.DataFrame) -> pd.DataFrame:
    """Set the sized clusters beside the plan's published figures (``published`` in the YAML).

    Each published figure is matched with the ``all_primary`` union (scope ``all_primary``) or
    the named cluster, in both scopes. For shares, ``measured`` is ``share_of_region`` and
    ``within_range`` says whether it lies in [low, high]; figures marked ``comparable: false``
    (additional jobs by 2030, a flow, against today's stock) get ``measured`` = current
    employment for scale and ``within_range`` = NA.

    Returns
    -------
    pandas.DataFrame
        Columns ``published_id``, ``metric``, ``cluster``, ``scope``, ``published``
        (text), ``published_low``, ``published_high``, ``measured``, ``within_range``,
        ``comparable``, ``source``.
    """
    rows = []
    for fact in plan.published.itertuples(index=False):
        target = UNION_PRIMARY if fact.scope == "all_primary" else fact.scope
        for scope in SCOPES:
            hit = sizes[(sizes["cluster"] == target) & (sizes["scope"] == scope)]
            if hit.empty:
                raise KeyError(f"published figure {fact.id!r}: cluster {target!r} not sized")
            share = "share" in fact.metric
            measured = float(hit["share_of_region" if share else "employment"].iloc[0])
            text = (f"{fact.low:.0%}-{fact.high:.0%}" if share
                    else f"{fact.low:,.0f}-{fact.high:,.0f}")
            inside = (fact.low <= measured <= fact.high) if fact.comparable else pd.NA
            rows.append({"published_id": fact.id, "metric": fact.metric, "cluster": target,
                         "scope": scope, "published": text, "published_low": fact.low,
                         "published_high": fact.high, "measured": measured,
                         "within_range": inside, "comparable": bool(fact.comparable),
                         "source": fact.source})
    return pd.DataFrame(rows)


__all__ = ["PlanClusterError", "PlanClusters", "compare_with_published", "load_plan_clusters",
           "size_plan_clusters"]
