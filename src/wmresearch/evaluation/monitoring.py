"""Monitoring returns from programme teams: the schemas, their data dictionaries, a reader.

A return is an Excel workbook with two sheets, or a folder with one CSV per sheet. For firms
(business support, :data:`SHEETS`):

* ``beneficiaries``: one row per supported firm (identifier, location, industry, support);
* ``outcomes``: one row per firm and year (employment, turnover), before and after support.

For people (training and employment programmes), the person-level return of
:mod:`wmresearch.evaluation.monitoring_people`: ``participants`` and ``outcomes``. Every
function here takes the ``unit`` (``"firm"`` or ``"person"``, :func:`return_schema`); the
design units of the programme registry map to them through :data:`RETURN_UNITS`.

The reader validates every cell and raises :class:`MonitoringReturnError` naming the file,
sheet, row (header = row 1) and column of each problem; nothing is dropped silently.
Synthetic returns with a known effect, for demonstrations, are produced by
:mod:`wmresearch.evaluation.monitoring_demo`.
"""

from __future__ import annotations

import re
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
    maximum: float | None = None
    #: (regular expression, why): values refused whatever the pattern, e.g. personal data
    refuse: tuple[tuple[str, str], ...] = ()
    #: False: error messages do not repeat the cell's value (it may be personal data)
    echo: bool = True


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


@dataclass(frozen=True)
class ReturnSchema:
    """A monitoring return: its unit, sheets (the units' sheet first, then ``outcomes``)."""

    unit: str
    title: str
    sheets: dict[str, tuple[Column, ...]]
    id_column: str
    #: column names (lower case, ``_`` for spaces) refused as personal data
    forbidden: tuple[str, ...] = ()
    note: str = ""

    @property
    def units_sheet(self) -> str:
        return next(iter(self.sheets))


FIRM_RETURN = ReturnSchema("firm", "Monitoring return", SHEETS, "firm_id")

#: Schema unit of each design unit of the programme registry that has a return: firms, and
#: people (learners of a skills programme; residents taking part in a ward-based employment
#: programme, whose impact design is on wards but whose participants are people).
RETURN_UNITS = {"firm": "firm", "individual": "person", "ward": "person"}
#: What the beneficiaries of a design unit with a return are called on a report.
BENEFICIARY_NAMES = {"firm": "supported firms", "individual": "participants",
                     "ward": "participating residents"}


def return_schema(unit: str = "firm") -> ReturnSchema:
    """The schema of a return for ``unit``: ``"firm"`` or ``"person"``."""
    if unit == "firm":
        return FIRM_RETURN
    if unit == "person":
        # imported here: the person schema builds on this module's Column
        from wmresearch.evaluation.monitoring_people import PERSON_RETURN
        return PERSON_RETURN
    raise ValueError(f"unit: expected 'firm' or 'person', got {unit!r}")


class MonitoringReturnError(DataFileError):
    """A monitoring return that breaks the schema (names file, sheet, row and column)."""

    def __init__(self, file: str | Path, sheet: str, message: str, *, row: int | None = None,
                 column: str | None = None) -> None:
        self.sheet = sheet
        super().__init__(f"{file}, sheet {sheet!r}", message, row=row, column=column)


def schema_markdown(unit: str = "firm", *, level: int = 1) -> str:
    """A return's data dictionary as Markdown (one table per sheet), headings from ``level``."""
    schema = return_schema(unit)
    top, sub = "#" * level, "#" * (level + 1)
    ident, units = f"`{schema.id_column}`", f"`{schema.units_sheet}`"
    lines = [f"{top} {schema.title}: data dictionary", "",
             "An Excel workbook with the sheets below (or one CSV per sheet, named "
             "`<sheet>.csv`). Row 1 holds the column names; one record per row.", ""]
    if schema.note:
        lines += [schema.note, ""]
    for sheet, columns in schema.sheets.items():
        lines += [f"{sub} Sheet `{sheet}`", "",
                  "| column | type | required | rule | description | example |",
                  "|---|---|---|---|---|---|"]
        for col in columns:
            rule = []
            if col.pattern:
                rule.append(f"matches `{col.pattern}`")
            if col.minimum is not None:
                rule.append(f">= {col.minimum:g}")
            if col.maximum is not None:
                rule.append(f"<= {col.maximum:g}")
            if col.allowed:
                rule.append("one of " + ", ".join(f"`{a}`" for a in col.allowed))
            rule += [f"refused if it {why.split(':')[0]}" for _, why in col.refuse]
            lines.append(f"| `{col.name}` | {col.kind} | {'yes' if col.required else 'no'} | "
                         f"{'; '.join(rule)} | {col.description} | {col.example} |")
        lines.append("")
    lines += [f"Rules across sheets: {ident} is unique in {units}; every {ident} of "
              f"`outcomes` is in {units}; ({ident}, `year`) is unique in `outcomes`.", ""]
    return "\n".join(lines)


def write_template(path: Path | str, unit: str = "firm") -> Path:
    """Write an empty return: ``.xlsx`` (sheets + a ``dictionary`` sheet) or a CSV folder."""
    path, schema = Path(path), return_schema(unit)
    if path.suffix == ".xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, columns in schema.sheets.items():
                pd.DataFrame(columns=[c.name for c in columns]).to_excel(
                    writer, sheet_name=sheet, index=False)
            rows = [(s, c.name, c.kind, c.required, c.description, c.example)
                    for s, cols in schema.sheets.items() for c in cols]
            pd.DataFrame(rows, columns=["sheet", "column", "type", "required", "description",
                                        "example"]).to_excel(writer, sheet_name="dictionary",
                                                             index=False)
        return path
    path.mkdir(parents=True, exist_ok=True)
    for sheet, columns in schema.sheets.items():
        pd.DataFrame(columns=[c.name for c in columns]).to_csv(path / f"{sheet}.csv",
                                                               index=False)
    (path / "README.md").write_text(schema_markdown(unit), encoding="utf-8")
    return path


def _read_sheets(path: Path, sheets: dict[str, tuple[Column, ...]]) -> dict[str, pd.DataFrame]:
    if not path.exists():
        raise DataFileError(path, "monitoring return not found")
    if path.is_dir():
        found = {}
        for sheet in sheets:
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
    for sheet in sheets:
        if sheet not in book:
            raise MonitoringReturnError(path, sheet, f"sheet missing (found: {list(book)})")
    return {sheet: book[sheet] for sheet in sheets}


def _check_column(frame: pd.DataFrame, col: Column, file: Path, sheet: str,
                  problems: list[MonitoringReturnError]) -> pd.Series:
    raw = frame[col.name].astype("string").str.strip()
    blank = raw.isna() | (raw == "")

    def flag(mask: pd.Series, message: str) -> None:
        for idx in mask[mask].index[:5]:
            got = f", got {raw[idx]!r}" if col.echo else " (value not repeated here)"
            problems.append(MonitoringReturnError(file, sheet, f"{message}{got}",
                                                  row=int(idx) + 2, column=col.name))

    if col.required:
        flag(blank, "required value is empty")
    refused = pd.Series(False, index=raw.index)
    for regex, why in col.refuse:
        hit = raw.str.fullmatch(regex).fillna(False).astype(bool) & ~blank & ~refused
        flag(hit, why)
        refused |= hit
    if col.kind in ("integer", "number"):
        values = pd.to_numeric(raw.str.replace(",", "", regex=False), errors="coerce")
        flag(values.isna() & ~blank, "not a number")
        if col.kind == "integer":
            flag(values.notna() & (values % 1 != 0), "not a whole number")
        if col.minimum is not None:
            flag(values < col.minimum, f"below the minimum {col.minimum:g}")
        if col.maximum is not None:
            flag(values > col.maximum, f"above the maximum {col.maximum:g}")
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
        flag(~raw.str.fullmatch(col.pattern).fillna(False) & ~blank & ~refused,
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


def _header(frame: pd.DataFrame, columns: tuple[Column, ...], schema: ReturnSchema,
            file: Path, sheet: str, problems: list[MonitoringReturnError], *,
            unknown: bool = True) -> None:
    """Missing required columns, personal data and (``unknown``) unexpected columns."""
    frame.columns = [str(c).strip() for c in frame.columns]
    names = {c.name for c in columns}
    problems += [MonitoringReturnError(file, sheet, "required column missing", row=1,
                                       column=c.name)
                 for c in columns if c.required and c.name not in frame.columns]
    for name in frame.columns:
        if re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") in schema.forbidden:
            problems.append(MonitoringReturnError(
                file, sheet, "personal data must not be supplied: delete this column (a "
                "pseudonymised identifier is all the evaluation needs)", row=1, column=name))
        elif unknown and name not in names:
            problems.append(MonitoringReturnError(file, sheet, "unknown column (misspelt?)",
                                                  row=1, column=name))


def _duplicates(frame: pd.DataFrame, keys: list[str], file: Path, sheet: str,
                column: str, echo: bool = False) -> list[MonitoringReturnError]:
    dup = frame.duplicated(keys, keep="first") & frame[keys[0]].notna()
    return [MonitoringReturnError(file, sheet, f"duplicate ({', '.join(keys)})"
                                  if len(keys) > 1 else f"duplicate {keys[0]}" +
                                  (f" {frame.at[i, keys[0]]!r}" if echo else ""),
                                  row=int(i) + 2, column=column) for i in dup[dup].index[:5]]


@dataclass
class MonitoringReturn:
    """A validated monitoring return (``beneficiaries``: the units' sheet, firms or people)."""

    beneficiaries: pd.DataFrame
    outcomes: pd.DataFrame
    source: str
    unit: str = "firm"


def read_monitoring_return(path: Path | str, unit: str = "firm") -> MonitoringReturn:
    """Read and validate a programme team's return (``.xlsx`` or a folder of CSVs).

    Parameters
    ----------
    path : the workbook, or a folder holding ``<sheet>.csv`` for each sheet.
    unit : ``"firm"`` (sheets ``beneficiaries``, ``outcomes``) or ``"person"`` (sheets
        ``participants``, ``outcomes``); see :func:`schema_markdown`.

    Raises
    ------
    MonitoringReturnError
        For the first problem found, naming file, sheet, row and column; the message lists
        up to 20 further problems so a team can fix the return in one pass. A column of
        personal data (a name, National Insurance number, date of birth ...) is refused,
        and person identifiers are never repeated in a message.
    """
    path, schema = Path(path), return_schema(unit)
    sheets = _read_sheets(path, schema.sheets)
    problems: list[MonitoringReturnError] = []
    clean: dict[str, pd.DataFrame] = {}
    for sheet, columns in schema.sheets.items():
        frame = sheets[sheet]
        _header(frame, columns, schema, path, sheet, problems)
        out = {}
        for col in columns:
            if col.name in frame.columns:
                out[col.name] = _check_column(frame, col, path, sheet, problems)
            else:
                out[col.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
        clean[sheet] = pd.DataFrame(out, index=frame.index)
    key, units = schema.id_column, schema.units_sheet
    ben, outc = clean[units], clean["outcomes"]
    echo = next(c for c in schema.sheets[units] if c.name == key).echo
    problems += _duplicates(ben, [key], path, units, key, echo)
    orphan = ~outc[key].isin(ben[key]) & outc[key].notna()
    problems += [MonitoringReturnError(path, "outcomes", (f"{key} {outc.at[i, key]!r} " if echo
                                                          else f"this {key} ") +
                                       f"is not in the {units} sheet", row=int(i) + 2,
                                       column=key) for i in orphan[orphan].index[:5]]
    problems += _duplicates(outc, [key, "year"], path, "outcomes", "year")
    _raise_first(problems)
    return MonitoringReturn(ben.reset_index(drop=True), outc.reset_index(drop=True), str(path),
                            unit)


def read_comparison_outcomes(path: Path | str, unit: str = "firm") -> pd.DataFrame:
    """Read the comparison units' outcome panel (a CSV in the ``outcomes`` sheet's columns).

    The monitoring return lists beneficiaries only; a single-cohort design also needs
    non-beneficiaries, linked by the evaluator: firms from the IDBR/BSD (ONS Secure Research
    Service), people from LEO or DWP benefit records. Their identifiers must not clash with
    the beneficiaries' (checked when the panel is built:
    :func:`wmresearch.evaluation.beneficiary.build_outcome_panel`).

    Raises
    ------
    MonitoringReturnError
        Naming the file, row and column of the first problem (and listing up to 20 more).
    """
    path, schema = Path(path), return_schema(unit)
    if not path.is_file():
        raise DataFileError(path, "comparison outcome panel not found")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = schema.sheets["outcomes"]
    problems: list[MonitoringReturnError] = []
    _header(frame, columns, schema, path, "comparison", problems, unknown=False)
    out = {c.name: _check_column(frame, c, path, "comparison", problems)
           for c in columns if c.name in frame.columns}
    clean = pd.DataFrame(out, index=frame.index)
    if schema.id_column in clean and "year" in clean:
        problems += _duplicates(clean, [schema.id_column, "year"], path, "comparison", "year")
    _raise_first(problems)
    return clean.reset_index(drop=True)
