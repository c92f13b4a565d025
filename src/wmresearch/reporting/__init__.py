"""Reports: running notebooks, rendering them as code-free HTML, and the shared site.

The helpers a notebook uses to show its analysis: :func:`say` (a sentence, written in the
notebook as an f-string), :func:`number` (the one number formatter), :func:`show_table`,
:func:`show` (a figure with its caption, source and CSV), :func:`logic_model_chart`,
:func:`synthetic_notice`, :func:`glossary` (the page's methods-and-glossary appendix),
:func:`references` (its numbered source list, which every "[n]" on the page links to) and
:func:`write_metrics`.

The names load lazily (PEP 562, :mod:`wmresearch.lazy`): the command line that runs a stage
imports the renderer without matplotlib and seaborn, which only the notebook's kernel needs.
"""

from wmresearch.lazy import attach

_EXPORTS = {
    "estimate_chart": "charts", "line_chart": "charts", "logic_model_chart": "charts",
    "placebo_gaps_chart": "charts", "show": "charts",
    "source_note": "display", "synthetic_notice": "display",
    "glossary": "glossary", "references": "glossary",
    "write_metrics": "metrics",
    "show_table": "tables",
    "number": "text", "say": "text",
}

__getattr__, __dir__ = attach(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
