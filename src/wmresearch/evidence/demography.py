"""Business births, deaths and active enterprises by district: ONS Business demography 2024.

Source
------
ONS, *Business demography, UK: 2024*, reference tables (dataset
``businessdemographyreferencetable``, released 20 November 2025), workbook
``businessdemographyexceltables2024.xlsx``: Tables 1.1a-d (births of new enterprises),
2.1a-d (deaths of enterprises) and 3.1a-d (active enterprises), by district, county, region
and country, for 2019 (a), 2020 (b), 2021-2023 (c) and 2024 (d). Counts are control-rounded
to base 5 (workbook Notes, note 10).

Quirks found in the real workbook (checked by the tests):

* each table is on its own districts: Tables x.1a-c (2019-2023) list the six Cumbrian
  districts (Allerdale E07000026 ...) that became Cumberland (E06000063) and Westmorland and
  Furness in April 2023, Tables x.1d (2024) the new unitaries; codes are mapped to current
  ones, keeping ``lad_code_original``;
* codes in the 2021-2023 tables carry a trailing space ("E08000025 ") and one year header is
  text ("2021") while the others are numbers;
* a trailing ``*`` on a name ("Birmingham*") marks a district with more than 500 businesses
  registered at one postcode (note 13): stripped, and flagged in ``multiple_registrations``;
* rows for the UK, nations, regions, counties and metropolitan counties are aggregates of the
  district rows and are rejected with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
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

#: measure -> (word in the table title, sheets in year order).
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "births": ("births", ("Table 1.1a", "Table 1.1b", "Table 1.1c", "Table 1.1d")),
    "deaths": ("deaths", ("Table 2.1a", "Table 2.1b", "Table 2.1c", "Table 2.1d")),
    "active": ("active", ("Table 3.1a", "Table 3.1b", "Table 3.1c", "Table 3.1d")),
}

#: Local authority districts and unitary authorities of the four nations.
DISTRICT = r"E0[6-9]\d{6}|W06\d{6}|S12\d{6}|N09\d{6}"

SCHEMA_BUSINESS_DEMOGRAPHY = pa.DataFrameSchema(
    {
        "lad_code": pa.Column("string", pa.Check.str_matches(f"^(?:{DISTRICT})$"),
                              description="Current LAD code (code history applied)"),
        "lad_code_original": pa.Column("string", pa.Check.str_matches(f"^(?:{DISTRICT})$"),
                                       description="LAD code as published for that year"),
        "lad_name": pa.Column("string", description="District name as published (without "
                              "the '*' marker)"),
        "year": pa.Column("Int64", pa.Check.in_range(2000, 2040), description="Reference "
                          "year"),
        "measure": pa.Column("string", pa.Check.isin(sorted(TABLES)),
                             description="births, deaths or active (enterprises)"),
        "count": pa.Column("Int64", pa.Check.ge(0), description="Number of enterprises, "
                           "control-rounded to base 5"),
        "multiple_registrations": pa.Column("boolean", description="Name marked '*': over "
                                            "500 businesses at one postcode (note 13)"),
        "table": pa.Column("string", description="Workbook sheet the count comes from"),
    },
    strict=True, unique=["lad_code_original", "year", "measure"],
    description="ONS Business demography 2024: enterprise births, deaths and active "
    "enterprises by district (Crown copyright, OGL v3)",
)


def _year(value: object) -> int | None:
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() and len(text) == 4 else None


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    wanted = [s for _, sheets in TABLES.values() for s in sheets]
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine raises its own types for corrupt/non-xlsx files
        raise DataFileError(path, f"not a readable Excel workbook ({exc})") from exc
    missing = [s for s in wanted if s not in book.sheet_names]
    if missing:
        raise DataFileError(path, f"missing sheet(s) {missing}; the workbook has "
                            f"{book.sheet_names}")
    return pd.read_excel(book, sheet_name=wanted, header=None, dtype=object)


def _sheet_cells(path: Path, sheet: str, frame: pd.DataFrame, measure: str,
                 word: str) -> pd.DataFrame:
    """One sheet as one record per (area row, year) cell; 1-based Excel rows."""
    title = str(frame.iat[0, 0]) if frame.shape[0] and frame.shape[1] else ""
    if word not in title.lower():
        raise DataFileError(path, f"{sheet}: title {title[:80]!r} does not name {word}",
                            row=1, column="A")
    header = next((i for i in range(min(10, len(frame)))
                   if frame.shape[1] > 2 and _year(frame.iat[i, 2]) is not None), None)
    if header is None:
        raise DataFileError(path, f"{sheet}: no year header in column C of rows 1-10",
                            column="C")
    years: dict[int, int] = {}
    for col in range(2, frame.shape[1]):
        year = _year(frame.iat[header, col])
        if year is None:
            break
        years[col] = year
    body = frame.iloc[header + 1:]
    body = body[body.notna().any(axis=1)]
    cells = []
    for col, year in years.items():
        value = body[col]
        numeric = value.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
        bad = value.notna() & (~numeric | value.map(
            lambda v: isinstance(v, float) and not float(v).is_integer()))
        if bad.any():
            at = bad.to_numpy().nonzero()[0][0]
            raise DataFileError(path, f"{sheet}: non-numeric or fractional count "
                                f"{value.iloc[at]!r}", row=int(body.index[at]) + 1,
                                column=f"{_column_letter(col)} ({year})")
        cells.append(pd.DataFrame({
            "source_row": body.index + 1, "table": sheet, "measure": measure, "year": year,
            "code": body[0].astype("string").str.strip(),
            "name": body[1].astype("string").str.strip(),
            "value": pd.to_numeric(value).astype("Int64"),
        }))
    return pd.concat(cells, ignore_index=True)


def get_business_demography(path: Path | str, lad_lookup: Mapping[str, str]) -> Cleaned:
    """Enterprise births, deaths and active enterprises by district, 2019-2024.

    Parameters
    ----------
    path
        ``businessdemographyexceltables2024.xlsx`` (ONS, Business demography, UK: 2024,
        reference tables).
    lad_lookup
        Any LAD code -> current LAD code (``geography.current_lad_codes``): each year's
        district codes are mapped to current ones.

    Returns
    -------
    Cleaned
        ``name="business_demography"``, long, columns of
        :data:`SCHEMA_BUSINESS_DEMOGRAPHY`. ``rows_in`` counts (area row, year) cells of
        Tables 1.1a-3.1d. Rejected with a reason: aggregates (UK, nations, regions,
        counties, metropolitan counties), a district code absent from the code history, a
        blank count, a duplicate (code, year, measure).

    Raises
    ------
    DataFileError
        Unreadable workbook, missing sheet, unexpected title or year header, non-numeric
        or fractional count (naming sheet, Excel row and column).
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    path = Path(path)
    sheets = _read_sheets(path)
    cells = pd.concat([_sheet_cells(path, sheet, sheets[sheet], measure, word)
                       for measure, (word, names) in TABLES.items() for sheet in names],
                      ignore_index=True)
    raw_cols = list(cells.columns)
    work = cells.copy()
    work["lad_code_original"] = work["code"]
    work["lad_code"] = work["code"].map(lad_lookup.get).astype("string")
    work, rejected = apply_checks(work, [
        (work["code"].isna(), "no area code"),
        (~is_code(work["code"], DISTRICT),
         "aggregate (UK, nation, region, county or metropolitan county), not a district"),
        (work["lad_code"].isna(), "district code not in the LAD code history"),
        (work["value"].isna(), "blank count"),
    ])
    work, dups = reject_duplicates(work, ["lad_code_original", "year", "measure"], ["value"])
    rejected.append(dups)
    work["multiple_registrations"] = work["name"].str.endswith("*").astype("boolean")
    work["lad_name"] = work["name"].str.rstrip("*").str.strip()
    work["count"] = work["value"]
    work["year"] = work["year"].astype("Int64")
    schema = SCHEMA_BUSINESS_DEMOGRAPHY
    data = (work[list(schema.columns)].astype(string_columns(schema))
            .sort_values(["measure", "year", "lad_code_original"], ignore_index=True))
    schema.validate(data, lazy=True)
    return Cleaned(name="business_demography", data=data, rows_in=len(cells),
                   source=str(path),
                   rejects=concat_rejects(r[raw_cols + ["reason"]] for r in rejected))


__all__ = ["DISTRICT", "SCHEMA_BUSINESS_DEMOGRAPHY", "TABLES", "get_business_demography"]
