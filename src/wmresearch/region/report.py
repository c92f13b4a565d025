"""The State of the Region report, section by section (called once each by the notebook).

Each section reads the evidence base, computes its statistics with
:mod:`wmresearch.region.profile` and shows charts and tables through
:mod:`wmresearch.reporting`. One release per chart, named in its source line; every area named
in words; what cannot be computed is said in words, never printed as ``nan``.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
from IPython.display import Markdown, display

from wmresearch.evidence.aggregate import aggregate_rate
from wmresearch.evidence.tables import Tables
from wmresearch.region import profile
from wmresearch.region.area import StudyArea
from wmresearch.reporting.charts import bar_chart, choropleth, line_chart, paired_bars
from wmresearch.reporting.tables import show_table

SRC_PROD = ("ONS, Subregional productivity: labour productivity by local authority district, "
            "June 2024 release (current prices, smoothed; data to 2022)")
SRC_GVA = ("ONS, Regional gross value added (balanced) by industry, ITL3, current prices, "
           "release covering 1998-2022 (Table 3c)")
SRC_BRES = "ONS, Business Register and Employment Survey {year} (open access, rounded), NOMIS"
SRC_DEMOGRAPHY = ("ONS, Business demography, UK: 2024 reference tables (births 1.1, deaths "
                  "2.1, active enterprises 3.1), districts on current boundaries")
SRC_IOD25 = "MHCLG, English Indices of Deprivation 2025 (File 1, IMD by LSOA 2021)"
SRC_CENSUS = "ONS, Census 2011 workplace population by industry (WP605EW)"
SRC_BDY = "ONS Open Geography Portal boundaries; contains OS data (c) Crown copyright"


def _missing(what: str) -> None:
    display(Markdown(f"_{what} is not in the acquired data for this run, so this part is "
                     "omitted._"))


def productivity(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """GVA per hour and per job relative to the UK (like for like), and by district."""
    prod = tables.get("productivity_lad")
    if prod is None:
        _missing("The ONS district productivity workbook")
        return {}
    hour = aggregate_rate(prod, area.lad_codes, "gva_per_hour", "hours_worked")
    job = aggregate_rate(prod, area.lad_codes, "gva_per_job", "filled_jobs")
    latest = hour.iloc[-1]
    display(Markdown(
        f"In {int(latest['year'])}, GVA per hour worked in {area.title} was "
        f"**£{latest['value']:,.2f}**, **{latest['relative']:.1f}%** of the UK figure "
        f"computed the same way from district values (£{latest['uk']:,.2f}; ONS's published "
        f"UK figure is £{latest['uk_published']:,.1f}). District figures are published "
        "rounded, so the region and the UK are both aggregated from them, weighting each "
        "district by its hours worked."))
    line_chart({"GVA per hour worked": hour.set_index("year")["relative"],
                "GVA per filled job": job.set_index("year")["relative"]},
               title=f"{area.title}: productivity relative to the UK (UK = 100)",
               xlabel="Year", ylabel="Index, UK = 100", reference=100,
               sources=[SRC_PROD + "; region and UK aggregated from districts"])
    year = int(prod["year"].max())
    idx = (prod[prod["lad_code"].isin(area.lad_codes) & (prod["year"] == year)
                & prod["measure"].isin(["gva_per_hour_index", "gva_per_job_index"])]
           .pivot_table(index="area_name", columns="measure", values="value")
           .sort_values("gva_per_hour_index"))
    paired_bars(list(idx.index), {"per hour worked": idx["gva_per_hour_index"],
                                  "per filled job": idx["gva_per_job_index"]},
                title=f"Productivity by district, {year} (UK = 100)",
                xlabel="Index, UK = 100", reference=100,
                sources=[SRC_PROD + ", tables A1 and B1"])
    return {"gva_per_hour_gbp": latest["value"], "gva_per_hour_relative_uk": latest["relative"],
            "productivity_year": int(latest["year"])}


def output(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """Total GVA, its nominal growth and its mix by industry section."""
    gva = tables.get("gva_itl3_industry")
    itl3 = list(area.itl3)
    if gva is None or not set(itl3) & set(gva["itl_code"]):
        _missing("GVA by industry for the area's ITL3 areas")
        return {}
    sections = profile.gva_by_section(gva, itl3)
    year = int(sections["year"].iloc[0])
    total = sections["gva_gbp_m"].sum()
    share = 100 * total / sections["uk_gva_gbp_m"].sum()
    display(Markdown(f"Total GVA of ITL3 areas {', '.join(area.itl_label(c) for c in itl3)} "
                     f"in {year}: **£{total / 1000:,.1f} billion** (current prices), "
                     f"{share:.1f}% of the UK."))
    growth = profile.gva_growth(gva, itl3).set_index("year")
    line_chart({area.title: growth["region_index"], "UK": growth["uk_index"]},
               title=f"Nominal GVA growth, {int(growth.index.min())} = 100", xlabel="Year",
               ylabel=f"Index, {int(growth.index.min())} = 100", sources=[SRC_GVA])
    top = sections.sort_values("share")
    paired_bars(list(top["sic07_code"] + " " + top["sic07_description"]),
                {area.title: top["share"], "UK": top["uk_share"]},
                title=f"Share of GVA by industry section, {year}", xlabel="% of total GVA",
                sources=[SRC_GVA], width=9)
    return {"gva_gbp_bn": total / 1000, "gva_share_of_uk_pct": share, "gva_year": year}


def jobs(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """Employment by section and its location quotient against Great Britain."""
    bres, sic = tables.get("bres_itl2_sic2"), tables.get("sic2007")
    if bres is None or not set(area.itl2) & set(bres["itl2_code"]):
        _missing("BRES employment for the area's ITL2 areas")
        return {}
    emp = profile.employment_by_section(bres, list(area.itl2)).dropna(subset=["lq"])
    names = (sic.drop_duplicates("section").set_index("section")["section_name"]
             if sic is not None else pd.Series(dtype=str))
    emp["name"] = emp["section"].map(names).fillna("")
    year = int(emp["year"].iloc[0])
    source = SRC_BRES.format(year=year) + f"; area = ITL2 {area.itl2_label()}"
    emp = emp.sort_values("lq")
    bar_chart(list(emp["section"] + " " + emp["name"]), list(emp["lq"]),
              title=f"Employment location quotients by industry section vs Great Britain, "
                    f"{year}", xlabel="Location quotient (1 = GB share)", reference=1,
              sources=[source])
    show_table(emp.sort_values("employment", ascending=False)
               [["section", "name", "employment", "share", "gb_share", "lq"]]
               .rename(columns={"share": "% of area", "gb_share": "% of GB"}),
               formats={"employment": "{:,.0f}", "% of area": "{:.1f}", "% of GB": "{:.1f}",
                        "lq": "{:.2f}"}, sources=[source],
               caption=f"Employment by industry section and location quotient, {year}")
    return {"employment": float(emp["employment"].sum()), "bres_year": year}


def business(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """The area's own enterprises in the latest year of ONS's business demography: active
    enterprises, births and deaths by district, with rates against the UK."""
    demography = tables.get("business_demography")
    if demography is None or not demography["lad_code"].isin(area.lad_codes).any():
        _missing("ONS business demography for the area's districts")
        return {}
    firms = profile.business_demography_summary(demography, area.lad_codes,
                                                total_label=area.title)
    year = int(firms["year"].iloc[0])
    mine, uk = firms.iloc[-1], firms.iloc[-2]
    display(Markdown(
        f"In {year}, {area.title} had **{mine['active']:,.0f}** active enterprises, "
        f"{100 * mine['active'] / uk['active']:.1f}% of the UK's. "
        f"{mine['births']:,.0f} were born and {mine['deaths']:,.0f} closed that year: a birth "
        f"rate of **{mine['birth_rate']:.1f}%** of active enterprises against "
        f"{uk['birth_rate']:.1f}% for the UK, and a death rate of {mine['death_rate']:.1f}% "
        f"against {uk['death_rate']:.1f}%. More births and more deaths than nationally "
        "mean more churn, not necessarily more growth."))
    districts = firms.iloc[:-2].sort_values("birth_rate")
    paired_bars(list(districts["lad_name"]), {"births": districts["birth_rate"],
                                              "deaths": districts["death_rate"]},
                title=f"Enterprise births and deaths as % of active enterprises, by district, "
                      f"{year}", xlabel="% of active enterprises",
                reference=float(uk["birth_rate"]),
                sources=[SRC_DEMOGRAPHY + "; dotted line: UK birth rate"])
    show_table(firms.drop(columns=["lad_code", "year"]).rename(columns={
        "lad_name": "Area", "active": "Active enterprises", "births": "Births",
        "deaths": "Deaths", "birth_rate": "Birth rate (%)", "death_rate": "Death rate (%)"}),
        formats={"Active enterprises": "{:,.0f}", "Births": "{:,.0f}", "Deaths": "{:,.0f}",
                 "Birth rate (%)": "{:.1f}", "Death rate (%)": "{:.1f}"},
        caption=f"Active enterprises, births and deaths by district, {year}",
        sources=[SRC_DEMOGRAPHY], units="enterprises; rates as % of active enterprises")
    return {"active_enterprises": float(mine["active"]), "enterprise_birth_rate_pct":
            float(mine["birth_rate"]), "business_demography_year": year}


def _district_outlines(small_areas: gpd.GeoDataFrame, area: StudyArea) -> gpd.GeoDataFrame:
    outlines = small_areas.dissolve(by="lad_code").reset_index()
    outlines["name"] = outlines["lad_code"].map(area.lads)
    return outlines


def deprivation(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """IoD2025: share of each district's LSOAs in England's most deprived tenth, and a map
    (IMD 2019 appears only in the comparison that follows)."""
    imd = tables.get("iod2025_imd")
    if imd is None or not imd["lad24_code"].isin(area.lad_codes).any():
        _missing("The English Indices of Deprivation 2025 for this area")
        return {}
    mine = imd[imd["lad24_code"].isin(area.lad_codes)]
    dep = (mine.assign(decile1=mine["imd_decile"] == 1)
           .groupby("lad24_name", as_index=False)["decile1"].mean()
           .assign(pct=lambda d: 100 * d["decile1"]).sort_values("pct"))
    bar_chart(list(dep["lad24_name"]), list(dep["pct"]),
              title="Share of neighbourhoods (LSOAs) among England's 10% most deprived, "
                    "Indices of Deprivation 2025",
              xlabel="% of the district's LSOAs (England = 10%)", reference=10,
              sources=[SRC_IOD25])
    shapes = tables.get("lsoa11_boundaries")
    if shapes is not None and shapes["lad_code"].isin(area.lad_codes).any():
        shapes = shapes[shapes["lad_code"].isin(area.lad_codes)]
        # no 2021 LSOA boundaries in the mirror: LSOAs whose code did not change since 2011
        # (the great majority) are drawn on their 2011 outline; changed ones are said in words
        joined = shapes.merge(mine[["lsoa21_code", "imd_decile"]], left_on="area_code",
                              right_on="lsoa21_code")
        choropleth(joined, "imd_decile", categorical=True, cmap="RdYlBu",
                   title="Index of Multiple Deprivation 2025 by LSOA",
                   legend_title="IMD decile (1 = most deprived)",
                   outlines=_district_outlines(shapes, area), names="name",
                   sources=[SRC_IOD25, SRC_BDY + "; LSOA 2011 outlines"])
        display(Markdown(f"The map draws {len(joined):,} of the area's {len(mine):,} "
                         "neighbourhoods of 2021: those whose code and outline are unchanged "
                         f"since 2011. The other {len(mine) - len(joined):,} were split or "
                         "merged in 2021 and have no outline in the data used here, so they "
                         "are left blank; the chart above counts them all."))
    else:
        _missing("LSOA boundaries for this area")
    return {"lsoas_most_deprived_decile_iod2025": int((mine["imd_decile"] == 1).sum())}


def workplaces(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """Census 2011 workplace population by MSOA: where people work, and in manufacturing."""
    census, msoas = tables.get("census2011_workplace_msoa"), tables.get("msoa11_boundaries")
    if census is None or msoas is None or not msoas["lad_code"].isin(area.lad_codes).any():
        _missing("Census workplace population or MSOA boundaries for this area")
        return {}
    msoas = msoas[msoas["lad_code"].isin(area.lad_codes)]
    work = profile.workplace_by_msoa(census, list(msoas["area_code"]))
    shapes = msoas.merge(work, left_on="area_code", right_on="msoa11_code")
    outlines = _district_outlines(msoas, area)
    # a count map shows mostly which MSOAs are large; workers per square kilometre do not
    shapes["workers_per_km2"] = shapes["workers_total"] / (shapes.geometry.area / 1e6)
    choropleth(shapes, "workers_per_km2", cmap="viridis", outlines=outlines, names="name",
               title="Workers per square kilometre by place of work, MSOAs, Census 2011",
               legend_title="Workers per km² (quintiles)", sources=[SRC_CENSUS, SRC_BDY])
    choropleth(shapes, "share_C", cmap="magma_r", outlines=outlines, names="name",
               title="Share of workers in manufacturing, MSOAs, Census 2011",
               legend_title="% in manufacturing (quintiles)", sources=[SRC_CENSUS, SRC_BDY])
    show_table(work.nlargest(10, "workers_total")[["msoa11_name", "workers_total", "share_C"]]
               .rename(columns={"msoa11_name": "MSOA", "workers_total": "workers",
                                "share_C": "% manufacturing"}),
               formats={"workers": "{:,.0f}", "% manufacturing": "{:.1f}"},
               caption="The ten MSOAs with the most workers, Census 2011",
               sources=[SRC_CENSUS])
    return {"workers_2011": float(work["workers_total"].sum())}
