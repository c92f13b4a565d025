"""The one result type every evaluation estimator returns.

Magenta Book (HM Treasury 2020, ch. 3 and supplementary guidance on quasi-experimental
methods) asks an impact estimate to report the effect, its uncertainty, the comparison it rests
on and its sample sizes; :class:`EstimateResult` carries exactly these, plus a ``detail`` table
(per period, cohort, donor or covariate) and a plain-English :meth:`EstimateResult.summary`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

# scipy.stats.norm's own quantile and distribution functions (its ppf is ndtri, its cdf ndtr):
# the same numbers without importing scipy.stats, which takes most of a second in every
# report kernel that never needs the rest of it
from scipy.special import ndtr, ndtri

Z95 = float(ndtri(0.975))


def _fmt(value: float | None, digits: int = 4) -> str | None:
    if value is None or not math.isfinite(value):
        return None
    return f"{value:,.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"


@dataclass
class EstimateResult:
    """An average treatment effect on the treated with its uncertainty.

    Attributes
    ----------
    att : float
        Point estimate of the ATT, in outcome units.
    se : float
        Standard error (NaN where the design gives none, e.g. one treated unit).
    ci : tuple of float
        95% confidence interval (NaN bounds where undefined).
    pvalue : float
        Two-sided p-value for ATT = 0 (for synthetic control: the placebo rank p-value).
    n_treated, n_control : int
        Treated and comparison units used.
    method : str
        Name of the design and the reference implementation.
    detail : pandas.DataFrame
        Per period / cohort / donor / covariate table.
    extra : dict
        Design-specific figures (pre-trend test, weights, diagnostics).
    """

    att: float
    se: float
    ci: tuple[float, float]
    pvalue: float
    n_treated: int
    n_control: int
    method: str
    detail: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_normal(cls, att: float, se: float, **kwargs: Any) -> EstimateResult:
        """Build a result with a normal-approximation 95% CI and p-value."""
        if math.isfinite(se) and se > 0:
            ci = (att - Z95 * se, att + Z95 * se)
            pvalue = float(2 * ndtr(-abs(att / se)))
        else:
            ci, pvalue = (math.nan, math.nan), math.nan
        return cls(att=float(att), se=float(se), ci=ci, pvalue=pvalue, **kwargs)

    def summary(self) -> str:
        """The estimate in words, for a policy reader. Undefined figures are left out."""
        parts = [f"{self.method}: the estimated effect on the treated is {_fmt(self.att)}"]
        se = _fmt(self.se)
        if se is not None:
            parts.append(f" (standard error {se})")
        lo, hi = (_fmt(v) for v in self.ci)
        if lo is not None and hi is not None:
            parts.append(f", 95% confidence interval {lo} to {hi}")
        p = _fmt(self.pvalue, 3)
        if p is not None:
            parts.append(f", p-value {p}")
        parts.append(f"; {self.n_treated} treated and {self.n_control} comparison units.")
        pre = self.extra.get("pretrend_pvalue")
        if pre is not None and _fmt(pre, 3) is not None:
            verdict = "no evidence against" if pre >= 0.05 else "evidence against"
            parts.append(f" Pre-trend test p-value {_fmt(pre, 3)}: {verdict} parallel trends.")
        return "".join(parts)
