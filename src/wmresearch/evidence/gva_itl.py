"""ITL area codes and the reading steps shared by the ONS ITL tables (Table 3c, Table A4).

ONS publishes its regional accounts and subregional productivity tables as one row per area
(and industry) with one column per year. The helpers here check the year columns, reject note
rows and repeated keys with a reason, parse the numbers and melt to long format, so
:mod:`wmresearch.evidence.gva` and :mod:`wmresearch.evidence.gva_hour` treat both tables
alike. ITL (International Territorial Levels, 2021) codes: ONS Open Geography, ITL1-ITL3.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from wmresearch.evidence.io import (
    DataFileError,
    concat_rejects,
    split_rejects,
    to_number,
    year_of,
)

ITL_CODE = "ITL code"
REGION_NAME = "Region name"

#: ITL codes by level: ITL1 regions TLC (North East) .. TLN (Northern Ireland); each lower
#: level appends one character. TLB (England) and UKX (UK) are not ITL codes.
ITL_PATTERNS = {
    "ITL1": r"TL[C-N]",
    "ITL2": r"TL[C-N][0-9A-Z]",
    "ITL3": r"TL[C-N][0-9A-Z]{2}",
}
ITL_ANY = "|".join(f"(?:{p})" for p in ITL_PATTERNS.values())


def itl_level_of(codes: pd.Series) -> pd.Series:
    """ITL level ("ITL1", "ITL2", "ITL3") of each code; NA where it is not an ITL code."""
    text = codes.astype("string").str.strip()
    level = pd.Series(pd.NA, index=codes.index, dtype="string")
    for name, pattern in ITL_PATTERNS.items():
        level = level.mask(text.str.fullmatch(pattern).fillna(False).astype(bool), name)
    return level


# --------------------------------------------------------------------------- shared steps

def year_columns(frame: pd.DataFrame, id_cols: Sequence[str], path: Path) -> list[str]:
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


def is_blank(series: pd.Series) -> pd.Series:
    """True where a string cell is missing or only spaces."""
    return series.fillna("").str.strip().eq("")


def footnote_mask(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Rows with text in the first column only (notes, sources, footnotes)."""
    rest = pd.concat([is_blank(frame[c]) for c in columns[1:]], axis=1).all(axis=1)
    return ~is_blank(frame[columns[0]]) & rest


def duplicate_split(frame: pd.DataFrame, keys: Sequence[str]
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reject second and later rows with the same key, naming the first row."""
    dup = frame.duplicated(list(keys), keep="first")
    first = frame.groupby(list(keys), sort=False)["source_row"].transform("min")
    reason = ("duplicate " + " x ".join(keys) + " (first at row "
              + first.astype(int).astype(str) + ")")
    return split_rejects(frame, dup, reason)


def parse_values(frame: pd.DataFrame, year_cols: Sequence[str], path: Path
                 ) -> pd.DataFrame:
    """Year columns as Float64 (thousands separators removed, markers -> NA)."""
    out = frame.copy()
    for column in year_cols:
        out[column] = to_number(frame, column, path)
    return out


def to_long(frame: pd.DataFrame, id_cols: Sequence[str], year_cols: Sequence[str],
            value_name: str) -> pd.DataFrame:
    """Melt the year columns to (year, ``value_name``) rows, in file order then year."""
    long = frame[["source_row", *id_cols, *year_cols]].melt(
        id_vars=["source_row", *id_cols], var_name="year", value_name=value_name)
    long["year"] = long["year"].map(year_of).astype("Int64")
    long[value_name] = long[value_name].astype("Float64")
    return long.sort_values(["source_row", "year"], kind="stable").reset_index(drop=True)


def strip_columns(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Identifier columns without surrounding spaces (ONS pads some descriptions)."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].str.strip()
    return out


def reject_frame(parts: Sequence[pd.DataFrame], id_cols: Sequence[str]) -> pd.DataFrame:
    """The rejected rows of every step: source_row, the identifier columns and the reason."""
    return concat_rejects(p[["source_row", *id_cols, "reason"]] for p in parts)


# --------------------------------------------------------------------------- hierarchy

def itl3_in_itl2(gva: pd.DataFrame, names: pd.DataFrame | None = None) -> pd.DataFrame:
    """Map each ITL3 area to its ITL2 parent (the first four characters of its code).

    Parameters
    ----------
    gva
        A table with itl_code, itl_name and itl_level, e.g.
        :func:`wmresearch.evidence.gva.get_gva_by_industry` ``(...).data``.
    names
        Optional table with itl_code and itl_name holding ITL2 names (e.g. the output of
        :func:`wmresearch.evidence.gva_hour.get_gva_per_hour_itl`); by default ITL2 rows of
        ``gva`` itself are used. Table 3c has ITL3 rows only, so without ``names`` its ITL2
        names are null.

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

