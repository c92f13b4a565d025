"""Population-weighted centroids of LSOAs and MSOAs, and British National Grid conversion.

Source: ONS Open Geography Portal (https://geoportal.statistics.gov.uk), Crown copyright,
OGL v3: population-weighted centroids of LSOAs and MSOAs (``lsoa_latlong.csv.gz``,
``msoa_latlong.csv.gz``), WGS84 latitude/longitude. The files mix 2011 and 2021 codes with
Scottish data zones and Northern Irish small areas, and their ``lsoa11cd``/``msoa11cd``
column merely repeats the area code (also for areas created in 2021).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pyproj import Transformer

from wmresearch.evidence.io import (
    Cleaned,
    blank_to_na,
    concat_rejects,
    is_code,
    read_csv_text,
    to_number,
)
from wmresearch.evidence.smallareas.common import (
    COUNTRY,
    LAT_RANGE,
    LON_RANGE,
    NI_2021,
    SMALL_AREA,
    append_reason,
    code_problems,
    country_of,
    duplicate_reasons,
    missing_coordinates,
    outside_uk,
    string_column,
)

SCHEMA_CENTROIDS = pa.DataFrameSchema(
    {
        "area_type": string_column("'lsoa' (from lsoa_latlong) or 'msoa' (from msoa_latlong)",
                                   "lsoa|msoa"),
        "area_code": string_column("Area code as published: E/W LSOA or MSOA (2011 or 2021), "
                                   "Scottish data/intermediate zone, NI data zone/super data zone "
                                   "(N20/N21) or NI super output area (95...)",
                                   "|".join(SMALL_AREA.values())),
        "area_code_2011": string_column("The file's lsoa11cd/msoa11cd; null where blank, for "
                                        "NI 2021 data zones (N20/N21) and, if 2011 codes were "
                                        "supplied, where the area is not a 2011 area",
                                        nullable=True),
        "country_code": string_column("Country of the area, from its code's prefix", COUNTRY),
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


@cache
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_british_national_grid(lat: pd.Series, lon: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Project WGS84 latitude/longitude to British National Grid easting/northing (metres,
    EPSG:27700) with pyproj."""
    x, y = _to_bng().transform(lon.astype(float).to_numpy(), lat.astype(float).to_numpy())
    return (pd.Series(x, index=lat.index, dtype="Float64"),
            pd.Series(y, index=lat.index, dtype="Float64"))


# --------------------------------------------------------------------------- centroids

def _read_centroids(path: Path, area_type: str,
                    codes_2011: Collection[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One centroid file: (kept rows in output columns, rejects)."""
    key, code11 = f"{area_type.upper()}CD", f"{area_type}11cd"
    raw = read_csv_text(path, required=[key, "latitude", "longitude", code11])
    raw[key] = raw[key].str.strip()
    lat = to_number(raw, "latitude", path)
    lon = to_number(raw, "longitude", path)
    problems = code_problems(raw, {key: SMALL_AREA[area_type]})
    problems = append_reason(problems, duplicate_reasons(raw, key, f"{area_type.upper()} code"))
    problems = append_reason(problems, missing_coordinates(lat, lon))
    problems = append_reason(problems, outside_uk(lat, lon))
    bad = problems.notna()
    kept = raw.loc[~bad]
    out = pd.DataFrame({
        "area_type": pd.Series(area_type, index=kept.index, dtype="string"),
        "area_code": kept[key],
        "area_code_2011": blank_to_na(kept[code11]),
        "country_code": country_of(kept[key]),
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
