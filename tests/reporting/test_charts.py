"""Chart helpers draw what they are given, with a title and a source line."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from wmresearch.reporting import charts

matplotlib.use("Agg")


@pytest.fixture
def shown(monkeypatch):
    figures, notes = [], []
    monkeypatch.setattr(charts.plt, "show", lambda: figures.append(charts.plt.gcf()))
    monkeypatch.setattr(charts, "source_note", lambda *s: notes.append(s))
    return figures, notes


def test_line_chart(shown):
    figures, notes = shown
    charts.line_chart({"a": pd.Series([1.0, 2.0], index=[2020, 2021]),
                       "b": pd.Series([3.0, 1.0], index=[2020, 2021])},
                      title="T", xlabel="Year", ylabel="Y", sources=["ONS"], reference=2)
    ax = figures[0].axes[0]
    assert ax.get_title() == "T" and len(ax.lines) == 3 and notes == [("ONS",)]
    assert list(ax.lines[1].get_ydata()) == [3.0, 1.0]


def test_paired_bars(shown):
    figures, _ = shown
    charts.paired_bars(["x", "y"], {"r": [1, 2], "uk": [3, 4]}, title="B", xlabel="%",
                       sources=["ONS"])
    ax = figures[0].axes[0]
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [1, 2, 3, 4] and [t.get_text() for t in ax.get_yticklabels()] == ["x", "y"]
