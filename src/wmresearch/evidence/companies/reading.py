"""Reading BasicCompanyData files: formats, streaming blocks, line numbers, malformed rows.

The parsing is done by libraries, not by hand:

* :func:`pyarrow.csv.open_csv` streams the file (``newlines_in_values=True`` for quoted line
  breaks, ``ignore_empty_lines=False`` so blank lines are seen and accounted for) and its
  ``invalid_row_handler`` reports each row with the wrong number of fields, with its record
  number (Apache Arrow, *pyarrow.csv.ParseOptions*, pyarrow >= 13).
* pyarrow's parser is lenient about a quote inside a quoted value that is not doubled
  (``"A "B" C"`` reads as ``A B" C"``), so quoting is checked by DuckDB's CSV reader with
  ``strict_mode=true`` and ``store_rejects=true``, which records each such row as an
  ``UNQUOTED VALUE`` error with its record number and column (DuckDB documentation, *CSV
  import: reading faulty CSV files*, duckdb >= 1.1).

Both libraries number *records* (header = 1, blank lines included), not physical lines. A
record's 1-based line in the file is its record number plus the line breaks inside the
quoted values of all earlier records, which are counted on the parsed values.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from wmresearch.evidence.companies.schema import (
    BASIC_COMPANY_DATA_COLUMNS,
    CORE_FIELDS,
    DATE_FIELDS,
    EXTRACT_COLUMNS,
    FORMAT_EXTRACT,
    FORMAT_FULL,
)
from wmresearch.evidence.io import DataFileError, open_binary, read_header


@dataclass(frozen=True)
class Layout:
    """The file's format, its column names (header order) and the fields converted."""

    fmt: str
    names: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass
class RawBlock:
    """Up to ``chunk_rows`` well-formed records (needed fields as strings) with their lines,
    and the malformed or blank records met on the way (``source_row``, ``reason``)."""

    fields: pd.DataFrame
    rows: np.ndarray
    problems: pd.DataFrame


def read_layout(path: Path) -> Layout:
    """Read the header line, strip names and detect the format (55 columns or 14)."""
    names = read_header(path)
    full_only = set(BASIC_COMPANY_DATA_COLUMNS) - set(EXTRACT_COLUMNS)
    fmt = FORMAT_FULL if full_only & set(names) else FORMAT_EXTRACT
    fields = CORE_FIELDS + (tuple(DATE_FIELDS.values()) if fmt == FORMAT_FULL else ())
    missing = [f for f in fields if f not in names]
    if missing:
        kind = "55-column BasicCompanyData" if fmt == FORMAT_FULL else "14-column extract"
        raise DataFileError(path, f"missing column(s) {missing} needed from the {kind} "
                            f"format; the header has {list(names)}", row=1, column=missing[0])
    return Layout(fmt, names, fields)


def quoting_problems(path: Path, names: tuple[str, ...]) -> dict[int, str]:
    """Records whose quoting is malformed, found by DuckDB's strict CSV reader.

    Returns
    -------
    dict
        Record number (header = 1) -> name of the first badly quoted column.
    """
    import duckdb

    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    con = duckdb.connect()
    try:
        if path.suffix.lower() == ".zip":
            import fsspec

            con.register_filesystem(fsspec.filesystem("zip", fo=str(path)))
            with zipfile.ZipFile(path) as archive:
                member = next(m for m in archive.namelist() if m.lower().endswith(".csv"))
            target = f"zip://{member}"
        else:
            target = str(path)
        # only quoting is checked here: ragged rows are reported by pyarrow with the text
        quoted = "'" + target.replace("'", "''") + "'"
        con.execute(f"SELECT count(*) FROM read_csv({quoted}, header = true, delim = ',', "
                    "quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, "
                    f"null_padding = false, store_rejects = true, columns = {columns})").fetchall()
        try:
            found = con.execute("SELECT line, column_name FROM reject_errors "
                                "WHERE error_type = 'UNQUOTED VALUE' ORDER BY line").fetchall()
        except duckdb.CatalogException:  # DuckDB creates the table only when it rejects a row
            found = []
    except duckdb.Error as exc:
        raise DataFileError(path, f"DuckDB could not check the quoting ({exc})") from exc
    finally:
        con.close()
    problems: dict[int, str] = {}
    for line, column in found:
        problems.setdefault(int(line), names[int(column.removeprefix("c"))])
    return problems


def _line_breaks(values: pyarrow.Array | pyarrow.ChunkedArray) -> np.ndarray:
    """Line breaks (LF, CRLF or lone CR) inside each value."""
    counts = [pc.count_substring(values, pattern) for pattern in ("\n", "\r", "\r\n")]
    lf, cr, crlf = (np.asarray(c.to_numpy(zero_copy_only=False), dtype=np.int64)
                    for c in counts)
    return lf + cr - crlf


@dataclass
class _Numbering:
    """Record numbers -> physical lines, fed batch by batch in file order."""

    next_record: int = 2
    breaks: int = 0  # line breaks inside values of all records numbered so far
    invalid: dict[int, tuple[int, str]] = field(default_factory=dict)  # record -> (n, text)

    def handler(self, row: pacsv.InvalidRow) -> str:
        if row.number is None:
            raise RuntimeError("pyarrow did not report the record number of a malformed row")
        if row.number < self.next_record:  # would misnumber the lines: never silently
            raise RuntimeError(f"pyarrow reported malformed record {row.number} late")
        self.invalid[int(row.number)] = (int(row.actual_columns), row.text)
        return "skip"

    def number(self, n_valid: int, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                 list[tuple[int, int, str]]]:
        """Record numbers and lines of the next ``n_valid`` well-formed records, and the
        malformed records before them as ``(line, fields, text)``."""
        pending = np.array(sorted(r for r in self.invalid if r >= self.next_record),
                           dtype=np.int64)
        candidates = np.arange(self.next_record, self.next_record + n_valid + len(pending))
        records = candidates[~np.isin(candidates, pending)][:n_valid]
        last = records[-1] if n_valid else (pending[-1] if len(pending) else
                                            self.next_record - 1)
        skipped = pending[pending <= last]
        skipped_texts = [self.invalid.pop(int(r)) for r in skipped]
        skipped_breaks = np.array([t.count("\n") + t.count("\r") - t.count("\r\n")
                                   for _, t in skipped_texts], dtype=np.int64)
        order_records = np.concatenate([records, skipped])
        order_breaks = np.concatenate([breaks, skipped_breaks])
        order = np.argsort(order_records, kind="stable")
        before = self.breaks + np.cumsum(order_breaks[order]) - order_breaks[order]
        lines = np.empty(len(order), dtype=np.int64)
        lines[order] = order_records[order] + before
        self.breaks += int(order_breaks.sum())
        self.next_record = int(last) + 1
        bad = [(int(lines[n_valid + i]), fields, text)
               for i, (fields, text) in enumerate(skipped_texts)]
        return records, lines[:n_valid], bad


def _ragged(path: Path, line: int, fields: int, names: tuple[str, ...], text: str,
            bad_rows: str) -> tuple[int, str]:
    width = len(names)
    if not text.strip() and fields <= 1:
        return line, "blank line (no values)"
    problem = "fewer" if fields < width else "more"
    message = f"{fields} fields, {problem} than the header's {width}"
    if bad_rows == "error":
        raise DataFileError(path, message, row=line, column=names[min(fields, width) - 1])
    return line, f"malformed row: {message}"


def _decoded(path: Path, batch: pyarrow.RecordBatch, layout: Layout,
             lines: np.ndarray) -> pd.DataFrame:
    """The needed fields as strings; a byte that is not UTF-8 stops with row and column."""
    out = {}
    for name in layout.fields:
        values = batch.column(layout.names.index(name))
        try:
            out[name] = values.cast(pyarrow.string()).to_pandas().astype("str")
        except pyarrow.ArrowInvalid as exc:
            for i, raw in enumerate(values.to_pylist()):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as bad:
                    raise DataFileError(path, f"byte 0x{raw[bad.start]:02x} is not valid "
                                        f"UTF-8", row=int(lines[i]), column=name) from exc
            raise
    return pd.DataFrame(out)


def _problems(entries: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame({"source_row": np.array([e[0] for e in entries], dtype=np.int64),
                         "reason": pd.Series([e[1] for e in entries], dtype="str")})


def iter_raw_blocks(path: Path, layout: Layout, chunk_rows: int, *, bad_rows: str = "error",
                    block_size: int = 1 << 22) -> Iterator[RawBlock]:
    """Stream the records after the header in blocks of at most ``chunk_rows``.

    Memory is bounded by ``block_size`` (bytes parsed at a time; a record must fit in it)
    and ``chunk_rows``. Malformed records raise :class:`DataFileError` (``bad_rows="error"``)
    or are returned in ``problems`` (``"reject"``); blank lines are always returned there.
    """
    quoting = quoting_problems(path, layout.names)
    numbering = _Numbering()
    names = list(layout.names)
    pending: list[tuple[pd.DataFrame, np.ndarray]] = []
    problems: list[tuple[int, str]] = []
    with open_binary(path) as fh:
        reader = pacsv.open_csv(
            fh, read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                               block_size=block_size, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=numbering.handler),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pyarrow.binary() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
        batches = iter(reader)
        while True:
            try:
                batch = next(batches, None)
            except pyarrow.ArrowInvalid as exc:
                raise DataFileError(path, f"malformed CSV after record "
                                    f"{numbering.next_record - 1} ({exc})") from exc
            n = 0 if batch is None else batch.num_rows
            breaks = np.zeros(n, dtype=np.int64)
            empty = np.ones(n, dtype=bool)
            for column in (batch.columns if batch is not None else ()):
                breaks += _line_breaks(column)
                empty &= np.asarray(pc.binary_length(column).to_numpy(), dtype=np.int64) == 0
            records, lines, ragged = numbering.number(n, breaks)
            found = [_ragged(path, line, k, layout.names, text, bad_rows)
                     for line, k, text in ragged]
            misquoted = np.flatnonzero(np.isin(records, list(quoting)))
            for i in misquoted:
                column = quoting[int(records[i])]
                if bad_rows == "error":
                    raise DataFileError(path, "malformed quoting: a quote inside a value is "
                                        "not doubled or a quoted value does not close",
                                        row=int(lines[i]), column=column)
                found.append((int(lines[i]), f"malformed quoting in {column}"))
            drop = empty.copy()
            drop[misquoted] = True
            found += [(int(line), "blank line (no values)") for line in lines[empty]]
            problems += sorted(found)
            if n:
                keep = np.flatnonzero(~drop)
                kept = batch.take(pyarrow.array(keep)) if drop.any() else batch
                frame = _decoded(path, kept, layout, lines[keep])
                pending.append((frame, lines[keep]))
            while pending and (batch is None or sum(len(f) for f, _ in pending) >= chunk_rows):
                frame = pd.concat([f for f, _ in pending], ignore_index=True)
                rows = np.concatenate([r for _, r in pending])
                head, tail = frame.iloc[:chunk_rows], frame.iloc[chunk_rows:]
                cut = int(rows[chunk_rows]) if len(tail) else None
                mine = [p for p in problems if cut is None or p[0] < cut]
                problems = [p for p in problems if cut is not None and p[0] >= cut]
                pending = [(tail.reset_index(drop=True), rows[chunk_rows:])] if len(tail) else []
                yield RawBlock(head.reset_index(drop=True), rows[:chunk_rows], _problems(mine))
            if batch is None:
                break
    if problems:
        yield RawBlock(pd.DataFrame({f: pd.Series(dtype="str") for f in layout.fields}),
                       np.empty(0, dtype=np.int64), _problems(problems))
