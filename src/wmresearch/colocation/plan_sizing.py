"""Like-for-like sizing of the Plan for Growth clusters: GVA shares, tier flips, matched H.

GVA by cluster (apportionment). ONS regional GVA (balanced, Table 3c) is published for ITL3
areas by industry groups coarser than SIC subclasses: sections (e.g. O, P), subsections of
manufacturing (e.g. CK-CL, divisions 28-30) and divisions or groups of divisions (e.g. 72-73).
Each SIC division is assigned to the finest published group that contains it, and the
group's GVA in the region is shared among its subclasses in proportion to their BRES jobs
in the region in the same year:

.. math:: GVA_c = \\sum_g GVA_g \\, \\frac{e_{c \\cap g}}{e_g}

(the "employment-share" apportionment of sub-regional GVA estimates, ONS, Regional economic
activity by GVA, QMI): it assumes GVA per job is equal within a group. Owner-occupiers'
imputed rental (68IMP) has no jobs and no cluster; it stays in the total, so a share of GVA
is a share of the whole published economy.

Tier flips. With :math:`s` a cluster's share of the area's jobs and
:math:`S = s / LQ` its share of Great Britain's, the extended codes alone have
:math:`s_x = s_{ce} - s_c` and :math:`LQ_x = s_x / (S_{ce} - S_c)`; their jobs and growth
are the differences of the two tiers. A result "flips" when adding the extended codes moves
the cluster across LQ 1 (or the specialisation threshold) or changes the sign of its growth
or of its regional shift (Dunn 1960 shift-share), and the extended part says why.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wmresearch.colocation.lq import check_long_table


def _divisions(code: str, divisions: object) -> list[int]:
    text = str(divisions) if isinstance(divisions, str) and divisions else code
    if not text[0].isdigit():
        return []
    low, _, high = text.partition("-")
    if not (low.isdigit() and (high or low).isdigit()):
        return []
    return list(range(int(low), int(high or low) + 1))


def gva_groups(gva: pd.DataFrame) -> pd.DataFrame:
    """The finest published GVA industry group of every SIC division (two digits).

    ``gva`` is the ``gva_itl3_industry`` evidence table (``sic07_code``, ``sic07_divisions``,
    ``industry_level``). Returns ``sic2_code``, ``group``, ``group_name``, ``level``.
    """
    rank = {"division": 0, "subsection": 1, "section": 2}
    rows = gva.drop_duplicates("sic07_code")
    rows = rows[rows["industry_level"].isin(list(rank))]
    found: dict[str, tuple[int, str, str, str]] = {}
    for row in rows.itertuples(index=False):
        for d in _divisions(str(row.sic07_code), row.sic07_divisions):
            key = f"{d:02d}"
            candidate = (rank[row.industry_level], str(row.sic07_code),
                         str(row.sic07_description), str(row.industry_level))
            if key not in found or candidate[0] < found[key][0]:
                found[key] = candidate
    return pd.DataFrame([{"sic2_code": k, "group": v[1], "group_name": v[2], "level": v[3]}
                         for k, v in sorted(found.items())])


def apportion_gva(gva: pd.DataFrame, employment: pd.DataFrame, members: dict[str, set[str]],
                  *, areas: Sequence[str], year: int) -> pd.DataFrame:
    """GVA of each cluster in a region by employment-share apportionment (module docstring).

    Parameters
    ----------
    gva
        ``gva_itl3_industry``: ITL3 rows; the region is every ITL3 area whose code starts
        with one of ``areas`` (ITL2 codes such as "TLG3").
    employment
        The region's BRES jobs by subclass in ``year``: ``sic_code``, ``employment``.
    members
        Cluster name -> set of SIC subclasses (e.g. from ``PlanClusters.members``).

    Returns
    -------
    pandas.DataFrame
        Indexed by cluster: ``gva`` (£m), ``gva_share`` (of the region's total GVA), and
        ``attrs`` with ``total_gva``, ``imputed_rent`` (£m) and ``unmatched_jobs`` (jobs in
        divisions without a GVA group).

    Raises
    ------
    KeyError
        No ITL3 area of the region, or no GVA for ``year`` (named).
    """
    check_long_table(employment, ["sic_code", "employment"], "employment")
    rows = gva[gva["itl_code"].astype(str).str.startswith(tuple(areas)) & (gva["year"] == year)]
    if rows.empty:
        raise KeyError(f"no regional GVA for ITL areas {list(areas)} in {year} "
                       f"(years: {int(gva['year'].min())}-{int(gva['year'].max())})")
    by_code = pd.to_numeric(rows["gva_gbp_m"]).astype(float).groupby(rows["sic07_code"]).sum()
    groups = gva_groups(gva).set_index("sic2_code")["group"]
    jobs = employment.assign(sic_code=employment["sic_code"].astype(str),
                             employment=pd.to_numeric(employment["employment"]).astype(float))
    jobs["group"] = jobs["sic_code"].str[:2].map(groups)
    per_group = jobs.groupby("group")["employment"].sum()
    jobs["gva_per_job"] = (jobs["group"].map(by_code) / jobs["group"].map(per_group)).fillna(0.0)
    total = float(by_code["Total"])
    out = pd.DataFrame({"gva": {name: float((jobs["employment"] * jobs["gva_per_job"])
                                             [jobs["sic_code"].isin(codes)].sum())
                                for name, codes in members.items()}})
    out["gva_share"] = out["gva"] / total
    out.attrs = {"total_gva": total, "imputed_rent": float(by_code.get("68IMP", 0.0)),
                 "unmatched_jobs": float(jobs.loc[jobs["group"].isna(), "employment"].sum()),
                 "year": int(year)}
    return out


def tier_flips(sizes: pd.DataFrame, *, threshold: float = 1.25) -> pd.DataFrame:
    """Where adding the extended codes flips a cluster's result, and the extended part.

    ``sizes`` is :func:`~wmresearch.colocation.plan_clusters.size_plan_clusters` output
    (scopes "core" and "core+extended"). Formulae in the module docstring.

    Returns
    -------
    pandas.DataFrame
        One row per cluster and flipped result (``result``: "LQ above 1", "specialised",
        "growth", "regional shift"): ``core``, ``extended`` (the result in each tier, as
        numbers), ``extended_jobs``, ``extended_growth`` and ``extended_lq`` of the extended
        codes alone.
    """
    wide = sizes.pivot(index="cluster", columns="scope")
    core = wide.xs("core", axis=1, level="scope")
    both = wide.xs("core+extended", axis=1, level="scope")
    s_c, s_ce = core["share_of_region"].astype(float), both["share_of_region"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        gb_x = s_ce / both["lq"].astype(float) - s_c / core["lq"].astype(float)
        ext_lq = (s_ce - s_c) / gb_x
        jobs0 = both["employment_start"].astype(float) - core["employment_start"].astype(float)
        jobs1 = both["employment"].astype(float) - core["employment"].astype(float)
        ext_growth = jobs1 / jobs0 - 1.0
    tests = {"LQ above 1": ("lq", lambda v: v >= 1.0),
             "specialised": ("lq", lambda v: v >= threshold),
             "growth": ("growth", lambda v: v > 0), "regional shift":
             ("regional_shift", lambda v: v > 0)}
    rows = []
    for cluster in core.index:
        if jobs1[cluster] == 0 and jobs0[cluster] == 0:
            continue
        for result, (column, rule) in tests.items():
            a, b = float(core.loc[cluster, column]), float(both.loc[cluster, column])
            if np.isfinite(a) and np.isfinite(b) and bool(rule(a)) != bool(rule(b)):
                rows.append({"cluster": cluster, "name": core.loc[cluster, "name"],
                             "result": result, "measure": column, "core": a, "extended": b,
                             "extended_jobs": float(jobs1[cluster]),
                             "extended_growth": float(ext_growth[cluster]),
                             "extended_lq": float(ext_lq[cluster])})
    return pd.DataFrame(rows, columns=["cluster", "name", "result", "measure", "core",
                                       "extended", "extended_jobs", "extended_growth",
                                       "extended_lq"])


def sizeband_year(years: Sequence[int], year: int) -> int:
    """The UK Business Counts year matching ``year``, else the nearest (earlier on ties)."""
    available = sorted(int(y) for y in years)
    if not available:
        raise ValueError("no UK Business Counts year in the size-band table")
    return min(available, key=lambda y: (abs(y - year), y))


def class_sizebands(ukbc: pd.DataFrame, year: int, employment: pd.Series, *,
                    min_coverage: float = 0.5) -> tuple[pd.DataFrame, list[str]]:
    """UK Business Counts size bands of ``year`` summed to SIC classes, usable ones only.

    UK Business Counts round counts to 5 and suppress small cells, so some classes keep only
    a rounded "5 enterprises of 0-4 employees" (nuclear fuel processing, 10,810 GB jobs). A
    class is kept only if its bands can hold at least ``min_coverage`` of its BRES GB
    ``employment`` (closed bands at their upper bound; any firm in the open top band can hold
    anything), since otherwise the Herfindahl would be fitted to bands that miss its firms.

    Returns
    -------
    (pandas.DataFrame, list of str)
        ``sic4_code``, ``sizeband_lower``, ``sizeband_upper``, ``enterprises`` for the kept
        classes of ``employment``'s index, and the classes left out.
    """
    rows = ukbc[ukbc["year"] == year]
    if rows.empty:
        raise KeyError(f"no UK Business Counts for {year} (years: "
                       f"{sorted(int(y) for y in ukbc['year'].unique())})")
    rows = rows.assign(sic4_code=rows["sic_code"].astype(str).str[:4],
                       enterprises=pd.to_numeric(rows["enterprises"]).astype(float).fillna(0))
    bands = rows.groupby(["sic4_code", "sizeband_lower"], as_index=False).agg(
        enterprises=("enterprises", "sum"), sizeband_upper=("sizeband_upper", "first"))
    bands = bands[bands["sic4_code"].isin(employment.index)]
    upper = pd.to_numeric(bands["sizeband_upper"]).astype(float)
    capacity = (bands["enterprises"] * upper.fillna(np.inf).where(bands["enterprises"] > 0, 0)
                ).groupby(bands["sic4_code"]).sum()
    ok = capacity >= min_coverage * employment.reindex(capacity.index)
    dropped = sorted(set(employment.index) - set(ok[ok].index))
    return bands[bands["sic4_code"].isin(ok[ok].index)].reset_index(drop=True), dropped


__all__ = ["apportion_gva", "class_sizebands", "gva_groups", "sizeband_year", "tier_flips"]
