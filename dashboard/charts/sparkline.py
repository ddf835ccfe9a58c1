"""A place's months as a small bar chart (SVG), for its detail on the page: one bar per
month, the baseline grey and the period dark, a month not loaded a short tick on the axis
(never a zero bar). Drawn on the server, nothing fetched."""

from __future__ import annotations

import math
from urllib.parse import quote

BAR, GAP, HEIGHT = 10, 2, 36


def sparkline_svg(values, period_from: int) -> str:
    """``values``: counts by month (NaN for a month not loaded); bars from ``period_from`` on are the period's."""
    top = max([v for v in values if not _missing(v)] + [1])
    width = len(values) * (BAR + GAP)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT + 2}" '
             f'viewBox="0 0 {width} {HEIGHT + 2}">',
             f'<line x1="0" y1="{HEIGHT + 0.5}" x2="{width}" y2="{HEIGHT + 0.5}" stroke="#6c757d" stroke-width="1"/>']
    for i, value in enumerate(values):
        x = i * (BAR + GAP)
        if _missing(value):
            parts.append(f'<line x1="{x + BAR / 2}" y1="{HEIGHT - 3}" x2="{x + BAR / 2}" y2="{HEIGHT + 2}" '
                         'stroke="#6c757d" stroke-width="1" stroke-dasharray="1,1"/>')
            continue
        h = HEIGHT * value / top
        colour = "#212529" if i >= period_from else "#adb5bd"
        parts.append(f'<rect x="{x}" y="{HEIGHT - h:.1f}" width="{BAR}" height="{h:.1f}" fill="{colour}"/>')
    parts.append("</svg>")
    # As text, not base64: thirty of them in a page share their markup, which compression
    # then sends once (base64 hid it, and cost a third more besides).
    return "data:image/svg+xml," + quote("".join(parts), safe=" =:/,.-\"")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
