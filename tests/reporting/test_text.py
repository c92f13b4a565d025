"""The one number formatter never prints nan or inf, and formats as the reports need."""

from __future__ import annotations

from wmresearch.reporting.text import number


def test_missing_values_read_as_words():
    for value in (None, float("nan"), float("inf"), True):
        assert number(value) == "not available"
    assert number(None, missing="not published") == "not published"


def test_formats():
    assert number(88_408_357, gbp=True) == "£88.4m"
    assert number(76.3e9, gbp=True) == "£76.3bn"
    assert number(0.000386, digits=3, pct=True) == "0.039%"
    assert number(-0.007, pct=True) == "-0.7%"
    assert number(0.012, pct=True, signed=True) == "+1.2%"
    assert number(6000) == "6,000" and number(2.5) == "2.5"
