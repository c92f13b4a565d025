"""The UK Standard Industrial Classification 2007 (SIC 2007) as a lookup table.

Sources
-------
* ONS, *UK SIC 2007* hierarchy as named by NOMIS (``sic/sic2007_hierarchy.csv``): 729
  5-digit codes with their group (3-digit), division (2-digit) and section. It includes the
  NOMIS pseudo-code ``01000`` "DEFRA/Scottish Executive Agricultural Data", which is not a
  SIC 2007 subclass: NOMIS uses it to carry farm agriculture (SIC 01.1-01.5) counted by the
  agricultural censuses, because BRES does not survey farms.
* Companies House, *SIC 2007 condensed list* (``sic/sic07_companies_house_condensed.csv``):
  731 codes used on the register, including three administrative codes that are not in the
  ONS hierarchy: 74990 "Non-trading company", 98000 "Residents property management" and
  99999 "Dormant Company".

Both files are latin-1. Quirks handled here: codes glued to names ("01110 : Growing of..."),
one mis-encoded apostrophe in the NOMIS names ("buildersÆ ware", repaired to "builders'
ware"), doubled spaces in Companies House descriptions, Windows line endings.

The module also holds small helpers shared by the other SIC-coded cleaners (:mod:`.bres`,
:mod:`.business`): the division-to-section map, code padding and the "code : name" split.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    Cleaned,
    apply_checks,
    concat_rejects,
    is_code,
    read_csv_text,
    reject_duplicates,
    string_columns,
)

#: SIC 2007 sections and the divisions (2-digit codes) each contains (ONS, UK SIC 2007).
SECTION_DIVISION_RANGES: dict[str, tuple[int, int]] = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
    "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
    "S": (94, 96), "T": (97, 98), "U": (99, 99),
}

#: Divisions that do not exist in SIC 2007 although they fall inside a section's range.
_UNUSED_DIVISIONS = frozenset({4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89})

#: Every SIC 2007 division ("01".."99", 88 of them) mapped to its section letter.
SIC2007_DIVISIONS: dict[str, str] = {
    f"{d:02d}": section
    for section, (lo, hi) in SECTION_DIVISION_RANGES.items()
    for d in range(lo, hi + 1) if d not in _UNUSED_DIVISIONS
}

#: NOMIS pseudo-code for agricultural-census farm employment (not a SIC 2007 subclass).
DEFRA_AGRI_CODE = "01000"

#: Companies House codes that record a company's status rather than an activity; no
#: section, division or group is derived for them.
CH_STATUS_CODES: dict[str, str] = {"74990": "non-trading company", "99999": "dormant company"}

#: Characters mis-encoded in the NOMIS hierarchy (cp1252 right quote read through cp850).
_MOJIBAKE = {"\u00c6": "'"}

HIERARCHY_COLUMNS = ("SIC_2DIGIT_CODE", "SIC_2DIGIT_NAME", "SIC_3DIGIT_CODE",
                     "SIC_3DIGIT_NAME", "SIC_5DIGIT_CODE", "SIC_5DIGIT_NAME",
                     "SIC_SECTION_LETTER", "SIC_SECTION_NAME")
CH_COLUMNS = ("code", "description")


# --------------------------------------------------------------------------- helpers

def pad_code(series: pd.Series, width: int) -> pd.Series:
    """Strip a code column and zero-pad all-digit codes shorter than ``width``.

    Spreadsheets drop leading zeros ("1110" for 01110); other values are left as they are
    so that validation can reject them.
    """
    text = series.astype("string").str.strip()
    short = is_code(text, rf"\d{{1,{width - 1}}}")
    return text.where(~short, text.str.zfill(width))


def is_sic_code(series: pd.Series, digits: int) -> pd.Series:
    """Mask of SIC 2007 codes of ``digits`` digits whose division exists in SIC 2007."""
    shaped = is_code(series, rf"\d{{{digits}}}")
    division = series.astype("string").str[:2]
    return shaped & division.isin(list(SIC2007_DIVISIONS)).fillna(False).astype(bool)


def split_code_name(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split NOMIS labels "01110 : Growing of rice" into prefix and name.

    Labels without the " : " separator give a missing prefix and the whole label as name.
    """
    text = series.astype("string").str.strip()
    parts = text.str.split(" : ", n=1, regex=False)
    has = text.str.contains(" : ", regex=False).fillna(False).astype(bool)
    prefix = parts.str[0].where(has).astype("string").str.strip()
    name = parts.str[1].where(has, text).astype("string")
    return prefix, clean_name(name)


def clean_name(series: pd.Series) -> pd.Series:
    """Collapse runs of whitespace and repair the known mis-encoded characters."""
    text = series.astype("string")
    for bad, good in _MOJIBAKE.items():
        text = text.str.replace(bad, good, regex=False)
    return text.str.replace(r"\s+", " ", regex=True).str.strip()


# --------------------------------------------------------------------------- schema

_SIC5 = r"^\d{5}$"

SCHEMA_SIC = pa.DataFrameSchema(
    {
        "sic5_code": pa.Column("string", pa.Check.str_matches(_SIC5), unique=True,
                               description="SIC 2007 subclass (5 digits, zero-padded); "
                               "also NOMIS pseudo-code 01000 and Companies House codes "
                               "74990, 98000, 99999"),
        "sic5_name": pa.Column("string", description="Subclass name (NOMIS wording; the "
                               "Companies House description for codes NOMIS lacks)"),
        "sic4_code": pa.Column("string", pa.Check.str_matches(r"^\d{4}$"), nullable=True,
                               description="SIC 2007 class: first 4 digits of sic5_code; "
                               "missing for Companies House codes whose class NOMIS lacks"),
        "sic3_code": pa.Column("string", pa.Check.str_matches(r"^\d{3}$"), nullable=True,
                               description="SIC 2007 group (3 digits)"),
        "sic3_name": pa.Column("string", nullable=True, description="Group name (NOMIS)"),
        "sic2_code": pa.Column("string", pa.Check.isin(list(SIC2007_DIVISIONS)),
                               nullable=True, description="SIC 2007 division (2 digits)"),
        "sic2_name": pa.Column("string", nullable=True, description="Division name (NOMIS)"),
        "section": pa.Column("string", pa.Check.isin(list(SECTION_DIVISION_RANGES)),
                             nullable=True, description="SIC 2007 section letter A-U; "
                             "missing for the Companies House status codes 74990, 99999"),
        "section_name": pa.Column("string", nullable=True, description="Section name (NOMIS)"),
        "is_defra_agri": pa.Column("boolean", description="True for the NOMIS pseudo-code "
                                   "01000 (agricultural-census farm employment), not a real "
                                   "SIC 2007 subclass"),
        "nomis_hierarchy": pa.Column("boolean", description="Code is in the ONS/NOMIS SIC "
                                     "2007 hierarchy"),
        "in_companies_house": pa.Column("boolean", description="Code is in the Companies "
                                        "House condensed SIC 2007 list"),
        "companies_house_description": pa.Column(
            "string", nullable=True, description="Companies House description of the code "
            "(whitespace normalised); missing when Companies House does not use the code"),
    },
    strict=True,
    unique=["sic5_code"],
    description="UK SIC 2007 hierarchy, one row per 5-digit code: ONS hierarchy as named by "
    "NOMIS, joined to the Companies House condensed SIC list (Crown copyright, OGL v3).",
)


# --------------------------------------------------------------------------- readers

def _read_hierarchy(path: Path) -> tuple[pd.DataFrame, list[pd.DataFrame], int]:
    raw = read_csv_text(path, encoding="latin-1", required=HIERARCHY_COLUMNS)
    raw_cols = list(raw.columns)
    work = raw.copy()
    work["sic5_code"] = pad_code(raw["SIC_5DIGIT_CODE"], 5)
    work["sic3_code"] = pad_code(raw["SIC_3DIGIT_CODE"], 3)
    work["sic2_code"] = pad_code(raw["SIC_2DIGIT_CODE"], 2)
    for level in ("5", "3", "2"):
        prefix, name = split_code_name(raw[f"SIC_{level}DIGIT_NAME"])
        work[f"sic{level}_name"] = name
        work[f"prefix{level}"] = prefix
    work["section"] = raw["SIC_SECTION_LETTER"].str.strip()
    work["section_name"] = clean_name(raw["SIC_SECTION_NAME"])
    expected_section = work["sic2_code"].map(SIC2007_DIVISIONS).astype("string")
    checks = [
        (~is_sic_code(work["sic5_code"], 5), "SIC_5DIGIT_CODE is not a SIC 2007 5-digit code"),
        ((work["sic5_code"].str[:3] != work["sic3_code"])
         | (work["sic3_code"].str[:2] != work["sic2_code"]),
         "5-, 3- and 2-digit codes are not nested"),
        (work["section"] != expected_section, "section letter disagrees with the division"),
    ]
    for level in ("5", "3", "2"):
        checks.append(((work[f"prefix{level}"].notna()
                        & (work[f"prefix{level}"] != work[f"sic{level}_code"])),
                       f"SIC_{level}DIGIT_NAME prefix disagrees with its code"))
    work, rejected = apply_checks(work, checks)
    work, dups = reject_duplicates(work, ["sic5_code"], ["sic5_name", "sic3_code"])
    rejected.append(dups)
    rejects = [r[raw_cols + ["reason"]].assign(source_file=path.name) for r in rejected]
    return work, rejects, len(raw)


def _read_companies_house(path: Path) -> tuple[pd.DataFrame, list[pd.DataFrame], int]:
    raw = read_csv_text(path, encoding="latin-1", required=CH_COLUMNS)
    raw_cols = list(raw.columns)
    work = raw.copy()
    work["sic5_code"] = pad_code(raw["code"], 5)
    work["companies_house_description"] = clean_name(raw["description"])
    checks = [
        (~is_sic_code(work["sic5_code"], 5), "code is not a 5-digit SIC 2007 code"),
        (work["companies_house_description"].fillna("") == "", "description is empty"),
    ]
    work, rejected = apply_checks(work, checks)
    work, dups = reject_duplicates(work, ["sic5_code"], ["companies_house_description"])
    rejected.append(dups)
    rejects = [r[raw_cols + ["reason"]].assign(source_file=path.name) for r in rejected]
    return work, rejects, len(raw)


def _derive_levels(table: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Fill the levels of codes missing from the NOMIS hierarchy from their prefixes.

    Class and group are filled only when the NOMIS hierarchy has them; division and section
    whenever the division exists in SIC 2007 (names from the hierarchy, if it has them). The
    Companies House status codes (:data:`CH_STATUS_CODES`) get no levels at all.
    """
    missing = ~table["nomis_hierarchy"] & ~table["sic5_code"].isin(list(CH_STATUS_CODES))
    codes = table["sic5_code"]
    sic4 = set(hierarchy["sic5_code"].str[:4])
    groups = hierarchy.drop_duplicates("sic3_code").set_index("sic3_code")["sic3_name"]
    divisions = hierarchy.drop_duplicates("sic2_code").set_index("sic2_code")
    sections = hierarchy.drop_duplicates("section").set_index("section")["section_name"]
    table.loc[missing & codes.str[:4].isin(sic4), "sic4_code"] = codes.str[:4]
    in_group = missing & codes.str[:3].isin(list(groups.index))
    table.loc[in_group, "sic3_code"] = codes.str[:3]
    table.loc[in_group, "sic3_name"] = codes.str[:3].map(groups)
    in_div = missing & codes.str[:2].isin(list(SIC2007_DIVISIONS))
    table.loc[in_div, "sic2_code"] = codes.str[:2]
    table.loc[in_div, "sic2_name"] = codes.str[:2].map(divisions["sic2_name"])
    table.loc[in_div, "section"] = codes.str[:2].map(SIC2007_DIVISIONS)
    table.loc[in_div, "section_name"] = table.loc[in_div, "section"].map(sections)
    return table


def get_sic_hierarchy(hierarchy_path: Path | str, companies_house_path: Path | str,
                      ) -> Cleaned:
    """Clean the SIC 2007 hierarchy and join the Companies House code list.

    Parameters
    ----------
    hierarchy_path
        ONS SIC 2007 hierarchy as named by NOMIS (``sic2007_hierarchy.csv``, latin-1).
    companies_house_path
        Companies House SIC 2007 condensed list (``sic07_companies_house_condensed.csv``,
        latin-1).

    Returns
    -------
    Cleaned
        ``name="sic2007"``; one row per 5-digit code in either file, validated against
        :data:`SCHEMA_SIC`. ``rows_in`` counts the records of both files and
        ``data.attrs["rows_kept"]`` those used; rejects carry ``source_file``.

    Notes
    -----
    Codes only Companies House uses (74990, 98000, 99999) get ``nomis_hierarchy`` False,
    their own description as ``sic5_name``, and the division/section of their first digits
    where NOMIS has that division, except the status codes 74990 (non-trading) and 99999
    (dormant), which describe no activity and get no section.
    """
    hierarchy_path, companies_house_path = Path(hierarchy_path), Path(companies_house_path)
    hier, hier_rejects, hier_in = _read_hierarchy(hierarchy_path)
    ch, ch_rejects, ch_in = _read_companies_house(companies_house_path)
    cols = ["sic5_code", "sic5_name", "sic3_code", "sic3_name", "sic2_code", "sic2_name",
            "section", "section_name"]
    table = hier[cols].merge(ch[["sic5_code", "companies_house_description"]],
                             on="sic5_code", how="outer", indicator=True)
    table["nomis_hierarchy"] = table["_merge"].isin(["both", "left_only"]).astype("boolean")
    table["in_companies_house"] = table["_merge"].isin(["both", "right_only"]).astype(
        "boolean")
    table["sic4_code"] = table["sic5_code"].str[:4].where(table["nomis_hierarchy"])
    table["sic5_name"] = table["sic5_name"].fillna(table["companies_house_description"])
    table = _derive_levels(table.drop(columns="_merge"), hier)
    table["is_defra_agri"] = (table["sic5_code"] == DEFRA_AGRI_CODE).astype("boolean")
    table = table[list(SCHEMA_SIC.columns)].astype(string_columns(SCHEMA_SIC))
    table = table.sort_values("sic5_code", ignore_index=True)
    table.attrs["rows_kept"] = len(hier) + len(ch)
    SCHEMA_SIC.validate(table, lazy=True)
    return Cleaned(name="sic2007", data=table, rows_in=hier_in + ch_in,
                   rejects=concat_rejects([*hier_rejects, *ch_rejects]),
                   source=f"{hierarchy_path};{companies_house_path}")


__all__ = [
    "CH_STATUS_CODES", "DEFRA_AGRI_CODE", "SCHEMA_SIC", "SECTION_DIVISION_RANGES",
    "SIC2007_DIVISIONS", "clean_name", "get_sic_hierarchy", "is_sic_code", "pad_code",
    "split_code_name",
]
