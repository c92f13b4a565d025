"""GVA per hour worked by ITL area: ONS subregional productivity, Table A4.

Source: ONS, "Subregional productivity: labour productivity indices by UK ITL2 and ITL3
subregions", Table A4: current price (smoothed) GVA (B) per hour worked (£), 2004-2021:
https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/labourproductivity/datasets/subregionalproductivitylabourproductivitygvaperhourworkedandgvaperfilledjobindicesbyuknuts2andnuts3subregions
(``ons/gva_per_hour_itl2_itl3_2004_2021.csv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wmresearch.evidence.gva_itl import (
    ITL_ANY,
    ITL_CODE,
    ITL_PATTERNS,
    REGION_NAME,
    duplicate_split,
    footnote_mask,
    is_blank,
    itl_level_of,
    parse_values,
    reject_frame,
    strip_columns,
    to_long,
    year_columns,
)
from wmresearch.evidence.io import Cleaned, read_csv_text, split_rejects

ITL_LEVEL = "ITL level"
PER_HOUR_ID_COLS = (ITL_LEVEL, ITL_CODE, REGION_NAME)
#: Levels as published in Table A4's "ITL level" column ("Other" is England, TLB).
PER_HOUR_LEVELS = ("UK", "Other", "ITL1", "ITL2", "ITL3")

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



def _per_hour_rejects(raw: pd.DataFrame, year_cols: Sequence[str]
                      ) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    rejects = []
    kept, bad = split_rejects(raw, footnote_mask(raw, [*PER_HOUR_ID_COLS, *year_cols]),
                              "footnote or note row (text in the first column only)")
    rejects.append(bad)
    kept, bad = split_rejects(kept, is_blank(kept[ITL_CODE]), f"blank {ITL_CODE}")
    rejects.append(bad)
    reason = level_mismatch(kept[ITL_LEVEL], kept[ITL_CODE])
    kept, bad = split_rejects(kept, reason != "", reason)
    rejects.append(bad)
    kept, bad = duplicate_split(kept, [ITL_CODE])
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
    raw = strip_columns(read_csv_text(path, required=PER_HOUR_ID_COLS), PER_HOUR_ID_COLS)
    year_cols = year_columns(raw, PER_HOUR_ID_COLS, path)
    kept, rejects = _per_hour_rejects(raw, year_cols)
    kept = parse_values(kept, year_cols, path)
    long = to_long(kept, PER_HOUR_ID_COLS, year_cols, "gva_per_hour_gbp")
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
                   reject_frame(rejects, PER_HOUR_ID_COLS), str(path))

