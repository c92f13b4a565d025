"""Programme evaluation: the programme registry, impact estimators, inference and appraisal.

The estimators and their inference, importable from the package (each loads its own module on
first use, so a stage depends only on what it runs)::

    from wmresearch.evaluation import staggered_did, synthetic_control, placebo_rank_test

Estimators: ``difference_in_differences`` and ``event_study`` (:mod:`~.did`),
``staggered_did`` (Callaway & Sant'Anna, :mod:`~.staggered`), ``synthetic_control`` and
``synthetic_did`` (:mod:`~.synthetic`), ``matching`` (:mod:`~.matching`); inference for
synthetic controls (:mod:`~.sc_inference`, :mod:`~.sc_conformal`) and for few treated clusters
(:mod:`~.devolution_inference`); power (:mod:`~.power`, :mod:`~.power_projection`); mayoral
devolution as a staggered adoption (:mod:`~.devolution`, :mod:`~.devolution_data`); the area
against English districts (:mod:`~.place`, :mod:`~.area_check`); beneficiary-level designs
on firm- and person-level monitoring returns (:mod:`~.beneficiary`, :mod:`~.monitoring`,
:mod:`~.monitoring_people`); the programme registry (:mod:`~.programmes`); appraisal and what
a page may claim (:mod:`~.appraisal`, :mod:`~.status`). The notebooks ``evaluate.py`` and
``devolution.py`` call these step by step and write the sentences themselves.
"""

from wmresearch.lazy import attach

_EXPORTS = {
    # estimators
    "difference_in_differences": "did", "event_study": "did",
    "staggered_did": "staggered",
    "synthetic_control": "synthetic", "synthetic_did": "synthetic",
    "simplex_weights": "synthetic", "placebo_in_time": "synthetic",
    "matching": "matching", "propensity_score": "matching",
    "EstimateResult": "result",
    # synthetic-control inference
    "placebo_rank_test": "sc_inference", "placebo_restriction_table": "sc_inference",
    "donor_weights_table": "sc_inference", "leave_one_out": "sc_inference",
    "overfit_check": "sc_inference",
    "conformal_intervals": "sc_conformal", "conformal_pvalue": "sc_conformal",
    # synthetic DiD inference
    "sdid_placebo_draws": "sdid_inference", "sdid_placebo_estimates": "sdid_inference",
    "sdid_placebo_se": "sdid_inference",
    # power
    "mde_multiplier": "power", "mde_two_sample": "power", "mde_did": "power",
    "did_variance_factor": "power", "pre_period_sigma": "power",
    "two_way_residuals": "power",
    "pre_period_autocorrelation": "power", "placebo_critical_value": "power",
    "placebo_power": "power", "mde_placebo": "power", "power_by_year": "power",
    "post_periods_in_data": "power_projection", "mde_ratio": "power_projection",
    "plausible_effect_gva_per_hour": "power_projection",
    # mayoral devolution (staggered adoption)
    "outcome_series": "devolution_data", "devolution_panel": "devolution_data",
    "devolution_att": "devolution", "sdid_by_cohort": "devolution",
    "authority_cohort_att": "devolution", "threat_checks": "devolution",
    "wild_cluster_bootstrap": "devolution_inference",
    "randomisation_inference": "devolution_inference",
    "event_pretrend_test": "devolution_inference", "cell_pretrend_test": "devolution_inference",
    # the area against English districts; beneficiary-level designs
    "evaluate_place": "place", "devolution_evaluation": "place", "donor_pool": "place_data",
    "area_panel": "area_check",
    "choose_design": "beneficiary_data", "evaluate_beneficiaries": "beneficiary",
    "screen_beneficiaries": "beneficiary_data", "return_schema": "monitoring",
    # registry, appraisal and status
    "get_programme": "programmes", "load_programmes": "programmes",
    "gross_to_net": "appraisal", "present_value": "appraisal", "discount_factors": "appraisal",
    "benefit_cost_ratio": "appraisal", "sms_level": "appraisal",
    "evaluation_status": "status",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = attach(__name__, _EXPORTS)
