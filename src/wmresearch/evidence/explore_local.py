"""ONS "Explore local statistics" indicator files: one reader for the publisher's format.

Source
------
ONS, *Explore local statistics* (https://www.ons.gov.uk/explore-local-statistics), whose data
ONS publishes in github.com/ONSdigital/explore-local-statistics-data as one tidy CSV per
indicator family, ``<name>/<name>.csv``, beside a ``<name>.json`` naming the underlying
release (``ess-beta-metadata``: ``sourceURL``, ``sourceDate``, ``sourceOrg``, labels).

Format (checked by the tests on the real files):

* columns ``areacd, areanm, geography, indicator, period, observation, measure, unit,
  lci_95, uci_95, status, notes`` (``personal-wellbeing-estimates.csv`` swaps ``measure`` and
  ``observation``: columns are matched by name, never by position);
* ``gdp-per-head.csv`` keeps an older layout: upper-case names (``AREACD``, ``Observation``,
  ``Lower Confidence Interval (95%)``, ``Observation Status``...), no ``notes``, a byte-order
  mark and a plain-year ``Period`` ("1998");
* ``period`` is an ISO 8601 interval start/duration (``2023-01-01/P1Y`` calendar year,
  ``2022-04-01/P1Y`` financial year, ``2019-08-01/P1Y`` academic year, ``2011-01-01/P3Y``
  three years), a date (ASHE reference date ``2025-04-30``) or a plain year;
* ``status`` is blank or one of ``x`` (not available), ``c`` (confidential: suppressed) and
  ``u`` (low reliability); a suppressed observation is blank and stays missing, never 0;
* ``foreign-direct-investment.csv`` gives three Scottish city regions the code ``na``: those
  rows are rejected (no code to key them by);
* ``gdp-per-head.csv`` labels E47000007 "ITL Level 2" (the West Midlands metropolitan county
  is both the combined authority and ITL2 TLG3); ``geography`` is kept as published.

District codes made obsolete by boundary changes (e.g. Allerdale E07000026 in 2019-2022
business demography, Sheffield E08000019 before 2024) are mapped to their current code
through the ONS code history (``lad_lookup``, from
``wmresearch.evidence.geography.current_lad_codes``); ``areacd_original`` keeps the published
code. Before a merger several original codes share one current code: add counts, not rates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    Cleaned,
    DataFileError,
    apply_checks,
    blank_to_na,
    concat_rejects,
    decode_text,
    is_code,
    read_csv_text,
    read_header,
    reject_duplicates,
    string_columns,
    to_number,
)

COLUMNS = ("areacd", "areanm", "geography", "indicator", "period", "observation", "measure",
           "unit", "lci_95", "uci_95", "status", "notes")

#: The older upper-case layout (``gdp-per-head.csv``, May 2025) -> current names.
LEGACY_COLUMNS = {
    "AREACD": "areacd", "AREANM": "areanm", "Geography": "geography",
    "Indicator": "indicator", "Observation": "observation", "Unit": "unit",
    "Measure": "measure", "Period": "period", "Lower Confidence Interval (95%)": "lci_95",
    "Upper Confidence Interval (95%)": "uci_95", "Observation Status": "status",
}

#: Observation status codes ONS uses in these files.
STATUS_CODES = {"x": "not available", "c": "confidential (suppressed)",
                "u": "low reliability"}
SUPPRESSED_STATUS = frozenset({"x", "c"})

#: GSS codes (E06..., K02..., E47...) and ITL codes (TLG, TLG3, TLG31; TLB is England).
AREA_CODE = r"[EKNSW]\d{8}|TL[B-N](?:[0-9A-Z]{1,3})?"

_PERIOD = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})-(?P<d>\d{2})(?:/P(?P<n>\d+)Y)?)?")

SCHEMA_EXPLORE_LOCAL = pa.DataFrameSchema(
    {
        "areacd": pa.Column("string", pa.Check.str_matches(f"^(?:{AREA_CODE})$"),
                            description="Area code; district codes mapped to the current code"),
        "areacd_original": pa.Column("string", description="Area code as published"),
        "areanm": pa.Column("string", description="Area name as published"),
        "geography": pa.Column("string", description="Geography level as published "
                               "(Local Authority District, ITL Level 3, ...)"),
        "indicator": pa.Column("string", description="Indicator name as published"),
        "indicator_label": pa.Column("string", description="Indicator label from the .json "
                                     "metadata"),
        "period": pa.Column("string", description="Period as published (ISO 8601)"),
        "period_start": pa.Column("datetime64[ns]", description="First day of the period"),
        "period_end": pa.Column("datetime64[ns]", description="Last day of the period (the "
                                "date itself for a reference date)"),
        "period_label": pa.Column("string", description="Readable period: 2023, 2022/23, "
                                  "2011-2013"),
        "year": pa.Column("Int64", pa.Check.in_range(1990, 2040), description="Calendar year "
                          "in which the period starts"),
        "observation": pa.Column("Float64", nullable=True, description="Value; missing when "
                                 "suppressed or not available (never 0)"),
        "measure": pa.Column("string", description="Measure as published"),
        "unit": pa.Column("string", description="Unit as published"),
        "lci_95": pa.Column("Float64", nullable=True, description="Lower 95% confidence limit"),
        "uci_95": pa.Column("Float64", nullable=True, description="Upper 95% confidence limit"),
        "status": pa.Column("string", pa.Check.isin(sorted(STATUS_CODES)), nullable=True,
                            description="x not available, c confidential, u low reliability"),
        "suppressed": pa.Column("boolean", description="status is x or c: the value is "
                                "withheld"),
        "notes": pa.Column("string", nullable=True, description="Publisher's note"),
        "release": pa.Column("string", description="Source release URL (json sourceURL)"),
        "release_date": pa.Column("datetime64[ns]", description="Source release date (json "
                                  "sourceDate)"),
        "release_org": pa.Column("string", nullable=True, description="Source organisation"),
    },
    strict=True, unique=["areacd_original", "indicator", "measure", "period"],
    description="ONS Explore local statistics indicator, tidy long (Crown copyright, OGL v3)",
)


def parse_periods(period: pd.Series, path: Path | str, rows: pd.Series) -> pd.DataFrame:
    """Start, end, readable label and start year of ISO 8601 periods.

    ``YYYY-MM-DD/PnY`` runs ``n`` years from the start date (end = start + n years - 1 day,
    ISO 8601:2004 s.4.4.3); ``YYYY-MM-DD`` is a reference date (start = end); ``YYYY`` is the
    calendar year. Labels: ``2023`` (calendar year), ``2022/23`` (a year starting in another
    month), ``2011-2013`` (several years).

    Raises
    ------
    DataFileError
        Naming the row and column ``period`` of the first value in none of these forms.
    """
    text = period.astype("string").str.strip()
    parsed: dict[str, tuple[pd.Timestamp, pd.Timestamp, str]] = {}
    for value in text.dropna().unique():
        match = _PERIOD.fullmatch(value)
        try:
            if match is None:
                raise ValueError(value)
            year = int(match["y"])
            if match["m"] is None:
                start = pd.Timestamp(year=year, month=1, day=1)
                parsed[value] = (start, pd.Timestamp(year=year, month=12, day=31), str(year))
                continue
            start = pd.Timestamp(year=year, month=int(match["m"]), day=int(match["d"]))
        except ValueError:
            first = int((text == value).to_numpy().nonzero()[0][0])
            raise DataFileError(path, f"period {value!r} is not an ISO 8601 date, year or "
                                "date/PnY interval", row=int(rows.iloc[first]),
                                column="period") from None
        if match["n"] is None:
            parsed[value] = (start, start, str(year))
            continue
        years = int(match["n"])
        end = start + pd.DateOffset(years=years) - pd.Timedelta(days=1)
        if years == 1:
            label = str(year) if start.month == 1 else f"{year}/{(year + 1) % 100:02d}"
        else:
            label = f"{year}-{end.year}"
        parsed[value] = (start, end, label)
    blank = text.isna() | (text == "")
    if blank.any():
        first = int(blank.to_numpy().nonzero()[0][0])
        raise DataFileError(path, "blank period", row=int(rows.iloc[first]), column="period")
    out = pd.DataFrame(index=period.index)
    out["period_start"] = pd.to_datetime(text.map(lambda v: parsed[v][0])).astype(
        "datetime64[ns]")
    out["period_end"] = pd.to_datetime(text.map(lambda v: parsed[v][1])).astype(
        "datetime64[ns]")
    out["period_label"] = text.map(lambda v: parsed[v][2]).astype("string")
    out["year"] = out["period_start"].dt.year.astype("Int64")
    return out


def read_release_metadata(path: Path | str, indicators: Iterable[str]) -> pd.DataFrame:
    """Release metadata per indicator from an Explore local statistics ``.json``.

    Two layouts exist: ``ess-beta-metadata`` holding ``shared`` plus one block per indicator,
    or one flat block (``label``, ``sourceURL``... directly). Per-indicator keys override
    shared ones.

    Returns
    -------
    pandas.DataFrame
        Indexed by indicator: ``indicator_label``, ``release`` (sourceURL), ``release_date``
        (sourceDate, dd/mm/yyyy), ``release_org`` (sourceOrg). Several sources are joined by
        ``|`` in the file (ASHE: ONS and NISRA): URLs and organisations are kept joined, the
        date is the latest.

    Raises
    ------
    DataFileError
        Missing file, invalid JSON, or an indicator without ``sourceURL``/``sourceDate``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "release metadata (.json beside the .csv) not found")
    try:
        meta = json.loads(decode_text(path))["ess-beta-metadata"]
    except json.JSONDecodeError as exc:
        raise DataFileError(path, f"invalid JSON ({exc.msg})", row=exc.lineno) from exc
    except (KeyError, TypeError) as exc:
        raise DataFileError(path, "no 'ess-beta-metadata' object") from exc
    flat = meta if "label" in meta else {}
    records = {}
    for name in indicators:
        block = {**meta.get("shared", {}), **flat, **meta.get(name, {})}
        missing = [k for k in ("sourceURL", "sourceDate") if not block.get(k)]
        if missing:
            raise DataFileError(path, f"indicator {name!r} has no {missing} in its metadata",
                                column=name)
        try:
            # Several sources are joined by "|" (ASHE: ONS|NISRA): the vintage is the latest.
            date = max(pd.to_datetime(part.strip(), format="%d/%m/%Y")
                       for part in str(block["sourceDate"]).split("|"))
        except ValueError as exc:
            raise DataFileError(path, f"sourceDate {block['sourceDate']!r} is not dd/mm/yyyy",
                                column=name) from exc
        records[name] = {"indicator_label": block.get("label") or name,
                         "release": block["sourceURL"], "release_date": date,
                         "release_org": block.get("sourceOrg")}
    return pd.DataFrame.from_dict(records, orient="index")


def _read_table(path: Path) -> pd.DataFrame:
    header = read_header(path)
    if "AREACD" in header:
        raw = read_csv_text(path, required=list(LEGACY_COLUMNS))
        raw = raw.rename(columns=LEGACY_COLUMNS).assign(notes=pd.NA)
    else:
        raw = read_csv_text(path, required=COLUMNS)
    return raw


def _check_status(raw: pd.DataFrame, path: Path) -> pd.Series:
    status = blank_to_na(raw["status"]).str.lower()
    unknown = status.notna() & ~status.isin(list(STATUS_CODES))
    if unknown.any():
        first = int(unknown.to_numpy().nonzero()[0][0])
        raise DataFileError(path, f"unknown status code {raw['status'].iloc[first]!r}; known "
                            f"codes: {STATUS_CODES}", row=int(raw["source_row"].iloc[first]),
                            column="status")
    return status


def read_explore_local(path: Path | str, lad_lookup: Mapping[str, str] | None = None, *,
                       indicators: Iterable[str] | None = None,
                       name: str | None = None) -> Cleaned:
    """Read one Explore local statistics CSV (and its .json) into a validated long table.

    Parameters
    ----------
    path
        ``<name>.csv`` from ONS's explore-local-statistics-data repository; ``<name>.json``
        must sit beside it.
    lad_lookup
        Any LAD code -> current LAD code (``geography.current_lad_codes``). ``None`` keeps
        codes as published.
    indicators
        Keep only these values of the ``indicator`` column; ``rows_in`` then counts only
        their rows (the others belong to other indicators' tables).
    name
        Table name (default ``els_<file stem>``).

    Returns
    -------
    Cleaned
        Columns of :data:`SCHEMA_EXPLORE_LOCAL`, sorted by indicator, area and period.
        Rejected with a reason: an area code that is not a GSS/ITL code (e.g. ``na``), a
        duplicate key.

    Raises
    ------
    DataFileError
        Missing columns, wrong field count (truncated file), bad encoding, non-numeric
        observation or confidence limit, unparseable period, unknown status code, missing
        or malformed .json.
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    path = Path(path)
    raw = _read_table(path)
    if indicators is not None:
        wanted = list(indicators)
        raw = raw[raw["indicator"].str.strip().isin(wanted)]
        if raw.empty:
            raise DataFileError(path, f"no rows for indicator(s) {wanted}", column="indicator")
    raw_cols = list(raw.columns)
    work = raw.copy()
    for col in ("areacd", "areanm", "geography", "indicator", "measure", "unit", "period"):
        work[col] = raw[col].astype("string").str.strip()
    # Only a blank cell means "no value" here: ONS flags suppression in ``status``.
    for col in ("observation", "lci_95", "uci_95"):
        work[col] = to_number(raw, col, path, suppressed=frozenset({""}))
    work["status"] = _check_status(raw, path)
    work["suppressed"] = work["status"].isin(list(SUPPRESSED_STATUS)).astype("boolean")
    work["notes"] = blank_to_na(raw["notes"]) if raw["notes"].notna().any() else pd.Series(
        pd.NA, index=raw.index, dtype="string")
    work = work.join(parse_periods(work["period"], path, work["source_row"]))
    work, rejected = apply_checks(work, [
        (~is_code(work["areacd"], AREA_CODE),
         "area code " + work["areacd"].fillna("<blank>") + " is not a GSS or ITL area code"),
    ])
    work["areacd_original"] = work["areacd"]
    if lad_lookup is not None:
        work["areacd"] = work["areacd"].map(lambda c: lad_lookup.get(c, c)).astype("string")
    work, dups = reject_duplicates(work, ["areacd_original", "indicator", "measure", "period"],
                                   ["observation"])
    rejected.append(dups)
    meta = read_release_metadata(path.with_suffix(".json"), work["indicator"].unique())
    work = work.join(meta, on="indicator")
    schema = SCHEMA_EXPLORE_LOCAL
    data = (work[list(schema.columns)].astype(string_columns(schema))
            .astype({"release_date": "datetime64[ns]"})
            .sort_values(["indicator", "areacd_original", "period_start"], ignore_index=True))
    schema.validate(data, lazy=True)
    return Cleaned(name=name or f"els_{path.stem.replace('-', '_')}", data=data,
                   rows_in=len(raw), source=str(path),
                   rejects=concat_rejects(r[raw_cols + ["reason"]] for r in rejected))


__all__ = [
    "AREA_CODE", "COLUMNS", "LEGACY_COLUMNS", "SCHEMA_EXPLORE_LOCAL", "STATUS_CODES",
    "SUPPRESSED_STATUS", "parse_periods", "read_explore_local", "read_release_metadata",
]
