"""Minimum detectable effects in the programme's own years: the projection record, and the
plausible effect an MDE is compared with.

:func:`wmresearch.evaluation.power.power_by_year` fills :class:`PowerProjection`;
:func:`plausible_effect_gva_per_hour` gives the effect, in the MDE's units (log points),
that the MDE is set against (:func:`mde_ratio`). See :mod:`wmresearch.evaluation.power` for
the definition of the MDE and the references.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd


def post_periods_in_data(start_year: int, last_data_year: int) -> int:
    """Number of post-treatment years the data hold: ``last_data_year - start_year + 1``, >= 0.

    ``start_year`` is the programme's real first treated year; it is never moved to fit the
    data.
    """
    return max(0, int(last_data_year) - int(start_year) + 1)


@dataclass(frozen=True)
class PowerProjection:
    """MDE in the programme's own years and its projection as data are published.

    Attributes
    ----------
    start_year, last_data_year
        Programme's first treated year (unchanged) and last year of published data.
    post_periods
        Post years in the data now (0: not evaluable yet).
    mde
        MDE with the data now (None when ``post_periods == 0``).
    first_data_year_needed
        Last-data year at which the first post year exists (``start_year``).
    table
        One row per last-data year ``start_year .. start_year + horizon``: ``last_data_year``,
        ``post_periods``, ``mde``, ``published`` (year <= ``last_data_year``) and, with a
        plausible effect, ``detectable`` (mde <= effect).
    plausible_effect
        Effect compared with, in the MDE's units (log points), or None.
    detectable_from
        First last-data year in the table whose MDE is at most ``plausible_effect``; None if
        none within the horizon or no effect was given.
    """

    start_year: int
    last_data_year: int
    post_periods: int
    mde: float | None
    first_data_year_needed: int
    table: pd.DataFrame
    plausible_effect: float | None
    detectable_from: int | None

    @property
    def evaluable(self) -> bool:
        """Whether the data hold at least one post-treatment year."""
        return self.post_periods > 0

    def summary(self) -> str:
        """One-sentence statement of evaluability and detectability."""
        if not self.evaluable:
            head = (f"Not evaluable yet: the programme starts in {self.start_year} and the data "
                    f"end in {self.last_data_year}; data for {self.first_data_year_needed} "
                    "are needed for a first post-period year.")
        else:
            head = (f"With data to {self.last_data_year} ({self.post_periods} post year(s) "
                    f"from {self.start_year}) the MDE is {self.mde:.4f}.")
        if self.plausible_effect is None:
            return head
        if self.detectable_from is None:
            return head + (f" An effect of {self.plausible_effect:.4f} is not detectable with "
                           f"data to {int(self.table['last_data_year'].max())}.")
        return head + (f" Detectable from data year {self.detectable_from} if the effect is "
                       f"{self.plausible_effect:.4f}.")



@dataclass(frozen=True)
class PlausibleEffect:
    """Upper-bound effect of annual spend on GVA per hour worked, in the MDE's units.

    Attributes
    ----------
    gbp_per_hour
        :math:`S/H`, £ of GVA per hour worked (None without hours).
    proportion
        :math:`S/GVA`, the same bound as a proportion of GVA per hour.
    log_points
        :math:`\\ln(1 + S/GVA)`, the bound in log points of GVA per hour (:math:`\\approx`
        ``proportion`` for small values): compare this with an MDE on log GVA per hour.
    gva_per_hour
        Baseline :math:`GVA/H` (None without hours).
    assumption
        The assumptions behind the bound, in words.
    """

    gbp_per_hour: float | None
    proportion: float
    log_points: float
    gva_per_hour: float | None
    assumption: str


def plausible_effect_gva_per_hour(annual_spend_gbp: float, area_gva_gbp: float,
                                  hours_worked: float | None = None) -> PlausibleEffect:
    r"""Convert annual spend into an upper-bound effect on GVA per hour worked.

    Assuming hours worked :math:`H` are unchanged and each £ spent adds at most £1 of GVA in
    the year, GVA per hour rises by at most :math:`S/H` £, i.e. by the proportion
    :math:`(S/H)/(GVA/H) = S/GVA`, or :math:`\ln(1 + S/GVA)` log points. The MDE of a design
    on log GVA per hour is in log points, so compare it with ``log_points``.

    Parameters
    ----------
    annual_spend_gbp
        Annual programme spend :math:`S` (£).
    area_gva_gbp
        Area GVA in the same year (£, current prices).
    hours_worked
        Annual hours worked in the area :math:`H` (optional; only for the £-per-hour figure).
    """
    if not (annual_spend_gbp >= 0 and math.isfinite(annual_spend_gbp)):
        raise ValueError(f"annual spend must be finite and non-negative, got {annual_spend_gbp}")
    if not (area_gva_gbp > 0 and math.isfinite(area_gva_gbp)):
        raise ValueError(f"area GVA must be positive, got {area_gva_gbp}")
    if hours_worked is not None and not hours_worked > 0:
        raise ValueError(f"hours worked must be positive, got {hours_worked}")
    share = annual_spend_gbp / area_gva_gbp
    return PlausibleEffect(
        gbp_per_hour=annual_spend_gbp / hours_worked if hours_worked else None,
        proportion=share, log_points=math.log1p(share),
        gva_per_hour=area_gva_gbp / hours_worked if hours_worked else None,
        assumption=("upper bound: hours worked unchanged and each £1 spent adds at most £1 of "
                    "GVA in the year (no multiplier; deadweight, displacement and leakage "
                    "would make it smaller)"))


def mde_ratio(mde: float, plausible: float | PlausibleEffect) -> float:
    """How many times larger the MDE is than the plausible effect: ``mde / plausible``.

    Pass the same MDE the headline reports (e.g. :func:`mde_placebo` for the place design),
    and the plausible effect in the same units (log points; a :class:`PlausibleEffect` uses
    its ``log_points``). Values above 1 mean the design cannot detect the effect.
    """
    value = plausible.log_points if isinstance(plausible, PlausibleEffect) else plausible
    if not value > 0:
        raise ValueError(f"plausible effect must be positive, got {value}")
    if not (mde >= 0 and math.isfinite(mde)):
        raise ValueError(f"mde must be finite and non-negative, got {mde}")
    return float(mde / value)


__all__ = ["PlausibleEffect", "PowerProjection", "mde_ratio", "plausible_effect_gva_per_hour",
           "post_periods_in_data"]
