"""Cleaning BasicCompanyData records: validation, filters and rejects, block by block.

A well-formed row that cannot be used is *rejected* (kept in the rejects with a ``reason``):
an invalid company number, a blank company name, an incorporation or dissolution date that
is not a real ``dd/mm/yyyy`` date (a garbled date means the row's fields cannot be trusted),
a repeated company number (only the first occurrence is kept). Rows filtered out by status or
region are rejected the same way (``"status filter: <status>"``, ``"region filter: ..."``),
so ``rows_in == rows_kept + rows_rejected`` always holds. Unusable values inside a kept row
are blanked and flagged instead: a postcode that is not a UK postcode gives NA, SIC text that
is not a 5-digit SIC 2007 code gives an NA code and ``sic_issue`` says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from wmresearch.evidence.companies.schema import (
    COMPANY_NUMBER,
    DATE_DTYPE,
    DATE_FIELDS,
    OUTCODE,
    POSTCODE,
    SIC_FIELDS,
    SIC_PATTERN,
    first_valid,
)


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
    (foreign postcodes, ``"XXX"``) gives NA for both. The pattern is the UK postcode format
    (outward code: area letters, district digit(s), optional letter/digit; inward code: digit
    and two letters), as in the ONS Postcode Directory user guide.

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


def parse_dates(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse ``dd/mm/yyyy`` dates (the product's format) with
    ``pd.to_datetime(format="%d/%m/%Y", errors="coerce")``.

    Returns
    -------
    tuple
        ``datetime64[ms]`` values (NaT when blank or unparsable) and a mask of values that
        are not blank but not a real date (``31/02/2020``, ``2020-01-01``).
    """
    text = text.str.strip()
    values = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce").astype(DATE_DTYPE)
    bad = (text != "").to_numpy(dtype=bool) & values.isna().to_numpy(dtype=bool)
    return values.reset_index(drop=True), bad


def _company_numbers(raw: pd.Series) -> pd.Series:
    """Upper-case, strip and left-pad all-digit numbers that lost their leading zeros (a
    spreadsheet round trip turns 00012345 into 12345)."""
    number = raw.str.strip().str.upper()
    short_digits = number.str.fullmatch(r"\d{1,7}").fillna(False).astype(bool)
    return number.where(~short_digits, number.str.zfill(8))


def _pack(numbers: pd.Series) -> np.ndarray:
    """8-character ASCII company numbers as unsigned 64-bit integers: de-duplicating integers
    against every earlier block is much cheaper than a set of Python strings."""
    return np.asarray(numbers.to_numpy(dtype=object).astype("S8")).view(">u8").astype(
        np.uint64)


@dataclass
class Options:
    """Filters, and the company numbers kept so far (to reject later repeats)."""

    statuses: frozenset[str] | None
    districts: frozenset[str] | None
    areas: frozenset[str] | None
    lads: frozenset[str] | None = None
    district_lads: pd.DataFrame | None = None
    seen: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))


def make_options(statuses: Collection[str] | None,
                 region_postcode_districts: Collection[str] | None,
                 region_postcode_areas: Collection[str] | None,
                 region_lads: Collection[str] | None = None,
                 district_lads: pd.DataFrame | None = None) -> Options:
    """Check and normalise the filter arguments of the readers."""
    for name, value in (("statuses", statuses), ("region_postcode_districts",
                                                 region_postcode_districts),
                        ("region_postcode_areas", region_postcode_areas),
                        ("region_lads", region_lads)):
        if isinstance(value, str):
            raise TypeError(f"{name} takes a collection of strings, not a single string")
    if region_lads is not None and district_lads is None:
        raise ValueError("region_lads needs district_lads (see postcode_district_lads)")
    return Options(
        statuses=None if statuses is None else frozenset(s.strip().casefold()
                                                         for s in statuses),
        districts=None if region_postcode_districts is None else frozenset(
            d.strip().upper().replace(" ", "") for d in region_postcode_districts),
        areas=None if region_postcode_areas is None else frozenset(
            a.strip().upper() for a in region_postcode_areas),
        lads=None if region_lads is None else frozenset(c.strip() for c in region_lads),
        district_lads=None if district_lads is None else lad_index(district_lads),
    )


def lad_index(district_lads: pd.DataFrame) -> pd.DataFrame:
    """``district_lads`` indexed by postcode district (checked: columns, no repeats)."""
    missing = {"postcode_district", "lad_code", "lad_name"} - set(district_lads)
    if missing:
        raise ValueError(f"district_lads lacks column(s) {sorted(missing)}")
    index = district_lads.set_index("postcode_district")[["lad_code", "lad_name"]]
    if index.index.duplicated().any():
        repeated = index.index[index.index.duplicated()][0]
        raise ValueError(f"district_lads repeats postcode district {repeated!r}")
    return index


def region_reasons(district: pd.Series, lad_codes: frozenset[str],
                   district_lads: pd.DataFrame) -> pd.Series:
    """Reject reason for each firm outside the region's districts (NA for firms inside).

    ``district_lads`` is indexed by postcode district, with ``lad_code`` and ``lad_name``.
    """
    code = district.map(district_lads["lad_code"])
    name = district.map(district_lads["lad_name"])
    reason = ("region filter: district " + name.fillna("?") + " ("
              + code.fillna("no LAD code") + ") not in region")
    reason = reason.where(name.notna() | code.notna(),
                          "region filter: postcode district " + district
                          + " not in the postcode district list")
    reason = reason.fillna("region filter: no UK postcode district")
    return reason.where(~code.isin(lad_codes).to_numpy(dtype=bool)).astype("str")


def _fill(reason: pd.Series, kind: pd.Series, mask: np.ndarray, text: pd.Series | str,
          label: str) -> None:
    """Give rows in ``mask`` that have no reason yet this reason (first reason wins)."""
    hit = mask & reason.isna().to_numpy()
    if hit.any():
        reason[hit] = text[hit] if isinstance(text, pd.Series) else text
        kind[hit] = label


def _duplicates(number: pd.Series, reason: pd.Series, kind: pd.Series, opts: Options) -> None:
    """Reject repeats within the block and of numbers kept in earlier blocks."""
    candidates = np.flatnonzero(reason.isna().to_numpy())
    if not len(candidates):
        return
    packed = _pack(number.iloc[candidates])
    _, first = np.unique(packed, return_index=True)
    repeat = np.ones(len(packed), dtype=bool)
    repeat[first] = False
    if len(opts.seen):
        pos = np.searchsorted(opts.seen, packed).clip(max=len(opts.seen) - 1)
        repeat |= opts.seen[pos] == packed
    dup = np.zeros(len(number), dtype=bool)
    dup[candidates[repeat]] = True
    _fill(reason, kind, dup, "duplicate CompanyNumber " + number + " (repeats an earlier row)",
          "duplicate")
    opts.seen = np.sort(np.concatenate([opts.seen, np.unique(packed[~repeat])]))


def _region(places: pd.DataFrame, reason: pd.Series, kind: pd.Series, opts: Options) -> None:
    district = places["postcode_district"]
    if opts.lads is not None and opts.district_lads is not None:
        text = region_reasons(district, opts.lads, opts.district_lads)
        _fill(reason, kind, text.notna().to_numpy(dtype=bool), text, "region filter")
    if opts.districts is not None or opts.areas is not None:
        inside = np.zeros(len(district), dtype=bool)
        if opts.districts is not None:
            inside |= district.isin(opts.districts).to_numpy(dtype=bool)
        if opts.areas is not None:
            area = district.str.replace(r"\d.*$", "", regex=True)
            inside |= area.isin(opts.areas).to_numpy(dtype=bool)
        text = ("region filter: postcode district " + district + " outside the region"
                ).fillna("region filter: no UK postcode district")
        _fill(reason, kind, ~inside, text, "region filter")


def _sic(raw: pd.DataFrame) -> pd.DataFrame:
    """SIC 2007 codes, the first valid one, the first description and why none is valid."""
    codes, texts = {}, {}
    description_1 = None
    for i, source in enumerate(SIC_FIELDS, start=1):
        texts[i] = raw[source].str.strip()
        parts = _extract(texts[i], SIC_PATTERN)
        codes[i] = parts["code"]
        if i == 1:
            description_1 = parts["description"].str.strip().replace("", np.nan).astype("str")
    primary = first_valid(list(codes.values())).astype("str")
    first_text = first_valid([t.replace("", np.nan) for t in texts.values()])
    issue = pd.Series(np.nan, index=raw.index, dtype="str")
    none = primary.isna()
    issue[none & first_text.isna()] = "no SIC given"
    supplied = none & first_text.notna()
    none_supplied = supplied & (first_text.str.casefold() == "none supplied")
    issue[none_supplied] = "None Supplied"
    other = supplied & ~none_supplied
    issue[other] = "not a 5-digit SIC 2007 code: '" + first_text[other] + "'"
    return pd.DataFrame({**{f"sic_code_{i}": codes[i] for i in codes},
                         "sic_description_1": description_1.where(codes[1].notna()).astype(
                             "str"),
                         "primary_sic": primary, "sic_issue": issue})


def clean_block(raw: pd.DataFrame, rows: np.ndarray,
                opts: Options) -> tuple[pd.DataFrame, pd.DataFrame, Counter]:
    """Clean one block of records (needed fields as strings, ``rows`` their lines).

    Returns the kept firms (:data:`FIRM_COLUMNS`), the rejects (:data:`REJECT_COLUMNS`) and
    the count of rejects by kind."""
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
            dates[column], bad = parse_dates(raw[source])
            _fill(reason, kind, bad, f"unparsable {source} '" + raw[source] +
                  "' (expected a real dd/mm/yyyy date)", "invalid")
        else:
            dates[column] = pd.Series(pd.NaT, index=raw.index, dtype=DATE_DTYPE)

    _duplicates(number, reason, kind, opts)
    status = raw["CompanyStatus"].str.strip()
    if opts.statuses is not None:
        wanted = status.str.casefold().isin(opts.statuses).to_numpy(dtype=bool)
        _fill(reason, kind, ~wanted,
              "status filter: " + status.where(status != "", "(blank)"), "status filter")
    places = normalise_postcodes(raw["RegAddress.PostCode"])
    _region(places, reason, kind, opts)

    out = pd.DataFrame({
        "source_row": rows,
        "company_number": number.astype("str"),
        "company_name": name.astype("str"),
        "category": raw["CompanyCategory"].str.strip().replace("", np.nan).astype("str"),
        "status": status.replace("", np.nan).astype("str"),
        **dates,
        "postcode": places["postcode"],
        "postcode_district": places["postcode_district"],
        **_sic(raw),
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
