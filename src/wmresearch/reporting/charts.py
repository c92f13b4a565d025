"""Report charts with a consistent look: every chart has a title and a source line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from wmresearch.reporting.display import source_note


def _finish(fig, ax, title: str, xlabel: str, ylabel: str, sources: Sequence[str],
            integer_x: bool, legend: bool, outside: bool = False) -> None:
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    if integer_x:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if legend:
        # bars fill the plot area, so their legend goes to the right of it
        ax.legend(frameon=False, **({"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}
                                    if outside else {}))
    plt.show()
    source_note(*sources)


def line_chart(lines: Mapping[str, pd.Series], *, title: str, xlabel: str, ylabel: str,
               sources: Sequence[str], reference: float | None = None,
               figsize: tuple[float, float] = (8, 4)) -> None:
    """One line per labelled series (index = x, e.g. year); optional horizontal reference."""
    fig, ax = plt.subplots(figsize=figsize)
    for label, series in lines.items():
        ax.plot(series.index, series.to_numpy(), lw=2, label=label)
    if reference is not None:
        ax.axhline(reference, color="grey", lw=1)
    _finish(fig, ax, title, xlabel, ylabel, sources, integer_x=True, legend=len(lines) > 1)


def paired_bars(labels: Sequence[str], bars: Mapping[str, Sequence[float]], *, title: str,
                xlabel: str, sources: Sequence[str], reference: float | None = None,
                width: float = 8) -> None:
    """Horizontal bars, one group per label and one bar per series (e.g. region vs UK)."""
    n = len(bars)
    height = 0.8 / n
    fig, ax = plt.subplots(figsize=(width, 0.3 * n * len(labels) + 1.5))
    for k, (name, values) in enumerate(bars.items()):
        offset = (n - 1) / 2 * height - k * height
        ax.barh([i + offset for i in range(len(labels))], list(values), height=height,
                label=name)
    ax.set_yticks(range(len(labels)), labels)
    if reference is not None:
        ax.axvline(reference, color="k", lw=1)
    _finish(fig, ax, title, xlabel, "", sources, integer_x=False, legend=n > 1, outside=True)
