"""Small-area geography: output areas, LSOAs, MSOAs, wards, centroids and postcode districts.

Sources
-------
ONS Open Geography Portal (https://geoportal.statistics.gov.uk), Crown copyright, OGL v3:

* OA (2011) to LSOA, MSOA, LAD (2017) and region lookup for Great Britain, with the 2011
  Area Classification of output areas (``oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz``);
* population-weighted centroids of LSOAs and MSOAs (``lsoa_latlong.csv.gz``,
  ``msoa_latlong.csv.gz``), WGS84 latitude/longitude;
* MSOA (2011 and 2021) to active LAD lookup (``msoa_la.csv.gz``);
* generalised clipped LSOA 2011, MSOA 2011 and ward boundaries for the seven West Midlands
  metropolitan districts (``wm7_boundaries/{lsoa11,msoa11,ward}/E0800002x.geojson``);
* postcode district (outcode) centroids derived from the ONS Postcode Directory and OS
  Code-Point Open (``postcode_districts.csv``).

Quirks handled here (see each getter): the OA lookup starts with a byte-order mark; the
centroid files mix 2011 and 2021 codes with Scottish data zones and Northern Irish small
areas, and their ``lsoa11cd``/``msoa11cd`` column merely repeats the area code (also for
areas created in 2021); ``msoa_la`` has an empty ``LAD17CD`` column; the postcode-district
``Region`` column holds a local-authority (or county) *name*, not a region.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa
import shapely
from pandera.engines.geopandas_engine import Geometry
from pyproj import Transformer

from wmresearch.evidence.geography import LAD
from wmresearch.evidence.io import (
    Cleaned,
    DataFileError,
    blank_to_na,
    concat_rejects,
    is_code,
    read_csv_text,
    split_rejects,
    to_number,
)

# --------------------------------------------------------------------------- codes

OA11 = r"[EWS]00\d{6}"
LSOA11 = r"[EWS]01\d{6}"
MSOA11 = r"[EWS]02\d{6}"
LAD17 = r"E0[6-9]\d{6}|W06\d{6}|S12\d{6}"
#: RGN11CD holds the English region, or the country code for Wales and Scotland.
REGION11 = r"E12\d{6}|W92000004|S92000003"
COUNTRY = r"E92000001|W92000004|S92000003|N92000002"
#: 2011 Output Area Classification subgroup: supergroup 1-8, group a-d, subgroup 1-4.
OAC11 = r"[1-8][a-d][1-4]"
#: Northern Ireland 2001 super output areas (used for 2011 statistics), e.g. 95AA01S1.
NI_SOA = r"95[A-Z]{2}\d{2}[A-Z]\d"
#: Area codes in the centroid and MSOA files: England/Wales LSOA/MSOA (2011 and 2021),
#: Scottish data zones/intermediate zones (2011), NI data zones/super data zones (2021)
#: and NI super output areas.
SMALL_AREA = {"lsoa": rf"[EW]01\d{{6}}|S01\d{{6}}|N20\d{{6}}|{NI_SOA}",
              "msoa": rf"[EW]02\d{{6}}|S02\d{{6}}|N21\d{{6}}|{NI_SOA}"}
#: Northern Ireland data zones (N20) and super data zones (N21) date from 2021.
NI_2021 = r"N2[01]\d{6}"
OUTCODE = r"[A-Z]{1,2}\d[A-Z\d]?"
#: Outcodes outside the standard pattern: Girobank's GIR and the retired Newport NPT.
SPECIAL_OUTCODES = frozenset({"GIR", "NPT"})

#: A generous box around the UK (and the Crown Dependencies), WGS84 degrees.
LAT_RANGE = (49.0, 61.0)
LON_RANGE = (-9.0, 2.5)
#: Largest accepted gap between published easting/northing and projected lat/long.
GRID_TOLERANCE_M = 100.0

_COUNTRY_OF_PREFIX = {"E": "E92000001", "W": "W92000004", "S": "S92000003",
                      "N": "N92000002", "9": "N92000002"}


def _string(description: str, pattern: str | None = None, **kwargs) -> pa.Column:
    checks = [pa.Check.str_matches(f"^(?:{pattern})$")] if pattern else []
    return pa.Column("string", checks, description=description, **kwargs)


# --------------------------------------------------------------------------- schemas

SCHEMA_OA_LOOKUP = pa.DataFrameSchema(
    {
        "oa11_code": _string("Output area (2011) code", OA11, unique=True),
        "lsoa11_code": _string("Lower layer super output area (2011) code; Scottish data "
                               "zone (S01) in Scotland", LSOA11),
        "lsoa11_name": _string("LSOA (2011) name"),
        "msoa11_code": _string("Middle layer super output area (2011) code; Scottish "
                               "intermediate zone (S02) in Scotland", MSOA11),
        "msoa11_name": _string("MSOA (2011) name"),
        "lad17_code": _string("Local authority district (2017) code", LAD17),
        "lad17_name": _string("Local authority district (2017) name"),
        "region_code": _string("Region (E12) code in England; the country code in Wales and "
                               "Scotland, as published", REGION11),
        "region_name": _string("Region name (country name in Wales and Scotland)"),
        "country_code": _string("Country code", COUNTRY),
        "oac11_code": _string("2011 Output Area Classification subgroup code (first digit = "
                              "supergroup, letter = group)", OAC11),
        "oac11_name": _string("2011 Output Area Classification subgroup name (the file's "
                              "OAC11NM; 76 subgroups)"),
    },
    strict=True,
    description="ONS Open Geography OA (2011) -> LSOA -> MSOA -> LAD (2017) -> region "
                "lookup for Great Britain, with the 2011 OA classification; every LSOA nests "
                "in one MSOA and one LAD, every MSOA in one LAD.",
)

SCHEMA_LSOA_LOOKUP = pa.DataFrameSchema(
    {
        "lsoa11_code": _string("LSOA (2011) code", LSOA11, unique=True),
        "lsoa11_name": _string("LSOA (2011) name"),
        "msoa11_code": _string("MSOA (2011) containing the LSOA", MSOA11),
        "msoa11_name": _string("MSOA (2011) name"),
        "lad17_code": _string("Local authority district (2017) containing the LSOA", LAD17),
        "lad17_name": _string("Local authority district (2017) name"),
        "region_code": _string("Region code (country code outside England)", REGION11),
        "country_code": _string("Country code", COUNTRY),
        "n_oa": pa.Column("Int64", pa.Check.ge(1), description="Output areas in the LSOA"),
    },
    strict=True,
    description="One row per 2011 LSOA with its MSOA and LAD, from the OA lookup.",
)

SCHEMA_CENTROIDS = pa.DataFrameSchema(
    {
        "area_type": _string("'lsoa' (from lsoa_latlong) or 'msoa' (from msoa_latlong)",
                             "lsoa|msoa"),
        "area_code": _string("Area code as published: E/W LSOA or MSOA (2011 or 2021), "
                             "Scottish data/intermediate zone, NI data zone/super data zone "
                             "(N20/N21) or NI super output area (95...)",
                             "|".join(SMALL_AREA.values())),
        "area_code_2011": _string("The file's lsoa11cd/msoa11cd; null where blank, for "
                                  "NI 2021 data zones (N20/N21) and, if 2011 codes were "
                                  "supplied, where the area is not a 2011 area",
                                  nullable=True),
        "country_code": _string("Country of the area, from its code's prefix", COUNTRY),
        "latitude": pa.Column("Float64", pa.Check.in_range(*LAT_RANGE),
                              description="Population-weighted centroid latitude, WGS84"),
        "longitude": pa.Column("Float64", pa.Check.in_range(*LON_RANGE),
                               description="Population-weighted centroid longitude, WGS84"),
        "easting": pa.Column("Float64", description="Centroid easting, British National Grid "
                             "(EPSG:27700), projected with pyproj"),
        "northing": pa.Column("Float64", description="Centroid northing, British National "
                              "Grid (EPSG:27700), projected with pyproj"),
    },
    strict=True,
    unique=["area_type", "area_code"],
    description="ONS Open Geography population-weighted centroids of LSOAs and MSOAs (and "
                "their Scottish and Northern Irish equivalents), long format.",
)

SCHEMA_MSOA_LAD = pa.DataFrameSchema(
    {
        "msoa_code": _string("MSOA code (2011 and/or 2021 set); S02/N21/95... outside E&W",
                             SMALL_AREA["msoa"], unique=True),
        "msoa_name": _string("MSOA name"),
        "msoa11_code": _string("The code if it is a 2011 MSOA, else null", nullable=True),
        "msoa21_code": _string("The code if it is a 2021 MSOA, else null", nullable=True),
        "lad_code": _string("Active (current) local authority district code", LAD),
        "lad_name": _string("Active local authority district name"),
        "cauth_code": _string("Combined authority (E47) code, if any", r"E47\d{6}",
                              nullable=True),
        "region_code": _string("Region (E12) code; null outside England", r"E12\d{6}",
                               nullable=True),
        "country_code": _string("Country code", COUNTRY),
    },
    strict=True,
    description="ONS Open Geography MSOA (2011/2021) to active LAD, combined authority, "
                "region and country lookup.",
)

SCHEMA_POSTCODE_DISTRICTS = pa.DataFrameSchema(
    {
        "postcode_district": _string("Postcode district (outcode), upper case",
                                     "|".join([OUTCODE, *sorted(SPECIAL_OUTCODES)]),
                                     unique=True),
        "latitude": pa.Column("Float64", pa.Check.in_range(*LAT_RANGE),
                              description="District centroid latitude, WGS84"),
        "longitude": pa.Column("Float64", pa.Check.in_range(*LON_RANGE),
                               description="District centroid longitude, WGS84"),
        "easting": pa.Column("Int64", nullable=True, description="Published easting "
                             "(British National Grid); null for Guernsey, Jersey, Man"),
        "northing": pa.Column("Int64", nullable=True, description="Published northing "
                              "(British National Grid)"),
        "town": _string("Towns/areas in the district (the file's Town/Area)"),
        "lad_name_listed": _string("The file's 'Region' column: a local-authority, county or "
                                   "island name as listed, not a region and not validated "
                                   "against LAD names", nullable=True),
        "postcodes": pa.Column("Int64", pa.Check.ge(0), nullable=True,
                               description="Postcodes ever allocated in the district"),
        "active_postcodes": pa.Column("Int64", pa.Check.ge(0), nullable=True,
                                      description="Postcodes currently live"),
        "population": pa.Column("Int64", pa.Check.ge(0), nullable=True,
                                description="Resident population (null where unpublished)"),
        "households": pa.Column("Int64", pa.Check.ge(0), nullable=True,
                                description="Households (null where unpublished)"),
        "nearby": _string("Nearby districts as listed, comma separated", nullable=True),
        "active": pa.Column("boolean", nullable=True, description="True if the district has "
                            "any active postcode; null where counts are unpublished"),
    },
    strict=True,
    description="Postcode district centroids (ONSPD / OS Code-Point Open derived), UK and "
                "Crown Dependencies.",
)

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
            "area_code": _string(f"{noun} code", pattern, unique=True),
            "area_name": _string(f"{noun} name"),
            "lad_code": _string("Active local authority district code", LAD),
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


# --------------------------------------------------------------------------- helpers

def _append(problems: pd.Series, found: pd.Series) -> pd.Series:
    """Add reasons ``found`` (NA = fine) to ``problems``, joining with '; '."""
    found = found.reindex(problems.index).astype("string")
    both = problems.notna() & found.notna()
    out = problems.fillna(found)
    out[both] = problems[both] + "; " + found[both]
    return out


def _no_problems(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _code_problems(frame: pd.DataFrame, patterns: Mapping[str, str],
                   optional: Collection[str] = ()) -> pd.Series:
    """Reason per row naming each column whose value does not match its code pattern
    (blank allowed in ``optional`` columns); NA for rows that pass."""
    problems = _no_problems(frame)
    for column, pattern in patterns.items():
        value = frame[column].astype("string").str.strip().fillna("")
        ok = is_code(value, pattern) | ((value == "") if column in optional else False)
        problems = _append(problems, ("malformed " + column + " '" + value + "'").where(~ok))
    return problems


def _duplicates(frame: pd.DataFrame, key: str | Sequence[str], label: str) -> pd.Series:
    """Reason for every repeat of a key after its first occurrence (NA otherwise)."""
    keys = [key] if isinstance(key, str) else list(key)
    later = frame.duplicated(keys, keep="first")
    first = frame.groupby(keys, sort=False)["source_row"].transform("min")
    return ("duplicate " + label + " (first at row " + first.astype("string") + ")"
            ).where(later).astype("string")


def _outside_uk(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Reason for coordinates outside ``LAT_RANGE``/``LON_RANGE`` (NA where inside or
    missing)."""
    bad_lat = (lat < LAT_RANGE[0]) | (lat > LAT_RANGE[1])
    bad_lon = (lon < LON_RANGE[0]) | (lon > LON_RANGE[1])
    bad = (bad_lat | bad_lon).fillna(False).astype(bool)
    text = ("coordinates (" + lat.astype("string") + ", " + lon.astype("string")
            + f") outside the UK (latitude {LAT_RANGE[0]:g} to {LAT_RANGE[1]:g}, "
              f"longitude {LON_RANGE[0]:g} to {LON_RANGE[1]:g})")
    return text.where(bad)


def _missing_coordinates(lat: pd.Series, lon: pd.Series) -> pd.Series:
    missing = lat.isna() | lon.isna()
    return pd.Series("missing latitude/longitude", index=lat.index,
                     dtype="string").where(missing)


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_british_national_grid(lat: pd.Series, lon: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Project WGS84 latitude/longitude to British National Grid easting/northing (metres,
    EPSG:27700) with pyproj."""
    x, y = _to_bng().transform(lon.astype(float).to_numpy(), lat.astype(float).to_numpy())
    return (pd.Series(x, index=lat.index, dtype="Float64"),
            pd.Series(y, index=lat.index, dtype="Float64"))


def _country_of(codes: pd.Series) -> pd.Series:
    return codes.astype("string").str[0].map(_COUNTRY_OF_PREFIX).astype("string")


# --------------------------------------------------------------------------- OA lookup

OA_COLUMNS = {
    "OA11CD": "oa11_code", "LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name",
    "MSOA11CD": "msoa11_code", "MSOA11NM": "msoa11_name", "LAD17CD": "lad17_code",
    "LAD17NM": "lad17_name", "RGN11CD": "region_code", "RGN11NM": "region_name",
    "CTRY11CD": "country_code", "OAC11CD": "oac11_code", "OAC11NM": "oac11_name",
}
OA_CODES = {"OA11CD": OA11, "LSOA11CD": LSOA11, "MSOA11CD": MSOA11, "LAD17CD": LAD17,
            "RGN11CD": REGION11, "CTRY11CD": COUNTRY, "OAC11CD": OAC11}
#: (child, parent) pairs that must nest: each child code has exactly one parent code.
NESTING = (("LSOA11CD", "MSOA11CD"), ("LSOA11CD", "LAD17CD"), ("MSOA11CD", "LAD17CD"))


def _nesting_problems(frame: pd.DataFrame,
                      pairs: Sequence[tuple[str, str]] = NESTING) -> pd.Series:
    """Reason for every row of a child area split between several parents (NA otherwise).

    All rows of such a child are rejected: the file gives no way to tell which parent is
    right.
    """
    problems = _no_problems(frame)
    for child, parent in pairs:
        n_parents = frame.groupby(child, sort=False)[parent].nunique()
        split_codes = n_parents.index[n_parents > 1]
        sub = frame[frame[child].isin(split_codes).fillna(False).astype(bool)]
        split = sub.groupby(child, sort=False)[parent].unique()
        text = {code: f"{child} {code} belongs to {len(found)} {parent} codes "
                      f"({', '.join(sorted(found))})" for code, found in split.items()}
        problems = _append(problems, frame[child].map(text))
    return problems


def get_oa_lookup(path: Path | str) -> Cleaned:
    """Read the ONS OA (2011) -> LSOA -> MSOA -> LAD (2017) -> region lookup (GB).

    Source: ONS Open Geography Portal, "Output Area to Lower Layer Super Output Area to
    Middle Layer Super Output Area to Local Authority District (December 2017) Lookup", with
    the 2011 Area Classification for Output Areas. The file starts with a UTF-8 byte-order
    mark. Note ``OAC11NM`` is the OAC *subgroup* name (76 values, code like ``7d1``), kept
    as ``oac11_name``.

    Parameters
    ----------
    path : Path or str
        ``oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz``.

    Returns
    -------
    Cleaned
        ``oa_lookup_2011``, one row per output area (columns of
        :data:`SCHEMA_OA_LOOKUP`). Rejected: rows with a malformed code, repeats of an OA
        (the first is kept), and every row of an LSOA split between MSOAs or LADs or an
        MSOA split between LADs.

    Raises
    ------
    DataFileError
        If the file is undecodable, truncated or lacks a column.
    """
    path = Path(path)
    raw = read_csv_text(path, required=[*OA_COLUMNS, "FID"])
    problems = _code_problems(raw, OA_CODES)
    problems = _append(problems, _duplicates(raw, "OA11CD", "output area"))
    problems = _append(problems, _nesting_problems(raw[problems.isna()]))
    kept, rejects = split_rejects(raw, problems.notna(), problems)
    out = (kept[list(OA_COLUMNS)].rename(columns=OA_COLUMNS)
           .apply(lambda s: s.str.strip()).reset_index(drop=True))
    out = SCHEMA_OA_LOOKUP.validate(out, lazy=True)
    keep = ["source_row", "OA11CD", "LSOA11CD", "MSOA11CD", "LAD17CD", "reason"]
    return Cleaned("oa_lookup_2011", out, len(raw), concat_rejects([rejects[keep]]),
                   str(path))


def lsoa_lookup(oa_lookup: pd.DataFrame) -> pd.DataFrame:
    """One row per 2011 LSOA with its MSOA, LAD, region and number of output areas.

    Parameters
    ----------
    oa_lookup : DataFrame
        ``get_oa_lookup(...).data``.

    Raises
    ------
    ValueError
        If an LSOA nests in more than one MSOA or LAD (impossible after
        :func:`get_oa_lookup`, which rejects such rows).
    """
    keys = ["lsoa11_code", "lsoa11_name", "msoa11_code", "msoa11_name", "lad17_code",
            "lad17_name", "region_code", "country_code"]
    out = oa_lookup.groupby(keys, sort=True).size().rename("n_oa").reset_index()
    split = out.loc[out["lsoa11_code"].duplicated(keep=False), "lsoa11_code"]
    if len(split):
        raise ValueError(f"LSOAs {sorted(set(split))[:5]} nest in more than one MSOA or LAD; "
                         "clean the OA lookup with get_oa_lookup first")
    out["n_oa"] = out["n_oa"].astype("Int64")
    return SCHEMA_LSOA_LOOKUP.validate(out.astype({k: "string" for k in keys}), lazy=True)


# --------------------------------------------------------------------------- centroids

def _read_centroids(path: Path, area_type: str,
                    codes_2011: Collection[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One centroid file: (kept rows in output columns, rejects)."""
    key, code11 = f"{area_type.upper()}CD", f"{area_type}11cd"
    raw = read_csv_text(path, required=[key, "latitude", "longitude", code11])
    raw[key] = raw[key].str.strip()
    lat = to_number(raw, "latitude", path)
    lon = to_number(raw, "longitude", path)
    problems = _code_problems(raw, {key: SMALL_AREA[area_type]})
    problems = _append(problems, _duplicates(raw, key, f"{area_type.upper()} code"))
    problems = _append(problems, _missing_coordinates(lat, lon))
    problems = _append(problems, _outside_uk(lat, lon))
    bad = problems.notna()
    kept = raw.loc[~bad]
    out = pd.DataFrame({
        "area_type": pd.Series(area_type, index=kept.index, dtype="string"),
        "area_code": kept[key],
        "area_code_2011": blank_to_na(kept[code11]),
        "country_code": _country_of(kept[key]),
        "latitude": lat[~bad],
        "longitude": lon[~bad],
    })
    from_2021 = is_code(out["area_code"], NI_2021)
    out["area_code_2011"] = out["area_code_2011"].mask(from_2021)
    if codes_2011 is not None:
        out["area_code_2011"] = _only_2011(out["area_code_2011"], codes_2011)
    out["easting"], out["northing"] = to_british_national_grid(out["latitude"],
                                                               out["longitude"])
    rejects = raw.loc[bad, ["source_row", key]].rename(columns={key: "area_code"}).assign(
        file=path.name, area_type=area_type, reason=problems[bad])
    return out, rejects


def _only_2011(codes: pd.Series, codes_2011: Collection[str]) -> pd.Series:
    """Null codes that belong to a series covered by ``codes_2011`` (same 3-character
    prefix, e.g. E01) but are not in it: areas created in 2021."""
    known = set(codes_2011)
    prefixes = {c[:3] for c in known}
    covered = codes.str[:3].isin(prefixes).fillna(False).astype(bool)
    return codes.mask(covered & ~codes.isin(known).fillna(False).astype(bool))


def get_centroids(lsoa_path: Path | str, msoa_path: Path | str, *,
                  codes_2011: Collection[str] | None = None) -> Cleaned:
    """Population-weighted centroids of LSOAs and MSOAs, long format, with BNG coordinates.

    Source: ONS Open Geography Portal, LSOA and MSOA population-weighted centroids (2011
    and 2021 areas, UK). The files hold England/Wales 2011 *and* 2021 codes, Scottish 2011
    data zones (S01) and intermediate zones (S02), Northern Irish 2021 data zones (N20) and
    super data zones (N21), and NI super output areas (95..., in both files). Their
    ``lsoa11cd``/``msoa11cd`` column repeats the area code even for areas that only exist
    from 2021. ``area_code_2011`` is therefore nulled for NI data zones (N20/N21, 2021
    geographies) and, if ``codes_2011`` is passed (e.g. the LSOA and MSOA codes of
    :func:`get_oa_lookup`), for E/W/S codes that are not 2011 areas.

    Parameters
    ----------
    lsoa_path, msoa_path : Path or str
        ``lsoa_latlong.csv.gz`` and ``msoa_latlong.csv.gz``.
    codes_2011 : collection of str, optional
        Known 2011 codes. A code whose 3-character prefix occurs among them but which is
        not itself among them gets a null ``area_code_2011``.

    Returns
    -------
    Cleaned
        ``small_area_centroids`` (columns of :data:`SCHEMA_CENTROIDS`); rows in = data rows
        of both files. Rejected: malformed or repeated codes, missing coordinates and
        coordinates outside the UK box (``LAT_RANGE``, ``LON_RANGE``).

    Raises
    ------
    DataFileError
        For an undecodable or truncated file, a missing column or a non-numeric coordinate
        (naming file, row and column).
    """
    parts = [_read_centroids(Path(p), t, codes_2011)
             for p, t in ((lsoa_path, "lsoa"), (msoa_path, "msoa"))]
    out = pd.concat([p[0] for p in parts], ignore_index=True)
    rejects = concat_rejects(p[1] for p in parts)
    rows_in = len(out) + len(rejects)
    out = SCHEMA_CENTROIDS.validate(out, lazy=True)
    return Cleaned("small_area_centroids", out, rows_in, rejects, f"{lsoa_path};{msoa_path}")


# --------------------------------------------------------------------------- MSOA -> LAD

MSOA_LAD_COLUMNS = ["MSOACD", "MSOANM", "LADCD_ACTIVE", "LADNM_ACTIVE", "CAUTHCD", "RGNCD",
                    "CTRYCD", "MSOA11CD", "MSOA21CD"]


def _vintage_problems(raw: pd.DataFrame) -> pd.Series:
    """MSOA11CD/MSOA21CD, where given, must repeat MSOACD; at least one must be given."""
    code = raw["MSOACD"].str.strip()
    problems = _no_problems(raw)
    for column in ("MSOA11CD", "MSOA21CD"):
        other = blank_to_na(raw[column])
        differs = (other.notna() & (other != code)).fillna(False).astype(bool)
        problems = _append(problems, (column + " '" + other.fillna("") + "' differs from "
                                      "MSOACD").where(differs))
    neither = blank_to_na(raw["MSOA11CD"]).isna() & blank_to_na(raw["MSOA21CD"]).isna()
    return _append(problems, pd.Series("in neither the 2011 nor the 2021 MSOA set",
                                       index=raw.index, dtype="string").where(neither))


def get_msoa_lad_lookup(path: Path | str) -> Cleaned:
    """MSOA (2011 and 2021) to active LAD, combined authority, region and country.

    Source: ONS Open Geography Portal, MSOA to local authority lookup (UK, 2011 and 2021
    MSOAs in one list keyed by ``MSOACD``; ``MSOA11CD``/``MSOA21CD`` repeat the code when it
    belongs to that vintage). Its ``LAD17CD`` column is empty, so the active LAD
    (``LADCD_ACTIVE``) is used.

    Parameters
    ----------
    path : Path or str
        ``msoa_la.csv.gz``.

    Returns
    -------
    Cleaned
        ``msoa_lad_lookup`` (columns of :data:`SCHEMA_MSOA_LAD`). Rejected: malformed or
        repeated codes, and rows whose MSOA11CD/MSOA21CD contradict MSOACD or are both
        blank.

    Raises
    ------
    DataFileError
        If the file is undecodable, truncated or lacks a column.
    """
    path = Path(path)
    raw = read_csv_text(path, required=MSOA_LAD_COLUMNS)
    problems = _code_problems(
        raw, {"MSOACD": SMALL_AREA["msoa"], "LADCD_ACTIVE": LAD, "CAUTHCD": r"E47\d{6}",
              "RGNCD": r"E12\d{6}", "CTRYCD": COUNTRY}, optional=("CAUTHCD", "RGNCD"))
    problems = _append(problems, _vintage_problems(raw))
    problems = _append(problems, _duplicates(raw, "MSOACD", "MSOA code"))
    kept, rejects = split_rejects(raw, problems.notna(), problems)
    out = pd.DataFrame({
        "msoa_code": kept["MSOACD"].str.strip(),
        "msoa_name": kept["MSOANM"].str.strip(),
        "msoa11_code": blank_to_na(kept["MSOA11CD"]),
        "msoa21_code": blank_to_na(kept["MSOA21CD"]),
        "lad_code": kept["LADCD_ACTIVE"].str.strip(),
        "lad_name": kept["LADNM_ACTIVE"].str.strip(),
        "cauth_code": blank_to_na(kept["CAUTHCD"]),
        "region_code": blank_to_na(kept["RGNCD"]),
        "country_code": kept["CTRYCD"].str.strip(),
    }).reset_index(drop=True)
    out = SCHEMA_MSOA_LAD.validate(out, lazy=True)
    return Cleaned("msoa_lad_lookup", out, len(raw),
                   concat_rejects([rejects[["source_row", "MSOACD", "reason"]]]), str(path))


# --------------------------------------------------------------------------- postcodes

POSTCODE_COLUMNS = ["Postcode", "Latitude", "Longitude", "Easting", "Northing", "Town/Area",
                    "Region", "Postcodes", "Active postcodes", "Population", "Households",
                    "Nearby districts"]
POSTCODE_COUNTS = {"Easting": "easting", "Northing": "northing", "Postcodes": "postcodes",
                   "Active postcodes": "active_postcodes", "Population": "population",
                   "Households": "households"}


def _grid_mismatch(lat: pd.Series, lon: pd.Series, easting: pd.Series,
                   northing: pd.Series) -> pd.Series:
    """Reason where the published easting/northing is more than ``GRID_TOLERANCE_M`` from
    the projected latitude/longitude (NA where fine or not comparable)."""
    usable = lat.notna() & lon.notna() & easting.notna() & northing.notna()
    gap = pd.Series(pd.NA, index=lat.index, dtype="Float64")
    if usable.any():
        x, y = to_british_national_grid(lat[usable], lon[usable])
        gap[usable] = ((x - easting[usable]) ** 2 + (y - northing[usable]) ** 2) ** 0.5
    far = (gap > GRID_TOLERANCE_M).fillna(False).astype(bool)
    return ("easting/northing " + gap.round(0).astype("Int64").astype("string")
            + " m from the projected latitude/longitude").where(far)


def get_postcode_districts(path: Path | str) -> Cleaned:
    """Postcode district (outcode) centroids with postcode, population and household counts.

    Source: postcode-district summary derived from the ONS Postcode Directory (ONS Open
    Geography Portal) and OS Code-Point Open (Crown copyright). The ``Region`` column holds
    a local-authority, county or island *name* ("Birmingham", "Kent", "Guernsey"), output
    as ``lad_name_listed``. Districts with no active postcodes (retired outcodes such as
    AB1) are kept with ``active`` False.

    Parameters
    ----------
    path : Path or str
        ``postcode_districts.csv``.

    Returns
    -------
    Cleaned
        ``postcode_districts`` (columns of :data:`SCHEMA_POSTCODE_DISTRICTS`). Rejected:
        malformed or repeated outcodes, missing coordinates (non-geographic districts such
        as GIR, BF1), coordinates outside the UK box, and easting/northing that disagree
        with latitude/longitude by more than ``GRID_TOLERANCE_M``.

    Raises
    ------
    DataFileError
        If the file is undecodable, truncated, lacks a column or has a non-numeric number.
    """
    path = Path(path)
    raw = read_csv_text(path, required=POSTCODE_COLUMNS)
    raw["Postcode"] = raw["Postcode"].str.strip().str.upper()
    lat, lon = to_number(raw, "Latitude", path), to_number(raw, "Longitude", path)
    counts = {new: to_number(raw, old, path, integer=True)
              for old, new in POSTCODE_COUNTS.items()}
    special = raw["Postcode"].isin(SPECIAL_OUTCODES).fillna(False).astype(bool)
    problems = _code_problems(raw, {"Postcode": OUTCODE}).mask(special)
    problems = _append(problems, _duplicates(raw, "Postcode", "postcode district"))
    problems = _append(problems, _missing_coordinates(lat, lon))
    problems = _append(problems, _outside_uk(lat, lon))
    problems = _append(problems, _grid_mismatch(lat, lon, counts["easting"],
                                                counts["northing"]))
    bad = problems.notna()
    kept = raw.loc[~bad]
    out = pd.DataFrame({
        "postcode_district": kept["Postcode"],
        "latitude": lat[~bad],
        "longitude": lon[~bad],
        **{name: values[~bad] for name, values in counts.items() if name in ("easting",
                                                                             "northing")},
        "town": kept["Town/Area"].str.strip(),
        "lad_name_listed": blank_to_na(kept["Region"]),
        **{name: values[~bad] for name, values in counts.items() if name not in ("easting",
                                                                                 "northing")},
        "nearby": blank_to_na(kept["Nearby districts"]),
    })
    out["active"] = (out["active_postcodes"] > 0).astype("boolean")
    out = SCHEMA_POSTCODE_DISTRICTS.validate(out.reset_index(drop=True), lazy=True)
    rejects = raw.loc[bad, ["source_row", "Postcode"]].assign(reason=problems[bad])
    return Cleaned("postcode_districts", out, len(raw), concat_rejects([rejects]), str(path))


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
    problems = _code_problems(gdf, {"area_code": pattern, "lad_code": LAD})
    problems = _append(problems, _boundary_duplicates(gdf, noun))
    problems = _append(problems, _geometry_problems(gdf))
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


__all__ = [
    "LAT_RANGE", "LON_RANGE", "SCHEMA_BOUNDARIES", "SCHEMA_CENTROIDS", "SCHEMA_LSOA_LOOKUP",
    "SCHEMA_MSOA_LAD", "SCHEMA_OA_LOOKUP", "SCHEMA_POSTCODE_DISTRICTS", "boundaries_schema",
    "get_centroids", "get_msoa_lad_lookup", "get_oa_lookup", "get_postcode_districts",
    "get_small_area_boundaries", "lsoa_lookup", "to_british_national_grid",
]
