# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Programme evaluation
#
# One report per programme of the registry, in the order of HM Treasury's Magenta Book: what
# was done and why, what was delivered, how impact is to be identified, whether the data could
# detect an effect of plausible size in the programme's own years, and only then what was
# estimated, its value for money and its caveats. Figures that are not published are said to
# be so; a synthetic demonstration is labelled as such and states no finding.

# %% tags=["parameters"]
programme = "ukspf"
region = "E47000007"
seed = 20240601
first_year = 2004

# %% tags=["remove-cell"]
import numpy as np
import pandas as pd
from IPython.display import display

from wmresearch.config import Project
from wmresearch.evaluation import monitoring_demo, power
from wmresearch.evaluation import programme_tables as tables
from wmresearch.evaluation.appraisal import sms_level
from wmresearch.evaluation.area_check import (
    area_autocorrelation,
    area_gva_hours,
    area_noise,
    area_panel,
)
from wmresearch.evaluation.beneficiary import (
    choose_design,
    estimate_demo,
    evaluate_beneficiaries,
)

# %% tags=["remove-cell"]
from wmresearch.evaluation.monitoring import (
    BENEFICIARY_NAMES,
    RETURN_UNITS,
    read_comparison_outcomes,
    read_monitoring_return,
    schema_markdown,
)
from wmresearch.evaluation.programmes import (
    EXPOSURE_NAMES,
    METHOD_NAMES,
    UNIT_NAMES,
    get_programme,
    load_programmes,
)
from wmresearch.evaluation.status import card_headline, evaluation_status, sms_statement
from wmresearch.evidence.area import region_lads
from wmresearch.evidence.tables import Tables
from wmresearch.parallel import in_background
from wmresearch.reporting import (
    estimate_chart,
    glossary,
    logic_model_chart,
    number,
    references,
    say,
    show_table,
    synthetic_notice,
    write_metrics,
)
from wmresearch.reporting.disclosure import disclosure_check, format_suppressed

# %% tags=["remove-cell"]
project = Project.here()
paths = project.paths
prog = get_programme(project.params["programmes"], programme)
design = prog.design
return_unit = RETURN_UNITS.get(design.unit)
beneficiaries_word = BENEFICIARY_NAMES.get(design.unit, UNIT_NAMES[design.unit])

# %% tags=["remove-cell"]
# Section 7's power calculation and, without a monitoring return, its demonstration of the
# design on synthetic beneficiaries of the programme's own kind are the slowest steps of the
# page: started now, in order, on the machine's other core (where the kernel's background
# worker loaded their libraries as it started), they are done when section 7 begins (the
# same numbers).
count = tables.beneficiary_count(prog)
power_jobs = ([in_background(power.mde_two_sample, count[0], ratio * count[0])
               for ratio in (1, 4)] if count is not None else [])
supplied = bool(design.monitoring_return) and return_unit is not None
demo_unit = None if supplied else monitoring_demo.DEMO_UNITS.get(design.unit)
demo = (monitoring_demo.synthetic_beneficiaries(design.unit, start_year=prog.start_year,
                                                seed=seed) if demo_unit is not None else None)
demo_job = in_background(estimate_demo, demo) if demo is not None else None

# %% tags=["remove-cell"]
# how each beneficiary-level outcome is named and shown: effects in log points, probability
# points or pounds, scaled for sentences
OUTCOMES = {
    "log_employment": {"words": "employment", "header": "Effect on employment (log points)",
                       "units": "log points (0.050 is about 5%)",
                       "scale": 100, "gbp": False, "suffix": "%", "format": "{:+.3f}"},
    "employed": {"words": "the probability of being employed", "header": "Effect on the "
                 "probability of being employed", "units": "probability of being employed "
                 "(0.080 is 8 percentage points)", "scale": 100, "gbp": False,
                 "suffix": " percentage points", "format": "{:+.3f}"},
    "earnings_gbp": {"words": "annual earnings", "header": "Effect on annual earnings (£)",
                     "units": "£ a year", "scale": 1, "gbp": True, "suffix": " a year",
                     "format": "{:+,.0f}"},
}

# %% tags=["remove-cell"]
SRC_FACTS = "Programme registry: the publications cited in each row"
SRC_PROD = ("ONS, Subregional productivity by local authority district, June 2024 release "
            "(current prices, smoothed)")

# %% [markdown]
# ## 1. Summary

# %% tags=["remove-cell"]
evidence = Tables(paths)
productivity = evidence.get("productivity_lad")
lookup = evidence.get("lad_lookup")
districts = (list(design.treated_units) if design.unit == "lad" and design.treated_units
             else list(region_lads(lookup, prog.area.code)["lad_code"])
             if lookup is not None else [])
area = area_panel(productivity, lookup, districts, treated_unit=prog.area.code,
                  first_year=first_year)
planned_sms = sms_level(design.method)

# %%
say(f"**{prog.name}.** {prog.summary}\n\n"
    f"* **Area:** {prog.area.name}. **Funder / lead:** {prog.funder} / {prog.lead}.\n"
    f"* **Planned impact design:** {METHOD_NAMES[design.method]} on "
    f"{UNIT_NAMES[design.unit]} from {prog.start_year}; data it needs: "
    f"{'; '.join(design.data)}.\n"
    f"* **Evidence standard:** the Maryland Scientific Methods Scale rates a study that was "
    f"carried out. This design would reach SMS {planned_sms.level} ({planned_sms.reason}); "
    "sections 5 to 7 say what was actually estimated here.")

# %% [markdown]
# ## 2. The programme

# %%
say(f"**Rationale.** {prog.rationale}\n\n**Key dates.**\n\n"
    + "\n".join(f"* {d.date}: {d.event} ({d.source})" for d in prog.key_dates))

# %%
show_table(tables.spend_table(prog), formats={"Amount (£)": "£{:,.0f}"},
           caption=f"Budget and spend profile of {prog.name} (nominal pounds)",
           sources=[SRC_FACTS], missing="not published")
if prog.budget.note:
    say(f"_Note:_ {prog.budget.note}")

# %%
logic_model_chart(tables.logic_model_stages(prog), title=f"Logic model of {prog.name}",
                  sources=[SRC_FACTS])
say("**Assumptions of the logic model** (each must hold for the chain to work):\n\n"
    + "\n".join(f"* {a}" for a in prog.logic_model.assumptions))

# %% [markdown]
# ## 3. Monitoring against targets

# %%
indicators = tables.indicator_table(prog)
if indicators.empty:
    say("No output or outcome targets are published for this programme.")
else:
    show_table(indicators, formats={"Share achieved": "{:.0%}", "Target": "{:,.4g}",
                                         "Actual": "{:,.4g}"}, missing="not published",
               caption=f"Outputs and outcomes of {prog.name} against published targets",
               sources=[SRC_FACTS])

# %% [markdown]
# ## 4. Method and assumptions

# %%
say(f"* **Design:** {METHOD_NAMES[design.method]}; exposure: "
    f"{EXPOSURE_NAMES[design.exposure]}.\n"
    f"* **Unit:** {UNIT_NAMES[design.unit]}. **Treated units:** "
    f"{design.treated_units_note or 'listed in the monitoring returns (not yet received)'}.\n"
    f"* **Start:** {design.start_date or design.start_year}. **Outcomes:** "
    f"{', '.join(o.replace('_', ' ') for o in design.outcomes)}.\n"
    f"* **Comparison pool:** {design.comparison_pool}\n"
    f"* **Data needed:** {'; '.join(design.data)}.\n\n"
    "**Identifying assumption.** Without the programme the treated units would have followed "
    "the comparison's path, and the programme does not affect the comparison units.")

# %% [markdown]
# ## 5. Could the official area data detect an effect of plausible size?
#
# Before any impact figure (Magenta Book 2020, ch. 3.5): the area's hours-weighted GVA per
# hour worked against English unitary and metropolitan districts outside any combined
# authority and outside London, with the programme's real start year. The minimum detectable
# effect (MDE) is the effect a difference-in-differences of the area against those districts
# would detect with 80% power in a two-sided 5% test (Bloom 1995).

# %% tags=["remove-cell"]
if area.available:
    pre_years = prog.start_year - area.first_year
    sigma = area_noise(area, before=min(prog.start_year, area.last_year + 1))
    rho = area_autocorrelation(area, before=min(prog.start_year, area.last_year + 1))
    gva_year, gva, hours = area_gva_hours(area)
    spend, spend_basis = tables.annual_spend(prog)
    plausible = (power.plausible_effect_gva_per_hour(spend, gva, hours)
                 if spend is not None else None)
    projection = power.power_by_year(
        start_year=prog.start_year, last_data_year=area.last_year, sigma=sigma, n_treated=1,
        n_control=len(area.donors), pre_periods=pre_years, rho=rho,
        plausible_effect=plausible.log_points if plausible else None,
        horizon=max(10, area.last_year - prog.start_year + 5))

# %%
if not area.available:
    say(f"The area-level check cannot be run: {area.reason}.")
else:
    say(f"The district series run from {area.first_year} to **{area.last_year}**; the "
        f"programme's first treated year is **{prog.start_year}**, so the published data "
        f"hold **{projection.post_periods}** post-programme "
        f"year{'' if projection.post_periods == 1 else 's'}. The noise of the donor "
        f"districts' log GVA per hour before {prog.start_year} (two-way demeaned) is "
        f"{number(sigma * 100, digits=2)} log points over {len(area.donors)} districts, with "
        f"a year-to-year correlation of {number(rho, digits=2)} (the ONS series are "
        "smoothed); the MDE allows for both (McKenzie 2012)."
        + (" With noise this persistent, more post-programme years do not shrink the MDE: "
           "the average gap after the start drifts further from the average before it."
           if projection.table["mde"].is_monotonic_increasing else ""))

# %%
if area.available:
    show_table(projection.table.assign(mde=projection.table["mde"] * 100)
               .replace({True: "yes", False: "no"})
               .rename(columns={"last_data_year": "data up to", "post_periods":
                                "post-programme years", "mde": "MDE (%)", "published":
                                "published", "detectable": "plausible effect detectable"}),
               formats={"MDE (%)": "{:.1f}"},
               caption=(f"Minimum detectable effect on GVA per hour worked (log points x 100, "
                        f"about %) by the last year of published data; {prog.start_year} "
                        "start, 80% power, 5% two-sided"),
               sources=[SRC_PROD, "MDE: Bloom (1995), McKenzie (2012)"])

# %%
if area.available and plausible is not None:
    say(f"**Plausible effect, in the outcome's units.** Annual spend ({spend_basis}) "
        f"{number(spend, gbp=True)} against the area's GVA in {gva_year}, "
        f"{number(gva, gbp=True)} over {number(hours / 1e9, digits=2)}bn hours worked "
        f"(GVA per hour £{plausible.gva_per_hour:.2f}; this total is GVA per hour x hours "
        "in the district productivity release, so it differs slightly from the balanced "
        "regional GVA the State of the Region quotes), could raise "
        f"GVA per hour by at most **£{plausible.gbp_per_hour:.3f}**, that is "
        f"**{number(plausible.log_points, digits=3, pct=True)}**: an {plausible.assumption}.")
elif area.available:
    say(f"**Plausible effect.** Not computable: {spend_basis}.")

# %%
if area.available and not projection.evaluable:
    say(f"**Not yet evaluable on area data.** The first post-programme year, "
        f"{prog.start_year}, is not in the published series (which end in {area.last_year}).")
elif area.available:
    say(f"**With data to {area.last_year}** the MDE is "
        f"**{number(projection.mde, pct=True)}** of GVA per hour worked.")
if area.available and plausible is not None:
    ratio = power.mde_ratio(projection.mde or projection.table["mde"].iloc[-1], plausible)
    say(f"The plausible effect is {number(ratio, digits=0)} times smaller than "
        + ("this MDE" if projection.evaluable else
           f"the MDE even with {int(projection.table['post_periods'].iloc[-1])} post years")
        + (f"; it would be detectable with data to {projection.detectable_from}."
           if projection.detectable_from else
           f"; it stays undetectable with data up to "
           f"{int(projection.table['last_data_year'].max())}, so no area-level impact "
           "estimate is made."))

# %% [markdown]
# ## 6. What was estimated

# %% tags=["remove-cell"]
status = evaluation_status(prog, last_data_year=area.last_year,
                           estimated=bool(design.monitoring_return),
                           detectable=(projection.detectable_from is not None
                                       and projection.detectable_from <= area.last_year)
                           if area.available and plausible is not None else None)

# %%
say(f"The impact on {beneficiaries_word} is estimated in section 7 from the programme's "
    f"monitoring return ({sms_statement(status)}); no area-level impact is estimated."
    if status.state == "estimated" else
    f"No impact estimate is reported: {sms_statement(status)}. "
    + ("The programme's first treated year is not yet in the official series."
       if status.state == "not_yet_evaluable" else
       "The area-level data cannot detect an effect of the size this programme could "
       "plausibly have (section 5), so a before/after change in the area would mostly "
       "reflect everything else that happened." if status.state == "not_detectable" else
       "Impact must come from the programme's own design (section 4) once its data exist."))

# %% [markdown]
# ## 7. Beneficiary-level evaluation
#
# Impact on supported firms or people needs monitoring returns in a fixed format, linked to
# administrative data for a comparison group. The design follows from the start dates: when
# beneficiaries started in several years, later starters are the comparison for earlier ones
# (Callaway and Sant'Anna 2021, with an event study); when all started together, each is
# matched to similar non-beneficiaries before a difference in differences (Heckman, Ichimura
# and Todd 1997).

# %%
if return_unit is None:
    say(f"No monitoring-return template is defined for programmes on "
        f"{UNIT_NAMES[design.unit]}, so no beneficiary-level design is run here.")
elif not design.monitoring_return:
    say(f"No monitoring return has been supplied for this programme, so no impact on "
        f"{beneficiaries_word} is estimated. The programme team's return should follow the "
        "data dictionary below; once it is supplied (and, for a single intake, the comparison "
        "group's outcomes), this section runs the design that fits it.")
    say(schema_markdown(return_unit, level=3))

# %%
if count is None:
    say("**Power of a beneficiary-level comparison.** Not computable: no count of "
        "beneficiaries is published, so the sample a comparison would have is unknown.")
else:
    n_benef, count_source = count
    # power.mde_two_sample(n_benef, n_benef) and (n_benef, 4 * n_benef), started above
    mde_1to1, mde_1to4 = (job.result() for job in power_jobs)
    say(f"**Power of a beneficiary-level comparison.** With {number(n_benef)} beneficiaries "
        f"({count_source}), a comparison with one matched non-beneficiary each could detect "
        f"{number(mde_1to1, digits=2)} standard deviations of the outcome, and with four "
        f"each {number(mde_1to4, digits=2)} (80% power, two-sided 5%; Cohen 1988).")

# %%
beneficiary_result = None
if supplied:
    monitoring = read_monitoring_return(project.root / design.monitoring_return,
                                        unit=return_unit)
    comparison = (read_comparison_outcomes(project.root / design.comparison_outcomes,
                                           unit=return_unit)
                  if design.comparison_outcomes else monitoring.outcomes.iloc[0:0])
    unit_outcomes = pd.concat([monitoring.outcomes, comparison], ignore_index=True)
    if return_unit == "firm":
        # effects on log employment are proportional; a headcount of 0 is counted as 1
        unit_outcomes["log_employment"] = np.log(unit_outcomes["employment"].astype(float)
                                                 .clip(lower=1))
    outcome = ("log_employment" if return_unit == "firm" else "earnings_gbp"
               if unit_outcomes["earnings_gbp"].notna().all() else "employed")
    # people of a single intake are matched on age and qualification too, where supplied
    matching_on = [c for c in ("age", "qualification_level") if return_unit == "person"
                   and choose_design(monitoring.beneficiaries).design == "single_cohort"
                   and unit_outcomes[c].notna().all()]
    beneficiary_result = evaluate_beneficiaries(monitoring, unit_outcomes, outcome=outcome,
                                                covariates=matching_on,
                                                comparison="beneficiaries", lags=3)

# %%
if beneficiary_result is not None:
    used = beneficiary_result.accounting.query("table == 'beneficiaries'").replace(
        {"status": {"used": "evaluated"}})
    # no published cell may count fewer than 10 firms or people
    counted = disclosure_check(used, row="status", count_col="rows", min_count=10)
    show_table(format_suppressed(counted).reset_index().rename(columns={
        "status": "Status", "rows": beneficiaries_word.capitalize()}),
        caption=f"{beneficiaries_word.capitalize()} in the monitoring return: evaluated, or "
                "set aside and why ([c]: fewer than 10, or revealing one that is)",
        sources=["Programme monitoring return"])
    groups = pd.DataFrame({"group": [*map(str, beneficiary_result.design.cohorts), "comparison"],
                           "people": [*beneficiary_result.design.cohorts.values(),
                                      beneficiary_result.estimate.n_control]})
    too_small = disclosure_check(groups, row="group", count_col="people",
                                 min_count=10).table["suppressed"].any()
    if too_small:
        say("**The estimate is not shown**: a start-year group or the comparison has fewer "
            "than 10 members, so its figures could reveal individual records. It will be "
            "shown once every group has at least 10.")

# %%
if beneficiary_result is not None and not too_small:
    impact, shown = beneficiary_result.estimate, OUTCOMES[outcome]
    show_table(beneficiary_result.table().rename(columns={
        "method": "Estimator", "att": shown["header"], "se": "Standard error",
        "ci_low": "95% interval, low", "ci_high": "95% interval, high",
        "n_treated": "Beneficiaries", "n_control": "Comparison"}).drop(
            columns=["estimator", "synthetic"]),
        formats={**{c: shown["format"] for c in (shown["header"], "95% interval, low",
                                                  "95% interval, high")},
                 "Standard error": shown["format"].replace("+", ""),
                 "Beneficiaries": "{:,.0f}", "Comparison": "{:,.0f}"},
        caption=f"Impact of {prog.name} on {beneficiaries_word}: effect on {shown['words']} "
                f"in {shown['units']}, from the programme's monitoring return",
        sources=["Programme monitoring return"])
    reason, naive = beneficiary_result.design.reason, beneficiary_result.naive.att
    k, gbp, unit = shown["scale"], shown["gbp"], shown["suffix"]
    say(f"**Impact on {beneficiaries_word}.** {reason[0].upper()}{reason[1:]}. The estimate "
        f"is {number(impact.att * k, gbp=gbp, signed=True)}{unit} on {shown['words']} (95% "
        f"interval {number(impact.ci[0] * k, gbp=gbp)} to {number(impact.ci[1] * k, gbp=gbp)}"
        f"{unit}), against {number(naive * k, gbp=gbp, signed=True)}{unit} from a naive "
        f"before/after of the {beneficiaries_word} alone.")

# %%
if beneficiary_result is not None and not too_small and len(beneficiary_result.event_study):
    estimate_chart(beneficiary_result.event_study, x="event_time", estimate="estimate",
                   low="ci_low", high="ci_high", reference_x=-0.5,
                   title=f"Effect on {shown['words']} by year since the start",
                   xlabel="Years since the start", ylabel=shown["header"],
                   sources=["Programme monitoring return"])

# %%
if beneficiary_result is None and demo_unit is None:
    say(f"No synthetic demonstration is shown: the package has no synthetic "
        f"{UNIT_NAMES[design.unit]} to demonstrate a design on.")
elif demo_unit is not None:
    chosen = choose_design(demo.beneficiaries)
    demo_shown = OUTCOMES[demo.truth["outcome"]]
    planted = number(demo.truth["effect"] * demo_shown["scale"], gbp=demo_shown["gbp"],
                     signed=True) + demo_shown["suffix"]
    display(synthetic_notice(f"invented {demo_unit}, seed {seed}; a planted effect of "
                             f"{planted} on {demo_shown['words']}. Not monitoring data of "
                             "this programme; no finding."))

# %%
if demo_unit is not None:
    demo_table = demo_job.result()  # estimate_demo(demo), started in the first cells
    demo_table["covers_planted"] = demo_table["covers_planted"].map({True: "yes", False: "no"})
    demo_table = demo_table.rename(columns={
        "method": "Estimator", "planted": "Planted effect", "estimate": "Estimate",
        "ci_low": "95% interval, low", "ci_high": "95% interval, high",
        "covers_planted": "Interval covers the planted effect"})
    shown_cols = ["Estimator", "Planted effect", "Estimate", "95% interval, low",
                  "95% interval, high", "Interval covers the planted effect"]
    # the page says SYNTHETIC in the caption; the CSV carries it in a `synthetic` column
    show_table(demo_table[shown_cols],
               formats={c: demo_shown["format"] for c in shown_cols[1:5]},
               caption=f"SYNTHETIC demonstration: the {chosen.design.replace('_', ' ')} "
                       f"estimator recovers a planted effect on {demo_shown['words']}; a "
                       f"naive before/after does not (effects in {demo_shown['units']})",
               sources=["SYNTHETIC data made by the package, not official statistics"],
               data=demo_table[[*shown_cols, "synthetic"]])

# %%
if demo_unit is not None:
    say(f"In this demonstration the {demo_unit}' start dates call for "
        f"**{chosen.design.replace('_', ' ')}**: {chosen.reason}. A real monitoring return "
        "goes through the same choice.")

# %% [markdown]
# ## 8. Additionality and value for money

# %%
show_table(tables.additionality_table(prog), missing="not published",
           caption=f"Gross-to-net factors for {prog.name}",
           sources=["HCA Additionality Guide, 4th ed. (2014)", SRC_FACTS])
missing = tables.missing_factors(prog)
if missing:
    say(f"**Net additional impact cannot be computed**: no sourced value for "
        f"{', '.join(missing)}, and no gross impact has been estimated.")

# %%
costs = tables.cost_per_output_table(prog)
if costs.empty:
    say("**Cost per output:** not computable: the budget or the achieved outputs are not "
        "published.")
else:
    show_table(costs, formats={"Budget (£)": "£{:,.0f}", "Cost per output (£)": "£{:,.0f}"},
               caption="Gross cost per achieved output (before additionality)",
               sources=[SRC_FACTS])
pv = tables.spend_present_value(prog)
if pv is not None:
    say(f"**Present value of published spend** at {pv[0]} prices (Green Book 3.5% "
        f"discount rate): {number(pv[1], gbp=True)}. **Benefit-cost ratio:** not computed: "
        "it needs a net additional benefit in money, which needs a gross impact estimate.")

# %% [markdown]
# ## 9. Caveats
#
# * ONS district productivity is smoothed over about five years, so timing is blurred and
#   years just before a start already contain some post-start data.
# * GVA per hour is in current prices: common inflation cancels between areas in the same
#   year, local price differences do not.
# * Other policies changed at the same time in the area (devolution deals, UKSPF, the
#   Investment Zone, the pandemic's uneven effects); an area-level estimate mixes them.
# * Figures marked [?] in the registry are uncertain in their sources; targets published as
#   "more than" or "at least" are lower bounds.

# %%
references(tables.programme_references(prog, list(load_programmes(
    project.params["programmes"]).values())))
glossary(["did", "staggered_did", "synthetic_control", "mde", "sms", "confidence_interval"])

# %% tags=["remove-cell"]
mde_now = projection.mde if area.available else None
metrics = {
    "programme": prog.id, "area_code": prog.area.code, "method": design.method,
    "start_year": prog.start_year, "last_data_year": area.last_year,
    "state": status.state, "sms_achieved": status.sms_achieved,
    "sms_planned": status.sms_planned, "impact_reported": beneficiary_result is not None,
    "beneficiary_outcome": outcome if beneficiary_result is not None else None,
    "beneficiary_att": (beneficiary_result.estimate.att
                        if beneficiary_result is not None and not too_small else None),
    "mde": mde_now, "mde_unit": "log GVA per hour worked",
    "post_years_in_data": projection.post_periods if area.available else 0,
    "detectable_from": projection.detectable_from if area.available else None,
    "plausible_effect": plausible.log_points if area.available and plausible else None,
    "beneficiaries": count[0] if count else None,
    "summary": prog.summary,
    "headline": card_headline(status, mde=mde_now,
                              detectable_from=projection.detectable_from
                              if area.available else None),
}
write_metrics(paths.metrics / "evaluate" / f"{programme}.json", metrics)
