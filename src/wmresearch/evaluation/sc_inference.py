"""Inference and diagnostics for a synthetic control with one treated unit.

Frames in, frames (or small frozen records) out; nothing here fits the headline model except
leave-one-out, which refits it with the specification recorded by
:func:`wmresearch.evaluation.synthetic.synthetic_control` (``extra["spec"]``).

* :func:`placebo_rank_test`, :func:`placebo_restriction_table`: the in-space placebo test of
  ADH (2010, sec. 3.3) on the post/pre RMSPE ratio, with the pre-period MSPE restriction
  stated, the units it drops counted, and a flag when too few remain for the test to reach
  the chosen level (never a silent fall-back to every placebo).
* :func:`conformal_intervals`: confidence intervals by test inversion, the conformal
  inference of Chernozhukov, Wüthrich & Zhu (2021): per post-period, and for an effect that is
  constant over the post-period.
* :func:`donor_weights_table`, :func:`leave_one_out`, :func:`overfit_check`: the weights, the
  estimate with each weighted donor dropped in turn (Abadie 2021, sec. 7), and a warning when
  the pre-period fit is too close to be believed (Abadie 2021, sec. 4; Ferman & Pinto 2021).

References
----------
Abadie, A., Diamond, A. and Hainmueller, J. (2010), "Synthetic control methods for comparative
case studies", JASA 105(490): 493-505.
Abadie, A. (2021), "Using synthetic controls: feasibility, data requirements, and
methodological aspects", Journal of Economic Literature 59(2): 391-425.
Chernozhukov, V., Wüthrich, K. and Zhu, Y. (2021), "An exact and robust conformal inference
method for counterfactual and synthetic controls", JASA 116(536): 1849-1864.
Ferman, B. and Pinto, C. (2021), "Synthetic controls with imperfect pretreatment fit",
Quantitative Economics 12(4): 1197-1221.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from wmresearch.evaluation.sc_conformal import Permutation, conformal_intervals, conformal_pvalue
from wmresearch.evaluation.synthetic import synthetic_control

#: ADH (2010, sec. 3.3, Figures 5-8): placebos whose pre-period MSPE exceeds this multiple of
#: the treated unit's are dropped (they used 20, 5 and 2, and no restriction for the ratio).
ADH_CUTOFFS: tuple[float | None, ...] = (20.0, 5.0, 2.0, None)


# --------------------------------------------------------------------------------------------
# 1. In-space placebo test with a stated pre-period MSPE restriction
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlaceboRankTest:
    """The post/pre RMSPE-ratio rank test on a restricted set of placebos.

    Attributes
    ----------
    cutoff : float or None
        Placebos with pre-period MSPE above ``cutoff`` x the treated unit's were dropped
        (``None``: no restriction).
    rank : int
        Rank of the treated unit's ratio among the units compared (1 = largest; ties count
        against the treated unit).
    n_units : int
        Units compared: the placebos kept plus the treated unit (N + 1).
    pvalue : float
        ``rank / n_units``, the exact randomisation p-value (ADH 2010, sec. 2.4).
    min_pvalue : float
        ``1 / n_units``: the smallest p-value this set can give.
    kept, dropped : int
        Placebos kept and dropped by the restriction.
    alpha : float
        The level the ``reaches_alpha`` flag refers to.
    reaches_alpha : bool
        ``min_pvalue <= alpha``: False means the test *cannot* reject at ``alpha`` whatever
        the data (for 5%, at least 19 placebos must be kept).
    treated_ratio : float
        The treated unit's post/pre RMSPE ratio.
    """

    cutoff: float | None
    rank: int
    n_units: int
    pvalue: float
    min_pvalue: float
    kept: int
    dropped: int
    alpha: float
    reaches_alpha: bool
    treated_ratio: float

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for a table row or metrics)."""
        return asdict(self)

    def statement(self) -> str:
        """What the result means, in one or two sentences."""
        rule = "no pre-period restriction" if self.cutoff is None else (
            f"placebos with pre-period MSPE above {self.cutoff:g}x the treated unit's dropped "
            f"({self.dropped} dropped, {self.kept} kept)")
        text = (f"Treated unit ranks {self.rank} of {self.n_units} on the post/pre RMSPE "
                f"ratio ({rule}): p = {self.pvalue:.3f}.")
        if not self.reaches_alpha:
            text += (f" With {self.n_units} units the smallest attainable p-value is "
                     f"{self.min_pvalue:.3f} > {self.alpha:g}: this test cannot show an "
                     f"effect at the {self.alpha:g} level whatever the data.")
        return text


def _treated_row(placebos: pd.DataFrame) -> pd.Series:
    rows = placebos.loc[placebos["treated"].astype(bool)]
    if len(rows) != 1:
        raise ValueError(f"placebo table: expected exactly one treated row, got {len(rows)}")
    return rows.iloc[0]


def placebo_rank_test(placebos: pd.DataFrame, cutoff: float | None = 5.0, *,
                      alpha: float = 0.05) -> PlaceboRankTest:
    r"""In-space placebo test on the post/pre RMSPE ratio, placebos restricted by pre-fit.

    Keeps the placebos :math:`j` with :math:`\text{MSPE}^{pre}_j \le c\,
    \text{MSPE}^{pre}_1` (``cutoff`` :math:`c`; ADH 2010, sec. 3.3 used 20, 5 and 2, and
    no restriction for the ratio of Figure 8), then ranks the treated unit's ratio
    :math:`r_1 = \text{RMSPE}^{post}_1 / \text{RMSPE}^{pre}_1` among the :math:`N` kept and
    itself: :math:`p = \#\{j \in \{1\} \cup K : r_j \ge r_1\} / (N + 1)`, the exact
    randomisation p-value when treatment is assigned at random across the units compared
    (ADH 2010, sec. 2.4; Abadie 2021, sec. 6).

    Nothing falls back silently: when fewer than :math:`1/\alpha - 1` placebos are kept
    (19 for 5%) the test cannot reach :math:`\alpha`, and ``reaches_alpha`` says so.

    Parameters
    ----------
    placebos
        ``synthetic_control(...).extra["placebos"]``: columns ``unit``, ``pre_rmspe``,
        ``ratio``, ``treated`` (one True row).
    cutoff
        Multiple of the treated unit's pre-period MSPE; ``None`` keeps every placebo.
    alpha
        Level for the ``reaches_alpha`` flag.
    """
    if cutoff is not None and not cutoff > 0:
        raise ValueError(f"cutoff must be positive or None, got {cutoff}")
    treated = _treated_row(placebos)
    others = placebos.loc[~placebos["treated"].astype(bool)]
    if cutoff is None:
        kept = others
    else:
        # relative tolerance 1e-9: a placebo exactly at the cutoff is kept despite rounding
        bound = cutoff * treated["pre_rmspe"] ** 2 * (1 + 1e-9)
        kept = others.loc[others["pre_rmspe"] ** 2 <= bound]
    ratio = float(treated["ratio"])
    rank = 1 + int((kept["ratio"] >= ratio).sum())
    n = len(kept) + 1
    return PlaceboRankTest(cutoff=cutoff, rank=rank, n_units=n, pvalue=rank / n,
                           min_pvalue=1 / n, kept=len(kept), dropped=len(others) - len(kept),
                           alpha=alpha, reaches_alpha=1 / n <= alpha + 1e-12,
                           treated_ratio=ratio)


def placebo_restriction_table(placebos: pd.DataFrame,
                              cutoffs: Sequence[float | None] = ADH_CUTOFFS, *,
                              alpha: float = 0.05) -> pd.DataFrame:
    """:func:`placebo_rank_test` at each cutoff (default ADH's 20x, 5x, 2x and none), one row
    each: restriction, kept, dropped, rank, n_units, pvalue, min_pvalue, reaches_alpha."""
    rows = []
    for c in cutoffs:
        t = placebo_rank_test(placebos, c, alpha=alpha)
        rows.append({"restriction": "none" if c is None else f"pre-MSPE <= {c:g}x treated",
                     **t.as_dict()})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# 2. Weights, leave-one-out, over-fitting
# --------------------------------------------------------------------------------------------

def donor_weights_table(weights: pd.Series, names: pd.Series | dict | None = None, *,
                        tol: float = 1e-6) -> pd.DataFrame:
    """Donors with a weight above ``tol``, largest first: donor, name (if given), weight.

    ``names`` maps donor to a display name (e.g. LAD code to district name).
    """
    w = weights[weights > tol].sort_values(ascending=False)
    table = pd.DataFrame({"donor": w.index, "weight": w.to_numpy(float)})
    if names is not None:
        table.insert(1, "name", table["donor"].map(pd.Series(names)))
    return table


def leave_one_out(data: pd.DataFrame, fit: Any, *, outcome: str, unit: str, time: str,
                  treated_unit: object, treatment_time: object, tol: float = 1e-6
                  ) -> pd.DataFrame:
    """Refit dropping each donor with positive weight in turn (Abadie 2021, sec. 7;
    ADH 2015, sec. 5: "leave-one-out" robustness).

    ``fit`` is the :class:`~wmresearch.evaluation.result.EstimateResult` of
    :func:`~wmresearch.evaluation.synthetic.synthetic_control`; its ``extra["spec"]``
    (predictors, special predictors, donors, V or V-search settings) is reused exactly, less
    one donor. Placebos are not refitted.

    Returns
    -------
    pandas.DataFrame
        dropped, weight (of the dropped donor in the full fit), att, change (att minus the
        full fit's), pre_rmspe; one row per positive-weight donor. The range of ``att`` is
        the leave-one-out range.
    """
    spec = dict(fit.extra["spec"])
    pool = list(spec.pop("donors"))
    weights = fit.extra["weights"]
    rows = []
    for donor in weights[weights > tol].index:
        res = synthetic_control(data, outcome=outcome, unit=unit, time=time,
                                treated_unit=treated_unit, treatment_time=treatment_time,
                                donors=[d for d in pool if d != donor], placebo=False, **spec)
        gap = res.detail.set_index(time)["gap"]
        pre = gap[gap.index < treatment_time]
        rows.append({"dropped": donor, "weight": float(weights[donor]), "att": res.att,
                     "change": res.att - fit.att,
                     "pre_rmspe": float(np.sqrt(np.mean(pre.to_numpy() ** 2)))})
    return pd.DataFrame(rows, columns=["dropped", "weight", "att", "change", "pre_rmspe"])


@dataclass(frozen=True)
class OverfitCheck:
    """Diagnostics of an implausibly close pre-period fit (see :func:`overfit_check`)."""

    pre_rmspe: float
    noise_sd: float
    fit_to_noise: float
    positive_donors: int
    pre_periods: int
    donor_share: float
    noise_fraction: float
    max_donor_share: float
    flagged: bool
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict."""
        return asdict(self)


def overfit_check(gap_pre: Sequence[float], treated_pre: Sequence[float],
                  positive_donors: int, *, noise_fraction: float = 0.1,
                  max_donor_share: float = 0.5) -> OverfitCheck:
    r"""Flag a pre-period fit so close that it signals over-fitting.

    Two criteria, either one flags:

    1. **Fit far below the noise.** :math:`\text{RMSPE}^{pre} < \kappa\,
       \text{sd}(\Delta Y_{1t})`, the standard deviation of the treated unit's pre-period
       first differences (its year-to-year variation), :math:`\kappa` = ``noise_fraction``
       (default 0.1). The synthetic control's pre-period error contains the treated unit's
       transitory shocks unless the weights fit them; an error an order of magnitude below
       the period-to-period variation means the weights are fitting noise, which then does
       not carry into the post-period (Abadie 2021, sec. 4, the bias bound grows with the
       ratio of transitory-shock scale to :math:`T_0` and with the number of donors; Ferman
       & Pinto 2021, sec. 3: with :math:`J` large relative to :math:`T_0` a close fit can
       come from fitting idiosyncratic shocks).
    2. **Too many donors for the pre-period.** :math:`k / T_0 \ge` ``max_donor_share``
       (default 0.5) for :math:`k` donors with positive weight: the simplex weights have
       :math:`k - 1` free parameters, so at least half of the :math:`T_0` pre-period
       outcomes are spent on fitting and a perfect fit is reached at :math:`k = T_0 + 1`
       (Carathéodory); Abadie (2021, sec. 4) advises a small pool and few active donors
       precisely to avoid this interpolation regime.

    Parameters
    ----------
    gap_pre
        Pre-period gaps (treated minus synthetic).
    treated_pre
        The treated unit's pre-period outcomes, in time order.
    positive_donors
        Number of donors with positive weight.
    """
    gap = np.asarray(gap_pre, dtype=float)
    y = np.asarray(treated_pre, dtype=float)
    if gap.size < 3 or y.size != gap.size:
        raise ValueError("overfit_check needs matching pre-period gaps and outcomes (>= 3)")
    rmspe = float(np.sqrt(np.mean(gap**2)))
    noise = float(np.std(np.diff(y), ddof=1))
    ratio = rmspe / noise if noise > 0 else math.inf
    share = positive_donors / gap.size
    reasons = []
    if ratio < noise_fraction:
        reasons.append(f"pre-period RMSPE {rmspe:.3g} is {ratio:.3f} x the sd of the treated "
                       f"unit's pre-period changes ({noise:.3g}), below {noise_fraction:g}")
    if share >= max_donor_share:
        reasons.append(f"{positive_donors} donors with positive weight for {gap.size} "
                       f"pre-period outcomes ({share:.2f} >= {max_donor_share:g})")
    return OverfitCheck(pre_rmspe=rmspe, noise_sd=noise, fit_to_noise=ratio,
                        positive_donors=int(positive_donors), pre_periods=int(gap.size),
                        donor_share=share, noise_fraction=noise_fraction,
                        max_donor_share=max_donor_share, flagged=bool(reasons),
                        reasons=tuple(reasons))


__all__ = ["ADH_CUTOFFS", "OverfitCheck", "Permutation", "PlaceboRankTest", "conformal_intervals",
           "conformal_pvalue", "donor_weights_table", "leave_one_out", "overfit_check",
           "placebo_rank_test", "placebo_restriction_table"]
