"""Real firm locations: live companies geocoded to full postcodes, at national scale.

Sources
-------
* Companies House, *Free Company Data Product* (``BasicCompanyDataAsOneFile``, monthly, about
  5 million companies), https://download.companieshouse.gov.uk/en_output.html: company
  number, name, status, registered office postcode and up to four SIC 2007 codes
  (``SICCode.SicText_1..4``, ``"<5-digit code> - <description>"`` or ``"None Supplied"``).
* ONS, *ONS Postcode Directory* (ONSPD, quarterly, about 2.7 million current and terminated
  postcodes) and its user guide, ONS Open Geography Portal: each postcode's grid reference
  (``oseast1m``, ``osnrth1m``, 1 m), latitude and longitude, local authority district
  (``oslaua``) and termination date (``doterm``).

Method
------
One DuckDB query reads both CSVs in parallel, keeps the companies whose ``CompanyStatus`` is
one of ``statuses`` as published, normalises the registered office postcode (case, spaces
and punctuation ignored) and left-joins it to the ONSPD's ``pcds`` normalised the same way
(a postcode listed twice is an error, not a company counted twice). Every company
read is either kept or rejected with the first reason that applies: not live; no postcode;
postcode not in the ONSPD; postcode without a grid reference (ONSPD ``lat`` 99.999999);
registered office outside the study area (the ONSPD district is not one of ``districts``).
The companies are counted as they are read, and the reasons after the join, inside the
query by vectorised functions, so only the kept companies and the listed rejects leave
DuckDB, in Arrow batches: memory stays bounded whatever the file size. ``rows_in ==
rows_out + rows_rejected`` is checked, and the kept and listed rows counted against those
streamed.

Caveats (also in :data:`CAVEAT`, for a report to print)
-------------------------------------------------------
* **Registered office, not trading site.** Companies House records where a company receives
  official mail, which is often an accountant's, a formation agent's or a head office, not
  where it works; a firm with several sites appears once. Location-based statistics on it
  measure where firms are registered.
* **No employment.** The product publishes no employment or turnover: each company counts
  as one, whatever its size (dormant companies included, SIC 99999).
* Terminated postcodes keep the grid reference they last had (kept, flagged
  ``postcode_terminated``); Northern Ireland grid references are on the Irish Grid.
"""

from __future__ import annotations

import tempfile
import threading
from collections import Counter
from collections.abc import Collection
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from duckdb import sqltypes

from wmresearch.evidence.companies.locations_sql import (
    LISTED,
    NOT_LIVE,
    OUTSIDE,
    CsvLayout,
    company_layout,
    extract_csv,
    join_sql,
    onspd_layout,
    onspd_types,
    read_csv_sql,
    reason_labels,
)
from wmresearch.evidence.companies.schema import ACTIVE_STATUSES, SOURCE_URL
from wmresearch.evidence.io import DataFileError
from wmresearch.evidence.sic import SIC2007_DIVISIONS
from wmresearch.files import atomic_path
from wmresearch.sources.datasets_firms import ONSPD_PAGE

CAVEAT = (
    "Firms are placed at the postcode of their registered office (Companies House), which is "
    "where a company receives official mail, often an accountant's, a formation agent's or a "
    "head office, not necessarily where it trades; a firm with several sites appears once. "
    "Companies House publishes no employment, so every company counts as one whatever its "
    "size, dormant companies included.")
#: Columns of the located firms, in order.
FIRM_LOCATION_COLUMNS = (
    "firm_id", "company_name", "status", "postcode", "sic_code", "sic_code_1", "sic_code_2",
    "sic_code_3", "sic_code_4", "section", "lad_code", "easting", "northing", "latitude",
    "longitude", "postcode_terminated", "grid_quality", "geocode_precision")
REJECT_COLUMNS = ("firm_id", "company_name", "postcode_given", "reason")
_DIVISIONS = pa.array(sorted(SIC2007_DIVISIONS))
_SECTIONS = pa.array([SIC2007_DIVISIONS[d] for d in sorted(SIC2007_DIVISIONS)])


@dataclass
class FirmLocations:
    """Located firms and the account of every company read.

    ``firms`` has :data:`FIRM_LOCATION_COLUMNS` (``None`` when written to ``out``);
    ``accounting`` lists, in plain words, the companies read, each reason for leaving
    companies out and the companies located; ``rejects`` lists company by company those left
    out for a data problem (no postcode, postcode not in the ONSPD or without a grid
    reference; the status and area filters are only counted).
    """

    firms: pd.DataFrame | None
    rows_in: int
    rows_out: int
    rejected: dict[str, int]
    rejects: pd.DataFrame
    notes: dict[str, int] = field(default_factory=dict)
    out: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)
    caveat: str = CAVEAT

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())

    @property
    def accounting(self) -> pd.DataFrame:
        rows = [("companies read", self.rows_in)]
        rows += [(f"left out: {reason}", n) for reason, n in self.rejected.items()]
        rows += [("companies located", self.rows_out)]
        rows += [(f"of which {note}", n) for note, n in self.notes.items()]
        return pd.DataFrame(rows, columns=["step", "companies"])


def _section(codes: pa.ChunkedArray | pa.Array) -> pa.Array:
    """SIC 2007 section letter of 5-digit codes (NULL for an unknown division)."""
    return pc.take(_SECTIONS, pc.index_in(pc.utf8_slice_codeunits(codes, 0, 2), _DIVISIONS))


def _finish(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Kept rows in the published column order, with the primary SIC code and section."""
    primary = pc.coalesce(*(batch.column(f"sic_code_{i}") for i in range(1, 5)))
    extra = {"sic_code": primary, "section": _section(primary),
             "geocode_precision": pa.array(["postcode"] * batch.num_rows, pa.string())}
    return pa.RecordBatch.from_arrays(
        [extra[c] if c in extra else batch.column(c) for c in FIRM_LOCATION_COLUMNS],
        names=list(FIRM_LOCATION_COLUMNS))


def _diagnose(layouts: list[tuple[CsvLayout, dict[str, str]]], error: Exception) -> None:
    """Find the file, line and column DuckDB stumbled on (it is re-read with rejects
    stored) and raise a :class:`DataFileError` naming them."""
    for layout, types in layouts:
        con = duckdb.connect()
        try:
            # every column counted, so every value is parsed and converted
            con.execute(f"SELECT count(COLUMNS(*)) FROM "
                        f"{read_csv_sql(layout, types, rejects=True)}").fetchall()
            found = con.execute("SELECT line, column_name, error_type, error_message "
                                "FROM reject_errors ORDER BY line LIMIT 1").fetchall()
        except duckdb.CatalogException:  # DuckDB creates the table only when it rejects a row
            found = []
        except duckdb.Error as exc:
            raise DataFileError(layout.path, f"DuckDB cannot read the file ({exc})") from error
        finally:
            con.close()
        if found:
            line, column, kind, message = found[0]
            column = column if column in layout.names else None
            raise DataFileError(layout.path, f"{str(kind).lower()}: {message}",
                                row=int(line), column=column) from error
    paths = " and ".join(str(layout.path) for layout, _ in layouts)
    raise DataFileError(paths, f"DuckDB could not read the files ({error})") from error


def _csv(path: Path, folder: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    return extract_csv(path, folder) if path.suffix.lower() == ".zip" else path


def read_firm_locations(
    companies_house: str | Path, onspd: str | Path, *,
    districts: Collection[str] | None = None,
    statuses: Collection[str] = ACTIVE_STATUSES, out: str | Path | None = None,
    work_dir: str | Path | None = None, threads: int | None = None,
    memory_limit: str | None = None, batch_rows: int = 1 << 18,
) -> FirmLocations:
    """Geocode live Companies House companies to their full postcode with the ONSPD.

    The method, the reasons for leaving a company out and the caveats are in the module
    docstring (registered office, not trading site; no employment is published).

    Parameters
    ----------
    companies_house
        BasicCompanyData: ``BasicCompanyDataAsOneFile-<date>.zip`` as published, or its CSV
        (plain or gzip; the 55-column product or the 14-column extract).
    onspd
        The ONS Postcode Directory: the published zip (its largest CSV, the whole UK, is
        used) or that CSV; column names of 2024 (``oseast1m``, ``oslaua``) or 2025
        (``east1m``, ``lad25cd``).
    districts
        Local authority district codes of the study area (ONSPD district column); ``None``
        keeps the whole country.
    statuses
        ``CompanyStatus`` values kept, as published (default ``Active`` and ``Active -
        Proposal to Strike off``); other companies are counted as not live.
    out
        Parquet file to write the located firms to (atomically) instead of returning them:
        for the whole country.
    work_dir
        Folder for zips' extracted CSVs (kept and reused) and DuckDB's spill files; default
        a temporary folder removed afterwards.
    threads, memory_limit
        DuckDB settings (default: all cores, 80% of memory), e.g. ``2`` and ``"1.5GB"``.
    batch_rows
        Rows per Arrow batch streamed from DuckDB.

    Returns
    -------
    FirmLocations
        Firms (:data:`FIRM_LOCATION_COLUMNS`: ``firm_id`` is the company number, ``sic_code``
        the first valid of ``sic_code_1..4``, ``section`` its SIC 2007 section, ``lad_code``
        the ONSPD district, ``easting``/``northing`` British National Grid metres (Irish Grid
        in Northern Ireland), ``grid_quality`` the ONSPD positional quality indicator,
        ``geocode_precision`` ``"postcode"``), the row accounting and the caveat.

    Raises
    ------
    DataFileError
        A missing column (row 1), a malformed row (wrong number of fields, a quote not
        doubled) or a value that is not a number in a coordinate column, naming the file,
        the line and the column.
    """
    with tempfile.TemporaryDirectory(prefix="firm_locations_") as scratch:
        folder = Path(work_dir) if work_dir is not None else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        companies = company_layout(_csv(Path(companies_house), folder))
        postcodes = onspd_layout(_csv(Path(onspd), folder))
        if isinstance(statuses, str):
            raise ValueError("statuses must be a collection of CompanyStatus values")
        statuses = tuple(statuses)
        tally = _Tally()
        config = {"temp_directory": str(folder)}
        if threads:
            config["threads"] = int(threads)
        if memory_limit:
            config["memory_limit"] = memory_limit
        con = duckdb.connect(config=config)
        try:
            where, read = tally.register(con)
            sql = join_sql(companies, postcodes, statuses, districts, where, read)
            result = _stream(con, sql, tally, reason_labels(statuses), districts is not None,
                             out, batch_rows, postcodes)
        except duckdb.Error as exc:
            _diagnose([(companies, {}), (postcodes, onspd_types(postcodes))], exc)
            raise
        finally:
            con.close()
    result.sources = {"companies_house": Path(companies_house).name,
                      "onspd": Path(onspd).name, "companies_house_url": SOURCE_URL,
                      "onspd_url": ONSPD_PAGE}
    return result


class _Tally:
    """Counters inside the query (vectorised Arrow functions), so the rows left out never
    leave DuckDB: :meth:`read` counts the companies as the file is read, :meth:`__call__`
    (in the ``WHERE`` clause) the reason of every joined row, letting through the kept rows
    and those listed as rejects. The two counts are independent: a postcode the ONSPD
    repeated would join a company twice and unbalance them. DuckDB calls both from several
    threads."""

    name = "firm_locations_tally"

    def __init__(self) -> None:
        self.counts = np.zeros(OUTSIDE + 1, dtype=np.int64)  # index 0: kept (NULL)
        self.rows_read = 0
        self._lock = threading.Lock()
        self._through = np.isin(np.arange(OUTSIDE + 1), (0, *LISTED))

    def __call__(self, reason: pa.Array) -> pa.Array:
        codes = pc.fill_null(reason, 0).to_numpy(zero_copy_only=False)
        found = np.bincount(codes, minlength=len(self.counts))
        with self._lock:
            self.counts += found
        return pa.array(self._through[codes])

    def read(self, flags: pa.Array) -> pa.Array:
        with self._lock:
            self.rows_read += len(flags)
        return flags

    def register(self, con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
        """Register both functions; return the ``WHERE`` condition and the read counter."""
        for name, function, kind in ((self.name, self, sqltypes.TINYINT),
                                     (f"{self.name}_read", self.read, sqltypes.BOOLEAN)):
            con.create_function(name, function, [kind], sqltypes.BOOLEAN, type="arrow",
                                null_handling="special", side_effects=True)
        return f"{self.name}(reason)", f"{self.name}_read"


def _repeated_postcode(con: duckdb.DuckDBPyConnection, onspd: CsvLayout, rows_in: int,
                       joined: int) -> DataFileError:
    """The error for an ONSPD listing a postcode more than once (found only when the
    companies read and the rows joined differ)."""
    column = onspd.roles["postcode"]
    found = con.execute(
        f"SELECT ANY_VALUE(p), count(*) FROM (SELECT replace(\"{column}\", ' ', '') AS k, "
        f"\"{column}\" AS p FROM {read_csv_sql(onspd, onspd_types(onspd))}) "
        "GROUP BY k HAVING count(*) > 1 LIMIT 1").fetchall()
    what = f"postcode {found[0][0]!r} is listed {found[0][1]} times" if found else \
        "a postcode is listed more than once"
    return DataFileError(onspd.path, f"{what}: the ONSPD lists each postcode once; "
                         f"{joined - rows_in} companies were joined twice ({rows_in} read, "
                         f"{joined} after the join)", column=column)


def _stream(con: duckdb.DuckDBPyConnection, sql: str, tally: _Tally, labels: dict[int, str],
            area: bool, out: str | Path | None, batch_rows: int,
            onspd: CsvLayout) -> FirmLocations:
    kept: list[pa.RecordBatch] = []
    listed: list[pa.RecordBatch] = []
    notes: Counter = Counter()
    writer = None
    target = Path(out) if out is not None else None
    with atomic_path(target) if target else nullcontext() as tmp:
        for batch in con.sql(sql).to_arrow_reader(batch_rows):
            reason = batch.column("reason")
            if reason.null_count < batch.num_rows:
                listed.append(batch.filter(pc.is_valid(reason)).select(list(REJECT_COLUMNS)))
            mine = _finish(batch.filter(pc.is_null(reason)))
            notes["at a terminated postcode"] += pc.sum(mine.column("postcode_terminated")
                                                        ).as_py() or 0
            notes["without a 5-digit SIC class"] += mine.column("sic_code").null_count
            notes["in Northern Ireland (Irish Grid)"] += pc.sum(pc.starts_with(
                mine.column("lad_code"), "N")).as_py() or 0
            if tmp is None:
                kept.append(mine)
            else:
                writer = writer or pq.ParquetWriter(tmp, mine.schema)
                writer.write_batch(mine)
        if tmp is not None:
            writer = writer or pq.ParquetWriter(tmp, _finish(_empty_batch()).schema)
            writer.close()
    counts = tally.counts
    rows_in, rows_out = tally.rows_read, int(counts[0])
    if int(counts.sum()) != rows_in:
        raise _repeated_postcode(con, onspd, rows_in, int(counts.sum()))
    last = OUTSIDE if area else OUTSIDE - 1
    rejected = {labels[code]: int(counts[code]) for code in range(NOT_LIVE, last + 1)}
    streamed = sum(b.num_rows for b in kept) if tmp is None else rows_out
    if rows_in != rows_out + sum(rejected.values()) or streamed != rows_out \
            or sum(len(b) for b in listed) != sum(rejected[labels[c]] for c in LISTED):
        raise AssertionError(f"row accounting does not balance: {rows_in} read, {rows_out} "
                             f"located ({streamed} streamed), {rejected} left out")
    firms = None
    if target is None:
        firms = pa.Table.from_batches(kept, _finish(_empty_batch()).schema).to_pandas()
    return FirmLocations(firms, rows_in, rows_out, rejected, _rejects(listed, labels),
                         {k: int(v) for k, v in notes.items()}, target)


def _rejects(listed: list[pa.RecordBatch], labels: dict[int, str]) -> pd.DataFrame:
    if not listed:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in REJECT_COLUMNS})
    frame = pa.Table.from_batches(listed).to_pandas()
    frame["reason"] = frame["reason"].map(labels).astype("str")
    return frame.sort_values("firm_id", kind="stable").reset_index(drop=True)


def _empty_batch() -> pa.RecordBatch:
    strings = ("firm_id", "company_name", "status", "postcode_given", "postcode", "lad_code",
               *(f"sic_code_{i}" for i in range(1, 5)))
    arrays = {name: pa.array([], pa.string()) for name in strings}
    arrays.update({c: pa.array([], pa.float64()) for c in ("easting", "northing", "latitude",
                                                          "longitude")})
    arrays.update(postcode_terminated=pa.array([], pa.bool_()),
                  grid_quality=pa.array([], pa.int32()), reason=pa.array([], pa.int8()))
    return pa.RecordBatch.from_pydict(arrays)
