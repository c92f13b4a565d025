"""Synthetic monitoring data with a known effect, to show what a counterfactual is for.

:func:`synthetic_monitoring` draws firms that join a business support programme when larger
and already growing faster (selection on levels and pre-trends, as in most voluntary
programmes); support raises log employment by a known ``effect``, which a before/after of
beneficiaries overstates. With ``entry_years`` the firms join in different years (rolling
entry). :func:`synthetic_bootcamp` draws *adults* for a skills bootcamp (earnings and
employment, with the pre-programme dip of people who join training), and
:func:`wmresearch.evaluation.monitoring_people_demo.synthetic_residents` *residents* joining
an employment programme over several years. :func:`demonstrate` runs the estimator
:mod:`wmresearch.evaluation.beneficiary` chooses on each against the planted truth and a
naive before/after. Every table is labelled synthetic (column ``synthetic`` and
``attrs["synthetic"]``) and carries the planted truth in ``attrs["truth"]``.

Calibration
-----------
Firm sizes follow the shares of enterprises by employment size band in Great Britain, ONS UK
Business Counts 2022 (NOMIS NM_142, sum over SIC 2007 subclasses; the mirror file
``nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz``), restricted to SMEs (< 250
employees) because business support targets them. Growth rates, shocks, turnover per head and
grants are illustrative, not calibrated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wmresearch.evaluation.beneficiary import estimate_demo
from wmresearch.evaluation.validation import require_entry_years

#: Enterprises by employment size band, Great Britain, March 2022 (ONS UK Business Counts via
#: NOMIS; counts rounded to 5 by ONS): the SME bands, used for the synthetic size distribution.
UKBC_GB_2022_ENTERPRISES: dict[tuple[int, int], int] = {
    (0, 4): 2_101_440, (5, 9): 304_965, (10, 19): 151_395, (20, 49): 80_845,
    (50, 99): 26_205, (100, 249): 14_345,
}
#: The seven WMCA districts (ONS code history, CAUTHCD E47000007).
WMCA_DISTRICTS = ("E08000025", "E08000026", "E08000027", "E08000028", "E08000029",
                  "E08000030", "E08000031")
#: Illustrative SIC 2007 subclasses (manufacturing, digital, services, construction).
DEMO_SIC = ("25620", "29320", "62012", "70229", "41201", "47190", "56101", "71129")


@dataclass
class SyntheticMonitoring:
    """A synthetic panel, the monitoring return it implies, and the truth behind them."""

    panel: pd.DataFrame
    beneficiaries: pd.DataFrame
    outcomes: pd.DataFrame
    truth: dict[str, float] = field(default_factory=dict)


def _sizes(rng: np.random.Generator, n: int,
           bands: dict[tuple[int, int], int]) -> np.ndarray:
    counts = np.array(list(bands.values()), dtype=float)
    which = rng.choice(len(bands), size=n, p=counts / counts.sum())
    lo = np.array([max(1, b[0]) for b in bands])[which]
    hi = np.array([b[1] for b in bands])[which] + 1
    # log-uniform within the band: small firms dominate inside each band too
    return np.exp(rng.uniform(np.log(lo), np.log(hi)))


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _join_probability(index: np.ndarray, share: float) -> np.ndarray:
    """Logistic probabilities with the intercept found by bisection so they average ``share``."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (1 / (1 + np.exp(-(mid + index)))).mean() < share else (lo, mid)
    return 1 / (1 + np.exp(-(lo + index)))


def synthetic_monitoring(n_firms: int = 3000, *, first_year: int = 2017,
                         last_year: int = 2025, start_year: int = 2022,
                         effect: float = 0.05, treated_share: float = 0.2,
                         selection_size: float = 0.5, selection_trend: float = 1.0,
                         trend_mean: float = 0.01, trend_sd: float = 0.03,
                         noise_sd: float = 0.05, shock_sd: float = 0.03,
                         entry_years: Sequence[int] | None = None,
                         selection_growth: float = 0.0,
                         seed: int = 20240601) -> SyntheticMonitoring:
    """A seeded synthetic firm panel with selection into support and a known effect.

    Model (log employment of firm ``i`` in year ``t``)::

        y_it = log E_i + g_i (t - start_year + 1) + m_t + effect x D_it + e_it

    with ``E_i`` drawn from the UK Business Counts SME size distribution, firm trends
    ``g_i ~ N(trend_mean, trend_sd)``, common shocks ``m_t ~ N(0, shock_sd)``, noise
    ``e_it ~ N(0, noise_sd)`` and ``D_it = 1`` for beneficiaries from their entry year
    (``start_year``, or one of ``entry_years``). Participation is drawn with log-odds
    ``a + selection_size z(log E_i) + selection_trend z(g_i) + selection_growth z(G_i)``
    (``z`` = standardised), ``a`` set so that about ``treated_share`` of firms join;
    ``G_i`` is the firm's *observed* growth of log employment over the two years before the
    first entry year, so selection on it is selection on observables (matching on the
    pre-period outcomes removes it), while selection on the latent trend ``g_i`` is not.

    Parameters
    ----------
    effect
        True effect of support on log employment (0.05 is about +5%).
    selection_size, selection_trend
        Strength of selection on size and on the latent firm trend (0 = none).
    entry_years
        Rolling entry: each beneficiary joins in one of these years, drawn uniformly and
        independently of all else (``None``, the default: all join in ``start_year``).
    selection_growth
        Strength of selection on observed pre-period growth (0 = none, the default).
    seed
        Seed of :func:`numpy.random.default_rng`; same inputs give identical outputs.

    Returns
    -------
    SyntheticMonitoring
        ``panel`` (all firms and years: firm_id, year, treated, post, cohort (entry year,
        0 for non-beneficiaries), log_employment, employment, turnover_gbp, growth_trend,
        synthetic), ``beneficiaries`` and ``outcomes`` in the monitoring-return schema, and
        ``truth``. ``post`` is year >= the firm's entry year (>= the first entry year for
        non-beneficiaries).
    """
    if not first_year < start_year <= last_year:
        raise ValueError(f"start_year: expected first_year < start_year <= last_year, got "
                         f"{first_year}, {start_year}, {last_year}")
    if entry_years is not None:
        entry_years = require_entry_years(entry_years, first_year, last_year)
    if not 0 < treated_share < 1:
        raise ValueError(f"treated_share: expected a share in (0, 1), got {treated_share}")
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    size = _sizes(rng, n_firms, UKBC_GB_2022_ENTERPRISES)
    trend = rng.normal(trend_mean, trend_sd, n_firms)
    shocks = rng.normal(0, shock_sd, len(years))
    # drawn in this order so the default (single entry, no growth selection) stream is the
    # one this generator has always produced
    u_join = rng.uniform(size=n_firms)
    firm = np.repeat(np.arange(n_firms), len(years))
    year = np.tile(years, n_firms)
    noise = rng.normal(0, noise_sd, firm.size)
    log_emp0 = (np.log(size)[firm] + trend[firm] * (year - start_year + 1)
                + shocks[year - first_year] + noise)

    index = selection_size * _z(np.log(size)) + selection_trend * _z(trend)
    first_entry = entry_years[0] if entry_years is not None else start_year
    if selection_growth:
        wide = log_emp0.reshape(n_firms, len(years))
        base = max(first_entry - 3, first_year) - first_year
        index = index + selection_growth * _z(wide[:, first_entry - 1 - first_year]
                                             - wide[:, base])
    treated = u_join < _join_probability(index, treated_share)
    cohort = np.where(treated, start_year, 0)
    if entry_years is not None:
        # a separate stream: entry timing is independent of size, trend and shocks
        timing = np.random.default_rng([seed, 1])
        cohort = np.where(treated, timing.choice(entry_years, n_firms), 0)

    post = year >= np.where(treated, cohort, first_entry)[firm]
    dose = treated[firm] & post
    log_emp = log_emp0 + effect * dose
    turnover_per_head = np.exp(rng.normal(np.log(100_000), 0.4, n_firms))
    firm_ids = np.array([f"SYN-{i:06d}" for i in range(n_firms)])
    panel = pd.DataFrame({
        "firm_id": firm_ids[firm], "year": year, "treated": treated[firm], "post": post,
        "cohort": cohort[firm], "log_employment": log_emp,
        "employment": np.maximum(1, np.round(np.exp(log_emp))).astype(int),
        "turnover_gbp": np.round(np.exp(log_emp) * turnover_per_head[firm], -3),
        "growth_trend": trend[firm], "synthetic": True,
    })

    base = panel[(panel["year"] == panel["cohort"] - 1) & panel["treated"]].reset_index(
        drop=True)
    n_ben = len(base)
    start_day = rng.integers(0, 365, n_ben)
    beneficiaries = pd.DataFrame({
        "firm_id": base["firm_id"],
        "company_number": pd.Series([pd.NA] * n_ben, dtype="string"),
        "district_code": rng.choice(WMCA_DISTRICTS, n_ben),
        "sic2007": rng.choice(DEMO_SIC, n_ben),
        "support_type": rng.choice(["grant", "advice", "diagnostic"], n_ben, p=[.4, .4, .2]),
        "start_date": pd.to_datetime(base["cohort"].astype(str) + "-01-01")
        + pd.to_timedelta(start_day, "D"),
        "grant_gbp": np.round(rng.uniform(0, 50_000, n_ben), -2),
        "private_match_gbp": np.nan,
        "employment_baseline": base["employment"].to_numpy(),
        "turnover_baseline_gbp": base["turnover_gbp"].to_numpy(),
        "synthetic": True,
    })
    beneficiaries.loc[beneficiaries["support_type"] != "grant", "grant_gbp"] = 0.0
    outcomes = panel.loc[panel["treated"], ["firm_id", "year", "employment", "turnover_gbp",
                                            "synthetic"]].reset_index(drop=True)
    truth = {"effect_log_employment": effect, "start_year": start_year,
             "entry_years": list(entry_years) if entry_years is not None else [start_year],
             "selection_size": selection_size, "selection_trend": selection_trend,
             "selection_growth": selection_growth,
             "treated_firms": int(treated.sum()), "seed": seed, "unit": "firm",
             "outcome": "log_employment", "effect": effect, "id_column": "firm_id",
             "covariates": []}
    for frame in (panel, beneficiaries, outcomes):
        frame.attrs.update(synthetic=True, truth=truth)
    return SyntheticMonitoring(panel, beneficiaries, outcomes, truth)


def to_monitoring_return(data: SyntheticMonitoring) -> dict[str, pd.DataFrame]:
    """The synthetic firms as a firm return's sheets, without the ``synthetic`` column (the
    schema has none): write them with :func:`write_return` to a file named "synthetic"."""
    ben = data.beneficiaries.drop(columns="synthetic").copy()
    ben["start_date"] = ben["start_date"].dt.strftime("%Y-%m-%d")
    return {"beneficiaries": ben, "outcomes": data.outcomes.drop(columns="synthetic")}


def write_return(sheets: dict[str, pd.DataFrame], path: str) -> None:
    """Write return sheets to an ``.xlsx`` workbook (one sheet each)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


#: Illustrative skills bootcamp course families (invented mix).
DEMO_COURSES = ("digital", "engineering", "construction", "green skills", "HGV driving")


def synthetic_bootcamp(n_people: int = 4000, *, first_year: int = 2018, last_year: int = 2025,
                       start_year: int = 2022, effect_employment_index: float = 0.15,
                       effect_log_pay: float = 0.03, participant_share: float = 0.15,
                       dip: float = 1.0, seed: int = 20240601) -> SyntheticMonitoring:
    """A seeded synthetic panel of adults, some of whom join a skills bootcamp in one intake.

    ILLUSTRATIVE, loosely calibrated: about three in four adults employed in a year (the
    order of the ONS Labour Force Survey employment rate of 16 to 64 year olds); annual pay
    of the employed log-normal with a median near £28,000 in the first year (the order of ONS
    ASHE median gross annual pay of all UK employees around 2020), rising 3% a year in cash
    terms and with age; about a third with a level 4+ qualification (the order of Census
    2021, England and Wales). Not fitted to any bootcamp's data.

    Model (person ``i``, year ``t``, age ``a_it``)::

        employed_it = 1[0.75 + 0.8 p_i + 0.3 q_i + u_it + b_e D_it > 0],  u_it ~ N(0, 0.8)
        log pay_it = log 25,000 + 0.25 q_i + 0.3 p_i + 0.02 (a_it - 35)
                     - 0.0005 (a_it - 35)^2 + 0.03 (t - first_year) + m_t + b_w D_it + e_it
        earnings_gbp_it = employed_it x pay_it

    with latent employability ``p_i ~ N(0, 1)``, degree ``q_i``, common shocks
    ``m_t ~ N(0, 0.02)``, ``e_it ~ N(0, 0.15)`` and ``D_it = 1`` for participants from
    ``start_year``. Participation is selection on *observables*: log-odds ``a - 0.5 z(age)
    - 0.3 q_i - 0.5 z(Y_{s-1}) - dip z(Y_{s-1} - Y_{s-2})`` with ``Y`` observed earnings in
    the two years before the intake ``s``: younger people, non-graduates and, above all,
    people whose earnings have just fallen join (Ashenfelter's 1978 pre-programme dip). The
    dip reverts whether or not they train, so a before/after (and a plain DiD) reads it as
    impact; matching on the pre-intake earnings, age and qualification removes it.

    Parameters
    ----------
    effect_employment_index, effect_log_pay
        Effect of the bootcamp on the employment index (``b_e``) and on log pay (``b_w``).
    participant_share, dip
        Expected share who join; strength of selection on the pre-intake fall (0 = none).

    Returns
    -------
    SyntheticMonitoring
        ``panel`` (all people and years: person_id, year, treated, post, cohort, age,
        degree, employed, earnings_gbp, synthetic), ``beneficiaries`` (person_id,
        start_date, age_at_start, degree, district_code, course, synthetic), ``outcomes``
        (participants' rows of the panel) and ``truth``. The truth is the sample ATT on the
        participants' post-intake years, from both potential outcomes of every person-year:
        ``effect_earnings_gbp`` and ``effect_employment`` (probability points).
    """
    if not first_year + 2 <= start_year <= last_year:
        raise ValueError(f"start_year: expected first_year + 2 <= start_year <= last_year, "
                         f"got {first_year}, {start_year}, {last_year}")
    if not 0 < participant_share < 1:
        raise ValueError(f"participant_share: expected (0, 1), got {participant_share}")
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    n_years = len(years)
    age0 = rng.integers(19, 51, n_people)
    degree = rng.uniform(size=n_people) < 0.34
    able = rng.normal(0, 1, n_people)
    shocks = rng.normal(0, 0.02, n_years)
    u = rng.normal(0, 0.8, (n_people, n_years))
    e = rng.normal(0, 0.15, (n_people, n_years))
    age = age0[:, None] + (years - first_year)[None, :]
    index_emp = 0.75 + 0.8 * able[:, None] + 0.3 * degree[:, None] + u
    log_pay = (np.log(25_000) + 0.25 * degree[:, None] + 0.3 * able[:, None]
               + 0.02 * (age - 35) - 0.0005 * (age - 35) ** 2
               + 0.03 * (years - first_year)[None, :] + shocks[None, :] + e)
    employed0 = index_emp > 0
    earnings0 = np.where(employed0, np.exp(log_pay), 0.0)
    s = start_year - first_year
    y1, y2 = earnings0[:, s - 1], earnings0[:, s - 2]
    index = -0.5 * _z(age[:, s].astype(float)) - 0.3 * degree - 0.5 * _z(y1) - dip * _z(y1 - y2)
    joins = rng.uniform(size=n_people) < _join_probability(index, participant_share)
    post = np.broadcast_to(years >= start_year, (n_people, n_years))
    dose = joins[:, None] & post
    employed1 = index_emp + effect_employment_index > 0
    earnings1 = np.where(employed1, np.exp(log_pay + effect_log_pay), 0.0)
    employed = np.where(dose, employed1, employed0)
    earnings = np.round(np.where(dose, earnings1, earnings0), -1)
    ids = np.array([f"SYN-P{i:06d}" for i in range(n_people)])
    panel = pd.DataFrame({
        "person_id": np.repeat(ids, n_years), "year": np.tile(years, n_people),
        "treated": np.repeat(joins, n_years), "post": post.ravel(),
        "cohort": np.repeat(np.where(joins, start_year, 0), n_years), "age": age.ravel(),
        "degree": np.repeat(degree.astype(int), n_years), "employed": employed.ravel().astype(int),
        "earnings_gbp": earnings.ravel(), "synthetic": True,
    })
    n_ben = int(joins.sum())
    start_day = rng.integers(0, 365, n_ben)
    beneficiaries = pd.DataFrame({
        "person_id": ids[joins],
        "start_date": pd.Timestamp(f"{start_year}-01-01") + pd.to_timedelta(start_day, "D"),
        "age_at_start": age[joins, s], "degree": degree[joins].astype(int),
        "district_code": rng.choice(WMCA_DISTRICTS, n_ben),
        "course": rng.choice(DEMO_COURSES, n_ben), "synthetic": True,
    })
    outcomes = panel.loc[panel["treated"], ["person_id", "year", "employed", "earnings_gbp",
                                            "synthetic"]].reset_index(drop=True)
    truth = {"effect_earnings_gbp": float((earnings1 - earnings0)[dose].mean()),
             "effect_employment": float((employed1.astype(int) - employed0)[dose].mean()),
             "effect_employment_index": effect_employment_index,
             "effect_log_pay": effect_log_pay, "start_year": start_year,
             "entry_years": [start_year], "dip": dip, "participants": n_ben, "seed": seed,
             "unit": "individual", "outcome": "earnings_gbp", "id_column": "person_id",
             "covariates": ["age", "degree"],
             "effect": float((earnings1 - earnings0)[dose].mean())}
    for frame in (panel, beneficiaries, outcomes):
        frame.attrs.update(synthetic=True, truth=truth)
    return SyntheticMonitoring(panel, beneficiaries, outcomes, truth)


#: Programme units with a synthetic generator, and what the invented units are (a ward-based
#: employment programme's participants are residents:
#: :func:`wmresearch.evaluation.monitoring_people_demo.synthetic_residents`).
DEMO_UNITS: dict[str, str] = {"firm": "firms", "individual": "adults", "ward": "residents"}


def synthetic_beneficiaries(unit: str, *, start_year: int, seed: int = 20240601,
                            rolling: bool | None = None) -> SyntheticMonitoring:
    """The synthetic panel that matches a programme's unit (a key of :data:`DEMO_UNITS`).

    Firms (business support): rolling entry over ``start_year`` to ``start_year + 3`` by
    default (``rolling=False``: one cohort selected on size and observed growth), 1,500
    firms over ``start_year - 4`` to ``start_year + 5``. Adults (skills bootcamp): one
    intake in ``start_year``, 4,000 people over ``start_year - 4`` to ``start_year + 3``.
    Residents (ward-based employment programme): rolling entry over ``start_year`` to
    ``start_year + 3``, 8,000 people over ``start_year - 4`` to ``start_year + 4``.
    """
    if unit == "individual":
        return synthetic_bootcamp(first_year=start_year - 4, last_year=start_year + 3,
                                  start_year=start_year, seed=seed)
    if unit == "ward":
        from wmresearch.evaluation.monitoring_people_demo import synthetic_residents
        return synthetic_residents(first_year=start_year - 4, last_year=start_year + 4,
                                   entry_years=range(start_year, start_year + 4), seed=seed)
    if unit != "firm":
        raise ValueError(f"unit: no synthetic generator for {unit!r}; have {list(DEMO_UNITS)}")
    common = {"n_firms": 1500, "first_year": start_year - 4, "last_year": start_year + 5,
              "start_year": start_year, "seed": seed}
    if rolling is False:
        return synthetic_monitoring(selection_trend=0.0, selection_growth=1.0, **common)
    return synthetic_monitoring(entry_years=range(start_year, start_year + 4), **common)


def demonstrate(start_year: int = 2022, seed: int = 20240601) -> pd.DataFrame:
    """Planted effect against the chosen design and a naive before/after, four scenarios.

    Firms with rolling entry (selection on size and latent growth trend, entry year random
    among beneficiaries), firms in one cohort (selection on size and observed growth),
    adults in one bootcamp intake (selection on age, qualification and a fall in earnings),
    residents joining over four years (selection on employability); each through
    :func:`wmresearch.evaluation.beneficiary.estimate_demo`.

    Returns
    -------
    pandas.DataFrame
        :func:`~wmresearch.evaluation.beneficiary.estimate_demo`'s rows with ``scenario``,
        ``unit`` and ``outcome`` first; ``attrs``: ``synthetic`` and ``truth`` by scenario.
    """
    scenarios = {"firms, rolling entry": ("firm", True), "firms, one cohort": ("firm", False),
                 "adults, one bootcamp intake": ("individual", None),
                 "residents, rolling entry": ("ward", None)}
    tables, truths = [], {}
    for name, (unit, rolling) in scenarios.items():
        data = synthetic_beneficiaries(unit, start_year=start_year, seed=seed, rolling=rolling)
        truths[name] = data.truth
        table = estimate_demo(data)
        tables.append(table.assign(scenario=name, unit=unit, outcome=data.truth["outcome"]))
    out = pd.concat(tables, ignore_index=True)
    out = out[["scenario", "unit", "outcome", *out.columns.drop(["scenario", "unit", "outcome"])]]
    out.attrs.update(synthetic=True, truth=truths)
    return out
