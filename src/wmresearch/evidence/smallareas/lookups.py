"""Small-area lookups: output area (2011) -> LSOA -> MSOA -> LAD, and MSOA -> active LAD.

Sources: ONS Open Geography Portal (https://geoportal.statistics.gov.uk), Crown copyright,
OGL v3: the OA (2011) to LSOA, MSOA, LAD (2017) and region lookup for Great Britain, with the
2011 Area Classification of output areas (``oa11_lsoa11_msoa11_lad17_rgn_lookup.csv.gz``,
which starts with a byte-order mark); and the MSOA (2011 and 2021) to active LAD lookup
(``msoa_la.csv.gz``, whose ``LAD17CD`` column is empty).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.geography import LAD
from wmresearch.evidence.io import (
    Cleaned,
    blank_to_na,
    concat_rejects,
    read_csv_text,
    split_rejects,
)
from wmresearch.evidence.smallareas.common import (
    COUNTRY,
    LAD17,
    LSOA11,
    MSOA11,
    OA11,
    OAC11,
    REGION11,
    SMALL_AREA,
    append_reason,
    code_problems,
    duplicate_reasons,
    no_problems,
    string_column,
)

SCHEMA_OA_LOOKUP = pa.DataFrameSchema(
    {
        "oa11_code": string_column("Output area (2011) code", OA11, unique=True),
        "lsoa11_code": string_column("Lower layer super output area (2011) code; Scottish data "
                                     "zone (S01) in Scotland", LSOA11),
        "lsoa11_name": string_column("LSOA (2011) name"),
        "msoa11_code": string_column("Middle layer super output area (2011) code; Scottish "
                                     "intermediate zone (S02) in Scotland", MSOA11),
        "msoa11_name": string_column("MSOA (2011) name"),
        "lad17_code": string_column("Local authority district (2017) code", LAD17),
        "lad17_name": string_column("Local authority district (2017) name"),
        "region_code": string_column("Region (E12) code in England; the country code in Wales and "
                                     "Scotland, as published", REGION11),
        "region_name": string_column("Region name (country name in Wales and Scotland)"),
        "country_code": string_column("Country code", COUNTRY),
        "oac11_code": string_column("2011 Output Area Classification subgroup code (first digit = "
                                    "supergroup, letter = group)", OAC11),
        "oac11_name": string_column("2011 Output Area Classification subgroup name (the file's "
                                    "OAC11NM; 76 subgroups)"),
    },
    strict=True,
    description="ONS Open Geography OA (2011) -> LSOA -> MSOA -> LAD (2017) -> region "
                "lookup for Great Britain, with the 2011 OA classification; every LSOA nests "
                "in one MSOA and one LAD, every MSOA in one LAD.",
)

SCHEMA_LSOA_LOOKUP = pa.DataFrameSchema(
    {
        "lsoa11_code": string_column("LSOA (2011) code", LSOA11, unique=True),
        "lsoa11_name": string_column("LSOA (2011) name"),
        "msoa11_code": string_column("MSOA (2011) containing the LSOA", MSOA11),
        "msoa11_name": string_column("MSOA (2011) name"),
        "lad17_code": string_column("Local authority district (2017) containing the LSOA", LAD17),
        "lad17_name": string_column("Local authority district (2017) name"),
        "region_code": string_column("Region code (country code outside England)", REGION11),
        "country_code": string_column("Country code", COUNTRY),
        "n_oa": pa.Column("Int64", pa.Check.ge(1), description="Output areas in the LSOA"),
    },
    strict=True,
    description="One row per 2011 LSOA with its MSOA and LAD, from the OA lookup.",
)

SCHEMA_MSOA_LAD = pa.DataFrameSchema(
    {
        "msoa_code": string_column("MSOA code (2011 and/or 2021 set); S02/N21/95... outside E&W",
                                   SMALL_AREA["msoa"], unique=True),
        "msoa_name": string_column("MSOA name"),
        "msoa11_code": string_column("The code if it is a 2011 MSOA, else null", nullable=True),
        "msoa21_code": string_column("The code if it is a 2021 MSOA, else null", nullable=True),
        "lad_code": string_column("Active (current) local authority district code", LAD),
        "lad_name": string_column("Active local authority district name"),
        "cauth_code": string_column("Combined authority (E47) code, if any", r"E47\d{6}",
                                    nullable=True),
        "region_code": string_column("Region (E12) code; null outside England", r"E12\d{6}",
                                     nullable=True),
        "country_code": string_column("Country code", COUNTRY),
    },
    strict=True,
    description="ONS Open Geography MSOA (2011/2021) to active LAD, combined authority, "
                "region and country lookup.",
)

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
    problems = no_problems(frame)
    for child, parent in pairs:
        n_parents = frame.groupby(child, sort=False)[parent].nunique()
        split_codes = n_parents.index[n_parents > 1]
        sub = frame[frame[child].isin(split_codes).fillna(False).astype(bool)]
        split = sub.groupby(child, sort=False)[parent].unique()
        text = {code: f"{child} {code} belongs to {len(found)} {parent} codes "
                      f"({', '.join(sorted(found))})" for code, found in split.items()}
        problems = append_reason(problems, frame[child].map(text))
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
    problems = code_problems(raw, OA_CODES)
    problems = append_reason(problems, duplicate_reasons(raw, "OA11CD", "output area"))
    problems = append_reason(problems, _nesting_problems(raw[problems.isna()]))
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


# --------------------------------------------------------------------------- MSOA -> LAD

MSOA_LAD_COLUMNS = ["MSOACD", "MSOANM", "LADCD_ACTIVE", "LADNM_ACTIVE", "CAUTHCD", "RGNCD",
                    "CTRYCD", "MSOA11CD", "MSOA21CD"]


def _vintage_problems(raw: pd.DataFrame) -> pd.Series:
    """MSOA11CD/MSOA21CD, where given, must repeat MSOACD; at least one must be given."""
    code = raw["MSOACD"].str.strip()
    problems = no_problems(raw)
    for column in ("MSOA11CD", "MSOA21CD"):
        other = blank_to_na(raw[column])
        differs = (other.notna() & (other != code)).fillna(False).astype(bool)
        problems = append_reason(problems, (column + " '" + other.fillna("") + "' differs from "
                                      "MSOACD").where(differs))
    neither = blank_to_na(raw["MSOA11CD"]).isna() & blank_to_na(raw["MSOA21CD"]).isna()
    return append_reason(problems, pd.Series("in neither the 2011 nor the 2021 MSOA set",
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
    problems = code_problems(
        raw, {"MSOACD": SMALL_AREA["msoa"], "LADCD_ACTIVE": LAD, "CAUTHCD": r"E47\d{6}",
              "RGNCD": r"E12\d{6}", "CTRYCD": COUNTRY}, optional=("CAUTHCD", "RGNCD"))
    problems = append_reason(problems, _vintage_problems(raw))
    problems = append_reason(problems, duplicate_reasons(raw, "MSOACD", "MSOA code"))
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
