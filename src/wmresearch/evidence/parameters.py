"""Checking ``params.yaml`` before any notebook runs, against the data actually acquired.

A mistyped region code or area name, or an unavailable year, should fail in one line that
names the parameter, the bad value and the valid ones, not thirty lines deep inside a
notebook.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from wmresearch.config import Paths
from wmresearch.evidence.area import AreaError, load_areas, resolve_area
from wmresearch.sources.acquire import load_manifest


class ParameterError(ValueError):
    """A parameter value the acquired data cannot serve."""


def _lookup(paths: Paths, manifest: dict[str, Any]) -> pd.DataFrame:
    if manifest.get("mode") == "demo":
        from wmresearch.evidence.demo import demo_lookup

        return demo_lookup()
    processed = paths.evidence / "lad_lookup.parquet"
    if processed.is_file():
        return pd.read_parquet(processed)
    from wmresearch.evidence.geography import get_la_codes

    files = [Path(f["path"]) for f in manifest["datasets"]["la_codes"]["files"]]
    return get_la_codes(*files).data


def check_region(region: str, lookup: pd.DataFrame) -> str:
    """Return the area's name, or raise one message naming the parameter, the bad value and
    what is accepted: a named area of ``areas.yaml`` or an ONS code, resolved through the code
    history by :func:`wmresearch.evidence.area.resolve_area`."""
    try:
        return resolve_area(region, lookup).name
    except AreaError as error:
        active = lookup[lookup["lad_code"] == lookup["lad_code_active"]]
        cauths = ", ".join(f"{c} {n}" for c, n in sorted(set(map(tuple, active[[
            "cauth_code", "cauth_name"]].dropna().to_numpy()))))
        raise ParameterError(
            f"global.region = {region!r} is not a known area ({error}). Use a named area "
            f"({', '.join(sorted(load_areas()))}), a combined authority ({cauths}), a region "
            "(E12...), a country or a district code.") from None


def check_year(name: str, year: Any, available: list[int]) -> None:
    """Raise unless ``year`` is ``None`` (latest) or one of ``available``."""
    if year is None:
        return
    years = sorted(int(y) for y in available)
    if not isinstance(year, int) or year not in years:
        span = f"{years[0]}-{years[-1]}" if years else "none"
        raise ParameterError(f"{name} = {year!r} is not available: years available are "
                             f"{span} (or null for the latest)")


def validate_stage(stage: str, params: dict[str, Any], paths: Paths,
                   programmes: dict[str, Any] | None = None) -> None:
    """Check a stage's parameters before its notebook runs.

    Raises
    ------
    ParameterError
        Naming the parameter (``section.key``), the value and the valid values.
    """
    if stage == "acquire" or "region" not in params:
        return
    manifest = load_manifest(paths)
    check_region(str(params["region"]), _lookup(paths, manifest))
    if stage == "clusters":
        bres = paths.evidence / "bres_itl2_sic2.parquet"
        if bres.is_file():
            years = pd.read_parquet(bres, columns=["year"])["year"].unique().tolist()
            check_year("clusters.year", params.get("year"), years)
    if stage == "evaluate" and programmes is not None and "programme" in params:
        if params["programme"] not in programmes:
            raise ParameterError(f"programme = {params['programme']!r} is not in params.yaml "
                                 f"programmes: known {', '.join(sorted(programmes))}")
