"""A synthetic firm register calibrated on real aggregates, with planted clusters.

No open file locates every firm of a region, so firm-level methods are developed and checked
on a *synthetic* register whose aggregates match official tables and whose clusters are known
by construction. Every output carries ``synthetic = True`` and ``attrs["synthetic"]``.

Calibration (all tables are the evidence parquet files of the same names)
--------------------------------------------------------------------------
1. **Where and which section** - ``census2011_workplace_msoa``: ONS Census 2011 workplace
   population, table WP605EW, workers :math:`W_{ms}` by MSOA *m* and SIC 2007 section *s*
   (sections R and S are published together as "R,S"). MSOAs are placed in districts by
   ``msoa_lad_lookup`` and located at their ONS population-weighted centroid
   (``small_area_centroids``).
2. **Which 5-digit code** - ``bres_itl2_sic5``: BRES employment :math:`E_{rk}` of SIC 2007
   subclass *k* in the district's ITL2 area *r*. Census workers are split within the section
   by the subclass shares, :math:`W_{mk} = W_{ms}\\,E_{rk} / \\sum_{k' \\in s} E_{rk'}`. Where
   the ITL2 area has no BRES employment in a section, the Great Britain shares are used and
   the fallback is recorded in the calibration table. The DEFRA agricultural pseudo-code
   01000 is not a subclass and is excluded.
3. **How big** - ``ukbc_sizeband``: ONS UK Business Counts (IDBR) enterprises of subclass
   *k* in Great Britain by nine employment size bands, shares :math:`p_{kb}`. A firm's band is
   drawn from :math:`p_{kb}`, its employment uniformly among the integers of the band (at
   least 1), and in the open top band (1000+) from a Pareto law with Zipf exponent
   :math:`\\alpha = 1.06` (Axtell 2001, *Science* 293:1818) truncated at ``top_band_max``.
   A subclass with no enterprises uses its section's pooled bands (recorded).
4. **How many** - with :math:`\\mu_k = \\sum_b p_{kb}\\,E[\\text{size} \\mid b]`, the number
   of firms of subclass *k* in MSOA *m* is Poisson with mean
   :math:`\\lambda_{mk} = \\text{scale}\\cdot W_{mk}/\\mu_k`, so expected employment equals
   :math:`\\text{scale}\\cdot W_{mk}` and expected size-band shares equal UKBC's.
5. **Where exactly** - the MSOA centroid plus isotropic Gaussian jitter (``jitter_m``).

Limits: UKBC counts enterprises, not local units, and the census is 2011. Planted clusters:
each :class:`PlantedCluster` adds ``n_firms`` firms of a SIC code prefix uniformly in a disc
of ``radius_m`` (codes and sizes drawn as above), with their cluster id in ``planted`` (others
-1) and the district of the nearest MSOA centroid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from wmresearch.evidence.sic import DEFRA_AGRI_CODE, SIC2007_DIVISIONS
from wmresearch.evidence.smallareas.centroids import msoa11_points

SYNTHETIC_NOTE = ("Synthetic firm register: firms drawn at random to match Census 2011 "
                  "workplace workers by MSOA and section, BRES subclass shares and UK Business "
                  "Counts size bands; {n} planted clusters. Not real firms.")

#: Columns each calibration table must have.
REQUIRED = {
    "region_lads": ("lad_code", "itl2_code"),
    "workplace": ("msoa11_code", "sic_section", "workers"),
    "bres": ("year", "itl2_code", "sic_code", "employment"),
    "sizebands": ("year", "sic_code", "sizeband", "sizeband_lower", "sizeband_upper",
                  "enterprises"),
    "centroids": ("area_type", "area_code", "easting", "northing"),
    "msoa_lookup": ("msoa11_code", "lad_code"),
}

FIRM_COLUMNS = ["firm_id", "easting", "northing", "sic_code", "section", "sizeband",
                "employment", "lad_code", "msoa11_code", "planted", "synthetic"]

#: Evidence parquet file of each calibration table.
EVIDENCE_FILES = {"workplace": "census2011_workplace_msoa", "bres": "bres_itl2_sic5",
                  "sizebands": "ukbc_sizeband", "centroids": "small_area_centroids",
                  "msoa_lookup": "msoa_lad_lookup"}


@dataclass(frozen=True)
class PlantedCluster:
    """A cluster planted in the register: ``n_firms`` firms of codes starting ``sic_prefix``
    in a disc of ``radius_m`` metres around ``centre`` (BNG easting, northing; ``None``: an
    MSOA centroid of the region drawn with the seed)."""

    name: str
    sic_prefix: str
    n_firms: int
    radius_m: float = 1500.0
    centre: tuple[float, float] | None = None


#: Three clusters in divisions that are thin elsewhere in a metropolitan region
#: (pharmaceuticals, aerospace and other transport equipment, scientific R&D), so that their
#: recovery is a fair test of a clustering method.
DEFAULT_PLANTED = (PlantedCluster("pharmaceuticals", "21", 80, 1000.0),
                   PlantedCluster("aerospace", "30", 120, 1500.0),
                   PlantedCluster("research and development", "72", 100, 1000.0))


@dataclass
class SyntheticRegister:
    """``firms`` (one per firm), ``truth`` (one per planted cluster), ``calibration`` (targets
    against realised counts) and ``msoas`` (code, district, point, ``centroid_derived``)."""

    firms: pd.DataFrame
    truth: pd.DataFrame
    calibration: pd.DataFrame
    msoas: pd.DataFrame


def load_calibration_tables(evidence_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Read the evidence tables the register is calibrated on (keyword arguments of
    :func:`synthetic_firm_register`)."""
    folder = Path(evidence_dir)
    return {key: pd.read_parquet(folder / f"{name}.parquet")
            for key, name in EVIDENCE_FILES.items()}


def _check(tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():  # name the table: several share column names
        missing = [c for c in REQUIRED[name] if c not in frame.columns]
        if missing:
            raise KeyError(f"table {name!r} lacks column(s) {missing} "
                           f"(it has {list(frame.columns)})")


def section_group(codes: pd.Series) -> pd.Series:
    """Census section group of 5-digit SIC codes ("R" and "S" become "R,S")."""
    section = codes.astype("string").str[:2].map(SIC2007_DIVISIONS)
    return section.replace({"R": "R,S", "S": "R,S"}).astype("string")


def _subclass_shares(bres: pd.DataFrame, itl2: list[str], year: int) -> pd.DataFrame:
    """Shares of each subclass in its section group, per ITL2 area (GB where the area has no
    employment in the section)."""
    rows = bres[(bres["year"] == year) & (bres["sic_code"] != DEFRA_AGRI_CODE)].copy()
    rows["employment"] = pd.to_numeric(rows["employment"]).fillna(0).astype(float)
    rows["group"] = section_group(rows["sic_code"])
    gb = rows.groupby(["group", "sic_code"], as_index=False)["employment"].sum()
    out = []
    for area in itl2:
        local = rows[rows["itl2_code"] == area]
        if local.empty:
            raise KeyError(f"ITL2 area {area!r} has no rows in bres_itl2_sic5 for {year}")
        local = local.groupby(["group", "sic_code"], as_index=False)["employment"].sum()
        totals = local.groupby("group")["employment"].transform("sum")
        empty = local.loc[totals <= 0, "group"].unique()
        local = pd.concat([local[totals > 0].assign(share_source="ITL2"),
                           gb[gb["group"].isin(empty)].assign(share_source="GB")])
        local["share"] = local["employment"] / local.groupby("group")["employment"].transform(
            "sum")
        out.append(local[local["share"] > 0].assign(itl2_code=area))
    return pd.concat(out, ignore_index=True)[["itl2_code", "group", "sic_code", "share",
                                              "share_source"]]


def _band_means(bands: pd.DataFrame, top_band_max: int, alpha: float) -> np.ndarray:
    """Mean employment of each band: uniform integers, truncated Pareto above 1000."""
    lo = np.maximum(bands["sizeband_lower"].to_numpy(float), 1.0)
    hi = bands["sizeband_upper"].to_numpy(float)
    means = (lo + hi) / 2
    top = np.isnan(hi)
    low, high = lo[top], float(top_band_max)
    # mean of a Pareto(alpha, low) truncated at high
    norm = 1 - (low / high) ** alpha
    means[top] = (alpha * low ** alpha / ((alpha - 1) * norm)
                  * (low ** (1 - alpha) - high ** (1 - alpha)))
    return means


def _size_table(sizebands: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Band shares by subclass (section-pooled where a subclass has no enterprises) and the
    band definitions."""
    rows = sizebands[sizebands["year"] == year].copy()
    if rows.empty:
        raise KeyError(f"ukbc_sizeband has no rows for {year}")
    rows["sizeband"] = rows["sizeband"].astype("string")
    bands = (rows[["sizeband", "sizeband_lower", "sizeband_upper"]].drop_duplicates()
             .sort_values("sizeband_lower").reset_index(drop=True))
    wide = rows.pivot_table(index="sic_code", columns="sizeband", values="enterprises",
                            aggfunc="sum", observed=True).reindex(columns=bands["sizeband"])
    wide = wide.fillna(0).astype(float)
    wide["group"] = section_group(wide.index.to_series()).to_numpy()
    pooled = wide.groupby("group").sum()
    counts = wide.drop(columns="group")
    empty = counts.sum(axis=1) <= 0
    counts.loc[empty] = pooled.reindex(wide.loc[empty, "group"]).to_numpy()
    counts["band_source"] = np.where(empty, "section", "subclass")
    return counts, bands


def _draw_sizes(rng: np.random.Generator, probs: np.ndarray, bands: pd.DataFrame,
                top_band_max: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Band index and employment of firms whose band probabilities are the rows of probs."""
    cum = np.cumsum(probs, axis=1)
    band = np.minimum((rng.random(len(probs))[:, None] > cum).sum(axis=1), len(bands) - 1)
    lo = np.maximum(bands["sizeband_lower"].to_numpy(float), 1.0)[band]
    hi = bands["sizeband_upper"].to_numpy(float)[band]
    u = rng.random(len(probs))
    top = np.isnan(hi)
    size = np.floor(lo + u * (np.nan_to_num(hi) - lo + 1))
    # inverse CDF of the truncated Pareto for the open top band
    size[top] = np.round(lo[top] / (1 - u[top] * (1 - (lo[top] / top_band_max) ** alpha))
                         ** (1 / alpha))
    return band, size.astype(np.int64)


def _msoas(region_lads: pd.DataFrame, workplace: pd.DataFrame, msoa_lookup: pd.DataFrame,
           centroids: pd.DataFrame, oa_lookup: pd.DataFrame | None = None) -> pd.DataFrame:
    """Region MSOAs (2011) with district, ITL2 area and population-weighted centroid."""
    look = msoa_lookup.dropna(subset=["msoa11_code"])[["msoa11_code", "lad_code"]].drop_duplicates()
    split = look["msoa11_code"].duplicated(keep=False)
    if split.any():
        raise ValueError(f"msoa_lad_lookup puts MSOA {look.loc[split, 'msoa11_code'].iloc[0]!r}"
                         " in more than one district")
    lads = region_lads[["lad_code", "itl2_code"]].astype("string")
    if lads["itl2_code"].isna().any():
        raise ValueError(f"district {lads.loc[lads['itl2_code'].isna(), 'lad_code'].iloc[0]!r}"
                         " has no ITL2 area in region_lads")
    msoas = look.astype("string").merge(lads, on="lad_code")
    absent = sorted(set(lads["lad_code"]) - set(msoas["lad_code"]))
    if absent:
        raise KeyError(f"district(s) {absent} have no MSOA in msoa_lad_lookup")
    msoas = msoas[msoas["msoa11_code"].isin(workplace["msoa11_code"].unique())]
    points = msoa11_points(centroids, oa_lookup, msoas["msoa11_code"].dropna())
    xy = points.loc[msoas["msoa11_code"], ["easting", "northing"]].to_numpy(float)
    derived = points.loc[msoas["msoa11_code"], "derived"].to_numpy(bool)
    out = msoas.assign(easting=xy[:, 0], northing=xy[:, 1], centroid_derived=derived)
    return out.sort_values("msoa11_code").reset_index(drop=True)


def _plant(rng: np.random.Generator, planted: tuple[PlantedCluster, ...],
           msoas: pd.DataFrame, shares: pd.DataFrame) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """Firms of the planted clusters (codes drawn by subclass share within the prefix) and
    the clusters' centres."""
    tree = cKDTree(msoas[["easting", "northing"]].to_numpy())
    centres: list[np.ndarray] = []
    parts = []
    for cid, spec in enumerate(planted):
        if spec.n_firms < 1 or spec.radius_m <= 0:
            raise ValueError(f"planted cluster {spec.name!r}: n_firms and radius_m must be > 0")
        codes = shares[shares["sic_code"].str.startswith(spec.sic_prefix)]
        codes = codes.groupby("sic_code")["share"].sum()
        if codes.empty:
            raise KeyError(f"planted cluster {spec.name!r}: no BRES subclass starts with "
                           f"{spec.sic_prefix!r}")
        if spec.centre is not None:
            centre = np.asarray(spec.centre, float)
        else:
            # keep planted clusters apart so that each is a separate ground-truth cluster
            for i in rng.permutation(len(msoas)):
                centre = msoas.loc[i, ["easting", "northing"]].to_numpy(float)
                if all(np.hypot(*(centre - c)) > 4 * spec.radius_m + 3000 for c in centres):
                    break
        centres.append(centre)
        r = spec.radius_m * np.sqrt(rng.random(spec.n_firms))
        theta = rng.uniform(0, 2 * np.pi, spec.n_firms)
        xy = centre + np.column_stack([r * np.cos(theta), r * np.sin(theta)])
        near = tree.query(xy)[1]
        parts.append(pd.DataFrame({
            "easting": xy[:, 0], "northing": xy[:, 1],
            "sic_code": rng.choice(codes.index.to_numpy(), spec.n_firms,
                                   p=(codes / codes.sum()).to_numpy()),
            "msoa11_code": msoas["msoa11_code"].to_numpy()[near],
            "lad_code": msoas["lad_code"].to_numpy()[near], "planted": cid}))
    return pd.concat(parts, ignore_index=True), centres


def synthetic_firm_register(region_lads: pd.DataFrame, *, workplace: pd.DataFrame,
                            bres: pd.DataFrame, sizebands: pd.DataFrame,
                            centroids: pd.DataFrame, msoa_lookup: pd.DataFrame, seed: int,
                            oa_lookup: pd.DataFrame | None = None,
                            scale: float = 1.0, jitter_m: float = 400.0,
                            planted: tuple[PlantedCluster, ...] = DEFAULT_PLANTED,
                            bres_year: int | None = None, ukbc_year: int | None = None,
                            top_band_max: int = 5000, pareto_alpha: float = 1.06,
                            ) -> SyntheticRegister:
    """Draw a synthetic firm register for the districts in ``region_lads``.

    The calibration is described in the module docstring: Poisson firm counts with mean
    :math:`\\lambda_{mk} = \\text{scale}\\cdot W_{mk}/\\mu_k` per MSOA *m* and SIC subclass *k*.

    Parameters
    ----------
    region_lads
        ``lad_code`` and ``itl2_code`` of the region's districts (evidence ``region_lads``).
    workplace, bres, sizebands, centroids, msoa_lookup
        Evidence tables ``census2011_workplace_msoa``, ``bres_itl2_sic5``, ``ukbc_sizeband``,
        ``small_area_centroids``, ``msoa_lad_lookup`` (:func:`load_calibration_tables`).
    seed
        Seed of :func:`numpy.random.default_rng` (same inputs and seed, same register).
    oa_lookup
        Evidence ``oa_lookup_2011``, to place MSOAs with a rejected centroid (msoa11_points).
    scale, jitter_m
        Fraction of the workforce represented (1: all); s.d. (metres) of the jitter.
    planted
        Clusters to plant (:data:`DEFAULT_PLANTED`; ``()`` for none).
    bres_year, ukbc_year, top_band_max, pareto_alpha
        Years of BRES and UKBC (default: latest); truncation and exponent of the 1000+ band.

    Returns
    -------
    SyntheticRegister
        ``firms``: firm_id, easting, northing (BNG, EPSG:27700, metres), sic_code, section,
        sizeband, employment, lad_code, msoa11_code, planted (cluster id or -1), synthetic;
        ``truth``: one row per planted cluster; ``calibration``: by district and section
        group, census workers, target employment, expected and drawn firms, drawn employment,
        and the fallbacks used. All three carry ``attrs["synthetic"]``.

    Raises
    ------
    KeyError
        A missing column (naming the table), a district without MSOAs, an MSOA without a
        location, an ITL2 area or year absent from BRES/UKBC; ValueError: bad input.
    """
    _check({"region_lads": region_lads, "workplace": workplace, "bres": bres,
            "sizebands": sizebands, "centroids": centroids, "msoa_lookup": msoa_lookup})
    if scale <= 0 or jitter_m < 0:
        raise ValueError(f"scale must be > 0 and jitter_m >= 0 (got {scale}, {jitter_m})")
    rng = np.random.default_rng(seed)
    msoas = _msoas(region_lads, workplace, msoa_lookup, centroids, oa_lookup)
    shares = _subclass_shares(bres, sorted(msoas["itl2_code"].unique()),
                              int(bres["year"].max()) if bres_year is None else bres_year)
    ukbc_year = int(sizebands["year"].max()) if ukbc_year is None else ukbc_year
    counts, bands = _size_table(sizebands, ukbc_year)
    work = workplace[["msoa11_code", "sic_section", "workers"]].astype(
        {"msoa11_code": "string", "sic_section": "string"})
    cells = msoas.merge(work.rename(columns={"sic_section": "group"}), on="msoa11_code")
    cells["workers"] = pd.to_numeric(cells["workers"]).astype(float)
    if cells["workers"].isna().any():
        bad = cells.loc[cells["workers"].isna(), "msoa11_code"].iloc[0]
        raise ValueError(f"census2011_workplace_msoa: MSOA {bad!r} has a missing count")
    # Sections with no BRES employment even in GB (T, households as employers) cannot be
    # split into subclasses: their workers stay in the calibration table as unrepresented.
    cells = cells.merge(shares, on=["itl2_code", "group"], how="left")
    unrepresented = cells[cells["share"].isna()]
    cells = cells[cells["share"].notna()].sort_values(["msoa11_code", "sic_code"])
    no_bands = ~cells["sic_code"].isin(counts.index)
    if no_bands.any():
        raise KeyError(f"SIC code {cells.loc[no_bands, 'sic_code'].iloc[0]!r} has no size "
                       f"bands in ukbc_sizeband for {ukbc_year}")
    band_counts = counts.drop(columns="band_source")
    probs = band_counts.div(band_counts.sum(axis=1), axis=0)
    mean_size = probs.to_numpy() @ _band_means(bands, top_band_max, pareto_alpha)
    mu = pd.Series(mean_size, index=probs.index)
    cells["expected_firms"] = scale * cells["workers"] * cells["share"] / cells["sic_code"].map(
        mu).to_numpy()
    cells["firms"] = rng.poisson(cells["expected_firms"].to_numpy())
    base = cells.loc[cells.index.repeat(cells["firms"]),
                     ["msoa11_code", "lad_code", "sic_code", "easting", "northing"]]
    base = base.reset_index(drop=True).assign(planted=-1)
    base[["easting", "northing"]] += rng.normal(0, jitter_m, (len(base), 2))
    centres: list[np.ndarray] = []
    if planted:
        extra, centres = _plant(rng, tuple(planted), msoas, shares)
        base = pd.concat([base, extra], ignore_index=True)
    firms = base
    band, size = _draw_sizes(rng, probs.loc[firms["sic_code"]].to_numpy(), bands,
                             top_band_max, pareto_alpha)
    firms["sizeband"] = bands["sizeband"].to_numpy()[band]
    firms["employment"] = size
    firms["section"] = firms["sic_code"].str[:2].map(SIC2007_DIVISIONS).astype("string")
    firms.insert(0, "firm_id", [f"SYN{i:07d}" for i in range(len(firms))])
    firms = firms.assign(synthetic=True)[FIRM_COLUMNS]
    out = SyntheticRegister(firms, _truth(planted, centres, firms),
                            _calibration(pd.concat([cells, unrepresented]), firms, counts, scale),
                            msoas.drop(columns="itl2_code"))
    for frame in (out.firms, out.truth, out.calibration):
        frame.attrs["synthetic"] = SYNTHETIC_NOTE.format(n=len(planted))
    return out


def _calibration(cells: pd.DataFrame, firms: pd.DataFrame, counts: pd.DataFrame,
                 scale: float) -> pd.DataFrame:
    """Targets and realised values by district and section group (planted firms excluded)."""
    cells = cells.assign(target=scale * cells["workers"] * cells["share"].fillna(0),
                         gb_share=cells["share_source"].eq("GB"),
                         pooled=cells["sic_code"].map(counts["band_source"]).eq("section"),
                         unrepresented=cells["share"].isna() & (cells["workers"] > 0))
    workers = (cells.drop_duplicates(["msoa11_code", "group"])
               .groupby(["lad_code", "group"])["workers"].sum())
    out = cells.groupby(["lad_code", "group"]).agg(
        target_employment=("target", "sum"), expected_firms=("expected_firms", "sum"),
        firms=("firms", "sum"), gb_shares=("gb_share", "any"),
        pooled_bands=("pooled", "any"), unrepresented=("unrepresented", "any"))
    base = firms[firms["planted"] < 0]
    drawn = base.assign(group=section_group(base["sic_code"])).groupby(
        ["lad_code", "group"])["employment"].sum()
    out.insert(0, "census_workers", workers)
    out["employment"] = drawn.reindex(out.index).fillna(0).astype("int64")
    return out.reset_index().rename(columns={"group": "section_group"}).assign(synthetic=True)


def _truth(planted: tuple[PlantedCluster, ...], centres: list[np.ndarray],
           firms: pd.DataFrame) -> pd.DataFrame:
    """One row per planted cluster: its specification and what was drawn."""
    rows = [{"planted": cid, "name": spec.name, "sic_prefix": spec.sic_prefix,
             "centre_easting": centre[0], "centre_northing": centre[1],
             "radius_m": spec.radius_m, "n_firms": int((firms["planted"] == cid).sum()),
             "employment": int(firms.loc[firms["planted"] == cid, "employment"].sum()),
             "lad_code": firms.loc[firms["planted"] == cid, "lad_code"].mode().iloc[0]}
            for cid, (spec, centre) in enumerate(zip(planted, centres, strict=True))]
    return pd.DataFrame(rows, columns=["planted", "name", "sic_prefix", "centre_easting",
                                       "centre_northing", "radius_m", "n_firms", "employment",
                                       "lad_code"]).assign(synthetic=True)
