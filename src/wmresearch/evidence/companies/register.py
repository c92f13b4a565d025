"""The firm register: read BasicCompanyData in memory, stream it to Parquet, filter a region.

Source: Companies House, *Free Company Data Product* (BasicCompanyData),
https://download.companieshouse.gov.uk/en_output.html.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet as pq

from wmresearch.evidence.companies.cleaning import (
    clean_block,
    lad_index,
    make_options,
    region_reasons,
)
from wmresearch.evidence.companies.reading import iter_raw_blocks, read_layout
from wmresearch.evidence.companies.schema import (
    ACTIVE_STATUSES,
    BAD_ROWS,
    DATE_DTYPE,
    FIRM_COLUMNS,
    REJECT_COLUMNS,
    SCHEMA_FIRM_REGISTER,
)
from wmresearch.evidence.io import Cleaned


@dataclass
class Tally:
    """Running row accounting: records in, kept, and rejects by kind."""

    rows_in: int = 0
    rows_kept: int = 0
    kinds: Counter = field(default_factory=Counter)

    @property
    def rows_rejected(self) -> int:
        return sum(self.kinds.values())


def _empty_register() -> pd.DataFrame:
    dtypes = {c: "str" for c in FIRM_COLUMNS}
    dtypes.update(source_row="int64", incorporation_date=DATE_DTYPE,
                  dissolution_date=DATE_DTYPE)
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "source_row" else "str")
                         for c in REJECT_COLUMNS})


def iter_basic_company_data(
    path: str | Path, *, statuses: Collection[str] | None = ACTIVE_STATUSES,
    region_lads: Collection[str] | None = None, district_lads: pd.DataFrame | None = None,
    region_postcode_districts: Collection[str] | None = None,
    region_postcode_areas: Collection[str] | None = None, chunk_rows: int = 100_000,
    bad_rows: str = "error", validate: bool = True, tally: Tally | None = None,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream a BasicCompanyData file as ``(kept, rejects)`` frames, one pair per block.

    Parameters are those of :func:`read_basic_company_data`. ``tally``, if given, is updated
    with the running row accounting. The format is recorded on each kept frame as
    ``attrs["format"]``.
    """
    path = Path(path)
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    if bad_rows not in BAD_ROWS:
        raise ValueError(f"bad_rows must be one of {BAD_ROWS}, not {bad_rows!r}")
    opts = make_options(statuses, region_postcode_districts, region_postcode_areas,
                        region_lads, district_lads)
    tally = tally if tally is not None else Tally()
    layout = read_layout(path)
    for block in iter_raw_blocks(path, layout, chunk_rows, bad_rows=bad_rows):
        kept, rejects, kinds = clean_block(block.fields, block.rows, opts)
        if validate and len(kept):
            kept = SCHEMA_FIRM_REGISTER.validate(kept, lazy=True)
        if len(block.problems):
            kinds["invalid"] += len(block.problems)
            rejects = pd.concat([rejects.astype(_empty_rejects().dtypes),
                                 block.problems.reindex(columns=REJECT_COLUMNS).astype(
                                     _empty_rejects().dtypes)], ignore_index=True)
            rejects = rejects.sort_values("source_row", kind="stable").reset_index(drop=True)
        tally.rows_in += len(block.fields) + len(block.problems)
        tally.rows_kept += len(kept)
        tally.kinds.update(kinds)
        kept.attrs["format"] = layout.fmt
        yield kept, rejects


def read_basic_company_data(
    path: str | Path, *, statuses: Collection[str] | None = ACTIVE_STATUSES,
    region_lads: Collection[str] | None = None, district_lads: pd.DataFrame | None = None,
    region_postcode_districts: Collection[str] | None = None,
    region_postcode_areas: Collection[str] | None = None, chunk_rows: int = 100_000,
    bad_rows: str = "error", validate: bool = True,
) -> Cleaned:
    """Read Companies House BasicCompanyData into a validated firm register, in memory.

    Reads the 55-column Free Company Data Product
    (https://download.companieshouse.gov.uk/en_output.html; header and field formats as in
    its data description) or the older 14-column extract, detected from the header, as
    ``.csv``, ``.csv.gz`` or a ``.zip`` holding one CSV, block by block (see
    :mod:`~wmresearch.evidence.companies.reading`). For the national file use
    :func:`ingest_basic_company_data`, which writes Parquet as it goes.

    Parameters
    ----------
    path
        The BasicCompanyData CSV (header names may carry leading spaces).
    statuses
        CompanyStatus values to keep (case-insensitive); default :data:`ACTIVE_STATUSES`;
        ``None`` keeps every status. Other rows are rejected as ``"status filter: <status>"``.
    region_lads, district_lads
        Keep only firms whose postcode district lies in one of these local authority
        districts (current LAD codes, e.g. the seven WMCA districts E08000025-E08000031),
        with ``district_lads`` from :func:`postcode_district_lads`. Outcode-level geocoding is
        approximate where an outcode straddles a district boundary. Others are rejected as
        ``"region filter: district <name> (<code>) not in region"``.
    region_postcode_districts, region_postcode_areas
        Cruder screens by postcode district (``"B1"``) or area (``"B"``; see
        :data:`WM_POSTCODE_AREAS`, which reaches beyond the combined authority).
    chunk_rows
        Records per block (memory is proportional to it).
    bad_rows
        ``"error"`` (default): a malformed row stops the read with a :class:`DataFileError`;
        ``"reject"``: it is rejected with its line and the problem. Blank lines are always
        rejected (``"blank line (no values)"``), never dropped silently.
    validate
        Validate each block against :data:`SCHEMA_FIRM_REGISTER`.

    Returns
    -------
    Cleaned
        ``name="firm_register"``; ``data`` has :data:`FIRM_COLUMNS` (``source_row`` is the
        record's 1-based line, header = 1); ``rejects`` has :data:`REJECT_COLUMNS`, and
        ``rows_in == rows_kept + rows_rejected``. ``data.attrs`` holds ``format`` and
        ``reject_counts`` (``invalid``, ``duplicate``, ``status filter``, ``region filter``).

    Raises
    ------
    DataFileError
        Missing required column, ragged row, malformed quoting or non-UTF-8 bytes, naming
        the file, the 1-based line and the column.
    """
    path = Path(path)
    tally = Tally()
    kept_parts, reject_parts = [], []
    for kept, rejects in iter_basic_company_data(
            path, statuses=statuses, region_lads=region_lads, district_lads=district_lads,
            region_postcode_districts=region_postcode_districts,
            region_postcode_areas=region_postcode_areas, chunk_rows=chunk_rows,
            bad_rows=bad_rows, validate=validate, tally=tally):
        kept_parts.append(kept)
        if len(rejects):
            reject_parts.append(rejects)
    data = (pd.concat(kept_parts, ignore_index=True) if kept_parts else _empty_register())
    data.attrs = {"format": read_layout(path).fmt, "reject_counts": dict(tally.kinds)}
    rejects = (pd.concat(reject_parts, ignore_index=True) if reject_parts
               else _empty_rejects())
    return Cleaned("firm_register", data, tally.rows_in, rejects, str(path))


def filter_to_region(firms: Cleaned, lad_codes: Collection[str],
                     district_lads: pd.DataFrame) -> Cleaned:
    """Keep the firms whose postcode district lies in one of ``lad_codes``.

    Each firm's postcode district (outcode) is geocoded to a local authority district with
    ``district_lads`` (:func:`postcode_district_lads`); approximate where an outcode straddles
    a district boundary. Firms elsewhere move to the rejects with reason ``"region filter:
    district <name> (<code>) not in region"`` (or why the district is unknown), so the row
    accounting of ``firms`` still balances.
    """
    if isinstance(lad_codes, str):
        raise TypeError("lad_codes takes a collection of LAD codes, not a single string")
    data = firms.data
    reason = region_reasons(data["postcode_district"], frozenset(lad_codes),
                            lad_index(district_lads))
    out = reason.notna().to_numpy(dtype=bool)
    moved = pd.DataFrame({c: data.loc[out, c].to_numpy() for c in REJECT_COLUMNS[:-1]})
    moved["reason"] = reason[out].to_numpy()
    rejects = pd.concat([firms.rejects, moved], ignore_index=True).sort_values(
        "source_row", kind="stable").reset_index(drop=True)
    kept = data.loc[~out].reset_index(drop=True)
    counts = dict(data.attrs.get("reject_counts", {}))
    counts["region filter"] = counts.get("region filter", 0) + int(out.sum())
    kept.attrs = {**data.attrs, "reject_counts": counts}
    kept.attrs.pop("rows_kept", None)
    return Cleaned(firms.name, kept, firms.rows_in, rejects, firms.source)


def _arrow_schema(frame: pd.DataFrame) -> pyarrow.Schema:
    return pyarrow.Schema.from_pandas(frame, preserve_index=False).remove_metadata()


def ingest_basic_company_data(
    path: str | Path, out_parquet: str | Path, *, rejects_parquet: str | Path | None = None,
    statuses: Collection[str] | None = ACTIVE_STATUSES,
    region_lads: Collection[str] | None = None, district_lads: pd.DataFrame | None = None,
    region_postcode_districts: Collection[str] | None = None,
    region_postcode_areas: Collection[str] | None = None, chunk_rows: int = 100_000,
    bad_rows: str = "error", validate: bool = True, compression: str = "zstd",
) -> dict[str, int | float | str]:
    """Stream BasicCompanyData to a Parquet firm register with bounded memory.

    The same cleaning as :func:`read_basic_company_data`
    (https://download.companieshouse.gov.uk/en_output.html), but each block is written to
    ``out_parquet`` (one row group per block) and its rejects to ``rejects_parquet`` as soon
    as it is cleaned, so memory stays at a few blocks whatever the file size (~2.5 GB and
    ~5 million rows for the national file). Both files are written to a temporary name in
    the same folder and moved into place with :func:`os.replace` when complete, so a failed
    run leaves no partial output.

    Parameters
    ----------
    path, statuses, region_lads, district_lads, region_postcode_districts, \
region_postcode_areas, chunk_rows, bad_rows, validate
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
    tally = Tally()
    started = time.perf_counter()
    fmt = read_layout(path).fmt
    out_schema, rej_schema = _arrow_schema(_empty_register()), _arrow_schema(_empty_rejects())
    try:
        with pq.ParquetWriter(tmp_out, out_schema, compression=compression) as out_writer, \
                pq.ParquetWriter(tmp_rej, rej_schema, compression=compression) as rej_writer:
            for kept, rejects in iter_basic_company_data(
                    path, statuses=statuses, region_lads=region_lads,
                    district_lads=district_lads,
                    region_postcode_districts=region_postcode_districts,
                    region_postcode_areas=region_postcode_areas, chunk_rows=chunk_rows,
                    bad_rows=bad_rows, validate=validate, tally=tally):
                kept.attrs = {}
                if len(kept):
                    out_writer.write_table(pyarrow.Table.from_pandas(
                        kept, schema=out_schema, preserve_index=False))
                if len(rejects):
                    rej_writer.write_table(pyarrow.Table.from_pandas(
                        rejects, schema=rej_schema, preserve_index=False))
        if tally.rows_in != tally.rows_kept + tally.rows_rejected:
            raise AssertionError(f"{path}: row accounting does not balance: {tally.rows_in} in"
                                 f" != {tally.rows_kept} kept + {tally.rows_rejected} rejected")
        os.replace(tmp_out, out)
        os.replace(tmp_rej, rej)
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

