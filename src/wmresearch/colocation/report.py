"""The co-location ("clusters") report: set-up, the study area and industrial concentration.

The notebook ``notebooks/clusters.py`` calls one function per section; each reads the
evidence base through :class:`Tables`, computes its statistics with the tested modules of
:mod:`wmresearch.colocation` and shows charts and tables through :mod:`wmresearch.reporting`.
Every section names its data and year; a table missing from the evidence base (e.g. in demo
mode) is said in words and the section is skipped; no value is ever printed as ``nan``.
Sections store their main tables in ``Context.outputs`` and their figures in
``Context.metrics``; :func:`save` writes both. Later sections live in
:mod:`~wmresearch.colocation.report_plan`, :mod:`~wmresearch.colocation.report_industry` and
:mod:`~wmresearch.colocation.report_firms`.

The study area is resolved here rather than with ``wmresearch.region.area`` (the analysis
packages never import each other): from ``region_lads`` when it was built for ``region``,
otherwise from ``lad_lookup`` and ``lad_itl``, so the report runs for any combined authority
without rebuilding the evidence base.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
from IPython.display import Markdown, display

from wmresearch.colocation.lq import region_lq_table
from wmresearch.config import Paths
from wmresearch.evidence.tables import Tables
from wmresearch.files import atomic_path
from wmresearch.reporting.charts import bar_chart
from wmresearch.reporting.metrics import write_metrics
from wmresearch.reporting.tables import show_table

SRC_BRES = "ONS, Business Register and Employment Survey {year} (open access, rounded), NOMIS"
NA_TEXT = "not available"


@dataclass
class Area:
    """The study area: ``lads`` (lad_code, lad_name, itl2_code), ITL2 labels, outsiders."""

    code: str
    name: str
    lads: pd.DataFrame
    itl2: dict[str, str]
    extra_lads: tuple[str, ...] = ()

    @property
    def itl2_codes(self) -> list[str]:
        return list(self.itl2)

    def itl2_label(self) -> str:
        return ", ".join(f"{name} ({code})" if name != code else code
                         for code, name in self.itl2.items())


@dataclass
class Context:
    """Everything the sections share: inputs, parameters, and what they produce."""

    paths: Paths
    tables: Tables
    area: Area
    year: int | None
    seed: int
    lq_threshold: float
    min_employment: float
    top_n: int
    metrics: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)


def fmt(value: Any, spec: str = ",.0f", suffix: str = "") -> str:
    """``value`` formatted, or "not available" for a missing or non-finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return NA_TEXT
    return f"{number:{spec}}{suffix}" if math.isfinite(number) else NA_TEXT


def missing(what: str, ctx: Context | None = None, section: str | None = None) -> None:
    """Say in words that a section cannot be computed, and record it."""
    display(Markdown(f"_{what} is not in the evidence base for this run, so this section is "
                     "not shown._"))
    if ctx is not None and section:
        ctx.metrics.setdefault("sections_unavailable", []).append(section)


def _select(frame: pd.DataFrame, region: str) -> pd.DataFrame:
    hit = pd.Series(False, index=frame.index)
    for col in ("cauth_code", "region_code", "lad_code"):
        if col in frame:
            hit |= frame[col].astype("string").eq(region).fillna(False).astype(bool)
    return frame[hit]


def _area_lads(tables: Tables, region: str) -> pd.DataFrame:
    built = tables.get("region_lads")
    if built is not None and len(built) and len(_select(built, region)) == len(built):
        return built.copy()
    lookup, lad_itl = tables.get("lad_lookup"), tables.get("lad_itl")
    if lookup is None or lad_itl is None:
        raise FileNotFoundError(f"region {region!r}: region_lads was built for another area and "
                                "lad_lookup/lad_itl are missing; run `dvc repro evidence`")
    rows = _select(lookup, region)
    if rows.empty:
        raise ValueError(f"region {region!r} names no district, combined authority or region "
                         "in the evidence table lad_lookup")
    current = (rows.assign(lad_code=rows["lad_code_active"], lad_name=rows["lad_name_active"])
               .drop_duplicates("lad_code"))
    itl = lad_itl[lad_itl["primary"].astype(bool)][["lad_code", "itl3_code", "itl2_code"]]
    out = current.drop(columns=["lad_code_active", "lad_name_active"]).merge(
        itl, on="lad_code", how="left")
    if out["itl2_code"].isna().any():
        raise ValueError(f"district {out.loc[out['itl2_code'].isna(), 'lad_code'].iloc[0]!r} "
                         "has no ITL2 area in lad_itl")
    return out


def study_area(tables: Tables, region: str) -> Area:
    """Resolve ``region`` (E47/E12/district code) to its districts and ITL2 areas.

    Raises
    ------
    FileNotFoundError
        No usable lookup in the evidence base.
    ValueError
        A code that names no district, or a district without an ITL2 area (named).
    """
    lads = _area_lads(tables, region)
    first = lads.iloc[0]
    if region.startswith("E47") and pd.notna(first.get("cauth_name")):
        name = f"{first['cauth_name']} Combined Authority"
    elif region.startswith("E12") and pd.notna(first.get("region_name")):
        name = f"{first['region_name']} region"
    else:
        name = ", ".join(lads["lad_name"].astype(str))
    names: dict[str, str] = {}
    for table in ("bres_itl2_sic5", "bres_itl2_sic2"):
        frame = tables.get(table)
        if frame is not None and "itl2_name" in frame:
            names |= dict(frame.drop_duplicates("itl2_code")[["itl2_code", "itl2_name"]]
                          .itertuples(index=False, name=None))
    region_names = set(lads.get("region_name", pd.Series(dtype=str)).dropna().astype(str))
    itl2 = {}
    for code in sorted(lads["itl2_code"].dropna().astype(str).unique()):
        label = str(names.get(code, code))
        # ONS names the metropolitan county TLG3 after its ITL1 region "West Midlands"
        itl2[code] = f"{label} met. county" if label in region_names else label
    extra: list[str] = []
    lad_itl = tables.get("lad_itl")
    if lad_itl is not None:
        inside = lad_itl[lad_itl["itl2_code"].isin(list(itl2))]
        extra = sorted(set(inside.loc[~inside["lad_code"].isin(lads["lad_code"]), "lad_name"]))
    return Area(region, name, lads[["lad_code", "lad_name", "itl2_code"]].reset_index(drop=True),
                itl2, tuple(extra))


def setup(paths: Paths, region: str, *, seed: int, year: int | None = None,
          lq_threshold: float = 1.25, min_employment: float = 100.0,
          top_n: int = 15) -> Context:
    """Resolve the area and the BRES year (``None``: the latest in the evidence base)."""
    tables = Tables(paths)
    bres = tables.get("bres_itl2_sic5")
    bres = bres if bres is not None else tables.get("bres_itl2_sic2")
    if year is None and bres is not None:
        year = int(bres["year"].max())
    return Context(paths, tables, study_area(tables, region), year, int(seed),
                   float(lq_threshold), float(min_employment), int(top_n),
                   metrics={"region": region, "year": year})


def describe_area(ctx: Context) -> None:
    """Section 1: the area in words, the reference economy, threshold and minimum size."""
    a = ctx.area
    lads = ", ".join(f"{n} ({c})" for c, n in zip(a.lads["lad_code"], a.lads["lad_name"],
                                                   strict=True))
    text = (f"**{a.name}** (`{a.code}`): {len(a.lads)} district"
            f"{'s' if len(a.lads) != 1 else ''}, {lads}. Employment by detailed industry is "
            f"published for ITL2 areas, so the area is measured as ITL2 {a.itl2_label()}")
    text += (f"; these ITL2 areas also contain {', '.join(a.extra_lads)}, so ITL2 figures "
             "describe a larger area." if a.extra_lads else ", which matches its districts "
             "exactly.")
    year = f"BRES {ctx.year}" if ctx.year else "no BRES year (BRES is not in the evidence base)"
    display(Markdown(
        f"{text}\n\nReference economy: Great Britain (all ITL2 areas in BRES). Data year: "
        f"{year}. An industry is called *specialised* when its location quotient is at least "
        f"**{ctx.lq_threshold:g}**; industries with fewer than **{ctx.min_employment:,.0f}** "
        "employees in the area are not ranked (open-access BRES is rounded, so small cells "
        "give erratic quotients)."))
    ctx.metrics["area"] = a.name
    ctx.metrics["itl2"] = a.itl2_codes


def _lq_table(ctx: Context, table: str, names: pd.Series) -> pd.DataFrame | None:
    bres = ctx.tables.get(table)
    if bres is None or not set(ctx.area.itl2_codes) & set(bres["itl2_code"]):
        return None
    rows = bres[bres["year"] == ctx.year].assign(
        employment=lambda d: pd.to_numeric(d["employment"]).astype(float))
    lq = region_lq_table(rows, ctx.area.itl2_codes, area_col="itl2_code",
                         industry_col="sic_code", min_size=ctx.min_employment)
    labels = bres.drop_duplicates("sic_code").set_index("sic_code")["sic_name"]
    named = lq["sic_code"].map(names).astype("string")
    lq["sic_name"] = named.fillna(lq["sic_code"].map(labels).astype("string")).fillna("")
    return lq


def _show_top(ctx: Context, lq: pd.DataFrame, level: str, source: str) -> None:
    """Chart and table of the ``top_n`` industries by LQ; ``level`` is a plural noun."""
    top = lq.dropna(subset=["lq"]).nlargest(ctx.top_n, "lq")
    if top.empty:
        display(Markdown(f"_None of the {level} reaches {ctx.min_employment:,.0f} employees in the "
                         "area, so none is ranked._"))
        return
    labels = list(top["sic_code"] + " " + top["sic_name"])
    bar_chart(labels[::-1], list(top["lq"])[::-1],
              title=f"{ctx.area.name}: most specialised {level} vs Great Britain, "
                    f"{ctx.year}", xlabel="Location quotient (1 = GB share)", reference=1,
              sources=[source], width=9)
    show_table(top.assign(region_share=100 * top["region_share"],
                          reference_share=100 * top["reference_share"])
               [["sic_code", "sic_name", "employment", "region_share", "reference_share", "lq"]]
               .rename(columns={"sic_code": "SIC", "sic_name": "industry",
                                "region_share": "% of area jobs", "reference_share": "% of GB",
                                "lq": "LQ"}),
               formats={"employment": "{:,.0f}", "% of area jobs": "{:.2f}",
                        "% of GB": "{:.2f}", "LQ": "{:.2f}"}, sources=[source])


def concentration(ctx: Context) -> None:
    """Section 2: top industries by LQ at SIC 5-digit (minimum size) and division level."""
    sic = ctx.tables.get("sic2007")
    names5 = (sic.set_index("sic5_code")["sic5_name"] if sic is not None
              else pd.Series(dtype="string"))
    source = (SRC_BRES.format(year=ctx.year) + f"; area = ITL2 {ctx.area.itl2_label()}; "
              f"industries under {ctx.min_employment:,.0f} area employees not ranked")
    lq5 = _lq_table(ctx, "bres_itl2_sic5", names5)
    if lq5 is None:
        missing("BRES employment by SIC 5-digit subclass (bres_itl2_sic5)", ctx, "lq_sic5")
    else:
        display(Markdown(f"#### SIC 2007 subclasses (5-digit), {ctx.year}"))
        _show_top(ctx, lq5, "industries (SIC subclasses)", source)
        ctx.outputs["lq_region_sic5"] = lq5
        ctx.metrics |= {"specialised_industries": int((lq5["lq"] >= ctx.lq_threshold).sum()),
                        "max_lq": float(lq5["lq"].max()), "ranked_industries":
                        int(lq5["lq"].notna().sum()), "lq_level": "sic5"}
    names2 = (sic.drop_duplicates("sic2_code").set_index("sic2_code")["sic2_name"]
              if sic is not None else pd.Series(dtype="string"))
    lq2 = _lq_table(ctx, "bres_itl2_sic2", names2)
    if lq2 is None:
        missing("BRES employment by SIC division (bres_itl2_sic2)", ctx, "lq_sic2")
        return
    display(Markdown(f"#### SIC 2007 divisions (2-digit), {ctx.year}"))
    _show_top(ctx, lq2, "divisions", source)
    ctx.outputs["lq_region_sic2"] = lq2
    ctx.metrics["specialised_divisions"] = int((lq2["lq"] >= ctx.lq_threshold).sum())
    if lq5 is None:
        ctx.metrics |= {"specialised_industries": ctx.metrics["specialised_divisions"],
                        "max_lq": float(lq2["lq"].max()), "lq_level": "sic2"}


def save(ctx: Context) -> dict[str, Any]:
    """Write every output table to ``data/processed/colocation/<name>.parquet`` and the
    metrics to ``metrics/clusters.json`` (atomic writes); return the metrics."""
    folder = ctx.paths.processed / "colocation"
    for name, frame in ctx.outputs.items():
        frame = pd.DataFrame(frame).copy()
        frame.attrs = {}
        if "geometry" in frame:
            frame["geometry"] = gpd.GeoSeries(frame["geometry"]).to_wkt()
        with atomic_path(folder / f"{name}.parquet") as tmp:
            frame.to_parquet(tmp, index=False)
    metrics = {k: v for k, v in ctx.metrics.items()
               if not (isinstance(v, float) and not math.isfinite(v))}
    write_metrics(ctx.paths.metrics / "clusters.json", metrics)
    return metrics
