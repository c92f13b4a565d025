"""ONS geography: code history, the districts of the region parameter, and boundaries.

Sources: ONS Open Geography Portal (https://geoportal.statistics.gov.uk): local authority code
history with combined authorities, LAD December 2023 and ITL3 January 2021 BUC boundaries.
Everything downstream is keyed by *current* LAD codes: :func:`current_lad_codes` maps any code
in the history (e.g. the pre-2019 Bournemouth E06000028) to its active successor.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    Cleaned,
    blank_to_na,
    concat_rejects,
    is_code,
    read_csv_text,
    split_rejects,
)

LAD = r"[ENSW]0[6-9]\d{6}|[EW]1[0-1]\d{6}|N09\d{6}|S12\d{6}|W06\d{6}"

SCHEMA_LAD_LOOKUP = pa.DataFrameSchema(
    {
        "lad_code": pa.Column(str, pa.Check.str_matches(r"[ENSW]\d{8}"), unique=True,
                              description="Any LAD code used since 2011"),
        "lad_name": pa.Column(str, description="Name under that code"),
        "lad_code_active": pa.Column(str, pa.Check.str_matches(r"[ENSW]\d{8}"),
                                     description="Current (active) LAD code it maps to"),
        "lad_name_active": pa.Column(str, description="Current LAD name"),
        "utla_code": pa.Column(str, nullable=True, description="Upper-tier local authority"),
        "cauth_code": pa.Column(str, nullable=True,
                                description="Combined authority code (E47...), if any"),
        "cauth_name": pa.Column(str, nullable=True, description="Combined authority name"),
        "region_code": pa.Column(str, nullable=True, description="Region (E12...) code"),
        "region_name": pa.Column(str, nullable=True, description="Region name"),
        "country_code": pa.Column(str, description="Country code"),
    },
    strict=True,
    description="Local authority district code history mapped to current codes, with upper "
                "tier, combined authority, region and country.",
)

SCHEMA_LAD_ITL = pa.DataFrameSchema(
    {
        "lad_code": pa.Column(str, description="LAD December 2023 code"),
        "lad_name": pa.Column(str, description="LAD name"),
        "itl3_code": pa.Column(str, pa.Check.str_matches(r"TL[C-N]\w{2}"), nullable=True,
                               description="ITL3 (2021) holding part of the LAD's population"),
        "itl3_name": pa.Column(str, nullable=True, description="ITL3 name"),
        "itl2_code": pa.Column(str, nullable=True, description="ITL2 parent of the ITL3"),
        "itl1_code": pa.Column(str, nullable=True, description="ITL1 parent"),
        "share": pa.Column(float, pa.Check.in_range(0, 1, include_min=False),
                           description="Share of the LAD's small areas (population proxy) "
                                       "in this ITL3"),
        "primary": pa.Column(bool, description="The ITL3 holding most of the LAD"),
    },
    unique=["lad_code", "itl3_code"],
    strict=True,
    description="LAD (Dec 2023) apportioned to ITL3/ITL2/ITL1 (Jan 2021) by population-"
                "weighted small-area centroids; straddling LADs have several rows.",
)

SCHEMA_REGION_LADS = pa.DataFrameSchema(
    {
        "lad_code": pa.Column(str, unique=True, description="Current LAD code in the region"),
        "lad_name": pa.Column(str, description="LAD name"),
        "cauth_code": pa.Column(str, nullable=True, description="Combined authority code"),
        "cauth_name": pa.Column(str, nullable=True, description="Combined authority name"),
        "region_code": pa.Column(str, nullable=True, description="Region (E12) code"),
        "region_name": pa.Column(str, nullable=True, description="Region name"),
        "itl3_code": pa.Column(str, nullable=True, description="ITL3 containing the LAD"),
        "itl3_name": pa.Column(str, nullable=True, description="ITL3 name"),
        "itl2_code": pa.Column(str, nullable=True, description="ITL2 containing the LAD"),
        "itl3_share": pa.Column(float, nullable=True,
                                description="Share of the LAD's population in that ITL3 "
                                            "(below 1 for a district straddling ITL3 areas)"),
    },
    strict=True,
    description="The districts making up the study area (the region parameter, an ONS code or "
                "a named area) with their ITL3/ITL2 areas.",
)


def get_la_codes(la_path: Path, cauth_path: Path | None = None) -> Cleaned:
    """Read the LAD code history (``la_all_codes``); rows whose code is malformed or repeated
    are rejected. ``cauth_path`` (combined authority names) is checked for consistency."""
    la_path = Path(la_path)
    raw = read_csv_text(la_path, required=["LADCD", "LADNM", "LADCD_ACTIVE", "LADNM_ACTIVE",
                                           "UTLACD", "CAUTHCD", "CAUTHNM", "RGNCD", "RGNNM",
                                           "CTRYCD"])
    rows_in = len(raw)
    kept, bad = split_rejects(raw, ~is_code(raw["LADCD"], r"[ENSW]\d{8}"),
                              "malformed LAD code")
    kept, dup = split_rejects(kept, kept["LADCD"].duplicated(), "duplicate LAD code")
    out = pd.DataFrame({
        "lad_code": kept["LADCD"].astype(str),
        "lad_name": kept["LADNM"].astype(str),
        "lad_code_active": kept["LADCD_ACTIVE"].astype(str),
        "lad_name_active": kept["LADNM_ACTIVE"].astype(str),
        "utla_code": blank_to_na(kept["UTLACD"]),
        "cauth_code": blank_to_na(kept["CAUTHCD"]),
        "cauth_name": blank_to_na(kept["CAUTHNM"]),
        "region_code": blank_to_na(kept["RGNCD"]),
        "region_name": blank_to_na(kept["RGNNM"]),
        "country_code": kept["CTRYCD"].astype(str),
    }).reset_index(drop=True)
    if cauth_path is not None:
        cauth = read_csv_text(Path(cauth_path), required=["CAUTHCD", "CAUTHNM"])
        unknown = set(out["cauth_code"].dropna()) - set(cauth["CAUTHCD"])
        if unknown:
            raise ValueError(f"{la_path}: combined authority codes {sorted(unknown)} are not in "
                             f"{cauth_path}")
    out = SCHEMA_LAD_LOOKUP.validate(out, lazy=True)
    return Cleaned("lad_lookup", out, rows_in,
                   concat_rejects(r[["source_row", "LADCD", "reason"]] for r in (bad, dup)),
                   str(la_path))


def current_lad_codes(lookup: pd.DataFrame) -> dict[str, str]:
    """Map every LAD code in the history to its current code."""
    return dict(zip(lookup["lad_code"], lookup["lad_code_active"], strict=True))


def _read_boundaries(path: Path) -> gpd.GeoDataFrame:
    from wmresearch.evidence.io import DataFileError

    try:
        return gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataFileError(path, f"not a readable boundary file ({exc})") from exc


def get_lad_boundaries(path: Path) -> Cleaned:
    """LAD December 2023 BUC boundaries (EPSG:27700), columns lad_code, lad_name, geometry."""
    gdf = _read_boundaries(Path(path))
    out = gdf.rename(columns={"LAD23CD": "lad_code", "LAD23NM": "lad_name"})[
        ["lad_code", "lad_name", "geometry"]]
    kept, bad = split_rejects(out, ~is_code(out["lad_code"], LAD) | out.geometry.is_empty,
                              "malformed code or empty geometry")
    bad = pd.DataFrame(bad.drop(columns="geometry")).assign(source_row=bad.index + 1)
    return Cleaned("lad_boundaries", gpd.GeoDataFrame(kept.reset_index(drop=True),
                                                      crs=gdf.crs),
                   len(gdf), bad, str(path))


def get_itl3_boundaries(path: Path) -> Cleaned:
    """ITL3 January 2021 BUC boundaries; ``path`` is the ``.shp`` (its siblings beside it)."""
    gdf = _read_boundaries(Path(path))
    out = gdf.rename(columns={"ITL321CD": "itl3_code", "ITL321NM": "itl3_name"})[
        ["itl3_code", "itl3_name", "geometry"]].reset_index(drop=True)
    return Cleaned("itl3_boundaries", gpd.GeoDataFrame(out, crs=gdf.crs), len(gdf),
                   source=str(path))


#: Shares below this are taken for slivers of generalised boundaries, not real straddles.
MIN_SHARE = 0.01


def lad_to_itl(lads: gpd.GeoDataFrame, itl3: gpd.GeoDataFrame,
               centroids: pd.DataFrame | None = None) -> pd.DataFrame:
    """Apportion each LAD among the ITL3 areas its residents live in.

    Most districts nest in one ITL3 area, but not all: Cumberland (E06000063), Highland and
    North Ayrshire straddle ITL3 (2021) boundaries. Each LAD's share of each ITL3 is the share
    of its small areas (LSOAs in England and Wales, data zones in Scotland and Northern
    Ireland) whose population-weighted centroid falls in that ITL3: LSOAs are built to hold
    1,000-3,000 residents, so the share of small areas is a population share to within their
    size variation (ONS, *Census 2021 geographies*). Shares under :data:`MIN_SHARE` are
    boundary slivers of the generalised (BUC) polygons and are dropped, the rest rescaled.
    A LAD with no centroid (or with ``centroids`` absent) takes the ITL3 containing a point
    inside it, with share 1.

    Returns
    -------
    pandas.DataFrame
        One row per LAD and ITL3 it overlaps: ``lad_code``, ``lad_name``, ``itl3_code``,
        ``itl3_name``, ``itl2_code``, ``itl1_code``, ``share`` (0-1, summing to 1 per LAD)
        and ``primary`` (the ITL3 holding most of the LAD's population).
    """
    regions = itl3.to_crs(lads.crs)[["itl3_code", "itl3_name", "geometry"]]
    parts = []
    if centroids is not None and len(centroids):
        small = centroids[centroids["area_type"] == "lsoa"].dropna(subset=["easting"])
        points = gpd.GeoDataFrame(
            small[["area_code"]], crs="EPSG:27700",
            geometry=gpd.points_from_xy(small["easting"], small["northing"])).to_crs(lads.crs)
        in_lad = gpd.sjoin(points, lads[["lad_code", "lad_name", "geometry"]], how="inner",
                           predicate="within").drop(columns="index_right")
        both = gpd.sjoin(in_lad, regions, how="inner", predicate="within")
        counts = both.groupby(["lad_code", "lad_name", "itl3_code", "itl3_name"]).size()
        share = (counts / counts.groupby(level="lad_code").transform("sum")).rename("share")
        share = share[share >= MIN_SHARE]
        share = share / share.groupby(level="lad_code").transform("sum")
        parts.append(share.reset_index())
    covered = set(parts[0]["lad_code"]) if parts else set()
    rest = lads[~lads["lad_code"].isin(covered)]
    if len(rest):
        inner = gpd.GeoDataFrame(rest[["lad_code", "lad_name"]],
                                 geometry=rest.geometry.representative_point(), crs=lads.crs)
        joined = gpd.sjoin(inner, regions, how="left", predicate="within")
        parts.append(pd.DataFrame(joined.drop(columns=["geometry", "index_right"]))
                     .drop_duplicates("lad_code").assign(share=1.0))
    out = pd.concat(parts, ignore_index=True)
    out = pd.DataFrame({
        "lad_code": out["lad_code"].astype(str),
        "lad_name": out["lad_name"].astype(str),
        "itl3_code": out["itl3_code"].astype(object),
        "itl3_name": out["itl3_name"].astype(object),
        "share": out["share"].astype(float),
    })
    out["itl2_code"] = out["itl3_code"].map(lambda c: c[:4] if isinstance(c, str) else None)
    out["itl1_code"] = out["itl3_code"].map(lambda c: c[:3] if isinstance(c, str) else None)
    out = out.sort_values(["lad_code", "share", "itl3_code"], ascending=[True, False, True])
    out["primary"] = ~out["lad_code"].duplicated()
    out = out[["lad_code", "lad_name", "itl3_code", "itl3_name", "itl2_code", "itl1_code",
               "share", "primary"]]
    return SCHEMA_LAD_ITL.validate(out.reset_index(drop=True), lazy=True)


def itl_to_nuts(code: str) -> str:
    """ITL 2021 code to its NUTS-style form used by NOMIS ("TLG3" -> "UKG3")."""
    return "UK" + code[2:] if code.startswith("TL") else code
