"""Mid-2021 resident population by district and age: ONS mid-year estimates via NOMIS.

Source
------
ONS, *Population estimates for the UK, mid-2021* (local authority based by single year of
age), NOMIS dataset NM_2002 ("population estimates - local authority based by five year age
band"), extracted from the NOMIS API as CSV: ``DATE ... GEOGRAPHY_CODE, GEOGRAPHY_TYPE ...
C_AGE_NAME, C_AGE_TYPE ... OBS_VALUE, OBS_STATUS``. Persons only, 18 age groups of three
overlapping kinds (``C_AGE_TYPE``): "Labour Market category" (All Ages, 0-15, 16-24, 25-49,
50-64, 65+), "5 year age band" (0-4, 5-9) and "Individual age" (10 to 19).

The extract holds five geography types: regions, former metropolitan counties, districts /
unitaries (April 2021), counties / unitaries (April 2021) and combined authorities. Only the
district rows are kept; the others are aggregates of them (or, for unitaries, repeats) and
are rejected with a reason. District codes of April 2021 (e.g. Allerdale E07000026, merged
into Cumberland E06000063 in 2023) are mapped to current codes, keeping
``lad_code_original``: :func:`population_totals` adds merged districts together.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    to_number,
)

NOMIS_COLUMNS = ("DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE", "GEOGRAPHY_TYPE", "GENDER_NAME",
                 "C_AGE_CODE", "C_AGE_NAME", "C_AGE_TYPE", "MEASURES_NAME", "OBS_VALUE",
                 "OBS_STATUS")
DISTRICT_TYPE = "local authorities: district / unitary (as of April 2021)"
DISTRICT = r"E0[6-9]\d{6}|W06\d{6}|S12\d{6}|N09\d{6}"
ALL_AGES = "All Ages"

SCHEMA_POPULATION_2021 = pa.DataFrameSchema(
    {
        "lad_code": pa.Column("string", pa.Check.str_matches(f"^(?:{DISTRICT})$"),
                              description="Current LAD code (code history applied)"),
        "lad_code_original": pa.Column("string", pa.Check.str_matches(f"^(?:{DISTRICT})$"),
                                       description="LAD code as of April 2021, as published"),
        "lad_name": pa.Column("string", description="District name as published"),
        "age_code": pa.Column("string", description="NOMIS C_AGE code"),
        "age": pa.Column("string", description="Age group (C_AGE_NAME), e.g. 'All Ages', "
                         "'Aged 16 to 24', 'Age 10'"),
        "age_type": pa.Column("string", description="Kind of age group (groups of different "
                              "kinds overlap: never sum across kinds)"),
        "population": pa.Column("Int64", pa.Check.ge(0), description="Usual residents, "
                                "persons, 30 June 2021"),
    },
    strict=True, unique=["lad_code_original", "age_code"],
    description="ONS mid-2021 population estimates by district and age group, via NOMIS "
    "NM_2002 (Crown copyright, OGL v3)",
)


def get_population_mye2021(path: Path | str, lad_lookup: Mapping[str, str] | None = None,
                           ) -> Cleaned:
    """Mid-2021 population by local authority district and age group.

    Parameters
    ----------
    path
        NOMIS NM_2002 CSV extract (``nomis/nomis_NM_2002_mye2021_lad.csv``).
    lad_lookup
        Any LAD code -> current LAD code (``geography.current_lad_codes``); ``None`` keeps
        the April 2021 codes.

    Returns
    -------
    Cleaned
        ``name="population_mye2021"``, columns of :data:`SCHEMA_POPULATION_2021`. Rejected
        with a reason: rows of other geography types (aggregates or repeats of districts),
        a date other than 2021, a sex other than Total, a measure other than Value, a
        status other than A (normal value), a malformed district code, a duplicate.

    Raises
    ------
    DataFileError
        Missing columns, wrong field count (truncated), non-numeric ``OBS_VALUE``.
    pandera.errors.SchemaErrors
        Output failing its schema.
    """
    path = Path(path)
    raw = read_csv_text(path, required=NOMIS_COLUMNS)
    raw_cols = list(raw.columns)
    work = raw.copy()
    for col in NOMIS_COLUMNS:
        work[col] = raw[col].str.strip()
    work["population"] = to_number(raw, "OBS_VALUE", path, integer=True)
    geo_type = work["GEOGRAPHY_TYPE"].fillna("<blank>")
    work, rejected = apply_checks(work, [
        (work["GEOGRAPHY_TYPE"] != DISTRICT_TYPE,
         "geography type '" + geo_type + "' is not districts (aggregate or repeat)"),
        (work["DATE"] != "2021", "DATE is not 2021"),
        (work["GENDER_NAME"] != "Total", "not persons (GENDER_NAME is not Total)"),
        (work["MEASURES_NAME"] != "Value", "MEASURES_NAME is not Value"),
        (work["OBS_STATUS"] != "A", "OBS_STATUS is not A (normal value)"),
        (~is_code(work["GEOGRAPHY_CODE"], DISTRICT), "GEOGRAPHY_CODE is not a district code"),
        (work["population"].isna(), "blank OBS_VALUE"),
    ])
    work, dups = reject_duplicates(work, ["GEOGRAPHY_CODE", "C_AGE_CODE"], ["population"])
    rejected.append(dups)
    work["lad_code_original"] = work["GEOGRAPHY_CODE"]
    work["lad_code"] = (work["GEOGRAPHY_CODE"] if lad_lookup is None else
                        work["GEOGRAPHY_CODE"].map(lambda c: lad_lookup.get(c, c)))
    work = work.rename(columns={"GEOGRAPHY_NAME": "lad_name", "C_AGE_CODE": "age_code",
                                "C_AGE_NAME": "age", "C_AGE_TYPE": "age_type"})
    schema = SCHEMA_POPULATION_2021
    data = (work[list(schema.columns)].astype(string_columns(schema))
            .sort_values(["lad_code_original", "age_code"], ignore_index=True))
    schema.validate(data, lazy=True)
    return Cleaned(name="population_mye2021", data=data, rows_in=len(raw), source=str(path),
                   rejects=concat_rejects(r[raw_cols + ["reason"]] for r in rejected))


def population_totals(data: pd.DataFrame, age: str = ALL_AGES) -> pd.DataFrame:
    """Population of one age group by *current* district (merged districts added).

    Parameters
    ----------
    data
        ``get_population_mye2021(...).data``.
    age
        An ``age`` value, default ``"All Ages"``.

    Returns
    -------
    pandas.DataFrame
        ``lad_code``, ``population`` (Int64), one row per current district.

    Raises
    ------
    KeyError
        If no row has that age group.
    """
    rows = data[data["age"] == age]
    if rows.empty:
        raise KeyError(f"no age group {age!r}; known: {sorted(data['age'].unique())}")
    return (rows.groupby("lad_code", as_index=False)["population"].sum()
            .sort_values("lad_code", ignore_index=True))


__all__ = ["ALL_AGES", "DISTRICT_TYPE", "NOMIS_COLUMNS", "SCHEMA_POPULATION_2021",
           "get_population_mye2021", "population_totals"]
