"""Reports: running notebooks, rendering them as code-free HTML, and the shared site."""

from wmresearch.reporting.display import source_note, synthetic_notice
from wmresearch.reporting.metrics import write_metrics

__all__ = ["source_note", "synthetic_notice", "write_metrics"]
