"""English Indices of Deprivation 2019 (MHCLG), files 1, 2 and 6, by LSOA (2011).

Source: Ministry of Housing, Communities and Local Government, "English indices of
deprivation 2019", https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019
(File 1: IMD; File 2: domains; File 6: population denominators). Rank 1 is the most
deprived of the 32,844 LSOAs; deciles split the ranking into tenths.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.io import (
    Cleaned,
    concat_rejects,
    is_code,
    read_csv_text,
    split_rejects,
    to_number,
)

N_LSOA = 32_844
LSOA = "LSOA code (2011)"
KEYS = ["LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
        "Local Authority District name (2019)"]
DOMAINS = {
    "Index of Multiple Deprivation (IMD)": "imd",
    "Income": "income",
    "Employment": "employment",
    "Education, Skills and Training": "education",
    "Health Deprivation and Disability": "health",
    "Crime": "crime",
    "Barriers to Housing and Services": "housing",
    "Living Environment": "living_environment",
}
POPULATION = {
    "Total population: mid 2015 (excluding prisoners)": "population_2015",
    "Working age population 18-59/64: for use with Employment Deprivation Domain "
    "(excluding prisoners)": "working_age_population_2015",
}


def _rank_decile_columns() -> dict[str, pa.Column]:
    cols = {}
    for label, short in DOMAINS.items():
        cols[f"{short}_rank"] = pa.Column("Int64", pa.Check.in_range(1, N_LSOA),
                                          description=f"{label} rank (1 = most deprived)")
        cols[f"{short}_decile"] = pa.Column("Int64", pa.Check.in_range(1, 10),
                                            description=f"{label} decile (1 = most deprived "
                                                        "10% of LSOAs)")
    return cols


SCHEMA_IMD = pa.DataFrameSchema(
    {
        "lsoa11_code": pa.Column(str, pa.Check.str_matches(r"E01\d{6}"), unique=True,
                                 description="LSOA 2011 code"),
        "lsoa11_name": pa.Column(str, description="LSOA 2011 name"),
        "lad19_code": pa.Column(str, pa.Check.str_matches(r"E0[6-9]\d{6}"),
                                description="Local authority district code (2019) as published"),
        "lad19_name": pa.Column(str, description="Local authority district name (2019)"),
        "lad_code": pa.Column(str, pa.Check.str_matches(r"E0[6-9]\d{6}"),
                              description="Current local authority district code"),
        **_rank_decile_columns(),
        "population_2015": pa.Column("Int64", pa.Check.ge(0),
                                     description="Total population mid-2015 excl. prisoners"),
        "working_age_population_2015": pa.Column(
            "Int64", pa.Check.ge(0), description="Working-age population 18-59/64 mid-2015"),
    },
    strict=True,
    description="English Indices of Deprivation 2019 by LSOA: IMD and domain ranks and "
                "deciles (files 1-2) with population denominators (file 6).",
)


def _read(path: Path, wanted: Sequence[str]) -> pd.DataFrame:
    frame = read_csv_text(path, required=[*KEYS, *wanted])
    for column in wanted:
        frame[column] = to_number(frame, column, path, integer=True)
    return frame


def _domain_columns(header: Sequence[str], label: str) -> tuple[str, str]:
    rank = next(h for h in header if h.startswith(f"{label} Rank"))
    decile = next(h for h in header if h.startswith(f"{label} Decile"))
    return rank, decile


def expected_decile(rank: pd.Series, n: int = N_LSOA) -> pd.Series:
    """Decile implied by a rank: ``ceil(10 * rank / n)`` (MHCLG technical report, s.3)."""
    return rank.map(lambda r: pd.NA if pd.isna(r) else math.ceil(10 * int(r) / n)).astype(
        "Int64")


def get_imd(file1: Path, file2: Path, file6: Path,
            lad_current: dict[str, str] | None = None) -> Cleaned:
    """Join IoD2019 files 1, 2 and 6 into one row per LSOA.

    Rows in are the LSOA rows of file 2 (the fullest file). Rejected: rows whose code is not
    an English LSOA code, LSOAs absent from file 1 or 6, rows whose IMD rank differs between
    files 1 and 2, and rows whose decile disagrees with its rank.
    """
    file1, file2, file6 = Path(file1), Path(file2), Path(file6)
    header2 = read_csv_text(file2).columns
    domain_cols = {short: _domain_columns(header2, label) for label, short in DOMAINS.items()}
    f2 = _read(file2, [c for pair in domain_cols.values() for c in pair])
    f1 = _read(file1, ["Index of Multiple Deprivation (IMD) Rank",
                       "Index of Multiple Deprivation (IMD) Decile"])
    f6 = _read(file6, list(POPULATION))
    rows_in = len(f2)

    kept, bad_code = split_rejects(f2, ~is_code(f2[LSOA], r"E01\d{6}"),
                                   "not an English LSOA 2011 code")
    kept = kept.merge(f1[[LSOA, "Index of Multiple Deprivation (IMD) Rank"]], on=LSOA,
                      how="left", indicator="_in1")
    kept, not_in_1 = split_rejects(kept, kept["_in1"] == "left_only", "absent from File 1")
    kept = kept.merge(f6[[LSOA, *POPULATION]], on=LSOA, how="left", indicator="_in6")
    kept, not_in_6 = split_rejects(kept, kept["_in6"] == "left_only", "absent from File 6")
    rank2 = domain_cols["imd"][0]
    kept, mismatch = split_rejects(
        kept, kept["Index of Multiple Deprivation (IMD) Rank"] != kept[rank2],
        "IMD rank differs between File 1 and File 2")

    out = pd.DataFrame({
        "lsoa11_code": kept[LSOA].astype(str),
        "lsoa11_name": kept["LSOA name (2011)"].astype(str),
        "lad19_code": kept["Local Authority District code (2019)"].astype(str),
        "lad19_name": kept["Local Authority District name (2019)"].astype(str),
    })
    lad_current = lad_current or {}
    out["lad_code"] = out["lad19_code"].map(lambda c: lad_current.get(c, c)).astype(str)
    for short, (rank, decile) in domain_cols.items():
        out[f"{short}_rank"] = kept[rank].astype("Int64")
        out[f"{short}_decile"] = kept[decile].astype("Int64")
    for column, short in POPULATION.items():
        out[short] = kept[column].astype("Int64")
    wrong = pd.Series(False, index=out.index)
    for short in domain_cols:
        wrong |= out[f"{short}_decile"] != expected_decile(out[f"{short}_rank"])
    keep_idx = ~wrong.fillna(False).astype(bool)
    bad_decile = kept.loc[~keep_idx.to_numpy()].copy()
    bad_decile["reason"] = "decile disagrees with rank"
    out = out.loc[keep_idx].reset_index(drop=True)
    out = SCHEMA_IMD.validate(out, lazy=True)
    rejects = concat_rejects(
        r[["source_row", LSOA, "reason"]] for r in (bad_code, not_in_1, not_in_6, mismatch,
                                                     bad_decile))
    return Cleaned("imd2019_lsoa", out, rows_in, rejects, f"{file1};{file2};{file6}")
