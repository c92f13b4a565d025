"""Census 2011 workplace population by industry section, for MSOAs in England and Wales.

Source
------
ONS, *2011 Census: workplace population by industry* (WP605EW-style table, from NOMIS), one
row per 2011 middle layer super output area (MSOA) with the total ("All categories:
Industry") and one column per SIC 2007 section. Quirks: the first column glues code and name
("E02002559 : Darlington 001"), and sections R and S are published as one column ("R,S Arts,
entertainment and recreation; other service activities"), so there are 20 section columns,
not 21, and ``sic_section`` holds "R,S" for that column.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    Cleaned,
    DataFileError,
    apply_checks,
    concat_rejects,
    is_code,
    read_csv_text,
    reject_duplicates,
    string_columns,
    to_number,
)

AREA_COLUMN = "2011 super output area - middle layer"
TOTAL_COLUMN = "All categories: Industry"

#: The section groups the table publishes, in order (R and S are combined).
SECTIONS = ("A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
            "Q", "R,S", "T", "U")

_SECTION_HEADER = re.compile(r"^([A-U](?:,[A-U])*) (.+)$")
_MSOA = r"[EW]02\d{6}"

SCHEMA_WORKPLACE_POPULATION = pa.DataFrameSchema(
    {
        "msoa11_code": pa.Column("string", pa.Check.str_matches(f"^{_MSOA}$"),
                                 description="2011 MSOA GSS code (E02 England, W02 Wales)"),
        "msoa11_name": pa.Column("string", description="2011 MSOA name"),
        "sic_section": pa.Column("string", pa.Check.isin(list(SECTIONS)),
                                 description="SIC 2007 section letter; 'R,S' is sections R "
                                 "and S combined, as published"),
        "section_name": pa.Column("string", description="Section name as in the census "
                                  "table header"),
        "workers": pa.Column("Int64", pa.Check.ge(0), description="Usual residents aged 16+ "
                             "in employment whose workplace is in the MSOA, in the section"),
    },
    strict=True,
    unique=["msoa11_code", "sic_section"],
    description="ONS Census 2011 workplace population by SIC 2007 section, England and Wales "
    "MSOAs, long format (Crown copyright, OGL v3)",
)


def _section_columns(header: list[str], path: Path) -> dict[str, tuple[str, str]]:
    """Map each section column of the header to (section, section name); check coverage."""
    found = {}
    for col in header:
        match = _SECTION_HEADER.match(col)
        if col not in (AREA_COLUMN, TOTAL_COLUMN) and match:
            found[col] = (match.group(1), match.group(2).strip())
    sections = [s for s, _ in found.values()]
    if sorted(sections) != sorted(SECTIONS):
        missing = [s for s in SECTIONS if s not in sections]
        extra = [s for s in sections if s not in SECTIONS or sections.count(s) > 1]
        raise DataFileError(path, f"section columns do not match the census table: missing "
                            f"{missing}, unexpected or repeated {extra}", row=1,
                            column=str(missing[0] if missing else extra[0]))
    return found


def get_workplace_population(path: Path | str) -> Cleaned:
    """Census 2011 workplace population by MSOA and SIC 2007 section, in long format.

    Parameters
    ----------
    path
        CSV of the ONS Census 2011 workplace population by industry table for MSOAs, e.g.
        ``ons/census2011_workplace_population_msoa_sic_section.csv``.

    Returns
    -------
    Cleaned
        ``name="census2011_workplace_msoa"``, columns of
        :data:`SCHEMA_WORKPLACE_POPULATION`: one record per MSOA and section group.
        ``rows_in`` counts MSOA rows read; ``data.attrs["rows_kept"]`` those kept. Rows
        whose first column is not an MSOA code (totals, footnotes), whose sections do not
        sum to "All categories", with missing counts, or repeating an MSOA are rejected.

    Raises
    ------
    DataFileError
        Malformed file, missing/unexpected section columns, non-numeric counts.
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    path = Path(path)
    raw = read_csv_text(path, required=(AREA_COLUMN, TOTAL_COLUMN))
    raw_cols = list(raw.columns)
    sections = _section_columns(raw_cols, path)
    work = raw.copy()
    area = raw[AREA_COLUMN].str.strip()
    work["msoa11_code"] = area.str.split(" : ", n=1, regex=False).str[0].str.strip()
    work["msoa11_name"] = area.str.split(" : ", n=1, regex=False).str[1].str.strip()
    is_msoa = is_code(work["msoa11_code"], _MSOA)
    coded = raw.loc[is_msoa]  # counts of total/footnote rows are not parsed, only rejected
    counts = {col: to_number(coded, col, path, integer=True).reindex(raw.index)
              for col in [TOTAL_COLUMN, *sections]}
    section_sum = pd.concat([counts[c] for c in sections], axis=1).sum(axis=1, skipna=False)
    any_missing = pd.concat(list(counts.values()), axis=1).isna().any(axis=1)
    total = counts[TOTAL_COLUMN]
    work, rejected = apply_checks(work, [
        (~is_msoa, "not an MSOA code (total or footnote row?)"),
        (work["msoa11_name"].fillna("") == "", "MSOA name missing"),
        (any_missing, "missing or suppressed count: the sections cannot be checked"),
        (section_sum != total, "sections sum to " + section_sum.astype("string")
         + ", not All categories " + total.astype("string")),
    ])
    work, dups = reject_duplicates(work, ["msoa11_code"], list(sections))
    rejected.append(dups)
    long = _to_long(work, {c: counts[c] for c in sections}, sections)
    long.attrs["rows_kept"] = len(work)
    SCHEMA_WORKPLACE_POPULATION.validate(long, lazy=True)
    return Cleaned(name="census2011_workplace_msoa", data=long, rows_in=len(raw),
                   source=str(path),
                   rejects=concat_rejects(r[raw_cols + ["reason"]] for r in rejected))


def _to_long(work: pd.DataFrame, counts: dict[str, pd.Series],
             sections: dict[str, tuple[str, str]]) -> pd.DataFrame:
    parts = []
    for col, (letter, name) in sections.items():
        parts.append(pd.DataFrame({
            "msoa11_code": work["msoa11_code"], "msoa11_name": work["msoa11_name"],
            "sic_section": letter, "section_name": name,
            "workers": counts[col].loc[work.index]}))
    long = pd.concat(parts, ignore_index=True)
    order = {s: i for i, s in enumerate(SECTIONS)}
    long = long.sort_values(["msoa11_code", "sic_section"],
                            key=lambda s: s.map(order) if s.name == "sic_section" else s,
                            ignore_index=True)
    return long.astype(string_columns(SCHEMA_WORKPLACE_POPULATION))


__all__ = ["AREA_COLUMN", "SCHEMA_WORKPLACE_POPULATION", "SECTIONS", "TOTAL_COLUMN",
           "get_workplace_population"]
