# ---
# jupyter:
#   kernelspec:
#     display_name: wmresearch
#     language: python
#     name: wmresearch
# ---

# %% [markdown]
# # Mayoral devolution in England
#
# Did districts gain when their combined authority elected its first mayor? Sixteen English
# combined authorities have or are getting a mayor: six first elected one in 2017 (the West
# Midlands among them), then South Yorkshire (2018), North of Tyne (2019), West Yorkshire
# (2021), three more in 2024 and two in 2025. That staggered adoption is the design: each
# district is compared with districts in no mayoral authority before and after its own
# authority's first election (Callaway & Sant'Anna 2021). The West Midlands' own cohort and
# its synthetic control follow as one part of the picture.

# %% tags=["parameters"]
region = "E47000007"
seed = 20240601
first_year = 2004
pre_mspe_cutoff = 5
draws = 999
fake_start = 2012
min_donor_size = 0.1

# %% tags=["remove-cell"]
from wmresearch.config import Project
from wmresearch.evaluation import devolution as dv
from wmresearch.evidence.tables import Tables
from wmresearch.parallel import in_background

# %% tags=["remove-cell"]
project = Project.here()
paths = project.paths
evidence = Tables(paths)
districts = evidence.get("mayoral_districts")
lookup = evidence.get("lad_lookup")
tables = {name: evidence.get(name) for name in
          ("productivity_lad", "explore_local", "business_demography")}
# section 4 fits the headline design to every outcome: started now, on the machine's other
# core, it is ready when that section begins (the same fits, in another process)
outcome_job = in_background(dv.outcome_fits, tables, districts, lookup, first=first_year)

# %% tags=["remove-cell"]
import numpy as np

from wmresearch.evaluation import power
from wmresearch.evaluation import programme_tables as tables_ref
from wmresearch.evaluation.place import devolution_evaluation
from wmresearch.evaluation.programmes import get_programme
from wmresearch.evaluation.sc_inference import placebo_restriction_table
from wmresearch.evaluation.status import card_headline, evaluation_status, sms_statement
from wmresearch.evidence.geography import get_lad_boundaries
from wmresearch.reporting import (
    estimate_chart,
    glossary,
    line_chart,
    number,
    placebo_gaps_chart,
    references,
    say,
    show_table,
    write_metrics,
)
from wmresearch.sources import load_manifest, resolve_path

# %% tags=["remove-cell"]
prog = get_programme({"mayoral_devolution": project.params["mayoral_devolution"]},
                     "mayoral_devolution")
SRC_DATES = ("Mayoral combined authorities and first mayoral elections (statutory orders and "
             "election results)")
SRC_PROD = "ONS, Subregional productivity by local authority district, June 2024 release"
SRC_ELS = "ONS, Explore local statistics indicator files (2025-26 releases)"

# %% [markdown]
# ## 1. Who was treated, and when

# %%
say(f"The programme evaluated is the registry's: mayoral devolution, with "
    f"{prog.area.name} as the authority whose own cohort and synthetic control the page "
    "shows, whatever area the other reports describe.")

# %%
cohorts = (districts.groupby(["ca_name", "treatment_year"], dropna=False)
           .agg(districts=("lad_code", "size")).reset_index()
           .sort_values(["treatment_year", "ca_name"]))
show_table(cohorts.rename(columns={"ca_name": "Combined authority",
                                   "treatment_year": "First mayoral election",
                                   "districts": "Districts"}),
           formats={"First mayoral election": "{:.0f}"}, missing="no mayor",
           caption="Mayoral combined authorities: year of the first mayoral election and "
                   "number of current districts", sources=[SRC_DATES])

# %% [markdown]
# ## 2. The headline: productivity (GVA per hour worked)
#
# Outcome: the log of GVA per hour worked (current prices), June 2024 district workbook,
# 2004-2022. Estimator: Callaway & Sant'Anna (2021), doubly robust with no covariates,
# districts in no mayoral authority as controls, the simple (size-weighted) aggregation of
# every post-election year. Standard errors are clustered by authority, since whole
# authorities are treated.

# %%
gva_series = dv.outcome_series("log_gva_per_hour", tables)
panel, accounting = dv.devolution_panel(gva_series, districts, lookup,
                                        outcome="log_gva_per_hour", log=True,
                                        first=first_year, last=2022)
say(f"The panel holds {panel['lad_code'].nunique()} districts of England outside London "
    f"over {panel['year'].min()}-{panel['year'].max()}: "
    f"{panel.loc[panel['cohort'] > 0, 'lad_code'].nunique()} treated by "
    f"{panel.loc[panel['cohort'] > 0, 'authority'].nunique()} authorities, and "
    f"{panel.loc[panel['cohort'] == 0, 'lad_code'].nunique()} controls "
    f"({accounting['dropped_incomplete']} districts with gaps in the series left out).")

# %%
headline = dv.devolution_att(panel, "log_gva_per_hour", control="never",
                             aggregation="simple", cluster="authority")
notyet = dv.devolution_att(panel, "log_gva_per_hour", control="notyet",
                           aggregation="simple", cluster="authority")
bootstrap = dv.wild_cluster_bootstrap(headline, headline.extra["influence_clusters"],
                                      draws=draws, seed=seed, weights="webb")
permutation = dv.randomisation_inference(panel, "log_gva_per_hour", draws=draws, seed=seed)
mde_cs = power.mde_multiplier() * bootstrap.se

# %%
say(f"**Estimate.** A first mayor is associated with a change of "
    f"**{number(headline.att, pct=True, signed=True)}** in GVA per hour worked (clustered "
    f"95% interval {number(headline.ci[0], pct=True)} to {number(headline.ci[1], pct=True)}). "
    f"With so few treated authorities, the wild cluster bootstrap ({draws} draws, Webb "
    f"weights, one per authority) gives a 95% interval of {number(bootstrap.ci[0], pct=True)} "
    f"to {number(bootstrap.ci[1], pct=True)} (p = {number(bootstrap.pvalue, digits=3)}); "
    f"randomisation inference, permuting the authorities' election years, gives p = "
    f"{number(permutation.pvalue, digits=3)}. Against not-yet-treated districts the estimate "
    f"is {number(notyet.att, pct=True, signed=True)}. The smallest effect this design detects "
    f"with 80% power at 5% is **{number(mde_cs, pct=True)}**.")

# %%
inference = dv.inference_table([("Clustered by authority (analytic)", headline),
                               ("Wild cluster bootstrap", bootstrap),
                               ("Randomisation inference", permutation),
                               ("Not-yet-treated controls", notyet)])
show_table(inference.rename(columns={"method": "Inference", "estimate_pct": "Estimate (%)",
                                     "ci_low_pct": "95% interval, low",
                                     "ci_high_pct": "95% interval, high",
                                     "se": "Standard error (log points)", "pvalue": "p-value"}),
           formats={"Estimate (%)": "{:+.2f}", "95% interval, low": "{:+.2f}",
                    "95% interval, high": "{:+.2f}", "Standard error (log points)": "{:.4f}",
                    "p-value": "{:.3f}"}, missing="not defined",
           caption="Effect of a first mayor on GVA per hour worked (%), by inference method",
           sources=[SRC_DATES, SRC_PROD])

# %% [markdown]
# ### Before and after the election: the event study
#
# Estimates by years since the first election (negative: years before it). Before the
# election they should be near zero if treated and control districts were on parallel paths.

# %%
event = dv.event_table(headline)
estimate_chart(event.assign(**{c: event[c] * 100 for c in ("estimate", "ci_low", "ci_high")}),
               x="event_time", estimate="estimate", low="ci_low", high="ci_high",
               title="GVA per hour worked by years since the first mayoral election",
               xlabel="Years since the first election", ylabel="% (log points x 100)",
               reference_x=-0.5, sources=[SRC_DATES, SRC_PROD])
pretrend = headline.extra["event_pretrend"]
parallel = pretrend["pvalue"] >= 0.05
say(f"**Pre-trends.** The joint test that the {pretrend['df']} pre-election estimates are "
    f"zero gives p = {number(pretrend['pvalue'], digits=3)} (Wald, clustered by authority; "
    f"p = {number(pretrend.get('pvalue_f'), digits=2)} with the small-sample F correction for "
    "few treated authorities). "
    + ("Parallel pre-trends are not rejected." if parallel else
       "**Parallel pre-trends are rejected by the Wald test**: treated districts were already "
       "diverging from the controls before their first election, so the estimate above "
       "cannot be read as the effect of the mayor; it is a description of the gap, not an "
       "impact. The F test, which allows for how few authorities are treated, does not "
       "reject, and the two disagree."))

# %% [markdown]
# ### By cohort, and the West Midlands' own cohort

# %%
wmca = dv.authority_cohort_att(panel, "log_gva_per_hour", authority=prog.area.code)
sdid = dv.sdid_by_cohort(panel, "log_gva_per_hour", se_method="jackknife")
by_cohort = dv.cohort_table(headline, sdid)
show_table(by_cohort.rename(columns={
               "cohort": "First election", "cs_pct": "Callaway & Sant'Anna (%)",
               "cs_ci_low_pct": "CS 95% interval, low", "cs_ci_high_pct": "CS 95% interval, high",
               "sdid_pct": "Synthetic DiD (%)", "sdid_ci_low_pct": "SDID 95% interval, low",
               "sdid_ci_high_pct": "SDID 95% interval, high", "districts": "Treated districts"}),
           formats={c: "{:+.2f}" for c in ("Callaway & Sant'Anna (%)", "CS 95% interval, low",
                                          "CS 95% interval, high", "Synthetic DiD (%)",
                                          "SDID 95% interval, low", "SDID 95% interval, high")},
           caption="Effect on GVA per hour worked (%) by year of the first mayoral election: "
                   "Callaway & Sant'Anna (clustered by authority) and synthetic "
                   "difference-in-differences against never-treated districts (jackknife "
                   "intervals by district)", sources=[SRC_DATES, SRC_PROD])

# %%
authorities = cohorts.dropna(subset=["treatment_year"]).groupby("treatment_year")["ca_name"].size()
lone = [int(year) for year in by_cohort["cohort"] if authorities.get(year) == 1]
if lone:
    say(f"**Cohorts of one authority** ({', '.join(map(str, lone))}): their Callaway & "
        "Sant'Anna intervals rest on a single treated cluster and their synthetic DiD "
        "intervals on the districts of one authority, so both understate the uncertainty; "
        "read them as descriptions, not as tests.")
say(f"**The West Midlands alone** (its seven districts against never-treated districts, "
    f"2017 cohort): {number(wmca.att, pct=True, signed=True)} (95% interval "
    f"{number(wmca.ci[0], pct=True)} to {number(wmca.ci[1], pct=True)}; one treated "
    "authority, so the standard error is by district and likely too small).")

# %% [markdown]
# ## 3. Threats to the design

# %%
boundaries = get_lad_boundaries(resolve_path(load_manifest(paths), "lad_boundaries_2023")).data
threats = dv.threat_checks(panel, "log_gva_per_hour", boundaries=boundaries,
                           headline=headline, notyet=notyet)
show_table(threats.rename(columns={"check": "Specification", "att": "Estimate (log points)",
                                   "se": "Standard error", "ci_low": "95% interval, low",
                                   "ci_high": "95% interval, high", "pvalue": "p-value",
                                   "n_treated": "Treated districts",
                                   "n_control": "Control districts",
                                   "pretrend_f": "Pre-trend p-value (F)"}),
           formats={"Estimate (log points)": "{:+.4f}", "95% interval, low": "{:+.4f}",
                    "95% interval, high": "{:+.4f}", "Standard error": "{:.4f}",
                    "p-value": "{:.3f}", "Pre-trend p-value (F)": "{:.3f}"},
           missing="not defined",
           caption="Robustness of the headline (log points): anticipation of the 2015-16 deals, "
                   "neighbouring controls dropped, pandemic years dropped, North of Tyne and "
                   "North East districts dropped", sources=[SRC_DATES, SRC_PROD])

# %% [markdown]
# ## 4. Other outcomes
#
# The same design for each outcome the data allow (log outcomes in %, rates in percentage
# points). The business birth rate starts in 2019, so the 2017-2019 cohorts have no
# pre-election year and cannot be estimated.

# %%
fits = outcome_job.result()
outcomes = dv.outcomes_table(fits)
show_table(outcomes.rename(columns={"outcome": "Outcome", "unit": "Unit", "years": "Years",
                                    "estimate": "Estimate", "ci_low": "95% interval, low",
                                    "ci_high": "95% interval, high", "pvalue": "p-value",
                                    "pretrend_p": "Pre-trend p-value (F)",
                                    "districts": "Districts",
                                    "treated_districts": "Treated districts",
                                    "authorities": "Treated authorities", "note": "Note"}),
           formats={"Estimate": "{:+.2f}", "95% interval, low": "{:+.2f}",
                    "95% interval, high": "{:+.2f}", "p-value": "{:.3f}",
                    "Pre-trend p-value (F)": "{:.3f}"},
           missing="not estimable",
           caption="Effect of a first mayor by outcome (Callaway & Sant'Anna, never-treated "
                   "controls, clustered by authority)", sources=[SRC_DATES, SRC_PROD, SRC_ELS])

# %%
for key in ("log_gva_per_job", "employment_rate", "log_gdhi_per_head", "log_gdp_per_head_real",
            "claimant_rate"):
    spec = dv.OUTCOMES[key]
    events = dv.event_table(fits[key][2])
    scale = 100 if spec.log else 1
    estimate_chart(events.assign(**{c: events[c] * scale for c in ("estimate", "ci_low",
                                                                   "ci_high")}),
                   x="event_time", estimate="estimate", low="ci_low", high="ci_high",
                   title=f"{spec.label[0].upper()}{spec.label[1:]}, by years since the first "
                         "mayoral election", xlabel="Years since the first election",
                   ylabel="%" if spec.log else "percentage points", reference_x=-0.5,
                   sources=[SRC_DATES, SRC_ELS if spec.table == "explore_local" else SRC_PROD])

# %% [markdown]
# ## 5. The West Midlands' own synthetic control
#
# The seven districts aggregated (hours-weighted GVA per hour) against a weighted
# combination of English unitary and metropolitan districts outside any combined authority
# and London (Abadie, Diamond & Hainmueller 2010), with placebo, conformal and leave-one-out
# inference. Districts whose economy is much smaller than any of the seven are left out of
# the donors: a synthetic control should be built from places like the treated one.

# %%
place = devolution_evaluation(tables["productivity_lad"], lookup,
                              list(prog.design.treated_units), treated_unit=prog.area.code,
                              start_year=prog.start_year,
                              fake_start=fake_start, first_year=first_year,
                              placebo_cutoff=pre_mspe_cutoff, min_donor_size=min_donor_size)
test = place.placebo_test
left_out = place.donors.excluded[place.donors.excluded["reason"].str.startswith("economy")]
say(f"**Donors.** {len(place.donors.donors)} districts. Left out for size (mean hours worked "
    f"{first_year}-{int(place.sc.detail['year'].max())} under "
    f"{number(min_donor_size, pct=True, digits=0)} of the smallest West Midlands "
    "district's): " + (", ".join(sorted(left_out["lad_name"])) if len(left_out) else "none")
    + ".")
say(f"**Gap.** From {prog.start_year} the seven districts' GVA per hour was "
    f"{number(place.att, pct=True, signed=True)} against their synthetic control. "
    f"{test.statement()}")

# %%
restrictions = placebo_restriction_table(place.sc.extra["placebos"])
show_table(restrictions[["restriction", "kept", "rank", "n_units", "pvalue", "min_pvalue"]]
           .rename(columns={"restriction": "Placebos kept if", "kept": "Placebos kept",
                            "rank": "Rank of the West Midlands", "n_units": "Units compared",
                            "pvalue": "p-value", "min_pvalue": "Smallest attainable p-value"}),
           formats={"p-value": "{:.3f}", "Smallest attainable p-value": "{:.3f}"},
           caption="In-space placebo test at each pre-period fit restriction (ADH 2010: 20, "
                   "5 and 2 times the treated area's pre-period MSPE)",
           sources=[SRC_PROD])

# %%
conformal = place.conformal.replace([float("inf"), -float("inf")], float("nan"))
# the constant effect spans every post year; the other rows are one year each
post_years = conformal["period"].dropna().astype(int)
conformal["period"] = [f"{post_years.min()}-{post_years.max()}" if np.isnan(year)
                       else str(int(year)) for year in conformal["period"]]
show_table(conformal[["target", "period", "level", "estimate", "lower", "upper"]]
           .rename(columns={"target": "Effect", "period": "Year", "level": "Confidence level",
                            "estimate": "Estimate (log points)", "lower": "Lower bound",
                            "upper": "Upper bound"}),
           formats={"Confidence level": "{:.0%}",
                    "Estimate (log points)": "{:+.3f}", "Lower bound": "{:+.3f}",
                    "Upper bound": "{:+.3f}"},
           caption="Conformal intervals for the gap (Chernozhukov, Wüthrich & Zhu 2021; "
                   "moving-block permutations, synthetic control refitted under each "
                   "hypothesis); an unbounded interval means the level cannot be reached with "
                   "this many years", missing="unbounded", sources=[SRC_PROD])

# %%
show_table(place.weights, formats={"weight": "{:.3f}"},
           caption="Donor districts with positive weight in the synthetic control",
           sources=[SRC_PROD])
low, high = place.loo_range
say(f"**Leave one donor out.** Refitting without each of these donors in turn moves the gap "
    f"between {number(low, pct=True, signed=True)} and {number(high, pct=True, signed=True)}. "
    + ("**Over-fitting warning:** " + "; ".join(place.overfit.reasons) + "."
       if place.overfit.flagged else "No sign of over-fitting."))

# %%
paths_frame = place.sc.detail.set_index("year")
line_chart({"West Midlands": np.exp(paths_frame["treated"]),
            "Synthetic control": np.exp(paths_frame["synthetic"])},
           title="GVA per hour worked: the West Midlands and its synthetic control",
           xlabel="Year", ylabel="£ per hour (current prices)", sources=[SRC_PROD])

# %%
placebo_gaps_chart(place.sc.extra["placebo_gaps"] * 100, treated=prog.area.code,
                   title="Gap to the synthetic control: the West Midlands (red) and each "
                         "placebo district (grey)", ylabel="% (log points x 100)",
                   start=prog.start_year, treated_label="West Midlands",
                   sources=[SRC_PROD])

# %% [markdown]
# ## 6. What this report establishes

# %%
status = evaluation_status(prog, last_data_year=int(panel["year"].max()), estimated=True,
                           downgrade=None if parallel else "pre-election trends differ")
say(f"Estimated here: the effect of a first mayor on district GVA per hour worked, on ONS "
    f"data for {panel['year'].min()}-{panel['year'].max()}, by a staggered "
    f"difference-in-differences with clustered, wild-bootstrap and randomisation inference "
    f"({sms_statement(status)}).")

# %%
references(tables_ref.programme_references(prog))
glossary(["staggered_did", "did", "wild_bootstrap", "synthetic_control", "conformal_interval",
          "mde", "sms", "confidence_interval"])

# %% tags=["remove-cell"]
metrics = {
    "programme": "mayoral_devolution", "region_parameter": region,
    "cs_simple_att_log_gva_per_hour": headline.att,
    "cs_simple_se_log_gva_per_hour": headline.se,
    "cs_notyet_att_log_gva_per_hour": notyet.att,
    "wild_bootstrap_pvalue": bootstrap.pvalue, "randomisation_pvalue": permutation.pvalue,
    "pretrend_pvalue": pretrend["pvalue"], "mde": mde_cs,
    "wmca_cohort_att": wmca.att, "wmca_cohort_se": wmca.se,
    "sc_att": place.att, "sc_pvalue": test.pvalue, "sc_overfit": place.overfit.flagged,
    "detail": {"cs_simple_ci_low": headline.ci[0], "cs_simple_ci_high": headline.ci[1],
               "cs_notyet_se": notyet.se, "sc_rank": test.rank, "sc_units": test.n_units,
               "sc_cutoff": pre_mspe_cutoff, "sc_donors": len(place.donors.donors),
               "treated_districts": int(panel.loc[panel["cohort"] > 0, "lad_code"].nunique()),
               "control_districts": int(panel.loc[panel["cohort"] == 0, "lad_code"].nunique())},
    "last_data_year": int(panel["year"].max()), "sms_achieved": status.sms_achieved,
    "summary": prog.summary,
    "headline": {"Finding": f"GVA per hour {number(headline.att, pct=True, signed=True)} "
                            f"(bootstrap 95% interval {number(bootstrap.ci[0], pct=True)} to "
                            f"{number(bootstrap.ci[1], pct=True)}); MDE "
                            f"{number(mde_cs, pct=True)}"
                            + ("" if parallel else "; pre-trends rejected, so not a causal "
                               "estimate"),
                 "Standard of evidence": card_headline(status)["Standard of evidence"]},
}
write_metrics(paths.metrics / "evaluate" / "mayoral_devolution.json", metrics)
