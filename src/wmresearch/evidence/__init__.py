"""The evidence base: getters that clean official datasets into validated tidy tables.

Every processed table through one entry (each loads its own module on first use)::

    from wmresearch.evidence import load, tables_available
    tables_available()                              # name, description, sources, built
    bres = load("bres_itl2_sic5", year=2022)        # rows where year == 2022

and the study area of every report, from an ONS code or a named area of ``areas.yaml``::

    from wmresearch.evidence import study_area
    area = study_area(paths, "midlands_engine")     # 65 districts, peers: English regions
"""

from wmresearch.lazy import attach

_EXPORTS = {"load": "catalog", "table_path": "catalog", "built_tables": "catalog",
            "tables_available": "available",
            "StudyArea": "area", "study_area": "area", "resolve_area": "area",
            "AreaError": "area", "load_areas": "area", "region_lads": "area"}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
