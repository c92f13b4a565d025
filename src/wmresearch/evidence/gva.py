"""Regional gross value added (balanced) by industry for ITL3 areas: ONS Table 3c.

Sources
-------
* ONS, "Regional gross value added (balanced) by industry: all ITL regions", Table 3c
  (ITL3, current prices, £ million), 1998-2022:
  https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/nominalandrealregionalgrossvalueaddedbalancedbyindustry
  (``ons/regional_gva_itl3_industry_current_prices_1998_2022.csv``).

GVA per hour worked by ITL area (Table A4) is in :mod:`wmresearch.evidence.gva_hour`, the
ITL code helpers shared by both tables in :mod:`wmresearch.evidence.gva_itl`; both are
re-exported here.

Industry levels in Table 3c
---------------------------
The ``SIC07 code`` column mixes five levels of the ONS regional-accounts industry hierarchy;
``industry_level`` is inferred from the code alone:

``total``
    ``Total`` (all industries).
``broad``
    ``A-E`` (production) and ``G-T`` (services). Construction (``F``) has no broad row, so
    the broad rows do *not* sum to the total; use sections for that.
``section``
    A SIC 2007 section or a published combination of whole sections, with its divisions in
    brackets: ``AB (1-9)``, ``C (10-33)``, ``DE (35-39)``, ``F (41-43)`` ... ``T (97-98)``.
    Sections sum to the total.
``subsection``
    A lettered group whose divisions are a strict part of a section: the manufacturing
    subsections ``CA (10-12)`` ... ``CM (31-33)``, including combinations such as
    ``CD-CG (19-23)``.
``division``
    SIC 2007 divisions or ranges of them without a letter: ``41``, ``49-51``, ``68``; and
    ``68IMP`` (owner-occupiers' imputed rental, the part of division 68 that ONS shows
    separately).

A lettered code is a section when its division range starts at the first division of a
section and ends at the last division of a section (SIC 2007 section ranges below), and a
subsection otherwise. ``sic07_code`` is the code without the bracketed divisions (``C``,
``CA``, ``CD-CG``) and ``sic07_divisions`` holds the bracketed range (``10-33``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.gva_hour import (
    SCHEMA_GVA_PER_HOUR_ITL,
    get_gva_per_hour_itl,
)
from wmresearch.evidence.gva_itl import (
    ITL_ANY,
    ITL_CODE,
    ITL_PATTERNS,
    REGION_NAME,
    duplicate_split,
    footnote_mask,
    is_blank,
    itl3_in_itl2,
    itl_level_of,
    parse_values,
    reject_frame,
    strip_columns,
    to_long,
    year_columns,
)
from wmresearch.evidence.io import Cleaned, read_csv_text, split_rejects

SIC_CODE = "SIC07 code"
SIC_DESC = "SIC07 description"
INDUSTRY_ID_COLS = (ITL_CODE, REGION_NAME, SIC_CODE, SIC_DESC)
INDUSTRY_LEVELS = ("total", "broad", "section", "subsection", "division")

#: SIC 2007 sections and their first and last divisions (ONS, UK SIC 2007 structure).
SIC07_SECTION_DIVISIONS: dict[str, tuple[int, int]] = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66),
    "L": (68, 68), "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85),
    "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98), "U": (99, 99),
}
_SECTION_STARTS = {first for first, _ in SIC07_SECTION_DIVISIONS.values()}
_SECTION_ENDS = {last for _, last in SIC07_SECTION_DIVISIONS.values()}
_BROAD = re.compile(r"[A-U]-[A-U]")
_LETTERED = re.compile(r"(?P<code>[A-U]{1,2}(?:-[A-U]{1,2})?) "
                       r"\((?P<first>\d{1,2})(?:-(?P<last>\d{1,2}))?\)")
_DIVISION = re.compile(r"\d{2}(?:-\d{2})?(?:IMP)?")


# --------------------------------------------------------------------------- schemas

SCHEMA_GVA_ITL3_INDUSTRY = pa.DataFrameSchema(
    {
        "itl_code": pa.Column(str, pa.Check.str_matches(ITL_ANY),
                              description="ITL (2021) code of the area, e.g. TLG31"),
        "itl_name": pa.Column(str, pa.Check.str_length(min_value=1),
                              description="Area name as published ('Region name')"),
        "itl_level": pa.Column(str, pa.Check.isin(list(ITL_PATTERNS)),
                               description="ITL1, ITL2 or ITL3, derived from the code length"),
        "sic07_code": pa.Column(str, pa.Check.str_length(min_value=1),
                                description="Industry code without its bracketed divisions: "
                                            "Total, A-E, C, CA, CD-CG, 41, 68IMP ..."),
        "sic07_divisions": pa.Column(str, pa.Check.str_matches(r"\d{1,2}(?:-\d{1,2})?"),
                                     nullable=True,
                                     description="SIC 2007 divisions in brackets after a "
                                                 "lettered code (e.g. 10-33); null otherwise"),
        "sic07_description": pa.Column(str, pa.Check.str_length(min_value=1),
                                       description="Industry name as published"),
        "industry_level": pa.Column(str, pa.Check.isin(list(INDUSTRY_LEVELS)),
                                    description="total, broad (A-E, G-T), section, "
                                                "subsection or division (see module notes)"),
        "year": pa.Column("Int64", pa.Check.in_range(1995, 2100), description="Calendar year"),
        "gva_gbp_m": pa.Column("Float64", nullable=True,
                               description="GVA (balanced), current basic prices, £ million "
                                           "(rounded as published); null where suppressed"),
        "suppressed": pa.Column(bool, description="True where the published cell was a "
                                                  "suppression/unavailable marker or empty"),
    },
    checks=[pa.Check(lambda d: d["suppressed"] == d["gva_gbp_m"].isna(),
                     error="suppressed must be True exactly where gva_gbp_m is null")],
    strict=True,
    unique=["itl_code", "sic07_code", "year"],
    description="ONS regional GVA (balanced) by industry, Table 3c: ITL3 areas x SIC 2007 "
                "industry groups x year, current prices £ million, long format.",
)


def parse_sic07_label(label: str) -> tuple[str, str | None, str] | None:
    """Split a Table 3c industry label into (code, divisions, industry level).

    ``"C (10-33)"`` -> ``("C", "10-33", "section")``; ``"CA (10-12)"`` ->
    ``("CA", "10-12", "subsection")``; ``"A-E"`` -> ``("A-E", None, "broad")``;
    ``"49-51"`` -> ``("49-51", None, "division")``. None for an unrecognised label.
    """
    label = label.strip()
    if label == "Total":
        return label, None, "total"
    if _BROAD.fullmatch(label):
        return label, None, "broad"
    if _DIVISION.fullmatch(label):
        return label, None, "division"
    match = _LETTERED.fullmatch(label)
    if match is None:
        return None
    first = int(match["first"])
    last = int(match["last"] or first)
    whole = first in _SECTION_STARTS and last in _SECTION_ENDS
    divisions = match["first"] + (f"-{match['last']}" if match["last"] else "")
    return match["code"], divisions, "section" if whole else "subsection"


# --------------------------------------------------------------------------- getters

def _industry_columns(labels: pd.Series) -> pd.DataFrame:
    """sic07_code, sic07_divisions and industry_level for each (recognised) label."""
    unique = pd.unique(labels)
    table = pd.DataFrame([parse_sic07_label(label) for label in unique],
                         columns=["sic07_code", "sic07_divisions", "industry_level"],
                         index=unique).astype(str)
    return table.reindex(labels.to_numpy()).set_axis(labels.index)


def _industry_rejects(raw: pd.DataFrame, year_cols: Sequence[str]
                      ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    rejects = []
    kept, bad = split_rejects(raw, footnote_mask(raw, [*INDUSTRY_ID_COLS, *year_cols]),
                              "footnote or note row (text in the first column only)")
    rejects.append(bad)
    for column in (ITL_CODE, SIC_CODE):
        kept, bad = split_rejects(kept, is_blank(kept[column]), f"blank {column}")
        rejects.append(bad)
    kept, bad = split_rejects(kept, itl_level_of(kept[ITL_CODE]).isna(),
                              "not an ITL1/ITL2/ITL3 code")
    rejects.append(bad)
    parsed = kept[SIC_CODE].map(parse_sic07_label)
    kept, bad = split_rejects(kept, parsed.isna(), "unrecognised SIC07 code")
    rejects.append(bad)
    kept, bad = duplicate_split(kept, [ITL_CODE, SIC_CODE])
    rejects.append(bad)
    return kept, rejects


def get_gva_by_industry(path: Path | str) -> Cleaned:
    """Tidy ONS regional GVA (balanced) by industry, Table 3c (ITL3, current prices).

    Source: ONS, "Regional gross value added (balanced) by industry: all ITL regions",
    https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/nominalandrealregionalgrossvalueaddedbalancedbyindustry
    (Table 3c, saved as CSV: BOM, thousands separators, one column per year).

    Parameters
    ----------
    path
        The CSV with columns "ITL code", "Region name", "SIC07 code", "SIC07 description"
        and four-digit year columns.

    Returns
    -------
    Cleaned
        ``gva_itl3_industry``: one row per area, industry and year with columns
        itl_code, itl_name, itl_level, sic07_code, sic07_divisions, sic07_description,
        industry_level, year, gva_gbp_m, suppressed (see :data:`SCHEMA_GVA_ITL3_INDUSTRY`).
        Rows in are the file's non-blank data lines; rejected are footnote rows, rows with
        a blank ITL or SIC07 code, codes that are not ITL codes or known SIC07 labels, and
        repeated (ITL code, SIC07 code) pairs (the first is kept).

    Raises
    ------
    DataFileError
        Undecodable bytes, a missing column, a short/long line or a non-numeric value,
        naming the file, row and column.
    """
    path = Path(path)
    raw = strip_columns(read_csv_text(path, required=INDUSTRY_ID_COLS), INDUSTRY_ID_COLS)
    year_cols = year_columns(raw, INDUSTRY_ID_COLS, path)
    kept, rejects = _industry_rejects(raw, year_cols)
    kept = parse_values(kept, year_cols, path)
    long = to_long(kept, INDUSTRY_ID_COLS, year_cols, "gva_gbp_m")
    parts = _industry_columns(long[SIC_CODE])
    data = pd.DataFrame({
        "itl_code": long[ITL_CODE].astype(str),
        "itl_name": long[REGION_NAME].astype(str),
        "itl_level": itl_level_of(long[ITL_CODE]).astype(str),
        "sic07_code": parts["sic07_code"],
        "sic07_divisions": parts["sic07_divisions"],
        "sic07_description": long[SIC_DESC].astype(str),
        "industry_level": parts["industry_level"],
        "year": long["year"],
        "gva_gbp_m": long["gva_gbp_m"],
        "suppressed": long["gva_gbp_m"].isna().astype(bool),
    })
    data = SCHEMA_GVA_ITL3_INDUSTRY.validate(data, lazy=True)
    data.attrs["rows_kept"] = len(kept)
    return Cleaned("gva_itl3_industry", data, len(raw),
                   reject_frame(rejects, INDUSTRY_ID_COLS), str(path))



def check_additivity(gva: pd.DataFrame) -> pd.DataFrame:
    """Compare each area-year's "Total" with the sum of its section rows.

    ONS balanced GVA is additive before rounding, and each published cell is rounded to the
    nearest £1 million, so ``|total - sum(sections)|`` can be at most ``0.5 * (n + 1)``
    where n is the number of section rows (each section's and the total's rounding error is
    at most 0.5).

    Parameters
    ----------
    gva
        ``get_gva_by_industry(...).data``.

    Returns
    -------
    DataFrame
        One row per (itl_code, year): total, sections_sum, n_sections, diff
        (total - sections_sum), tolerance (``0.5 * (n_sections + 1)``), complete (no null
        section or total) and within_tolerance (null where incomplete).
    """
    keys = ["itl_code", "year"]
    sections = gva[gva["industry_level"] == "section"]
    # built-in aggregations, not lambdas: one pass per column instead of one call per group
    grouped = sections.assign(missing=sections["gva_gbp_m"].isna()).groupby(keys)
    parts = pd.DataFrame({"sections_sum": grouped["gva_gbp_m"].sum(min_count=1),
                          "n_sections": grouped.size(),
                          "n_missing": grouped["missing"].sum()})
    total = (gva[gva["industry_level"] == "total"].set_index(keys)["gva_gbp_m"]
             .rename("total"))
    out = parts.join(total, how="outer").reset_index()
    out["n_sections"] = out["n_sections"].fillna(0).astype("Int64")
    out["complete"] = (out["total"].notna() & out["n_missing"].eq(0)
                       & out["n_sections"].gt(0)).astype(bool)
    out["diff"] = (out["total"] - out["sections_sum"]).where(out["complete"]).astype("Float64")
    out["tolerance"] = (0.5 * (out["n_sections"] + 1)).astype("Float64")
    out["within_tolerance"] = (out["diff"].abs() <= out["tolerance"]).astype("boolean")
    cols = [*keys, "total", "sections_sum", "n_sections", "diff", "tolerance", "complete",
            "within_tolerance"]
    return out[cols]


__all__ = [
    "INDUSTRY_LEVELS", "SCHEMA_GVA_ITL3_INDUSTRY", "SCHEMA_GVA_PER_HOUR_ITL",
    "SIC07_SECTION_DIVISIONS", "check_additivity", "get_gva_by_industry",
    "get_gva_per_hour_itl", "itl3_in_itl2", "itl_level_of", "parse_sic07_label",
]
