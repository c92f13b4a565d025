"""Report sections 5-8: power, impact, the firm-level illustration and value for money.

The power section comes before any impact figure (Magenta Book 2020, ch. 3.5: judge whether
an effect of plausible size could be detected before estimating it). An impact headline is
shown only where the minimum detectable effect (MDE) is below the programme's plausible effect,
or for the place-based evaluation itself (the mayoral devolution entry), with its MDE beside it.

References
----------
HM Treasury (2020), *The Magenta Book*, ch. 3 and annex A (power, counterfactuals).
Bloom, H. S. (1995), Evaluation Review 19(5): 547-556 (MDE).
HCA (2014), *Additionality Guide*, 4th ed. (gross-to-net); HM Treasury (2022), *The Green
Book* (discounting, BCR).
Wooldridge, J. M. (2010), *Econometric Analysis of Cross Section and Panel Data*, 2nd ed.,
sec. 11.7.1 (random growth model: first-difference away firm-specific trends); Heckman, J. and
Hotz, V. J. (1989), JASA 84(408): 862-874 (pre-programme trends in training evaluations).
"""

from __future__ import annotations

import math
from typing import Any

import IPython.display as ipd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wmresearch.evaluation.appraisal import cost_per_output, present_value
from wmresearch.evaluation.did import difference_in_differences
from wmresearch.evaluation.monitoring import schema_markdown
from wmresearch.evaluation.monitoring_demo import synthetic_monitoring
from wmresearch.evaluation.place import (
    OUTCOME,
    PlaceEvaluation,
    area_gva,
    donor_pool,
    place_panel,
)
from wmresearch.evaluation.power import mde_did, mde_two_sample, pre_period_sigma
from wmresearch.evaluation.programmes import Programme
from wmresearch.evaluation.report import SRC_FACTS, SRC_LOOKUP, SRC_PROD, Context, number, say
from wmresearch.evaluation.synthetic import synthetic_control
from wmresearch.reporting.charts import house_style, show
from wmresearch.reporting.display import synthetic_notice
from wmresearch.reporting.tables import show_table

FACTORS = ("deadweight", "leakage", "displacement", "substitution", "multiplier")
COUNT_UNITS = {"firms", "people", "adults", "count", "jobs"}


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


def plausible_effect(prog: Programme, gva_gbp: float | None) -> float | None:
    """Upper bound on the programme's effect on the area's GVA: annual spend / area GVA.

    Assumes every pound spent adds a pound of GVA in the year, more than the Additionality
    Guide's net returns allow, so the true effect is most likely smaller.
    """
    spend, _ = annual_spend(prog)
    if spend is None or gva_gbp is None or gva_gbp <= 0:
        return None
    return spend / gva_gbp


def _did_mde(place: PlaceEvaluation) -> float:
    """Analytic DiD MDE (McKenzie 2012; Bloom 1995) with the donors' pre-period noise."""
    panel = place.panel
    pre = panel[(panel["year"] < place.start_year) & (panel["unit"] != place.treated_unit)]
    sigma = pre_period_sigma(pre, outcome=OUTCOME, unit="unit", time="year")
    years = panel["year"].unique()
    return mde_did(sigma, n_treated=1, n_control=panel["unit"].nunique() - 1,
                   pre_periods=int((years < place.start_year).sum()),
                   post_periods=int((years >= place.start_year).sum()))


def power_section(ctx: Context) -> dict[str, Any]:
    """Section 5: the MDE of the area-level design beside the programme's plausible effect."""
    prog, place = ctx.programme, ctx.place()
    say("## 5. Can the data detect an effect of plausible size?")
    gva_year, gva = (area_gva(ctx.productivity, ctx.area_lads)
                     if ctx.productivity is not None and ctx.area_lads else (None, None))
    spend, basis = annual_spend(prog)
    effect = plausible_effect(prog, gva)
    out: dict[str, Any] = {"area_gva_gbp": gva, "gva_year": gva_year, "annual_spend_gbp": spend,
                           "plausible_effect": effect, "mde": None, "detectable": False}
    if place is None:
        why = ctx.cache.get("place_error") or ("the district productivity series or the "
                                                "area's districts are not in the evidence "
                                                "base for this run")
        say(f"The area-level design cannot be run ({why}), so no minimum detectable effect "
            "can be computed and no impact figure is reported.")
        return out
    did = _did_mde(place)
    out.update(mde=place.mde, mde_did=did, assessed_start=place.start_year,
               donors=len(place.donors.donors) if place.donors else None,
               informative_placebos=place.informative_placebos)
    say(f"**Minimum detectable effect.** With one treated area (the {len(ctx.area_lads)} "
        f"districts of {prog.area.name} aggregated) and {place.panel['unit'].nunique() - 1} "
        f"donor districts, a post-period from {place.start_year}, and the noise of the "
        f"pre-period series, the smallest effect on GVA per hour worked this design would "
        f"declare significant at 5% is about **{number(place.mde, pct=True)}** (the 95th "
        f"percentile of the {place.informative_placebos} placebo districts' post-period gaps; "
        f"Abadie, Diamond & Hainmueller 2010{_filter_note(place)}). A difference-in-differences "
        f"of the same panel would need about {number(did, pct=True)} for 80% power "
        "(Bloom 1995 multiplier 2.8 x the DiD standard error with the donors' residual noise).")
    if effect is None:
        say(f"**Plausible effect.** Not computable: {basis}. " + (
            "The place-based estimate below is reported with its MDE so that readers can "
            "judge which effects it could have detected."
            if _is_place_based(prog) else "No impact figure is reported."))
        return out
    out["detectable"] = bool(effect >= min(place.mde, did))
    verdict = ("could detect an effect of this size" if out["detectable"] else
               "**cannot detect an effect of this size**: the plausible effect is "
               f"{number(min(place.mde, did) / effect, digits=0)} times smaller than the minimum "
               "detectable effect, so no impact headline is shown")
    say(f"**Plausible effect.** Annual spend ({basis}) {number(spend, gbp=True)} divided by "
        f"the area's annual GVA in {gva_year}, {number(gva, gbp=True)} (sum over its districts "
        "of GVA per hour x weekly hours worked x 52), is "
        f"**{number(effect, digits=3, pct=True)}** of GVA: an upper bound, as it assumes each "
        f"pound spent adds a pound of GVA. The area-level design {verdict}.")
    return out


def _filter_note(place: PlaceEvaluation) -> str:
    donors = place.panel["unit"].nunique() - 1
    if place.informative_placebos < donors:
        return "; placebos fitted more than 5 times worse than the treated area are left out"
    return ("; every placebo is kept, because none is fitted as closely as the treated "
            "aggregate, which makes this MDE generous to the design")


def _is_place_based(prog: Programme) -> bool:
    return prog.design.method == "synthetic_control" and prog.design.unit in (
        "lad", "combined_authority")


def _paths_figure(place: PlaceEvaluation) -> tuple[plt.Figure, str]:
    house_style()
    d = place.sc.detail.set_index("year")
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4))
    a.plot(d.index, np.exp(d["treated"]), lw=2, marker="o", ms=3, label="actual")
    a.plot(d.index, np.exp(d["synthetic"]), lw=2, ls="--", label="synthetic control")
    gaps = place.sc.extra["placebo_gaps"] * 100
    for unit in gaps.columns.drop(place.treated_unit):
        b.plot(gaps.index, gaps[unit], color="0.8", lw=0.7)
    b.plot(gaps.index, gaps[place.treated_unit], color="C3", lw=2.5, label="treated area")
    for ax in (a, b):
        ax.axvline(place.start_year - 0.5, color="k", ls=":", lw=1)
    a.set(title="GVA per hour worked, £ (current prices)", xlabel="Year", ylabel="£ per hour")
    b.set(title="Gap to synthetic control (grey: placebo districts)", xlabel="Year",
          ylabel="% (log points x 100)")
    b.set_ylim(-30, 30)
    a.legend(frameon=False)
    b.legend(frameon=False)
    last = d.index.max()
    alt = (f"Left: actual GVA per hour {number(float(np.exp(d.loc[last, 'treated'])), digits=2)}"
           f" pounds in {last} against a synthetic control of "
           f"{number(float(np.exp(d.loc[last, 'synthetic'])), digits=2)}. Right: the gap in "
           f"per cent, {number(d.loc[last, 'gap'] * 100)} in {last}, among "
           f"{gaps.shape[1] - 1} placebo gaps.")
    return fig, alt


def impact_section(ctx: Context, power: dict[str, Any]) -> dict[str, Any]:
    """Section 6: the estimate with its 95% interval, pre-trends and placebos, where allowed."""
    prog, place = ctx.programme, ctx.place()
    say("## 6. Impact")
    if place is None or not (power.get("detectable") or _is_place_based(prog)):
        say("No impact estimate is reported. The area-level data cannot detect an effect of "
            "the size this programme could plausibly have (section 5), so any estimate would "
            "be noise: a before/after change in the area's productivity would mostly reflect "
            "everything else that happened. Impact must come from the programme's own "
            "design (section 4) once beneficiary-level data are available.")
        return {"impact_reported": False}
    sc, it = place.sc, place.in_time
    rows = [("Effect on GVA per hour (mean post-period gap)", number(sc.att, pct=True)),
            ("95% interval (placebo test inversion)",
             f"{number(place.ci[0], pct=True)} to {number(place.ci[1], pct=True)}"),
            ("In-space placebo p-value (RMSPE-ratio rank)", number(sc.pvalue, digits=3)),
            ("Pre-period fit (RMSPE)", number(place.pre_rmspe, digits=2, pct=True)),
            (f"In-time placebo: gap {place.fake_start}-{place.start_year - 1}",
             number(it.att, digits=2, pct=True)),
            ("Minimum detectable effect", number(place.mde, pct=True)),
            ("Donor districts (with positive weight)",
             f"{sc.n_control} ({int((sc.extra['weights'] > 1e-6).sum())})")]
    show_table(pd.DataFrame(rows, columns=["figure", "value"]), sources=[SRC_PROD, SRC_LOOKUP])
    fig, alt = _paths_figure(place)
    show(fig, title=f"{prog.area.name}: actual and synthetic GVA per hour, and placebo gaps",
         alt=alt, sources=[SRC_PROD + "; synthetic control by wmresearch"])
    significant = sc.pvalue <= 0.05 and abs(sc.att) >= place.mde
    say(f"The treated area's productivity was {number(abs(sc.att), pct=True)} "
        f"{'below' if sc.att < 0 else 'above'} its synthetic control on average from "
        f"{place.start_year}. " + (
            "This is larger than the placebo districts' gaps: evidence of an effect."
            if significant else
            "This is within the range of gaps of districts that were not treated, so the data "
            "show no effect distinguishable from zero; effects smaller than the MDE cannot "
            "be ruled out.")
        + f" The in-time placebo (a pretend start in {place.fake_start}) gives a gap of "
        f"{number(it.att, digits=2, pct=True)}, "
        + ("small beside the MDE, as a credible design should." if abs(it.att) < place.mde
           else "large: the synthetic control does not track the area before the start."))
    out = {"impact_reported": True, "att": sc.att, "ci_low": place.ci[0],
           "ci_high": place.ci[1], "placebo_p": sc.pvalue, "pre_rmspe": place.pre_rmspe,
           "in_time_gap": it.att, "fake_start": place.fake_start}
    if ctx.lookup is not None:
        years = sorted(place.panel["year"].unique())
        pool = donor_pool(ctx.lookup, ctx.productivity, ctx.area_lads, years=years, tiers=None)
        wide = place_panel(ctx.productivity, ctx.area_lads, pool.donors,
                           treated_unit=place.treated_unit, years=years)
        alt_fit = synthetic_control(wide, outcome=OUTCOME, unit="unit", time="year",
                                    treated_unit=place.treated_unit,
                                    treatment_time=place.start_year, placebo=False)
        out["att_all_districts"] = alt_fit.att
        say(f"**Robustness.** With every English district outside a combined authority and "
            f"London as donors ({len(pool.donors)}, shire districts included) the gap is "
            f"{number(alt_fit.att, pct=True)}: with far more donors than pre-period years the "
            "weights are not unique, which is why the single-tier pool is the main estimate.")
    return out


BENEFICIARY_UNITS = {"firm": ("firms", "count"), "individual": ("adults", "people"),
                     "ward": ("people",)}


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


def _beneficiary_power(prog: Programme) -> dict[str, Any]:
    """Design-stage power of a beneficiary-level comparison (Magenta Book 2020, ch. 3.5)."""
    found = beneficiary_count(prog)
    if found is None:
        say("**Power of a beneficiary-level comparison.** Not computable: no count of "
            "beneficiaries is published, so the sample a comparison would have is unknown.")
        return {}
    n, source = found
    one, four = (mde_two_sample(n, n * k) for k in (1, 4))
    sd1, sd4 = number(one, digits=2), number(four, digits=2)
    say(f"**Power of a beneficiary-level comparison.** With {number(n, digits=0)} "
        f"beneficiaries ({source}), a comparison with one matched non-beneficiary each could "
        f"detect an effect of {sd1} standard deviations of the outcome, and with four each "
        f"{sd4} (two-sided 5% test, 80% power; Cohen 1988, solved exactly by statsmodels). "
        "Converting this to employment or earnings needs the outcome's spread among comparable "
        "firms or people, which the linked administrative data will give. "
        "Attrition and imperfect matching raise these figures.")
    return {"beneficiaries": n, "mdes_1to1": one, "mdes_1to4": four}


def firm_level_section(ctx: Context) -> dict[str, Any]:
    """Section 7: the monitoring schema and a SYNTHETIC demonstration of the counterfactual."""
    prog = ctx.programme
    if prog.design.unit not in ("firm", "individual", "ward"):
        return {}
    say("## 7. Beneficiary-level evaluation\n\nImpact on supported firms or people needs "
        "monitoring returns in a fixed format, linked to administrative data for a "
        "comparison group. The return's data dictionary (an Excel workbook with the sheets "
        "below; an empty template is produced by the project's monitoring module):")
    say(schema_markdown().replace("\n## ", "\n#### ").replace("# Monitoring", "### Monitoring"))
    power = _beneficiary_power(prog)
    start = prog.start_year
    data = synthetic_monitoring(first_year=start - 5, last_year=start + 3, start_year=start,
                                seed=ctx.seed)
    ipd.display(synthetic_notice(
        f"{data.truth['treated_firms']} of 3,000 invented firms, seed {ctx.seed}; support "
        f"raises log employment by {data.truth['effect_log_employment']} from {start}. "
        "Not monitoring data of this programme."))
    est = demo_estimates(data.panel, start)
    truth = data.truth["effect_log_employment"]
    ci = (f"{number(est['trend_did_ci_low'] * 100)} to "
          f"{number(est['trend_did_ci_high'] * 100)}")
    table = pd.DataFrame(
        [(name, number(v * 100, digits=1), number((v - truth) * 100, digits=1), interval)
         for name, v, interval in (
             ("Naive before/after of beneficiaries", est["naive"], "none"),
             ("Difference-in-differences", est["did"], "biased: not shown"),
             ("DiD with firm-specific trends", est["trend_did"], ci),
             ("True planted effect", truth, "known"))],
        columns=["estimator", "effect on employment (%)", "error (points)", "95% interval"])
    show_table(table, sources=["SYNTHETIC data from wmresearch.evaluation.monitoring_demo"])
    say("Firms that join were already growing faster, so the naive before/after counts their "
        "own growth (and the common shocks) as impact; a difference-in-differences removes "
        "shocks but not the faster trend; removing each firm's own trend recovers the planted "
        "effect (Wooldridge 2010, sec. 11.7.1). With real returns the same comparison uses "
        "matched non-supported firms from the IDBR/BSD.")
    return {f"demo_{k}": v for k, v in est.items()} | {"demo_truth": truth} | power


def demo_estimates(panel: pd.DataFrame, start: int) -> dict[str, float]:
    """Naive, TWFE DiD and random-growth (first-difference) DiD on a monitoring panel.

    Random growth model (Wooldridge 2010, sec. 11.7.1): first differences remove firm levels
    and turn firm trends into firm effects, so a TWFE DiD of the differenced outcome on the
    differenced treatment (a pulse in the first treated year) estimates the effect.
    """
    frame = panel.assign(d=(panel["treated"] & panel["post"]).astype(int))
    by = frame.groupby(["firm_id", "post"])["log_employment"].mean().unstack()
    treated = frame.groupby("firm_id")["treated"].first()
    naive = float((by[True] - by[False])[treated].mean())
    did = difference_in_differences(frame, outcome="log_employment", unit="firm_id",
                                    time="year", treated="d").att
    frame = frame.sort_values(["firm_id", "year"])
    grouped = frame.groupby("firm_id")
    fd = frame.assign(dy=grouped["log_employment"].diff(), dd=grouped["d"].diff())
    fd = fd[fd["year"] > fd["year"].min()]
    trend = difference_in_differences(fd, outcome="dy", unit="firm_id", time="year",
                                      treated="dd")
    return {"naive": naive, "did": did, "trend_did": trend.att,
            "trend_did_ci_low": trend.ci[0], "trend_did_ci_high": trend.ci[1]}


def value_for_money(ctx: Context, impact: dict[str, Any]) -> dict[str, Any]:
    """Section 8: gross-to-net factors, cost per output, discounted costs and the BCR."""
    prog = ctx.programme
    add = prog.additionality
    say("## 8. Additionality and value for money")
    rows = [{"factor": name, "central": number(getattr(add, name).central, digits=2),
             "low": number(getattr(add, name).low, digits=2),
             "high": number(getattr(add, name).high, digits=2),
             "source": getattr(add, name).source, "rationale": getattr(add, name).rationale}
            for name in FACTORS]
    show_table(pd.DataFrame(rows), sources=["HCA Additionality Guide 4th ed. (2014); "
                                            + SRC_FACTS])
    missing = [name for name in FACTORS if getattr(add, name).central is None]
    if missing:
        say(f"**Net additional impact cannot be computed**: no sourced value for "
            f"{', '.join(missing)} ({'; '.join(getattr(add, m).source for m in missing)}), "
            "and no gross impact has been estimated."
            + (" The displacement range (low-high) is the sensitivity range to apply once a "
               "gross impact exists." if add.displacement.central is not None else ""))
    out: dict[str, Any] = {"net_impact_computable": False,
                           "missing_factors": ", ".join(missing) or None}
    costs = [(i, cost_per_output(prog.budget.total_gbp, i.actual)) for i in prog.indicators
             if prog.budget.total_gbp and i.actual and i.unit in COUNT_UNITS]
    for ind, cost in costs:
        say(f"**Cost per output:** {number(prog.budget.total_gbp, gbp=True)} / "
            f"{number(ind.actual, digits=0)} {ind.name} = **{number(cost, gbp=True)}** "
            f"({ind.source}; gross, before additionality).")
    if not costs:
        say("**Cost per output:** not computable: the budget or the achieved outputs are "
            "not published.")
    out["cost_per_output_gbp"] = costs[0][1] if costs else None
    spend = [(int(s.period[:4]), s.gbp) for s in prog.budget.spend_profile if s.gbp is not None]
    if spend:
        first = min(y for y, _ in spend)
        pv = present_value([g for _, g in spend], [y - first for y, _ in spend])
        out["pv_costs_gbp"] = pv
        say(f"**Present value of published spend** at {first}-{str(first + 1)[2:]} values "
            f"(Green Book 3.5% discount rate): {number(pv, gbp=True)}.")
    say("**Benefit-cost ratio:** not computed. A BCR needs a net additional benefit in "
        "money, which needs a gross impact estimate and every additionality factor; "
        + ("the area-level estimate is not an effect of identified spending"
           if impact.get("impact_reported") else "neither is available yet")
        + ", so quoting one would not be defensible.")
    return out


def headline(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics with non-finite numbers replaced by ``None`` (JSON null, never NaN)."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in metrics.items()}
