"""One evaluation report per programme, section by section (HM Treasury Magenta Book order).

The notebook ``notebooks/evaluate.py`` calls one function per section: :func:`summary`,
:func:`programme_section`, :func:`monitoring_section`, :func:`method_section`, then the
power, impact, firm-level and value-for-money sections of
:mod:`wmresearch.evaluation.report_impact`, and :func:`caveats`. Each displays Markdown,
tables and charts and returns its figures for ``metrics/evaluate/<programme>.json``. What
cannot be estimated is said in words: no section prints ``nan`` or ``inf``.

References
----------
HM Treasury (2020), *The Magenta Book: central government guidance on evaluation*, ch. 2
(theory of change, logic models), ch. 3 (impact evaluation designs and their reporting).
What Works Centre for Local Economic Growth (2016), *Guide to scoring methods using the
Maryland Scientific Methods Scale*.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import IPython.display as ipd
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from wmresearch.config import Paths
from wmresearch.evaluation.appraisal import sms_level
from wmresearch.evaluation.place import PlaceEvaluation, devolution_evaluation
from wmresearch.evaluation.programmes import NOT_PUBLISHED, Programme, get_programme
from wmresearch.evidence.geography import region_lads
from wmresearch.reporting.charts import house_style, show
from wmresearch.reporting.tables import show_table

SRC_PROD = ("ONS, Subregional productivity: labour productivity by local authority district, "
            "June 2024 release (current prices, smoothed; data to 2022)")
SRC_LOOKUP = "ONS Open Geography, local authority code history (la_all_codes)"
SRC_FACTS = "programme registry in params.yaml (publications cited in each row)"
FIRST_YEAR = 2004
#: Placebo start is this many years before the real start (Abadie 2021, sec. 6), leaving at
#: least MIN_PRE years to fit the placebo's weights.
PLACEBO_LEAD = 5
MIN_PRE = 5


def say(text: str) -> None:
    """Display Markdown (through ``IPython.display`` so that a test can capture it)."""
    ipd.display(ipd.Markdown(text))


def number(value: float | None, *, digits: int = 1, pct: bool = False,
           gbp: bool = False, missing: str = NOT_PUBLISHED) -> str:
    """A figure in words-safe form: ``missing`` for None/NaN/inf, never ``nan``."""
    if value is None or not isinstance(value, int | float) or not math.isfinite(value):
        return missing
    if gbp:
        for size, unit in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if abs(value) >= size:
                return f"£{value / size:,.{digits}f}{unit}"
        return f"£{value:,.0f}"
    if pct:
        return f"{100 * value:,.{digits}f}%"
    return f"{value:,.{digits}f}" if value % 1 else f"{value:,.0f}"


@dataclass
class Context:
    """Everything a section needs: the programme, parameters and evidence tables."""

    programme: Programme
    seed: int
    window: int
    productivity: pd.DataFrame | None = None
    lookup: pd.DataFrame | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Paths, programmes: dict[str, Any], key: str, *, seed: int,
             window: int) -> Context:
        """Validate the programme ``key`` and read the evidence tables it needs."""
        tables = {}
        for name in ("productivity_lad", "lad_lookup"):
            path = paths.evidence / f"{name}.parquet"
            tables[name] = pd.read_parquet(path) if path.is_file() else None
        return cls(get_programme(programmes, key), seed, window,
                   tables["productivity_lad"], tables["lad_lookup"])

    @property
    def area_lads(self) -> list[str]:
        """Current district codes of the programme's area (the registry's ``area``)."""
        design = self.programme.design
        if design.unit == "lad" and design.treated_units:
            return list(design.treated_units)
        if self.lookup is None:
            return []
        try:
            return list(region_lads(self.lookup, self.programme.area.code)["lad_code"])
        except KeyError:
            return []

    @property
    def assessed_start(self) -> int | None:
        """First post year of the area-level design: the programme's start, or the latest
        year leaving ``window`` post years in the data when it started later."""
        if self.productivity is None:
            return None
        last = int(self.productivity.loc[self.productivity["measure"] == "gva_per_hour",
                                         "year"].max())
        start = min(self.programme.start_year, last - self.window + 1)
        return start if start > FIRST_YEAR + MIN_PRE else None

    @property
    def fake_start(self) -> int | None:
        """Start of the in-time placebo: PLACEBO_LEAD years early, keeping MIN_PRE years."""
        start = self.assessed_start
        return None if start is None else max(start - PLACEBO_LEAD, FIRST_YEAR + MIN_PRE)

    def place(self) -> PlaceEvaluation | None:
        """The area-level synthetic control (cached), or None when it cannot be run."""
        if "place" not in self.cache:
            start = self.assessed_start
            lads = self.area_lads
            result = None
            if start is not None and self.lookup is not None and lads:
                try:
                    result = devolution_evaluation(
                        self.productivity, self.lookup, lads,
                        treated_unit=self.programme.area.code, start_year=start,
                        fake_start=self.fake_start, first_year=FIRST_YEAR)
                except ValueError as exc:  # e.g. too few donor districts (demo data)
                    self.cache["place_error"] = str(exc)
            self.cache["place"] = result
        return self.cache["place"]


def summary(ctx: Context) -> dict[str, Any]:
    """Section 1: what is evaluated, where, the design, its SMS level and our confidence."""
    prog = ctx.programme
    sms = sms_level(prog.design.method)
    design = prog.design.method.replace("_", " ")
    confidence = {
        1: "low: without a comparison group the figures describe change, not impact",
        3: "moderate at best: a comparison group removes common shocks, but selection on "
           "unobserved differences can remain",
    }.get(sms.level, "moderate to high, if the design's assumptions hold")
    say(f"## 1. Summary\n\n**{prog.name}**: {prog.summary}\n\n"
        f"* **Area evaluated:** {prog.area.name} ({prog.area.code}).\n"
        f"* **Funder / lead:** {prog.funder} / {prog.lead}.\n"
        f"* **Design:** {design}, unit of analysis: {prog.design.unit.replace('_', ' ')}; "
        f"first treated year {prog.start_year}.\n"
        f"* **Maryland Scientific Methods Scale:** level {sms.level} (at most {sms.max_level} "
        f"for this design): {sms.reason} (What Works Centre for Local Economic Growth 2016).\n"
        f"* **Confidence in an impact estimate:** {confidence}. Sections 5 and 6 say whether "
        "the available data can detect an effect of the size the programme could plausibly "
        "have; where they cannot, no impact figure is reported.")
    return {"programme": prog.id, "area_code": prog.area.code, "method": prog.design.method,
            "sms_level": sms.level, "sms_max_level": sms.max_level}


def _spend_table(prog: Programme) -> pd.DataFrame:
    rows = [{"item": f"spend {s.period}", "amount": number(s.gbp, gbp=True),
             "source": s.source} for s in prog.budget.spend_profile]
    total = {"item": "total budget", "amount": number(prog.budget.total_gbp, gbp=True),
             "source": prog.budget.source or NOT_PUBLISHED}
    return pd.DataFrame([total, *rows])


def logic_model_figure(prog: Programme) -> plt.Figure:
    """The logic model as boxes and arrows: inputs -> activities -> outputs -> outcomes ->
    impacts (Magenta Book 2020, ch. 2, figure 2.2 layout)."""
    house_style()
    lm = prog.logic_model
    stages = [("Inputs", lm.inputs), ("Activities", lm.activities), ("Outputs", lm.outputs),
              ("Outcomes", lm.outcomes), ("Impacts", lm.impacts)]
    texts = ["\n".join("\n".join(textwrap.wrap("• " + item, 22)) for item in items)
             for _, items in stages]
    height = max(t.count("\n") + 1 for t in texts) * 0.16 + 0.8
    fig, ax = plt.subplots(figsize=(12, max(2.6, height)))
    ax.set_xlim(0, 5)
    ax.set_ylim(0, 1)
    ax.axis("off")
    for i, ((title, _), text) in enumerate(zip(stages, texts, strict=True)):
        ax.add_patch(FancyBboxPatch((i + 0.05, 0.04), 0.8, 0.82,
                                    boxstyle="round,pad=0.01", fc="#e8f0fa", ec="#1f4e79"))
        ax.text(i + 0.45, 0.93, title, ha="center", va="center", fontweight="bold")
        ax.text(i + 0.1, 0.82, text, ha="left", va="top", fontsize=7.5)
        if i < len(stages) - 1:
            ax.add_patch(FancyArrowPatch((i + 0.86, 0.45), (i + 1.04, 0.45),
                                         arrowstyle="-|>", mutation_scale=14, color="#1f4e79"))
    return fig


def programme_section(ctx: Context) -> dict[str, Any]:
    """Section 2: rationale, budget and spend profile, logic model and assumptions."""
    prog = ctx.programme
    say(f"## 2. The programme\n\n**Rationale.** {prog.rationale}\n\n**Key dates.**\n\n"
        + "\n".join(f"* {d.date}: {d.event} ({d.source})" for d in prog.key_dates)
        + "\n\n**Budget and spend profile** (nominal pounds; 'not published' where no "
          "publication gives the figure).")
    show_table(_spend_table(prog), sources=[SRC_FACTS])
    if prog.budget.note:
        say(f"_Note:_ {prog.budget.note}")
    lm = prog.logic_model
    alt = "; ".join(f"{name}: {', '.join(items)}" for name, items in
                    (("inputs", lm.inputs), ("activities", lm.activities),
                     ("outputs", lm.outputs), ("outcomes", lm.outcomes),
                     ("impacts", lm.impacts)))
    show(logic_model_figure(prog), title=f"Logic model of {prog.name}",
         alt=f"Five boxes linked by arrows. {alt}.", sources=[SRC_FACTS])
    say("**Assumptions of the logic model** (each must hold for the chain to work):\n\n"
        + "\n".join(f"* {a}" for a in lm.assumptions))
    return {"budget_gbp": prog.budget.total_gbp}


def monitoring_section(ctx: Context) -> dict[str, Any]:
    """Section 3: output and outcome indicators against their published targets."""
    prog = ctx.programme
    say("## 3. Monitoring against targets")
    if not prog.indicators:
        say("No output or outcome targets are published for this programme; monitoring "
            "rests on the evaluation's own outcome data (section 4).")
        return {"indicators": 0, "indicators_with_actual": 0}
    rows = [{"indicator": i.name, "unit": i.unit, "period": i.period or NOT_PUBLISHED,
             "target": number(i.target, digits=2 if i.unit == "share" else 0),
             "actual": number(i.actual, digits=2 if i.unit == "share" else 0),
             "achieved": number(i.actual / i.target, pct=True, missing="not computable")
             if i.actual is not None and i.target else "not computable",
             "source": i.source, "note": i.note or ""} for i in prog.indicators]
    show_table(pd.DataFrame(rows), sources=[SRC_FACTS])
    return {"indicators": len(rows),
            "indicators_with_actual": sum(i.actual is not None for i in prog.indicators)}


def method_section(ctx: Context) -> dict[str, Any]:
    """Section 4: the design, unit, treated units, start, outcomes, comparison pool."""
    d = ctx.programme.design
    treated = (", ".join(d.treated_units) if d.treated_units
               else "listed in the monitoring returns (not yet received)")
    say("## 4. Method and assumptions\n\n"
        f"* **Design:** {d.method.replace('_', ' ')}; exposure {d.exposure.replace('_', ' ')}.\n"
        f"* **Unit:** {d.unit.replace('_', ' ')}. **Treated units:** {treated}"
        f"{' (' + d.treated_units_note + ')' if d.treated_units_note else ''}.\n"
        f"* **Start:** {d.start_date or d.start_year}.\n"
        f"* **Outcomes:** {', '.join(o.replace('_', ' ') for o in d.outcomes)}.\n"
        f"* **Comparison pool:** {d.comparison_pool}\n"
        f"* **Covariates:** {', '.join(c.replace('_', ' ') for c in d.covariates) or 'none'}.\n"
        f"* **Data:** {'; '.join(d.data)}.\n\n"
        "**Identifying assumption.** Without the programme the treated units would have "
        "followed the comparison's path (parallel trends for difference-in-differences; the "
        "synthetic combination of donors for synthetic control; no unobserved selection "
        "once matched on the covariates for matching), and the programme does not affect "
        "the comparison units (no spillovers).\n\n"
        + ("**Predictors.** The synthetic control matches every pre-period year of the "
           "outcome, which makes separate covariate predictors redundant (Kaul et al. 2022); "
           "the covariates above are not used.\n\n" if d.method == "synthetic_control" else "")
        + "**Area-level check used in this report.** Whatever the programme's own design, "
        "sections 5-6 ask what the official district productivity series can reveal about "
        f"{ctx.programme.area.name}: a synthetic control of the area's hours-weighted GVA per "
        "hour worked (in logs) against English unitary and metropolitan districts outside any "
        "combined authority and outside London.")
    return {}


def caveats(ctx: Context) -> dict[str, Any]:
    """Section 9: what limits the conclusions."""
    prog = ctx.programme
    items = [
        "ONS district productivity is smoothed (the subregional method averages over about "
        "five years), so a change in one year is spread over its neighbours: timing is "
        "blurred and years just before the start already contain some post-start data.",
        "GVA per hour is in current prices: the synthetic control compares areas in the same "
        "years, so common inflation cancels, but local price differences do not.",
        "Other policies changed at the same time in the area (devolution deals, UKSPF, "
        "Investment Zone, the pandemic's uneven effects); an area-level estimate mixes them.",
        "Figures marked [?] in the registry are uncertain in their sources; targets "
        "published as 'more than' or 'at least' are lower bounds.",
    ]
    if prog.design.unit in ("firm", "individual", "ward"):
        items.append("Firm- and person-level impact needs linked monitoring returns and "
                     "administrative data (IDBR/BSD, LEO, ILR) that are not yet available: "
                     "the illustration in section 7 is synthetic.")
    if prog.design.method in ("synthetic_control", "synthetic_did"):
        items.append("Spillovers into neighbouring donor districts (commuting, supply "
                     "chains) would bias the estimate towards zero.")
    say("## 9. Caveats\n\n" + "\n".join(f"* {i}" for i in items))
    return {}
