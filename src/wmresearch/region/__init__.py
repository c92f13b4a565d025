"""The State of the Region: indicators, comparisons and the statistics behind its report.

An analysis package: it reads the evidence base (:mod:`wmresearch.evidence`) and may use the
co-location statistics (:mod:`wmresearch.colocation`) for specialisation indicators.
"""
