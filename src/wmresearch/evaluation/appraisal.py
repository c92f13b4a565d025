"""Value for money: gross-to-net additionality, Green Book discounting, BCR and the SMS.

References
----------
* HCA (2014), *Additionality Guide*, 4th ed. (Homes and Communities Agency), ch. 4-5; the
  formula is the one of English Partnerships (2008), *Additionality Guide*, 3rd ed., s. 5.2:
  ``AI = [GI x (1-L) x (1-Dp) x (1-S) x M] - [GI* x (1-L*) x (1-Dp*) x (1-S*) x M*]``.
* HM Treasury (2022), *The Green Book*, Annex A6 (social time preference rate schedule).
* What Works Centre for Local Economic Growth (2016), *Guide to scoring methods using the
  Maryland Scientific Methods Scale* (Madaleno and Waights).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wmresearch.evaluation.programmes import Additionality

#: HM Treasury Green Book 2022, Annex A6: standard STPR by year band (first year of band, rate).
GREEN_BOOK_STPR: tuple[tuple[int, float], ...] = (
    (0, 0.035), (31, 0.030), (76, 0.025), (126, 0.020), (201, 0.015), (301, 0.010))


@dataclass(frozen=True)
class NetAdditional:
    """Gross-to-net steps of the Additionality Guide, each the value after that adjustment."""

    gross: float
    after_leakage: float
    after_displacement: float
    after_substitution: float
    after_multiplier: float
    reference_case: float
    net_additional: float


def _rate(name: str, value: float) -> float:
    if value is None or not 0 <= value <= 1:
        raise ValueError(f"{name}: expected a rate in [0, 1], got {value!r}")
    return float(value)


def gross_to_net(gross: float, *, deadweight: float = 0.0, leakage: float = 0.0,
                 displacement: float = 0.0, substitution: float = 0.0,
                 multiplier: float = 1.0) -> NetAdditional:
    """Net additional impact from gross impact (HCA Additionality Guide 2014).

    The guide (3rd ed. s. 5.2, kept in the 4th ed. ch. 5) computes additional impact as the
    intervention option minus the reference case::

        AI = [GI (1-L)(1-Dp)(1-S) M] - [GI* (1-L*)(1-Dp*)(1-S*) M*]

    applying leakage first, then displacement, substitution and the composite multiplier,
    and subtracting the reference case (deadweight) last. With deadweight expressed as a
    share of gross (``GI* = deadweight x GI``) and the same factors in both cases, this is
    ``net = GI (1-deadweight)(1-L)(1-Dp)(1-S) M``; the steps are returned for display.

    Parameters
    ----------
    gross
        Gross direct impact (jobs, GVA, ...), >= 0.
    deadweight, leakage, displacement, substitution
        Shares in [0, 1].
    multiplier
        Composite (supply-chain + income) multiplier, >= 1.
    """
    if gross is None or gross < 0:
        raise ValueError(f"gross: expected a non-negative impact, got {gross!r}")
    dw, lk = _rate("deadweight", deadweight), _rate("leakage", leakage)
    dp, sb = _rate("displacement", displacement), _rate("substitution", substitution)
    if multiplier is None or multiplier < 1:
        raise ValueError(f"multiplier: expected >= 1, got {multiplier!r}")
    after_l = gross * (1 - lk)
    after_d = after_l * (1 - dp)
    after_s = after_d * (1 - sb)
    after_m = after_s * multiplier
    reference = after_m * dw
    return NetAdditional(float(gross), after_l, after_d, after_s, after_m, reference,
                         after_m - reference)


def additional_impact(gross: float, reference_gross: float, *, leakage: float,
                      displacement: float, substitution: float, multiplier: float,
                      reference_leakage: float | None = None,
                      reference_displacement: float | None = None,
                      reference_substitution: float | None = None,
                      reference_multiplier: float | None = None) -> float:
    """Additional impact with its own reference case (Additionality Guide 3rd ed. s. 5.2).

    ``AI = [GI (1-L)(1-Dp)(1-S) M] - [GI* (1-L*)(1-Dp*)(1-S*) M*]``; reference-case factors
    default to the intervention's.
    """
    option = gross_to_net(gross, leakage=leakage, displacement=displacement,
                          substitution=substitution, multiplier=multiplier).after_multiplier
    ref = gross_to_net(
        reference_gross,
        leakage=leakage if reference_leakage is None else reference_leakage,
        displacement=displacement if reference_displacement is None else reference_displacement,
        substitution=substitution if reference_substitution is None else reference_substitution,
        multiplier=multiplier if reference_multiplier is None else reference_multiplier,
    ).after_multiplier
    return option - ref


def net_additional_range(gross: float, assumptions: Additionality) -> pd.DataFrame:
    """Low / central / high net additional impact from a programme's assumption ranges.

    The low case takes the high end of each loss factor and the low multiplier (the most
    pessimistic combination), the high case the reverse (HCA Additionality Guide 2014,
    ch. 5: test the sensitivity of net impact to each factor).

    Raises
    ------
    ValueError
        Naming the factor whose central value is not set (not published).
    """
    rows = {}
    losses = ("deadweight", "leakage", "displacement", "substitution")
    for case, pick_loss, pick_mult in (("low", "high", "low"), ("central", "central", "central"),
                                       ("high", "low", "high")):
        kwargs = {}
        for name in (*losses, "multiplier"):
            factor = getattr(assumptions, name)
            if factor.central is None:
                raise ValueError(f"additionality.{name}: no central value ({factor.source}); "
                                 "cannot compute net additional impact")
            which = pick_mult if name == "multiplier" else pick_loss
            value = getattr(factor, which)
            kwargs[name] = factor.central if value is None else value
        rows[case] = {**kwargs, "net_additional": gross_to_net(gross, **kwargs).net_additional}
    return pd.DataFrame.from_dict(rows, orient="index")


def cost_per_output(cost: float, outputs: float) -> float:
    """Public cost per unit of output (e.g. per business supported), ``cost / outputs``."""
    if outputs is None or outputs <= 0:
        raise ValueError(f"outputs: expected a positive count, got {outputs!r}")
    return float(cost) / float(outputs)


def cost_per_net_job(cost: float, net_jobs: float) -> float:
    """Cost per net additional job, the benchmark measure of BIS Occasional Paper 1 (2009).

    ``cost / net additional jobs``; pass job-years for a cost per job-year.
    """
    if net_jobs is None or net_jobs <= 0:
        raise ValueError(f"net_jobs: expected a positive number of net jobs, got {net_jobs!r}")
    return float(cost) / float(net_jobs)


def discount_rates(years: Sequence[int] | np.ndarray,
                   schedule: Sequence[tuple[int, float]] = GREEN_BOOK_STPR) -> np.ndarray:
    """The STPR applying in each year (Green Book 2022 Annex A6: 3.5% years 0-30, 3.0% 31-75...)."""
    years = np.asarray(years, dtype=int)
    if (years < 0).any():
        raise ValueError(f"years: expected years >= 0 from the base year, got {years.min()}")
    starts = np.array([s for s, _ in schedule])
    rates = np.array([r for _, r in schedule])
    return rates[np.searchsorted(starts, years, side="right") - 1]


def discount_factors(years: Sequence[int] | np.ndarray,
                     schedule: Sequence[tuple[int, float]] = GREEN_BOOK_STPR) -> np.ndarray:
    """Green Book discount factor ``D_t = 1 / prod_{k=1..t} (1 + r_k)`` for each year ``t``.

    The declining schedule compounds year by year, so the year-31 factor is the year-30
    factor divided by 1.030 (HM Treasury Green Book 2022, Annex A6; as in the CRAN package
    ``greenbook``, ``gb_discount_factor``). Year 0 has factor 1.
    """
    years = np.asarray(years, dtype=int)
    if years.size == 0:
        return np.array([], dtype=float)
    horizon = int(years.max())
    rates = discount_rates(np.arange(1, horizon + 1), schedule)
    cumulative = np.concatenate([[1.0], np.cumprod(1 + rates)])
    return 1 / cumulative[years]


def present_value(values: Sequence[float] | np.ndarray, years: Sequence[int] | None = None,
                  schedule: Sequence[tuple[int, float]] = GREEN_BOOK_STPR) -> float:
    """Present value of a real-terms stream, ``sum_t v_t D_t`` (years default to 0, 1, ...)."""
    values = np.asarray(values, dtype=float)
    years = np.arange(len(values)) if years is None else np.asarray(years, dtype=int)
    if len(years) != len(values):
        raise ValueError(f"values and years differ in length ({len(values)} vs {len(years)})")
    if np.isnan(values).any():
        raise ValueError(f"values: missing value in year {years[np.isnan(values)][0]}")
    return float((values * discount_factors(years, schedule)).sum())


def apply_optimism_bias(capex: float, uplift: float) -> float:
    """Capital cost with the Green Book optimism-bias uplift, ``capex x (1 + uplift)``."""
    if uplift < 0:
        raise ValueError(f"optimism bias uplift: expected >= 0, got {uplift!r}")
    return float(capex) * (1 + float(uplift))


def benefit_cost_ratio(pv_benefits: float, pv_costs: float) -> float:
    """Benefit-cost ratio, ``PV benefits / PV costs`` (Green Book 2022, ch. 5)."""
    if pv_costs <= 0:
        raise ValueError(f"pv_costs: expected positive present-value costs, got {pv_costs!r}")
    return float(pv_benefits) / float(pv_costs)


@dataclass(frozen=True)
class SMSRating:
    """Maryland Scientific Methods Scale rating of a design: a level and the best attainable."""

    method: str
    level: int
    max_level: int
    reason: str


_SMS: dict[str, tuple[int, int, str]] = {
    "descriptive": (1, 1, "no comparison group: a correlation or a before/after of the "
                    "treated only (SMS level 1)"),
    "before_after": (1, 2, "before/after of the treated without an untreated comparison: "
                     "level 1, level 2 only with adequate control variables"),
    "did": (3, 3, "before/after with an untreated comparison group (difference-in-"
            "differences): level 3"),
    "event_study": (3, 3, "difference-in-differences with leads and lags; pre-trends "
                    "shown but selection on unobservables remains: level 3"),
    "staggered_did": (3, 3, "difference-in-differences across adoption cohorts: level 3"),
    "matching": (3, 3, "comparison group matched on observables with before/after data "
                 "(matched DiD): level 3; selection on unobservables remains"),
    "synthetic_control": (3, 4, "weighted comparison reproducing the treated unit's "
                          "pre-period path: level 3; 4 only if the timing is as good as "
                          "random and placebo tests support it"),
    "synthetic_did": (3, 4, "synthetic weights plus difference-in-differences: level 3; "
                      "4 under the same conditions as synthetic control"),
    "iv": (4, 4, "quasi-random variation in treatment (instrument): level 4"),
    "rdd": (4, 4, "discontinuity in treatment assignment: level 4"),
    "rct": (5, 5, "random assignment of treatment: level 5"),
}


def sms_level(method: str) -> SMSRating:
    """Maryland SMS level of an evaluation design, with the reason.

    Levels follow the What Works Centre for Local Economic Growth (2016) scoring guide:
    1 cross-section or before/after without comparison; 2 the same with adequate controls;
    3 before/after with a comparison group (DiD, matched DiD); 4 quasi-random variation
    (instruments, discontinuities; synthetic control when its conditions hold);
    5 randomised control trial.
    """
    if method not in _SMS:
        raise ValueError(f"design.method: no SMS rating for {method!r}; "
                         f"known: {sorted(_SMS)}")
    level, best, reason = _SMS[method]
    return SMSRating(method, level, best, reason)
