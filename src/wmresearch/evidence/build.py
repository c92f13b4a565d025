"""Build the evidence base: run every cleaner, save tables, rejects and the accounting.

Each :class:`Table` names the datasets it reads and a function from a :class:`Context` to a
:class:`~wmresearch.evidence.io.Cleaned`. :func:`build_evidence` runs them in order (later
tables may use earlier ones through ``ctx.tables``), writes ``data/processed/<name>.parquet``
and ``data/interim/rejects/<name>.csv``, and returns the row accounting that the evidence stage
writes to ``metrics/evidence.json``. In demo mode the tables come from
:mod:`wmresearch.evidence.demo` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from wmresearch.config import Paths
from wmresearch.evidence.io import Cleaned, save_table
from wmresearch.parallel import in_background
from wmresearch.sources.acquire import resolve_path


@dataclass
class Context:
    """What a table builder can see: the manifest, the region and earlier tables."""

    manifest: dict[str, Any]
    region: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def path(self, dataset: str, relpath: str | None = None) -> Path:
        return resolve_path(self.manifest, dataset, relpath)

    def paths(self, dataset: str) -> list[Path]:
        return [Path(f["path"]) for f in self.manifest["datasets"][dataset]["files"]]

    @cached_property
    def lad_current(self) -> dict[str, str]:
        from wmresearch.evidence.geography import current_lad_codes

        return current_lad_codes(self.tables["lad_lookup"])


@dataclass(frozen=True)
class Table:
    """A processed table: its name, source datasets, builder and pandera schema
    (``"module:ATTRIBUTE"`` under :mod:`wmresearch.evidence`)."""

    name: str
    datasets: tuple[str, ...]
    build: Callable[[Context], Cleaned]
    schema: str
    #: built in another process, on the machine's other core, while the others are built
    #: here (a slow table that no other needs), after rebuilding there the tables it reads
    alongside: tuple[str, ...] | None = None


def _lad_lookup(ctx: Context) -> Cleaned:
    from wmresearch.evidence.geography import get_la_codes

    la, cauth = ctx.paths("la_codes")
    return get_la_codes(la, cauth)


def _lad_itl(ctx: Context) -> Cleaned:
    from wmresearch.evidence.geography import (
        get_itl3_boundaries,
        get_lad_boundaries,
        lad_to_itl,
    )

    lads = get_lad_boundaries(ctx.path("lad_boundaries_2023"))
    itl3 = get_itl3_boundaries(ctx.path("itl3_boundaries_2021")).data
    mapping = lad_to_itl(lads.data, itl3, ctx.tables.get("small_area_centroids"))
    # rows out are LADs (a straddling LAD has one row per ITL3 it overlaps)
    mapping.attrs["rows_kept"] = mapping["lad_code"].nunique()
    return Cleaned("lad_itl", mapping, len(lads.data), source=lads.source)


def _region(ctx: Context) -> Cleaned:
    # any area evidence.area resolves: an ONS code or a named area of areas.yaml
    from wmresearch.evidence.area import region_lads

    out = region_lads(ctx.tables["lad_lookup"], ctx.region, ctx.tables["lad_itl"])
    return Cleaned("region_lads", out, len(out), source=f"region {ctx.region}")


def _productivity(ctx: Context) -> Cleaned:
    from wmresearch.evidence.productivity import get_productivity_lad

    return get_productivity_lad(ctx.path("productivity_lad"), ctx.lad_current)


def _imd(ctx: Context) -> Cleaned:
    from wmresearch.evidence.imd import get_imd

    return get_imd(*ctx.paths("imd2019"), lad_current=ctx.lad_current)


def _bres(name: str, dataset: str):
    def build(ctx: Context) -> Cleaned:
        from wmresearch.evidence import bres

        getter = getattr(bres, f"get_{name}")
        files = ctx.paths(dataset)
        return getter(files[0]) if len(files) == 1 else getter(files)

    return build


def _ukbc(ctx: Context) -> Cleaned:
    from wmresearch.evidence.business import get_ukbc_sizeband

    return get_ukbc_sizeband(ctx.path("ukbc_gb_sic5_sizeband"))


def _census(ctx: Context) -> Cleaned:
    from wmresearch.evidence.census import get_workplace_population

    return get_workplace_population(ctx.path("census2011_workplace_msoa"))


def _sic(ctx: Context) -> Cleaned:
    from wmresearch.evidence.sic import get_sic_hierarchy

    return get_sic_hierarchy(*ctx.paths("sic2007"))


def _gva(ctx: Context) -> Cleaned:
    from wmresearch.evidence.gva import get_gva_by_industry

    return get_gva_by_industry(ctx.path("gva_itl3_industry"))


def _gva_hour(ctx: Context) -> Cleaned:
    from wmresearch.evidence.gva import get_gva_per_hour_itl

    return get_gva_per_hour_itl(ctx.path("gva_per_hour_itl"))


def _firms(ctx: Context) -> Cleaned:
    from wmresearch.evidence.companies import (
        filter_to_region,
        geocode_postcode_districts,
        postcode_district_lads,
        read_basic_company_data,
        read_postcode_districts,
    )

    extract = ctx.path("companies_house_basic",
                       "companies-house/basic_company_data_extract_1000.csv")
    districts = read_postcode_districts(ctx.path("postcode_districts"))
    # kept by geocoded district, not postcode area (CV34 is Warwick, not the region)
    firms = filter_to_region(read_basic_company_data(extract),
                             ctx.tables["region_lads"]["lad_code"],
                             postcode_district_lads(districts, ctx.tables["lad_lookup"]))
    geocoded = geocode_postcode_districts(firms.data, districts)
    geocoded.attrs["rows_kept"] = firms.rows_kept
    return Cleaned("firm_register", geocoded, firms.rows_in, firms.rejects, firms.source)


def _small_area(name: str):
    def build(ctx: Context) -> Cleaned:
        from wmresearch.evidence.smallareas import get_small_area_boundaries

        return get_small_area_boundaries(ctx.paths("wm7_small_area_boundaries"))[name]

    return build


def _smallarea_getter(getter: str, dataset: str):
    def build(ctx: Context) -> Cleaned:
        from wmresearch.evidence import smallareas

        return getattr(smallareas, getter)(*ctx.paths(dataset))

    return build


def _centroids(ctx: Context) -> Cleaned:
    from wmresearch.evidence.smallareas import get_centroids

    # the OA lookup, built just before, exposes MSOA centroids misplaced in the file
    return get_centroids(*ctx.paths("small_area_centroids"),
                         lsoa_to_msoa=ctx.tables.get("oa_lookup_2011"))


def _indicators(ctx: Context) -> Cleaned:
    from wmresearch.evidence.indicators import INDICATORS, get_indicator
    from wmresearch.evidence.io import concat_rejects

    parts = [get_indicator(key, ctx.path("explore_local_statistics", spec.relpath),
                           ctx.lad_current) for key, spec in INDICATORS.items()]
    data = pd.concat([p.data for p in parts], ignore_index=True)
    data.attrs["rows_kept"] = sum(p.rows_kept for p in parts)
    return Cleaned("explore_local", data, sum(p.rows_in for p in parts),
                   concat_rejects(p.rejects for p in parts),
                   ";".join(sorted({p.source for p in parts})))


def _demography(ctx: Context) -> Cleaned:
    from wmresearch.evidence.demography import get_business_demography

    return get_business_demography(ctx.path("business_demography_2024"), ctx.lad_current)


def _iod2025(getter: str, relpath: str):
    def build(ctx: Context) -> Cleaned:
        from wmresearch.evidence import iod2025

        return getattr(iod2025, getter)(ctx.path("iod2025", relpath))

    return build


def _population(ctx: Context) -> Cleaned:
    from wmresearch.evidence.population import get_population_mye2021

    return get_population_mye2021(ctx.path("population_mye2021"), ctx.lad_current)


def _io_flows(ctx: Context) -> Cleaned:
    from wmresearch.evidence.input_output import get_io_flows

    return get_io_flows(ctx.path("input_output_2019"))


def _mayoral(ctx: Context) -> Cleaned:
    from wmresearch.evidence.devolution import get_mayoral_districts, read_county_names

    la, _ = ctx.paths("la_codes")
    return get_mayoral_districts(ctx.path("mayoral_combined_authorities"),
                                 ctx.tables["lad_lookup"], read_county_names(la))


_IOD1 = "mhclg/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx"
_IOD3 = "mhclg/File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx"

TABLES: list[Table] = [
    Table("lad_lookup", ("la_codes",), _lad_lookup, "geography:SCHEMA_LAD_LOOKUP"),
    Table("oa_lookup_2011", ("oa_lookup_2011",), _smallarea_getter("get_oa_lookup",
                                                                    "oa_lookup_2011"),
          "smallareas:SCHEMA_OA_LOOKUP"),
    Table("small_area_centroids", ("small_area_centroids",), _centroids,
          "smallareas:SCHEMA_CENTROIDS"),
    Table("lad_itl", ("lad_boundaries_2023", "itl3_boundaries_2021"), _lad_itl,
          "geography:SCHEMA_LAD_ITL"),
    Table("region_lads", ("la_codes",), _region, "geography:SCHEMA_REGION_LADS"),
    Table("productivity_lad", ("productivity_lad",), _productivity,
          "productivity:SCHEMA_PRODUCTIVITY_LAD"),
    Table("imd2019_lsoa", ("imd2019",), _imd, "imd:SCHEMA_IMD"),
    Table("sic2007", ("sic2007",), _sic, "sic:SCHEMA_SIC"),
    Table("bres_itl2_sic2", ("bres_itl2_sic2",), _bres("bres_itl2_sic2", "bres_itl2_sic2"),
          "bres:SCHEMA_BRES_ITL2_SIC2"),
    Table("bres_itl2_sic5", ("bres_itl2_sic5",), _bres("bres_itl2_sic5", "bres_itl2_sic5"),
          "bres:SCHEMA_BRES_ITL2_SIC5"),
    Table("bres_nuts2_sic4", ("bres_nuts2_sic4",), _bres("bres_nuts2_sic4", "bres_nuts2_sic4"),
          "bres:SCHEMA_BRES_NUTS2_SIC4"),
    Table("idbr_nuts2_sic4", ("idbr_nuts2_sic4",), _bres("idbr_nuts2_sic4", "idbr_nuts2_sic4"),
          "bres:SCHEMA_IDBR_NUTS2_SIC4"),
    Table("ukbc_sizeband", ("ukbc_gb_sic5_sizeband",), _ukbc, "business:SCHEMA_UKBC_SIZEBAND"),
    Table("census2011_workplace_msoa", ("census2011_workplace_msoa",), _census,
          "census:SCHEMA_WORKPLACE_POPULATION"),
    Table("gva_itl3_industry", ("gva_itl3_industry",), _gva, "gva:SCHEMA_GVA_ITL3_INDUSTRY"),
    Table("gva_per_hour_itl", ("gva_per_hour_itl",), _gva_hour, "gva:SCHEMA_GVA_PER_HOUR_ITL"),
    Table("msoa_lad_lookup", ("msoa_lad_lookup",),
          _smallarea_getter("get_msoa_lad_lookup", "msoa_lad_lookup"),
          "smallareas:SCHEMA_MSOA_LAD"),
    Table("postcode_districts", ("postcode_districts",),
          _smallarea_getter("get_postcode_districts", "postcode_districts"),
          "smallareas:SCHEMA_POSTCODE_DISTRICTS"),
    Table("lsoa11_boundaries", ("wm7_small_area_boundaries",), _small_area("lsoa11_boundaries"),
          "smallareas:SCHEMA_BOUNDARIES[lsoa11]"),
    Table("msoa11_boundaries", ("wm7_small_area_boundaries",), _small_area("msoa11_boundaries"),
          "smallareas:SCHEMA_BOUNDARIES[msoa11]"),
    Table("ward_boundaries", ("wm7_small_area_boundaries",), _small_area("ward_boundaries"),
          "smallareas:SCHEMA_BOUNDARIES[ward]"),
    Table("firm_register", ("companies_house_basic", "postcode_districts"), _firms,
          "companies:SCHEMA_FIRM_REGISTER"),
    # the slowest table (about a quarter of the build): built alongside the others, from
    # the code history it reads
    Table("explore_local", ("explore_local_statistics",), _indicators,
          "explore_local:SCHEMA_EXPLORE_LOCAL", alongside=("lad_lookup",)),
    Table("business_demography", ("business_demography_2024",), _demography,
          "demography:SCHEMA_BUSINESS_DEMOGRAPHY"),
    Table("iod2025_imd", ("iod2025",), _iod2025("get_iod2025_imd", _IOD1),
          "iod2025:SCHEMA_IOD2025_IMD"),
    Table("iod2025_supplementary", ("iod2025",), _iod2025("get_iod2025_supplementary", _IOD3),
          "iod2025:SCHEMA_IOD2025_SUPPLEMENTARY"),
    Table("population_mye2021", ("population_mye2021",), _population,
          "population:SCHEMA_POPULATION_2021"),
    Table("mayoral_districts", ("mayoral_combined_authorities", "la_codes"), _mayoral,
          "devolution:SCHEMA_MAYORAL_DISTRICTS"),
    Table("io_flows_2019", ("input_output_2019",), _io_flows, "input_output:SCHEMA_IO_FLOWS"),
]


def register(table: Table) -> Table:
    """Add a table to the evidence build (used by modules defining further tables)."""
    TABLES[:] = [t for t in TABLES if t.name != table.name] + [table]
    return table


def build_evidence(paths: Paths, manifest: dict[str, Any], region: str, *, seed: int = 0,
                   tables: list[Table] | None = None) -> dict[str, Any]:
    """Build every table whose datasets were acquired; return the accounting.

    Returns
    -------
    dict
        ``{"mode": ..., "tables": {name: {rows_in, rows_out, rows_rejected, records_out,
        balanced}}, "skipped": {name: reason}}``.
    """
    paths.ensure()
    ctx = Context(manifest, region)
    accounting: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    if manifest["mode"] == "demo":
        from wmresearch.evidence.demo import demo_tables

        results = demo_tables(region=region, seed=seed)
    else:
        results = []
        order = list(tables or TABLES)
        missing = {t.name: [d for d in t.datasets
                            if manifest["datasets"].get(d, {}).get("status") != "ok"]
                   for t in order}
        # started first, collected in their place: the saved tables and the accounting
        # come out in the same order as when every table is built here
        jobs = {t.name: in_background(build_alone, (*t.alongside, t.name), manifest, region)
                for t in order if t.alongside is not None and not missing[t.name]}
        for table in order:
            if missing[table.name]:
                skipped[table.name] = f"datasets not acquired: {', '.join(missing[table.name])}"
                continue
            cleaned = jobs[table.name].result() if table.name in jobs else table.build(ctx)
            ctx.tables[table.name] = cleaned.data
            results.append(cleaned)
    for cleaned in results:
        save_table(cleaned, paths.evidence, paths.rejects)
        entry = cleaned.accounting()
        entry["balanced"] = entry["rows_in"] == entry["rows_out"] + entry["rows_rejected"]
        accounting[cleaned.name] = entry
    return {"mode": manifest["mode"], "region": region, "tables": accounting,
            "skipped": skipped}


def build_alone(names: tuple[str, ...], manifest: dict[str, Any], region: str) -> Cleaned:
    """Build the tables ``names`` of :data:`TABLES` in order, in a context of their own, and
    return the last: what :func:`build_evidence` runs in another process for a table marked
    ``alongside`` (the same builders, so the same table as when built in sequence)."""
    by_name = {t.name: t for t in TABLES}
    ctx = Context(manifest, region)
    cleaned = None
    for name in names:
        cleaned = by_name[name].build(ctx)
        ctx.tables[name] = cleaned.data
    if cleaned is None:
        raise ValueError("no table to build")
    return cleaned


def load_table(paths: Paths, name: str) -> pd.DataFrame:
    """Read a processed table; the error says which stage makes it."""
    path = paths.evidence / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `dvc repro evidence`")
    return pd.read_parquet(path)


def load_rejects(paths: Paths, names: list[str]) -> pd.DataFrame:
    """The rows the build rejected from tables ``names``, with ``table`` and ``reason``
    (each table's ``rejects/<name>.csv``; empty with those columns when ``names`` is).

    Raises
    ------
    FileNotFoundError
        If a table's rejects file is missing (the evidence stage writes one per table).
    """
    frames = []
    for name in names:
        path = paths.rejects / f"{name}.csv"
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found: run `dvc repro evidence`")
        frames.append(pd.read_csv(path, dtype=str).assign(table=name))
    return pd.concat(frames or [pd.DataFrame(columns=["table", "reason"])], ignore_index=True)

