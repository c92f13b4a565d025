"""Synthetic monitoring data with a known effect, to show what a counterfactual is for.

:func:`synthetic_monitoring` draws a panel of firms in which the firms that join a business
support programme are larger and were already growing faster (selection on levels and on
pre-trends, as in most voluntary programmes), and support raises log employment by a known
``effect``. A naive before/after comparison of beneficiaries then overstates the effect
(their own growth trend and macro shocks are counted as impact); a difference-in-differences
removes the common shocks and the level difference, and a comparison that also removes each
firm's pre-period trend recovers the planted effect.

Every table is labelled synthetic (column ``synthetic`` and ``attrs["synthetic"]``).

Calibration
-----------
Firm sizes follow the shares of enterprises by employment size band in Great Britain, ONS UK
Business Counts 2022 (NOMIS NM_142, sum over SIC 2007 subclasses; the mirror file
``nomis/ukbc_enterprises_gb_sic5_sizeband_2016_2021.csv.gz``), restricted to SMEs (< 250
employees) because business support targets them. Growth rates, shocks, turnover per head and
grants are illustrative, not calibrated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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


def synthetic_monitoring(n_firms: int = 3000, *, first_year: int = 2017,
                         last_year: int = 2025, start_year: int = 2022,
                         effect: float = 0.05, treated_share: float = 0.2,
                         selection_size: float = 0.5, selection_trend: float = 1.0,
                         trend_mean: float = 0.01, trend_sd: float = 0.03,
                         noise_sd: float = 0.05, shock_sd: float = 0.03,
                         seed: int = 20240601) -> SyntheticMonitoring:
    """A seeded synthetic firm panel with selection into support and a known effect.

    Model (log employment of firm ``i`` in year ``t``)::

        y_it = log E_i + g_i (t - start_year + 1) + m_t + effect x D_it + e_it

    with ``E_i`` drawn from the UK Business Counts SME size distribution, firm trends
    ``g_i ~ N(trend_mean, trend_sd)``, common shocks ``m_t ~ N(0, shock_sd)``, noise
    ``e_it ~ N(0, noise_sd)`` and ``D_it = 1`` for beneficiaries from ``start_year``.
    Participation is drawn with log-odds ``a + selection_size z(log E_i) +
    selection_trend z(g_i)`` (``z`` = standardised), ``a`` set so that about
    ``treated_share`` of firms join.

    Parameters
    ----------
    effect
        True effect of support on log employment (0.05 is about +5%).
    selection_size, selection_trend
        Strength of selection on size and on pre-trend (0 = none).
    seed
        Seed of :func:`numpy.random.default_rng`; same inputs give identical outputs.

    Returns
    -------
    SyntheticMonitoring
        ``panel`` (all firms and years: firm_id, year, treated, post, log_employment,
        employment, turnover_gbp, growth_trend, synthetic), ``beneficiaries`` and
        ``outcomes`` in the monitoring-return schema, and ``truth``.
    """
    if not first_year < start_year <= last_year:
        raise ValueError(f"start_year: expected first_year < start_year <= last_year, got "
                         f"{first_year}, {start_year}, {last_year}")
    if not 0 < treated_share < 1:
        raise ValueError(f"treated_share: expected a share in (0, 1), got {treated_share}")
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    size = _sizes(rng, n_firms, UKBC_GB_2022_ENTERPRISES)
    trend = rng.normal(trend_mean, trend_sd, n_firms)
    shocks = rng.normal(0, shock_sd, len(years))

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / x.std()

    index = selection_size * z(np.log(size)) + selection_trend * z(trend)
    # intercept found by bisection so the expected share treated equals treated_share
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (1 / (1 + np.exp(-(mid + index)))).mean() < treated_share \
            else (lo, mid)
    treated = rng.uniform(size=n_firms) < 1 / (1 + np.exp(-(lo + index)))

    firm = np.repeat(np.arange(n_firms), len(years))
    year = np.tile(years, n_firms)
    post = year >= start_year
    dose = treated[firm] & post
    log_emp = (np.log(size)[firm] + trend[firm] * (year - start_year + 1)
               + shocks[year - first_year] + effect * dose
               + rng.normal(0, noise_sd, firm.size))
    turnover_per_head = np.exp(rng.normal(np.log(100_000), 0.4, n_firms))
    firm_ids = np.array([f"SYN-{i:06d}" for i in range(n_firms)])
    panel = pd.DataFrame({
        "firm_id": firm_ids[firm], "year": year, "treated": treated[firm], "post": post,
        "log_employment": log_emp,
        "employment": np.maximum(1, np.round(np.exp(log_emp))).astype(int),
        "turnover_gbp": np.round(np.exp(log_emp) * turnover_per_head[firm], -3),
        "growth_trend": trend[firm], "synthetic": True,
    })

    base = panel[(panel["year"] == start_year - 1) & panel["treated"]].reset_index(drop=True)
    n_ben = len(base)
    start_day = rng.integers(0, 365, n_ben)
    beneficiaries = pd.DataFrame({
        "firm_id": base["firm_id"],
        "company_number": pd.Series([pd.NA] * n_ben, dtype="string"),
        "district_code": rng.choice(WMCA_DISTRICTS, n_ben),
        "sic2007": rng.choice(DEMO_SIC, n_ben),
        "support_type": rng.choice(["grant", "advice", "diagnostic"], n_ben, p=[.4, .4, .2]),
        "start_date": pd.Timestamp(f"{start_year}-01-01") + pd.to_timedelta(start_day, "D"),
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
             "selection_size": selection_size, "selection_trend": selection_trend,
             "treated_firms": int(treated.sum()), "seed": seed}
    for frame in (panel, beneficiaries, outcomes):
        frame.attrs.update(synthetic=True, truth=truth)
    return SyntheticMonitoring(panel, beneficiaries, outcomes, truth)


def to_monitoring_return(data: SyntheticMonitoring) -> dict[str, pd.DataFrame]:
    """The synthetic beneficiaries and outcomes as the sheets of a return (no label column).

    The schema of :mod:`wmresearch.evaluation.monitoring` has no ``synthetic`` column, so
    it is dropped here; write the result with :func:`write_return`, whose file name should
    say "synthetic".
    """
    ben = data.beneficiaries.drop(columns="synthetic").copy()
    ben["start_date"] = ben["start_date"].dt.strftime("%Y-%m-%d")
    return {"beneficiaries": ben, "outcomes": data.outcomes.drop(columns="synthetic")}


def write_return(sheets: dict[str, pd.DataFrame], path: str) -> None:
    """Write return sheets to an ``.xlsx`` workbook (one sheet each)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
