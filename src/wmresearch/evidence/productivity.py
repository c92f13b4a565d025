"""Labour productivity by local authority district (ONS subregional productivity workbook).

Source: ONS, "Subregional productivity: labour productivity indices by local authority
district", June 2024 release (``labour_productivity_local_authorities_2024.xls``). Sheets A1/A3
give smoothed current-price GVA (balanced) per hour worked (index UK=100, and pounds), B1/B3
the same per filled job, and two sheets the hours and filled jobs used as denominators.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import xlrd

from wmresearch.evidence.io import Cleaned, DataFileError, concat_rejects, is_code

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


def _header_row(sheet: xlrd.sheet.Sheet, path: Path) -> int:
    for r in range(min(sheet.nrows, 20)):
        if str(sheet.cell_value(r, 0)).strip() == "LAD_Code":
            return r
    raise DataFileError(path, f"sheet {sheet.name!r}: no header row starting 'LAD_Code' in "
                        "the first 20 rows", column="LAD_Code")


def _read_sheet(book: xlrd.book.Book, name: str, path: Path
                ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    measure, unit = SHEETS[name]
    try:
        sheet = book.sheet_by_name(name)
    except xlrd.biffh.XLRDError as exc:
        raise DataFileError(path, f"sheet {name!r} not found; sheets are "
                            f"{book.sheet_names()}") from exc
    top = _header_row(sheet, path)
    header = [str(v).strip() for v in sheet.row_values(top)]
    years = {c: int(h[-4:]) for c, h in enumerate(header) if h[-4:].isdigit()}
    if not years:
        raise DataFileError(path, f"sheet {name!r}: no year columns in header {header}",
                            row=top + 1)
    records, rejects, rows_in = [], [], 0
    for r in range(top + 1, sheet.nrows):
        values = sheet.row_values(r)
        if not any(str(v).strip() for v in values):
            continue
        rows_in += 1
        code = str(values[0]).strip()
        if not is_code(pd.Series([code]), AREA_CODE).iloc[0]:
            rejects.append({"source_row": r + 1, "sheet": name, "area_code": code,
                            "reason": "not an area row (note, source or blank code)"})
            continue
        for c, year in years.items():
            cell = values[c]
            if isinstance(cell, str):
                if cell.strip() in {"", "..", "x", "[x]", "[c]", "-"}:
                    cell = None
                else:
                    try:
                        cell = float(cell.replace(",", ""))
                    except ValueError as exc:
                        raise DataFileError(path, f"sheet {name!r}: non-numeric value "
                                            f"{cell!r}", row=r + 1,
                                            column=header[c]) from exc
            records.append((code, str(values[1]).strip(), measure, unit, year, cell))
    frame = pd.DataFrame(records, columns=["area_code", "area_name", "measure", "unit", "year",
                                           "value"])
    return frame, pd.DataFrame(rejects), rows_in


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
        year, value. Rows in are the non-blank rows below each sheet's header.
    """
    path = Path(path)
    try:
        book = xlrd.open_workbook(path)
    except (xlrd.biffh.XLRDError, OSError, ValueError) as exc:
        raise DataFileError(path, f"not a readable .xls workbook ({exc})") from exc
    frames, rejects, rows_in = [], [], 0
    for name in SHEETS:
        frame, rej, n = _read_sheet(book, name, path)
        frames.append(frame)
        rejects.append(rej)
        rows_in += n
    data = pd.concat(frames, ignore_index=True)
    kept = rows_in - sum(len(r) for r in rejects)
    lad_current = lad_current or {}
    data["lad_code"] = data["area_code"].map(lambda c: None if c == "UKX"
                                             else lad_current.get(c, c))
    data = data.astype({"area_code": str, "area_name": str, "measure": str, "unit": str,
                        "year": "Int64", "value": "Float64"})
    data = data[["area_code", "lad_code", "area_name", "measure", "unit", "year", "value"]]
    data = SCHEMA_PRODUCTIVITY_LAD.validate(data, lazy=True)
    data.attrs["rows_kept"] = kept
    return Cleaned("productivity_lad", data, rows_in, concat_rejects(rejects), str(path))


def productivity_wide(productivity: pd.DataFrame, measure: str = "gva_per_hour"
                      ) -> pd.DataFrame:
    """One measure as an area x year table (rows: area names)."""
    sub = productivity[productivity["measure"] == measure]
    return sub.pivot_table(index="area_name", columns="year", values="value", aggfunc="first")
