"""Inputs of the UK benchmark clusters from the evidence tables (frames in, frames out).

BRES by ITL2 area is published by SIC subclass (5 digits) and summed here to classes
(4 digits), the level of the NUTS2 tables and of the input-output mapping; the DEFRA
agricultural pseudo-code 01000 is not a subclass and is left out. Population by ITL2 area
sums mid-2021 district populations through each district's primary ITL2 area.
"""

from __future__ import annotations

import pandas as pd

NOT_MEASURED = ("9810", "9820", "9900")   # private households' own use, extra-territorial


def class_employment(bres_sic5: pd.DataFrame) -> pd.DataFrame:
    """Long ``year``, ``itl2_code``, ``sic4_code``, ``employment`` from ``bres_itl2_sic5``."""
    rows = bres_sic5[~bres_sic5["sic_code"].astype(str).eq("01000")]
    return (rows.assign(sic4_code=rows["sic_code"].astype(str).str[:4],
                        employment=pd.to_numeric(rows["employment"]).astype(float).fillna(0.0),
                        year=rows["year"].astype(int))
            .groupby(["year", "itl2_code", "sic4_code"], as_index=False)["employment"].sum())


def itl2_population(population: pd.DataFrame, lad_itl: pd.DataFrame) -> pd.Series:
    """All-ages population by ITL2 area (districts through their primary ITL2 area)."""
    pop = population[population["age"].eq("All Ages")]
    itl = lad_itl[lad_itl["primary"].astype(bool)].set_index("lad_code")["itl2_code"]
    # the boundaries behind lad_itl may predate a district's current code (Barnsley and
    # Sheffield were recoded in 2024): fall back on the code as published
    code = pop["lad_code"].map(itl)
    if "lad_code_original" in pop:
        code = code.fillna(pop["lad_code_original"].map(itl))
    merged = pop.assign(itl2_code=code)
    if merged["itl2_code"].isna().any():
        raise KeyError(f"districts without an ITL2 area: "
                       f"{sorted(merged.loc[merged['itl2_code'].isna(), 'lad_code'])[:10]}")
    return merged.groupby("itl2_code")["population"].sum().astype(float)


#: Classes whose workplace record misplaces the activity, left out of the clusters: public
#: administration (84) counts civil servants where the department is, not the service;
#: employment agencies (78) count placed workers at the agency, not where they work; head
#: offices (70.10) count a firm's head-office staff apart from its plants.
NOT_CLUSTERED = {"84": "public administration: jobs where the department is",
                 "78": "employment agencies: placed workers counted at the agency",
                 "7010": "head offices: staff counted apart from the firm's activity"}


def clustered_classes(traded: pd.DataFrame, *tables: tuple[pd.DataFrame, str, str],
                      min_gb_employment: float) -> list[str]:
    """Traded classes above ``min_gb_employment`` present (value > 0) in every
    (frame, industry column, value column) table, measured in the input-output tables and not
    in :data:`NOT_CLUSTERED`."""
    keep = set(traded.loc[traded["traded"] & (traded["gb_employment"] > min_gb_employment),
                          "industry"])
    for frame, industry, value in tables:
        keep &= set(frame.loc[pd.to_numeric(frame[value]).fillna(0) > 0, industry].astype(str))
    keep = {c for c in keep if not any(c.startswith(p) for p in NOT_CLUSTERED)}
    return sorted(keep - set(NOT_MEASURED))


__all__ = ["NOT_CLUSTERED", "NOT_MEASURED", "class_employment", "clustered_classes",
           "itl2_population"]
