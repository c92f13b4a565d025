"""Mayoral devolution in England: which current district is in which mayoral authority, and
when its first mayor was elected.

Source
------
``reference/programmes/mayoral_combined_authorities.csv`` (registry id
``mayoral_combined_authorities``): one row per English combined authority or combined county
authority with a mayor (and the two county combined authorities without one), compiled from
the public record: the statutory instruments establishing each authority (legislation.gov.uk)
and the mayoral election results. Columns ``ca_code`` (E47), ``ca_name``,
``first_mayoral_election`` (ISO date, blank for no mayor), ``constituent_members``
(``;``-separated names; ``"X (county: all its districts)"`` means every district of county
``X``) and ``status_note``.

Members are named, not coded, and the ONS code history's combined-authority column is the
2020 vintage (no E47000012-18), so each member is resolved *by name* through the LAD code
history: a district name (current or former, e.g. "Bristol" = "Bristol, City of") to its
current code; a county to every current district whose upper tier (``utla_code``) is that
county, the county's E10 code found by its name in the code history file's ``UTLANM`` column.
North Yorkshire, Northumberland and County Durham are unitary districts today, so they
resolve as districts. A member that matches no district or county (or several) stops the
build with an error naming the file, row, column and member.

Newcastle upon Tyne, North Tyneside and Northumberland were in North of Tyne (first mayor
2019, dissolved 2024) and then in the North East (first mayor 2024): each district keeps its
*first* treatment (the earliest first election of any authority it joined) and is flagged
``composition_changed`` with the later authority in ``later_ca_code``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import Cleaned, DataFileError, read_csv_text

COLUMNS = ("ca_code", "ca_name", "first_mayoral_election", "constituent_members",
           "status_note")
CA = r"^E47\d{6}$"
COUNTY = re.compile(r"^(?P<name>.+?)\s*\(county: all its districts\)$")

SCHEMA_MAYORAL_DISTRICTS = pa.DataFrameSchema(
    {
        "lad_code": pa.Column("string", pa.Check.str_matches(r"^E0[6-9]\d{6}$"), unique=True,
                              description="Current LAD code (code history applied)"),
        "lad_name": pa.Column("string", description="Current LAD name"),
        "ca_code": pa.Column("string", pa.Check.str_matches(CA),
                             description="Combined (county) authority the district first "
                                         "joined with a mayor, or its only authority"),
        "ca_name": pa.Column("string", description="Authority name as in the source"),
        "first_election": pa.Column("datetime64[ns]", nullable=True,
                                    description="Date of the authority's first mayoral "
                                                "election (null: no mayor)"),
        "treatment_year": pa.Column("Int64", pa.Check.in_range(2000, 2100), nullable=True,
                                    description="Calendar year of the first mayoral election "
                                                "(null: no mayor)"),
        "member_as": pa.Column("string", description="How the source names the member "
                                                     "(a district or 'X (county: ...)')"),
        "composition_changed": pa.Column(bool, description="The district later moved to "
                                                           "another mayoral authority"),
        "later_ca_code": pa.Column("string", pa.Check.str_matches(CA), nullable=True,
                                   description="The authority it moved to, if any"),
        "note": pa.Column("string", nullable=True,
                          description="Source note on the authority, and any move"),
    },
    strict=True,
    description="Every current English district in a mayoral combined (county) authority, "
                "or in a county combined authority without a mayor, with the year of its "
                "first mayoral election: the treatment dates of mayoral devolution.",
)


def normalise_name(name: str) -> str:
    """Comparable form of a place name: case, punctuation and ", City of" ignored.

    ``"Bristol, City of"``, ``"bristol"`` and ``"City of Bristol"`` all give ``"bristol"``;
    ``"St. Helens"`` gives ``"st helens"``, ``"Stockton-on-Tees"`` ``"stockton on tees"``.
    """
    text = name.lower().replace("&", " and ")
    text = re.sub(r",\s*(city|county) of$", "", text.strip())
    text = re.sub(r"^(city|county) of\s+", "", text)
    text = re.sub(r"[.,'’]", "", text)
    text = re.sub(r"[-\s]+", " ", text)
    return text.strip()


def read_county_names(la_codes_path: Path) -> dict[str, str]:
    """English county (E10) codes by normalised name, from the code history's ``UTLACD``
    and ``UTLANM`` columns (``la_all_codes``).

    Raises
    ------
    DataFileError
        If the columns are missing, or one county name carries two codes.
    """
    raw = read_csv_text(Path(la_codes_path), required=["UTLACD", "UTLANM"])
    counties = raw.loc[raw["UTLACD"].astype(str).str.match(r"^E10\d{6}$"),
                       ["UTLACD", "UTLANM", "source_row"]].drop_duplicates(["UTLACD", "UTLANM"])
    out: dict[str, str] = {}
    for code, name, row in counties.itertuples(index=False):
        key = normalise_name(str(name))
        if out.get(key, code) != code:
            raise DataFileError(la_codes_path, f"county {name!r} has two codes "
                                f"({out[key]}, {code})", row=int(row), column="UTLACD")
        out[key] = str(code)
    return out


def _districts_by_name(lookup: pd.DataFrame) -> dict[str, set[str]]:
    england = lookup[lookup["country_code"].astype(str) == "E92000001"]
    names: dict[str, set[str]] = {}
    for column in ("lad_name", "lad_name_active"):
        for name, active in zip(england[column], england["lad_code_active"], strict=True):
            names.setdefault(normalise_name(str(name)), set()).add(str(active))
    return names


def resolve_member(member: str, lookup: pd.DataFrame, counties: Mapping[str, str],
                   ) -> list[str]:
    """Current LAD codes a named member stands for (a district, or every district of a
    county written ``"X (county: all its districts)"``).

    Raises
    ------
    LookupError
        If the name matches no district or county, or several current districts.
    """
    active = lookup[lookup["lad_code"] == lookup["lad_code_active"]]
    county = COUNTY.match(member.strip())
    if county:
        name = county.group("name")
        code = counties.get(normalise_name(name))
        if code is None:
            raise LookupError(f"county {name!r} is not an upper-tier area of the code history")
        codes = sorted(active.loc[active["utla_code"] == code, "lad_code"].astype(str))
        if not codes:
            raise LookupError(f"county {name!r} ({code}) has no current district")
        return codes
    hits = _districts_by_name(lookup).get(normalise_name(member), set())
    if len(hits) != 1:
        what = "no district" if not hits else f"several districts {sorted(hits)}"
        raise LookupError(f"member {member!r} matches {what} in the LAD code history")
    return sorted(hits)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or \
        str(value).strip() == ""


def get_mayoral_districts(path: Path, lookup: pd.DataFrame, counties: Mapping[str, str],
                          ) -> Cleaned:
    """Read the mayoral combined authorities file into one row per current district.

    Parameters
    ----------
    path : the ``mayoral_combined_authorities.csv`` file.
    lookup : the ``lad_lookup`` evidence table (LAD code history with ``utla_code``).
    counties : county E10 codes by normalised name (:func:`read_county_names`).

    Returns
    -------
    Cleaned
        ``mayoral_districts`` (:data:`SCHEMA_MAYORAL_DISTRICTS`); rows in are the file's
        authorities, all kept (a bad row is an error, not a reject), records out districts.

    Raises
    ------
    DataFileError
        Naming the file, row and column: a malformed authority code, a duplicate authority,
        an unreadable date, an empty member list, or a member that resolves to no district.
    """
    path = Path(path)
    raw = read_csv_text(path, required=list(COLUMNS))
    rows = []
    seen: set[str] = set()
    for rec in raw.to_dict("records"):
        row = int(rec["source_row"])
        code = "" if _blank(rec["ca_code"]) else str(rec["ca_code"]).strip()
        if not re.match(CA, code):
            raise DataFileError(path, f"{code!r} is not a combined authority code (E47...)",
                                row=row, column="ca_code")
        if code in seen:
            raise DataFileError(path, f"authority {code} is listed twice", row=row,
                                column="ca_code")
        seen.add(code)
        when = rec["first_mayoral_election"]
        date = pd.NaT
        if not _blank(when):
            date = pd.to_datetime(str(when).strip(), format="%Y-%m-%d", errors="coerce")
            if pd.isna(date):
                raise DataFileError(path, f"{when!r} is not a date (YYYY-MM-DD)", row=row,
                                    column="first_mayoral_election")
        members = [] if _blank(rec["constituent_members"]) else [
            m.strip() for m in str(rec["constituent_members"]).split(";") if m.strip()]
        if not members:
            raise DataFileError(path, "no constituent members", row=row,
                                column="constituent_members")
        for member in members:
            try:
                codes = resolve_member(member, lookup, counties)
            except LookupError as exc:
                raise DataFileError(path, f"{exc} (authority {code})", row=row,
                                    column="constituent_members") from exc
            for lad in codes:
                rows.append({"lad_code": lad, "ca_code": code,
                             "ca_name": str(rec["ca_name"]).strip(), "first_election": date,
                             "member_as": member,
                             "note": None if _blank(rec["status_note"])
                             else str(rec["status_note"]).strip(), "source_row": row})
    out = _first_treatment(pd.DataFrame(rows))
    names = lookup.drop_duplicates("lad_code_active").set_index("lad_code_active")[
        "lad_name_active"]
    out.insert(1, "lad_name", out["lad_code"].map(names).astype("string"))
    out = out.astype({c: "string" for c in ("lad_code", "ca_code", "ca_name", "member_as",
                                            "later_ca_code", "note")})
    out["first_election"] = pd.to_datetime(out["first_election"]).astype("datetime64[ns]")
    out["treatment_year"] = out["first_election"].dt.year.astype("Int64")
    out = out[list(SCHEMA_MAYORAL_DISTRICTS.columns)].sort_values("lad_code")
    out = SCHEMA_MAYORAL_DISTRICTS.validate(out.reset_index(drop=True), lazy=True)
    out.attrs["rows_kept"] = len(raw)
    return Cleaned("mayoral_districts", out, len(raw), source=str(path))


def _first_treatment(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per district: the authority with the earliest first election (a mayor before
    none); later authorities are recorded as a compositional change."""
    rows = rows.sort_values(["lad_code", "first_election", "source_row"], na_position="last")
    first = rows.drop_duplicates("lad_code", keep="first").set_index("lad_code")
    later = rows[rows.duplicated("lad_code", keep="first")]
    first["composition_changed"] = False
    first["later_ca_code"] = None
    for lad, group in later.groupby("lad_code"):
        moved = group.iloc[-1]
        when = (f" (first mayor {moved['first_election']:%Y})"
                if pd.notna(moved["first_election"]) else "")
        text = f"later in {moved['ca_code']} {moved['ca_name']}{when}"
        first.loc[lad, "composition_changed"] = True
        first.loc[lad, "later_ca_code"] = moved["ca_code"]
        old = first.loc[lad, "note"]
        first.loc[lad, "note"] = f"{old}; {text}" if isinstance(old, str) and old else text
    return first.reset_index().drop(columns="source_row")


__all__ = ["SCHEMA_MAYORAL_DISTRICTS", "get_mayoral_districts", "normalise_name",
           "read_county_names", "resolve_member"]
