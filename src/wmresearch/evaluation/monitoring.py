"""Monitoring returns from programme teams: the schema, its data dictionary, and a reader.

A return is an Excel workbook with two sheets, or a folder with one CSV per sheet:

* ``beneficiaries``: one row per supported firm (identifier, location, industry, support);
* ``outcomes``: one row per firm and year (employment, turnover), before and after support.

The reader validates every cell and raises :class:`MonitoringReturnError` naming the file,
sheet, row (header = row 1) and column of each problem; nothing is dropped silently.
A synthetic return with a known effect, for demonstrations, is produced by
:mod:`wmresearch.evaluation.monitoring_demo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wmresearch.evidence.io import DataFileError

SUPPORT_TYPES = ("grant", "loan", "equity", "advice", "training", "diagnostic")


@dataclass(frozen=True)
class Column:
    """One column of a monitoring sheet."""

    name: str
    kind: str  # "string", "integer", "number", "date", "category"
    required: bool
    description: str
    pattern: str | None = None
    minimum: float | None = None
    allowed: tuple[str, ...] | None = None
    example: str = ""


SHEETS: dict[str, tuple[Column, ...]] = {
    "beneficiaries": (
        Column("firm_id", "string", True, "Programme's own identifier of the firm, unique",
               example="BGWM-000123"),
        Column("company_number", "string", False, "Companies House number (8 characters), "
               "for linking to IDBR/BSD", pattern=r"^[A-Z0-9]{8}$", example="01234567"),
        Column("district_code", "string", True, "GSS code of the local authority district of "
               "the supported site", pattern=r"^[EWSN]0[6-9]\d{6}$", example="E08000025"),
        Column("sic2007", "string", True, "SIC 2007 subclass of the firm, 5 digits",
               pattern=r"^\d{5}$", example="25620"),
        Column("support_type", "category", True, "Main type of support received",
               allowed=SUPPORT_TYPES, example="grant"),
        Column("start_date", "date", True, "Date support started (ISO YYYY-MM-DD)",
               example="2023-10-02"),
        Column("grant_gbp", "number", True, "Public money paid to or spent on the firm, £ "
               "(0 for advice only)", minimum=0, example="25000"),
        Column("private_match_gbp", "number", False, "Private co-investment by the firm, £",
               minimum=0, example="25000"),
        Column("employment_baseline", "integer", True, "Employees (headcount) when support "
               "started", minimum=0, example="12"),
        Column("turnover_baseline_gbp", "number", False, "Turnover in the last full year "
               "before support, £", minimum=0, example="850000"),
    ),
    "outcomes": (
        Column("firm_id", "string", True, "Identifier, as in the beneficiaries sheet",
               example="BGWM-000123"),
        Column("year", "integer", True, "Calendar year of the observation", minimum=1990,
               example="2024"),
        Column("employment", "integer", True, "Employees (headcount) at the year's end",
               minimum=0, example="14"),
        Column("turnover_gbp", "number", False, "Turnover in the year, £", minimum=0,
               example="910000"),
    ),
}


class MonitoringReturnError(DataFileError):
    """A monitoring return that breaks the schema (names file, sheet, row and column)."""

    def __init__(self, file: str | Path, sheet: str, message: str, *, row: int | None = None,
                 column: str | None = None) -> None:
        self.sheet = sheet
        super().__init__(f"{file}, sheet {sheet!r}", message, row=row, column=column)


def schema_markdown() -> str:
    """The monitoring-return data dictionary as Markdown (one table per sheet)."""
    lines = ["# Monitoring return: data dictionary", "",
             "An Excel workbook with the sheets below (or one CSV per sheet, named "
             "`<sheet>.csv`). Row 1 holds the column names; one record per row.", ""]
    for sheet, columns in SHEETS.items():
        lines += [f"## Sheet `{sheet}`", "",
                  "| column | type | required | rule | description | example |",
                  "|---|---|---|---|---|---|"]
        for col in columns:
            rule = []
            if col.pattern:
                rule.append(f"matches `{col.pattern}`")
            if col.minimum is not None:
                rule.append(f">= {col.minimum:g}")
            if col.allowed:
                rule.append("one of " + ", ".join(f"`{a}`" for a in col.allowed))
            lines.append(f"| `{col.name}` | {col.kind} | {'yes' if col.required else 'no'} | "
                         f"{'; '.join(rule)} | {col.description} | {col.example} |")
        lines.append("")
    lines += ["Rules across sheets: `firm_id` is unique in `beneficiaries`; every `firm_id` "
              "of `outcomes` is in `beneficiaries`; (`firm_id`, `year`) is unique in "
              "`outcomes`.", ""]
    return "\n".join(lines)


def write_template(path: Path | str) -> Path:
    """Write an empty return: ``.xlsx`` (sheets + a ``dictionary`` sheet) or a CSV folder."""
    path = Path(path)
    if path.suffix == ".xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, columns in SHEETS.items():
                pd.DataFrame(columns=[c.name for c in columns]).to_excel(
                    writer, sheet_name=sheet, index=False)
            rows = [(s, c.name, c.kind, c.required, c.description, c.example)
                    for s, cols in SHEETS.items() for c in cols]
            pd.DataFrame(rows, columns=["sheet", "column", "type", "required", "description",
                                        "example"]).to_excel(writer, sheet_name="dictionary",
                                                             index=False)
        return path
    path.mkdir(parents=True, exist_ok=True)
    for sheet, columns in SHEETS.items():
        pd.DataFrame(columns=[c.name for c in columns]).to_csv(path / f"{sheet}.csv",
                                                               index=False)
    (path / "README.md").write_text(schema_markdown(), encoding="utf-8")
    return path


def _read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    if not path.exists():
        raise DataFileError(path, "monitoring return not found")
    if path.is_dir():
        found = {}
        for sheet in SHEETS:
            file = path / f"{sheet}.csv"
            if not file.is_file():
                raise MonitoringReturnError(path, sheet, f"missing file {file.name}")
            found[sheet] = pd.read_csv(file, dtype=str, keep_default_na=False,
                                       encoding="utf-8-sig")
        return found
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise DataFileError(path, "expected an .xlsx workbook or a folder of CSV files")
    try:
        book = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                             engine="openpyxl")
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise DataFileError(path, f"cannot be read as an Excel workbook ({exc})") from exc
    for sheet in SHEETS:
        if sheet not in book:
            raise MonitoringReturnError(path, sheet, f"sheet missing (found: {list(book)})")
    return {sheet: book[sheet] for sheet in SHEETS}


def _check_column(frame: pd.DataFrame, col: Column, file: Path, sheet: str,
                  problems: list[MonitoringReturnError]) -> pd.Series:
    raw = frame[col.name].astype("string").str.strip()
    blank = raw.isna() | (raw == "")

    def flag(mask: pd.Series, message: str) -> None:
        for idx in mask[mask].index[:5]:
            problems.append(MonitoringReturnError(file, sheet, f"{message}, got "
                                                  f"{raw[idx]!r}", row=int(idx) + 2,
                                                  column=col.name))

    if col.required:
        flag(blank, "required value is empty")
    if col.kind in ("integer", "number"):
        values = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
        flag(values.isna() & ~blank, "not a number")
        if col.kind == "integer":
            flag(values.notna() & (values % 1 != 0), "not a whole number")
        if col.minimum is not None:
            flag(values < col.minimum, f"below the minimum {col.minimum:g}")
        return values.astype("Int64") if col.kind == "integer" and values.notna().all() \
            and (values % 1 == 0).all() else values.astype("Float64")
    if col.kind == "date":
        values = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
        # Excel stores dates as datetimes; pandas renders them with a time part.
        retry = values.isna() & ~blank
        values[retry] = pd.to_datetime(raw[retry], format="%Y-%m-%d %H:%M:%S",
                                       errors="coerce")
        flag(values.isna() & ~blank, "not a date YYYY-MM-DD")
        return values
    if col.allowed:
        flag(~raw.isin(col.allowed) & ~blank, f"expected one of {list(col.allowed)}")
    if col.pattern:
        flag(~raw.str.fullmatch(col.pattern).fillna(False) & ~blank,
             f"does not match {col.pattern}")
    return raw.mask(blank)


def _raise_first(problems: list[MonitoringReturnError]) -> None:
    """Raise the first problem, listing up to 20 more so a team can fix a file in one pass."""
    if problems:
        first = problems[0]
        more = "; ".join(str(p) for p in problems[1:21])
        if more:
            first.args = (f"{first.args[0]} (and {len(problems) - 1} more: {more})",)
        raise first


@dataclass
class MonitoringReturn:
    """A validated monitoring return."""

    beneficiaries: pd.DataFrame
    outcomes: pd.DataFrame
    source: str


def read_monitoring_return(path: Path | str) -> MonitoringReturn:
    """Read and validate a programme team's return (``.xlsx`` or a folder of CSVs).

    Raises
    ------
    MonitoringReturnError
        For the first problem found, naming file, sheet, row and column; the message lists
        up to 20 further problems so a team can fix the return in one pass.
    """
    path = Path(path)
    sheets = _read_sheets(path)
    problems: list[MonitoringReturnError] = []
    clean: dict[str, pd.DataFrame] = {}
    for sheet, columns in SHEETS.items():
        frame = sheets[sheet]
        frame.columns = [str(c).strip() for c in frame.columns]
        missing = [c.name for c in columns if c.name not in frame.columns]
        unknown = [c for c in frame.columns if c not in {col.name for col in columns}]
        for name in missing:
            if next(c for c in columns if c.name == name).required:
                problems.append(MonitoringReturnError(path, sheet, "required column missing",
                                                      row=1, column=name))
        for name in unknown:
            problems.append(MonitoringReturnError(path, sheet, "unknown column (misspelt?)",
                                                  row=1, column=name))
        out = {}
        for col in columns:
            if col.name in frame.columns:
                out[col.name] = _check_column(frame, col, path, sheet, problems)
            else:
                out[col.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
        clean[sheet] = pd.DataFrame(out, index=frame.index)
    ben, outc = clean["beneficiaries"], clean["outcomes"]
    dup = ben["firm_id"].duplicated(keep="first") & ben["firm_id"].notna()
    problems += [MonitoringReturnError(path, "beneficiaries", f"duplicate firm_id "
                                       f"{ben.at[i, 'firm_id']!r}", row=int(i) + 2,
                                       column="firm_id") for i in dup[dup].index[:5]]
    orphan = ~outc["firm_id"].isin(ben["firm_id"]) & outc["firm_id"].notna()
    problems += [MonitoringReturnError(path, "outcomes", f"firm_id {outc.at[i, 'firm_id']!r} "
                                       "is not in the beneficiaries sheet", row=int(i) + 2,
                                       column="firm_id") for i in orphan[orphan].index[:5]]
    dup_year = outc.duplicated(["firm_id", "year"], keep="first") & outc["firm_id"].notna()
    problems += [MonitoringReturnError(path, "outcomes", "duplicate (firm_id, year)",
                                       row=int(i) + 2, column="year")
                 for i in dup_year[dup_year].index[:5]]
    _raise_first(problems)
    return MonitoringReturn(ben.reset_index(drop=True), outc.reset_index(drop=True), str(path))


def read_comparison_outcomes(path: Path | str) -> pd.DataFrame:
    """Read the comparison firms' outcome panel (a CSV in the ``outcomes`` sheet's columns).

    The monitoring return lists beneficiaries only; a single-cohort design also needs
    non-supported firms, linked by the evaluator from the IDBR/BSD (ONS Secure Research
    Service). Their identifiers must not clash with the beneficiaries' (checked when the
    panel is built: :func:`wmresearch.evaluation.beneficiary.build_outcome_panel`).

    Raises
    ------
    MonitoringReturnError
        Naming the file, row and column of the first problem (and listing up to 20 more).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "comparison outcome panel not found")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [str(c).strip() for c in frame.columns]
    columns = SHEETS["outcomes"]
    problems: list[MonitoringReturnError] = [
        MonitoringReturnError(path, "comparison", "required column missing", row=1,
                              column=c.name)
        for c in columns if c.required and c.name not in frame.columns]
    out = {c.name: _check_column(frame, c, path, "comparison", problems)
           for c in columns if c.name in frame.columns}
    clean = pd.DataFrame(out, index=frame.index)
    if "firm_id" in clean and "year" in clean:
        dup = clean.duplicated(["firm_id", "year"], keep="first") & clean["firm_id"].notna()
        problems += [MonitoringReturnError(path, "comparison", "duplicate (firm_id, year)",
                                           row=int(i) + 2, column="year")
                     for i in dup[dup].index[:5]]
    _raise_first(problems)
    return clean.reset_index(drop=True)
