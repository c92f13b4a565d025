"""Beneficiary data for impact estimates: start dates, the design they imply, the panel.

:func:`choose_design` reads the support start dates of a monitoring return's beneficiaries
(several start years: rolling entry; one: a single cohort) and :func:`build_outcome_panel`
joins them to an outcome panel of beneficiaries and non-beneficiaries, raising
:class:`BeneficiaryDataError` (sheet, row, column) on every inconsistency;
:func:`estimate_naive` is the before/after a comparison group exists to correct. The
estimators are in :mod:`wmresearch.evaluation.beneficiary`.

References
----------
Callaway, B. and Sant'Anna, P. H. C. (2021), Journal of Econometrics 225(2): 200-230.
Heckman, J. J., Ichimura, H. and Todd, P. E. (1997), Review of Economic Studies 64(4): 605-654.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from wmresearch.evaluation.result import EstimateResult

ROLLING = "rolling_entry"
SINGLE = "single_cohort"


class BeneficiaryDataError(ValueError):
    """Inconsistent beneficiary or outcome data; names the sheet, row and column.

    Rows are counted as in a spreadsheet: the header is row 1, the first record row 2.
    """

    def __init__(self, sheet: str, message: str, *, row: int | None = None,
                 column: str | None = None) -> None:
        self.sheet, self.row, self.column = sheet, row, column
        where = [f"sheet {sheet!r}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class DesignChoice:
    """The estimator that fits the programme's entry pattern.

    Attributes
    ----------
    design : str
        :data:`ROLLING` (``"rolling_entry"``) or :data:`SINGLE` (``"single_cohort"``).
    reason : str
        One sentence: the start years found and why they lead to this design.
    cohorts : dict of int to int
        Beneficiaries by calendar year of their support start date.
    """

    design: str
    reason: str
    cohorts: dict[int, int]


# --------------------------------------------------------------------------- labelling


def is_synthetic(*frames: pd.DataFrame) -> bool:
    """True if any input says it is synthetic (attrs or an all-True ``synthetic`` column)."""
    for frame in frames:
        if frame.attrs.get("synthetic"):
            return True
        if "synthetic" in frame.columns and len(frame) and frame["synthetic"].astype(bool).all():
            return True
    return False


def labelled(frame: pd.DataFrame, synthetic: bool, truth: object = None) -> pd.DataFrame:
    """A copy of ``frame`` with a ``synthetic`` column, ``attrs["synthetic"]`` and the truth."""
    frame = frame.copy()
    frame["synthetic"] = synthetic
    frame.attrs["synthetic"] = synthetic
    if truth is not None:
        frame.attrs["truth"] = truth
    return frame


# --------------------------------------------------------------------------- design


#: Identifier columns tried, in order, when none is named: firms, then people.
ID_COLUMNS = ("firm_id", "person_id")


def resolve_id_column(beneficiaries: pd.DataFrame, id_column: str | None) -> str:
    """``id_column``, or the first of :data:`ID_COLUMNS` in the beneficiaries sheet."""
    if id_column is not None:
        return id_column
    found = [c for c in ID_COLUMNS if c in beneficiaries.columns]
    if not found:
        raise BeneficiaryDataError("beneficiaries", f"no identifier column: expected one of "
                                   f"{list(ID_COLUMNS)}, has {list(beneficiaries.columns)}",
                                   row=1, column=ID_COLUMNS[0])
    return found[0]


def _start_years(beneficiaries: pd.DataFrame, id_column: str,
                 date_column: str) -> pd.Series:
    """Calendar year of each beneficiary's start date, indexed by identifier."""
    sheet = "beneficiaries"
    for col in (id_column, date_column):
        if col not in beneficiaries.columns:
            raise BeneficiaryDataError(sheet, f"column missing (has "
                                       f"{list(beneficiaries.columns)})", row=1, column=col)
    ids = beneficiaries[id_column]
    blank = ids.isna() | (ids.astype("string").str.strip() == "")
    if blank.any():
        raise BeneficiaryDataError(sheet, "identifier is empty",
                                   row=_row(blank), column=id_column)
    dup = ids.duplicated()
    if dup.any():
        raise BeneficiaryDataError(sheet, f"duplicate identifier {ids[dup].iloc[0]!r}",
                                   row=_row(dup), column=id_column)
    raw = beneficiaries[date_column]
    dates = raw if ptypes.is_datetime64_any_dtype(raw) else pd.to_datetime(
        raw, errors="coerce", format="mixed")
    if dates.isna().any():
        bad = dates.isna()
        raise BeneficiaryDataError(sheet, f"start date missing or not a date, got "
                                   f"{raw[bad].iloc[0]!r}", row=_row(bad), column=date_column)
    return pd.Series(dates.dt.year.to_numpy(int), index=ids.to_numpy(), name="cohort")


def _row(mask: pd.Series) -> int:
    """Spreadsheet row (header = 1) of the first True in ``mask``."""
    return int(np.flatnonzero(mask.to_numpy())[0]) + 2


def choose_design(beneficiaries: pd.DataFrame, *, id_column: str | None = None,
                  date_column: str = "start_date") -> DesignChoice:
    """The design that fits the beneficiaries' start dates.

    Several start years (rolling entry) lead to :func:`estimate_rolling` (Callaway &
    Sant'Anna 2021, not-yet-treated controls); one start year to
    :func:`estimate_single_cohort` (matching then DiD, Heckman, Ichimura & Todd 1997).
    A cohort is the calendar year of ``date_column``.

    Parameters
    ----------
    beneficiaries : the ``beneficiaries`` sheet of a monitoring return (one row per unit).
    id_column : identifier column; ``None``: ``firm_id`` or else ``person_id``.
    date_column : support start date column.

    Returns
    -------
    DesignChoice
        ``design`` (``"rolling_entry"`` or ``"single_cohort"``), ``reason`` and ``cohorts``.

    Raises
    ------
    BeneficiaryDataError
        A column missing, an empty or duplicate identifier, a missing or unreadable date.
    """
    id_column = resolve_id_column(beneficiaries, id_column)
    years = _start_years(beneficiaries, id_column, date_column)
    if years.empty:
        raise BeneficiaryDataError("beneficiaries", "no beneficiaries", row=2,
                                   column=id_column)
    counts = {int(y): int(n) for y, n in years.value_counts().sort_index().items()}
    listed = ", ".join(f"{y}: {n}" for y, n in counts.items())
    if len(counts) > 1:
        return DesignChoice(ROLLING, f"beneficiaries started in {len(counts)} different years "
                            f"({listed}): rolling entry, so later entrants are the "
                            "not-yet-treated comparison (Callaway & Sant'Anna 2021)", counts)
    return DesignChoice(SINGLE, f"all {listed.split(': ')[1]} beneficiaries started in "
                        f"{next(iter(counts))}: a single cohort, so comparison units are "
                        "matched on pre-period outcomes and covariates before a "
                        "difference-in-differences (Heckman, Ichimura & Todd 1997)", counts)


# --------------------------------------------------------------------------- panel


#: Why a beneficiary cannot be evaluated on the outcome panel (set aside, and counted).
SET_ASIDE = {"unlinked": "no rows in the outcome panel (not linked)",
             "too_early": "started in or before the panel's first year (no year before)",
             "too_late": "started after the panel's last year (not yet evaluable)"}


def screen_beneficiaries(beneficiaries: pd.DataFrame, outcomes: pd.DataFrame, *,
                         id_column: str | None = None, time: str = "year",
                         date_column: str = "start_date") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set aside the beneficiaries an outcome panel cannot evaluate, each with its reason.

    A return lists everyone who started, while the outcome panel (linked administrative
    data) covers fixed years and not everyone links: a beneficiary with no outcome rows, one
    who started in or before the panel's first year, or after its last, is set aside
    (:data:`SET_ASIDE`) with its outcome rows. Bad cells still raise
    (:class:`BeneficiaryDataError`).

    Returns
    -------
    kept : the beneficiaries that can be evaluated (rows in their original order).
    accounting : ``table`` (``beneficiaries``, ``outcome rows``), ``status`` (``used`` or a
        reason of :data:`SET_ASIDE`), ``rows``; for each table the rows sum to its rows in.
        ``attrs["set_aside"]``: the identifiers set aside.
    """
    id_column = resolve_id_column(beneficiaries, id_column)
    start = _start_years(beneficiaries, id_column, date_column)
    for col in (id_column, time):
        if col not in outcomes.columns:
            raise BeneficiaryDataError("outcome panel", f"column missing (has "
                                       f"{list(outcomes.columns)})", row=1, column=col)
    years = pd.to_numeric(outcomes[time], errors="coerce")
    reason = pd.Series("used", index=start.index, dtype=object)
    # the last reason that applies is given: a start after the panel's last year explains
    # why a beneficiary has no outcome rows yet
    if years.notna().any():
        reason[start.to_numpy() <= years.min()] = SET_ASIDE["too_early"]
    # unique values first: pandas' isin on Arrow strings converts every value it is given,
    # one at a time (0.7 s for a 150,000-row panel)
    reason[~start.index.isin(outcomes[id_column].unique())] = SET_ASIDE["unlinked"]
    if years.notna().any():
        reason[start.to_numpy() > years.max()] = SET_ASIDE["too_late"]
    aside = reason.index[reason != "used"]
    rows_aside = int(outcomes[id_column].isin(aside).sum())
    counts = reason.value_counts()
    accounting = pd.DataFrame(
        [("beneficiaries", status, int(counts.get(status, 0)))
         for status in ("used", *SET_ASIDE.values()) if status == "used" or status in counts]
        + [("outcome rows", "used", len(outcomes) - rows_aside)]
        + ([("outcome rows", "rows of beneficiaries set aside", rows_aside)]
           if rows_aside else []), columns=["table", "status", "rows"])
    accounting.attrs["set_aside"] = list(aside)
    return beneficiaries[(reason == "used").to_numpy()], accounting


def build_outcome_panel(beneficiaries: pd.DataFrame, outcomes: pd.DataFrame, *, outcome: str,
                        id_column: str | None = None, time: str = "year",
                        date_column: str = "start_date", covariates: Sequence[str] = (),
                        outcomes_sheet: str = "outcome panel",
                        set_aside: Sequence[str] = ()) -> pd.DataFrame:
    """Join start dates to an outcome panel of beneficiaries and non-beneficiaries.

    The cohort of a beneficiary is the calendar year of its start date, and that year counts
    as treated (event time 0): annual outcomes measured at the year's end include part of
    the support. Units of ``outcomes`` absent from ``beneficiaries`` are non-beneficiaries
    (cohort 0). Nothing is dropped but the rows of ``set_aside``: every inconsistency raises.

    Parameters
    ----------
    beneficiaries : one row per beneficiary with ``id_column`` and ``date_column``.
    outcomes : long panel with ``id_column``, ``time``, ``outcome`` and ``covariates``,
        one row per unit and year, balanced.
    outcome : numeric outcome column (e.g. ``log_employment``, ``earnings_gbp``).
    id_column : identifier in both tables; ``None``: ``firm_id`` or else ``person_id``.
    covariates : numeric columns carried into the panel (matching covariates).
    outcomes_sheet : name of the outcome table used in error messages.
    set_aside : identifiers whose rows leave the panel after the cells are checked (from
        :func:`screen_beneficiaries`; rows in error messages stay the input's rows).

    Returns
    -------
    pandas.DataFrame
        ``id_column``, ``time``, ``outcome``, covariates, ``cohort`` (start year, 0 for
        non-beneficiaries), ``beneficiary`` (0/1), ``treated`` (0/1: beneficiary in or after
        its start year), ``event_time`` (year - cohort; NA for non-beneficiaries),
        ``synthetic``; sorted by unit and year.

    Raises
    ------
    BeneficiaryDataError
        Naming sheet, row and column: a missing column, a non-numeric or empty value, a
        duplicate (unit, year), a beneficiary with no rows in the outcome panel, a start year
        with no earlier year in the panel, or a unit missing a year.
    """
    id_column = resolve_id_column(beneficiaries, id_column)
    years = _start_years(beneficiaries, id_column, date_column)
    sheet = outcomes_sheet
    needed = [id_column, time, outcome, *covariates]
    for col in needed:
        if col not in outcomes.columns:
            raise BeneficiaryDataError(sheet, f"column missing (has {list(outcomes.columns)})",
                                       row=1, column=col)
    frame = outcomes[needed].reset_index(drop=True)
    for col in [time, outcome, *covariates]:
        values = frame[col]
        if ptypes.is_bool_dtype(values) or not ptypes.is_numeric_dtype(values):
            parsed = pd.to_numeric(values, errors="coerce")
            bad = parsed.isna() & values.notna()
            if bad.any():
                raise BeneficiaryDataError(sheet, f"not a number, got {values[bad].iloc[0]!r}",
                                           row=_row(bad), column=col)
            frame[col] = parsed
        if frame[col].isna().any():
            raise BeneficiaryDataError(sheet, "value missing", row=_row(frame[col].isna()),
                                       column=col)
    if (frame[time] % 1 != 0).any():
        bad = frame[time] % 1 != 0
        raise BeneficiaryDataError(sheet, f"year must be whole, got {frame[time][bad].iloc[0]}",
                                   row=_row(bad), column=time)
    frame[time] = frame[time].astype(int)
    dup = frame.duplicated([id_column, time])
    if dup.any():
        raise BeneficiaryDataError(sheet, f"duplicate ({id_column}, {time}) "
                                   f"({frame.loc[dup, id_column].iloc[0]!r}, "
                                   f"{frame.loc[dup, time].iloc[0]})", row=_row(dup),
                                   column=time)
    frame = frame[~frame[id_column].isin(set_aside)]
    present = set(frame[id_column])
    absent = ~pd.Series(years.index).isin(present)
    if absent.any():
        raise BeneficiaryDataError("beneficiaries", f"{years.index[absent.to_numpy()][0]!r} "
                                   f"has no rows in the {sheet} ({absent.sum()} beneficiaries "
                                   "missing)", row=_row(absent), column=id_column)
    periods = np.sort(frame[time].unique())
    early = (years <= periods[0]).to_numpy()
    if early.any():
        raise BeneficiaryDataError("beneficiaries", f"start year {years.iloc[early.argmax()]} "
                                   f"of {years.index[early][0]!r} has no earlier year in the "
                                   f"{sheet} (first year {periods[0]})",
                                   row=int(early.argmax()) + 2, column=date_column)
    late = (years > periods[-1]).to_numpy()
    if late.any():
        raise BeneficiaryDataError("beneficiaries", f"start year {years.iloc[late.argmax()]} "
                                   f"of {years.index[late][0]!r} is after the last year of "
                                   f"the {sheet} ({periods[-1]})",
                                   row=int(late.argmax()) + 2, column=date_column)
    counts = frame.groupby(id_column)[time].nunique()
    short = counts[counts < len(periods)]
    if len(short):
        unit = short.index[0]
        have = set(frame.loc[frame[id_column] == unit, time])
        gap = next(p for p in periods if p not in have)
        raise BeneficiaryDataError(sheet, f"unbalanced panel: {unit!r} has no row for "
                                   f"{time} {gap} ({len(short)} units incomplete)",
                                   column=time)
    frame["cohort"] = frame[id_column].map(years).fillna(0).astype(int)
    frame["beneficiary"] = (frame["cohort"] > 0).astype(int)
    frame["treated"] = ((frame["cohort"] > 0) & (frame[time] >= frame["cohort"])).astype(int)
    frame["event_time"] = (frame[time] - frame["cohort"]).where(frame["cohort"] > 0).astype(
        "Int64")
    frame = frame.sort_values([id_column, time]).reset_index(drop=True)
    truth = outcomes.attrs.get("truth", beneficiaries.attrs.get("truth"))
    return labelled(frame, is_synthetic(beneficiaries, outcomes), truth)


def require_panel_columns(panel: pd.DataFrame, columns: Sequence[str]) -> None:
    for col in columns:
        if col not in panel.columns:
            raise BeneficiaryDataError("outcome panel", f"column missing (has "
                                       f"{list(panel.columns)}); build it with "
                                       "build_outcome_panel", row=1, column=col)


def estimate_naive(panel: pd.DataFrame, *, outcome: str, unit: str = "firm_id",
                   time: str = "year", cohort: str = "cohort") -> EstimateResult:
    """Before/after of beneficiaries: mean outcome from the start year minus mean before.

    No comparison group, so growth the units would have had anyway, common shocks and a
    pre-programme dip (Ashenfelter 1978) all count as impact. Shown only as a warning.

    Returns
    -------
    EstimateResult
        ``att`` = mean over beneficiaries of their own after-minus-before change, SE from the
        spread of those changes; ``detail``: one row per beneficiary (unit, cohort, change).
    """
    require_panel_columns(panel, [unit, time, cohort, outcome])
    ben = panel[panel[cohort] > 0]
    if ben.empty:
        raise BeneficiaryDataError("outcome panel", "no beneficiaries (all cohorts 0)",
                                   column=cohort)
    after = ben[time] >= ben[cohort]
    means = ben.assign(_after=after).groupby([unit, "_after"])[outcome].mean().unstack()
    if means.isna().any().any():
        raise BeneficiaryDataError("outcome panel", "a beneficiary has no year before or no "
                                   "year from its start", column=time)
    change = means[True] - means[False]
    detail = pd.DataFrame({unit: change.index,
                           cohort: ben.groupby(unit)[cohort].first().loc[change.index]
                           .to_numpy(), "change": change.to_numpy()})
    n = len(change)
    se = float(change.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    result = EstimateResult.from_normal(
        float(change.mean()), se, n_treated=n, n_control=0,
        method="Naive before/after of beneficiaries (no comparison group)", detail=detail)
    return dataclasses.replace(result, detail=labelled(detail, is_synthetic(panel),
                                                       panel.attrs.get("truth")),
                               extra={"synthetic": is_synthetic(panel)})
