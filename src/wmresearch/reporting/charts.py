"""Report charts in one house style: titled, sourced, described, never cut.

Every chart is drawn with seaborn's colour-blind-safe palette, its long labels wrapped rather
than truncated, units on the axes, and embedded in the page as a PNG whose ``alt`` text is
written from the chart's title and data (what it shows and its extremes), as public-sector
accessibility rules require of images. PNGs carry no timestamp, so reruns are byte-identical.
"""

from __future__ import annotations

import base64
import html
import io
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, display
from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter

from wmresearch.reporting.display import source_note
from wmresearch.reporting.downloads import next_number, write_csv

PALETTE = "colorblind"
WRAP = 38
#: Resolution of every embedded chart (print quality without making pages heavy).
DPI = 150
#: seaborn's theme with the house overrides, as a matplotlib style sheet (see the file).
HOUSE_STYLE = Path(__file__).with_name("house.mplstyle")
#: Reference lines: what "k" means under seaborn's colour codes (a near-black).
INK = (0.1, 0.1, 0.1)


def house_style() -> None:
    """Apply the house style: seaborn's whitegrid theme, its colour-blind palette at 0.95 of
    the notebook font size, no top or right spines, :data:`DPI` (``house.mplstyle``)."""
    plt.style.use(HOUSE_STYLE)


def palette() -> list[str]:
    """The house palette's colours, in order (seaborn's colour-blind palette)."""
    return list(plt.rcParams["axes.prop_cycle"].by_key()["color"])


def wrap(label: str, width: int = WRAP) -> str:
    """A label wrapped onto several lines instead of cut ("repair of motor v...")."""
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def _number(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"


def describe_bars(labels: Sequence[str], values: Sequence[float], unit: str = "") -> str:
    """Alt-text sentence for bars: how many, highest and lowest."""
    pairs = [(str(lab), float(v)) for lab, v in zip(labels, values, strict=True)
             if pd.notna(v)]
    if not pairs:
        return "No values to show."
    top = max(pairs, key=lambda p: p[1])
    low = min(pairs, key=lambda p: p[1])
    suffix = f" {unit}" if unit else ""
    return (f"{len(pairs)} bars. Highest: {top[0]} ({_number(top[1])}{suffix}); lowest: "
            f"{low[0]} ({_number(low[1])}{suffix}).")


def _at(x: object) -> str:
    """A position on the x axis for a sentence: 2017.0 -> "2017"."""
    return f"{x:.0f}" if isinstance(x, float) and x.is_integer() else str(x)


def describe_lines(lines: Mapping[str, pd.Series], unit: str = "") -> str:
    """Alt-text sentence for lines: each series' first and last values, and its peak and
    trough where they fall between them (a series that rose then fell says so)."""
    parts = []
    for label, series in lines.items():
        series = series.dropna()
        if not len(series):
            continue
        text = (f"{label}: {_number(series.iloc[0])} in {_at(series.index[0])} to "
                f"{_number(series.iloc[-1])} in {_at(series.index[-1])}")
        values = series.to_numpy(dtype=float)
        top, low = int(values.argmax()), int(values.argmin())
        if 0 < top < len(series) - 1:
            text += f", peaking at {_number(values[top])} in {_at(series.index[top])}"
        if 0 < low < len(series) - 1:
            text += f", lowest {_number(values[low])} in {_at(series.index[low])}"
        parts.append(text)
    if not parts:
        return "No values to show."
    return "; ".join(parts) + (f" ({unit})." if unit else ".")


def _year_ticks(x: float, _: object) -> str:
    return f"{x:.0f}"


def tidy_axes(fig: plt.Figure) -> None:
    """Axes a reader can read: an x axis of years gets whole-year ticks ("2005", never
    "2005.0" or "2007.5"), and numeric axes print plain numbers (no "1e-5" or offsets)."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not isinstance(axis.get_major_formatter(), ScalarFormatter):
                continue  # categories, dates, or a format the chart chose
            formatter = axis.get_major_formatter()
            formatter.set_useOffset(False)
            formatter.set_scientific(False)
            low, high = sorted(axis.get_view_interval())
            if axis is ax.xaxis and 1800 <= low and high <= 2200 and high - low < 300:
                axis.set_major_locator(MaxNLocator(integer=True))
                axis.set_major_formatter(FuncFormatter(_year_ticks))


def _ticks(labels: list, n: int) -> list:
    texts = [t.get_text() for t in labels]
    return texts if len(texts) == n and all(texts) else list(range(n))


def figure_data(fig: plt.Figure) -> pd.DataFrame:
    """The numbers drawn in ``fig``, read back from its artists, for a figure whose caller
    gave no table: lines and points (x, y), bars (label, value) and heatmap cells (row,
    column, value), one row per mark, in long form."""
    from matplotlib.collections import PathCollection, QuadMesh
    from matplotlib.patches import Rectangle

    rows: list[tuple] = []
    # colour bars are legends, not data
    panels = [ax for ax in fig.axes if getattr(ax, "_colorbar", None) is None]
    for panel, ax in enumerate(panels, start=1):
        for line in ax.lines:
            label = line.get_label()
            if label.startswith("_") or len(line.get_xdata()) < 2:
                continue  # reference lines drawn without a label
            rows += [(panel, label, x, y) for x, y in zip(line.get_xdata(), line.get_ydata(),
                                                          strict=True)]
        bars = [p for p in ax.patches
                if isinstance(p, Rectangle) and (p.get_width() or p.get_height())]
        horizontal = bool(bars) and len({round(b.get_x(), 9) for b in bars}) == 1
        for bar in bars:
            value = bar.get_width() if horizontal else bar.get_height()
            where = bar.get_y() + bar.get_height() / 2 if horizontal else \
                bar.get_x() + bar.get_width() / 2
            rows.append((panel, "bars", where, value))
        for coll in ax.collections:
            if isinstance(coll, QuadMesh):
                n_rows, n_cols = (d - 1 for d in coll.get_coordinates().shape[:2])
                values = np.ma.filled(np.ma.asarray(coll.get_array(), dtype=float),
                                      np.nan).reshape(-1)
                names_r = _ticks(ax.get_yticklabels(), n_rows)
                names_c = _ticks(ax.get_xticklabels(), n_cols)
                rows += [(panel, names_r[i], names_c[j], float(values[i * n_cols + j]))
                         for i in range(n_rows) for j in range(n_cols)
                         if not pd.isna(values[i * n_cols + j])]
            elif isinstance(coll, PathCollection):
                rows += [(panel, coll.get_label(), x, y) for x, y in coll.get_offsets()]
    return pd.DataFrame(rows, columns=["panel", "series", "x", "y"])


def show(fig: plt.Figure, *, title: str, alt: str, sources: Sequence[str],
         data: pd.DataFrame | None = None, units: str = "") -> None:
    """Embed ``fig`` as a PNG with alt text, then its source line and a link to ``data``
    (the numbers drawn, as CSV named after the figure's number, with ``units`` in its
    sidecar; without ``data``, :func:`figure_data` reads them back from the figure); close
    it. Every figure takes a number, so CSV names match the page's."""
    number = next_number("figure")
    tidy_axes(fig)
    if data is None:
        data = figure_data(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    text = html.escape(f"Chart: {title}. {alt}", quote=True)
    link = write_csv(data, "figure", number=number, title=title, sources=sources, units=units)
    display(HTML(f'<figure class="wm-figure"><img src="data:image/png;base64,{png}" '
                 f'alt="{text}" style="max-width:100%"></figure>'))
    source_note(*sources)
    if link:
        display(HTML(link))


def line_chart(lines: Mapping[str, pd.Series], *, title: str, xlabel: str, ylabel: str,
               sources: Sequence[str], reference: float | None = None,
               figsize: tuple[float, float] = (8, 4)) -> None:
    """One line per labelled series (index = x, e.g. year); optional horizontal reference."""
    house_style()
    fig, ax = plt.subplots(figsize=figsize)
    for label, series in lines.items():
        ax.plot(series.index, series.to_numpy(), lw=2, marker="o", ms=3, label=label)
    if reference is not None:
        ax.axhline(reference, color="grey", lw=1)
    ax.set(title=wrap(title, 70), xlabel=xlabel, ylabel=ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(lines) > 1:
        ax.legend(frameon=False)
    show(fig, title=title, alt=describe_lines(lines, ylabel), sources=sources,
         data=pd.DataFrame(lines).rename_axis(xlabel.lower() or "x").reset_index(),
         units=ylabel)


def paired_bars(labels: Sequence[str], bars: Mapping[str, Sequence[float]], *, title: str,
                xlabel: str, sources: Sequence[str], reference: float | None = None,
                width: float = 8) -> None:
    """Horizontal bars, one group per label and one bar per series (e.g. region vs UK)."""
    house_style()
    frame = pd.DataFrame({"label": [wrap(lab) for lab in labels] * len(bars),
                          "series": [name for name in bars for _ in labels],
                          "value": [float(v) for values in bars.values() for v in values]})
    rows = max(sum(lab.count("\n") + 1 for lab in frame["label"][:len(labels)]), 1)
    fig, ax = plt.subplots(figsize=(width, 0.22 * rows * max(len(bars), 1) + 1.6))
    import seaborn as sns  # imported here: the other charts need none of seaborn

    sns.barplot(frame, y="label", x="value", hue="series" if len(bars) > 1 else None,
                ax=ax, orient="h", palette=PALETTE if len(bars) > 1 else None)
    if reference is not None:
        ax.axvline(reference, color=INK, lw=1)
    ax.set(title=wrap(title, 70), xlabel=xlabel, ylabel="")
    if len(bars) > 1:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    first = next(iter(bars))
    alt = f"{first}: " + describe_bars(labels, list(bars[first]), xlabel)
    show(fig, title=title, alt=alt, sources=sources,
         data=pd.DataFrame({"label": list(labels), **{k: list(v) for k, v in bars.items()}}),
         units=xlabel)


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str,
              sources: Sequence[str], reference: float | None = None,
              highlight: str | None = None, width: float = 8,
              intervals: tuple[Sequence[float], Sequence[float]] | None = None) -> None:
    """Horizontal bars for one series; ``highlight`` names a bar drawn in a contrasting
    colour (e.g. the study region among its peers); ``intervals`` (lower, upper bounds, e.g.
    ONS's 95% confidence limits) draws error bars where both bounds are given."""
    house_style()
    colours = palette()
    fig, ax = plt.subplots(figsize=(width, 0.32 * len(labels) + 1.4))
    ax.barh([wrap(lab) for lab in labels], list(values),
            color=[colours[3] if lab == highlight else colours[0] for lab in labels])
    data = pd.DataFrame({"label": list(labels), xlabel or "value": list(values)})
    if intervals is not None:
        low = pd.to_numeric(pd.Series(list(intervals[0]), dtype="object"), errors="coerce")
        high = pd.to_numeric(pd.Series(list(intervals[1]), dtype="object"), errors="coerce")
        mid = pd.Series(list(values), dtype=float)
        given = (low.notna() & high.notna()).to_numpy()
        if given.any():
            ax.errorbar(mid[given], [wrap(lab) for lab, g in zip(labels, given, strict=True)
                                     if g],
                        xerr=[(mid - low)[given], (high - mid)[given]], fmt="none",
                        ecolor="#333333", elinewidth=1, capsize=3)
            data = data.assign(**{"lower 95% limit": low, "upper 95% limit": high})
    if reference is not None:
        ax.axvline(reference, color=INK, lw=1, ls=":")
    ax.set(title=wrap(title, 70), xlabel=xlabel, ylabel="")
    show(fig, title=title, alt=describe_bars(labels, values, xlabel), sources=sources,
         data=data, units=xlabel)


def choropleth(shapes, column: str, *, title: str, legend_title: str,
               sources: Sequence[str], outlines=None, names: str | None = None,
               categorical: bool = False, scheme: str | None = "quantiles",
               cmap: str = "viridis") -> None:
    """A map of ``shapes[column]`` with district ``outlines`` and their ``names`` on top."""
    house_style()
    fig, ax = plt.subplots(figsize=(9, 7))
    kwargs = {"categorical": True} if categorical else {"scheme": scheme, "k": 5}
    legend = {"title": legend_title, "loc": "upper left", "bbox_to_anchor": (1.0, 1.0),
              "fontsize": 8}
    if not categorical and scheme:
        # class bounds as people write them: "465 - 1,160", not "465.00, 1160.00"
        big = shapes[column].abs().max() >= 100
        legend |= {"fmt": "{:,.0f}" if big else "{:,.1f}", "interval": False}
    shapes.plot(column=column, cmap=cmap, legend=True, ax=ax, linewidth=0,
                legend_kwds=legend, **kwargs)
    if not categorical and scheme and ax.get_legend() is not None:
        # "1,356 to 2,134", never "1,356,  2,134" (the class separator reads as a digit group)
        for text in ax.get_legend().get_texts():
            text.set_text(re.sub(r"\s*,\s+", " to ", text.get_text().strip()))
    if outlines is not None:
        outlines.boundary.plot(ax=ax, color="black", linewidth=0.8)
        if names:
            for _, row in outlines.iterrows():
                point = row.geometry.representative_point()
                ax.annotate(row[names], (point.x, point.y), ha="center", fontsize=8,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.7,
                                  "lw": 0})
    ax.set_axis_off()
    ax.set_title(wrap(title, 70))
    values = shapes[column].dropna()
    alt = (f"Map of {len(shapes)} areas coloured by {legend_title.lower()}"
           + (f", from {_number(values.min())} to {_number(values.max())}" if len(values)
              and not categorical else "")
           + (f"; district boundaries and names of {', '.join(map(str, outlines[names]))}"
              if outlines is not None and names else "") + ".")
    table = pd.DataFrame(shapes.drop(columns=shapes.geometry.name))
    show(fig, title=title, alt=alt, sources=sources, units=legend_title,
         data=table[[c for c in table.columns if table[c].map(_scalar).all()]])


def _scalar(value: object) -> bool:
    return pd.api.types.is_scalar(value)


def logic_model_chart(stages: Sequence[tuple[str, Sequence[str]]], *, title: str,
                      sources: Sequence[str]) -> None:
    """Boxes joined by arrows, one per stage (inputs -> activities -> outputs -> outcomes ->
    impacts; Magenta Book 2020, figure 2.2 layout), with every item listed in the alt text."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    house_style()
    texts = ["\n".join("\n".join(textwrap.wrap("• " + item, 22)) for item in items)
             for _, items in stages]
    height = max(t.count("\n") + 1 for t in texts) * 0.16 + 0.8
    n = len(stages)
    fig, ax = plt.subplots(figsize=(12, max(2.6, height)))
    ax.set_xlim(0, n)
    ax.set_ylim(0, 1)
    ax.axis("off")
    for i, ((name, _), text) in enumerate(zip(stages, texts, strict=True)):
        ax.add_patch(FancyBboxPatch((i + 0.05, 0.04), 0.8, 0.82,
                                    boxstyle="round,pad=0.01", fc="#e8f0fa", ec="#1f4e79"))
        ax.text(i + 0.45, 0.93, name, ha="center", va="center", fontweight="bold")
        ax.text(i + 0.1, 0.82, text, ha="left", va="top", fontsize=8)
        if i < n - 1:
            ax.add_patch(FancyArrowPatch((i + 0.86, 0.45), (i + 1.04, 0.45),
                                         arrowstyle="-|>", mutation_scale=14, color="#1f4e79"))
    alt = "; ".join(f"{name.lower()}: {', '.join(items)}" for name, items in stages)
    show(fig, title=title, alt=f"{n} boxes linked by arrows. {alt}.", sources=sources,
         data=pd.DataFrame([(name, item) for name, items in stages for item in items],
                           columns=["stage", "item"]))


def estimate_chart(frame: pd.DataFrame, *, x: str, estimate: str, low: str, high: str,
                   title: str, xlabel: str, ylabel: str, sources: Sequence[str],
                   reference_x: float | None = None, interval: str = "95% interval") -> None:
    """Point estimates with their intervals along an integer axis (an event study: event
    time on ``x``), a zero line, and an optional dotted line before ``reference_x``."""
    house_style()
    data = frame[[x, estimate, low, high]].sort_values(x)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.fill_between(data[x], data[low], data[high], color="C0", alpha=0.2, label=interval)
    ax.plot(data[x], data[estimate], color="C0", marker="o", ms=4, lw=1.5, label="estimate")
    ax.axhline(0, color=INK, lw=0.8)
    if reference_x is not None:
        ax.axvline(reference_x, color=INK, ls=":", lw=1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=wrap(title, 70), xlabel=xlabel, ylabel=ylabel)
    ax.legend(frameon=False)
    first, last = data.iloc[0], data.iloc[-1]
    alt = (f"{len(data)} estimates from {xlabel.lower()} {first[x]:g} to {last[x]:g}; the last "
           f"is {_number(last[estimate])} ({interval} {_number(last[low])} to "
           f"{_number(last[high])}) {ylabel}.")
    show(fig, title=title, alt=alt, sources=sources, data=data)


def placebo_gaps_chart(gaps: pd.DataFrame, *, treated: str, title: str, ylabel: str,
                       sources: Sequence[str], start: float | None = None,
                       treated_label: str = "treated area") -> None:
    """Gaps to the synthetic control by year: the treated unit in colour, each placebo in
    grey (ADH 2010, Figures 4-7). ``gaps`` has one column per unit and years as index."""
    house_style()
    fig, ax = plt.subplots(figsize=(8, 4))
    for unit in gaps.columns.drop(treated):
        ax.plot(gaps.index, gaps[unit], color="0.8", lw=0.7)
    ax.plot(gaps.index, gaps[treated], color="C3", lw=2.5, label=treated_label)
    ax.axhline(0, color=INK, lw=0.8)
    if start is not None:
        ax.axvline(start - 0.5, color=INK, ls=":", lw=1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=wrap(title, 70), xlabel="Year", ylabel=ylabel)
    ax.legend(frameon=False)
    last = gaps.index.max()
    post = gaps.loc[gaps.index == last].iloc[0]
    alt = (f"{treated_label}: gap {_number(post[treated])} {ylabel} in {last}; the "
           f"{gaps.shape[1] - 1} placebo gaps that year range from "
           f"{_number(post.drop(treated).min())} to {_number(post.drop(treated).max())}.")
    show(fig, title=title, alt=alt, sources=sources,
         data=gaps.rename_axis("year").reset_index())
