"""Programme evaluation: the programme registry, impact estimators, inference and appraisal.

Modules (imported directly, so that each pipeline stage depends only on what it uses):
``programmes`` (registry) and ``programme_tables`` (its facts as tables); estimators ``did``,
``staggered``, ``synthetic``, ``matching``; ``sc_inference`` (placebo rank tests, conformal
intervals, donor weights, leave-one-out, overfitting check); ``power`` (minimum detectable
effects in the programme's own years); ``place`` and ``area_check`` (the area against English
districts on official data); ``devolution`` (mayoral devolution as a staggered adoption);
``beneficiary``, ``monitoring`` and ``monitoring_demo`` (beneficiary-level designs on a
monitoring return, and synthetic demonstrations); ``appraisal`` (additionality, discounting,
SMS) and ``status`` (what a page may claim). The notebooks ``evaluate.py`` and
``devolution.py`` call these step by step and write the sentences themselves.
"""
