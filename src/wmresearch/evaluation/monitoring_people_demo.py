"""Synthetic people for the person-level return: residents with rolling entry, and returns.

:func:`synthetic_residents` draws the working-age residents of a few wards, some of whom take
part in an employment programme, joining in different years (rolling entry), with a known
effect on the probability of being employed. :func:`to_person_return` turns a synthetic
panel of people (these residents, or the bootcamp adults of
:func:`wmresearch.evaluation.monitoring_demo.synthetic_bootcamp`) into the sheets of the
person-level return (:mod:`wmresearch.evaluation.monitoring_people`) and the comparison file,
so the path from a team's files to an estimate can be shown on invented people.

Every table is labelled synthetic (column ``synthetic`` and ``attrs["synthetic"]``) and carries
the planted truth in ``attrs["truth"]``; the return's sheets have no such column (the schema
has none), so files written from them must say "synthetic" in their names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wmresearch.evaluation.monitoring_demo import (
    WMCA_DISTRICTS,
    SyntheticMonitoring,
    _join_probability,
    _z,
)
from wmresearch.evaluation.validation import require_entry_years

#: Illustrative service strands of a ward-based employment programme (invented mix).
DEMO_STRANDS = ("outreach and job search", "in-work progression", "training referral")
#: Columns of the person-level ``outcomes`` sheet, in order.
OUTCOME_COLUMNS = ("person_id", "year", "employed", "earnings_gbp", "age",
                   "qualification_level")


def synthetic_residents(n_people: int = 8000, *, first_year: int = 2014,
                        last_year: int = 2022,
                        entry_years: Sequence[int] = (2018, 2019, 2020, 2021),
                        effect: float = 0.08, participant_share: float = 0.5,
                        trend: float = 0.02, persistence: float = 0.8,
                        seed: int = 20240601) -> SyntheticMonitoring:
    """A seeded synthetic panel of ward residents, half of whom join a programme over years.

    ILLUSTRATIVE, not calibrated to any programme: the residents of wards of concentrated
    worklessness, employed about four years in ten at first, with employment rising by
    ``trend`` a year (a recovering labour market).

    Model (a linear probability model, so the effect is the same for everyone)::

        employed_it = 1[U_it < p_i + m_t + effect x D_it]
        p_i = clip(N(0.40, 0.12), 0.10, 0.60),  m_t = trend (t - first_year) + N(0, 0.01)
        U_it = Phi(e_it),  e_it = persistence e_i,t-1 + sqrt(1 - persistence^2) v_it

    so ``U_it`` is uniform in each year and persistent across years (employment spells), and
    ``D_it = 1`` from the participant's entry year. Participation has log-odds
    ``a - z(p_i)``: the least employable join. The entry year is drawn uniformly from
    ``entry_years``, independently of everything else, which is the assumption under which
    later entrants are a valid comparison (Callaway & Sant'Anna 2021, not-yet-treated). A
    before/after of participants counts the rising trend as impact.

    Returns
    -------
    SyntheticMonitoring
        ``panel`` (person_id, year, treated, post, cohort, employed, synthetic),
        ``beneficiaries`` (person_id, start_date, completion, course, district_code,
        synthetic), ``outcomes`` (participants' rows) and ``truth``; the planted
        ``effect`` is on the probability of being employed (``p + m + effect`` stays below 1,
        so every participant's effect is exactly ``effect``).
    """
    entry_years = require_entry_years(entry_years, first_year, last_year)
    if not 0 < participant_share < 1:
        raise ValueError(f"participant_share: expected (0, 1), got {participant_share}")
    from scipy.special import ndtr  # imported here: only the demonstration needs it

    rng = np.random.default_rng(seed)
    years = np.arange(first_year, last_year + 1)
    able = np.clip(rng.normal(0.40, 0.12, n_people), 0.10, 0.60)
    path = trend * (years - first_year) + rng.normal(0, 0.01, len(years))
    if able.max() + path.max() + effect >= 1 or able.min() + path.min() <= 0:
        raise ValueError("trend and effect: the probability of employment must stay in (0, 1)")
    e = np.empty((n_people, len(years)))
    e[:, 0] = rng.normal(size=n_people)
    for k in range(1, len(years)):
        e[:, k] = persistence * e[:, k - 1] + np.sqrt(1 - persistence ** 2) * rng.normal(
            size=n_people)
    u = ndtr(e)
    joins = rng.uniform(size=n_people) < _join_probability(-_z(able), participant_share)
    cohort = np.where(joins, rng.choice(entry_years, n_people), 0)
    dose = joins[:, None] & (years[None, :] >= cohort[:, None])
    employed = u < able[:, None] + path[None, :] + effect * dose
    ids = np.array([f"SYN-R{i:06d}" for i in range(n_people)])
    panel = pd.DataFrame({
        "person_id": np.repeat(ids, len(years)), "year": np.tile(years, n_people),
        "treated": np.repeat(joins, len(years)), "post": dose.ravel(),
        "cohort": np.repeat(cohort, len(years)), "employed": employed.ravel().astype(int),
        "synthetic": True,
    })
    n_ben = int(joins.sum())
    start = pd.to_datetime(pd.Series(cohort[joins]).astype(str) + "-01-01") + \
        pd.to_timedelta(rng.integers(0, 365, n_ben), "D")
    beneficiaries = pd.DataFrame({
        "person_id": ids[joins], "start_date": start.to_numpy(),
        "completion": rng.choice(["completed", "withdrawn"], n_ben, p=[0.81, 0.19]),
        "course": rng.choice(DEMO_STRANDS, n_ben),
        "district_code": rng.choice(WMCA_DISTRICTS, n_ben), "synthetic": True,
    })
    outcomes = panel.loc[panel["treated"], ["person_id", "year", "employed",
                                            "synthetic"]].reset_index(drop=True)
    truth = {"effect": effect, "effect_employment": effect, "entry_years": entry_years,
             "trend": trend, "participants": n_ben, "seed": seed, "unit": "resident",
             "outcome": "employed", "id_column": "person_id", "covariates": []}
    for frame in (panel, beneficiaries, outcomes):
        frame.attrs.update(synthetic=True, truth=truth)
    return SyntheticMonitoring(panel, beneficiaries, outcomes, truth)


def _outcome_columns(panel: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"person_id": panel["person_id"], "year": panel["year"],
                        "employed": panel["employed"]})
    out["earnings_gbp"] = panel["earnings_gbp"] if "earnings_gbp" in panel else np.nan
    out["age"] = panel["age"] if "age" in panel else pd.NA
    # the bootcamp's "degree" as an RQF level: 4 for a degree, else 2 (illustrative)
    out["qualification_level"] = (np.where(panel["degree"] == 1, 4, 2) if "degree" in panel
                                  else pd.NA)
    return out.reset_index(drop=True)


def to_person_return(data: SyntheticMonitoring) -> tuple[dict[str, pd.DataFrame],
                                                          pd.DataFrame]:
    """Synthetic people as the sheets of a person-level return and its comparison file.

    Returns
    -------
    sheets : ``participants`` and ``outcomes`` in the person-level schema (no label column;
        write them with :func:`wmresearch.evaluation.monitoring_demo.write_return` to a file
        whose name says "synthetic").
    comparison : the non-participants' rows in the ``outcomes`` columns (the evaluator's
        linked comparison group), for a CSV read by
        :func:`~wmresearch.evaluation.monitoring.read_comparison_outcomes`.
    """
    ben = data.beneficiaries
    participants = pd.DataFrame({"person_id": ben["person_id"],
                                 "start_date": ben["start_date"].dt.strftime("%Y-%m-%d")})
    if "completion" in ben:
        participants["completion"] = ben["completion"]
    else:  # the bootcamp generator has none: a separate stream, so its draws are unchanged
        participants["completion"] = np.random.default_rng([data.truth["seed"], 2]).choice(
            ["completed", "withdrawn"], len(ben), p=[0.75, 0.25])
    participants["course"] = ben["course"]
    participants["district_code"] = ben["district_code"]
    rows = _outcome_columns(data.panel)
    joined = data.panel["treated"].to_numpy(bool)
    return ({"participants": participants, "outcomes": rows[joined].reset_index(drop=True)},
            rows[~joined].reset_index(drop=True))
