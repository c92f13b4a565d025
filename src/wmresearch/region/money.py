"""The output gap at UK productivity, reconciled with the one GVA total a page shows.

A page states one GVA total (ONS regional GVA, balanced, the sum of the area's ITL3 areas) and
every gap on it is computed from that total: ``gap = GVA x (100 / relative - 1)``, where
``relative`` is the area's productivity as a % of the UK's. With GVA per hour worked that is
the extra output if every hour worked in the area produced the UK's GVA per hour
(``hours x (UK rate - area rate)``, since hours = GVA / area rate). The alternatives (per
filled job, per head) use the same total, so a reader can check each one by hand, and a
published comparator is quoted beside them with the reason it differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

HEADLINE = "GVA per hour worked"


@dataclass(frozen=True)
class PublishedGap:
    """An output gap as its publisher quoted it, with the rates it was based on."""

    gap_gbp_bn: float
    gva_per_hour: float
    uk_gva_per_hour: float
    source: str

    @property
    def relative(self) -> float:
        """The publisher's area rate as a % of its UK rate."""
        return 100 * self.gva_per_hour / self.uk_gva_per_hour


#: WMCA's own figure: "the average gross value added (GVA) per hour worked in the WMCA area was
#: £34.50 compared with ... the UK average of £39.50 ... if our regional productivity was on a
#: par with the national average, our regional economy would be £12 billion bigger".
WMCA_GREEN_PAPER = PublishedGap(
    gap_gbp_bn=12.0, gva_per_hour=34.50, uk_gva_per_hour=39.50,
    source="WMCA, West Midlands Futures Green Paper (2024), chapter 1, 'An emerging vision "
           "for the West Midlands economy'")


def gap_at_uk_rate(total_gbp_m: float, relative: float) -> float:
    """Output gap (£ million) of an area whose rate is ``relative`` % of the UK's.

    ``gap = total x (100 / relative - 1)``: the output the area would add if its rate (per
    hour, per job or per head) matched the UK's with the same hours, jobs or people.

    Examples
    --------
    >>> round(gap_at_uk_rate(76_331, 86.8), 0)   # 76.3bn x (100 / 86.8 - 1) = 11.6bn
    11608.0
    """
    if not relative or relative <= 0:
        raise ValueError(f"relative productivity must be positive, got {relative!r}")
    return total_gbp_m * (100 / relative - 1)


def output_gap_table(total_gbp_m: float, *, hour_relative: float,
                     job_relative: float | None = None, head_relative: float | None = None,
                     published: PublishedGap | None = WMCA_GREEN_PAPER) -> pd.DataFrame:
    """Every output gap on a page, each from the one GVA total ``total_gbp_m``.

    Parameters
    ----------
    total_gbp_m
        The GVA total the page shows (£ million, current prices).
    hour_relative, job_relative, head_relative
        The area's GVA per hour worked, GVA per filled job and GDP per head as % of the UK's,
        same year as the total (``None``: row left out).
    published
        A publisher's own gap, quoted as published, with its rates applied to the same total.

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``relative`` (UK = 100), ``total_gbp_bn`` (the total
        used), ``gap_gbp_bn``, ``basis`` (in words). The first row is the headline (hours).
    """
    total_bn = total_gbp_m / 1000
    rows = [(HEADLINE + " (headline)", hour_relative, total_bn,
             gap_at_uk_rate(total_bn, hour_relative),
             "the same hours worked, each producing the UK's GVA per hour")]
    if job_relative is not None:
        rows.append(("GVA per filled job", job_relative, total_bn,
                     gap_at_uk_rate(total_bn, job_relative),
                     "the same jobs, each producing the UK's GVA per job (also counts "
                     "shorter hours per job)"))
    if head_relative is not None:
        rows.append(("GDP per head", head_relative, total_bn,
                     gap_at_uk_rate(total_bn, head_relative),
                     "the same residents, each with the UK's output per head (also counts "
                     "fewer residents in work and commuting)"))
    if published is not None:
        rows.append((f"Published by WMCA: £{published.gva_per_hour:.2f} against "
                     f"£{published.uk_gva_per_hour:.2f} per hour", published.relative,
                     total_bn, gap_at_uk_rate(total_bn, published.relative),
                     f"WMCA quotes about £{published.gap_gbp_bn:.0f}bn without stating the "
                     "total it applied its rates to; on this page's total its rates give "
                     "the gap shown"))
    return pd.DataFrame(rows, columns=["measure", "relative", "total_gbp_bn", "gap_gbp_bn",
                                       "basis"])


__all__ = ["HEADLINE", "WMCA_GREEN_PAPER", "PublishedGap", "gap_at_uk_rate",
           "output_gap_table"]
