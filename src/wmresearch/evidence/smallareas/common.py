"""Codes, coordinate bounds and row-rejection helpers shared by the small-area getters.

Each ``*_reasons``/``*_problems`` helper returns a string Series aligned with its input: the
reason a row is rejected, or NA where the row is fine, so reasons from several checks can be
joined with :func:`append_reason` and every rejected row keeps all its reasons.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import is_code

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


def string_column(description: str, pattern: str | None = None, **kwargs) -> pa.Column:
    """A pandera ``string`` column, full-matching ``pattern`` when one is given."""
    checks = [pa.Check.str_matches(f"^(?:{pattern})$")] if pattern else []
    return pa.Column("string", checks, description=description, **kwargs)


# --------------------------------------------------------------------------- helpers

def append_reason(problems: pd.Series, found: pd.Series) -> pd.Series:
    """Add reasons ``found`` (NA = fine) to ``problems``, joining with '; '."""
    found = found.reindex(problems.index).astype("string")
    both = problems.notna() & found.notna()
    out = problems.fillna(found)
    out[both] = problems[both] + "; " + found[both]
    return out


def no_problems(frame: pd.DataFrame) -> pd.Series:
    """An all-NA reason Series for ``frame`` (no row rejected yet)."""
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def code_problems(frame: pd.DataFrame, patterns: Mapping[str, str],
                  optional: Collection[str] = ()) -> pd.Series:
    """Reason per row naming each column whose value does not match its code pattern
    (blank allowed in ``optional`` columns); NA for rows that pass."""
    problems = no_problems(frame)
    for column, pattern in patterns.items():
        value = frame[column].astype("string").str.strip().fillna("")
        ok = is_code(value, pattern) | ((value == "") if column in optional else False)
        problems = append_reason(problems, ("malformed " + column + " '" + value + "'").where(~ok))
    return problems


def duplicate_reasons(frame: pd.DataFrame, key: str | Sequence[str], label: str) -> pd.Series:
    """Reason for every repeat of a key after its first occurrence (NA otherwise)."""
    keys = [key] if isinstance(key, str) else list(key)
    later = frame.duplicated(keys, keep="first")
    first = frame.groupby(keys, sort=False)["source_row"].transform("min")
    return ("duplicate " + label + " (first at row " + first.astype("string") + ")"
            ).where(later).astype("string")


def outside_uk(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Reason for coordinates outside ``LAT_RANGE``/``LON_RANGE`` (NA where inside or
    missing)."""
    bad_lat = (lat < LAT_RANGE[0]) | (lat > LAT_RANGE[1])
    bad_lon = (lon < LON_RANGE[0]) | (lon > LON_RANGE[1])
    bad = (bad_lat | bad_lon).fillna(False).astype(bool)
    text = ("coordinates (" + lat.astype("string") + ", " + lon.astype("string")
            + f") outside the UK (latitude {LAT_RANGE[0]:g} to {LAT_RANGE[1]:g}, "
              f"longitude {LON_RANGE[0]:g} to {LON_RANGE[1]:g})")
    return text.where(bad)


def missing_coordinates(lat: pd.Series, lon: pd.Series) -> pd.Series:
    """Reason where latitude or longitude is missing (NA otherwise)."""
    missing = lat.isna() | lon.isna()
    return pd.Series("missing latitude/longitude", index=lat.index,
                     dtype="string").where(missing)


def country_of(codes: pd.Series) -> pd.Series:
    """Country code (E92/W92/S92/N92) from the first character of each area code."""
    return codes.astype("string").str[0].map(_COUNTRY_OF_PREFIX).astype("string")
