"""A programme's published facts as tables: spend, indicators, logic model, additionality.

Every function reads the validated registry entry (:class:`~wmresearch.evaluation.programmes.
Programme`) and returns a frame or plain values: no display, no prose. Figures that no
publication gives stay missing (``None``), so a report shows them as "not published".

References
----------
HM Treasury (2020), *The Magenta Book*, ch. 2 (logic models); HCA (2014), *Additionality
Guide*, 4th ed. (gross-to-net factors); HM Treasury (2022), *The Green Book* (discounting).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from wmresearch.evaluation.appraisal import cost_per_output, present_value
from wmresearch.evaluation.programmes import Programme

FACTORS = ("deadweight", "leakage", "displacement", "substitution", "multiplier")
COUNT_UNITS = {"firms", "people", "adults", "count", "jobs"}
#: Indicator units that count beneficiaries of each design unit.
BENEFICIARY_UNITS = {"firm": ("firms", "count"), "individual": ("adults", "people"),
                     "ward": ("people",)}


def spend_table(prog: Programme) -> pd.DataFrame:
    """Total budget and the published annual spend profile (amounts in £, None if unpublished)."""
    rows = [{"Item": "total budget", "Amount (£)": prog.budget.total_gbp,
             "Source": prog.budget.source or "not published"}]
    rows += [{"Item": f"spend {s.period}", "Amount (£)": s.gbp, "Source": s.source}
             for s in prog.budget.spend_profile]
    return pd.DataFrame(rows, columns=["Item", "Amount (£)", "Source"])


def logic_model_stages(prog: Programme) -> list[tuple[str, list[str]]]:
    """Inputs, activities, outputs, outcomes, impacts (Magenta Book 2020, figure 2.2)."""
    lm = prog.logic_model
    return [("Inputs", list(lm.inputs)), ("Activities", list(lm.activities)),
            ("Outputs", list(lm.outputs)), ("Outcomes", list(lm.outcomes)),
            ("Impacts", list(lm.impacts))]


def indicator_table(prog: Programme) -> pd.DataFrame:
    """Output and outcome indicators with target, actual and share achieved (None if not
    computable)."""
    rows = [{"Indicator": i.name, "Unit": i.unit, "Period": i.period, "Target": i.target,
             "Actual": i.actual,
             "Share achieved": i.actual / i.target if i.actual is not None and i.target
             else None, "Source": i.source, "Note": i.note or ""} for i in prog.indicators]
    return pd.DataFrame(rows, columns=["Indicator", "Unit", "Period", "Target", "Actual",
                                       "Share achieved", "Source", "Note"])


def additionality_table(prog: Programme) -> pd.DataFrame:
    """Gross-to-net factors with their central value, range, source and rationale."""
    add = prog.additionality
    rows = [{"Factor": name, "Central": getattr(add, name).central,
             "Low": getattr(add, name).low, "High": getattr(add, name).high,
             "Source": getattr(add, name).source, "Rationale": getattr(add, name).rationale}
            for name in FACTORS]
    return pd.DataFrame(rows)


def missing_factors(prog: Programme) -> list[str]:
    """Additionality factors with no sourced central value."""
    return [name for name in FACTORS if getattr(prog.additionality, name).central is None]


def annual_spend(prog: Programme) -> tuple[float | None, str]:
    """Annual spend used for the plausible effect, and how it was obtained.

    The mean of the published annual spend profile; with no profile, the whole published
    budget as if spent in one year (an upper bound); ``None`` with no published budget.
    """
    published = [s.gbp for s in prog.budget.spend_profile if s.gbp is not None]
    if published:
        return float(np.mean(published)), (f"mean published annual spend over "
                                            f"{len(published)} year(s)")
    if prog.budget.total_gbp is not None:
        return float(prog.budget.total_gbp), "whole budget as if spent in one year (upper bound)"
    return None, "no budget is published"


def beneficiary_count(prog: Programme) -> tuple[float, str] | None:
    """The largest published count of beneficiaries (achieved, else target) in the unit of
    the programme's design, with the indicator's name and source; None if none is published."""
    units = BENEFICIARY_UNITS.get(prog.design.unit, ())
    counts = [(i.actual if i.actual is not None else i.target, i) for i in prog.indicators
              if i.unit in units and (i.actual is not None or i.target is not None)]
    if not counts:
        return None
    n, ind = max(counts, key=lambda c: c[0])
    kind = "achieved" if ind.actual is not None else "target"
    return float(n), f"{ind.name}, {kind}{', ' + ind.period if ind.period else ''}; {ind.source}"


def cost_per_output_table(prog: Programme) -> pd.DataFrame:
    """Gross cost per achieved output: total budget / achieved count, per count indicator."""
    rows = [{"Indicator": i.name, "Achieved": i.actual, "Budget (£)": prog.budget.total_gbp,
             "Cost per output (£)": cost_per_output(prog.budget.total_gbp, i.actual),
             "Source": i.source} for i in prog.indicators
            if prog.budget.total_gbp and i.actual and i.unit in COUNT_UNITS]
    return pd.DataFrame(rows, columns=["Indicator", "Achieved", "Budget (£)",
                                       "Cost per output (£)", "Source"])


def spend_present_value(prog: Programme) -> tuple[int, float] | None:
    """Present value of the published spend at the first spend year's prices (Green Book
    STPR, :func:`~wmresearch.evaluation.appraisal.present_value`); None with no profile."""
    spend = [(int(s.period[:4]), s.gbp) for s in prog.budget.spend_profile if s.gbp is not None]
    if not spend:
        return None
    first = min(y for y, _ in spend)
    return first, present_value([g for _, g in spend], [y - first for y, _ in spend])


_CITED = re.compile(r"\[(\d+)\]")
_DESCRIBED = re.compile(r"\[(\d+)\] ([A-Za-z][^\[\];]{3,}[^\[\];\s,.(])")


def programme_references(prog: Programme, registry: Sequence[Programme] = ()) -> list[str]:
    """Every source a programme's page cites, as ``"[n] publication, date"`` entries.

    The registry writes a source as "[n] publication, date" where it is first used and as a
    bare "[n]" after that; each number takes the longest description found in the
    programme's own entry, else in the rest of ``registry``, else in the registry's source
    list (``programme_sources.yaml``, transcribed from the facts document the registry was
    compiled from). A number described nowhere is listed as such rather than dropped, so
    every "[n]" on the page resolves.
    """
    def texts(p: Programme) -> list[str]:
        return [s for s in _strings(p.model_dump()) if "[" in s]

    own = texts(prog)
    cited = sorted({int(n) for s in own for n in _CITED.findall(s)})
    described: dict[int, str] = {}
    for text in own + [t for other in registry for t in texts(other)]:
        for number, words in _DESCRIBED.findall(text):
            key = int(number)
            if key not in described or (len(words) > len(described[key])
                                        and text in own):
                described[key] = words.strip()
    listed = source_list()
    return [f"[{n}] {described.get(n) or listed.get(n) or 'publication details not recorded'}"
            for n in cited]


@cache
def source_list() -> dict[int, str]:
    """The registry's numbered source list: number -> publication, date."""
    path = Path(__file__).with_name("programme_sources.yaml")
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    return {int(n): str(text) for n, text in entries.items()}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []
