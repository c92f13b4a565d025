"""Co-location science: where industries concentrate and which co-locate.

The statistics, importable from the package (each loads its own module on first use, so a
stage depends only on the statistics it runs)::

    from wmresearch.colocation import location_quotients, k_density, ellison_glaeser

Location quotients (:mod:`~.lq`), shift-share (:mod:`~.shift_share`), Ellison-Glaeser
concentration (:mod:`~.concentration`) and Ellison-Glaeser-Kerr co-agglomeration
(:mod:`~.coagglomeration`), specialisation robust to BRES rounding (:mod:`~.specialisation`),
Duranton-Overman K-densities (:mod:`~.kdensity` and its
estimators, bands and cross K-densities), input-output links (:mod:`~.io_links`), relatedness
(:mod:`~.relatedness`), industry and firm clusters, the firm register they run on (synthetic
or Companies House, :mod:`~.register_source`), the Plan for Growth clusters and the
Delgado-Porter-Stern benchmark (:mod:`~.benchmark_clusters`).
"""

from wmresearch.lazy import attach

_EXPORTS = {
    # location quotients and shift-share
    "location_quotients": "lq", "region_lq_table": "lq", "sic_prefix": "lq",
    "shift_share": "shift_share",
    # specialisation that survives BRES rounding and misplaced activity
    "lq_rounding_bounds": "specialisation", "specialisation_caveats": "specialisation",
    "misplaced_reason": "specialisation",
    # concentration and co-agglomeration
    "area_industry_shares": "concentration", "raw_concentration": "concentration",
    "herfindahl": "concentration", "herfindahl_from_sizebands": "concentration",
    "ellison_glaeser": "concentration", "ellison_glaeser_firms": "concentration",
    "coagglomeration": "coagglomeration", "group_coagglomeration": "coagglomeration",
    # Duranton-Overman K-densities
    "k_density": "kdensity", "KdResult": "kdensity",
    "kd_exact": "kdensity_estimators", "kd_binned_cells": "kdensity_estimators",
    "bw_nrd0": "kdensity_estimators", "KdCurve": "kdensity_estimators",
    "local_bands": "kdensity_bands", "global_bands": "kdensity_bands",
    "localisation_indices": "kdensity_bands",
    "kd_cross_exact": "kdensity_cross", "kd_cross_binned": "kdensity_cross",
    # input-output links and relatedness
    "input_coefficients": "io_links", "leontief_inverse": "io_links",
    "output_multipliers": "io_links", "output_by_industry": "io_links",
    "io_relatedness": "io_links", "io_relatedness_classes": "io_links",
    "select_industries": "relatedness", "lq_correlation": "relatedness",
    "combined_relatedness": "relatedness",
    # clusters
    "cluster_industries": "industry_clusters", "choose_industry_clusters": "industry_clusters",
    "compare_with_plan": "industry_clusters", "adjusted_rand_index": "industry_clusters",
    "firm_clusters": "firm_clusters", "cluster_jaccard": "firm_clusters",
    "synthetic_firm_register": "firms",
    "firm_register": "register_source", "FirmRegister": "register_source",
    "load_plan_clusters": "plan_clusters", "size_plan_clusters": "plan_clusters",
    "compare_with_published": "plan_clusters",
    "apportion_gva": "plan_sizing", "tier_flips": "plan_sizing",
    "locational_gini": "benchmark_clusters", "traded_industries": "benchmark_clusters",
    "relatedness_measures": "benchmark_clusters", "dps_scores": "benchmark_clusters",
    "candidate_clusterings": "benchmark_clusters", "validation_table": "benchmark_clusters",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
