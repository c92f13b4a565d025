"""The place-based evaluation on real data: a combined authority against a synthetic control.

The treated unit is the combined authority's districts aggregated into one area (total GVA over
total hours worked, the ONS aggregation of :func:`wmresearch.evidence.aggregate.aggregate_rate`);
the donors are English districts that belong to no combined authority. The outcome is the
natural log of GVA per hour worked (current prices), so a gap of 0.01 is about 1%.

Design choices and their reasons
--------------------------------
* **Aggregate, not seven separate fits.** The policy acts on the combined authority as a whole;
  one aggregate has less idiosyncratic noise than any district, so the pre-period fit is
  tighter and the placebo distribution is a like-for-like comparison (Abadie 2021, sec. 4).
* **Logs.** Nominal GVA per hour trebles in 20 years; a log outcome makes a gap a percentage
  and keeps donors of different levels comparable.
* **Donors outside any combined authority, and not London.** Districts of other combined
  authorities received the same kind of treatment (mayoral or non-mayoral devolution deals from
  2014), and London boroughs have had an elected mayor (the GLA) since 2000; either would
  contaminate the counterfactual (Abadie, Diamond & Hainmueller 2010, sec. 2.2: donors must be
  unaffected by the intervention or similar ones).
* **Single-tier districts only.** The seven treated districts are metropolitan boroughs; the
  donors are the unitary authorities and metropolitan districts (codes E06, E08) outside any
  combined authority, the urban single-tier areas most like them. With every shire district
  too (about 200 donors for 13 pre-period years) the treated aggregate is reproduced exactly by
  many different weight vectors, the ratio test degenerates and the post-period path depends
  on an arbitrary choice among them (Abadie 2021, sec. 4: restrict the pool to similar units
  to limit interpolation bias and over-fitting). The all-district pool is kept as a robustness
  check.
* **Outcome-only weights.** Matching on every pre-period outcome makes covariate predictors
  redundant when the pre-period is long (Abadie 2021, sec. 3.2; Kaul et al. 2022), and is the
  fast NNLS path of :func:`wmresearch.evaluation.synthetic.synthetic_control`.
* **Inference.** In-space placebos: each donor treated in turn; the treated unit's rank on
  the post/pre RMSPE ratio among the placebos whose pre-period MSPE is at most
  ``placebo_cutoff`` (default 5) x its own gives the exact p-value rank/(N+1) (ADH 2010,
  sec. 3.3). If fewer than 19 placebos pass, a 5% test is impossible and the result says so
  (no fall-back to every placebo); the test at 20x, 5x, 2x and no restriction is tabled.
  Intervals are conformal (Chernozhukov, Wüthrich & Zhu 2021): test inversion with the
  synthetic control refitted under each hypothesised effect and moving-block permutations of
  the residuals; with 19 years the smallest moving-block p-value is 1/19, so a 95% interval
  for a constant effect is unbounded and the 90% one is reported beside it. In-time placebo:
  a fake start with the same specification (Abadie 2021, sec. 6). Diagnostics: the donor
  weights, leave-one-out refits (Abadie 2021, sec. 7) and an over-fitting check
  (:func:`wmresearch.evaluation.sc_inference.overfit_check`). The minimum detectable effect
  uses the placebos the restriction keeps (ADH 2010, Figures 5-7), and is undefined when too
  few are kept.

References
----------
Abadie, A., Diamond, A. and Hainmueller, J. (2010), JASA 105(490): 493-505.
Abadie, A. (2021), "Using synthetic controls", Journal of Economic Literature 59(2): 391-425.
Kaul, A., Klößner, S., Pfeifer, G. and Schieler, M. (2022), "Standard synthetic control
methods: the case of using all preintervention outcomes together with covariates", JBES 40(3).
Chernozhukov, V., Wüthrich, K. and Zhu, Y. (2021), "An exact and robust conformal inference
method for counterfactual and synthetic controls", JASA 116(536): 1849-1864.
ONS (2024), *Subregional productivity: labour productivity indices by local authority district*,
June 2024 release.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wmresearch.evaluation.place_data import (
    ENGLAND,
    LONDON,
    OUTCOME,
    RATE,
    SINGLE_TIER,
    WEEKS,
    WEIGHT,
    DonorPool,
    area_gva,
    donor_pool,
    place_panel,
    treated_series,
)
from wmresearch.evaluation.power import mde_placebo
from wmresearch.evaluation.result import EstimateResult
from wmresearch.evaluation.sc_inference import (
    OverfitCheck,
    PlaceboRankTest,
    conformal_intervals,
    donor_weights_table,
    leave_one_out,
    overfit_check,
    placebo_rank_test,
    placebo_restriction_table,
)
from wmresearch.evaluation.synthetic import placebo_in_time, synthetic_control

#: ADH (2010, sec. 3.3, Figures 5-7): placebos with a pre-period MSPE above this multiple of
#: the treated unit's are uninformative about the treated unit's fit.
PRE_MSPE_CUTOFF = 5.0


@dataclass
class PlaceEvaluation:
    """Synthetic control of one area with its inference and diagnostics.

    Fields: the ``panel``; the main fit ``sc`` (``sc.pvalue`` is the *unrestricted* placebo
    rank p-value) and the in-time placebo ``in_time`` (same specification, fake start
    ``fake_start``); ``placebo_test``, the ADH ratio test with placebos restricted to a
    pre-period MSPE of at most ``placebo_cutoff`` x the treated unit's (``reaches_alpha``
    False when too few remain to reach ``alpha``); ``placebo_table``, the same test at 20x, 5x,
    2x and no restriction; ``conformal``, conformal intervals (CWZ 2021; constant effect and
    per period, at each level in its ``level`` column); ``weights``, the positive donor weights;
    ``loo``, leave-one-out refits; ``overfit``, the over-fitting check; ``mde``, from
    :func:`wmresearch.evaluation.power.mde_placebo` on the placebos kept by the restriction
    (NaN, with ``mde_placebos`` below what ``alpha`` needs, when too few are kept).
    """

    panel: pd.DataFrame
    treated_unit: str
    start_year: int
    fake_start: int
    sc: EstimateResult
    in_time: EstimateResult
    alpha: float
    placebo_cutoff: float | None
    placebo_test: PlaceboRankTest
    placebo_table: pd.DataFrame
    conformal: pd.DataFrame
    weights: pd.DataFrame
    loo: pd.DataFrame
    overfit: OverfitCheck
    mde: float
    mde_placebos: int
    donors: DonorPool | None = None
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def att(self) -> float:
        """Mean post-period gap in log points (x 100 is about a percentage)."""
        return self.sc.att

    @property
    def placebo_p(self) -> float:
        """Rank p-value of the post/pre RMSPE ratio among the placebos kept by the
        ``placebo_cutoff`` restriction (see ``placebo_test.reaches_alpha``)."""
        return self.placebo_test.pvalue

    @property
    def informative_placebos(self) -> int:
        """Placebos kept by the pre-period MSPE restriction (no fall-back to all)."""
        return self.placebo_test.kept

    @property
    def pre_rmspe(self) -> float:
        """Root mean squared pre-period gap of the treated unit (log points)."""
        table = self.sc.extra["placebos"]
        return float(table.loc[table["treated"], "pre_rmspe"].iloc[0])

    def interval(self, level: float | None = None, target: str = "constant effect"
                 ) -> pd.DataFrame:
        """Conformal interval rows at ``level`` (default ``1 - alpha``) for ``target``
        (``"constant effect"`` or ``"period"``)."""
        level = 1 - self.alpha if level is None else level
        c = self.conformal
        return c[np.isclose(c["level"], level) & (c["target"] == target)]

    @property
    def ci(self) -> tuple[float, float]:
        """Conformal interval (CWZ 2021) for a constant post-period effect at ``1 - alpha``;
        ``(-inf, inf)`` when the permutations cannot reach that level (see ``ci_method``)."""
        row = self.interval().iloc[0]
        return float(row["lower"]), float(row["upper"])

    @property
    def ci_method(self) -> str:
        """How ``ci`` was computed (method, permutations, level, attainability)."""
        row = self.interval().iloc[0]
        text = f"{row['method']}, {row['level']:.0%}"
        if not row["attainable"]:
            text += (f": not attainable (smallest p-value {row['min_pvalue']:.3f} > "
                     f"{self.alpha:g}), so the interval is unbounded")
        return text

    @property
    def loo_range(self) -> tuple[float, float]:
        """Smallest and largest att with one positive-weight donor left out."""
        return float(self.loo["att"].min()), float(self.loo["att"].max())


def evaluate_place(panel: pd.DataFrame, *, treated_unit: str, start_year: int,
                   fake_start: int, alpha: float = 0.05,
                   placebo_cutoff: float | None = PRE_MSPE_CUTOFF,
                   conformal_levels: Sequence[float] = (0.95, 0.90),
                   donors: DonorPool | None = None,
                   names: dict[str, str] | None = None) -> PlaceEvaluation:
    """Synthetic control, placebo and conformal inference, diagnostics and MDE for the area.

    One specification (outcome-only weights on every pre-period outcome, the panel's donors)
    is used for the main fit, the in-time placebo, the in-space placebos and leave-one-out.
    In-space inference is :func:`~wmresearch.evaluation.sc_inference.placebo_rank_test` with
    the restriction ``placebo_cutoff`` stated (ADH 2010, sec. 3.3), never a fall-back to every
    placebo; intervals are conformal (:func:`~wmresearch.evaluation.sc_inference.
    conformal_intervals`, moving-block permutations) at each of ``conformal_levels`` and
    ``1 - alpha``. ``mde`` is ``mde_placebo`` on the post-period mean gaps of the placebos the
    restriction keeps, NaN when they are too few for ``alpha``. ``names`` maps donor codes to
    names for the weights table. Deterministic (NNLS weights; no random draws).
    """
    times: dict[str, float] = {}
    clock = time.perf_counter()
    pool = sorted(set(panel["unit"]) - {treated_unit})
    spec = {"outcome": OUTCOME, "unit": "unit", "time": "year", "treated_unit": treated_unit,
            "donors": pool}
    sc = synthetic_control(panel, treatment_time=start_year, **spec)
    times["fit_and_placebos_s"] = time.perf_counter() - clock
    in_time = placebo_in_time(panel, fake_time=fake_start, end_time=start_year, **spec)
    table = sc.extra["placebos"]
    test = placebo_rank_test(table, placebo_cutoff, alpha=alpha)
    restricted = placebo_restriction_table(table, alpha=alpha)
    clock = time.perf_counter()
    levels = sorted({round(1 - alpha, 10), *(round(v, 10) for v in conformal_levels)},
                    reverse=True)
    conformal = pd.concat([conformal_intervals(panel, treatment_time=start_year,
                                               alpha=1 - lv, **spec) for lv in levels],
                          ignore_index=True)
    times["conformal_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    loo = leave_one_out(panel, sc, outcome=OUTCOME, unit="unit", time="year",
                        treated_unit=treated_unit, treatment_time=start_year)
    times["leave_one_out_s"] = time.perf_counter() - clock
    weights = donor_weights_table(sc.extra["weights"], names)
    detail = sc.detail.set_index("year")
    pre = detail[detail.index < start_year]
    overfit = overfit_check(pre["gap"], pre["treated"], len(weights))
    kept = table[~table["treated"]]
    if placebo_cutoff is not None:
        kept = kept[kept["pre_rmspe"] ** 2 <= placebo_cutoff * _treated_pre_mspe(table)]
    mde = math.nan
    if test.reaches_alpha:
        try:
            mde = mde_placebo(kept["post_gap"].to_numpy(), alpha=alpha)
        except ValueError:
            mde = math.nan
    return PlaceEvaluation(panel=panel, treated_unit=treated_unit, start_year=start_year,
                           fake_start=fake_start, sc=sc, in_time=in_time, alpha=alpha,
                           placebo_cutoff=placebo_cutoff, placebo_test=test,
                           placebo_table=restricted, conformal=conformal, weights=weights,
                           loo=loo, overfit=overfit, mde=mde, mde_placebos=len(kept),
                           donors=donors, notes=times)


def _treated_pre_mspe(table: pd.DataFrame) -> float:
    """The treated unit's pre-period MSPE in a placebo table."""
    return float(table.loc[table["treated"], "pre_rmspe"].iloc[0]) ** 2


def devolution_evaluation(productivity: pd.DataFrame, lookup: pd.DataFrame,
                          treated_lads: Sequence[str], *, treated_unit: str, start_year: int,
                          fake_start: int = 2012, first_year: int = 2004,
                          last_year: int | None = None, alpha: float = 0.05,
                          tiers: Sequence[str] | None = SINGLE_TIER,
                          placebo_cutoff: float | None = PRE_MSPE_CUTOFF,
                          min_donor_size: float | None = None) -> PlaceEvaluation:
    """The whole place-based evaluation from the evidence tables (donors, panel, fit).

    Parameters
    ----------
    productivity, lookup
        Evidence tables ``productivity_lad`` and ``lad_lookup``.
    treated_lads
        Current codes of the treated districts (e.g. the seven WMCA districts).
    treated_unit
        Label of the aggregate (the combined-authority code).
    start_year, fake_start
        First treated year; the in-time placebo's fake start (before ``start_year``).
    first_year, last_year
        Panel years (GVA per hour starts in 2004; ``last_year`` defaults to the latest).
    tiers
        Donor code types (see :func:`donor_pool`); ``None`` for every district.
    placebo_cutoff
        Pre-period MSPE restriction of the placebo test (see :func:`evaluate_place`).
    min_donor_size
        Leave out donors whose economy is smaller than this share of the smallest treated
        district's (see :func:`donor_pool`); ``None`` keeps every size.
    """
    if not first_year < fake_start < start_year:
        raise ValueError(f"fake_start: expected {first_year} < fake_start < {start_year}, "
                         f"got {fake_start}")
    last = int(productivity.loc[productivity["measure"] == RATE, "year"].max()) \
        if last_year is None else last_year
    years = list(range(first_year, last + 1))
    pool = donor_pool(lookup, productivity, treated_lads, years=years, tiers=tiers,
                      min_size=min_donor_size)
    panel = place_panel(productivity, treated_lads, pool.donors, treated_unit=treated_unit,
                        years=years)
    current = lookup[lookup["lad_code"] == lookup["lad_code_active"]]
    names = dict(zip(current["lad_code"], current["lad_name"], strict=False))
    return evaluate_place(panel, treated_unit=treated_unit, start_year=start_year,
                          fake_start=fake_start, alpha=alpha, donors=pool, names=names,
                          placebo_cutoff=placebo_cutoff)


__all__ = ["ENGLAND", "LONDON", "OUTCOME", "PRE_MSPE_CUTOFF", "RATE", "SINGLE_TIER", "WEEKS",
           "WEIGHT", "DonorPool", "PlaceEvaluation", "area_gva", "devolution_evaluation",
           "donor_pool", "evaluate_place", "place_panel", "treated_series"]
