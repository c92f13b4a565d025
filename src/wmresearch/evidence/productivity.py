"""Labour productivity by local authority district (ONS subregional productivity workbook).

Source: ONS, "Subregional productivity: labour productivity indices by local authority
district", June 2024 release (``labour_productivity_local_authorities_2024.xls``). Sheets A1/A3
give smoothed current-price GVA (balanced) per hour worked (index UK=100, and pounds), B1/B3
the same per filled job, and two sheets the hours and filled jobs used as denominators.

Each sheet has a title block, a header row starting ``LAD_Code`` (row 5 in the 2024 release),
one row per area with one column per year (``Pounds_2004`` ...), then notes and a source line.
Sheets are read with :func:`pandas.read_excel` (engine ``xlrd``, every cell as text so that a
note or a stray string is seen as written) and melted to one row per area, measure and year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import xlrd

from wmresearch.evidence.io import (
    SUPPRESSED,
    Cleaned,
    DataFileError,
    concat_rejects,
    is_code,
    year_of,
)

#: sheet name -> (measure, unit)
SHEETS: dict[str, tuple[str, str]] = {
    "A1": ("gva_per_hour_index", "UK=100"),
    "A3": ("gva_per_hour", "GBP"),
    "B1": ("gva_per_job_index", "UK=100"),
    "B3": ("gva_per_job", "GBP"),
    "Productivity Hours": ("hours_worked", "hours per week"),
    "Productivity Jobs": ("filled_jobs", "jobs"),
}
AREA_CODE = r"(E0[6-9]|E10|W06|S12|N09)\d{6}|UKX"
#: The header row must start with this label within the first ``HEADER_SEARCH_ROWS`` rows.
HEADER_LABEL = "LAD_Code"
HEADER_SEARCH_ROWS = 20
NOT_AN_AREA = "not an area row (note, source or blank code)"

SCHEMA_PRODUCTIVITY_LAD = pa.DataFrameSchema(
    {
        "area_code": pa.Column(str, pa.Check.str_matches(AREA_CODE),
                               description="LAD code as published (UKX = UK less Extra-Regio)"),
        "lad_code": pa.Column(str, nullable=True,
                              description="Current (active) LAD code; null for the UK row"),
        "area_name": pa.Column(str, description="Area name as published"),
        "measure": pa.Column(str, pa.Check.isin([m for m, _ in SHEETS.values()]),
                             description="gva_per_hour(_index), gva_per_job(_index), "
                                         "hours_worked, filled_jobs"),
        "unit": pa.Column(str, description="Unit of value"),
        "year": pa.Column("Int64", pa.Check.in_range(1998, 2030), description="Calendar year"),
        "value": pa.Column("Float64", pa.Check.ge(0), nullable=True,
                           description="Value; null where the cell is empty or suppressed"),
    },
    strict=True,
    unique=["area_code", "measure", "year"],
    description="ONS subregional labour productivity by LAD, tidy (one row per area, measure "
                "and year); current-price smoothed GVA (balanced).",
)


def _as_text(book: pd.ExcelFile, name: str, **kwargs) -> pd.DataFrame:
    """A sheet with every cell as stripped text; empty cells are "" (so that no word such as
    "NA" silently becomes missing: suppression markers are decided by :data:`SUPPRESSED`)."""
    frame = pd.read_excel(book, sheet_name=name, dtype=str, keep_default_na=False, **kwargs)
    return frame.apply(lambda column: column.str.strip())


def _header(book: pd.ExcelFile, name: str, path: Path) -> tuple[int, list[str]]:
    """0-based index of the header row and its labels as written in the sheet."""
    top = _as_text(book, name, header=None, nrows=HEADER_SEARCH_ROWS)
    hits = top.index[top.iloc[:, 0] == HEADER_LABEL] if top.shape[1] else []
    if not len(hits):
        raise DataFileError(path, f"sheet {name!r}: no header row starting {HEADER_LABEL!r} "
                            f"in the first {HEADER_SEARCH_ROWS} rows", column=HEADER_LABEL)
    row = int(hits[0])
    return row, top.iloc[row].tolist()


def _year_columns(header: list[str], name: str, path: Path, row: int) -> dict[str, int]:
    """Header label -> year for the columns whose label ends in a four-digit year."""
    years = {label: year_of(label) for label in header if year_of(label) is not None}
    if not years:
        raise DataFileError(path, f"sheet {name!r}: no year columns in header {header}",
                            row=row)
    repeated = [label for label in years if header.count(label) > 1]
    if repeated:
        raise DataFileError(path, f"sheet {name!r}: year column repeated in the header",
                            row=row, column=repeated[0])
    return years


def _values(long: pd.DataFrame, name: str, path: Path) -> pd.Series:
    """Cells as Float64: thousands separators removed, :data:`SUPPRESSED` markers -> NA; the
    first other non-numeric cell (in row, then column order) raises."""
    text = long["cell"].str.replace(",", "", regex=False)
    suppressed = text.isin(SUPPRESSED)
    values = pd.to_numeric(text.where(~suppressed), errors="coerce")
    bad = values.isna() & ~suppressed
    if bad.any():
        first = long.loc[bad].iloc[0]
        raise DataFileError(path, f"sheet {name!r}: non-numeric value {first['cell']!r}",
                            row=int(first["source_row"]), column=first["header"])
    return values.astype("Float64")


def _read_sheet(book: pd.ExcelFile, name: str, path: Path
                ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """One sheet: (long rows of its areas, rejected rows, non-blank rows read)."""
    if name not in book.sheet_names:
        raise DataFileError(path, f"sheet {name!r} not found; sheets are {book.sheet_names}")
    top, header = _header(book, name, path)
    years = _year_columns(header, name, path, top + 1)
    sheet = _as_text(book, name, header=top).set_axis(header, axis="columns")
    # Excel row numbers (1-based): the header is row top + 1, the first data row top + 2.
    sheet.insert(0, "source_row", range(top + 2, top + 2 + len(sheet)))
    sheet = sheet[sheet.iloc[:, 1:].ne("").any(axis=1)]
    code, area_name = sheet.iloc[:, 1], sheet.iloc[:, 2]
    is_area = is_code(code, AREA_CODE)
    rejects = pd.DataFrame({"source_row": sheet["source_row"], "sheet": name,
                            "area_code": code, "reason": NOT_AN_AREA})[~is_area]
    areas = pd.DataFrame({"source_row": sheet["source_row"], "area_code": code,
                          "area_name": area_name}).join(sheet[list(years)])[is_area]
    # melt stacks year by year; the stable sort restores file order (row, then year).
    long = (areas.melt(id_vars=["source_row", "area_code", "area_name"], var_name="header",
                       value_name="cell")
            .sort_values("source_row", kind="stable").reset_index(drop=True))
    measure, unit = SHEETS[name]
    frame = pd.DataFrame({"area_code": long["area_code"], "area_name": long["area_name"],
                          "measure": measure, "unit": unit,
                          "year": long["header"].map(years), "value": _values(long, name, path)})
    return frame, rejects.reset_index(drop=True), len(sheet)


def get_productivity_lad(path: Path, lad_current: dict[str, str] | None = None) -> Cleaned:
    """Tidy the ONS labour productivity workbook into one long table.

    Parameters
    ----------
    path
        The ``.xls`` workbook as published.
    lad_current
        Map from any LAD code to its current code (see
        :func:`wmresearch.evidence.geography.current_lad_codes`); identity when omitted.

    Returns
    -------
    Cleaned
        ``productivity_lad`` with columns area_code, lad_code, area_name, measure, unit,
        year, value. Rows in are the non-blank rows below each sheet's header; rows whose
        first cell is not an area code (notes, the source line) are rejected with a reason.

    Raises
    ------
    DataFileError
        The file is not a readable workbook, a sheet of :data:`SHEETS` is missing or has no
        ``LAD_Code`` header or year columns, or a cell is non-numeric (naming the file,
        sheet, 1-based row and column header).
    """
    path = Path(path)
    try:
        book = pd.ExcelFile(path, engine="xlrd")
    except (xlrd.biffh.XLRDError, OSError, ValueError) as exc:
        raise DataFileError(path, f"not a readable .xls workbook ({exc})") from exc
    with book:
        parts = [_read_sheet(book, name, path) for name in SHEETS]
    rows_in = sum(n for _, _, n in parts)
    rejects = concat_rejects(r for _, r, _ in parts)
    data = pd.concat([f for f, _, _ in parts], ignore_index=True)
    lad_current = lad_current or {}
    data["lad_code"] = data["area_code"].map(lambda c: None if c == "UKX"
                                             else lad_current.get(c, c))
    data = data.astype({"area_code": str, "area_name": str, "measure": str, "unit": str,
                        "year": "Int64", "value": "Float64"})
    data = data[["area_code", "lad_code", "area_name", "measure", "unit", "year", "value"]]
    data = SCHEMA_PRODUCTIVITY_LAD.validate(data, lazy=True)
    data.attrs["rows_kept"] = rows_in - len(rejects)
    return Cleaned("productivity_lad", data, rows_in, rejects, str(path))


def productivity_wide(productivity: pd.DataFrame, measure: str = "gva_per_hour"
                      ) -> pd.DataFrame:
    """One measure as an area x year table (rows: area names)."""
    sub = productivity[productivity["measure"] == measure]
    return sub.pivot_table(index="area_name", columns="year", values="value", aggfunc="first")
