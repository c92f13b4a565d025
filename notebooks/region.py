# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # The State of the Region
#
# The area's economy from the publishers' own files: productivity, output by industry, jobs
# and their sectors, business structure, deprivation and where people work. Each chart names
# the release it comes from, and every figure is rebuilt from those files.

# %% tags=["parameters"]
region = "E47000007"

# %% tags=["remove-cell"]
import pandas as pd

from wmresearch.config import Project
from wmresearch.evidence.area import study_area
from wmresearch.evidence.indicators import INDICATORS
from wmresearch.evidence.tables import Tables
from wmresearch.region import profile
from wmresearch.region.aggregates import area_gva, area_rate
from wmresearch.region.dashboard import board_summary, dashboard
from wmresearch.region.deprivation import decile_one_share, deprivation_change
from wmresearch.region.gaps import gdp_per_head_relative
from wmresearch.region.indicators import PRODUCTIVITY_RELEASE
from wmresearch.region.money import WMCA_GREEN_PAPER, output_gap_table
from wmresearch.region.peers import area_among_peers, rank_of
from wmresearch.reporting import glossary, line_chart, number, say, show_table, write_metrics
from wmresearch.reporting.charts import bar_chart, choropleth, paired_bars

# %% tags=["remove-cell"]
paths = Project.here().paths
evidence = Tables(paths)
area = study_area(evidence, region)
metrics = {"region": region, "area": area.name}
OMITTED = "not in the acquired data for this run, so this part is omitted."
#: Charts by district show every district up to this many, else the 10 lowest and 10 highest.
MAX_DISTRICT_BARS = 30
SRC_PROD = ("ONS, Subregional productivity: labour productivity by local authority district, "
            "June 2024 release (current prices, smoothed; data to 2022)")
SRC_GVA = ("ONS, Regional gross value added (balanced) by industry, ITL3, current prices, "
           "release covering 1998-2022 (Table 3c)")
SRC_BRES = "ONS, Business Register and Employment Survey {year} (open access, rounded), NOMIS"
SRC_DEMOGRAPHY = ("ONS, Business demography, UK: 2024 reference tables (births 1.1, deaths "
                  "2.1, active enterprises 3.1), districts on current boundaries")
SRC_IOD25 = "MHCLG, English Indices of Deprivation 2025 (File 1, IMD by LSOA 2021)"
SRC_IOD = ("MHCLG, English Indices of Deprivation 2025 (File 1, LSOA 2021) and 2019 (File 1, "
           "LSOA 2011)")
SRC_ELS = "ONS, Explore local statistics indicator files ({release})"
SRC_CENSUS = "ONS, Census 2011 workplace population by industry (WP605EW)"
SRC_BDY = "ONS Open Geography Portal boundaries; contains OS data (c) Crown copyright"

# %%
many = len(area.lads) > 12
districts = ", ".join(name if many else f"{name} ({code})" for code, name in area.lads.items())
say(f"**{area.name}**: {number(len(area.lads))} district{'s' if len(area.lads) > 1 else ''}, "
    f"{districts}." + (f" Source of the list: {area.source}." if area.key != area.code else "")
    + f" Statistics published for ITL areas use ITL3 "
    f"{', '.join(area.itl_label(c) for c in area.itl3)} and ITL2 {area.itl2_label()}."
    + ("" if area.itl2_exact else
       f" These ITL2 areas also contain {', '.join(area.extra_lads)}, which are outside the "
       "study area: ITL2 figures describe a larger area."))

# %% tags=["remove-cell"]
gva = evidence.get("gva_itl3_industry")
productivity = evidence.get("productivity_lad")
explore_local = evidence.get("explore_local")
population = evidence.get("population_mye2021")
if productivity is not None:
    hour = area_rate(productivity, area, "gva_per_hour", "hours_worked").set_index("year")
    job = area_rate(productivity, area, "gva_per_job", "filled_jobs").set_index("year")
gva_year = int(gva["year"].max()) if gva is not None else None
gaps = None
if gva is not None and productivity is not None and gva_year in hour.index:
    gva_total, gva_method = area_gva(gva, productivity, evidence.get("lad_itl"), area, gva_year)
    head = (gdp_per_head_relative(explore_local, area.code, area.lad_codes, year=gva_year,
                                  population=population) if explore_local is not None else {})
    gaps = output_gap_table(
        gva_total / 1e6, hour_relative=hour.loc[gva_year, "relative"],
        job_relative=job.loc[gva_year, "relative"] if gva_year in job.index else None,
        head_relative=head.get("relative") if head.get("year") == gva_year else None,
        published=WMCA_GREEN_PAPER if area.code == "E47000007" else None)
    headline = gaps.iloc[0]

# %% tags=["remove-cell"]
weights = {name: frame for name in ("explore_local", "population_mye2021", "productivity_lad",
                                    "business_demography")
           if (frame := evidence.get(name)) is not None}
board = None
if explore_local is not None:
    board = dashboard(weights, area.code, area.lad_codes, area_name=area.name,
                      peers=area.peers)
    board["described"] = [
        # "Employment rate" -> "employment rate", but "GDP per head" stays
        f"{r.indicator[:1].lower() if r.indicator[1:2].islower() else r.indicator[:1]}"
        f"{r.indicator[1:]} ({r.region_value} against {r.comparator}"
        + (f", {r.rank} {area.peers.label}" if r.rank[0].isdigit() else "") + f", {r.period})"
        for r in board.itertuples()]
    summary = board_summary(board)

# %%
messages = []
if gaps is not None:
    messages.append(
        f"At UK productivity the economy of {area.name} would have been "
        f"{number(headline['gap_gbp_bn'] * 1e9, gbp=True)} larger in {gva_year} (GVA "
        f"{number(gva_total, gbp=True)}; GVA per hour worked "
        f"{number(headline['relative'])}% of the UK's).")
if board is not None:
    found = [
        f"Of {number(summary['measures'])} measures with a national comparison "
        f"({number(summary['indicators'])} indicators, those that move together such as the "
        f"five business survival rates counted once), {area.name} does better than the "
        f"national figure on {number(summary['better'])} and worse on "
        f"{number(summary['worse'])}.",
        "The largest shortfalls are in " + " and ".join(summary["shortfalls"]["described"])
        + "." if len(summary["shortfalls"]) else "",
        "It compares best on " + " and ".join(summary["strengths"]["described"]) + "."
        if len(summary["strengths"]) else "",
        f"Where ONS publishes confidence intervals ({number(summary['tested'])} indicators), "
        f"{number(summary['significant'])} of the differences from the national figure "
        f"{'is' if summary['significant'] == 1 else 'are'} statistically significant (95% "
        "intervals that do not overlap)." if summary["tested"] else "",
        f"Over the latest three to five periods, {number(summary['improving'])} indicators "
        f"are improving and {number(summary['worsening'])} worsening.",
        f"{number(summary['missing'])} of {number(summary['total'])} indicators are not "
        f"published for {area.name} and cannot be built from its districts."
        if summary["missing"] else ""]
    messages += [m for m in found if m][:6]

# %%
say("> **Key messages**\n>\n" + "\n".join(f"> * {m}" for m in messages) if messages else
    "_ONS's indicator files and its GVA and productivity tables are not in the acquired data "
    "for this run, so the key messages are omitted._")

# %%
later = (board[board["indicator_id"] == "gva_per_hour"] if board is not None and gaps is not None
         else pd.DataFrame())
if len(later) and str(later["period"].iloc[0]) != str(gva_year):
    say(f"_The dashboard shows GVA per hour for {later['period'].iloc[0]} "
        f"({later['region_value'].iloc[0]} against {later['comparator'].iloc[0]}) from ONS's "
        f"later release; the money figures stay in {gva_year}, the latest year of the GVA "
        "total._")
metrics.update(summary=f"The economy, people and places of {area.name} against the UK and "
               f"the {area.peers.label}, from ONS's own releases.", key_messages=messages)

# %% [markdown]
# ## Dashboard
#
# Every indicator ONS publishes for local areas, grouped by the inclusive-growth
# fundamentals: the area's latest value, the national figure, its rank among comparable
# areas (named below), whether the gap is statistically significant (only where ONS
# publishes 95% confidence intervals that do not overlap) and the trend over the last five
# periods.
#
# How to read it: ranks compare rates, shares and per-head figures only (1st = best); totals
# such as exports or investment are not ranked, because areas differ in size. Trends of
# money in current prices are marked "nominal": part of any rise is inflation, so they are
# not called improving. Indicators that move together (the business survival rates, the
# wellbeing scores) are counted once in the key messages.

# %%
if board is None:
    say(f"_ONS's indicator files are {OMITTED}_")
else:
    names = explore_local.drop_duplicates("areacd").set_index("areacd")["areanm"]
    left_out = [f"{names.get(code, code)} ({area.peers.kind})" for code in area.peers.excluded]
    ranks = board["rank"].str.extract(r" of (\d+)$")[0].dropna()
    sizes = [number(n) for n in sorted({int(n) for n in ranks})]
    out_of = ", ".join(sizes[:-1]) + (" or " if len(sizes) > 1 else "") + "".join(sizes[-1:])
    say(f"{area.name} is ranked among the {area.peers.label}"
        + (f" ({area.peers.reason})" if area.peers.reason else "")
        + (f". ONS publishes no figures for {area.name} itself: its values are aggregated "
           f"from its {number(len(area.lads))} districts, each district's rate weighted by "
           "its denominator (the method of each row is in the table's CSV)"
           if area.peers.own is None else "")
        + (f", leaving out {' and '.join(left_out)}, which "
           f"share{'s' if len(left_out) == 1 else ''} its districts" if left_out else "")
        + (f". A rank is out of the areas ONS publishes that indicator for, which is why "
           f"ranks are out of {out_of} areas." if sizes else "."))
    metrics["indicators"] = len(board)

# %%
if board is not None:
    ordered = board.sort_values(["fundamental", "indicator"])
    show_table(ordered.assign(release=ordered["release"].str.split(": ").str[0])[
        ["fundamental", "indicator", "region_value", "comparator", "rank", "significance",
         "trend", "period", "release"]].rename(columns={
             "fundamental": "Fundamental", "indicator": "Indicator", "region_value": "Area",
             "comparator": "National figure", "rank": f"Rank among {area.peers.label}",
             "significance": "Difference (95% intervals)", "trend": "Trend",
             "period": "Data as of", "release": "Released"}),
        data=ordered[["fundamental", "indicator", "unit", "value", "comparator_value",
                      "comparator", "rank", "significance", "trend", "period", "release",
                      "method"]].assign(
            value=pd.to_numeric(ordered["value"], errors="coerce"),
            comparator_value=pd.to_numeric(ordered["comparator_value"], errors="coerce")),
        caption=f"Dashboard: every indicator ONS publishes for the area, against the national "
                f"figure and the {area.peers.label}",
        sources=["ONS, Explore local statistics indicator files (release of each row in the "
                 "table); the area's values as ONS publishes them where it does, else "
                 "aggregated from its districts (the method of each row is in the CSV)"])

# %% [markdown]
# ## 1. Productivity
#
# GVA per hour worked is the headline measure of labour productivity; GVA per filled job
# also reflects hours worked per job. Both are in current prices and smoothed by ONS, so
# comparisons across areas within a year are the meaningful ones.

# %%
if productivity is None:
    say(f"_The ONS district productivity workbook is {OMITTED}_")
else:
    latest = hour.iloc[-1]
    say(f"In {hour.index[-1]}, GVA per hour worked in {area.name} was "
        f"**£{number(latest['value'], digits=2)}**, **{number(latest['relative'])}%** of the UK "
        f"figure computed the same way from district values "
        f"(£{number(latest['uk'], digits=2)}; ONS's published UK figure is "
        f"£{number(latest['uk_published'])}). District figures are published rounded, so the "
        "area and the UK are both aggregated from them, weighting each district by its hours "
        "worked.")
    line_chart({"GVA per hour worked": hour["relative"], "GVA per filled job": job["relative"]},
               title=f"{area.name}: productivity relative to the UK (UK = 100)",
               xlabel="Year", ylabel="Index, UK = 100", reference=100,
               sources=[SRC_PROD + "; area and UK aggregated from districts"])
    metrics.update(gva_per_hour_gbp=latest["value"], gva_per_hour_relative_uk=latest["relative"],
                   productivity_year=int(hour.index[-1]))

# %%
if productivity is not None:
    prod_year = int(productivity["year"].max())
    index = (productivity[productivity["lad_code"].isin(area.lad_codes)
                          & (productivity["year"] == prod_year)
                          & productivity["measure"].isin(["gva_per_hour_index",
                                                          "gva_per_job_index"])]
             .pivot_table(index="area_name", columns="measure", values="value")
             .sort_values("gva_per_hour_index"))
    if len(index) > MAX_DISTRICT_BARS:
        index = pd.concat([index.head(10), index.tail(10)])
    paired_bars(list(index.index), {"per hour worked": index["gva_per_hour_index"],
                                    "per filled job": index["gva_per_job_index"]},
                title=f"Productivity by district, {prod_year} (UK = 100)"
                      + (f", the 10 lowest and 10 highest of {number(len(area.lads))}"
                         if len(area.lads) > MAX_DISTRICT_BARS else ""),
                xlabel="Index, UK = 100", reference=100,
                sources=[SRC_PROD + ", tables A1 and B1"])

# %% [markdown]
# ### The output gap
#
# How much larger the economy would be at UK productivity. Every measure below starts from the
# same GVA total (section 2), so each figure can be checked by hand: gap = GVA × (100 / area
# as % of UK − 1).

# %%
if gaps is None:
    say(f"_GVA or productivity for the area's districts is {OMITTED}_")
else:
    say(f"At UK productivity the economy of {area.name} would have been "
        f"**{number(headline['gap_gbp_bn'] * 1e9, gbp=True)}** larger in {gva_year}: its GVA "
        f"of {number(gva_total, gbp=True)} × (100 / {number(headline['relative'])} − 1), "
        f"where {number(headline['relative'])}% is its GVA per hour worked against the UK's "
        f"(GVA: the {gva_method}). The hours-based gap is the headline because GVA per hour "
        "worked compares like with like: it is not affected by part-time work or by how many "
        "residents are in work. Per filled job and per head the gap differs (table below).")
    metrics.update(output_gap_gbp_bn=headline["gap_gbp_bn"], output_gap_year=gva_year,
                   output_gap_method="hours-based: GVA x (100 / GVA per hour relative to UK "
                                     "- 1)", output_gap_gva_gbp_bn=gva_total / 1e9)

# %%
if gaps is not None:
    show_table(gaps.rename(columns={
        "measure": "Measure", "relative": "Area as % of UK",
        "total_gbp_bn": "GVA total used (£bn)", "gap_gbp_bn": "Output gap (£bn)",
        "basis": "What the gap assumes"}),
        formats={"Area as % of UK": "{:.1f}", "GVA total used (£bn)": "{:.1f}",
                 "Output gap (£bn)": "{:.1f}"},
        caption=f"Output gap at UK productivity, {gva_year}, each measure on the one GVA total",
        sources=[SRC_GVA, PRODUCTIVITY_RELEASE + " (GVA per hour and per job, UK aggregated "
                 "from districts)", "ONS, GDP per head (Explore local statistics)"]
        + ([WMCA_GREEN_PAPER.source] if area.code == "E47000007" else []))

# %%
published = (gaps[gaps["measure"].str.startswith("Published")] if gaps is not None
             else pd.DataFrame())
if len(published):
    own = published.iloc[0]
    uk_published = hour.loc[gva_year, "uk_published"]
    say(f"WMCA quotes an output gap of about "
        f"{number(WMCA_GREEN_PAPER.gap_gbp_bn * 1e9, gbp=True, digits=0)} "
        f"({WMCA_GREEN_PAPER.source}), from GVA per hour of "
        f"£{number(WMCA_GREEN_PAPER.gva_per_hour, digits=2)} against the UK's "
        f"£{number(WMCA_GREEN_PAPER.uk_gva_per_hour, digits=2)} ({number(own['relative'])}%). "
        f"Applied to the {number(own['total_gbp_bn'] * 1e9, gbp=True)} shown here those rates "
        f"give {number(own['gap_gbp_bn'] * 1e9, gbp=True)}. The rest of the difference is the "
        "total: WMCA does not state the GVA it applied its rates to. Its rates also differ from "
        f"this page's (£{number(hour.loc[gva_year, 'value'], digits=2)} against "
        f"£{number(hour.loc[gva_year, 'uk'], digits=2)} in {gva_year}) because it compares "
        f"with ONS's published UK figure (£{number(uk_published, digits=2)} that year), where "
        "this page aggregates the UK from districts in the same way as the area (like for "
        "like).")

# %% [markdown]
# ## 2. Output by industry

# %%
if gaps is None or not set(area.itl3) & set(gva["itl_code"]):
    say(f"_GVA by industry or district productivity for the area is {OMITTED}_")
else:
    sections = profile.gva_by_section(gva, list(area.itl3), year=gva_year)
    uk_total = gva.loc[(gva["year"] == gva_year) & (gva["industry_level"] == "total"),
                       "gva_gbp_m"].astype(float).sum() * 1e6
    larger = sections["gva_gbp_m"].sum() * 1e6
    say(f"GVA of {area.name} in {gva_year}: **{number(gva_total, gbp=True)}** (current "
        f"prices), {number(100 * gva_total / uk_total)}% of the UK's "
        f"{number(uk_total, gbp=True)}: the {gva_method}."
        + ("" if area.itl3_exact else
           f" ONS publishes GVA by industry for ITL3 areas only: the charts below describe the "
           f"{number(len(area.itl3))} ITL3 areas holding the area "
           f"({number(larger, gbp=True)}), which include districts outside it."))
    metrics.update(gva_gbp_bn=gva_total / 1e9, gva_share_of_uk_pct=100 * gva_total / uk_total,
                   gva_year=gva_year)

# %%
if gaps is not None and set(area.itl3) & set(gva["itl_code"]):
    growth = profile.gva_growth(gva, list(area.itl3)).set_index("year")
    line_chart({area.name: growth["region_index"], "UK": growth["uk_index"]},
               title=f"Nominal GVA growth, {int(growth.index.min())} = 100", xlabel="Year",
               ylabel=f"Index, {int(growth.index.min())} = 100", sources=[SRC_GVA])
    ranked = sections.sort_values("share")
    paired_bars(list(ranked["sic07_code"] + " " + ranked["sic07_description"]),
                {area.name: ranked["share"], "UK": ranked["uk_share"]},
                title=f"Share of GVA by industry section, {gva_year}",
                xlabel="% of total GVA", sources=[SRC_GVA], width=9)

# %% [markdown]
# ## 3. Jobs and specialisation
#
# Employment by industry section and its location quotient against Great Britain
# (LQ above 1: the section's share of jobs is higher than nationally).

# %%
bres, sic = evidence.get("bres_itl2_sic2"), evidence.get("sic2007")
if bres is None or not set(area.itl2) & set(bres["itl2_code"]):
    say(f"_BRES employment for the area's ITL2 areas is {OMITTED}_")
else:
    jobs = profile.employment_by_section(bres, list(area.itl2)).dropna(subset=["lq"])
    section_names = (sic.drop_duplicates("section").set_index("section")["section_name"]
                     if sic is not None else pd.Series(dtype="string"))
    jobs["name"] = jobs["section"].map(section_names).astype("string").fillna("")
    bres_year = int(jobs["year"].iloc[0])
    source = SRC_BRES.format(year=bres_year) + f"; area = ITL2 {area.itl2_label()}"
    jobs = jobs.sort_values("lq")
    bar_chart(list(jobs["section"] + " " + jobs["name"]), list(jobs["lq"]),
              title=f"Employment location quotients by industry section vs Great Britain, "
                    f"{bres_year}", xlabel="Location quotient (1 = GB share)", reference=1,
              sources=[source])
    show_table(jobs.sort_values("employment", ascending=False)
               [["section", "name", "employment", "share", "gb_share", "lq"]]
               .rename(columns={"section": "Section", "name": "Industry",
                                "employment": "Employment", "share": "% of area",
                                "gb_share": "% of GB", "lq": "Location quotient"}),
               formats={"Employment": "{:,.0f}", "% of area": "{:.1f}", "% of GB": "{:.1f}",
                        "Location quotient": "{:.2f}"}, sources=[source],
               caption=f"Employment by industry section and location quotient, {bres_year}")
    metrics.update(employment=float(jobs["employment"].sum()), bres_year=bres_year)

# %% [markdown]
# ## 4. Business structure
#
# The area's own enterprises in the latest year ONS publishes for districts: how many are
# active, how many start up and how many close, against the UK.

# %%
demography = evidence.get("business_demography")
firms = None
if demography is None or not demography["lad_code"].isin(area.lad_codes).any():
    say(f"_ONS business demography for the area's districts is {OMITTED}_")
else:
    firms = profile.business_demography_summary(demography, area.lad_codes,
                                                total_label=area.name)
    firm_year = int(firms["year"].iloc[0])
    mine, uk = firms.iloc[-1], firms.iloc[-2]
    say(f"In {firm_year}, {area.name} had **{number(mine['active'])}** active enterprises, "
        f"{number(100 * mine['active'] / uk['active'])}% of the UK's. "
        f"{number(mine['births'])} were born and {number(mine['deaths'])} closed that year: a "
        f"birth rate of **{number(mine['birth_rate'])}%** of active enterprises against "
        f"{number(uk['birth_rate'])}% for the UK, and a death rate of "
        f"{number(mine['death_rate'])}% against {number(uk['death_rate'])}%. More births and "
        "more deaths than nationally mean more churn, not necessarily more growth.")
    metrics.update(active_enterprises=float(mine["active"]),
                   enterprise_birth_rate_pct=float(mine["birth_rate"]),
                   business_demography_year=firm_year)

# %%
if firms is not None:
    rates = firms.iloc[:-2].sort_values("birth_rate")
    if len(rates) > MAX_DISTRICT_BARS:
        rates = pd.concat([rates.head(10), rates.tail(10)])
    paired_bars(list(rates["lad_name"]), {"births": rates["birth_rate"],
                                          "deaths": rates["death_rate"]},
                title=f"Enterprise births and deaths as % of active enterprises, by district, "
                      f"{firm_year}" + (", the 10 lowest and 10 highest birth rates"
                                        if len(firms) - 2 > MAX_DISTRICT_BARS else ""),
                xlabel="% of active enterprises", reference=float(uk["birth_rate"]),
                sources=[SRC_DEMOGRAPHY + "; dotted line: UK birth rate"])
    show_table(firms.drop(columns=["lad_code", "year"]).rename(columns={
        "lad_name": "Area", "active": "Active enterprises", "births": "Births",
        "deaths": "Deaths", "birth_rate": "Birth rate (%)", "death_rate": "Death rate (%)"}),
        formats={"Active enterprises": "{:,.0f}", "Births": "{:,.0f}", "Deaths": "{:,.0f}",
                 "Birth rate (%)": "{:.1f}", "Death rate (%)": "{:.1f}"},
        caption=f"Active enterprises, births and deaths by district, {firm_year}",
        sources=[SRC_DEMOGRAPHY], units="enterprises; rates as % of active enterprises")

# %% [markdown]
# ## 5. Deprivation
#
# The English Indices of Deprivation 2025 rank every neighbourhood (LSOA) in England; the
# 2019 indices appear only in the comparison that follows.

# %%
iod = evidence.get("iod2025_imd")
lsoas = iod[iod["lad24_code"].isin(area.lad_codes)] if iod is not None else None
if lsoas is None or lsoas.empty:
    say(f"_The English Indices of Deprivation 2025 are {OMITTED}_")
else:
    shares = decile_one_share(lsoas, "lad24_name").sort_values("share")
    if len(shares) > MAX_DISTRICT_BARS:
        shares = pd.concat([shares.head(10), shares.tail(10)])
    bar_chart(list(shares.index), list(shares["share"]),
              title="Share of neighbourhoods (LSOAs) among England's 10% most deprived, "
                    "Indices of Deprivation 2025" + (", the 10 lowest and 10 highest districts"
                                                     if len(area.lads) > MAX_DISTRICT_BARS
                                                     else ""),
              xlabel="% of the district's LSOAs (England = 10%)", reference=10,
              sources=[SRC_IOD25])
    metrics["lsoas_most_deprived_decile_iod2025"] = int((lsoas["imd_decile"] == 1).sum())

# %%
shapes = evidence.get("lsoa11_boundaries")
shapes = shapes[shapes["lad_code"].isin(area.lad_codes)] if shapes is not None else None
if lsoas is None or lsoas.empty or shapes is None or shapes.empty:
    say("_LSOA boundaries for this area are not in the acquired data, so the map is omitted._")
else:
    drawn = lsoas[lsoas["lad24_code"].isin(shapes["lad_code"])]
    outlines = shapes.dissolve(by="lad_code").reset_index()
    outlines["name"] = outlines["lad_code"].map(area.lads)
    # no 2021 LSOA boundaries in the mirror: LSOAs whose code did not change since 2011
    # (the great majority) are drawn on their 2011 outline; changed ones are said in words
    joined = shapes.merge(drawn[["lsoa21_code", "imd_decile"]], left_on="area_code",
                          right_on="lsoa21_code")
    choropleth(joined, "imd_decile", categorical=True, cmap="RdYlBu",
               title="Index of Multiple Deprivation 2025 by LSOA",
               legend_title="IMD decile (1 = most deprived)", outlines=outlines,
               names="name" if len(outlines) <= 20 else None,
               sources=[SRC_IOD25, SRC_BDY + "; LSOA 2011 outlines"])

# %%
if lsoas is not None and len(lsoas) and shapes is not None and len(shapes):
    missing_shapes = sorted(set(area.lads) - set(shapes["lad_code"]))
    say(("" if not missing_shapes else
         f"Small-area boundaries in the acquired data cover {number(len(outlines))} of the "
         f"area's {number(len(area.lads))} districts ({', '.join(outlines['name'])}): the map "
         f"shows those only, and the other {number(len(missing_shapes))} districts are not "
         "drawn. ")
        + f"The map draws {number(len(joined))} of the {number(len(drawn))} neighbourhoods of "
        "2021 in the districts drawn: those whose code and outline are unchanged since 2011. "
        f"The other {number(len(drawn) - len(joined))} were split or merged in 2021 and have "
        "no outline in the data used here, so they are left blank; the chart above counts "
        "all the area's neighbourhoods.")

# %%
old = evidence.get("imd2019_lsoa")
if iod is None or old is None:
    say(f"_The Indices of Deprivation 2025 or 2019 are {OMITTED}_")
else:
    change = deprivation_change(iod, old, area.lad_codes, total_label=area.name).table
    say(f"_IoD2025 ranks {number(len(iod))} LSOAs on 2021 Census boundaries and IoD2019 ranks "
        f"{number(len(old))} LSOAs on 2011 boundaries: many LSOAs were split, merged or "
        "redrawn in 2021, so the two shares describe different sets of neighbourhoods and "
        "their difference is not a like-for-like change in deprivation. Both are relative "
        "measures (the most deprived 10% of England in each edition), not absolute levels._")
    shown = change.drop(columns="lad_code").rename(columns={
        "lad_name": "District", "lsoas_2019": "LSOAs 2019", "decile1_2019": "in decile 1, 2019",
        "share_2019": "% in decile 1, 2019", "lsoas_2025": "LSOAs 2025",
        "decile1_2025": "in decile 1, 2025", "share_2025": "% in decile 1, 2025",
        "change_pp": "Change (points)"})
    show_table(shown, formats={c: "{:.1f}" for c in shown.columns if c.startswith(("%", "Ch"))},
               caption="Neighbourhoods (LSOAs) in England's most deprived tenth, by district, "
                       "Indices of Deprivation 2019 and 2025", sources=[SRC_IOD])
    metrics.update(decile1_share_2019_pct=float(change["share_2019"].iloc[-1]),
                   decile1_share_2025_pct=float(change["share_2025"].iloc[-1]))

# %% [markdown]
# ## 6. Against comparable areas
#
# Four indicators for the area and its peers, with ONS's 95% confidence intervals where it
# publishes them; the dotted line is the national figure.

# %%
for key in ("employment_rate", "median_weekly_pay", "gdhi_per_head",
            "qualifications_level3_plus") if explore_local is not None else ():
    peers = area_among_peers(explore_local, key, area, population=population)
    peers = peers.dropna(subset=["value"]).sort_values("value")
    given = peers["lci_95"].notna().any()
    release = f"{peers['release'].iloc[0]}, published {peers['release_date'].iloc[0]:%d %B %Y}"
    bar_chart(list(peers["areanm"]), list(peers["value"]),
              title=f"{INDICATORS[key].indicator}, {area.peers.label}, {peers['period'].iloc[0]}",
              xlabel=INDICATORS[key].unit,
              highlight=str(peers.loc[peers["highlight"], "areanm"].iloc[0])
              if peers["highlight"].any() else None,
              intervals=(peers["lci_95"], peers["uci_95"]) if given else None,
              reference=float(peers["comparator_value"].iloc[0])
              if pd.notna(peers["comparator_value"].iloc[0]) else None,
              sources=[SRC_ELS.format(release=release)
                       + f"; dotted line: {peers['comparator_label'].iloc[0]}"
                       + ("; bars: ONS's 95% confidence intervals" if given else "")
                       + (f"; {area.name}: aggregated from its districts, no interval"
                          if area.peers.own is None and peers["highlight"].any() else "")])
    if peers["highlight"].any():
        metrics[f"rank_{key}"] = rank_of(peers, area.code)
    else:
        say(f"_{INDICATORS[key].indicator} is not published for {area.name} and cannot be "
            "aggregated from its districts (a median is not an average), so the chart shows "
            f"the {area.peers.label} only._")

# %% [markdown]
# ## 7. Where people work
#
# From the 2011 Census, the latest count of workers by place of work for small areas: the
# map shows workers per square kilometre, so large areas do not look busy by size alone.

# %%
census, msoa_lookup = evidence.get("census2011_workplace_msoa"), evidence.get("msoa_lad_lookup")
work = None
if census is None or msoa_lookup is None:
    say(f"_The Census workplace population or the MSOA lookup is {OMITTED}_")
else:
    codes = msoa_lookup.loc[msoa_lookup["lad_code"].isin(area.lad_codes), "msoa11_code"]
    work = profile.workplace_by_msoa(census, list(codes.dropna().unique()))
    in_manufacturing = work["workers_C"].sum() / work["workers_total"].sum()
    say(f"At the 2011 Census {number(float(work['workers_total'].sum()))} people worked in the "
        f"area's {number(len(work))} MSOAs, {number(in_manufacturing, pct=True)} of them in "
        "manufacturing.")
    show_table(work.nlargest(10, "workers_total")[["msoa11_name", "workers_total", "share_C"]]
               .rename(columns={"msoa11_name": "MSOA", "workers_total": "Workers",
                                "share_C": "% manufacturing"}),
               formats={"Workers": "{:,.0f}", "% manufacturing": "{:.1f}"},
               caption="The ten MSOAs with the most workers, Census 2011",
               sources=[SRC_CENSUS])
    metrics["workers_2011"] = float(work["workers_total"].sum())

# %%
msoas = evidence.get("msoa11_boundaries")
msoas = msoas[msoas["lad_code"].isin(area.lad_codes)] if msoas is not None else None
if work is not None and (msoas is None or msoas.empty):
    say("_MSOA boundaries for this area are not in the acquired data, so the maps are "
        "omitted._")
elif work is not None:
    places = msoas.merge(work, left_on="area_code", right_on="msoa11_code")
    outlines = msoas.dissolve(by="lad_code").reset_index()
    outlines["name"] = outlines["lad_code"].map(area.lads)
    labels = "name" if len(outlines) <= 20 else None
    if len(outlines) < len(area.lads):
        say(f"Small-area boundaries in the acquired data cover {number(len(outlines))} of the "
            f"area's {number(len(area.lads))} districts ({', '.join(outlines['name'])}): the "
            "maps show those only.")
    # a count map shows mostly which MSOAs are large; workers per square kilometre do not
    places["workers_per_km2"] = places["workers_total"] / (places.geometry.area / 1e6)
    choropleth(places, "workers_per_km2", cmap="viridis", outlines=outlines, names=labels,
               title="Workers per square kilometre by place of work, MSOAs, Census 2011",
               legend_title="Workers per km² (quintiles)", sources=[SRC_CENSUS, SRC_BDY])
    choropleth(places, "share_C", cmap="magma_r", outlines=outlines, names=labels,
               title="Share of workers in manufacturing, MSOAs, Census 2011",
               legend_title="% in manufacturing (quintiles)", sources=[SRC_CENSUS, SRC_BDY])

# %%
glossary(["gva", "output_gap", "lq", "confidence_interval", "lsoa", "imd"])

# %% tags=["remove-cell"]
write_metrics(paths.metrics / "region.json", metrics)
