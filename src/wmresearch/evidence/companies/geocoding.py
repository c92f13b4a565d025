"""Geocoding firms: postcode-district centroids, local authority districts, the ONSPD.

Sources: postcode-district (outcode) centroids derived from the ONS Postcode Directory / OS
Code-Point Open (``geography/postcode_districts.csv``; its ``Region`` column holds a
local-authority *name*), the ONS local authority code history (``lad_lookup``) and, when a
user supplies it, the ONS Postcode Directory (ONSPD, ONS Open Geography Portal).

Outcode-level geocoding is approximate: a firm gets the centroid, and the local authority
district, that the file lists for its whole postcode district: where an outcode straddles
a district boundary, the firms on the far side of the boundary are assigned to the listed
district (the file lists one district per outcode, so how many firms this affects cannot be
measured from it; it needs unit postcodes). Unit-postcode geocoding
with :func:`geocode_onspd` is exact where the ONSPD is available.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.csv as pacsv

from wmresearch.evidence.companies.cleaning import normalise_postcodes
from wmresearch.evidence.companies.locations_sql import onspd_layout
from wmresearch.evidence.companies.schema import GEOCODE_COLUMNS
from wmresearch.evidence.io import DataFileError, open_binary, read_csv_text, to_number


def read_postcode_districts(path: str | Path) -> pd.DataFrame:
    """Read postcode-district centroids (``geography/postcode_districts.csv``).

    The file (derived from the ONS Postcode Directory / OS Code-Point Open) has columns
    ``Postcode`` (the district), ``Latitude``, ``Longitude``, ``Easting``, ``Northing`` and
    more; non-geographic districts have blank coordinates, kept as NA.

    Returns
    -------
    DataFrame
        ``postcode_district``, ``latitude``, ``longitude``, ``easting``, ``northing`` (floats)
        and ``town_area``, ``region_name`` when present, one row per district.

    Raises
    ------
    DataFileError
        Missing column, non-numeric coordinate, blank or repeated district.
    """
    path = Path(path)
    raw = read_csv_text(path, required=["Postcode", "Latitude", "Longitude", "Easting",
                                        "Northing"])
    district = raw["Postcode"].str.strip().str.upper()
    for check, message in ((district == "", "blank postcode district"),
                           (district.duplicated(), "repeated postcode district")):
        if check.any():
            first = int(np.flatnonzero(check.to_numpy(dtype=bool))[0])
            raise DataFileError(path, f"{message} {district.iloc[first]!r}",
                                row=int(raw["source_row"].iloc[first]), column="Postcode")
    out = pd.DataFrame({"postcode_district": district.astype("str")})
    for source, name in (("Latitude", "latitude"), ("Longitude", "longitude"),
                         ("Easting", "easting"), ("Northing", "northing")):
        out[name] = to_number(raw, source, path).astype("float64")
    for source, name in (("Town/Area", "town_area"), ("Region", "region_name")):
        if source in raw:
            out[name] = raw[source].str.strip().replace("", np.nan).astype("str")
    return out.reset_index(drop=True)


def _drop_geocode(firms: pd.DataFrame) -> pd.DataFrame:
    return firms.drop(columns=[c for c in GEOCODE_COLUMNS if c in firms])


def geocode_postcode_districts(firms: pd.DataFrame,
                               districts: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Add postcode-district centroid coordinates to a firm register.

    Parameters
    ----------
    firms
        A firm register (needs ``postcode_district``), e.g. ``read_basic_company_data(...)
        .data``.
    districts
        The output of :func:`read_postcode_districts`, or the path to read it from.

    Returns
    -------
    DataFrame
        ``firms`` (same rows, order and index) with ``latitude``, ``longitude``, ``easting``,
        ``northing``, ``geocode_precision`` (``"postcode_district"``, NA when unmatched) and
        ``geocode_matched``. Firms whose district is unknown or has no coordinates are kept
        and flagged ``geocode_matched=False``, not dropped. Existing geocode columns are
        replaced.
    """
    if not isinstance(districts, pd.DataFrame):
        districts = read_postcode_districts(districts)
    lookup = districts.dropna(subset=["latitude", "longitude"]).set_index("postcode_district")
    if lookup.index.duplicated().any():
        raise ValueError("districts has repeated postcode_district values")
    out = _drop_geocode(firms)
    key = out["postcode_district"]
    for column in ("latitude", "longitude", "easting", "northing"):
        out[column] = key.map(lookup[column]).astype("float64")
    matched = out["latitude"].notna()
    out["geocode_precision"] = pd.Series(np.where(matched, "postcode_district", None),
                                         index=out.index, dtype="str")
    out["geocode_matched"] = matched.astype(bool)
    return out


def _name_key(names: pd.Series) -> pd.Series:
    """Comparable form of a district name: case, spacing and '&' versus 'and' ignored (the
    postcode-district file writes 'Nuneaton & Bedworth', ONS 'Nuneaton and Bedworth')."""
    return (names.astype("str").str.casefold().str.replace("&", " and ", regex=False)
            .str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip())


def postcode_district_lads(districts: pd.DataFrame | str | Path,
                           lad_lookup: pd.DataFrame) -> pd.DataFrame:
    """Local authority district of each postcode district, from its listed district name.

    The postcode-district file names a local authority (``Region``, read as
    ``region_name``) for each outcode; the name is matched to the ONS code history
    (``lad_lookup``: ``lad_code``, ``lad_name`` and, when present, ``lad_code_active`` and
    ``lad_name_active``, e.g. the evidence table ``lad_lookup`` from
    :func:`wmresearch.evidence.geography.get_la_codes`) ignoring case, spacing and '&'/'and',
    and mapped to the *current* code. Names that are not a district (counties such as
    'Staffordshire', 'Kent'; Northern Irish or Scottish former districts) or that match
    several current districts get an NA ``lad_code``: the firms there are not assigned,
    never guessed. Outcode-level assignment is approximate where an outcode straddles a
    district boundary (see the module docstring).

    Returns
    -------
    DataFrame
        ``postcode_district``, ``lad_name`` (the current name, or the listed name when not
        matched) and ``lad_code`` (current LAD code or NA), one row per postcode district.
    """
    if not isinstance(districts, pd.DataFrame):
        districts = read_postcode_districts(districts)
    if "region_name" not in districts:
        raise ValueError("districts has no region_name (the file's Region column)")
    missing = {"lad_code", "lad_name"} - set(lad_lookup)
    if missing:
        raise ValueError(f"lad_lookup lacks column(s) {sorted(missing)}")
    active_code = lad_lookup.get("lad_code_active", lad_lookup["lad_code"])
    active_name = lad_lookup.get("lad_name_active", lad_lookup["lad_name"])
    names = pd.DataFrame({"key": _name_key(lad_lookup["lad_name"]), "lad_code": active_code,
                          "lad_name": active_name}).drop_duplicates(["key", "lad_code"])
    unique = names[~names["key"].duplicated(keep=False)].set_index("key")
    key = _name_key(districts["region_name"])
    listed = districts["region_name"].astype("str").str.strip()
    return pd.DataFrame({
        "postcode_district": districts["postcode_district"].astype("str"),
        "lad_code": key.map(unique["lad_code"]).astype("str"),
        "lad_name": key.map(unique["lad_name"]).fillna(listed).astype("str"),
    }).reset_index(drop=True)


def geocode_district_lads(firms: pd.DataFrame, district_lads: pd.DataFrame) -> pd.DataFrame:
    """Add ``lad_code`` (the local authority district of each firm's postcode district, from
    :func:`postcode_district_lads`; approximate at outcode level) to a firm register; firms
    whose district is unknown get NA. Same rows, order and index; no firm is dropped."""
    lookup = district_lads.set_index("postcode_district")["lad_code"]
    if lookup.index.duplicated().any():
        raise ValueError("district_lads has repeated postcode_district values")
    out = firms.copy()
    out["lad_code"] = out["postcode_district"].map(lookup).astype("str")
    return out


#: ONSPD roles the unit-postcode geocoder reads (names of each role: ``ONSPD_ROLES``).
ONSPD_FIELDS = ("postcode", "latitude", "longitude", "easting", "northing", "district")


def _read_onspd(path: Path, wanted: set[str], block_size: int) -> pd.DataFrame:
    """Stream the ONSPD, keeping only rows whose normalised postcode (``pcds``) is in
    ``wanted``; columns renamed to their roles (``ONSPD_FIELDS``) whatever the release."""
    layout = onspd_layout(path, optional=("quality", "terminated"))
    names = {layout.roles[role]: role for role in ONSPD_FIELDS}
    parts = []
    with open_binary(path) as fh:
        try:
            reader = pacsv.open_csv(
                fh, read_options=pacsv.ReadOptions(block_size=block_size,
                                                   column_names=list(layout.names),
                                                   skip_rows=1),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(names),
                    column_types=dict.fromkeys(names, pyarrow.string())))
            for batch in reader:
                frame = batch.to_pandas().rename(columns=names)
                frame["key"] = normalise_postcodes(frame["postcode"].fillna(""))["postcode"]
                frame = frame[frame["key"].isin(wanted)]
                if len(frame):
                    parts.append(frame)
        except pyarrow.ArrowInvalid as exc:
            raise DataFileError(path, f"malformed ONS Postcode Directory CSV ({exc})") from exc
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ("key", *ONSPD_FIELDS)})
    return pd.concat(parts, ignore_index=True).drop_duplicates("key")


def geocode_onspd(firms: pd.DataFrame, onspd_path: str | Path, *,
                  block_size: int = 1 << 25) -> pd.DataFrame:
    """Geocode firms to unit postcodes with a user-supplied ONS Postcode Directory.

    The ONSPD (ONS Open Geography Portal) is streamed and only the firms' postcodes are
    kept, so the full directory (~2.7 million postcodes) never sits in memory. Its columns
    are found from the header under the names of any release (see
    :mod:`~wmresearch.evidence.companies.locations_sql`): ``pcds``, ``lat``, ``long``, grid
    reference ``oseast1m``/``osnrth1m`` (2025: ``east1m``/``north1m``) and district
    ``oslaua`` (2025: ``lad25cd``, later ``lad26cd``; the NSPL's ``laua``). Postcodes
    without a grid reference (``lat`` 99.999999) count as unmatched.

    Returns
    -------
    DataFrame
        ``firms`` with ``latitude``, ``longitude``, ``easting``, ``northing``,
        ``geocode_precision="postcode"`` and ``lad_code`` (the ONSPD district) where the
        postcode matched. Where it did not, any coordinates already there (e.g. from
        :func:`geocode_postcode_districts`) are kept with their precision; otherwise NA and
        ``geocode_matched=False``. No firm is dropped.
    """
    path = Path(onspd_path)
    out = firms.copy()
    wanted = set(out["postcode"].dropna())
    found = _read_onspd(path, wanted, block_size)
    lat = pd.to_numeric(found["latitude"], errors="coerce")
    lon = pd.to_numeric(found["longitude"], errors="coerce")
    east = pd.to_numeric(found["easting"], errors="coerce")
    north = pd.to_numeric(found["northing"], errors="coerce")
    usable = lat.notna() & lon.notna() & (lat.abs() <= 90) & ~np.isclose(lat, 99.999999)
    lookup = pd.DataFrame({"latitude": lat, "longitude": lon, "easting": east,
                           "northing": north, "lad_code": found["district"]})[usable.to_numpy()]
    lookup.index = found["key"][usable.to_numpy()].to_numpy()
    hit = out["postcode"].isin(lookup.index).to_numpy(dtype=bool)
    for column in ("latitude", "longitude", "easting", "northing"):
        new = out["postcode"].map(lookup[column]).astype("float64")
        old = out[column].astype("float64") if column in out else pd.Series(
            np.nan, index=out.index)
        out[column] = new.where(hit, old)
    old_precision = out["geocode_precision"].astype("str") if "geocode_precision" in out \
        else pd.Series(np.nan, index=out.index, dtype="str")
    out["geocode_precision"] = old_precision.where(~hit, "postcode").where(
        out["latitude"].notna()).astype("str")
    out["geocode_matched"] = out["latitude"].notna().astype(bool)
    lad = out["postcode"].map(lookup["lad_code"]).replace("", np.nan)
    out["lad_code"] = lad.astype("str")
    return out

