"""The co-location ("clusters") report: set-up, the study area and the report's outputs.

The notebook ``notebooks/clusters.py`` loads each table, calls each statistic, shows it and
writes each sentence itself; this module resolves the study area and the BRES year
(:func:`setup`) and writes the output tables (:func:`save`, which returns the metrics for the
notebook to write). It displays nothing: the science layer imports nothing from
``wmresearch.reporting``. Tables go in ``Context.outputs`` and figures in ``Context.metrics``.

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

from wmresearch.config import Paths
from wmresearch.evidence.tables import Tables
from wmresearch.files import atomic_path


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


def save(ctx: Context) -> dict[str, Any]:
    """Write every output table to ``data/processed/colocation/<name>.parquet`` (atomic
    writes, geometry as WKT) and return the metrics with non-finite top-level numbers left
    out; the notebook writes them with ``wmresearch.reporting.write_metrics``."""
    folder = ctx.paths.processed / "colocation"
    for name, frame in ctx.outputs.items():
        frame = pd.DataFrame(frame).copy()
        frame.attrs = {}
        if "geometry" in frame:
            frame["geometry"] = gpd.GeoSeries(frame["geometry"]).to_wkt()
        with atomic_path(folder / f"{name}.parquet") as tmp:
            frame.to_parquet(tmp, index=False)
    return {k: v for k, v in ctx.metrics.items()
            if not (isinstance(v, float) and not math.isfinite(v))}
