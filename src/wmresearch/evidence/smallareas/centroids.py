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

import numpy as np
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

def lsoa_spread(lsoas: pd.DataFrame, lsoa_to_msoa: pd.DataFrame) -> pd.DataFrame:
    """Per 2011 MSOA, the mean and the spread of its LSOAs' centroids (BNG metres).

    ``lsoas``: area_code, easting, northing of LSOA centroids; ``lsoa_to_msoa``: lsoa11_code,
    msoa11_code (the OA lookup). ``spread`` is the largest distance of an LSOA centroid from
    the mean; ``n`` the number of LSOAs found.
    """
    pairs = lsoa_to_msoa[["lsoa11_code", "msoa11_code"]].drop_duplicates("lsoa11_code")
    pts = pairs.merge(lsoas[["area_code", "easting", "northing"]].astype(
        {"easting": float, "northing": float}), left_on="lsoa11_code", right_on="area_code")
    mean = pts.groupby("msoa11_code")[["easting", "northing"]].transform("mean")
    pts["d"] = np.hypot(pts["easting"] - mean["easting"], pts["northing"] - mean["northing"])
    return pts.groupby("msoa11_code").agg(easting=("easting", "mean"),
                                          northing=("northing", "mean"),
                                          spread=("d", "max"), n=("d", "size"))


def _inconsistent(codes: pd.Series, lat: pd.Series, lon: pd.Series,
                  expected: pd.DataFrame) -> pd.Series:
    """Reason for an MSOA centroid far from its own LSOAs: farther from their mean than
    twice their spread and 2 km (NA where consistent, or where the MSOA is not in the OA
    lookup). In the June 2026 mirror 1,400 of 10,404 MSOA rows fail, e.g. Birmingham
    028 (E02001854) placed near Lancaster; consistent rows lie a median 0.3 km from the mean
    of their LSOAs' population-weighted centroids."""
    ok = lat.notna() & lon.notna()
    x, y = to_british_national_grid(lat.where(ok, 52.5), lon.where(ok, -1.9))
    ref = expected.reindex(codes.to_numpy())
    d = pd.Series(np.hypot(x.to_numpy(float) - ref["easting"].to_numpy(),
                           y.to_numpy(float) - ref["northing"].to_numpy()), index=codes.index)
    limit = np.maximum(2 * ref["spread"].to_numpy(), 2000.0)
    bad = ok & (d > limit).fillna(False)
    text = ("centroid " + (d / 1000).round(0).astype("Int64").astype("string")
            + " km from the mean of its " + pd.Series(ref["n"].to_numpy(), index=codes.index)
            .astype("Int64").astype("string") + " LSOAs' centroids (more than twice their "
            "spread): misplaced in the file, contradicts the 2011 OA lookup")
    return text.where(bad)


def _read_centroids(path: Path, area_type: str, codes_2011: Collection[str] | None,
                    expected: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    if expected is not None:
        problems = append_reason(problems, _inconsistent(raw[key], lat, lon, expected))
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
                  codes_2011: Collection[str] | None = None,
                  lsoa_to_msoa: pd.DataFrame | None = None) -> Cleaned:
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
    lsoa_to_msoa : DataFrame, optional
        ``lsoa11_code``, ``msoa11_code`` (the OA lookup, :func:`get_oa_lookup`). When given,
        an MSOA centroid farther from the mean of its LSOAs' centroids than twice their
        spread (and 2 km) is rejected as misplaced; :func:`msoa11_points` then places that
        MSOA at its LSOAs' mean.

    Returns
    -------
    Cleaned
        ``small_area_centroids`` (columns of :data:`SCHEMA_CENTROIDS`); rows in = data rows
        of both files. Rejected: malformed or repeated codes, missing coordinates,
        coordinates outside the UK box (``LAT_RANGE``, ``LON_RANGE``) and, with
        ``lsoa_to_msoa``, MSOA centroids that contradict their LSOAs.

    Raises
    ------
    DataFileError
        For an undecodable or truncated file, a missing column or a non-numeric coordinate
        (naming file, row and column).
    """
    lsoa = _read_centroids(Path(lsoa_path), "lsoa", codes_2011)
    expected = None if lsoa_to_msoa is None else lsoa_spread(lsoa[0], lsoa_to_msoa)
    parts = [lsoa, _read_centroids(Path(msoa_path), "msoa", codes_2011, expected)]
    out = pd.concat([p[0] for p in parts], ignore_index=True)
    rejects = concat_rejects(p[1] for p in parts)
    rows_in = len(out) + len(rejects)
    out = SCHEMA_CENTROIDS.validate(out, lazy=True)
    return Cleaned("small_area_centroids", out, rows_in, rejects, f"{lsoa_path};{msoa_path}")


def msoa11_points(centroids: pd.DataFrame, lsoa_to_msoa: pd.DataFrame | None,
                  msoa_codes: Collection[str]) -> pd.DataFrame:
    """Easting and northing of each 2011 MSOA in ``msoa_codes``: its ONS population-weighted
    centroid, or, where that row was rejected as misplaced, the mean of its LSOAs'
    population-weighted centroids (LSOAs hold similar populations, about 1,500 people, so
    the mean approximates the MSOA's own centroid: a median 0.3 km off where both exist).

    Returns
    -------
    DataFrame
        Index ``msoa11_code``; columns easting, northing, ``derived`` (True for LSOA means).

    Raises
    ------
    KeyError
        Naming the first MSOA with neither a centroid nor an LSOA in the lookup.
    """
    codes = pd.Index(sorted(set(msoa_codes)), name="msoa11_code")
    cents = centroids[centroids["area_type"] == "msoa"]
    key = "area_code_2011" if "area_code_2011" in cents.columns else "area_code"
    cents = cents.dropna(subset=[key]).drop_duplicates(key).set_index(key)
    out = cents[["easting", "northing"]].astype(float).reindex(codes)
    out["derived"] = out["easting"].isna()
    if out["derived"].any() and lsoa_to_msoa is not None:
        lsoas = centroids[centroids["area_type"] == "lsoa"]
        means = lsoa_spread(lsoas, lsoa_to_msoa)
        fill = out.index[out["derived"]]
        out.loc[fill, ["easting", "northing"]] = means.reindex(fill)[
            ["easting", "northing"]].to_numpy()
    if out["easting"].isna().any():
        raise KeyError(f"MSOA {out.index[out['easting'].isna()][0]!r} has no population-"
                       "weighted centroid in small_area_centroids and no LSOA in the lookup")
    return out
