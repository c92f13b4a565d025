"""Small display helpers used inside notebooks: banners and source notes."""

from __future__ import annotations

import html

from IPython.display import HTML, display

BANNER_STYLE = ("padding:0.8em 1em;margin:0.5em 0 1em;border-radius:4px;font-weight:600;"
                "font-family:sans-serif;")


def synthetic_notice(what: str) -> HTML:
    """Label an output made from synthetic (not official) data."""
    return HTML(f'<div class="wm-synthetic" style="{BANNER_STYLE}background:#fff4ce;'
                f'color:#5c4400">SYNTHETIC DATA: {html.escape(what)}</div>')


def source_note(*sources: str) -> None:
    """Display a 'Source:' line under a chart or table (also from inside a block)."""
    text = "; ".join(html.escape(s) for s in sources)
    display(HTML(f'<p class="wm-source" style="font-size:0.85em;color:#555">Source: {text}</p>'))
