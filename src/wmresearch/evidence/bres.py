"""Employment and local units by area and industry: BRES and UK Business Counts via NOMIS.

Sources
-------
* ONS, *Business Register and Employment Survey* (BRES), open-access employment, downloaded
  from NOMIS (dataset NM_189_1) as CSV with columns ``DATE, GEOGRAPHY_NAME, GEOGRAPHY_CODE,
  INDUSTRY_NAME, INDUSTRY_CODE, COUNT``. Open-access counts are rounded (to 5 below 100,
  and more coarsely above), so sums over industries differ from published totals.
* The ``nuts2_sic4`` extracts: BRES employment and UK Business Counts (IDBR) local units by
  NUTS 2013 level-2 area and SIC 4-digit class, as saved by a third-party script, with an
  unnamed pandas index column and an extra ``cluster_name`` that is a Nesta industry
  segment, *not* an ONS classification.

Quirks found in the real files (checked by the tests):

* ``01000`` "DEFRA/Scottish Executive Agricultural Data" is a NOMIS pseudo-code, not a SIC
  2007 subclass: BRES does not survey farms, so farm employment (SIC 01.1-01.5, whose own
  codes are always 0) comes from the agricultural censuses. It is kept, flagged by
  ``is_defra_agri``; division 01 in the 2-digit file includes it.
* ``01000`` is blank for the five Scottish areas in 2015-2017 (no Scottish agricultural
  data): kept as missing employment with ``suppressed`` True.
* Geography codes are NUTS 2016 codes ("UKG3"); the ITL 2021 code replaces "UK" by "TL".
* In the ``nuts2_sic4`` files BRES covers 39 NUTS 2013 areas (Great Britain), IDBR 40
  (with Northern Ireland, UKN0); the IDBR 2015 file has every value "0.0", an empty
  extract rather than counts, so its rows are all rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    SUPPRESSED,
    Cleaned,
    DataFileError,
    apply_checks,
    concat_rejects,
    is_code,
    read_csv_text,
    reject_duplicates,
    string_columns,
    to_number,
)
from wmresearch.evidence.sic import (
    DEFRA_AGRI_CODE,
    is_sic_code,
    pad_code,
    split_code_name,
)

NOMIS_COLUMNS = ("DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "INDUSTRY_NAME",
                 "INDUSTRY_CODE", "COUNT")
NUTS2_SIC4_COLUMNS = ("year", "geo_type", "geo_nm", "geo_cd", "SIC4", "value",
                      "cluster_name")

#: Years a BRES/IDBR table may cover (BRES starts in 2009; upper bound is a sanity limit).
YEAR_MIN, YEAR_MAX = 2009, 2035

_NUTS2 = r"UK[C-N]\d"
_ITL2 = r"TL[C-N]\d"
_YEAR = r"\d{4}"


def nuts_to_itl(codes: pd.Series) -> pd.Series:
    """ITL 2021 codes from NUTS codes: the "UK" prefix becomes "TL" (ONS, ITL 2021)."""
    return codes.astype("string").str.replace(r"^UK", "TL", regex=True)


def _year_column(description: str) -> pa.Column:
    return pa.Column("Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX), description=description)


def _itl2_schema(digits: int, label: str) -> pa.DataFrameSchema:
    columns = {
        "year": _year_column("BRES reference year (NOMIS DATE)"),
        "itl2_code": pa.Column("string", pa.Check.str_matches(f"^{_ITL2}$"),
                               description="ITL 2021 level-2 code (NUTS code with UK -> TL)"),
        "nuts_code": pa.Column("string", pa.Check.str_matches(f"^{_NUTS2}$"),
                               description="NUTS 2016 level-2 code as published by NOMIS"),
        "itl2_name": pa.Column("string", description="Area name as published by NOMIS"),
        "sic_code": pa.Column("string", pa.Check.str_matches(rf"^\d{{{digits}}}$"),
                              description=f"SIC 2007 {label} code, {digits} digits, "
                              "zero-padded"),
        "sic_name": pa.Column("string", description=f"SIC 2007 {label} name (the "
                              "'code : ' prefix stripped)"),
        "employment": pa.Column("Float64", pa.Check.ge(0), nullable=True,
                                description="BRES employees plus working owners, rounded "
                                "(open access); missing when the cell is blank/suppressed"),
        "suppressed": pa.Column("boolean", description="COUNT was blank or a suppression "
                                "marker in the source"),
    }
    if digits == 5:
        columns["is_defra_agri"] = pa.Column(
            "boolean", description="True for NOMIS pseudo-code 01000: farm employment from "
            "DEFRA/Scottish agricultural censuses, not a BRES SIC subclass")
    return pa.DataFrameSchema(
        columns, strict=True, unique=["year", "itl2_code", "sic_code"],
        description=f"ONS BRES open-access employment by ITL2 area and SIC 2007 {label}, "
        "via NOMIS (Crown copyright, OGL v3)")


SCHEMA_BRES_ITL2_SIC5 = _itl2_schema(5, "5-digit subclass")
SCHEMA_BRES_ITL2_SIC2 = _itl2_schema(2, "2-digit division")


def _nuts2_sic4_schema(value: str, dtype: str, what: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "year": _year_column("Reference year of the extract"),
            "nuts2_code": pa.Column("string", pa.Check.str_matches(f"^{_NUTS2}$"),
                                    description="NUTS 2013 level-2 code"),
            "nuts2_name": pa.Column("string", description="NUTS 2013 level-2 area name"),
            "sic4_code": pa.Column("string", pa.Check.str_matches(r"^\d{4}$"),
                                   description="SIC 2007 class, 4 digits, zero-padded"),
            value: pa.Column(dtype, pa.Check.ge(0), nullable=True, description=what),
            "nesta_cluster": pa.Column("string", nullable=True, description="Industry "
                                       "segment assigned by Nesta (third party), NOT an ONS "
                                       "classification"),
        },
        strict=True, unique=["year", "nuts2_code", "sic4_code"],
        description=f"{what} by NUTS 2013 level-2 area and SIC 2007 class, via NOMIS, "
        "with a third-party (Nesta) cluster label")


SCHEMA_BRES_NUTS2_SIC4 = _nuts2_sic4_schema(
    "employment", "Float64", "ONS BRES employment (rounded; missing if suppressed)")
SCHEMA_IDBR_NUTS2_SIC4 = _nuts2_sic4_schema(
    "local_units", "Int64", "ONS UK Business Counts (IDBR) local units (missing if "
    "suppressed)")


# --------------------------------------------------------------------------- ITL2 files

def _is_suppressed(text: pd.Series) -> pd.Series:
    stripped = text.astype("string").str.strip()
    return (stripped.isna() | stripped.isin(list(SUPPRESSED))).astype("boolean")


def _nomis_checks(work: pd.DataFrame, digits: int) -> list[tuple[pd.Series, str]]:
    return [
        (~is_code(work["DATE"].str.strip(), _YEAR), "DATE is not a 4-digit year"),
        (~is_code(work["nuts_code"], _NUTS2), "GEOGRAPHY_CODE is not a NUTS level-2 code"),
        (~is_sic_code(work["sic_code"], digits),
         f"INDUSTRY_CODE is not a SIC 2007 {digits}-digit code"),
        (work["prefix"].notna() & (work["prefix"] != work["sic_code"]),
         "INDUSTRY_NAME prefix disagrees with INDUSTRY_CODE"),
        (work["employment"] < 0, "negative COUNT"),
    ]


def _bres_itl2(path: Path | str, digits: int, name: str,
               schema: pa.DataFrameSchema) -> Cleaned:
    path = Path(path)
    raw = read_csv_text(path, required=NOMIS_COLUMNS)
    raw_cols = list(raw.columns)
    work = raw.copy()
    work["employment"] = to_number(raw, "COUNT", path)
    work["suppressed"] = _is_suppressed(raw["COUNT"])
    work["nuts_code"] = raw["GEOGRAPHY_CODE"].str.strip()
    work["sic_code"] = pad_code(raw["INDUSTRY_CODE"], digits)
    work["prefix"], work["sic_name"] = split_code_name(raw["INDUSTRY_NAME"])
    work, rejected = apply_checks(work, _nomis_checks(work, digits))
    work["year"] = pd.to_numeric(work["DATE"].str.strip()).astype("Int64")
    work, dups = reject_duplicates(work, ["year", "nuts_code", "sic_code"], ["employment"])
    rejected.append(dups)
    work["itl2_code"] = nuts_to_itl(work["nuts_code"])
    work["itl2_name"] = work["GEOGRAPHY_NAME"].str.strip()
    if digits == 5:
        work["is_defra_agri"] = (work["sic_code"] == DEFRA_AGRI_CODE).astype("boolean")
    data = (work[list(schema.columns)].astype(string_columns(schema))
            .sort_values(["year", "itl2_code", "sic_code"], ignore_index=True))
    schema.validate(data, lazy=True)
    return Cleaned(name=name, data=data, rows_in=len(raw), source=str(path),
                   rejects=concat_rejects(r[raw_cols + ["reason"]] for r in rejected))


def get_bres_itl2_sic5(path: Path | str) -> Cleaned:
    """BRES employment by ITL2 area and SIC 2007 5-digit subclass.

    Parameters
    ----------
    path
        NOMIS BRES CSV (optionally gzipped), e.g.
        ``nomis/bres_employment_itl2_sic5_2015_2021.csv.gz``. Publisher: ONS, Business
        Register and Employment Survey, open access, via NOMIS.

    Returns
    -------
    Cleaned
        ``name="bres_itl2_sic5"``, columns of :data:`SCHEMA_BRES_ITL2_SIC5`. Rows with a
        code that is not a SIC 2007 subclass, a non-NUTS2 geography, a bad year, a name
        prefix that contradicts the code, or a duplicate key are rejected with a reason.

    Raises
    ------
    DataFileError
        Malformed file: missing columns, wrong field count, bad encoding, non-numeric
        ``COUNT``.
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    return _bres_itl2(path, 5, "bres_itl2_sic5", SCHEMA_BRES_ITL2_SIC5)


def get_bres_itl2_sic2(path: Path | str) -> Cleaned:
    """BRES employment by ITL2 area and SIC 2007 2-digit division.

    Parameters
    ----------
    path
        NOMIS BRES CSV, e.g. ``nomis/bres_employment_itl2_sic2_2015_2021.csv.gz``.
        Publisher: ONS, Business Register and Employment Survey, open access, via NOMIS.

    Returns
    -------
    Cleaned
        ``name="bres_itl2_sic2"``, columns of :data:`SCHEMA_BRES_ITL2_SIC2`; rejects as
        for :func:`get_bres_itl2_sic5`. Division 01 includes the DEFRA/Scottish farm
        employment that the 5-digit file shows under pseudo-code 01000.

    Raises
    ------
    DataFileError
        Malformed file (see :func:`get_bres_itl2_sic5`).
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    return _bres_itl2(path, 2, "bres_itl2_sic2", SCHEMA_BRES_ITL2_SIC2)


# --------------------------------------------------------------------------- NUTS2 x SIC4

def _read_nuts2_sic4(path: Path, value: str, integer: bool,
                     ) -> tuple[pd.DataFrame, list[pd.DataFrame], list[str]]:
    raw = read_csv_text(path, required=NUTS2_SIC4_COLUMNS)
    raw_cols = list(raw.columns)
    work = raw.copy()
    work[value] = to_number(raw, "value", path, integer=integer)
    work["nuts2_code"] = raw["geo_cd"].str.strip()
    work["sic4_code"] = pad_code(raw["SIC4"], 4)
    empty = bool(len(work)) and bool((work[value].fillna(0) == 0).all())
    checks = [
        (pd.Series(empty, index=work.index), "every value in this file is 0: an empty "
         "extract, not real counts"),
        (~is_code(work["year"].str.strip(), _YEAR), "year is not a 4-digit year"),
        (work["geo_type"].str.strip() != "nuts 2013 level 2", "geo_type is not NUTS2 2013"),
        (~is_code(work["nuts2_code"], _NUTS2), "geo_cd is not a NUTS level-2 code"),
        (~is_sic_code(work["sic4_code"], 4), "SIC4 is not a SIC 2007 4-digit class"),
        (work[value] < 0, "negative value"),
    ]
    work, rejected = apply_checks(work, checks)
    rejects = [r[raw_cols + ["reason"]].assign(source_file=path.name) for r in rejected]
    return work.assign(source_file=path.name), rejects, raw_cols


def _nuts2_sic4(paths: Sequence[Path | str], value: str, integer: bool, name: str,
                schema: pa.DataFrameSchema) -> Cleaned:
    paths = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    if not paths:
        raise DataFileError("<no files>", f"{name}: no input files given")
    frames, rejected, rows_in = [], [], 0
    for path in paths:
        work, rejects, raw_cols = _read_nuts2_sic4(path, value, integer)
        rows_in += len(work) + sum(len(r) for r in rejects)
        frames.append(work)
        rejected.extend(rejects)
    work = pd.concat(frames, ignore_index=True)
    work["year"] = pd.to_numeric(work["year"].str.strip()).astype("Int64")
    work, dups = reject_duplicates(work, ["year", "nuts2_code", "sic4_code"], [value])
    rejected.append(dups[[*raw_cols, "reason", "source_file"]])
    work["nuts2_name"] = work["geo_nm"].str.strip()
    work["nesta_cluster"] = work["cluster_name"].str.strip().replace("", pd.NA)
    data = (work[list(schema.columns)].astype(string_columns(schema))
            .sort_values(["year", "nuts2_code", "sic4_code"], ignore_index=True))
    schema.validate(data, lazy=True)
    return Cleaned(name=name, data=data, rows_in=rows_in, rejects=concat_rejects(rejected),
                   source=";".join(str(p) for p in paths))


def get_bres_nuts2_sic4(paths: Sequence[Path | str]) -> Cleaned:
    """BRES employment by NUTS 2013 level-2 area and SIC 2007 4-digit class.

    Parameters
    ----------
    paths
        The ``nomis/nuts2_sic4/nomis_BRES_<year>_TYPE450.csv.gz`` extracts (ONS BRES via
        NOMIS; TYPE450 is NOMIS's NUTS 2013 level-2 geography type).

    Returns
    -------
    Cleaned
        ``name="bres_nuts2_sic4"``, columns of :data:`SCHEMA_BRES_NUTS2_SIC4`. The
        ``nesta_cluster`` column is a third-party (Nesta) segment, not ONS. Rejects carry
        ``source_file``; a file whose values are all 0 is rejected whole.

    Raises
    ------
    DataFileError
        Malformed file or non-numeric ``value``.
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    return _nuts2_sic4(paths, "employment", False, "bres_nuts2_sic4", SCHEMA_BRES_NUTS2_SIC4)


def get_idbr_nuts2_sic4(paths: Sequence[Path | str]) -> Cleaned:
    """UK Business Counts (IDBR) local units by NUTS 2013 level-2 area and SIC 4-digit class.

    Parameters
    ----------
    paths
        The ``nomis/nuts2_sic4/nomis_IDBR_<year>_TYPE450.csv.gz`` extracts (ONS UK Business
        Counts, local units, via NOMIS). Values written as floats ("35.0") are accepted if
        whole.

    Returns
    -------
    Cleaned
        ``name="idbr_nuts2_sic4"``, columns of :data:`SCHEMA_IDBR_NUTS2_SIC4`. The IDBR
        2015 extract in the mirror is all "0.0" and is rejected whole as an empty extract.

    Raises
    ------
    DataFileError
        Malformed file, non-numeric or fractional ``value``.
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    return _nuts2_sic4(paths, "local_units", True, "idbr_nuts2_sic4", SCHEMA_IDBR_NUTS2_SIC4)


__all__ = [
    "NOMIS_COLUMNS", "NUTS2_SIC4_COLUMNS", "SCHEMA_BRES_ITL2_SIC2", "SCHEMA_BRES_ITL2_SIC5",
    "SCHEMA_BRES_NUTS2_SIC4", "SCHEMA_IDBR_NUTS2_SIC4", "get_bres_itl2_sic2",
    "get_bres_itl2_sic5", "get_bres_nuts2_sic4", "get_idbr_nuts2_sic4", "nuts_to_itl",
]
