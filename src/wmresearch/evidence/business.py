"""Enterprises by industry and employment size band: ONS UK Business Counts via NOMIS.

Source
------
ONS, *UK Business Counts - enterprises by industry and employment size band* (from the
Inter-Departmental Business Register, IDBR), via NOMIS (dataset NM_142_1), CSV columns
``DATE, GEOGRAPHY_NAME, GEOGRAPHY_CODE, INDUSTRY_NAME, INDUSTRY_CODE,
EMPLOYMENT_SIZEBAND_NAME, COUNT``. Counts are rounded to the nearest 5. ``DATE`` is the
year of the March register snapshot.

Quirks found in the mirror file (``ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz``):
despite its name it covers 2016-2022; geography is Great Britain only (K03000001); the
NOMIS pseudo-code 01000 (DEFRA agricultural data) is present with all counts 0.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    Cleaned,
    apply_checks,
    concat_rejects,
    is_code,
    read_csv_text,
    reject_duplicates,
    string_columns,
    to_number,
)
from wmresearch.evidence.sic import (
    is_sic_code,
    pad_code,
    split_code_name,
)

UKBC_COLUMNS = ("DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "INDUSTRY_NAME", "INDUSTRY_CODE",
                "EMPLOYMENT_SIZEBAND_NAME", "COUNT")

#: NOMIS employment size bands of UK Business Counts, smallest first:
#: label -> (lower, upper) employees, upper ``None`` for the open top band.
SIZEBANDS: dict[str, tuple[int, int | None]] = {
    "0 to 4": (0, 4), "5 to 9": (5, 9), "10 to 19": (10, 19), "20 to 49": (20, 49),
    "50 to 99": (50, 99), "100 to 249": (100, 249), "250 to 499": (250, 499),
    "500 to 999": (500, 999), "1000+": (1000, None),
}
SIZEBAND_DTYPE = pd.CategoricalDtype(list(SIZEBANDS), ordered=True)

#: Years UK Business Counts may cover (the NOMIS series starts in 2010).
YEAR_MIN, YEAR_MAX = 2010, 2035

SCHEMA_UKBC_SIZEBAND = pa.DataFrameSchema(
    {
        "year": pa.Column("Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX),
                          description="Year of the March IDBR snapshot"),
        "geography_code": pa.Column("string", pa.Check.str_matches(r"^[EWSNK]\d{8}$"),
                                    description="GSS code of the area (K03000001 = Great "
                                    "Britain)"),
        "sic_code": pa.Column("string", pa.Check.str_matches(r"^\d{5}$"),
                              description="SIC 2007 5-digit subclass, zero-padded (01000 is "
                              "the NOMIS DEFRA pseudo-code)"),
        "sic_name": pa.Column("string", description="Subclass name, 'code : ' prefix "
                              "stripped"),
        "sizeband": pa.Column(SIZEBAND_DTYPE, description="Employment size band of the "
                              "enterprise (ordered categorical, smallest first)"),
        "sizeband_lower": pa.Column("Int64", pa.Check.ge(0), description="Lowest number "
                                    "of employees in the band"),
        "sizeband_upper": pa.Column("Int64", pa.Check.ge(0), nullable=True,
                                    description="Highest number of employees in the band; "
                                    "missing for the open top band (1000+)"),
        "enterprises": pa.Column("Int64", pa.Check.ge(0), nullable=True,
                                 description="Number of VAT/PAYE-registered enterprises "
                                 "(rounded to 5); missing if suppressed"),
    },
    strict=True,
    unique=["year", "geography_code", "sic_code", "sizeband"],
    description="ONS UK Business Counts: enterprises by SIC 2007 subclass and employment "
    "size band, via NOMIS (Crown copyright, OGL v3)",
    checks=pa.Check(lambda df: (df["sizeband_upper"].isna()
                                | (df["sizeband_upper"] >= df["sizeband_lower"])).all(),
                    error="sizeband_upper below sizeband_lower"),
)


def get_ukbc_sizeband(path: Path | str) -> Cleaned:
    """Enterprises by SIC 2007 subclass and employment size band (UK Business Counts).

    Parameters
    ----------
    path
        NOMIS UK Business Counts CSV (optionally gzipped), e.g.
        ``nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz``. Publisher: ONS, UK
        Business Counts (IDBR), via NOMIS.

    Returns
    -------
    Cleaned
        ``name="ukbc_sizeband"``, columns of :data:`SCHEMA_UKBC_SIZEBAND`. Rows with an
        unknown size band, a non-SIC code, a bad year or geography, a name prefix that
        contradicts the code, or a duplicate key are rejected with a reason.

    Raises
    ------
    DataFileError
        Malformed file or a non-numeric / fractional ``COUNT``.
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    path = Path(path)
    raw = read_csv_text(path, required=UKBC_COLUMNS)
    raw_cols = list(raw.columns)
    work = raw.copy()
    work["enterprises"] = to_number(raw, "COUNT", path, integer=True)
    work["geography_code"] = raw["GEOGRAPHY_CODE"].str.strip()
    work["sic_code"] = pad_code(raw["INDUSTRY_CODE"], 5)
    work["prefix"], work["sic_name"] = split_code_name(raw["INDUSTRY_NAME"])
    band = raw["EMPLOYMENT_SIZEBAND_NAME"].str.strip().str.replace(r"\s+", " ", regex=True)
    work["sizeband"] = band
    work, rejected = apply_checks(work, [
        (~is_code(raw["DATE"].str.strip(), r"\d{4}"), "DATE is not a 4-digit year"),
        (~is_code(work["geography_code"], r"[EWSNK]\d{8}"), "GEOGRAPHY_CODE is not a GSS code"),
        (~is_sic_code(work["sic_code"], 5), "INDUSTRY_CODE is not a SIC 2007 5-digit code"),
        (work["prefix"].notna() & (work["prefix"] != work["sic_code"]),
         "INDUSTRY_NAME prefix disagrees with INDUSTRY_CODE"),
        (~band.isin(list(SIZEBANDS)).fillna(False).astype(bool),
         "EMPLOYMENT_SIZEBAND_NAME is not a known NOMIS size band"),
        (work["enterprises"] < 0, "negative COUNT"),
    ])
    work["year"] = pd.to_numeric(work["DATE"].str.strip()).astype("Int64")
    work, dups = reject_duplicates(work, ["year", "geography_code", "sic_code", "sizeband"],
                                   ["enterprises"])
    rejected.append(dups)
    work["sizeband_lower"] = work["sizeband"].map(
        {k: lo for k, (lo, _) in SIZEBANDS.items()}).astype("Int64")
    work["sizeband_upper"] = work["sizeband"].map(
        {k: hi for k, (_, hi) in SIZEBANDS.items()}).astype("Int64")
    work["sizeband"] = work["sizeband"].astype(SIZEBAND_DTYPE)
    data = (work[list(SCHEMA_UKBC_SIZEBAND.columns)]
            .astype(string_columns(SCHEMA_UKBC_SIZEBAND))
            .sort_values(["year", "geography_code", "sic_code", "sizeband"], ignore_index=True))
    SCHEMA_UKBC_SIZEBAND.validate(data, lazy=True)
    return Cleaned(name="ukbc_sizeband", data=data, rows_in=len(raw), source=str(path),
                   rejects=concat_rejects(r[raw_cols + ["reason"]] for r in rejected))


__all__ = ["SCHEMA_UKBC_SIZEBAND", "SIZEBANDS", "SIZEBAND_DTYPE", "UKBC_COLUMNS",
           "get_ukbc_sizeband"]
