"""Reading publishers' files defensively, and accounting for every row.

Conventions every cleaner in :mod:`wmresearch.evidence` follows:

* A malformed file raises :class:`DataFileError`, naming the file and, where known, the row
  (1-based line number in the file, header = row 1) and the column.
* A row that is well-formed but cannot be used (a total row, a code outside the lookup, a
  duplicate) is *rejected*: kept in ``Cleaned.rejects`` with a ``reason``, never dropped.
* ``rows_in == rows_kept + rows_rejected`` is checked when a :class:`Cleaned` is built.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pandas as pd
import pyarrow
import pyarrow.csv as pacsv

from wmresearch.files import atomic_path

if TYPE_CHECKING:
    import pandera.pandas as pa

#: Markers publishers use for suppressed or unavailable cells (ONS, NOMIS, MHCLG).
SUPPRESSED = frozenset({"", "..", ".", "-", "*", "x", "c", "z", ":", "[c]", "[x]", "[z]",
                        "n/a", "NA", "#", "!"})


class DataFileError(ValueError):
    """A source file that cannot be read as its publisher's format."""

    def __init__(self, file: str | Path, message: str, *, row: int | None = None,
                 column: str | None = None) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        where = [self.file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass
class Cleaned:
    """A cleaned table with its row accounting and its rejects.

    ``rows_in`` counts data records read from the source; ``rows_kept`` of them went into
    ``data`` (possibly reshaped, so ``len(data)`` may differ) and ``rows_rejected`` into
    ``rejects`` with a ``reason`` each.
    """

    name: str
    data: pd.DataFrame
    rows_in: int
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["source_row", "reason"]))
    source: str = ""

    def __post_init__(self) -> None:
        blank = take_blank_lines(self.source) if self.source else []
        if blank:
            # every physical line is accounted for: blank lines are rejects, not silence
            self.rows_in += len(blank)
            extra = pd.DataFrame({"source_row": blank, "reason": "blank line: no values"})
            self.rejects = extra if self.rejects.empty else pd.concat(
                [self.rejects, extra], ignore_index=True)
        if self.rows_in != self.rows_kept + self.rows_rejected:
            raise AssertionError(
                f"{self.name}: row accounting does not balance: {self.rows_in} in != "
                f"{self.rows_kept} kept + {self.rows_rejected} rejected")

    @property
    def rows_rejected(self) -> int:
        return len(self.rejects)

    @property
    def rows_kept(self) -> int:
        return int(self.data.attrs.get("rows_kept", len(self.data)))

    def accounting(self) -> dict[str, int | str]:
        source = ";".join(Path(s).name for s in self.source.split(";")) if self.source else ""
        return {"source": source, "rows_in": self.rows_in, "rows_out": self.rows_kept,
                "rows_rejected": self.rows_rejected, "records_out": len(self.data)}


def split_rejects(frame: pd.DataFrame, bad: pd.Series, reason: str | pd.Series,
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``frame`` into kept rows and rejected rows (with a ``reason`` column)."""
    bad = bad.fillna(False).astype(bool)
    rejects = frame.loc[bad].copy()
    rejects["reason"] = reason[bad] if isinstance(reason, pd.Series) else reason
    return frame.loc[~bad].copy(), rejects


def concat_rejects(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["source_row", "reason"])
    out = pd.concat(parts, ignore_index=True)
    return out.astype({c: "string" for c in out.columns if c not in ("source_row",)})


def _open_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataFileError(path, f"truncated or corrupt gzip stream ({exc})") from exc
    return raw


def decode_text(path: Path, encoding: str = "utf-8") -> str:
    """Read a (possibly gzipped) text file, stripping a byte-order mark.

    Raises
    ------
    DataFileError
        With the row (line) and the column (its header, from the file's first line) of the
        first undecodable byte.
    """
    raw = _open_bytes(Path(path))
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        row = raw.count(b"\n", 0, exc.start) + 1
        prefix = raw[line_start:exc.start].decode(encoding, errors="replace")
        fields = next(csv.reader([prefix])) if prefix else [""]
        header_line = raw.split(b"\n", 1)[0].decode(encoding, errors="replace").strip()
        header = next(csv.reader([header_line])) if header_line else []
        position = len(fields)
        column = (header[position - 1].strip() if 0 < position <= len(header)
                  else f"field {position}")
        raise DataFileError(
            path, f"byte 0x{raw[exc.start]:02x} is not valid {encoding} (wrong encoding? "
            "the publisher's files are UTF-8 unless the registry says latin-1)",
            row=row, column=column) from exc


#: Blank lines found by :func:`read_csv_text`, per file, until a :class:`Cleaned` naming that
#: file as its source takes them into its row accounting (as rejects, reason "blank line").
_BLANK_LINES: dict[str, list[int]] = {}


def _key(path: str | Path) -> str:
    return str(Path(path).resolve())


def take_blank_lines(sources: str) -> list[int]:
    """Pop the blank lines recorded for the files named in ``sources`` (``;``-separated)."""
    lines: list[int] = []
    for source in filter(None, (s.strip() for s in sources.split(";"))):
        lines += _BLANK_LINES.pop(_key(source), [])
    return lines


def read_csv_text(path: Path, *, encoding: str = "utf-8", required: Sequence[str] = (),
                  skiprows: int = 0) -> pd.DataFrame:
    """Read a CSV as strings with :func:`pyarrow.csv.read_csv`, check its header and field
    counts, and number its rows.

    The returned frame has every column as ``string`` plus ``source_row``: the 1-based line
    in the file (the header is row ``skiprows + 1``). Blank lines (no values, or only commas)
    are not returned but counted: a :class:`Cleaned` whose ``source`` names this file adds
    them to its ``rows_in`` and its rejects with reason ``"blank line"``.

    Raises
    ------
    DataFileError
        For a missing required column, a row with more or fewer fields than the header (its
        line and column), an undecodable byte, an empty file.
    """
    path = Path(path)
    text = decode_text(path, encoding)
    lines = text.split("\n", skiprows + 1)
    if len(lines) <= skiprows or not lines[skiprows].strip():
        raise DataFileError(path, "file is empty", row=skiprows + 1)
    header = [h.strip() for h in next(csv.reader([lines[skiprows]]))]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing}; the header has {header}",
                            row=skiprows + 1)
    invalid: list[pacsv.InvalidRow] = []

    def keep_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    table = pacsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pacsv.ReadOptions(skip_rows=skiprows + 1, column_names=names,
                                       use_threads=False),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=True,
                                         invalid_row_handler=keep_invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pyarrow.string() for n in names}, strings_can_be_null=False,
            quoted_strings_can_be_null=False))
    blank_lines = []
    for row in invalid:
        line = row.number or skiprows + 2  # pyarrow gives the file's own 1-based line
        if not row.text.replace(",", "").replace('"', "").strip():
            blank_lines.append(line)  # only separators: a blank line of the wrong width
            continue
        problem = "fewer" if row.actual_columns < len(header) else "more"
        last = line >= text.rstrip("\n").count("\n") + 1
        tail = " (file truncated?)" if last and problem == "fewer" else ""
        raise DataFileError(path, f"{row.actual_columns} fields, {problem} than the header's "
                            f"{len(header)}{tail}", row=line,
                            column=header[min(row.actual_columns, len(header)) - 1])
    frame = table.to_pandas(types_mapper={pyarrow.string(): pd.StringDtype()}.get)
    blank = pd.Series(True, index=frame.index)
    for name in names:
        blank &= frame[name].str.strip().eq("").astype(bool)
    frame.columns = header
    # one record per line (no publisher file here has line breaks inside values); lines the
    # invalid-row handler took out are not records of the table
    skipped = set(blank_lines)
    numbers = (n for n in range(skiprows + 2, skiprows + 2 + len(frame) + len(skipped))
               if n not in skipped)
    frame.insert(0, "source_row", [next(numbers) for _ in range(len(frame))])
    blank_lines += frame.loc[blank, "source_row"].astype(int).tolist()
    if blank_lines:
        _BLANK_LINES[_key(path)] = sorted(blank_lines)
    else:
        _BLANK_LINES.pop(_key(path), None)
    return frame.loc[~blank].reset_index(drop=True)


def to_number(frame: pd.DataFrame, column: str, path: Path | str, *,
              suppressed: frozenset[str] = SUPPRESSED, integer: bool = False) -> pd.Series:
    """Parse a text column to numbers: thousands separators removed, suppression markers to
    NaN; anything else non-numeric raises :class:`DataFileError` naming row and column."""
    text = frame[column].astype("string").str.strip().str.replace(",", "", regex=False)
    is_suppressed = text.isna() | text.isin(suppressed)
    values = pd.to_numeric(text.where(~is_suppressed), errors="coerce")
    bad = values.isna() & ~is_suppressed
    if bad.any():
        first = bad.to_numpy().nonzero()[0][0]
        row = int(frame["source_row"].iloc[first]) if "source_row" in frame else first + 2
        raise DataFileError(path, f"non-numeric value {frame[column].iloc[first]!r}",
                            row=row, column=column)
    if integer:
        if (values.dropna() % 1 != 0).any():
            first = ((values % 1 != 0) & values.notna()).to_numpy().nonzero()[0][0]
            raise DataFileError(path, f"expected a whole number, got {values.iloc[first]}",
                                row=int(frame["source_row"].iloc[first]), column=column)
        return values.astype("Int64")
    return values.astype("Float64")


def wide_to_long(frame: pd.DataFrame, id_cols: Sequence[str], value_cols: Sequence[str],
                 *, var_name: str, value_name: str) -> pd.DataFrame:
    """Melt wide year columns into a long frame, keeping ``source_row``."""
    keep = ["source_row", *id_cols]
    long = frame[keep + list(value_cols)].melt(id_vars=keep, var_name=var_name,
                                                 value_name=value_name)
    return long


def year_of(label: str) -> int | None:
    """The four-digit year at the end of a column label ("Pounds_2004" -> 2004)."""
    digits = "".join(ch for ch in str(label)[-4:] if ch.isdigit())
    return int(digits) if len(digits) == 4 else None


def save_table(cleaned: Cleaned, processed: Path, rejects_dir: Path) -> Path:
    """Write ``data/processed/<name>.parquet`` and ``rejects/<name>.csv``."""
    out = processed / f"{cleaned.name}.parquet"
    data = cleaned.data.copy()
    data.attrs = {}
    # written atomically: a kill mid-save leaves the previous file, never a truncated one
    with atomic_path(out) as tmp:
        data.to_parquet(tmp, index=False)
    with atomic_path(rejects_dir / f"{cleaned.name}.csv") as tmp:
        cleaned.rejects.to_csv(tmp, index=False)
    return out


def is_code(series: pd.Series, pattern: str) -> pd.Series:
    """Boolean mask of values matching a code ``pattern`` (a full-match regex)."""
    return series.astype("string").str.fullmatch(pattern).fillna(False).astype(bool)


def reject_duplicates(frame: pd.DataFrame, keys: list[str], values: list[str],
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reject duplicate keys, never dropping silently.

    Exact repeats (same ``values``) keep their first occurrence and reject the later ones;
    repeats with conflicting ``values`` are all rejected, since neither can be trusted.
    """
    dup = frame.duplicated(keys, keep=False)
    if not dup.any():
        return frame, frame.iloc[0:0].assign(reason=pd.Series(dtype="string"))
    grouped = frame.groupby(keys, dropna=False, sort=False)
    first = grouped["source_row"].transform("min")
    conflict = pd.Series(False, index=frame.index)
    for col in values:
        conflict |= grouped[col].transform(lambda s: s.astype("string").nunique(dropna=False)
                                           > 1).astype(bool)
    later = dup & (frame["source_row"] != first)
    bad = dup & (conflict | later)
    key_text = frame[keys].astype("string").fillna("<NA>").agg(", ".join, axis=1)
    reason = ("duplicate key (" + key_text + ") " + pd.Series(
        ["with conflicting values" if c else f"repeats row {f}" for c, f in zip(
            conflict, first, strict=True)], index=frame.index, dtype="string"))
    return split_rejects(frame, bad, reason)


def string_columns(schema: pa.DataFrameSchema) -> dict[str, str]:
    """``{column: "string"}`` for the schema's string columns (for ``DataFrame.astype``)."""
    return {name: "string" for name, col in schema.columns.items()
            if isinstance(col.dtype.type, pd.StringDtype)}


def apply_checks(frame: pd.DataFrame, checks: list[tuple[pd.Series, str | pd.Series]],
                 ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Apply ``(bad_mask, reason)`` checks in order; a row gets the first reason it fails."""
    rejected = []
    for bad, reason in checks:
        bad = bad.reindex(frame.index, fill_value=False)
        if isinstance(reason, pd.Series):
            reason = reason.reindex(frame.index)
        frame, out = split_rejects(frame, bad, reason)
        rejected.append(out)
    return frame, rejected


def blank_to_na(series: pd.Series) -> pd.Series:
    """Text with surrounding spaces stripped and empty cells as NA."""
    text = series.astype("string").str.strip()
    return text.mask(text == "")



@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
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


def read_header(path: Path) -> tuple[str, ...]:
    """A CSV's header line (plain, gzipped or zipped), names stripped; a
    :class:`DataFileError` (row 1) when it is empty, not UTF-8 or repeats a name (ignoring
    case). Only the first line is read."""
    with open_binary(Path(path)) as fh:
        line = fh.readline().removeprefix(b"\xef\xbb\xbf")
    if not line.strip():
        raise DataFileError(path, "file is empty (no header line)", row=1)
    try:
        text = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise DataFileError(path, f"header is not UTF-8 ({exc})", row=1) from exc
    names = tuple(name.strip() for name in next(csv.reader([text])))
    lowered = [n.casefold() for n in names]
    repeated = sorted({n for n in names if lowered.count(n.casefold()) > 1})
    if repeated:
        raise DataFileError(path, f"repeated column name(s) {repeated}", row=1,
                            column=repeated[0])
    return names


__all__ = [
    "SUPPRESSED", "Cleaned", "DataFileError", "apply_checks", "blank_to_na", "concat_rejects",
    "decode_text", "is_code", "open_binary", "read_csv_text", "read_header",
    "reject_duplicates", "save_table", "split_rejects", "string_columns", "take_blank_lines",
    "to_number", "wide_to_long", "year_of",
]
