"""What an evaluation page has established: a design that was run, or one that is planned.

The Maryland Scientific Methods Scale rates a study that was carried out, not a design on
paper (What Works Centre for Local Economic Growth 2016, "Guide to scoring methods"): an SMS
level is therefore attached only to an analysis that this package executed on real data; a
planned design is reported as "planned: SMS n once its data are obtained (<data>)". The index
card of a page says the same thing in a few words (:func:`card_headline`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wmresearch.evaluation.appraisal import sms_level
from wmresearch.evaluation.programmes import Programme

State = Literal["estimated", "not_detectable", "not_yet_evaluable", "planned"]


@dataclass(frozen=True)
class EvaluationStatus:
    """The page's standing.

    Attributes
    ----------
    state
        ``estimated`` (an impact estimate from an executed design), ``not_detectable`` (the
        area-level data were analysed but could not detect an effect of plausible size),
        ``not_yet_evaluable`` (no post-programme year is published yet) or ``planned``
        (the design needs data that the package does not hold).
    sms_achieved
        SMS level of the executed analysis, else ``None``.
    sms_planned
        SMS level the planned design would reach once its data exist.
    data_needed
        What the planned design needs, in words.
    first_post_year, last_data_year
        The programme's first treated year and the last year of published outcome data.
    downgrade
        Why an executed analysis scores one level below its design (e.g. pre-treatment
        trends that differ), or ``None``.
    """

    state: State
    sms_achieved: int | None
    sms_planned: int
    data_needed: str
    first_post_year: int
    last_data_year: int | None
    downgrade: str | None = None

    @property
    def post_years(self) -> int:
        """Published post-programme years (0 before the first one is published)."""
        if self.last_data_year is None:
            return 0
        return max(0, self.last_data_year - self.first_post_year + 1)


def evaluation_status(prog: Programme, *, last_data_year: int | None, estimated: bool = False,
                      detectable: bool | None = None,
                      downgrade: str | None = None) -> EvaluationStatus:
    """Classify what a page can claim.

    Parameters
    ----------
    prog
        The programme (its design's method, start year and data).
    last_data_year
        Last year of the outcome series the area-level check uses (``None``: not held).
    estimated
        True only when an impact estimate of the programme's own design was computed here.
    detectable
        Whether the area-level data could detect an effect of plausible size (``None``:
        not assessed).
    downgrade
        The reason an executed analysis falls one level short of its design's SMS level. The
        What Works Centre (2016) scores the study as carried out: a difference-in-differences
        whose treated and comparison units already diverged before treatment does not earn
        level 3.
    """
    planned = sms_level(prog.design.method).level
    needed = "; ".join(prog.design.data) or "the design's data"
    start = prog.start_year
    if estimated:
        state: State = "estimated"
    elif last_data_year is None or last_data_year < start:
        state = "not_yet_evaluable"
    elif detectable is False:
        state = "not_detectable"
    else:
        state = "planned"
    achieved = None if not estimated else planned - 1 if downgrade else planned
    return EvaluationStatus(state, achieved, planned, needed, start, last_data_year,
                            downgrade if estimated else None)


def sms_statement(status: EvaluationStatus) -> str:
    """The SMS line of a page: achieved for an executed analysis, planned otherwise."""
    if status.sms_achieved is not None and status.downgrade:
        return (f"SMS level {status.sms_achieved}: a level-{status.sms_planned} design carried "
                f"out in this report, one level lower because {status.downgrade}")
    if status.sms_achieved is not None:
        return f"SMS level {status.sms_achieved} (analysis carried out in this report)"
    return (f"no SMS level: no impact analysis was carried out; planned: SMS "
            f"{status.sms_planned} once its data are obtained ({status.data_needed})")


def card_headline(status: EvaluationStatus, *, mde: float | None = None,
                  mde_unit: str = "of GVA per hour worked",
                  detectable_from: int | None = None) -> dict[str, str]:
    """The index card's lines: what the page established, in a few words.

    Keys sort as they should read (the metrics file is written with sorted keys): the
    finding first, then the standard of evidence.

    Examples: ``{"Finding": "not yet evaluable: data from 2024 needed"}``,
    ``{"Finding": "no detectable effect; MDE 12.0% of GVA per hour worked"}``.
    """
    if status.state == "not_yet_evaluable":
        finding = (f"not yet evaluable: the first post-programme year ({status.first_post_year}) "
                   "is not yet published")
    elif status.state == "not_detectable":
        finding = "area-level data cannot detect an effect of plausible size"
        if mde is not None:
            finding += f" (MDE {100 * mde:.1f}% {mde_unit})"
    elif status.state == "estimated":
        finding = "impact estimated (see the report)"
    else:
        finding = "impact not yet estimated: the planned design awaits its data"
    out = {"Finding": finding,
           "Standard of evidence": (f"SMS {status.sms_achieved}"
                                    + (f" ({status.downgrade})" if status.downgrade else "")
                                    if status.sms_achieved
                                 else f"planned: SMS {status.sms_planned} once data obtained")}
    if detectable_from is not None:
        out["When detectable"] = (f"area-level effect of plausible size from data for "
                                  f"{detectable_from}")
    return out
