"""The SQL of the firm-location join: file layouts, the query and the reasons a row is left out.

Sources: Companies House, *Free Company Data Product* (BasicCompanyData),
https://download.companieshouse.gov.uk/en_output.html, and ONS, *ONS Postcode Directory
(ONSPD) user guide* (ONS Open Geography Portal, quarterly). The ONSPD has carried two sets of
column names: up to 2024 ``pcd, pcd2, pcds, dointr, doterm, oscty, ced, oslaua, ..., oseast1m,
osnrth1m, osgrdind, ..., lat, long, ...`` (the National Statistics Postcode Lookup names the
district ``laua``), and from 2025 ``pcd7, pcd8, pcds, dointr, doterm, usrtypind, east1m,
north1m, gridind, ..., lad25cd, ..., lat, long, ...`` (the district column carries the year of
its boundaries). Both are recognised from the header, whatever the case of the names.

User-guide facts the query relies on: ``pcds`` is the postcode in its variable-length form
(outward code, one space, inward code); ``doterm`` is the year and month a postcode was
terminated, blank while it is live (terminated postcodes keep their last grid reference);
a postcode without a grid reference has blank ``oseast1m``/``osnrth1m``, ``lat`` 99.999999,
``long`` 0.000000 and positional quality indicator ``osgrdind`` 9; grid references in
Northern Ireland are on the Irish Grid (EPSG:29903), elsewhere on the British National Grid
(EPSG:27700).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from wmresearch.evidence.io import DataFileError, read_header
from wmresearch.files import atomic_path

#: BasicCompanyData fields the join reads (header names stripped of their leading spaces).
COMPANY_FIELDS = ("CompanyName", "CompanyNumber", "RegAddress.PostCode", "CompanyStatus",
                  "SICCode.SicText_1", "SICCode.SicText_2", "SICCode.SicText_3",
                  "SICCode.SicText_4")
#: ONSPD role -> accepted column names (first found wins; compared without case).
ONSPD_ROLES: dict[str, tuple[str, ...]] = {
    "postcode": ("pcds",), "terminated": ("doterm",), "latitude": ("lat",),
    "longitude": ("long",), "easting": ("oseast1m", "east1m"),
    "northing": ("osnrth1m", "north1m"), "district": ("oslaua", "laua"),
    "quality": ("osgrdind", "gridind"),
}
_DISTRICT_YEAR = re.compile(r"lad\d\dcd")
#: A UK postcode without its space (ONSPD user guide: outward code of area letters, district
#: digit(s) and an optional letter or digit; inward code of a digit and two letters).
POSTCODE_KEY = "[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}"
DISTRICT_CODE = re.compile(r"[A-Z][0-9]{8}")

#: Reason codes of the query, in the order they are tested (a row gets the first that holds).
NOT_LIVE, NO_POSTCODE, NOT_IN_ONSPD, NO_GRID, OUTSIDE = 1, 2, 3, 4, 5
#: Rejects listed company by company (data problems); the others are filters, only counted.
LISTED = (NO_POSTCODE, NOT_IN_ONSPD, NO_GRID)


def reason_labels(statuses: Collection[str]) -> dict[int, str]:
    """Plain-English reason of each code, as a report prints it."""
    return {
        NOT_LIVE: f"not live (status other than {' or '.join(statuses)})",
        NO_POSTCODE: "no postcode (blank, or not a UK postcode)",
        NOT_IN_ONSPD: "postcode not in the ONS Postcode Directory",
        NO_GRID: "postcode without a grid reference in the ONS Postcode Directory",
        OUTSIDE: "registered office outside the study area",
    }


@dataclass(frozen=True)
class CsvLayout:
    """A CSV's column names (as DuckDB will name them) and the column of each role."""

    path: Path
    names: tuple[str, ...]
    roles: dict[str, str | None]


def company_layout(path: Path) -> CsvLayout:
    """Check a BasicCompanyData header (55-column product or 14-column extract)."""
    names = read_header(path)
    missing = [f for f in COMPANY_FIELDS if f not in names]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing} of Companies House "
                            f"BasicCompanyData; the header has {list(names)}", row=1,
                            column=missing[0])
    return CsvLayout(path, names, {f: f for f in COMPANY_FIELDS})


def onspd_layout(path: Path, optional: Collection[str] = ("quality",)) -> CsvLayout:
    """Check an ONS Postcode Directory header and find the column of each role (roles in
    ``optional`` may be absent; their column is then ``None``)."""
    names = read_header(path)
    by_lower = {n.casefold(): n for n in names}
    roles: dict[str, str | None] = {}
    for role, candidates in ONSPD_ROLES.items():
        roles[role] = next((by_lower[c] for c in candidates if c in by_lower), None)
    if roles["district"] is None:
        roles["district"] = next((n for n in names if _DISTRICT_YEAR.fullmatch(n.casefold())),
                                 None)
    missing = [ONSPD_ROLES[r][0] for r, name in roles.items() if name is None
               and r not in optional]
    if missing:
        raise DataFileError(path, f"missing column(s) {missing} of the ONS Postcode Directory "
                            f"(or their 2025 names); the header has {list(names)}", row=1,
                            column=missing[0])
    return CsvLayout(path, names, roles)


def extract_csv(archive: Path, folder: Path) -> Path:
    """The largest CSV in a zip (the national file, not the per-area ``multi_csv`` parts of
    the ONSPD), extracted into ``folder`` once: an extracted copy of the same size is reused.
    """
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if m.filename.lower().endswith(".csv")]
            if not members:
                raise DataFileError(archive, "the zip holds no .csv file")
            member = max(members, key=lambda m: m.file_size)
            target = folder / Path(member.filename).name
            if target.is_file() and target.stat().st_size == member.file_size:
                return target
            with atomic_path(target) as tmp, zf.open(member) as src, tmp.open("wb") as out:
                while block := src.read(1 << 24):
                    out.write(block)
    except zipfile.BadZipFile as exc:
        raise DataFileError(archive, f"not a readable zip ({exc})") from exc
    return target


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_csv_sql(layout: CsvLayout, types: dict[str, str], *, rejects: bool = False) -> str:
    """DuckDB ``read_csv`` of the whole file, every column named from the header; strict
    quoting (a quote inside a value must be doubled), no padding of short rows."""
    columns = ", ".join(f"{_literal(n)}: {_literal(types.get(n, 'VARCHAR'))}"
                        for n in layout.names)
    extra = ", store_rejects = true" if rejects else ""
    return (f"read_csv({_literal(str(layout.path))}, header = true, auto_detect = false, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
            f"null_padding = false, columns = {{{columns}}}{extra})")


def onspd_types(layout: CsvLayout) -> dict[str, str]:
    """Typed ONSPD columns: coordinates as DOUBLE, the quality indicator as INTEGER."""
    out = {layout.roles[r]: "DOUBLE" for r in ("latitude", "longitude", "easting", "northing")}
    if layout.roles["quality"]:
        out[layout.roles["quality"]] = "INTEGER"
    return {k: v for k, v in out.items() if k}


def postcode_key(column: str) -> str:
    """A postcode without spaces or punctuation, upper case (``'b1 1aa'`` -> ``'B11AA'``);
    the regular expression runs only on the rare values holding punctuation."""
    return (f"CASE WHEN regexp_matches({column}, '[^A-Za-z0-9 ]') THEN "
            f"regexp_replace(upper({column}), '[^A-Z0-9]', '', 'g') "
            f"ELSE upper(replace({column}, ' ', '')) END")


def sic_class(column: str) -> str:
    """The 5-digit SIC 2007 class of a ``"<code> - <description>"`` field, else NULL
    (``"None Supplied"``, a blank, a 4-digit SIC 2003 code)."""
    return f"CASE WHEN regexp_matches({column}, '^[0-9]{{5}}(\\s*-|$)') THEN {column}[1:5] END"


def join_sql(companies: CsvLayout, onspd: CsvLayout, statuses: Collection[str],
             districts: Collection[str] | None, where: str = "reason IS NULL",
             read: str | None = None) -> str:
    """One row per company joined for which ``where`` holds: its fields, its geocode and
    ``reason`` (NULL when the company is kept, else the first code of :data:`NOT_LIVE` ..
    :data:`OUTSIDE`). ``reason`` is decided in an inner query from the raw fields, so the
    outer columns (SIC classes) are computed only for the rows ``where`` lets through.
    ``read`` names a function of one BOOLEAN returning it unchanged, applied to each company
    as it is read, before the join (a counter: a postcode the ONSPD repeats would join a
    company twice)."""
    if not statuses or isinstance(statuses, str):
        raise ValueError("statuses must be a collection of CompanyStatus values")
    r = {role: _ident(name) if name else None for role, name in onspd.roles.items()}
    c = {f: f"c.{_ident(f)}" for f in COMPANY_FIELDS}
    key = postcode_key(c["RegAddress.PostCode"])
    kept = ", ".join(_literal(s) for s in statuses)
    # each postcode's reason is decided once, on the ONSPD side, and the postcode itself is
    # rebuilt from the key (pcds has one space before the inward code): a narrower hash table
    no_grid = (f"{r['easting']} IS NULL OR {r['northing']} IS NULL OR {r['latitude']} >= 99.9"
               + (f" OR {r['quality']} = 9" if r["quality"] else ""))
    outside = ""
    if districts is not None:
        bad = [d for d in districts if not DISTRICT_CODE.fullmatch(str(d))]
        if bad or isinstance(districts, str):
            raise ValueError(f"district codes must look like E08000025, got {bad or districts}")
        listed = ", ".join(_literal(d) for d in sorted(set(districts)))
        inside = f"{r['district']} IN ({listed})" if listed else "false"  # none: none in
        outside = f"WHEN {r['district']} IS NULL OR NOT ({inside}) THEN {OUTSIDE}"
    quality = r["quality"] or "NULL::INTEGER"
    onspd_rows = (
        f"SELECT replace({r['postcode']}, ' ', '') AS key, "
        f"coalesce({r['terminated']}, '') <> '' AS terminated, {r['easting']} AS easting, "
        f"{r['northing']} AS northing, {r['latitude']} AS latitude, "
        f"{r['longitude']} AS longitude, {r['district']} AS district, {quality} AS quality, "
        f"CASE WHEN {no_grid} THEN {NO_GRID} {outside} END::TINYINT AS code "
        f"FROM {read_csv_sql(onspd, onspd_types(onspd))}")
    no_status = f"{c['CompanyStatus']} IS NULL"
    companies_rows = (f"SELECT *, {read}({no_status}) AS no_status" if read else
                      f"SELECT *, {no_status} AS no_status")
    sics = ", ".join(f"{sic_class(f'j.sic_{i}')} AS sic_code_{i}" for i in range(1, 5))
    raw_sics = ", ".join(f"{c[f'SICCode.SicText_{i}']} AS sic_{i}" for i in range(1, 5))
    return f"""
        SELECT j.firm_id, j.company_name, j.status, j.postcode_given,
            left(j.key, length(j.key) - 3) || ' ' || right(j.key, 3) AS postcode, {sics},
            j.lad_code, j.easting, j.northing, j.latitude, j.longitude,
            j.terminated AS postcode_terminated, j.grid_quality, j.reason
        FROM (
            SELECT {c['CompanyNumber']} AS firm_id, {c['CompanyName']} AS company_name,
                {c['CompanyStatus']} AS status, {c['RegAddress.PostCode']} AS postcode_given,
                o.key, {raw_sics}, o.district AS lad_code, o.easting, o.northing,
                o.latitude, o.longitude, o.terminated, o.quality AS grid_quality,
                CASE WHEN c.no_status OR {c['CompanyStatus']} NOT IN ({kept}) THEN {NOT_LIVE}
                     WHEN o.key IS NULL THEN
                          CASE WHEN regexp_full_match(coalesce({key}, ''), '{POSTCODE_KEY}')
                               THEN {NOT_IN_ONSPD} ELSE {NO_POSTCODE} END
                     ELSE o.code
                END::TINYINT AS reason
            FROM ({companies_rows} FROM {read_csv_sql(companies, {})} AS c) AS c
            LEFT JOIN ({onspd_rows}) AS o ON {key} = o.key) AS j
        WHERE {where}"""
