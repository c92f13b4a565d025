"""Postcode district (outcode) centroids with postcode, population and household counts.

Source: postcode-district summary derived from the ONS Postcode Directory (ONS Open Geography
Portal, OGL v3) and OS Code-Point Open (Crown copyright) (``postcode_districts.csv``). Its
``Region`` column holds a local-authority (or county) *name*, not a region.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import Cleaned, blank_to_na, concat_rejects, read_csv_text, to_number
from wmresearch.evidence.smallareas.centroids import to_british_national_grid
from wmresearch.evidence.smallareas.common import (
    GRID_TOLERANCE_M,
    LAT_RANGE,
    LON_RANGE,
    OUTCODE,
    SPECIAL_OUTCODES,
    append_reason,
    code_problems,
    duplicate_reasons,
    missing_coordinates,
    outside_uk,
    string_column,
)

SCHEMA_POSTCODE_DISTRICTS = pa.DataFrameSchema(
    {
        "postcode_district": string_column("Postcode district (outcode), upper case",
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
        "town": string_column("Towns/areas in the district (the file's Town/Area)"),
        "lad_name_listed": string_column("The file's 'Region' column: a local-authority, county or "
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
        "nearby": string_column("Nearby districts as listed, comma separated", nullable=True),
        "active": pa.Column("boolean", nullable=True, description="True if the district has "
                            "any active postcode; null where counts are unpublished"),
    },
    strict=True,
    description="Postcode district centroids (ONSPD / OS Code-Point Open derived), UK and "
                "Crown Dependencies.",
)

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
    problems = code_problems(raw, {"Postcode": OUTCODE}).mask(special)
    problems = append_reason(problems, duplicate_reasons(raw, "Postcode", "postcode district"))
    problems = append_reason(problems, missing_coordinates(lat, lon))
    problems = append_reason(problems, outside_uk(lat, lon))
    problems = append_reason(problems, _grid_mismatch(lat, lon, counts["easting"],
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
