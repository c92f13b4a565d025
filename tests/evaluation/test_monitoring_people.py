"""The person-level return: its dictionary, reader errors, personal data refused, the design
chosen from the participants' start dates exactly as for firms, and the rows accounted for.

The people are SYNTHETIC (:mod:`wmresearch.evaluation.monitoring_people_demo`,
:mod:`wmresearch.evaluation.monitoring_demo`): the tests show that the path from a team's files
to an estimate recovers a planted effect, not any finding. Residents join over four years
(rolling entry, planted effect 0.08 on the probability of being employed): across 240 seeds
(8,000 residents) the not-yet-treated Callaway & Sant'Anna estimate had mean error 0.001,
spread 0.012 (mean SE 0.012), 95% interval coverage 94% (225 of 240), and the naive
before/after erred by 0.068 to 0.112. The adults of one bootcamp intake are the generator of
``test_beneficiary.py`` (planted effect on earnings, pre-programme dip).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.evaluation.returns_support import csv_return
from wmresearch.evaluation.beneficiary import SINGLE, evaluate_beneficiaries
from wmresearch.evaluation.beneficiary_data import SET_ASIDE
from wmresearch.evaluation.monitoring import (
    MonitoringReturnError,
    read_comparison_outcomes,
    read_monitoring_return,
    return_schema,
    schema_markdown,
    write_template,
)
from wmresearch.evaluation.monitoring_demo import synthetic_bootcamp, write_return
from wmresearch.evaluation.monitoring_people import PERSON_SHEETS
from wmresearch.evaluation.monitoring_people_demo import synthetic_residents, to_person_return


@pytest.fixture(scope="module")
def residents():
    return synthetic_residents(seed=11)


@pytest.fixture(scope="module")
def small():
    return synthetic_residents(n_people=300, seed=3)


def _write(tmp_path, sheets, comparison=None, name="people_return_synthetic.xlsx"):
    """An Excel return (a folder of CSVs when ``name`` has no suffix) and a comparison CSV."""
    path = tmp_path / name
    if path.suffix:
        write_return(sheets, str(path))
    else:
        path.mkdir()
        for sheet, frame in sheets.items():
            frame.to_csv(path / f"{sheet}.csv", index=False)
    if comparison is not None:
        comparison.to_csv(tmp_path / "comparison_synthetic.csv", index=False)
    return path


# --------------------------------------------------------------------------- schema


def test_dictionary_lists_every_person_column_and_refuses_personal_data():
    text = schema_markdown("person", level=3)
    assert text.startswith("### Participant return: data dictionary")
    for sheet, columns in PERSON_SHEETS.items():
        assert f"#### Sheet `{sheet}`" in text
        assert all(f"`{c.name}`" in text for c in columns)
    assert "National Insurance numbers, dates of birth" in text
    assert "fewer than 10 people" in text
    assert "`person_id` is unique in `participants`" in text
    assert "refused if it looks like a National Insurance number" in text
    # the firm dictionary is unchanged by the unit argument
    assert schema_markdown().startswith("# Monitoring return: data dictionary")
    with pytest.raises(ValueError, match="unit"):
        return_schema("household")


@pytest.mark.parametrize("name", ["template.xlsx", "template_csv"])
def test_empty_person_template_reads_back(tmp_path, name):
    path = write_template(tmp_path / name, unit="person")
    ret = read_monitoring_return(path, unit="person")
    assert ret.unit == "person" and len(ret.beneficiaries) == 0
    assert list(ret.beneficiaries.columns) == [c.name for c in PERSON_SHEETS["participants"]]
    assert list(ret.outcomes.columns) == [c.name for c in PERSON_SHEETS["outcomes"]]


# --------------------------------------------------------------------------- recovery


def test_rolling_entry_person_return_recovers_the_planted_effect(tmp_path, residents):
    sheets, _ = to_person_return(residents)
    ret = read_monitoring_return(_write(tmp_path, sheets, name="return_synthetic"),
                                 unit="person")
    assert len(ret.beneficiaries) == residents.truth["participants"]
    ev = evaluate_beneficiaries(ret, ret.outcomes, outcome="employed")
    truth = residents.truth["effect"]
    assert ev.design.design == "rolling_entry" and "Callaway & Sant'Anna" in ev.estimate.method
    assert ev.estimate.ci[0] <= truth <= ev.estimate.ci[1]
    assert abs(ev.estimate.att - truth) < 0.03
    # the rising employment rate counted as impact: before/after about doubles the effect
    assert not ev.naive.ci[0] <= truth <= ev.naive.ci[1] and ev.naive.att - truth > 0.05
    post = ev.event_study[ev.event_study["event_time"] >= 0]
    assert list(post["event_time"]) == [0, 1, 2]
    assert ((post["ci_low"] <= truth) & (truth <= post["ci_high"])).all()


def test_single_intake_person_return_with_comparison_file_recovers_earnings(tmp_path):
    data = synthetic_bootcamp(seed=11)
    sheets, comparison = to_person_return(data)
    path = _write(tmp_path, sheets, comparison)
    ret = read_monitoring_return(path, unit="person")
    others = read_comparison_outcomes(tmp_path / "comparison_synthetic.csv", unit="person")
    people = pd.concat([ret.outcomes, others], ignore_index=True)
    ev = evaluate_beneficiaries(ret, people, outcome="earnings_gbp",
                                covariates=["age", "qualification_level"])
    truth = data.truth["effect_earnings_gbp"]
    assert ev.design.design == SINGLE and "Heckman, Ichimura & Todd" in ev.estimate.method
    assert ev.estimate.ci[0] <= truth <= ev.estimate.ci[1]
    assert not ev.naive.ci[0] <= truth <= ev.naive.ci[1] and ev.naive.att > 2 * truth
    # the files carry what the generator's own panel does (qualification is degree rescaled)
    direct = evaluate_beneficiaries(data.beneficiaries, data.panel, outcome="earnings_gbp",
                                    covariates=["age", "degree"])
    assert ev.estimate.att == pytest.approx(direct.estimate.att, rel=1e-9)


# --------------------------------------------------------------------------- accounting


def test_rows_in_equal_rows_used_plus_rows_set_aside(tmp_path, small):
    sheets, _ = to_person_return(small)
    part, rows = sheets["participants"], sheets["outcomes"]
    years = sorted(rows["year"].unique())
    extra = pd.DataFrame({"person_id": [f"LATE-{i}" for i in range(3)] + ["NOLINK-1",
                                                                          "NOLINK-2", "EARLY-1"],
                          "start_date": ["2023-03-01"] * 3 + ["2019-05-01"] * 2 + ["2014-06-01"],
                          "completion": "ongoing", "course": "outreach and job search",
                          "district_code": "E08000025"})
    linked = ["LATE-0", "LATE-1", "LATE-2", "EARLY-1"]
    extra_rows = pd.DataFrame([(p, y, 0) for p in linked for y in years],
                              columns=["person_id", "year", "employed"])
    sheets = {"participants": pd.concat([part, extra], ignore_index=True),
              "outcomes": pd.concat([rows, extra_rows], ignore_index=True)}
    ret = read_monitoring_return(_write(tmp_path, sheets), unit="person")
    ev = evaluate_beneficiaries(ret, ret.outcomes, outcome="employed")
    acc = ev.accounting.set_index(["table", "status"])["rows"]
    people_in, rows_in = len(ret.beneficiaries), len(ret.outcomes)
    assert acc.loc["beneficiaries"].sum() == people_in == len(part) + 6
    assert acc.loc["outcome rows"].sum() == rows_in
    assert acc.loc[("beneficiaries", SET_ASIDE["too_late"])] == 3
    assert acc.loc[("beneficiaries", SET_ASIDE["unlinked"])] == 2
    assert acc.loc[("beneficiaries", SET_ASIDE["too_early"])] == 1
    assert acc.loc[("outcome rows", "rows of beneficiaries set aside")] == 4 * len(years)
    # what is used is what the estimators got
    assert acc.loc[("beneficiaries", "used")] == ev.panel.loc[
        ev.panel["beneficiary"] == 1, "person_id"].nunique() == len(part)
    assert acc.loc[("outcome rows", "used")] == len(ev.panel)
    assert ev.design.design == "rolling_entry" and sum(ev.design.cohorts.values()) == len(part)


# --------------------------------------------------------------------------- bad files


def _csv_return(tmp_path, data, edit):
    return csv_return(tmp_path / "people_return", to_person_return(data)[0], edit)


def _set(sheet, column, value, row=0):
    def edit(sheets):
        frame = sheets[sheet]
        frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
    return edit


@pytest.mark.parametrize(("edit", "pattern"), [
    (lambda s: s["participants"].insert(1, "Full Name", "Jane Doe"),
     r"sheet 'participants', row 1, column 'Full Name': personal data must not be supplied"),
    (lambda s: s["participants"].insert(2, "date_of_birth", "1990-01-01"),
     r"row 1, column 'date_of_birth': personal data must not be supplied"),
    (_set("participants", "person_id", "QQ 12 34 56 C".replace("QQ", "AB"), row=2),
     r"sheet 'participants', row 4, column 'person_id': looks like a National Insurance "
     r"number"),
    (_set("participants", "person_id", "Jane Doe"),
     r"row 2, column 'person_id': contains a space \(a name\?\)"),
    (_set("participants", "person_id", "12/03/1990"),
     r"row 2, column 'person_id': looks like a date"),
    (_set("participants", "completion", "finished", row=1),
     r"sheet 'participants', row 3, column 'completion': expected one of"),
    (_set("participants", "start_date", "12/09/2022"),
     r"row 2, column 'start_date': not a date YYYY-MM-DD"),
    (_set("outcomes", "employed", "2", row=4),
     r"sheet 'outcomes', row 6, column 'employed': above the maximum 1"),
    (_set("outcomes", "person_id", "SYN-GHOST", row=0),
     r"sheet 'outcomes', row 2, column 'person_id': this person_id is not in the "
     r"participants sheet"),
    (lambda s: s.__setitem__("outcomes", s["outcomes"].drop(columns="employed")),
     r"sheet 'outcomes', row 1, column 'employed': required column missing"),
])
def test_person_reader_names_file_sheet_row_and_column(tmp_path, small, edit, pattern):
    folder = _csv_return(tmp_path, small, edit)
    with pytest.raises(MonitoringReturnError, match=pattern) as err:
        read_monitoring_return(folder, unit="person")
    text = str(err.value)
    assert "people_return" in text
    # an identifier is never repeated in a message: it may be personal data
    for value in ("Jane", "AB 12", "1990", "SYN-GHOST"):
        assert value not in text


def test_comparison_file_with_personal_data_is_refused(tmp_path):
    path = tmp_path / "comparison.csv"
    path.write_text("person_id,year,employed,surname\nC-0001,2020,1,Smith\n")
    with pytest.raises(MonitoringReturnError, match="column 'surname': personal data") as err:
        read_comparison_outcomes(path, unit="person")
    assert "comparison.csv" in str(err.value) and "Smith" not in str(err.value)
    path.write_text("person_id,year,employed\nC-0001,2020,1\nC-0001,2021,yes\n")
    with pytest.raises(MonitoringReturnError, match="row 3, column 'employed': not a number"):
        read_comparison_outcomes(path, unit="person")
