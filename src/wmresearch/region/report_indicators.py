"""State of the Region report sections built on ONS's indicator files: key messages, the
dashboard, peers among combined authorities, and deprivation 2019 vs 2025."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from wmresearch.evidence.indicators import INDICATORS
from wmresearch.evidence.tables import Tables
from wmresearch.region.area import StudyArea
from wmresearch.region.dashboard import dashboard, key_messages
from wmresearch.region.deprivation import deprivation_change
from wmresearch.region.peers import peer_table, rank_of
from wmresearch.region.report_money import key_message
from wmresearch.reporting.charts import bar_chart
from wmresearch.reporting.tables import show_table

SRC_ELS = "ONS, Explore local statistics indicator files ({release})"
SRC_IOD = ("MHCLG, English Indices of Deprivation 2025 (File 1, LSOA 2021) and 2019 (File 1, "
           "LSOA 2011)")
#: Indicators compared with every combined authority in the peers section.
PEER_INDICATORS = ("employment_rate", "median_weekly_pay", "gdhi_per_head",
                   "qualifications_level3_plus")
WEIGHT_TABLES = ("explore_local", "population_mye2021", "productivity_lad",
                 "business_demography")


def _weights(tables: Tables) -> dict[str, pd.DataFrame]:
    return {name: frame for name in WEIGHT_TABLES if (frame := tables.get(name)) is not None}


def overview(area: StudyArea, tables: Tables, gaps: dict[str, Any] | None = None
             ) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """Key messages in words and the dashboard of every indicator (value, comparator, rank
    among combined authorities, trend, release). ``gaps`` is
    :func:`~wmresearch.region.report_money.reconcile`: the output gap quoted first, from the
    page's one GVA total."""
    available = _weights(tables)
    if "explore_local" not in available:
        display(Markdown("_ONS's indicator files are not in the acquired data for this run: "
                         "the dashboard is omitted._"))
        return None, {}
    board = dashboard(available, area.code, area.lad_codes, area_name=area.title)
    messages = key_messages(board)
    metrics: dict[str, Any] = {
        "indicators": len(board),
        "summary": f"The economy, people and places of {area.title} against the UK and every "
                   "combined authority, from ONS's own releases."}
    if gaps is not None:
        messages.insert(0, key_message(gaps, area.title))
    metrics["key_messages"] = messages
    items = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    display(HTML(f'<div class="wm-key-messages" style="border-left:4px solid #0072b2;'
                 f'padding:0.3em 1em;background:#f3f8fc"><h3>Key messages</h3><ul>{items}</ul>'
                 "</div>"))
    if gaps is not None and (note := release_note(board, gaps["year"]).strip()):
        display(Markdown(f"_{note}_"))
    return board, metrics


def release_note(board: pd.DataFrame, year: int) -> str:
    """Why the dashboard's GVA per hour (a later ONS release) differs from the headline's."""
    row = board[board["indicator_id"] == "gva_per_hour"]
    if row.empty or str(row["period"].iloc[0]) == str(year):
        return ""
    r = row.iloc[0]
    return (f" The dashboard shows GVA per hour for {r['period']} ({r['region_value']} against "
            f"{r['comparator']}) from ONS's later release; the money figures stay in {year}, "
            "the latest year of the GVA total.")


def dashboard_table(board: pd.DataFrame | None) -> None:
    """The dashboard, grouped by fundamental: words and units on the page, numbers in its
    CSV, the release as its date (the link is in the CSV)."""
    if board is None:
        return
    board = board.sort_values(["fundamental", "indicator"])
    shown = board.assign(release=board["release"].str.split(": ").str[0])[
        ["fundamental", "indicator", "region_value", "comparator", "rank", "significance",
         "trend", "period", "release"]].rename(columns={
             "fundamental": "Fundamental", "indicator": "Indicator", "region_value": "Area",
             "comparator": "National figure", "rank": "Rank among combined authorities",
             "significance": "Difference (95% intervals)", "trend": "Trend",
             "period": "Data as of", "release": "Released"})
    data = board[["fundamental", "indicator", "unit", "value", "comparator_value",
                  "comparator", "rank", "significance", "trend", "period", "release",
                  "method"]].assign(
        value=pd.to_numeric(board["value"], errors="coerce"),
        comparator_value=pd.to_numeric(board["comparator_value"], errors="coerce"))
    show_table(shown, data=data, caption="Dashboard: every indicator ONS publishes for the "
               "area, against the national figure and the other combined authorities",
               sources=["ONS, Explore local statistics indicator files (release of each row in "
                        "the table); region values as published for the combined authority "
                        "where ONS publishes them, else aggregated from districts (the method "
                        "of each row is in the CSV)"])


def peers(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """Selected indicators for every combined authority, with the study area highlighted."""
    els = tables.get("explore_local")
    if els is None:
        return {}
    metrics: dict[str, Any] = {}
    for key in PEER_INDICATORS:
        spec = INDICATORS[key]
        table = peer_table(els, key, highlight=area.code)
        if table.empty:
            continue
        table = table.dropna(subset=["value"]).sort_values("value")
        release = f"{table['release'].iloc[0]}, published {table['release_date'].iloc[0]}"
        mine = table.loc[table["areacd"] == area.code, "areanm"]
        bar_chart(list(table["areanm"]), list(table["value"]),
                  title=f"{spec.indicator}, combined authorities, {table['period'].iloc[0]}",
                  xlabel=spec.unit, highlight=str(mine.iloc[0]) if len(mine) else None,
                  intervals=(table["lci_95"], table["uci_95"])
                  if table["lci_95"].notna().any() else None,
                  reference=float(table["comparator_value"].iloc[0])
                  if pd.notna(table["comparator_value"].iloc[0]) else None,
                  sources=[SRC_ELS.format(release=release)
                           + f"; dotted line: {table['comparator_label'].iloc[0]}"
                           + ("; bars: ONS's 95% confidence intervals"
                              if table["lci_95"].notna().any() else "")])
        if area.code in set(table["areacd"]):
            metrics[f"rank_{key}"] = rank_of(table, area.code)
    return metrics


def deprivation_2025(area: StudyArea, tables: Tables) -> dict[str, Any]:
    """Share of each district's LSOAs in England's most deprived tenth, IoD2019 and IoD2025."""
    new, old = tables.get("iod2025_imd"), tables.get("imd2019_lsoa")
    if new is None or old is None:
        display(Markdown("_The Indices of Deprivation 2025 or 2019 are not in the acquired "
                         "data: comparison omitted._"))
        return {}
    change = deprivation_change(new, old, area.lad_codes, total_label=area.title)
    display(Markdown(f"_{change.caveat}_"))
    table = change.table.drop(columns="lad_code").rename(columns={
        "lad_name": "district", "lsoas_2019": "LSOAs 2019", "decile1_2019": "in decile 1, 2019",
        "share_2019": "% in decile 1, 2019", "lsoas_2025": "LSOAs 2025",
        "decile1_2025": "in decile 1, 2025", "share_2025": "% in decile 1, 2025",
        "change_pp": "change (points)"})
    show_table(table, formats={c: "{:.1f}" for c in table.columns if c.startswith(("%", "change"))},
               caption="Neighbourhoods (LSOAs) in England's most deprived tenth, by district, "
                       "Indices of Deprivation 2019 and 2025", sources=[SRC_IOD])
    total = change.table.iloc[-1]
    return {"decile1_share_2019_pct": float(total["share_2019"]),
            "decile1_share_2025_pct": float(total["share_2025"])}
