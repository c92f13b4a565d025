"""Chart helpers draw what they are given, with a title, alt text and a source line."""

from __future__ import annotations

import pandas as pd
import pytest

from wmresearch.reporting import charts


@pytest.fixture
def shown(monkeypatch):
    figures, notes, html = [], [], []
    original = charts.show

    def capture(fig, *, title, alt, sources):
        figures.append((fig, alt))
        original(fig, title=title, alt=alt, sources=sources)

    monkeypatch.setattr(charts, "show", capture)
    monkeypatch.setattr(charts, "source_note", lambda *s: notes.append(s))
    monkeypatch.setattr(charts, "display", lambda obj: html.append(obj.data))
    return figures, notes, html


def test_line_chart_alt_text_names_first_and_last_values(shown):
    figures, notes, html = shown
    charts.line_chart({"a": pd.Series([1.0, 2.0], index=[2020, 2021]),
                       "b": pd.Series([3.0, 1.0], index=[2020, 2021])},
                      title="T", xlabel="Year", ylabel="£", sources=["ONS"], reference=2)
    fig, alt = figures[0]
    ax = fig.axes[0]
    assert ax.get_title() == "T" and len(ax.lines) == 3 and notes == [("ONS",)]
    assert list(ax.lines[1].get_ydata()) == [3.0, 1.0]
    assert alt == "a: 1.0 in 2020 to 2.0 in 2021 £; b: 3.0 in 2020 to 1.0 in 2021 £."
    assert 'alt="Chart: T. a: 1.0 in 2020' in html[0] and "data:image/png;base64," in html[0]


def test_paired_bars_wrap_long_labels_instead_of_cutting(shown):
    figures, _, _ = shown
    long = "Wholesale and retail trade; repair of motor vehicles and motorcycles"
    charts.paired_bars([long, "y"], {"r": [1, 2], "uk": [3, 4]}, title="B", xlabel="%",
                       sources=["ONS"])
    fig, alt = figures[0]
    ax = fig.axes[0]
    assert sorted(p.get_width() for p in ax.patches if p.get_width())[:4] == [1, 2, 3, 4]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].replace("\n", " ") == long and "\n" in labels[0]
    assert "Highest: y (2.0 %)" in alt and "lowest: " + long in alt


def test_reruns_give_identical_png(shown):
    _, _, html = shown
    for _ in range(2):
        charts.bar_chart(["a", "b"], [1.0, 2.0], title="T", xlabel="x", sources=["s"],
                         highlight="b")
    assert html[0] == html[1]
