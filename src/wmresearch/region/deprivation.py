"""Deprivation: IoD2025 against IoD2019, share of neighbourhoods in the most deprived tenth.

Sources: MHCLG, *English Indices of Deprivation 2025* (File 1, 33,755 LSOAs 2021, districts
of 2024) and *English Indices of Deprivation 2019* (File 1, 32,844 LSOAs 2011, districts of
2019 mapped to current codes). Decile 1 is the most deprived 10% of LSOAs in England in that
edition's national ranking, so a district's share of LSOAs in decile 1 is the measure MHCLG
uses to compare districts: the IoD2019 Statistical Release (MHCLG, 26 September 2019, key
findings) names "Middlesbrough, Liverpool, Knowsley, Kingston upon Hull and Manchester" as the
districts "with the highest proportions of neighbourhoods among the most deprived in England".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: Shown with every comparison: the two editions use different small areas.
CAVEAT = ("IoD2025 ranks 33,755 LSOAs on 2021 Census boundaries and IoD2019 ranks 32,844 "
          "LSOAs on 2011 boundaries: many LSOAs were split, merged or redrawn in 2021, so the "
          "two shares describe different sets of neighbourhoods and their difference is not a "
          "like-for-like change in deprivation. Both are relative measures (the most deprived "
          "10% of England in each edition), not absolute levels.")


@dataclass(frozen=True)
class DeprivationComparison:
    """The comparison table and the caveat that must be shown with it."""

    table: pd.DataFrame
    caveat: str = CAVEAT


def decile_one_share(lsoas: pd.DataFrame, district: str, decile: str = "imd_decile"
                     ) -> pd.DataFrame:
    """LSOAs, LSOAs in national decile 1 and their share (%) by district.

    Parameters
    ----------
    lsoas
        One row per LSOA with a district code column and a decile column (1-10).
    district, decile
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by district: ``lsoas``, ``decile1``, ``share`` (``100 x decile1 / lsoas``).

    Raises
    ------
    ValueError
        If a decile is missing or outside 1-10 (naming the first offending LSOA row).
    """
    bad = ~lsoas[decile].isin(range(1, 11)) | lsoas[decile].isna()
    if bad.any():
        first = lsoas.index[bad.to_numpy().nonzero()[0][0]]
        codes = [c for c in ("lsoa21_code", "lsoa11_code") if c in lsoas]
        where = f" (LSOA {lsoas.loc[first, codes[0]]})" if codes else ""
        raise ValueError(f"column {decile!r}: row {first}{where} has decile "
                         f"{lsoas.loc[first, decile]}, not 1-10")
    grouped = lsoas.groupby(district)[decile]
    out = pd.DataFrame({"lsoas": grouped.size(), "decile1": grouped.apply(lambda s: (s == 1)
                                                                          .sum())})
    out["share"] = 100 * out["decile1"] / out["lsoas"]
    return out


def deprivation_change(iod2025: pd.DataFrame, iod2019: pd.DataFrame, lad_codes: list[str],
                       *, total_label: str = "Region") -> DeprivationComparison:
    """Share of LSOAs in national decile 1 by district, IoD2025 and IoD2019, plus the total.

    Parameters
    ----------
    iod2025
        Evidence table ``iod2025_imd`` (``lad24_code``, ``lad24_name``, ``imd_decile``).
    iod2019
        Evidence table ``imd2019_lsoa`` (``lad_code`` current code, ``imd_decile``).
    lad_codes
        The districts (current codes).
    total_label
        Name of the last row, the districts together (omitted for a single district).

    Returns
    -------
    DeprivationComparison
        ``table`` with ``lad_code, lad_name, lsoas_2019, decile1_2019, share_2019,
        lsoas_2025, decile1_2025, share_2025, change_pp`` (percentage points, 2025 - 2019);
        ``caveat`` is :data:`CAVEAT`.

    Raises
    ------
    KeyError
        If a district is absent from either edition (naming the districts and the edition).
    """
    new = decile_one_share(iod2025, "lad24_code")
    old = decile_one_share(iod2019, "lad_code")
    for label, table in (("IoD2025", new), ("IoD2019", old)):
        missing = sorted(set(lad_codes) - set(table.index))
        if missing:
            raise KeyError(f"districts {missing} are not in {label}")
    names = iod2025.drop_duplicates("lad24_code").set_index("lad24_code")["lad24_name"]
    out = pd.DataFrame({
        "lad_code": lad_codes, "lad_name": names.reindex(lad_codes).to_numpy(),
        "lsoas_2019": old.loc[lad_codes, "lsoas"].to_numpy(),
        "decile1_2019": old.loc[lad_codes, "decile1"].to_numpy(),
        "lsoas_2025": new.loc[lad_codes, "lsoas"].to_numpy(),
        "decile1_2025": new.loc[lad_codes, "decile1"].to_numpy()})
    if len(lad_codes) > 1:
        total = out[["lsoas_2019", "decile1_2019", "lsoas_2025", "decile1_2025"]].sum()
        out.loc[len(out)] = {"lad_code": "total", "lad_name": total_label, **total.to_dict()}
    counts = ["lsoas_2019", "decile1_2019", "lsoas_2025", "decile1_2025"]
    out[counts] = out[counts].astype(int)
    out["share_2019"] = 100 * out["decile1_2019"] / out["lsoas_2019"]
    out["share_2025"] = 100 * out["decile1_2025"] / out["lsoas_2025"]
    out["change_pp"] = out["share_2025"] - out["share_2019"]
    order = ["lad_code", "lad_name", "lsoas_2019", "decile1_2019", "share_2019", "lsoas_2025",
             "decile1_2025", "share_2025", "change_pp"]
    return DeprivationComparison(out[order])


__all__ = ["CAVEAT", "DeprivationComparison", "decile_one_share", "deprivation_change"]
