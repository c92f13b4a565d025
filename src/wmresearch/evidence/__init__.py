"""The evidence base: getters that clean official datasets into validated tidy tables.

Every processed table through one entry (each loads its own module on first use)::

    from wmresearch.evidence import load, tables_available
    tables_available()                              # name, description, sources, built
    bres = load("bres_itl2_sic5", year=2022)        # rows where year == 2022
"""

from wmresearch.lazy import attach

_EXPORTS = {"load": "catalog", "table_path": "catalog", "built_tables": "catalog",
            "tables_available": "available"}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
