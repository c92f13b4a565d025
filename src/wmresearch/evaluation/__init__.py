"""Programme evaluation: the programme registry, impact estimators, appraisal and reports.

Modules (imported directly, so that each pipeline stage depends only on what it uses):
``programmes`` (registry), ``did``, ``staggered``, ``synthetic``, ``matching``, ``power``
(estimators and minimum detectable effects), ``place`` (the real-data place-based synthetic
control), ``appraisal`` (additionality, discounting, SMS), ``monitoring`` and
``monitoring_demo`` (monitoring returns), ``report`` and ``report_impact`` (report sections).
"""
