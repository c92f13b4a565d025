"""Programme evaluation: the programme registry and evaluation statistics."""

from wmresearch.evaluation.baseline import before_after_gap, region_productivity
from wmresearch.evaluation.programmes import Programme, get_programme

__all__ = ["Programme", "before_after_gap", "get_programme", "region_productivity"]
