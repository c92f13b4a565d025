"""Reports: running notebooks, rendering them as code-free HTML, and the shared site.

The helpers a notebook uses to show its analysis: :func:`say` (a sentence, written in the
notebook as an f-string), :func:`number` (the one number formatter), :func:`show_table`,
:func:`show` (a figure with its caption, source and CSV), :func:`logic_model_chart`,
:func:`synthetic_notice`, :func:`glossary` (the page's methods-and-glossary appendix),
:func:`references` (its numbered source list, which every "[n]" on the page links to) and
:func:`write_metrics`.
"""

from wmresearch.reporting.charts import (
    estimate_chart,
    line_chart,
    logic_model_chart,
    placebo_gaps_chart,
    show,
)
from wmresearch.reporting.display import source_note, synthetic_notice
from wmresearch.reporting.glossary import glossary, references
from wmresearch.reporting.metrics import write_metrics
from wmresearch.reporting.tables import show_table
from wmresearch.reporting.text import number, say

__all__ = ["estimate_chart", "glossary", "line_chart", "logic_model_chart", "number",
           "placebo_gaps_chart", "references", "say", "show", "show_table", "source_note",
           "synthetic_notice", "write_metrics"]
