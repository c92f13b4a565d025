"""Regional gross value added by industry (ITL3) and GVA per hour worked (ITL1-ITL3).

Sources
-------
* ONS, "Regional gross value added (balanced) by industry: all ITL regions", Table 3c
  (ITL3, current prices, £ million), 1998-2022:
  https://www.ons.gov.uk/economy/grossvalueaddedgva/datasets/nominalandrealregionalgrossvalueaddedbalancedbyindustry
  (``ons/regional_gva_itl3_industry_current_prices_1998_2022.csv``).
* ONS, "Subregional productivity: labour productivity indices by UK ITL2 and ITL3
  subregions", Table A4: current price (smoothed) GVA (B) per hour worked (£), 2004-2021:
  https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/datasets/subregionalproductivitylabourproductivitygvaperhourworkedandgvaperfilledjobindicesbyuknuts2andnuts3subregions
  (``ons/gva_per_hour_itl2_itl3_2004_2021.csv``).

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

from wmresearch.evidence.io import (
    Cleaned,
    DataFileError,
    concat_rejects,
    read_csv_text,
    split_rejects,
    to_number,
    year_of,
)

ITL_CODE = "ITL code"
REGION_NAME = "Region name"
SIC_CODE = "SIC07 code"
SIC_DESC = "SIC07 description"
ITL_LEVEL = "ITL level"
INDUSTRY_ID_COLS = (ITL_CODE, REGION_NAME, SIC_CODE, SIC_DESC)
PER_HOUR_ID_COLS = (ITL_LEVEL, ITL_CODE, REGION_NAME)

#: ITL codes by level: ITL1 regions TLC (North East) .. TLN (Northern Ireland); each lower
#: level appends one character. TLB (England) and UKX (UK) are not ITL codes.
ITL_PATTERNS = {
    "ITL1": r"TL[C-N]",
    "ITL2": r"TL[C-N][0-9A-Z]",
    "ITL3": r"TL[C-N][0-9A-Z]{2}",
}
ITL_ANY = "|".join(f"(?:{p})" for p in ITL_PATTERNS.values())
INDUSTRY_LEVELS = ("total", "broad", "section", "subsection", "division")
#: Levels as published in Table A4's "ITL level" column ("Other" is England, TLB).
PER_HOUR_LEVELS = ("UK", "Other", "ITL1", "ITL2", "ITL3")

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

SCHEMA_GVA_PER_HOUR_ITL = pa.DataFrameSchema(
    {
        "itl_level": pa.Column(str, pa.Check.isin(list(PER_HOUR_LEVELS)),
                               description="Level as published: UK, Other (England), ITL1, "
                                           "ITL2 or ITL3"),
        "itl_code": pa.Column(str, pa.Check.str_matches(rf"UKX|TLB|{ITL_ANY}"),
                              description="UKX (UK less Extra-Regio), TLB (England) or an "
                                          "ITL (2021) code"),
        "itl_name": pa.Column(str, pa.Check.str_length(min_value=1),
                              description="Area name as published ('Region name')"),
        "year": pa.Column("Int64", pa.Check.in_range(1995, 2100), description="Calendar year"),
        "gva_per_hour_gbp": pa.Column("Float64", pa.Check.gt(0), nullable=True,
                                      description="Current price (smoothed) GVA (balanced) "
                                                  "per hour worked, £; null where suppressed"),
    },
    checks=[pa.Check(lambda d: level_mismatch(d["itl_level"], d["itl_code"]) == "",
                     error="itl_level must agree with itl_code")],
    strict=True,
    unique=["itl_code", "year"],
    description="ONS subregional productivity Table A4: GVA per hour worked (£, current "
                "prices, smoothed) for the UK, England, ITL1, ITL2 and ITL3 areas, long format.",
)


# --------------------------------------------------------------------------- classifiers

def itl_level_of(codes: pd.Series) -> pd.Series:
    """ITL level ("ITL1", "ITL2", "ITL3") of each code; NA where it is not an ITL code."""
    text = codes.astype("string").str.strip()
    level = pd.Series(pd.NA, index=codes.index, dtype="string")
    for name, pattern in ITL_PATTERNS.items():
        level = level.mask(text.str.fullmatch(pattern).fillna(False).astype(bool), name)
    return level


def level_mismatch(published: pd.Series, codes: pd.Series) -> pd.Series:
    """Why a published ITL level disagrees with its code ("" where they agree)."""
    derived = itl_level_of(codes).fillna("")
    code = codes.astype("string").str.strip().fillna("")
    published = published.astype("string").str.strip().fillna("")
    is_itl = published.isin(list(ITL_PATTERNS))
    ok = ((is_itl & (derived == published))
          | ((published == "UK") & (code == "UKX"))
          | ((published == "Other") & (derived == "") & (code != "")))
    reason = pd.Series("", index=codes.index, dtype="string")
    reason = reason.mask(~ok & is_itl, "ITL level does not match the code's length/pattern")
    reason = reason.mask(~ok & (published == "UK"), "ITL level UK but code is not UKX")
    reason = reason.mask(~ok & (published == "Other"), "ITL level Other but code is an ITL code")
    reason = reason.mask(~published.isin(list(PER_HOUR_LEVELS)), "unrecognised ITL level")
    return reason


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


# --------------------------------------------------------------------------- shared steps

def _year_columns(frame: pd.DataFrame, id_cols: Sequence[str], path: Path) -> list[str]:
    """The four-digit year columns; any other non-blank column is a format error."""
    years = []
    for column in frame.columns:
        if column == "source_row" or column in id_cols:
            continue
        if re.fullmatch(r"\d{4}", column) and year_of(column) is not None:
            years.append(column)
        elif column or frame[column].fillna("").str.strip().ne("").any():
            raise DataFileError(path, "unexpected column (expected a four-digit year)",
                                row=1, column=column)
    if not years:
        raise DataFileError(path, "no year columns in the header", row=1)
    return years


def _blank(series: pd.Series) -> pd.Series:
    return series.fillna("").str.strip().eq("")


def _footnote_mask(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Rows with text in the first column only (notes, sources, footnotes)."""
    rest = pd.concat([_blank(frame[c]) for c in columns[1:]], axis=1).all(axis=1)
    return ~_blank(frame[columns[0]]) & rest


def _duplicate_split(frame: pd.DataFrame, keys: Sequence[str]
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reject second and later rows with the same key, naming the first row."""
    dup = frame.duplicated(list(keys), keep="first")
    first = frame.groupby(list(keys), sort=False)["source_row"].transform("min")
    reason = ("duplicate " + " x ".join(keys) + " (first at row "
              + first.astype(int).astype(str) + ")")
    return split_rejects(frame, dup, reason)


def _parse_values(frame: pd.DataFrame, year_cols: Sequence[str], path: Path
                  ) -> pd.DataFrame:
    """Year columns as Float64 (thousands separators removed, markers -> NA)."""
    out = frame.copy()
    for column in year_cols:
        out[column] = to_number(frame, column, path)
    return out


def _to_long(frame: pd.DataFrame, id_cols: Sequence[str], year_cols: Sequence[str],
             value_name: str) -> pd.DataFrame:
    long = frame[["source_row", *id_cols, *year_cols]].melt(
        id_vars=["source_row", *id_cols], var_name="year", value_name=value_name)
    long["year"] = long["year"].map(year_of).astype("Int64")
    long[value_name] = long[value_name].astype("Float64")
    return long.sort_values(["source_row", "year"], kind="stable").reset_index(drop=True)


def _strip(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Identifier columns without surrounding spaces (ONS pads some descriptions)."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].str.strip()
    return out


def _reject_frame(parts: Sequence[pd.DataFrame], id_cols: Sequence[str]) -> pd.DataFrame:
    return concat_rejects(p[["source_row", *id_cols, "reason"]] for p in parts)


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
    kept, bad = split_rejects(raw, _footnote_mask(raw, [*INDUSTRY_ID_COLS, *year_cols]),
                              "footnote or note row (text in the first column only)")
    rejects.append(bad)
    for column in (ITL_CODE, SIC_CODE):
        kept, bad = split_rejects(kept, _blank(kept[column]), f"blank {column}")
        rejects.append(bad)
    kept, bad = split_rejects(kept, itl_level_of(kept[ITL_CODE]).isna(),
                              "not an ITL1/ITL2/ITL3 code")
    rejects.append(bad)
    parsed = kept[SIC_CODE].map(parse_sic07_label)
    kept, bad = split_rejects(kept, parsed.isna(), "unrecognised SIC07 code")
    rejects.append(bad)
    kept, bad = _duplicate_split(kept, [ITL_CODE, SIC_CODE])
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
    raw = _strip(read_csv_text(path, required=INDUSTRY_ID_COLS), INDUSTRY_ID_COLS)
    year_cols = _year_columns(raw, INDUSTRY_ID_COLS, path)
    kept, rejects = _industry_rejects(raw, year_cols)
    kept = _parse_values(kept, year_cols, path)
    long = _to_long(kept, INDUSTRY_ID_COLS, year_cols, "gva_gbp_m")
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
                   _reject_frame(rejects, INDUSTRY_ID_COLS), str(path))


def _per_hour_rejects(raw: pd.DataFrame, year_cols: Sequence[str]
                      ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    rejects = []
    kept, bad = split_rejects(raw, _footnote_mask(raw, [*PER_HOUR_ID_COLS, *year_cols]),
                              "footnote or note row (text in the first column only)")
    rejects.append(bad)
    kept, bad = split_rejects(kept, _blank(kept[ITL_CODE]), f"blank {ITL_CODE}")
    rejects.append(bad)
    reason = level_mismatch(kept[ITL_LEVEL], kept[ITL_CODE])
    kept, bad = split_rejects(kept, reason != "", reason)
    rejects.append(bad)
    kept, bad = _duplicate_split(kept, [ITL_CODE])
    rejects.append(bad)
    return kept, rejects


def get_gva_per_hour_itl(path: Path | str) -> Cleaned:
    """Tidy ONS subregional productivity Table A4: GVA per hour worked (£) by ITL area.

    Source: ONS, "Subregional productivity: labour productivity indices by UK ITL2 and ITL3
    subregions",
    https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/datasets/subregionalproductivitylabourproductivitygvaperhourworkedandgvaperfilledjobindicesbyuknuts2andnuts3subregions
    (Table A4, current price (smoothed) GVA (B) per hour worked, £).

    Parameters
    ----------
    path
        The CSV with columns "ITL level", "ITL code", "Region name" and year columns.

    Returns
    -------
    Cleaned
        ``gva_per_hour_itl``: columns itl_level (as published: UK, Other, ITL1-ITL3),
        itl_code, itl_name, year, gva_per_hour_gbp. The UK (UKX) and England (TLB, level
        "Other") rows are kept. Rejected: footnote rows, blank codes, a level that
        disagrees with its code, and repeated codes (the first is kept).

    Raises
    ------
    DataFileError
        As for :func:`get_gva_by_industry`.
    """
    path = Path(path)
    raw = _strip(read_csv_text(path, required=PER_HOUR_ID_COLS), PER_HOUR_ID_COLS)
    year_cols = _year_columns(raw, PER_HOUR_ID_COLS, path)
    kept, rejects = _per_hour_rejects(raw, year_cols)
    kept = _parse_values(kept, year_cols, path)
    long = _to_long(kept, PER_HOUR_ID_COLS, year_cols, "gva_per_hour_gbp")
    data = pd.DataFrame({
        "itl_level": long[ITL_LEVEL].astype(str),
        "itl_code": long[ITL_CODE].astype(str),
        "itl_name": long[REGION_NAME].astype(str),
        "year": long["year"],
        "gva_per_hour_gbp": long["gva_per_hour_gbp"],
    })
    data = SCHEMA_GVA_PER_HOUR_ITL.validate(data, lazy=True)
    data.attrs["rows_kept"] = len(kept)
    return Cleaned("gva_per_hour_itl", data, len(raw),
                   _reject_frame(rejects, PER_HOUR_ID_COLS), str(path))


# --------------------------------------------------------------------------- helpers

def itl3_in_itl2(gva: pd.DataFrame, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """Map each ITL3 area to its ITL2 parent (the first four characters of its code).

    Parameters
    ----------
    gva
        A table with itl_code, itl_name and itl_level, e.g. ``get_gva_by_industry(...).data``.
    names
        Optional table with itl_code and itl_name holding ITL2 names (e.g. the output of
        :func:`get_gva_per_hour_itl`); by default ITL2 rows of ``gva`` itself are used.
        Table 3c has ITL3 rows only, so without ``names`` its ITL2 names are null.

    Returns
    -------
    DataFrame
        One row per ITL3 code: itl3_code, itl3_name, itl2_code, itl2_name, sorted by code.
    """
    itl3 = (gva.loc[gva["itl_level"] == "ITL3", ["itl_code", "itl_name"]]
            .drop_duplicates("itl_code")
            .rename(columns={"itl_code": "itl3_code", "itl_name": "itl3_name"}))
    itl3["itl2_code"] = itl3["itl3_code"].str[:4]
    source = gva if names is None else names
    itl2 = source.loc[itl_level_of(source["itl_code"]) == "ITL2", ["itl_code", "itl_name"]]
    lookup = itl2.drop_duplicates("itl_code").set_index("itl_code")["itl_name"]
    itl3["itl2_name"] = itl3["itl2_code"].map(lookup).astype("string")
    return itl3.sort_values("itl3_code").reset_index(drop=True)


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
    parts = sections.groupby(keys)["gva_gbp_m"].agg(
        sections_sum=lambda s: s.sum(min_count=1), n_sections="size",
        n_missing=lambda s: int(s.isna().sum()))
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
