"""Scales shared by the charts drawn on the server (the board report's PDF charts and the
pages' first frames): colours, value ticks and the x axis's positions. No Dash, no fpdf."""

from __future__ import annotations

import math
from dataclasses import dataclass

from queries import periods


def rgb(colour: str | None, default=(77, 77, 77)) -> tuple[int, int, int]:
    """'#0072B2' or 'rgba(118,118,118,0.18)' as an opaque colour on white."""
    if not colour:
        return default
    colour = colour.strip()
    if colour.startswith("#") and len(colour) == 7:
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    if colour.startswith("rgb"):
        parts = [float(p) for p in colour[colour.index("(") + 1:colour.index(")")].split(",")]
        alpha = parts[3] if len(parts) > 3 else 1.0
        return tuple(round(255 - alpha * (255 - p)) for p in parts[:3])
    return default


def month_of(value) -> str | None:
    """'2024-03' for '2024-03-01' or '2024-03'; None for anything else."""
    text = str(value)
    return text[:7] if len(text) >= 7 and periods.is_month(text[:7]) else None


def number(value) -> float | None:
    """A plotted value as a float; None when missing (None, NaN or not a number)."""
    if value is None:
        return None
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(found) else found


def nice_ticks(top: float, count: int = 5, whole: bool = False) -> list[float]:
    """Ticks from zero past ``top`` at a step of 1, 2, 2.5 or 5 times a power of ten (at least
    1 when the values are ``whole`` numbers, such as counts)."""
    if top <= 0:
        return [0.0, 1.0]
    rough = top / count
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    if whole:
        step = max(1, math.ceil(step)) if step < 10 else step
    return [i * step for i in range(int(math.ceil(top / step - 1e-9)) + 1)]


def tick_text(value: float) -> str:
    """'1,200', '2.5', '0.05': as many decimals as the tick has (up to 4), so the small rates of
    a sparse area do not print 0.05 and 0.1 both as '0.1'."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4f}".rstrip("0")


@dataclass
class Axis:
    """The x axis: months on a date axis, or categories in order of first appearance."""

    is_date: bool
    positions: list[str]  # every month in the span, or every category

    def index(self, value) -> int | None:
        key = month_of(value) if self.is_date else str(value)
        try:
            return self.positions.index(key)
        except ValueError:
            return None


def axis_over(xs: list, layout_type: str | None, span: tuple[str, str] | None = None) -> Axis:
    """The x axis of traces whose x values are ``xs`` (one sequence a trace). A date axis runs
    over every month from the first to the last (and over ``span``), so a month missing inside
    keeps its place; a category axis lists the categories in order of first appearance."""
    is_date = layout_type == "date" or (layout_type is None and all(
        month_of(x) and str(x)[7:] in ("", "-01") for values in xs for x in values))
    if is_date:
        months = sorted({month_of(x) for values in xs for x in values if month_of(x)} | set(span or ()))
        return Axis(True, periods.months_between(months[0], months[-1]) if months else [])
    seen: dict[str, None] = {}
    for values in xs:
        for x in values:
            seen.setdefault(str(x), None)
    return Axis(False, list(seen))


def segments(points: list[tuple[int, float] | None]) -> list[list[tuple[int, float]]]:
    """Runs of (position, value) points with no missing value (None) and no position skipped."""
    pieces: list[list[tuple[int, float]]] = [[]]
    for point in points:
        if point is None or (pieces[-1] and point[0] - pieces[-1][-1][0] > 1):
            pieces.append([])
        if point is not None:
            pieces[-1].append(point)
    return [p for p in pieces if p]


def runs(months: list[str]) -> list[tuple[str, str]]:
    """Consecutive months grouped: ['2022-05', '2022-06', '2022-09'] -> two runs."""
    groups: list[tuple[str, str]] = []
    for month in months:
        if groups and periods.add_months(groups[-1][1], 1) == month:
            groups[-1] = (groups[-1][0], month)
        else:
            groups.append((month, month))
    return groups
