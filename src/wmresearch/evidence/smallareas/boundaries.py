"""Small-area boundaries: LSOA 2011, MSOA 2011 and electoral wards, in British National Grid.

Source: ONS Open Geography Portal (https://geoportal.statistics.gov.uk), Crown copyright,
OGL v3: generalised clipped LSOA 2011, MSOA 2011 and ward boundaries for the seven West
Midlands metropolitan districts (``wm7_boundaries/{lsoa11,msoa11,ward}/E0800002x.geojson``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa
import shapely
from pandera.engines.geopandas_engine import Geometry

from wmresearch.evidence.geography import LAD
from wmresearch.evidence.io import Cleaned, DataFileError, concat_rejects, is_code
from wmresearch.evidence.smallareas.common import append_reason, code_problems, string_column

#: Boundary levels: output name, code pattern, code and name property (regex), noun.
LEVELS = {
    "lsoa11": ("lsoa11_boundaries", r"E01\d{6}", r"LSOA11CD", r"LSOA11NM", "LSOA 2011"),
    "msoa11": ("msoa11_boundaries", r"E02\d{6}", r"MSOA11CD", r"MSOA11NM", "MSOA 2011"),
    "ward": ("ward_boundaries", r"E05\d{6}", r"WD\d{2}CD", r"WD\d{2}NM", "electoral ward"),
}


def _not_empty_and_valid(geometry: gpd.GeoSeries) -> pd.Series:
    return ~geometry.is_empty & geometry.is_valid


def boundaries_schema(level: str) -> pa.DataFrameSchema:
    """Schema of a boundary level (``"lsoa11"``, ``"msoa11"`` or ``"ward"``): codes must
    match E01/E02/E05, geometries non-empty, valid and in EPSG:27700."""
    name, pattern, _, _, noun = LEVELS[level]
    return pa.DataFrameSchema(
        {
            "area_code": string_column(f"{noun} code", pattern, unique=True),
            "area_name": string_column(f"{noun} name"),
            "lad_code": string_column("Active local authority district code", LAD),
            "geometry_repaired": pa.Column(bool, description="Geometry was invalid as "
                                           "published and repaired with shapely.make_valid"),
            "geometry": pa.Column(Geometry(crs="EPSG:27700"),
                                  pa.Check(_not_empty_and_valid, error="empty or invalid"),
                                  description="Boundary (generalised, clipped), British "
                                              "National Grid"),
        },
        strict=True,
        name=name,
        description=f"ONS Open Geography {noun} boundaries, reprojected to EPSG:27700.",
    )


SCHEMA_BOUNDARIES = {level: boundaries_schema(level) for level in LEVELS}


# --------------------------------------------------------------------------- boundaries

def _level_of(path: Path) -> str:
    level = path.parent.name
    if level not in LEVELS:
        raise DataFileError(path, f"cannot tell the geography level from the folder name "
                            f"{level!r}; expected one of {sorted(LEVELS)}")
    return level


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    """Read a boundary file; GeoJSON without a CRS is WGS84 (RFC 7946)."""
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise DataFileError(path, f"not a readable boundary file ({exc})") from exc
    return gdf if gdf.crs is not None else gdf.set_crs("EPSG:4326")


def _property(gdf: gpd.GeoDataFrame, path: Path, pattern: str, *fallbacks: str) -> str:
    """The first property named ``pattern`` (a full-match regex), else a fallback."""
    names = pd.Series([c for c in gdf.columns if c != "geometry"], dtype="string")
    hits = [*names[is_code(names, pattern)], *[f for f in fallbacks if f in gdf.columns]]
    if not hits:
        raise DataFileError(path, f"no property matching {pattern!r} among "
                            f"{names.tolist()}", column=pattern)
    return str(hits[0])


def _boundary_features(path: Path, level: str) -> gpd.GeoDataFrame:
    """One file's features in EPSG:27700, with the source file and 1-based feature number."""
    _, _, code_col, name_col, _ = LEVELS[level]
    gdf = _read_geojson(path)
    code = _property(gdf, path, code_col)
    name = _property(gdf, path, name_col)
    lad = _property(gdf, path, "LADCD_ACTIVE", *[c for c in gdf.columns
                                                 if str(c).startswith("LAD")
                                                 and str(c).endswith("CD")])
    out = gpd.GeoDataFrame({
        "source_row": range(1, len(gdf) + 1),
        "source_file": path.name,
        "area_code": gdf[code].astype("string").str.strip(),
        "area_name": gdf[name].astype("string").str.strip(),
        "lad_code": gdf[lad].astype("string").str.strip(),
    }, geometry=gdf.geometry.to_crs("EPSG:27700").values, crs="EPSG:27700")
    return out


def _geometry_problems(frame: gpd.GeoDataFrame) -> pd.Series:
    missing = frame.geometry.isna()
    empty = ~missing & frame.geometry.is_empty
    return pd.Series(pd.NA, index=frame.index, dtype="string").mask(
        missing, "missing geometry").mask(empty, "empty geometry")


def _repair(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Repair invalid geometries with ``shapely.make_valid`` (keeping polygonal parts) and
    flag them in ``geometry_repaired``."""
    invalid = ~frame.geometry.is_valid
    frame = frame.assign(geometry_repaired=invalid.astype(bool))
    if invalid.any():
        fixed = shapely.make_valid(frame.geometry[invalid].values, method="structure",
                                   keep_collapsed=False)
        frame.loc[invalid, "geometry"] = gpd.GeoSeries(fixed, index=frame.index[invalid],
                                                       crs=frame.crs)
    return frame


def _boundary_duplicates(frame: pd.DataFrame, noun: str) -> pd.Series:
    """Reason for each repeat of an area code after its first feature (NA otherwise)."""
    where = frame["source_file"] + " feature " + frame["source_row"].astype("string")
    first = where.groupby(frame["area_code"], sort=False).transform("first")
    later = frame.duplicated("area_code", keep="first")
    return (f"duplicate {noun} code (first in " + first + ")").where(later).astype("string")


def _clean_level(level: str, frames: list[gpd.GeoDataFrame], paths: list[Path]) -> Cleaned:
    name, pattern, _, _, noun = LEVELS[level]
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:27700")
    problems = code_problems(gdf, {"area_code": pattern, "lad_code": LAD})
    problems = append_reason(problems, _boundary_duplicates(gdf, noun))
    problems = append_reason(problems, _geometry_problems(gdf))
    bad = problems.notna()
    kept = _repair(gdf.loc[~bad])
    emptied = kept.geometry.is_empty
    rejects = [pd.DataFrame(gdf.loc[bad].drop(columns="geometry")).assign(
                   reason=problems[bad]),
               pd.DataFrame(kept.loc[emptied].drop(columns=["geometry",
                                                             "geometry_repaired"])).assign(
                   reason="empty geometry after make_valid")]
    kept = kept.loc[~emptied]
    columns = ["area_code", "area_name", "lad_code", "geometry_repaired", "geometry"]
    out = gpd.GeoDataFrame(kept[columns].reset_index(drop=True), crs="EPSG:27700")
    out = SCHEMA_BOUNDARIES[level].validate(out, lazy=True)
    out.attrs["geometries_repaired"] = int(out["geometry_repaired"].sum())
    return Cleaned(name, out, len(gdf), concat_rejects(rejects), ";".join(map(str, paths)))


def get_small_area_boundaries(paths: Sequence[Path | str]) -> dict[str, Cleaned]:
    """LSOA 2011, MSOA 2011 and ward boundaries, one Cleaned GeoDataFrame per level.

    Source: ONS Open Geography Portal generalised clipped boundaries, one GeoJSON per
    district (WGS84). The level of each file comes from its folder (``lsoa11``, ``msoa11``
    or ``ward``); ward code/name properties are found by pattern (``WD25CD``...), the LAD
    from ``LADCD_ACTIVE`` (else a ``LAD..CD`` property).

    Parameters
    ----------
    paths : sequence of Path or str
        GeoJSON files, e.g. ``wm7_boundaries/*/E0800002*.geojson``.

    Returns
    -------
    dict of str to Cleaned
        Keyed ``"lsoa11_boundaries"``, ``"msoa11_boundaries"``, ``"ward_boundaries"`` (levels
        present in ``paths``), columns area_code, area_name, lad_code, geometry_repaired,
        geometry (EPSG:27700); ``data.attrs["geometries_repaired"]`` counts repairs. Rows in
        = features read. Rejected: malformed codes (not E01/E02/E05, or LAD), codes repeated
        across files, missing or empty geometries (also after repair).

    Raises
    ------
    DataFileError
        If a file cannot be read, lacks a code/name/LAD property, or sits in a folder that
        names no level.
    """
    by_level: dict[str, list[Path]] = {}
    for path in map(Path, paths):
        by_level.setdefault(_level_of(path), []).append(path)
    return {LEVELS[level][0]: _clean_level(level, [_boundary_features(p, level) for p in
                                                   by_level[level]], by_level[level])
            for level in LEVELS if level in by_level}
