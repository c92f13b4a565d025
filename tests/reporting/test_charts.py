"""Chart helpers draw what they are given, with a title, alt text and a source line."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from wmresearch.reporting import charts, downloads


@pytest.fixture
def shown(monkeypatch):
    figures, notes, html = [], [], []
    original = charts.show

    def capture(fig, *, title, alt, sources, data=None, units=""):
        figures.append((fig, alt))
        original(fig, title=title, alt=alt, sources=sources, data=data, units=units)

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
    assert alt == "a: 1.0 in 2020 to 2.0 in 2021; b: 3.0 in 2020 to 1.0 in 2021 (£)."
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


def test_chart_data_and_tables_are_written_as_csv_and_linked(shown, tmp_path, monkeypatch):
    from wmresearch.reporting import downloads, tables

    _, _, html = shown
    monkeypatch.setenv(downloads.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(downloads.HREF_ENV, "data/r")
    monkeypatch.setattr(downloads, "_COUNTERS", {"table": iter([1]), "figure": iter([1])})
    monkeypatch.setattr(tables, "display", lambda obj: html.append(getattr(obj, "data", "")))
    charts.bar_chart(["a", "b"], [1.0, 2.5], title="T", xlabel="jobs", sources=["s"])
    tables.show_table(pd.DataFrame({"x": [1.0, None]}), sources=["s"])
    assert (tmp_path / "figure-01.csv").read_text() == "label,jobs\na,1\nb,2.5\n"
    assert (tmp_path / "table-01.csv").read_text() == 'x\n1\n""\n'
    assert any('href="data/r/figure-01.csv"' in h for h in html)
    assert any('href="data/r/table-01.csv"' in h for h in html)
    about = json.loads((tmp_path / "figure-01.json").read_text())
    assert about == {"title": "Figure 1: T", "sources": ["s"], "units": "jobs",
                     "columns": ["label", "jobs"]}


def test_alt_text_states_the_peak_and_trough_between_the_ends(shown):
    figures, _, _ = shown
    # region Figure 1's shape: 87.2 in 2004, a peak of 89.6 in 2017, 86.8 in 2022
    series = pd.Series([87.2, 86.0, 89.6, 86.8], index=[2004.0, 2010.0, 2017.0, 2022.0])
    charts.line_chart({"GVA per hour worked": series}, title="T", xlabel="Year",
                      ylabel="Index, UK = 100", sources=["ONS"])
    fig, alt = figures[0]
    assert alt == ("GVA per hour worked: 87.2 in 2004 to 86.8 in 2022, peaking at 89.6 in "
                   "2017, lowest 86.0 in 2010 (Index, UK = 100).")
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels and all(label.lstrip("−-").isdigit() for label in labels), labels


def test_figure_numbers_are_taken_even_without_data(shown, tmp_path, monkeypatch):
    from wmresearch.reporting import downloads

    _, _, html = shown
    monkeypatch.setenv(downloads.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(downloads.HREF_ENV, "data/r")
    monkeypatch.setattr(downloads, "_COUNTERS", {"table": iter([1]), "figure": iter([1, 2])})
    fig, ax = charts.plt.subplots()
    ax.plot([2020, 2021], [1.0, 3.0], label="jobs")
    ax.barh(["a", "b"], [4.0, 5.0])
    charts.show(fig, title="no data", alt="x", sources=["s"])
    charts.bar_chart(["a"], [1.0], title="T", xlabel="jobs", sources=["s"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "figure-01.csv", "figure-01.json", "figure-02.csv", "figure-02.json"]
    # a figure drawn without a table still ships its numbers, read back from the artists
    assert (tmp_path / "figure-01.csv").read_text() == (
        "panel,series,x,y\n1,jobs,2020,1\n1,jobs,2021,3\n1,bars,0,4\n1,bars,1,5\n")


def test_thousands_separators_become_numbers():
    from wmresearch.reporting.downloads import as_numbers

    out = as_numbers(pd.DataFrame({"n": ["3,825", "12"], "code": ["01", "02"]}))
    assert out["n"].tolist() == [3825, 12] or out["n"].tolist() == [3825.0, 12.0]
    assert out["code"].tolist() == ["01", "02"]


def test_bar_chart_draws_published_intervals_as_error_bars_and_writes_them(shown, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv(downloads.DIR_ENV, str(tmp_path))
    monkeypatch.setenv(downloads.HREF_ENV, "data/r")
    monkeypatch.setattr(downloads, "_COUNTERS", {"table": iter([1]), "figure": iter([1])})
    figures, _, _ = shown
    charts.bar_chart(["a", "b", "c"], [70.0, 72.0, 75.0], title="T", xlabel="%",
                     sources=["ONS"], intervals=([68.5, None, 73.0], [71.5, None, 77.0]))
    ax = figures[0][0].axes[0]
    # one error-bar line per bar with both limits: a (68.5-71.5) and c (73-77); b has none
    segments = ax.collections[0].get_segments()
    assert sorted((s[0][0], s[1][0]) for s in segments) == [(68.5, 71.5), (73.0, 77.0)]
    data = pd.read_csv(tmp_path / "figure-01.csv")
    assert list(data.columns) == ["label", "%", "lower 95% limit", "upper 95% limit"]
    assert data["upper 95% limit"].tolist()[0] == 71.5 and pd.isna(data.iloc[1, 2])


def test_map_legend_classes_read_as_ranges(shown):
    import geopandas as gpd
    from shapely.geometry import box

    shapes = gpd.GeoDataFrame({"v": [80.0, 700.0, 1500.0, 2500.0, 47000.0]},
                              geometry=[box(i, 0, i + 1, 1) for i in range(5)])
    charts.choropleth(shapes, "v", title="M", legend_title="per km²", sources=["ONS"])
    texts = [t.get_text() for t in figures_legend(shown)]
    assert all(re.fullmatch(r"[\d,]+ to [\d,]+", t) for t in texts), texts
    assert texts[0].startswith("80 to ") and texts[-1].endswith(" to 47,000")


def figures_legend(shown):
    return shown[0][0][0].axes[0].get_legend().get_texts()


def _house_theme_lines(rc) -> list[str]:
    """The settings of seaborn's theme call, as lines of a matplotlib style sheet."""
    from matplotlib.colors import to_hex

    lines = []
    for key in sorted(rc):
        value = rc[key]
        if key == "axes.prop_cycle":
            colours = ", ".join(f"'{to_hex(c)[1:]}'" for c in value.by_key()["color"])
            value = f"cycler('color', [{colours}])"
        elif isinstance(value, list):
            value = ", ".join(value)
        value = getattr(value, "value", value)  # enums (cap styles) by their name
        lines.append(f"{key}: {value!r}" if isinstance(value, float) else f"{key}: {value}")
    return lines


def test_the_house_style_sheet_is_seaborns_theme():
    """house.mplstyle makes exactly the settings of the seaborn call it stands for (all of
    them, so that it overrides whatever was set before), less seaborn's own colormap."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    import seaborn as sns

    overrides = {"axes.spines.top": False, "axes.spines.right": False,
                 "svg.hashsalt": "wmresearch", "figure.dpi": charts.DPI}
    with mpl.rc_context():
        mpl.rcdefaults()
        # colour codes ("k" and the like) are not settings: the charts use INK instead
        sns.set_theme(style="whitegrid", palette=charts.PALETTE, font_scale=0.95,
                      color_codes=False, rc=overrides)
        theme = dict(mpl.rcParams)
    with mpl.rc_context():
        mpl.rcdefaults()
        plt.style.use(charts.HOUSE_STYLE)
        ours = dict(mpl.rcParams)
    seaborn_keys = ({*sns.axes_style("whitegrid"), *sns.plotting_context("notebook"),
                     "font.family", "axes.prop_cycle", *overrides} - {"image.cmap"})
    sheet = mpl.rc_params_from_file(charts.HOUSE_STYLE, use_default_template=False)
    expected = {key: theme[key] for key in seaborn_keys}
    message = "house.mplstyle should read:\n" + "\n".join(_house_theme_lines(expected))
    assert set(sheet) == seaborn_keys, message

    def rgb(settings):  # the palette as colours, whether written as tuples or hex codes
        cycle = settings.pop("axes.prop_cycle").by_key()["color"]
        return [mpl.colors.to_rgb(c) for c in cycle], settings

    assert rgb({key: ours[key] for key in seaborn_keys}) == rgb(expected), message


def test_reference_lines_are_drawn_in_seaborns_near_black():
    """Under seaborn's colour codes "k" meant (0.1, 0.1, 0.1); charts keep that ink."""
    import matplotlib as mpl
    import seaborn as sns

    mapping = mpl.colors.get_named_colors_mapping()
    saved = {code: mapping[code] for code in "bgrmyck"}
    try:
        sns.set_color_codes(charts.PALETTE)
        assert mpl.colors.to_rgb("k") == charts.INK
    finally:
        for code, colour in saved.items():  # item by item: that clears matplotlib's cache
            mapping[code] = colour
    assert mpl.colors.to_rgb("k") == (0.0, 0.0, 0.0)
