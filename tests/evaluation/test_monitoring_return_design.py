"""A programme's monitoring return goes through the design that fits it, from the files a team
would send: the return workbook (validated) plus, for a single intake, the comparison firms'
outcomes. The data here are SYNTHETIC (planted effect 0.05 on log employment,
:mod:`wmresearch.evaluation.monitoring_demo`): the test checks that the path from files to
estimate recovers the planted truth, not any finding."""

from __future__ import annotations

import numpy as np
import pytest

from wmresearch.evaluation.beneficiary import evaluate_beneficiaries
from wmresearch.evaluation.monitoring import (
    MonitoringReturnError,
    read_comparison_outcomes,
    read_monitoring_return,
)
from wmresearch.evaluation.monitoring_demo import (
    synthetic_monitoring,
    to_monitoring_return,
    write_return,
)


def test_rolling_entry_return_recovers_the_planted_effect(tmp_path):
    data = synthetic_monitoring(first_year=2018, last_year=2026, start_year=2022,
                                entry_years=(2022, 2023, 2024, 2025), seed=7)
    path = tmp_path / "return_synthetic.xlsx"
    write_return(to_monitoring_return(data), str(path))
    monitoring = read_monitoring_return(path)
    # the planted effect is on log employment; headcounts of 0 are counted as 1
    outcomes = monitoring.outcomes.assign(
        log_employment=np.log(monitoring.outcomes["employment"].astype(float).clip(lower=1)))
    result = evaluate_beneficiaries(monitoring, outcomes, outcome="log_employment")
    truth = data.truth["effect_log_employment"]
    assert result.design.design == "rolling_entry"
    low, high = result.estimate.ci
    assert low <= truth <= high and abs(result.estimate.att - truth) < 0.03
    assert not (result.naive.ci[0] <= truth <= result.naive.ci[1])


def test_comparison_outcomes_errors_name_file_row_and_column(tmp_path):
    path = tmp_path / "comparison.csv"
    path.write_text("firm_id,year,employment\nC-1,2020,12\nC-1,2021,many\n")
    with pytest.raises(MonitoringReturnError) as err:
        read_comparison_outcomes(path)
    text = str(err.value)
    assert "comparison.csv" in text and "row 3" in text and "employment" in text
    path.write_text("firm_id,employment\nC-1,12\n")
    with pytest.raises(MonitoringReturnError, match="year"):
        read_comparison_outcomes(path)


def test_comparison_outcomes_are_typed(tmp_path):
    path = tmp_path / "comparison.csv"
    path.write_text("firm_id,year,employment,turnover_gbp\nC-1,2020,12,\nC-1,2021,14,9e5\n")
    frame = read_comparison_outcomes(path)
    assert frame["year"].tolist() == [2020, 2021]
    assert np.allclose(frame["employment"].astype(float), [12, 14])
