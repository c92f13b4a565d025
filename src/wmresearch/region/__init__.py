"""The State of the Region: indicators, comparisons and the statistics behind its report.

An analysis package: it reads the evidence base (:mod:`wmresearch.evidence`) and may use the
co-location statistics (:mod:`wmresearch.colocation`) for specialisation indicators. Its
statistics are importable from the package (each loads its own module on first use)::

    from wmresearch.region import study_area, region_value, output_gap

The study area (``study_area``, ``StudyArea``) is the evidence layer's
(:mod:`wmresearch.evidence.area`), re-exported here beside the statistics that take it.
"""

from wmresearch.lazy import attach

_EXPORTS = {
    # the study area (resolved in wmresearch.evidence.area) and totals and rates over it
    "StudyArea": "aggregates", "study_area": "aggregates",
    "area_total": "aggregates", "area_rate": "aggregates", "area_gva": "aggregates",
    "area_local_rate": "aggregates", "district_gva": "aggregates",
    # indicators published for local areas, aggregated to the area
    "indicator_rows": "indicators", "district_weights": "indicators",
    "region_value": "indicators", "region_series": "indicators", "output_gap": "gaps",
    "gdp_per_head_relative": "gaps", "real_growth": "gaps",
    "gap_at_uk_rate": "money", "output_gap_table": "money",
    "peer_table": "peers", "area_among_peers": "peers", "rank_of": "peers",
    "rank_best_first": "peers",
    "trend": "dashboard", "dashboard": "dashboard", "board_summary": "dashboard",
    # deprivation
    "decile_one_share": "deprivation", "deprivation_change": "deprivation",
    # the economy's profile
    "gva_by_section": "profile", "gva_growth": "profile", "employment_by_section": "profile",
    "business_size_structure": "profile", "local_units_by_section": "profile",
    "deprivation_summary": "profile", "workplace_by_msoa": "profile",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
