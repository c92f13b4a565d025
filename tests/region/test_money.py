"""The output gap from the one GVA total a page shows, and WMCA's published figure."""

from __future__ import annotations

import pytest

from wmresearch.region.money import WMCA_GREEN_PAPER, gap_at_uk_rate, output_gap_table


def test_gap_is_the_total_times_the_shortfall_ratio():
    # 100 at 80% of the UK: 100 x (100 / 80 - 1) = 25, worked by hand
    assert gap_at_uk_rate(100.0, 80.0) == pytest.approx(25.0, abs=1e-12)
    # the check on the region page: 76.3 x (100 / 86.8 - 1) = 11.6 (to the 0.1bn shown)
    assert round(gap_at_uk_rate(76.331, 86.802451), 1) == 11.6


@pytest.mark.parametrize("relative", [0.0, -5.0])
def test_a_non_positive_relative_is_an_error(relative):
    with pytest.raises(ValueError, match="positive"):
        gap_at_uk_rate(100.0, relative)


def test_every_row_uses_the_one_total_and_the_headline_is_hours_based():
    table = output_gap_table(76_331.0, hour_relative=86.8, job_relative=85.8,
                             head_relative=77.5)
    assert table["total_gbp_bn"].nunique() == 1
    assert table["total_gbp_bn"].iloc[0] == pytest.approx(76.331)
    assert table["measure"].iloc[0].startswith("GVA per hour worked")
    # each gap by hand from the total shown: 76.331 x (100 / r - 1)
    expected = {"GVA per hour worked (headline)": 11.608, "GVA per filled job": 12.633,
                "GDP per head": 22.161}
    for measure, gap in expected.items():
        got = table.loc[table["measure"] == measure, "gap_gbp_bn"].iloc[0]
        assert got == pytest.approx(gap, abs=5e-4), measure
    assert table["measure"].iloc[-1].startswith("Published by WMCA")


def test_wmca_quote_is_carried_as_published():
    # West Midlands Futures Green Paper (2024): "£34.50 ... the UK average of £39.50 ... our
    # regional economy would be £12 billion bigger"
    assert (WMCA_GREEN_PAPER.gva_per_hour, WMCA_GREEN_PAPER.uk_gva_per_hour,
            WMCA_GREEN_PAPER.gap_gbp_bn) == (34.50, 39.50, 12.0)
    row = output_gap_table(76_331.0, hour_relative=86.8).iloc[-1]
    assert row["relative"] == pytest.approx(100 * 34.5 / 39.5)
    # its rates on the page's total: 76.331 x (39.5 / 34.5 - 1) = 11.06
    assert row["gap_gbp_bn"] == pytest.approx(76.331 * (39.5 / 34.5 - 1))
    assert "£12bn" in row["basis"]


def test_rows_without_inputs_are_left_out():
    table = output_gap_table(1000.0, hour_relative=90.0, published=None)
    assert list(table["measure"]) == ["GVA per hour worked (headline)"]
