"""English Indices of Deprivation 2025: IMD (File 1) and IDACI/IDAOPI (File 3), LSOA 2021.

Source
------
Ministry of Housing, Communities and Local Government, *English Indices of Deprivation 2025*
(statistical release 30 October 2025; files reissued 13 November 2025),
https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025:
File 1 (sheet ``IMD25``: LSOA 2021 code and name, LAD 2024 code and name, IMD rank and
decile) and File 3 (sheet ``IoD2025 IDACI & IDAOPI``: the same keys, IMD, Income
Deprivation Affecting Children Index and Income Deprivation Affecting Older People Index
ranks and deciles). 33,755 LSOAs; rank 1 is the most deprived; decile 1 is the most deprived
10% of LSOAs nationally, i.e. ``decile = ceil(10 * rank / 33755)`` (IoD2025 technical
report, deciles of the national ranking).

IoD2025 uses LSOA 2021 boundaries and IoD2019 LSOA 2011 ones: not comparable row by row.
The headers are matched by their opening words (the published File 1 truncates its decile
header to "... 10% of LSOA").
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    Cleaned,
    DataFileError,
    apply_checks,
    concat_rejects,
    is_code,
    reject_duplicates,
    string_columns,
)

#: LSOAs (2021) in England ranked by IoD2025.
N_LSOA_2025 = 33_755

_KEYS = {"LSOA code (2021)": "lsoa21_code", "LSOA name (2021)": "lsoa21_name",
         "Local Authority District code (2024)": "lad24_code",
         "Local Authority District name (2024)": "lad24_name"}
_IMD = {"Index of Multiple Deprivation (IMD) Rank": "imd_rank",
        "Index of Multiple Deprivation (IMD) Decile": "imd_decile"}
_SUPPLEMENTARY = {
    "Income Deprivation Affecting Children Index (IDACI) Rank": "idaci_rank",
    "Income Deprivation Affecting Children Index (IDACI) Decile": "idaci_decile",
    "Income Deprivation Affecting Older People (IDAOPI) Rank": "idaopi_rank",
    "Income Deprivation Affecting Older People (IDAOPI) Decile": "idaopi_decile",
}
FILE1_SHEET = "IMD25"
FILE3_SHEET = "IoD2025 IDACI & IDAOPI"


def _key_columns() -> dict[str, pa.Column]:
    return {
        "lsoa21_code": pa.Column("string", pa.Check.str_matches(r"^E01\d{6}$"), unique=True,
                                 description="LSOA 2021 code"),
        "lsoa21_name": pa.Column("string", description="LSOA 2021 name"),
        "lad24_code": pa.Column("string", pa.Check.str_matches(r"^E0[6-9]\d{6}$"),
                                description="Local authority district (2024) code"),
        "lad24_name": pa.Column("string", description="Local authority district name"),
    }


def _rank_decile(prefix: str, what: str) -> dict[str, pa.Column]:
    return {
        f"{prefix}_rank": pa.Column("Int64", pa.Check.in_range(1, N_LSOA_2025),
                                    description=f"{what} rank, 1 = most deprived"),
        f"{prefix}_decile": pa.Column("Int64", pa.Check.in_range(1, 10),
                                      description=f"{what} decile, 1 = most deprived 10%"),
    }


SCHEMA_IOD2025_IMD = pa.DataFrameSchema(
    {**_key_columns(), **_rank_decile("imd", "Index of Multiple Deprivation 2025")},
    strict=True, description="MHCLG English Indices of Deprivation 2025, File 1: IMD by LSOA "
    "2021 (Crown copyright, OGL v3)")

SCHEMA_IOD2025_SUPPLEMENTARY = pa.DataFrameSchema(
    {**_key_columns(), **_rank_decile("idaci", "IDACI 2025 (children)"),
     **_rank_decile("idaopi", "IDAOPI 2025 (older people)")},
    strict=True, description="MHCLG English Indices of Deprivation 2025, File 3: IDACI and "
    "IDAOPI by LSOA 2021 (Crown copyright, OGL v3)")


def expected_decile_2025(rank: pd.Series) -> pd.Series:
    """National decile implied by a rank: ``ceil(10 * rank / 33755)``."""
    return ((10 * rank.astype("Int64") + N_LSOA_2025 - 1) // N_LSOA_2025).astype("Int64")


def _read_sheet(path: Path, sheet: str, wanted: dict[str, str]) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own types for corrupt/non-xlsx files
        raise DataFileError(path, f"not a readable Excel workbook ({exc})") from exc
    if sheet not in book.sheet_names:
        raise DataFileError(path, f"no sheet {sheet!r}; the workbook has {book.sheet_names}")
    frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    if frame.empty:
        raise DataFileError(path, f"sheet {sheet!r} is empty", row=1)
    header = [str(h).strip() for h in frame.iloc[0]]
    columns: dict[int, str] = {}
    for prefix, name in wanted.items():
        hits = [i for i, h in enumerate(header) if h.startswith(prefix)]
        if len(hits) != 1:
            raise DataFileError(path, f"sheet {sheet!r}: expected one column starting "
                                f"{prefix!r}, found {len(hits)}; header {header}", row=1)
        columns[hits[0]] = name
    body = frame.iloc[1:, list(columns)].rename(columns=columns)
    body = body[body.notna().any(axis=1)]
    body.insert(0, "source_row", body.index + 1)
    return body


def _whole_numbers(body: pd.DataFrame, columns: list[str], path: Path,
                   sheet: str) -> pd.DataFrame:
    for col in columns:
        value = body[col]
        ok = value.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)
                       and float(v).is_integer())
        if not ok.all():
            at = (~ok).to_numpy().nonzero()[0][0]
            raise DataFileError(path, f"sheet {sheet!r}: {value.iloc[at]!r} is not a whole "
                                "number", row=int(body["source_row"].iloc[at]), column=col)
        body[col] = pd.to_numeric(value).astype("Int64")
    return body


def _clean(path: Path | str, sheet: str, measures: dict[str, str], name: str,
           schema: pa.DataFrameSchema) -> Cleaned:
    path = Path(path)
    raw = _read_sheet(path, sheet, {**_KEYS, **measures})
    raw_cols = list(raw.columns)
    work = raw.copy()
    for col in _KEYS.values():
        work[col] = work[col].astype("string").str.strip()
    work = _whole_numbers(work, list(measures.values()), path, sheet)
    checks = [(~is_code(work["lsoa21_code"], r"E01\d{6}"), "not an English LSOA 2021 code"),
              (~is_code(work["lad24_code"], r"E0[6-9]\d{6}"), "not an English LAD code")]
    for prefix in sorted({c.rsplit("_", 1)[0] for c in measures.values()}):
        rank, decile = work[f"{prefix}_rank"], work[f"{prefix}_decile"]
        checks.append(((rank < 1) | (rank > N_LSOA_2025), f"{prefix} rank outside 1-33755"))
        checks.append((decile != expected_decile_2025(rank.clip(1, N_LSOA_2025)),
                       f"{prefix} decile disagrees with its rank"))
    work, rejected = apply_checks(work, checks)
    work, dups = reject_duplicates(work, ["lsoa21_code"], list(measures.values()))
    rejected.append(dups)
    data = (work[list(schema.columns)].astype(string_columns(schema))
            .sort_values("lsoa21_code", ignore_index=True))
    schema.validate(data, lazy=True)
    return Cleaned(name=name, data=data, rows_in=len(raw), source=str(path),
                   rejects=concat_rejects(r[raw_cols + ["reason"]].astype({
                       c: "string" for c in raw_cols if c != "source_row"})
                       for r in rejected))


def get_iod2025_imd(path: Path | str) -> Cleaned:
    """IoD2025 Index of Multiple Deprivation rank and decile by LSOA 2021 (File 1).

    Parameters
    ----------
    path
        ``File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx`` (MHCLG, English Indices of
        Deprivation 2025), sheet ``IMD25``.

    Returns
    -------
    Cleaned
        ``name="iod2025_imd"``, columns of :data:`SCHEMA_IOD2025_IMD`, one row per LSOA.
        Rejected with a reason: malformed LSOA/LAD code, rank outside 1-33,755, decile not
        ``ceil(10 * rank / 33755)``, duplicate LSOA.

    Raises
    ------
    DataFileError
        Unreadable workbook, missing sheet or column, non-integer rank or decile (naming
        the Excel row and column).
    """
    return _clean(path, FILE1_SHEET, _IMD, "iod2025_imd", SCHEMA_IOD2025_IMD)


def get_iod2025_supplementary(path: Path | str) -> Cleaned:
    """IoD2025 IDACI and IDAOPI ranks and deciles by LSOA 2021 (File 3).

    Parameters
    ----------
    path
        ``File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx`` (MHCLG, English
        Indices of Deprivation 2025), sheet ``IoD2025 IDACI & IDAOPI``.

    Returns
    -------
    Cleaned
        ``name="iod2025_supplementary"``, columns of :data:`SCHEMA_IOD2025_SUPPLEMENTARY`;
        rejects as for :func:`get_iod2025_imd`. IMD columns repeated in File 3 are not
        kept (File 1 is their source).

    Raises
    ------
    DataFileError
        As for :func:`get_iod2025_imd`.
    """
    return _clean(path, FILE3_SHEET, _SUPPLEMENTARY, "iod2025_supplementary",
                  SCHEMA_IOD2025_SUPPLEMENTARY)


__all__ = ["FILE1_SHEET", "FILE3_SHEET", "N_LSOA_2025", "SCHEMA_IOD2025_IMD",
           "SCHEMA_IOD2025_SUPPLEMENTARY", "expected_decile_2025", "get_iod2025_imd",
           "get_iod2025_supplementary"]
