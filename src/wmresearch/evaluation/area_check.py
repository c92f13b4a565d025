"""The area-level check: the programme area against English districts, on official data.

Whatever a programme's own design, a reader asks what the official district productivity
series can reveal about its area. :func:`area_panel` builds that panel (the area's districts
aggregated, hours-weighted, against unitary and metropolitan districts outside any combined
authority and London: :mod:`wmresearch.evaluation.place`) and, when it cannot be built, says
why in words. :func:`area_noise` measures the donors' pre-programme noise from which a
minimum detectable effect is computed (:mod:`wmresearch.evaluation.power`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from wmresearch.evaluation.place import OUTCOME, RATE, WEEKS, WEIGHT, donor_pool, place_panel
from wmresearch.evaluation.power import pre_period_autocorrelation, pre_period_sigma


@dataclass(frozen=True)
class AreaPanel:
    """The area-level panel, or the reason it could not be built (``panel`` is None)."""

    panel: pd.DataFrame | None
    treated_unit: str
    districts: tuple[str, ...]
    donors: tuple[str, ...]
    first_year: int | None
    last_year: int | None
    reason: str | None = None

    @property
    def available(self) -> bool:
        """True when the panel was built."""
        return self.panel is not None


def area_panel(productivity: pd.DataFrame | None, lookup: pd.DataFrame | None,
               districts: Sequence[str], *, treated_unit: str, first_year: int = 2004,
               last_year: int | None = None) -> AreaPanel:
    """Balanced panel of log GVA per hour worked: the area's aggregate and its donor districts.

    Parameters
    ----------
    productivity, lookup
        Evidence tables ``productivity_lad`` and ``lad_lookup`` (None when not built).
    districts
        Current codes of the area's districts.
    treated_unit
        Label of the area's aggregate (its code).
    first_year, last_year
        Panel years (``last_year`` defaults to the latest published).
    """
    lads = tuple(districts)
    if productivity is None or lookup is None or not lads:
        return AreaPanel(None, treated_unit, lads, (), None, None,
                         "the district productivity series or the area's districts are not "
                         "in the evidence base for this run")
    last = int(productivity.loc[productivity["measure"] == RATE, "year"].max()) \
        if last_year is None else last_year
    years = list(range(first_year, last + 1))
    try:
        pool = donor_pool(lookup, productivity, lads, years=years)
        panel = place_panel(productivity, lads, pool.donors, treated_unit=treated_unit,
                            years=years)
    except ValueError as exc:  # e.g. too few donor districts in the demo data
        return AreaPanel(None, treated_unit, lads, (), first_year, last, str(exc))
    return AreaPanel(panel, treated_unit, lads, pool.donors, first_year, last)


def area_noise(area: AreaPanel, *, before: int) -> float:
    """Standard deviation of the donors' two-way-demeaned log GVA per hour, years < ``before``.

    The noise :math:`\\sigma` of :func:`wmresearch.evaluation.power.pre_period_sigma`,
    measured on donor districts only (the area itself is not used, so the MDE does not
    depend on the outcome being evaluated).
    """
    if area.panel is None:
        raise ValueError(f"area-level panel not available: {area.reason}")
    p = area.panel
    pre = p[(p["year"] < before) & (p["unit"] != area.treated_unit)]
    return pre_period_sigma(pre, outcome=OUTCOME, unit="unit", time="year")


def area_autocorrelation(area: AreaPanel, *, before: int) -> float:
    """Year-to-year (AR(1)) correlation of the donors' two-way-demeaned noise, years <
    ``before`` (:func:`wmresearch.evaluation.power.pre_period_autocorrelation`, corrected for
    the Nickell 1981 bias): smoothed ONS series are serially correlated, which raises the MDE
    of a comparison of period means (McKenzie 2012)."""
    if area.panel is None:
        raise ValueError(f"area-level panel not available: {area.reason}")
    p = area.panel
    pre = p[(p["year"] < before) & (p["unit"] != area.treated_unit)]
    return pre_period_autocorrelation(pre, outcome=OUTCOME, unit="unit", time="year")


def area_gva_hours(area: AreaPanel, year: int | None = None) -> tuple[int, float, float]:
    """The area's annual GVA (£) and annual hours worked in ``year`` (default: the last).

    Annual GVA = GVA per hour x weekly hours x 52 (ONS subregional productivity method),
    so GVA / annual hours is the area's GVA per hour worked.
    """
    if area.panel is None:
        raise ValueError(f"area-level panel not available: {area.reason}")
    year = area.last_year if year is None else year
    row = area.panel[(area.panel["unit"] == area.treated_unit)
                     & (area.panel["year"] == year)].iloc[0]
    hours = float(row[WEIGHT]) * WEEKS
    return int(year), float(row[RATE]) * hours, hours
