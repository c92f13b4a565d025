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
from wmresearch.evidence.geography import itl_to_nuts
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
SRC_UKBC = "ONS, UK Business Counts {year} (IDBR), NOMIS"
SRC_IMD = "MHCLG, English Indices of Deprivation 2019 (File 1, September 2019)"
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
    """Enterprise size structure (GB) and the area's workplaces by section."""
    ukbc, idbr = tables.get("ukbc_sizeband"), tables.get("idbr_nuts2_sic4")
    out: dict[str, Any] = {}
    if ukbc is not None:
        size = profile.business_size_structure(ukbc)
        year = int(size["year"].iloc[0])
        bar_chart(list(size["sizeband"].astype(str)), list(size["share"]),
                  title=f"Enterprises by employment size band, Great Britain, {year}",
                  xlabel="% of enterprises", sources=[SRC_UKBC.format(year=year)])
    nuts = [itl_to_nuts(c) for c in area.itl2]
    if idbr is None or not set(nuts) & set(idbr["nuts2_code"]):
        _missing("Workplace counts for the area's NUTS2 areas")
        return out
    units = profile.local_units_by_section(idbr, nuts)
    year = int(units["year"].iloc[0])
    display(Markdown(f"Workplaces (local units) in {area.itl2_label()}: "
                     f"**{units['local_units'].sum():,.0f}** in {year}."))
    show_table(units.sort_values("local_units", ascending=False)
               .rename(columns={"share": "% of area", "gb_share": "% of GB"}),
               formats={"local_units": "{:,.0f}", "% of area": "{:.1f}", "% of GB": "{:.1f}",
                        "lq": "{:.2f}"},
               caption=f"Workplaces (local units) by industry section, {area.itl2_label()}, "
                       f"{year}",
               sources=[SRC_UKBC.format(year=year) + ", local units by NUTS2 (2013) area; "
                        "GB excludes Northern Ireland"])
    return {**out, "local_units": float(units["local_units"].sum())}


def _district_outlines(small_areas: gpd.GeoDataFrame, area: StudyArea) -> gpd.GeoDataFrame:
    outlines = small_areas.dissolve(by="lad_code").reset_index()
    outlines["name"] = outlines["lad_code"].map(area.lads)
    return outlines


def deprivation(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """IMD 2019: share of each district's LSOAs in England's most deprived tenth, and a map."""
    imd = tables.get("imd2019_lsoa")
    if imd is None or not imd["lad_code"].isin(area.lad_codes).any():
        _missing("The English Indices of Deprivation 2019 for this area")
        return {}
    dep = profile.deprivation_summary(imd, area.lad_codes).sort_values(
        "most_deprived_decile_pct")
    bar_chart(list(dep["lad19_name"]), list(dep["most_deprived_decile_pct"]),
              title="Share of neighbourhoods (LSOAs) among England's 10% most deprived",
              xlabel="% of the district's LSOAs (England = 10%)", reference=10,
              sources=[SRC_IMD])
    shapes = tables.get("lsoa11_boundaries")
    if shapes is not None and shapes["lad_code"].isin(area.lad_codes).any():
        shapes = shapes[shapes["lad_code"].isin(area.lad_codes)]
        joined = shapes.merge(imd[["lsoa11_code", "imd_decile"]], left_on="area_code",
                              right_on="lsoa11_code")
        choropleth(joined, "imd_decile", categorical=True, cmap="RdYlBu",
                   title="Index of Multiple Deprivation 2019 by LSOA",
                   legend_title="IMD decile (1 = most deprived)",
                   outlines=_district_outlines(shapes, area), names="name",
                   sources=[SRC_IMD, SRC_BDY])
    else:
        _missing("LSOA boundaries for this area")
    return {"lsoas_most_deprived_decile": int((imd[imd["lad_code"].isin(area.lad_codes)]
                                               ["imd_decile"] == 1).sum())}


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
    choropleth(shapes, "workers_total", title="Workers by place of work, MSOAs, Census 2011",
               legend_title="Workers (quintiles)", outlines=outlines, names="name",
               sources=[SRC_CENSUS, SRC_BDY])
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
