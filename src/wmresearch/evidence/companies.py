"""Companies House BasicCompanyData: a firm register read with bounded memory.

Source: Companies House, *Free Company Data Product* ("BasicCompanyData"),
https://download.companieshouse.gov.uk/en_output.html. The product is a monthly snapshot of
every live company on the register (about 5 million rows, ~2.5 GB as one CSV, also published
as several parts). The product description ("Free Company Data Product - data description",
linked from that page) defines 55 fields: company name and number, registered office address,
category, status, country of origin, dissolution and incorporation dates (``dd/mm/yyyy``),
accounts and returns dates, mortgage counts, up to four SIC codes (``SICCode.SicText_1..4``,
each ``"<5-digit SIC 2007 code> - <description>"``, or ``"None Supplied"``), limited
partnership counts, the company URI, up to ten previous names and confirmation statement
dates. As published, most header names after the first carry a leading space
(``" CompanyNumber"``) and every value is quoted, with quotes inside values doubled.

An older 14-column extract (name, number, address, category, status, four SIC fields; no
dates; quoted only where needed; pre-2008 companies may carry 4-digit SIC 2003 codes) is
also read: the format is detected from the header.

Design
------
* The file is read in blocks of ``chunk_rows`` lines, split only at line ends outside quoted
  values, parsed by :func:`pyarrow.csv.read_csv` and cleaned block by block, so the national
  file never sits in memory: :func:`ingest_basic_company_data` writes each cleaned block to
  Parquet as it goes (peak memory is a few blocks, not the file).
* Malformed input raises :class:`~wmresearch.evidence.io.DataFileError` naming the file, the
  1-based line (header = row 1) and the column: a missing required column, a row with more or
  fewer fields than the header, a quote that does not open or close a field (``"A "B" C"``),
  an unterminated quoted value, bytes that are not UTF-8.
* A well-formed row that cannot be used is *rejected* (kept in the rejects with a
  ``reason``): an invalid company number, a blank company name, an incorporation or
  dissolution date that is not a real ``dd/mm/yyyy`` date (a garbled date means the row's
  fields cannot be trusted, so the row is rejected rather than the date blanked), a repeated
  company number (only the first occurrence can be kept).
* Filtering by status or region is not an error but is accounted for in the same way: a row
  filtered out goes to the rejects with reason ``"status filter: <status>"`` or
  ``"region filter: ..."``, so ``rows_in == rows_kept + rows_rejected`` always holds and
  nothing is silently lost.
* Unusable values inside a kept row are blanked and flagged, not rejected: a postcode that is
  not a UK postcode (foreign companies, ``"XXX"``) gives ``postcode`` NA (an outcode alone,
  such as ``"W6"``, still gives ``postcode_district``); SIC text that is not a 5-digit code
  (``"None Supplied"``, SIC 2003 ``"7499 - ..."``) gives an NA code, and ``sic_issue`` says
  why a firm has no ``primary_sic``.
"""

from __future__ import annotations

import csv
import gzip
import io
import time
import zipfile
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from wmresearch.evidence.io import Cleaned, DataFileError, read_csv_text, to_number

SOURCE_URL = "https://download.companieshouse.gov.uk/en_output.html"

#: The header line of the 55-column product exactly as published (leading spaces included).
BASIC_COMPANY_DATA_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1,"
    " RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
    "RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,"
    "IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,"
    "LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,"
    "PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE,"
    " PreviousName_2.CompanyName,PreviousName_3.CONDATE, PreviousName_3.CompanyName,"
    "PreviousName_4.CONDATE, PreviousName_4.CompanyName,PreviousName_5.CONDATE,"
    " PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE,"
    " PreviousName_8.CompanyName,PreviousName_9.CONDATE, PreviousName_9.CompanyName,"
    "PreviousName_10.CONDATE, PreviousName_10.CompanyName,ConfStmtNextDueDate,"
    " ConfStmtLastMadeUpDate"
)
#: The 55 field names of the full product, leading spaces stripped.
BASIC_COMPANY_DATA_COLUMNS: tuple[str, ...] = tuple(
    name.strip() for name in BASIC_COMPANY_DATA_HEADER.split(","))
#: The 14 field names of the older extract.
EXTRACT_COLUMNS: tuple[str, ...] = (
    "CompanyName", "CompanyNumber", "RegAddress.AddressLine1", "RegAddress.AddressLine2",
    "RegAddress.PostTown", "RegAddress.County", "RegAddress.Country", "RegAddress.PostCode",
    "CompanyCategory", "CompanyStatus", "SICCode.SicText_1", "SICCode.SicText_2",
    "SICCode.SicText_3", "SICCode.SicText_4")
SIC_FIELDS = tuple(f"SICCode.SicText_{i}" for i in range(1, 5))
DATE_FIELDS = {"incorporation_date": "IncorporationDate", "dissolution_date": "DissolutionDate"}
#: Fields read from either format; the full format also needs :data:`DATE_FIELDS`.
CORE_FIELDS = ("CompanyNumber", "CompanyName", "CompanyCategory", "CompanyStatus",
               "RegAddress.PostCode", *SIC_FIELDS)
FORMAT_FULL = "basic_company_data_55"
FORMAT_EXTRACT = "basic_company_data_extract_14"

#: Default status filter: companies Companies House counts as active (its API reports
#: "Active - Proposal to Strike off" as status ``active`` with a status detail).
ACTIVE_STATUSES = ("Active", "Active - Proposal to Strike off")
#: Postcode areas covering the West Midlands metropolitan county (Birmingham, Coventry,
#: Dudley, Walsall, Wolverhampton); they also reach into neighbouring counties.
WM_POSTCODE_AREAS = ("B", "CV", "DY", "WS", "WV")

OUTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
POSTCODE = rf"(?P<outcode>{OUTCODE})(?P<incode>[0-9][A-Z]{{2}})"
COMPANY_NUMBER = r"[A-Z0-9]{8}"
_SIC = r"^(?P<code>\d{5})(?:\s*-\s*(?P<description>[\s\S]*))?$"

FIRM_COLUMNS = ("source_row", "company_number", "company_name", "category", "status",
                "incorporation_date", "dissolution_date", "postcode", "postcode_district",
                "sic_code_1", "sic_code_2", "sic_code_3", "sic_code_4", "sic_description_1",
                "primary_sic", "sic_issue")
REJECT_COLUMNS = ("source_row", "company_number", "company_name", "status", "postcode",
                  "reason")
GEOCODE_COLUMNS = ("latitude", "longitude", "easting", "northing", "geocode_precision",
                   "geocode_matched")

_DATE_DTYPE = "datetime64[ms]"


def _first_valid(columns: list[pd.Series]) -> pd.Series:
    """Row-wise first non-NA value of aligned series (a fast ``bfill(axis=1)``)."""
    first = columns[0]
    for column in columns[1:]:
        first = first.fillna(column)
    return first


def _primary_sic_consistent(frame: pd.DataFrame) -> pd.Series:
    first = _first_valid([frame[f"sic_code_{i}"] for i in range(1, 5)])
    return (first.isna() & frame["primary_sic"].isna()) | (first == frame["primary_sic"])


SCHEMA_FIRM_REGISTER = pa.DataFrameSchema(
    {
        "source_row": pa.Column("int64", pa.Check.ge(2),
                                description="Line of the record in the source file "
                                            "(header = 1)"),
        "company_number": pa.Column(str, pa.Check.str_matches(rf"{COMPANY_NUMBER}$"),
                                    unique=True,
                                    description="Companies House company number, 8 characters "
                                                "(CompanyNumber)"),
        "company_name": pa.Column(str, description="Registered name as published, with any "
                                                   "quotes in it (CompanyName)"),
        "category": pa.Column(str, nullable=True,
                              description="Company category, e.g. 'Private Limited Company' "
                                          "(CompanyCategory)"),
        "status": pa.Column(str, nullable=True,
                            description="Company status, e.g. 'Active', 'Liquidation' "
                                        "(CompanyStatus)"),
        "incorporation_date": pa.Column(_DATE_DTYPE, nullable=True,
                                        description="Date of incorporation (IncorporationDate);"
                                                    " NA when absent or in the 14-column "
                                                    "extract"),
        "dissolution_date": pa.Column(_DATE_DTYPE, nullable=True,
                                      description="Date of dissolution (DissolutionDate); "
                                                  "NA when absent"),
        "postcode": pa.Column(str, pa.Check.str_matches(rf"{OUTCODE} [0-9][A-Z]{{2}}$"),
                              nullable=True,
                              description="Registered office postcode normalised to "
                                          "'OUTCODE INCODE' (e.g. 'B1 1AA'); NA when not a "
                                          "UK postcode"),
        "postcode_district": pa.Column(str, pa.Check.str_matches(rf"{OUTCODE}$"),
                                       nullable=True,
                                       description="Postcode district (outcode), e.g. 'B1'"),
        **{f"sic_code_{i}": pa.Column(str, pa.Check.str_matches(r"\d{5}$"), nullable=True,
                                      description=f"SIC 2007 code from SICCode.SicText_{i}; "
                                                  "NA when blank, 'None Supplied' or not a "
                                                  "5-digit code")
           for i in range(1, 5)},
        "sic_description_1": pa.Column(str, nullable=True, required=False,
                                       description="Description given with sic_code_1"),
        "primary_sic": pa.Column(str, pa.Check.str_matches(r"\d{5}$"), nullable=True,
                                 description="First valid 5-digit SIC code of the four"),
        "sic_issue": pa.Column(str, nullable=True,
                               description="Why primary_sic is NA ('None Supplied', 'no SIC "
                                           "given', or the code that is not SIC 2007); NA "
                                           "when primary_sic is present"),
        "latitude": pa.Column(float, pa.Check.in_range(-90, 90), nullable=True,
                              required=False, description="WGS84 latitude of the geocode"),
        "longitude": pa.Column(float, pa.Check.in_range(-180, 180), nullable=True,
                               required=False, description="WGS84 longitude of the geocode"),
        "easting": pa.Column(float, nullable=True, required=False,
                             description="British National Grid easting (m)"),
        "northing": pa.Column(float, nullable=True, required=False,
                              description="British National Grid northing (m)"),
        "geocode_precision": pa.Column(str, pa.Check.isin(["postcode", "postcode_district"]),
                                       nullable=True, required=False,
                                       description="'postcode' (ONSPD unit postcode) or "
                                                   "'postcode_district' (district centroid); "
                                                   "NA when not geocoded"),
        "geocode_matched": pa.Column(bool, required=False,
                                     description="True when coordinates were found"),
        "lad_code": pa.Column(str, nullable=True, required=False,
                              description="Local authority district of the postcode "
                                          "(ONSPD laua)"),
    },
    checks=[pa.Check(_primary_sic_consistent,
                     error="primary_sic must be the first non-NA sic_code_N")],
    strict=True,
    description="Companies House firm register (BasicCompanyData): one row per company with "
                "status, dates, normalised registered-office postcode and SIC 2007 codes, "
                "optionally geocoded to a postcode or postcode-district centroid.",
)


# --------------------------------------------------------------------------------------
# Reading the file in blocks


@dataclass(frozen=True)
class _Layout:
    fmt: str
    names: tuple[str, ...]
    fields: tuple[str, ...]  # the fields actually converted


@dataclass
class _Tally:
    rows_in: int = 0
    rows_kept: int = 0
    kinds: Counter = field(default_factory=Counter)

    @property
    def rows_rejected(self) -> int:
        return sum(self.kinds.values())


@contextmanager
def _open_binary(path: Path) -> Iterator[IO[bytes]]:
    """Open a CSV, a gzipped CSV or a zip holding one CSV (as Companies House ships it)."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if len(members) != 1:
                raise DataFileError(path, f"expected one .csv in the zip, found {members}")
            with archive.open(members[0]) as fh:
                yield fh
    elif path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as fh:
            yield fh
    else:
        with path.open("rb") as fh:
            yield fh


def _read_header(path: Path, fh: IO[bytes]) -> _Layout:
    """Read the header line, strip names and detect the format."""
    line = fh.readline()
    if line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if not line.strip():
        raise DataFileError(path, "file is empty (no header line)", row=1)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"header is not UTF-8 ({exc})", row=1) from exc
    names = tuple(name.strip() for name in next(csv.reader([text.rstrip("\r\n")])))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataFileError(path, f"repeated column name(s) {repeated}", row=1,
                            column=repeated[0])
    full_only = set(BASIC_COMPANY_DATA_COLUMNS) - set(EXTRACT_COLUMNS)
    fmt = FORMAT_FULL if full_only & set(names) else FORMAT_EXTRACT
    fields = CORE_FIELDS + (tuple(DATE_FIELDS.values()) if fmt == FORMAT_FULL else ())
    missing = [f for f in fields if f not in names]
    if missing:
        kind = "55-column BasicCompanyData" if fmt == FORMAT_FULL else "14-column extract"
        raise DataFileError(path, f"missing column(s) {missing} needed from the {kind} "
                            f"format; the header has {list(names)}", row=1, column=missing[0])
    return _Layout(fmt, names, fields)


def _stray_quote(block: bytes, step: int = 1 << 24) -> int | None:
    """Offset of the first quote that neither opens, closes nor doubles a quote (a quote with
    an ordinary character on both sides, as in ``"A "B" C"``), or None."""
    arr = np.frombuffer(block, dtype=np.uint8)
    for start in range(0, max(len(arr) - 2, 0), step):
        window = arr[start:start + step + 2]
        quote = window == 34
        if not quote[1:-1].any():
            continue
        plain = ~(quote | (window == 44) | (window == 10) | (window == 13))
        hit = np.flatnonzero(quote[1:-1] & plain[:-2] & plain[2:])
        if len(hit):
            return start + int(hit[0]) + 1
    return None


def _field_at(text_before: str, names: tuple[str, ...]) -> str | None:
    """Column name of the field holding the character after ``text_before`` (its line)."""
    fields = next(csv.reader([text_before])) if text_before else [""]
    return names[len(fields) - 1] if len(fields) <= len(names) else None


def _locate_problem(path: Path, block: bytes, first_line: int, names: tuple[str, ...],
                    hint: str) -> DataFileError:
    """Find the first malformed record of a block with Python's strict csv reader."""
    text = block.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width = len(names)
    while True:
        start = first_line + reader.line_num
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            return DataFileError(path, f"malformed quoting in the record starting here "
                                 f"({exc}; unbalanced or stray quote?)", row=start)
        if not record:
            continue
        if len(record) != width:
            problem = "fewer" if len(record) < width else "more"
            return DataFileError(path, f"{len(record)} fields, {problem} than the header's "
                                 f"{width}", row=start,
                                 column=names[min(len(record), width) - 1])
    last = first_line + block.count(b"\n") - 1
    return DataFileError(path, f"{hint} (somewhere in rows {first_line}-{last})")


def _iter_blocks(path: Path, fh: IO[bytes], chunk_rows: int, names: tuple[str, ...],
                 read_bytes: int = 1 << 23) -> Iterator[tuple[int, bytes]]:
    """Yield ``(first_line, block)``: blocks of about ``chunk_rows`` whole lines, cut only at a
    line end outside quotes (an even number of quote characters before it)."""
    pieces: list[bytes] = []
    newlines = 0
    line = 2
    eof = False
    limit = max(chunk_rows * 2048, 1 << 26)  # no real record is kilobytes long
    want = chunk_rows
    while True:
        while not eof and newlines < want:
            data = fh.read(read_bytes)
            if not data:
                eof = True
                break
            pieces.append(data)
            newlines += data.count(b"\n")
        buf = b"".join(pieces)
        pieces = []
        if not buf:
            return
        cut = None
        if not eof:
            ends = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8) == 10)
            k = min(want, len(ends)) - 1
            quotes = buf.count(b'"', 0, int(ends[k]) + 1) if k >= 0 else 0
            while k >= 0 and quotes % 2:
                k += 1
                if k >= len(ends):
                    k = -1
                    break
                quotes += buf.count(b'"', int(ends[k - 1]) + 1, int(ends[k]) + 1)
            if k >= 0:
                cut = int(ends[k]) + 1
            elif len(buf) > limit:
                raise _locate_problem(path, buf, line, names,
                                      "a quoted value never closes (unbalanced quote)")
        if cut is None and not eof:
            pieces = [buf]
            newlines = buf.count(b"\n")
            want = newlines + 1  # read on until the open quote closes
            continue
        if cut is None:
            block = buf if buf.endswith(b"\n") else buf + b"\n"
            if block.count(b'"') % 2:
                raise _locate_problem(path, block, line, names,
                                      "a quoted value never closes (unbalanced quote)")
            yield line, block
            return
        block = buf[:cut]
        yield line, block
        line += block.count(b"\n")
        pieces = [buf[cut:]]
        newlines = pieces[0].count(b"\n")
        want = chunk_rows


def _parse_block(path: Path, block: bytes, first_line: int,
                 layout: _Layout) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse one block to a frame of the needed fields (strings) and their line numbers."""
    stray = _stray_quote(block)
    if stray is not None:
        row = first_line + block.count(b"\n", 0, stray)
        line_start = block.rfind(b"\n", 0, stray) + 1
        before = block[line_start:stray].decode("utf-8", errors="replace")
        raise DataFileError(path, "malformed quoting: a quote inside a value is not doubled "
                            f"(near {block[max(line_start, stray - 20):stray + 20]!r})",
                            row=row, column=_field_at(before, layout.names))
    try:
        table = pacsv.read_csv(
            pyarrow.BufferReader(block),
            read_options=pacsv.ReadOptions(column_names=list(layout.names),
                                           block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=list(layout.fields),
                column_types={f: pyarrow.string() for f in layout.fields},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pyarrow.ArrowInvalid as exc:
        if "UTF8" in str(exc):
            try:
                block.decode("utf-8")
            except UnicodeDecodeError as bad:
                line_start = block.rfind(b"\n", 0, bad.start) + 1
                before = block[line_start:bad.start].decode("utf-8", errors="replace")
                raise DataFileError(path, f"byte 0x{block[bad.start]:02x} is not valid UTF-8",
                                    row=first_line + block.count(b"\n", 0, bad.start),
                                    column=_field_at(before, layout.names)) from exc
        raise _locate_problem(path, block, first_line, layout.names, str(exc)) from exc
    frame = table.to_pandas()
    n_lines = block.count(b"\n")
    if len(frame) == n_lines:
        rows = np.arange(first_line, first_line + n_lines, dtype=np.int64)
    else:  # quoted line breaks or blank lines: number records with the csv module
        reader = csv.reader(io.StringIO(block.decode("utf-8", errors="replace"), newline=""))
        starts = []
        while True:
            start = first_line + reader.line_num
            record = next(reader, None)
            if record is None:
                break
            if record:
                starts.append(start)
        rows = np.asarray(starts, dtype=np.int64)
        if len(rows) != len(frame):
            raise _locate_problem(path, block, first_line, layout.names,
                                  f"pyarrow read {len(frame)} records, csv {len(rows)}")
    return frame, rows


# --------------------------------------------------------------------------------------
# Cleaning a block


def _extract(series: pd.Series, pattern: str) -> pd.DataFrame:
    """``Series.str.extract`` through pyarrow's RE2 (named groups; NA where no match).

    pandas falls back to a Python loop for extraction; this stays vectorised."""
    values = pyarrow.array(series, type=pyarrow.string())
    if isinstance(values, pyarrow.ChunkedArray):
        values = values.combine_chunks()
    matched = pc.extract_regex(values, pattern)
    valid = np.asarray(matched.is_valid(), dtype=bool)
    out = {}
    for i in range(matched.type.num_fields):
        part = pd.Series(matched.field(i).to_pandas(), index=series.index).astype("str")
        out[matched.type.field(i).name] = part.where(valid)
    return pd.DataFrame(out, index=series.index)


def normalise_postcodes(raw: pd.Series) -> pd.DataFrame:
    """Normalise UK postcodes to ``"OUTCODE INCODE"`` and derive the postcode district.

    Case, spaces and punctuation are ignored (``"b11aa"``, ``"B1  1AA"`` -> ``"B1 1AA"``).
    A value that is only an outcode (``"W6"``) gives a district but no postcode; anything else
    (foreign postcodes, ``"XXX"``) gives NA for both.

    Returns
    -------
    DataFrame
        Columns ``postcode`` and ``postcode_district`` on ``raw``'s index.
    """
    compact = raw.astype("str").str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    parts = _extract(compact, rf"^{POSTCODE}$")
    postcode = (parts["outcode"] + " " + parts["incode"]).astype("str")
    outcode_only = compact.str.fullmatch(OUTCODE).fillna(False).astype(bool)
    district = parts["outcode"].fillna(compact.where(outcode_only)).astype("str")
    return pd.DataFrame({"postcode": postcode, "postcode_district": district},
                        index=raw.index)


def _parse_dates(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse ``dd/mm/yyyy`` strictly; return (datetime64[ms] values, mask of bad values)."""
    text = text.str.strip()
    blank = (text == "").to_numpy(dtype=bool)
    shape_ok = np.array(text.str.fullmatch(r"\d{2}/\d{2}/\d{4}").fillna(False), dtype=bool)
    values = np.full(len(text), np.datetime64("NaT"), dtype=_DATE_DTYPE)
    if shape_ok.any():
        good = text[shape_ok]
        day = good.str.slice(0, 2).astype("int64").to_numpy()
        month = good.str.slice(3, 5).astype("int64").to_numpy()
        year = good.str.slice(6, 10).astype("int64").to_numpy()
        in_range = (month >= 1) & (month <= 12) & (day >= 1) & (year >= 1000)
        months = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
        dates = months.astype("datetime64[D]") + (np.clip(day, 1, 31) - 1)
        real = in_range & (dates.astype("datetime64[M]") == months)
        parsed = np.where(real, dates.astype(_DATE_DTYPE), np.datetime64("NaT"))
        values[shape_ok] = parsed
        shape_ok[np.flatnonzero(shape_ok)[~real]] = False
    return values, ~blank & ~shape_ok


def _company_numbers(raw: pd.Series) -> pd.Series:
    """Upper-case, strip and left-pad all-digit numbers that lost their leading zeros (a
    spreadsheet round trip turns 00012345 into 12345)."""
    number = raw.str.strip().str.upper()
    short_digits = number.str.fullmatch(r"\d{1,7}").fillna(False).astype(bool)
    return number.where(~short_digits, number.str.zfill(8))


def _pack(numbers: pd.Series) -> np.ndarray:
    """8-character ASCII company numbers as unsigned 64-bit integers (for de-duplication)."""
    return np.asarray(numbers.to_numpy(dtype=object).astype("S8")).view(">u8").astype(
        np.uint64)


@dataclass
class _Options:
    statuses: frozenset[str] | None
    districts: frozenset[str] | None
    areas: frozenset[str] | None
    seen: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))


def _fill(reason: pd.Series, kind: pd.Series, mask: np.ndarray, text: pd.Series | str,
          label: str) -> None:
    """Give rows in ``mask`` that have no reason yet this reason (first reason wins)."""
    hit = mask & reason.isna().to_numpy()
    if hit.any():
        reason[hit] = text[hit] if isinstance(text, pd.Series) else text
        kind[hit] = label


def _clean_block(raw: pd.DataFrame, rows: np.ndarray,
                 opts: _Options) -> tuple[pd.DataFrame, pd.DataFrame, Counter]:
    n = len(raw)
    raw = raw.reset_index(drop=True)
    reason = pd.Series([None] * n, dtype=object)
    kind = pd.Series([None] * n, dtype=object)

    number = _company_numbers(raw["CompanyNumber"])
    valid_number = number.str.fullmatch(COMPANY_NUMBER).fillna(False).to_numpy(dtype=bool)
    _fill(reason, kind, ~valid_number,
          "invalid CompanyNumber '" + raw["CompanyNumber"] + "'", "invalid")
    name = raw["CompanyName"].str.strip()
    _fill(reason, kind, (name == "").to_numpy(dtype=bool), "blank CompanyName", "invalid")

    dates = {}
    for column, source in DATE_FIELDS.items():
        if source in raw:
            values, bad = _parse_dates(raw[source])
            _fill(reason, kind, bad, f"unparsable {source} '" + raw[source] +
                  "' (expected a real dd/mm/yyyy date)", "invalid")
        else:
            values = np.full(n, np.datetime64("NaT"), dtype=_DATE_DTYPE)
        dates[column] = values

    # duplicates: within the block and against every earlier block
    candidates = np.flatnonzero(reason.isna().to_numpy())
    if len(candidates):
        packed = _pack(number.iloc[candidates])
        _, first = np.unique(packed, return_index=True)
        repeat = np.ones(len(packed), dtype=bool)
        repeat[first] = False
        if len(opts.seen):
            pos = np.searchsorted(opts.seen, packed).clip(max=len(opts.seen) - 1)
            repeat |= opts.seen[pos] == packed
        dup = np.zeros(n, dtype=bool)
        dup[candidates[repeat]] = True
        _fill(reason, kind, dup, "duplicate CompanyNumber " + number +
              " (repeats an earlier row)", "duplicate")
        fresh = np.unique(packed[~repeat])
        opts.seen = np.sort(np.concatenate([opts.seen, fresh]), kind="stable")

    status = raw["CompanyStatus"].str.strip()
    if opts.statuses is not None:
        wanted = status.str.casefold().isin(opts.statuses).to_numpy(dtype=bool)
        _fill(reason, kind, ~wanted,
              "status filter: " + status.where(status != "", "(blank)"), "status filter")

    places = normalise_postcodes(raw["RegAddress.PostCode"])
    if opts.districts is not None or opts.areas is not None:
        district = places["postcode_district"]
        inside = np.zeros(n, dtype=bool)
        if opts.districts is not None:
            inside |= district.isin(opts.districts).to_numpy(dtype=bool)
        if opts.areas is not None:
            area = district.str.replace(r"\d.*$", "", regex=True)
            inside |= area.isin(opts.areas).to_numpy(dtype=bool)
        text = ("region filter: postcode district " + district + " outside the region"
                ).fillna("region filter: no UK postcode district")
        _fill(reason, kind, ~inside, text, "region filter")

    codes, texts = {}, {}
    description_1 = None
    for i, source in enumerate(SIC_FIELDS, start=1):
        texts[i] = raw[source].str.strip()
        parts = _extract(texts[i], _SIC)
        codes[i] = parts["code"]
        if i == 1:
            description_1 = parts["description"].str.strip().replace("", np.nan).astype("str")
    code_frame = pd.DataFrame({f"sic_code_{i}": codes[i] for i in codes})
    primary = _first_valid(list(codes.values())).astype("str")
    first_text = _first_valid([t.replace("", np.nan) for t in texts.values()])
    issue = pd.Series(np.nan, index=raw.index, dtype="str")
    none = primary.isna()
    issue[none & first_text.isna()] = "no SIC given"
    supplied = none & first_text.notna()
    none_supplied = supplied & (first_text.str.casefold() == "none supplied")
    issue[none_supplied] = "None Supplied"
    other = supplied & ~none_supplied
    issue[other] = "not a 5-digit SIC 2007 code: '" + first_text[other] + "'"

    out = pd.DataFrame({
        "source_row": rows,
        "company_number": number.astype("str"),
        "company_name": name.astype("str"),
        "category": raw["CompanyCategory"].str.strip().replace("", np.nan).astype("str"),
        "status": status.replace("", np.nan).astype("str"),
        "incorporation_date": pd.Series(dates["incorporation_date"], dtype=_DATE_DTYPE),
        "dissolution_date": pd.Series(dates["dissolution_date"], dtype=_DATE_DTYPE),
        "postcode": places["postcode"],
        "postcode_district": places["postcode_district"],
        **code_frame,
        "sic_description_1": description_1.where(codes[1].notna()).astype("str"),
        "primary_sic": primary,
        "sic_issue": issue,
    })
    rejected = reason.notna().to_numpy()
    kept = out.loc[~rejected].reset_index(drop=True)
    rejects = pd.DataFrame({
        "source_row": rows[rejected],
        "company_number": raw.loc[rejected, "CompanyNumber"].astype("str").to_numpy(),
        "company_name": raw.loc[rejected, "CompanyName"].astype("str").to_numpy(),
        "status": raw.loc[rejected, "CompanyStatus"].astype("str").to_numpy(),
        "postcode": raw.loc[rejected, "RegAddress.PostCode"].astype("str").to_numpy(),
        "reason": reason[rejected].astype("str").to_numpy(),
    })
    return kept, rejects, Counter(kind[rejected])


def _options(statuses: Collection[str] | None, region_postcode_districts: Collection[str] | None,
             region_postcode_areas: Collection[str] | None) -> _Options:
    if isinstance(statuses, str) or isinstance(region_postcode_districts, str) \
            or isinstance(region_postcode_areas, str):
        raise TypeError("statuses and region filters take a collection of strings, not a "
                        "single string")
    return _Options(
        statuses=None if statuses is None else frozenset(s.strip().casefold()
                                                         for s in statuses),
        districts=None if region_postcode_districts is None else frozenset(
            d.strip().upper().replace(" ", "") for d in region_postcode_districts),
        areas=None if region_postcode_areas is None else frozenset(
            a.strip().upper() for a in region_postcode_areas),
    )


def iter_basic_company_data(
    path: str | Path, *, statuses: Collection[str] | None = ACTIVE_STATUSES,
    region_postcode_districts: Collection[str] | None = None,
    region_postcode_areas: Collection[str] | None = None, chunk_rows: int = 100_000,
    validate: bool = True, tally: _Tally | None = None,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream a BasicCompanyData file as ``(kept, rejects)`` frames, one pair per block.

    Parameters are those of :func:`read_basic_company_data`. ``tally``, if given, is updated
    with the running row accounting. The format is known after the first block; it is
    recorded on each kept frame as ``attrs["format"]``.
    """
    path = Path(path)
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    opts = _options(statuses, region_postcode_districts, region_postcode_areas)
    tally = tally if tally is not None else _Tally()
    with _open_binary(path) as fh:
        layout = _read_header(path, fh)
        for first_line, block in _iter_blocks(path, fh, chunk_rows, layout.names):
            raw, rows = _parse_block(path, block, first_line, layout)
            if not len(raw):
                continue
            kept, rejects, kinds = _clean_block(raw, rows, opts)
            if validate:
                kept = SCHEMA_FIRM_REGISTER.validate(kept, lazy=True)
            tally.rows_in += len(raw)
            tally.rows_kept += len(kept)
            tally.kinds.update(kinds)
            kept.attrs["format"] = layout.fmt
            yield kept, rejects


def _empty_register() -> pd.DataFrame:
    dtypes = {c: "str" for c in FIRM_COLUMNS}
    dtypes.update(source_row="int64", incorporation_date=_DATE_DTYPE,
                  dissolution_date=_DATE_DTYPE)
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "str")
                         for c in REJECT_COLUMNS})


def read_basic_company_data(
    path: str | Path, *, statuses: Collection[str] | None = ACTIVE_STATUSES,
    region_postcode_districts: Collection[str] | None = None,
    region_postcode_areas: Collection[str] | None = None, chunk_rows: int = 100_000,
    validate: bool = True,
) -> Cleaned:
    """Read Companies House BasicCompanyData into a validated firm register, in memory.

    Reads the 55-column Free Company Data Product
    (https://download.companieshouse.gov.uk/en_output.html) or the older 14-column extract,
    detected from the header, as ``.csv``, ``.csv.gz`` or a ``.zip`` holding one CSV. The file
    is parsed block by block; only the cleaned register (and the rejects) are held in memory.
    For the national file without a region filter use :func:`ingest_basic_company_data`,
    which writes Parquet as it goes.

    Parameters
    ----------
    path
        The BasicCompanyData CSV (header names may carry leading spaces).
    statuses
        CompanyStatus values to keep (case-insensitive); default :data:`ACTIVE_STATUSES`.
        ``None`` keeps every status. Other rows go to the rejects with reason
        ``"status filter: <status>"``.
    region_postcode_districts, region_postcode_areas
        Keep only firms whose registered-office postcode district (e.g. ``"B1"``) is in the
        first collection or whose postcode area (e.g. ``"B"``, ``"CV"``; see
        :data:`WM_POSTCODE_AREAS`) is in the second; ``None`` (both) keeps every firm. Others
        go to the rejects with a ``"region filter: ..."`` reason.
    chunk_rows
        Lines per block (memory is proportional to it).
    validate
        Validate each block against :data:`SCHEMA_FIRM_REGISTER`.

    Returns
    -------
    Cleaned
        ``name="firm_register"``; ``data`` has the columns of :data:`FIRM_COLUMNS`
        (``source_row`` is the record's line in the file); ``rejects`` has
        :data:`REJECT_COLUMNS` and ``rows_in == rows_kept + rows_rejected``, filtered rows
        included. ``data.attrs["format"]`` is the detected format and
        ``data.attrs["reject_counts"]`` counts rejects by kind (``invalid``, ``duplicate``,
        ``status filter``, ``region filter``).

    Raises
    ------
    DataFileError
        Missing required column (named), ragged row, malformed quoting or non-UTF-8 bytes
        (with the row and, where known, the column).
    """
    path = Path(path)
    tally = _Tally()
    kept_parts, reject_parts = [], []
    fmt = None
    for kept, rejects in iter_basic_company_data(
            path, statuses=statuses, region_postcode_districts=region_postcode_districts,
            region_postcode_areas=region_postcode_areas, chunk_rows=chunk_rows,
            validate=validate, tally=tally):
        fmt = kept.attrs.get("format", fmt)
        kept_parts.append(kept)
        if len(rejects):
            reject_parts.append(rejects)
    if fmt is None:  # header only: still check it
        with _open_binary(path) as fh:
            fmt = _read_header(path, fh).fmt
    data = (pd.concat(kept_parts, ignore_index=True) if kept_parts else _empty_register())
    data.attrs = {"format": fmt, "reject_counts": dict(tally.kinds)}
    rejects = (pd.concat(reject_parts, ignore_index=True) if reject_parts
               else _empty_rejects())
    return Cleaned("firm_register", data, tally.rows_in, rejects, str(path))


def _arrow_schema(frame: pd.DataFrame) -> pyarrow.Schema:
    return pyarrow.Schema.from_pandas(frame, preserve_index=False).remove_metadata()


def ingest_basic_company_data(
    path: str | Path, out_parquet: str | Path, *, rejects_parquet: str | Path | None = None,
    statuses: Collection[str] | None = ACTIVE_STATUSES,
    region_postcode_districts: Collection[str] | None = None,
    region_postcode_areas: Collection[str] | None = None, chunk_rows: int = 100_000,
    validate: bool = True, compression: str = "zstd",
) -> dict[str, int | float | str]:
    """Stream BasicCompanyData to a Parquet firm register with bounded memory.

    The same cleaning as :func:`read_basic_company_data`
    (https://download.companieshouse.gov.uk/en_output.html), but each block is written to
    ``out_parquet`` (one row group per block) and its rejects to ``rejects_parquet`` as soon
    as it is cleaned, so memory stays at a few blocks whatever the file size (~2.5 GB and
    ~5 million rows for the national file). Files are written to a temporary name and
    renamed when complete.

    Parameters
    ----------
    path, statuses, region_postcode_districts, region_postcode_areas, chunk_rows, validate
        As for :func:`read_basic_company_data`.
    out_parquet
        Output firm register (columns :data:`FIRM_COLUMNS`).
    rejects_parquet
        Output rejects (columns :data:`REJECT_COLUMNS`); default
        ``<out_parquet stem>.rejects.parquet`` beside it.
    compression
        Parquet compression codec.

    Returns
    -------
    dict
        ``source``, ``format``, ``rows_in``, ``rows_kept``, ``rows_rejected`` (all rejects,
        filters included), ``rows_invalid``, ``rows_duplicate``, ``rows_status_filtered``,
        ``rows_region_filtered``, ``out_parquet``, ``rejects_parquet`` and ``seconds``.
    """
    path, out = Path(path), Path(out_parquet)
    rej = Path(rejects_parquet) if rejects_parquet else out.with_name(
        f"{out.stem}.rejects.parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    rej.parent.mkdir(parents=True, exist_ok=True)
    tmp_out, tmp_rej = out.with_name(out.name + ".partial"), rej.with_name(rej.name + ".partial")
    tally = _Tally()
    fmt = None
    started = time.perf_counter()
    out_schema = _arrow_schema(_empty_register())
    rej_schema = _arrow_schema(_empty_rejects())
    try:
        with pq.ParquetWriter(tmp_out, out_schema, compression=compression) as out_writer, \
                pq.ParquetWriter(tmp_rej, rej_schema, compression=compression) as rej_writer:
            for kept, rejects in iter_basic_company_data(
                    path, statuses=statuses, region_postcode_districts=region_postcode_districts,
                    region_postcode_areas=region_postcode_areas, chunk_rows=chunk_rows,
                    validate=validate, tally=tally):
                fmt = kept.attrs.get("format", fmt)
                kept.attrs = {}
                if len(kept):
                    out_writer.write_table(pyarrow.Table.from_pandas(
                        kept, schema=out_schema, preserve_index=False))
                if len(rejects):
                    rej_writer.write_table(pyarrow.Table.from_pandas(
                        rejects, schema=rej_schema, preserve_index=False))
        if fmt is None:
            with _open_binary(path) as fh:
                fmt = _read_header(path, fh).fmt
        if tally.rows_in != tally.rows_kept + tally.rows_rejected:
            raise AssertionError(f"{path}: row accounting does not balance: {tally.rows_in} in"
                                 f" != {tally.rows_kept} kept + {tally.rows_rejected} rejected")
        tmp_out.replace(out)
        tmp_rej.replace(rej)
    finally:
        tmp_out.unlink(missing_ok=True)
        tmp_rej.unlink(missing_ok=True)
    return {
        "source": str(path), "format": fmt, "rows_in": tally.rows_in,
        "rows_kept": tally.rows_kept, "rows_rejected": tally.rows_rejected,
        "rows_invalid": tally.kinds["invalid"], "rows_duplicate": tally.kinds["duplicate"],
        "rows_status_filtered": tally.kinds["status filter"],
        "rows_region_filtered": tally.kinds["region filter"],
        "out_parquet": str(out), "rejects_parquet": str(rej),
        "seconds": round(time.perf_counter() - started, 3),
    }


# --------------------------------------------------------------------------------------
# Geocoding


def read_postcode_districts(path: str | Path) -> pd.DataFrame:
    """Read postcode-district centroids (``geography/postcode_districts.csv``).

    The file (derived from the ONS Postcode Directory / OS Code-Point Open) has columns
    ``Postcode`` (the district), ``Latitude``, ``Longitude``, ``Easting``, ``Northing`` and
    more; non-geographic districts have blank coordinates, kept as NA.

    Returns
    -------
    DataFrame
        ``postcode_district``, ``latitude``, ``longitude``, ``easting``, ``northing`` (floats)
        and ``town_area``, ``region_name`` when present, one row per district.

    Raises
    ------
    DataFileError
        Missing column, non-numeric coordinate, blank or repeated district.
    """
    path = Path(path)
    raw = read_csv_text(path, required=["Postcode", "Latitude", "Longitude", "Easting",
                                        "Northing"])
    district = raw["Postcode"].str.strip().str.upper()
    for check, message in ((district == "", "blank postcode district"),
                           (district.duplicated(), "repeated postcode district")):
        if check.any():
            first = int(np.flatnonzero(check.to_numpy(dtype=bool))[0])
            raise DataFileError(path, f"{message} {district.iloc[first]!r}",
                                row=int(raw["source_row"].iloc[first]), column="Postcode")
    out = pd.DataFrame({"postcode_district": district.astype("str")})
    for source, name in (("Latitude", "latitude"), ("Longitude", "longitude"),
                         ("Easting", "easting"), ("Northing", "northing")):
        out[name] = to_number(raw, source, path).astype("float64")
    for source, name in (("Town/Area", "town_area"), ("Region", "region_name")):
        if source in raw:
            out[name] = raw[source].str.strip().replace("", np.nan).astype("str")
    return out.reset_index(drop=True)


def _drop_geocode(firms: pd.DataFrame) -> pd.DataFrame:
    return firms.drop(columns=[c for c in GEOCODE_COLUMNS if c in firms])


def geocode_postcode_districts(firms: pd.DataFrame,
                               districts: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Add postcode-district centroid coordinates to a firm register.

    Parameters
    ----------
    firms
        A firm register (needs ``postcode_district``), e.g. ``read_basic_company_data(...)
        .data``.
    districts
        The output of :func:`read_postcode_districts`, or the path to read it from.

    Returns
    -------
    DataFrame
        ``firms`` (same rows, order and index) with ``latitude``, ``longitude``, ``easting``,
        ``northing``, ``geocode_precision`` (``"postcode_district"``, NA when unmatched) and
        ``geocode_matched``. Firms whose district is unknown or has no coordinates are kept
        and flagged ``geocode_matched=False``, not dropped. Existing geocode columns are
        replaced.
    """
    if not isinstance(districts, pd.DataFrame):
        districts = read_postcode_districts(districts)
    lookup = districts.dropna(subset=["latitude", "longitude"]).set_index("postcode_district")
    if lookup.index.duplicated().any():
        raise ValueError("districts has repeated postcode_district values")
    out = _drop_geocode(firms)
    key = out["postcode_district"]
    for column in ("latitude", "longitude", "easting", "northing"):
        out[column] = key.map(lookup[column]).astype("float64")
    matched = out["latitude"].notna()
    out["geocode_precision"] = pd.Series(np.where(matched, "postcode_district", None),
                                         index=out.index, dtype="str")
    out["geocode_matched"] = matched.astype(bool)
    return out


ONSPD_FIELDS = ("pcds", "lat", "long", "oseast1m", "osnrth1m", "laua")


def _read_onspd(path: Path, wanted: set[str], block_size: int) -> pd.DataFrame:
    """Stream the ONSPD, keeping only rows whose normalised ``pcds`` is in ``wanted``."""
    with _open_binary(path) as fh:
        first = fh.readline().removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    header = [h.strip() for h in next(csv.reader([first]))] if first.strip() else []
    missing = [c for c in ONSPD_FIELDS if c not in header]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing} of the ONS Postcode "
                            f"Directory; the header has {header}", row=1, column=missing[0])
    parts = []
    with _open_binary(path) as fh:
        try:
            reader = pacsv.open_csv(
                fh, read_options=pacsv.ReadOptions(block_size=block_size,
                                                   column_names=header, skip_rows=1),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(ONSPD_FIELDS),
                    column_types={c: pyarrow.string() for c in ONSPD_FIELDS}))
            for batch in reader:
                frame = batch.to_pandas()
                frame["postcode"] = normalise_postcodes(frame["pcds"].fillna(""))["postcode"]
                frame = frame[frame["postcode"].isin(wanted)]
                if len(frame):
                    parts.append(frame)
        except pyarrow.ArrowInvalid as exc:
            raise DataFileError(path, f"malformed ONS Postcode Directory CSV ({exc})") from exc
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ("postcode", *ONSPD_FIELDS)})
    return pd.concat(parts, ignore_index=True).drop_duplicates("postcode")


def geocode_onspd(firms: pd.DataFrame, onspd_path: str | Path, *,
                  block_size: int = 1 << 25) -> pd.DataFrame:
    """Geocode firms to unit postcodes with a user-supplied ONS Postcode Directory.

    The ONSPD (ONS Open Geography Portal; columns ``pcds``, ``lat``, ``long``, ``oseast1m``,
    ``osnrth1m``, ``laua``) is streamed and only the firms' postcodes are kept, so the full
    directory (~2.7 million postcodes) never sits in memory. Postcodes without a grid
    reference (``lat`` 99.999999) count as unmatched.

    Returns
    -------
    DataFrame
        ``firms`` with ``latitude``, ``longitude``, ``easting``, ``northing``,
        ``geocode_precision="postcode"`` and ``lad_code`` (ONSPD ``laua``) where the postcode
        matched. Where it did not, any coordinates already there (e.g. from
        :func:`geocode_postcode_districts`) are kept with their precision; otherwise NA and
        ``geocode_matched=False``. No firm is dropped.
    """
    path = Path(onspd_path)
    out = firms.copy()
    wanted = set(out["postcode"].dropna())
    found = _read_onspd(path, wanted, block_size)
    lat = pd.to_numeric(found["lat"], errors="coerce")
    lon = pd.to_numeric(found["long"], errors="coerce")
    east = pd.to_numeric(found["oseast1m"], errors="coerce")
    north = pd.to_numeric(found["osnrth1m"], errors="coerce")
    usable = lat.notna() & lon.notna() & (lat.abs() <= 90) & ~np.isclose(lat, 99.999999)
    lookup = pd.DataFrame({"latitude": lat, "longitude": lon, "easting": east,
                           "northing": north, "lad_code": found["laua"]})[usable.to_numpy()]
    lookup.index = found["postcode"][usable.to_numpy()].to_numpy()
    hit = out["postcode"].isin(lookup.index).to_numpy(dtype=bool)
    for column in ("latitude", "longitude", "easting", "northing"):
        new = out["postcode"].map(lookup[column]).astype("float64")
        old = out[column].astype("float64") if column in out else pd.Series(
            np.nan, index=out.index)
        out[column] = new.where(hit, old)
    old_precision = out["geocode_precision"].astype("str") if "geocode_precision" in out \
        else pd.Series(np.nan, index=out.index, dtype="str")
    out["geocode_precision"] = old_precision.where(~hit, "postcode").where(
        out["latitude"].notna()).astype("str")
    out["geocode_matched"] = out["latitude"].notna().astype(bool)
    lad = out["postcode"].map(lookup["lad_code"]).replace("", np.nan)
    out["lad_code"] = lad.astype("str")
    return out


__all__ = [
    "ACTIVE_STATUSES", "BASIC_COMPANY_DATA_COLUMNS", "BASIC_COMPANY_DATA_HEADER",
    "EXTRACT_COLUMNS", "FIRM_COLUMNS", "FORMAT_EXTRACT", "FORMAT_FULL", "REJECT_COLUMNS",
    "SCHEMA_FIRM_REGISTER", "WM_POSTCODE_AREAS", "geocode_onspd", "geocode_postcode_districts",
    "ingest_basic_company_data", "iter_basic_company_data", "normalise_postcodes",
    "read_basic_company_data", "read_postcode_districts",
]
