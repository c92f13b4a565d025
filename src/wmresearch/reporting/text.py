"""Sentences in a report: one helper to display Markdown and one number formatter.

A notebook writes the sentence that states its numbers itself, as an f-string passed to
:func:`say`; every number in it goes through :func:`number`, which never prints ``nan`` or
``inf`` (a missing value reads as words).
"""

from __future__ import annotations

import math

import IPython.display as ipd

MISSING = "not available"


def say(text: str) -> None:
    """Display ``text`` as Markdown in the report."""
    ipd.display(ipd.Markdown(text))


def number(value: float | None, *, digits: int = 1, pct: bool = False, gbp: bool = False,
           signed: bool = False, missing: str = MISSING) -> str:
    """A figure for a sentence or a table cell.

    Parameters
    ----------
    value
        The number; ``None``, NaN and infinities read as ``missing``.
    digits
        Decimal places (of the percentage when ``pct``).
    pct
        A proportion shown as a percentage (0.012 -> "1.2%").
    gbp
        Pounds, with bn/m/k for large amounts (88,408,357 -> "£88.4m").
    signed
        Show "+" before positive values (for changes and gaps).

    Examples
    --------
    >>> number(0.000386, digits=3, pct=True)
    '0.039%'
    >>> number(88_408_357, gbp=True)
    '£88.4m'
    >>> number(float("nan"))
    'not available'
    """
    if value is None or isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value):
        return missing
    sign = "+" if signed and value > 0 else ""
    if gbp:
        for size, unit in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
            if abs(value) >= size:
                return f"{sign}£{value / size:,.{digits}f}{unit}"
        return f"{sign}£{value:,.0f}"
    if pct:
        return f"{sign}{100 * value:,.{digits}f}%"
    return f"{sign}{value:,.{digits}f}" if value % 1 else f"{sign}{value:,.0f}"
