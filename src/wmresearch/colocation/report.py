"""The co-location ("clusters") report: set-up, the study area and the report's outputs.

The notebook ``notebooks/clusters.py`` loads each table, calls each statistic, shows it and
writes each sentence itself; this module resolves the study area and the BRES year
(:func:`setup`) and writes the output tables (:func:`save`, which returns the metrics for the
notebook to write). It displays nothing: the science layer imports nothing from
``wmresearch.reporting``. Tables go in ``Context.outputs`` and figures in ``Context.metrics``.

The study area is the one type every report uses
(:func:`wmresearch.evidence.area.study_area`): a district, combined authority or region code,
or a named area of ``areas.yaml``, resolved through the ONS code history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from wmresearch.config import Paths
from wmresearch.evidence.area import StudyArea, study_area
from wmresearch.evidence.tables import Tables
from wmresearch.files import atomic_path


@dataclass
class Context:
    """Everything the sections share: inputs, parameters, and what they produce."""

    paths: Paths
    tables: Tables
    area: StudyArea
    year: int | None
    seed: int
    lq_threshold: float
    min_employment: float
    top_n: int
    metrics: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)


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
