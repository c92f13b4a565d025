"""State of the Region statistics: the tables behind the evidence report.

Each function takes processed evidence tables and the region's areas and returns a tidy
table ready to chart. Sources are the ONS/MHCLG tables cleaned in :mod:`wmresearch.evidence`.
"""

from __future__ import annotations

import pandas as pd

from wmresearch.colocation.lq import location_quotients, region_lq_table
from wmresearch.evidence.aggregate import aggregate_rate as aggregate_rate
from wmresearch.evidence.sic import SIC2007_DIVISIONS

UK = "UKX"


def gva_by_section(gva: pd.DataFrame, itl3_codes: list[str], year: int | None = None
                   ) -> pd.DataFrame:
    """Region's GVA by SIC section with its share against the UK share, for one year.

    The region's GVA is the sum over its ITL3 areas; the UK is the sum over all ITL3 areas
    (ONS balanced GVA is additive across areas).
    """
    sections = gva[gva["industry_level"] == "section"]
    year = int(year or sections["year"].max())
    sections = sections[sections["year"] == year]
    region = sections[sections["itl_code"].isin(itl3_codes)]
    if region.empty:
        raise KeyError(f"none of the ITL3 areas {itl3_codes} is in the GVA table")
    reg = region.groupby(["sic07_code", "sic07_description"])["gva_gbp_m"].sum()
    uk = sections.groupby(["sic07_code", "sic07_description"])["gva_gbp_m"].sum()
    out = pd.DataFrame({"gva_gbp_m": reg, "uk_gva_gbp_m": uk}).reset_index()
    out["share"] = 100 * out["gva_gbp_m"] / out["gva_gbp_m"].sum()
    out["uk_share"] = 100 * out["uk_gva_gbp_m"] / out["uk_gva_gbp_m"].sum()
    out["year"] = year
    return out.sort_values("gva_gbp_m", ascending=False).reset_index(drop=True)


def gva_growth(gva: pd.DataFrame, itl3_codes: list[str]) -> pd.DataFrame:
    """Total GVA (current prices) of the region and the UK by year, indexed to the first."""
    total = gva[gva["industry_level"] == "total"]
    reg = total[total["itl_code"].isin(itl3_codes)].groupby("year")["gva_gbp_m"].sum()
    uk = total.groupby("year")["gva_gbp_m"].sum()
    out = pd.DataFrame({"region": reg, "uk": uk}).dropna()
    out["region_index"] = 100 * out["region"] / out["region"].iloc[0]
    out["uk_index"] = 100 * out["uk"] / out["uk"].iloc[0]
    return out.rename_axis("year").reset_index()


def employment_by_section(bres_sic2: pd.DataFrame, itl2_codes: list[str],
                          year: int | None = None) -> pd.DataFrame:
    """Employment by SIC section in the region vs Great Britain, with location quotients."""
    year = int(year or bres_sic2["year"].max())
    frame = bres_sic2[bres_sic2["year"] == year].copy()
    frame["section"] = frame["sic_code"].map(SIC2007_DIVISIONS)
    by_section = (frame.dropna(subset=["section"])
                  .groupby(["itl2_code", "section"], as_index=False)["employment"].sum())
    lq = region_lq_table(by_section, itl2_codes, area_col="itl2_code", industry_col="section",
                         value_col="employment")
    lq["share"] = 100 * lq["region_share"]
    lq["gb_share"] = 100 * lq["reference_share"]
    lq["year"] = year
    return lq[["section", "employment", "share", "gb_share", "lq", "year"]]


def business_size_structure(ukbc: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Great Britain's enterprises by employment size band: count and share, one year."""
    year = int(year or ukbc["year"].max())
    latest = ukbc[ukbc["year"] == year]
    out = latest.groupby("sizeband", observed=True)["enterprises"].sum().reset_index()
    out["share"] = 100 * out["enterprises"] / out["enterprises"].sum()
    out["year"] = year
    return out


def business_demography_summary(demography: pd.DataFrame, lad_codes: list[str], *,
                                total_label: str, year: int | None = None) -> pd.DataFrame:
    """Active enterprises, births and deaths per district and for the area, one year.

    birth rate = births / active enterprises × 100 (likewise deaths), ONS's definition in
    *Business demography, UK* (the "enterprise births as a percentage of active enterprises"
    it publishes for local areas). The last row is the area; the one before it, the UK (every
    district in the table).
    """
    year = int(year or demography["year"].max())
    latest = demography[demography["year"] == year]
    wide = latest.pivot_table(index=["lad_code", "lad_name"], columns="measure",
                              values="count", aggfunc="sum").reset_index()
    mine = wide[wide["lad_code"].isin(lad_codes)].sort_values("active", ascending=False)
    totals = pd.DataFrame([{"lad_code": "", "lad_name": "United Kingdom",
                            **wide[["active", "births", "deaths"]].sum()},
                           {"lad_code": "", "lad_name": total_label,
                            **mine[["active", "births", "deaths"]].sum()}])
    out = pd.concat([mine, totals], ignore_index=True)
    for measure in ("active", "births", "deaths"):
        out[measure] = out[measure].astype(float)
    out["birth_rate"] = 100 * out["births"] / out["active"]
    out["death_rate"] = 100 * out["deaths"] / out["active"]
    out["year"] = year
    return out[["lad_code", "lad_name", "active", "births", "deaths", "birth_rate",
                "death_rate", "year"]]


def local_units_by_section(idbr: pd.DataFrame, nuts2_codes: list[str]) -> pd.DataFrame:
    """Local units (workplaces) by SIC section in the region vs Great Britain, latest year,
    with LQs. The reference is GB: Northern Ireland's area (UKN0) is left out, since the
    shares are labelled "% of GB"."""
    year = int(idbr["year"].max())
    frame = idbr[(idbr["year"] == year) & ~idbr["nuts2_code"].str.startswith("UKN")].copy()
    frame["section"] = frame["sic4_code"].str.slice(0, 2).map(SIC2007_DIVISIONS)
    by_section = (frame.dropna(subset=["section"])
                  .groupby(["nuts2_code", "section"], as_index=False)["local_units"].sum())
    lq = region_lq_table(by_section, nuts2_codes, area_col="nuts2_code",
                         industry_col="section", value_col="local_units")
    lq["share"] = 100 * lq["region_share"]
    lq["gb_share"] = 100 * lq["reference_share"]
    lq["year"] = year
    return lq[["section", "local_units", "share", "gb_share", "lq", "year"]]


def deprivation_summary(imd: pd.DataFrame, lad_codes: list[str]) -> pd.DataFrame:
    """Per district: LSOAs, share in England's most deprived decile, population-weighted
    mean IMD rank (lower = more deprived)."""
    sub = imd[imd["lad_code"].isin(lad_codes)].copy()
    sub["decile1"] = sub["imd_decile"] == 1
    sub["rank_x_pop"] = sub["imd_rank"].astype(float) * sub["population_2015"].astype(float)
    grouped = sub.groupby(["lad_code", "lad19_name"])
    out = pd.DataFrame({
        "lsoas": grouped.size(),
        "most_deprived_decile_pct": 100 * grouped["decile1"].mean(),
        "population_2015": grouped["population_2015"].sum(),
        "mean_rank_pop_weighted": grouped["rank_x_pop"].sum()
        / grouped["population_2015"].sum().astype(float),
    }).reset_index()
    return out.sort_values("most_deprived_decile_pct", ascending=False).reset_index(drop=True)


def workplace_by_msoa(census: pd.DataFrame, msoa_codes: list[str], section: str = "C"
                      ) -> pd.DataFrame:
    """Workplace population per MSOA with the share in one section (default manufacturing),
    and that section's location quotient against England and Wales."""
    lq = location_quotients(census, region="msoa11_code", industry="sic_section",
                            value="workers")
    total = census.groupby("msoa11_code")["workers"].sum().rename("workers_total")
    sec = lq[lq["sic_section"] == section].set_index("msoa11_code")
    out = pd.DataFrame({"workers_total": total}).join(
        sec[["msoa11_name", "workers", "lq"]].rename(
            columns={"workers": f"workers_{section}", "lq": f"lq_{section}"}))
    out = out.loc[out.index.isin(msoa_codes)].reset_index()
    out[f"share_{section}"] = 100 * out[f"workers_{section}"] / out["workers_total"]
    return out
