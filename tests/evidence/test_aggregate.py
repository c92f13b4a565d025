"""Group rates from district rates, with the UK aggregated like for like."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.evidence.aggregate import aggregate_rate


def _prod(rows):
    frame = pd.DataFrame(rows, columns=["area_code", "measure", "year", "value"])
    frame["lad_code"] = frame["area_code"].where(frame["area_code"] != "UKX")
    return frame


def test_group_and_uk_are_total_gva_over_total_hours():
    prod = _prod([
        ("A", "gva_per_hour", 2020, 10.0), ("A", "hours_worked", 2020, 100.0),
        ("B", "gva_per_hour", 2020, 40.0), ("B", "hours_worked", 2020, 300.0),
        ("C", "gva_per_hour", 2020, 20.0), ("C", "hours_worked", 2020, 600.0),
        ("UKX", "gva_per_hour", 2020, 25.0), ("UKX", "hours_worked", 2020, 1000.0),
    ])
    out = aggregate_rate(prod, ["A", "B"], "gva_per_hour", "hours_worked").iloc[0]
    # group: (10*100 + 40*300) / 400 = 32.5 (the plain mean would be 25)
    assert out["value"] == pytest.approx(32.5)
    # UK from its districts: (1,000 + 12,000 + 12,000) / 1,000 = 25.0, not the UKX row
    assert out["uk"] == pytest.approx(25.0)
    assert out["uk_published"] == pytest.approx(25.0)
    assert out["relative"] == pytest.approx(130.0)
    assert out["districts"] == 2


def test_uk_comparator_ignores_the_published_row():
    prod = _prod([
        ("A", "gva_per_hour", 2020, 10.0), ("A", "hours_worked", 2020, 100.0),
        ("B", "gva_per_hour", 2020, 30.0), ("B", "hours_worked", 2020, 100.0),
        ("UKX", "gva_per_hour", 2020, 99.0), ("UKX", "hours_worked", 2020, 200.0),
    ])
    out = aggregate_rate(prod, ["A"], "gva_per_hour", "hours_worked").iloc[0]
    assert out["uk"] == pytest.approx(20.0)
    assert out["relative"] == pytest.approx(50.0)


def test_unknown_districts_are_named():
    prod = _prod([("A", "gva_per_hour", 2020, 1.0), ("A", "hours_worked", 2020, 1.0)])
    with pytest.raises(KeyError, match="Z"):
        aggregate_rate(prod, ["Z"], "gva_per_hour", "hours_worked")


WMCA = [f"E080000{i}" for i in range(25, 32)]


def test_wmca_2022_like_for_like(mirror_file):
    """ONS Subregional productivity, June 2024 (labour productivity by LAD), 2022.

    The seven districts' hours-weighted GVA per hour over the UK aggregated from every UK
    district the same way is 86.8 (the trust review's like-for-like figure); against ONS's
    published UK GVA per hour of £39.7 (Table A1, UK less Extra-Regio, 2022) it is 87.1.
    """
    from wmresearch.evidence.geography import current_lad_codes, get_la_codes
    from wmresearch.evidence.productivity import get_productivity_lad

    lookup = get_la_codes(mirror_file("geography/la_all_codes.csv.gz")).data
    prod = get_productivity_lad(
        mirror_file("ons/labour_productivity_local_authorities_2024.xls"),
        current_lad_codes(lookup)).data
    row = aggregate_rate(prod, WMCA, "gva_per_hour", "hours_worked").set_index("year").loc[2022]
    assert row["uk_published"] == pytest.approx(39.7)
    assert round(row["relative"], 1) == 86.8
    assert round(100 * row["value"] / row["uk_published"], 1) == 87.1
    assert row["districts"] == 7


def test_recoded_districts_count_in_the_uk_and_in_their_group():
    """Barnsley and Sheffield were recoded in 2024 (E08000016 -> E08000038): a district
    whose published code differs from its current code still counts."""
    prod = _prod([
        ("E08000016", "gva_per_hour", 2022, 10.0), ("E08000016", "hours_worked", 2022, 1.0),
        ("B", "gva_per_hour", 2022, 30.0), ("B", "hours_worked", 2022, 1.0),
    ])
    prod.loc[prod["area_code"] == "E08000016", "lad_code"] = "E08000038"
    out = aggregate_rate(prod, ["E08000038"], "gva_per_hour", "hours_worked").iloc[0]
    assert out["value"] == pytest.approx(10.0) and out["uk"] == pytest.approx(20.0)
