"""A chart's first frame drawn on the server, so the chart is on screen with the page while
plotly.js loads and draws it (about 2 s on a slow laptop): the plot as an SVG, scaled to any
width, and where its ticks, titles and legend go. Dash-free; ``charts.add_first_frame`` places it.

Drawn for what the pages open with: lines and markers on a month or category axis (a missing
value breaks the line, as in plotly with ``connectgaps=False``), filled bands ('tonexty',
'toself'), vertical bars (grouped) with error bars. Any other figure gets no first frame.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

import numpy as np

from dashboard.charts.scales import Axis, axis_over, nice_ticks, number, segments
from queries import hexgrid, periods

UNITS = 1000  # the SVG's width in its own units; it stretches to the card's width
DEFAULT_MARGIN = {"l": 80, "r": 80, "t": 100, "b": 80}  # plotly's
LEGEND_ROW = 22  # px, one row of a horizontal legend
DASHES = {"dash": "9,9", "dot": "3,3", "dashdot": "9,3,3,3", "longdash": "15,6"}  # plotly's, per 2.5 px of line
LABEL_PX = 8.5  # the mean width of a character of a 13 px tick label, for spacing month labels
PHONE_LABELS = 2  # month labels that fit a phone's plot, about 250 px wide
OPAQUE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass
class Label:
    at: float  # across the plot, 0 (left) to 1 (right); or down it, 0 (top) to 1 (bottom)
    text: str
    phone: bool = True  # also shown on a phone's narrow plot


@dataclass
class LegendEntry:
    name: str
    colour: str
    kind: str  # "line", "band", "bar" or "marker"
    dash: str = "solid"


@dataclass
class Frame:
    """Everything the first frame shows, in the page's pixels and in fractions of the plot."""

    height: int
    left: int
    right: int
    top: int
    plot_height: int
    svg: str
    y_ticks: list[Label] = field(default_factory=list)
    x_labels: list[Label] = field(default_factory=list)
    slot: float = 0.0  # a category's share of the plot's width (0 on a month axis)
    y_title: str = ""
    x_title: str = ""
    legend: list[LegendEntry] = field(default_factory=list)
    legend_above: bool = False
    legend_top: int = 0

    def data_uri(self) -> str:
        return "data:image/svg+xml," + quote(self.svg, safe=" =:/,.-'\"")


def _get(mapping, *keys, default=None):
    for key in keys:
        if not isinstance(mapping, dict):
            return default
        mapping = mapping.get(key)
    return default if mapping is None else mapping


def _title(axis: dict) -> str:
    title = axis.get("title")
    return str(title.get("text") or "") if isinstance(title, dict) else str(title or "")


def supported(figure: dict) -> bool:
    """Whether the first frame can draw every trace of ``figure`` as plotly would."""
    data = figure.get("data") or []
    return bool(data) and all(
        (t.get("type") or "scatter") == "scatter" or (t.get("type") == "bar" and t.get("orientation") in (None, "v"))
        for t in data)


def first_frame(figure: dict) -> Frame | None:
    """The first frame of a plotly figure given as a dict (``plain_figure``), or None
    when it holds a trace the frame cannot draw or nothing to draw."""
    if not supported(figure):
        return None
    layout = figure.get("layout") or {}
    traces = figure["data"]
    axis = axis_over([t.get("x") or () for t in traces], _get(layout, "xaxis", "type"))
    values = [v for t in traces for v in _values(t) if v is not None]
    if not axis.positions or not values:
        return None
    margin = {**DEFAULT_MARGIN, **(layout.get("margin") or {})}
    height = int(layout.get("height") or 450)
    legend = _legend(traces, layout)
    legend_above = bool(legend) and float(_get(layout, "legend", "y", default=-0.2)) > 0
    # plotly makes room for a horizontal legend below the plot, at y (a fraction of the
    # plot's height) under it, by growing the bottom margin.
    plot_height = height - margin["t"] - margin["b"]
    if legend and not legend_above:
        drop = -float(_get(layout, "legend", "y", default=-0.2))
        plot_height = min(plot_height, int((height - margin["t"] - LEGEND_ROW - 12) / (1 + drop)))
    # As plotly's autorange from zero: the highest value plus a twentieth, ticks at a round
    # step below it, about one every 45 px.
    whole = all(float(v).is_integer() for v in values)
    low = min(0.0, min(values))
    span = (max(values) - low) * 1.05 or 1.0
    ticks = [t + low for t in nice_ticks(span, count=max(3, plot_height // 45), whole=whole) if t <= span]
    bottom_value, top_value = low, low + span
    slots = len(axis.positions)
    # Bars and categories sit in the middle of equal slots; a month axis runs from the first
    # month to the last, with room for a marker at either end.
    pad = 0.05 * UNITS

    def x_of(position: float) -> float:
        if axis.is_date and not any(t.get("type") == "bar" for t in traces) and slots > 1:
            return pad + position * (UNITS - 2 * pad) / (slots - 1)
        return (position + 0.5) * UNITS / slots

    def y_of(value: float) -> float:
        return plot_height * (top_value - value) / (top_value - bottom_value)

    shapes = [f'<line x1="0" x2="{UNITS}" y1="{y_of(t):.1f}" y2="{y_of(t):.1f}" stroke="#e3e3e3" '
              f'stroke-width="1" vector-effect="non-scaling-stroke"/>' for t in ticks if t != bottom_value]
    shapes += _bars(traces, axis, x_of, y_of, slots, bottom_value)
    scatter = [t for t in traces if (t.get("type") or "scatter") == "scatter"]
    for index, trace in enumerate(scatter):
        shapes += _fill(trace, scatter[index - 1] if index else None, axis, x_of, y_of)
    for trace in scatter:
        shapes += _line(trace, axis, x_of, y_of) + _markers(trace, axis, x_of, y_of)
    shapes.append(f'<line x1="0" x2="{UNITS}" y1="{plot_height - 0.5}" y2="{plot_height - 0.5}" stroke="'
                  f'{_get(layout, "xaxis", "linecolor", default="#444")}" stroke-width="1" '
                  'vector-effect="non-scaling-stroke"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {UNITS} {plot_height}" '
           f'preserveAspectRatio="none">{"".join(shapes)}</svg>')
    return Frame(
        height=height, left=int(margin["l"]), right=int(margin["r"]), top=int(margin["t"]), plot_height=plot_height,
        svg=svg, y_ticks=[Label(y_of(t) / plot_height, _tick_label(t, ticks)) for t in ticks],
        x_labels=[Label(x_of(i) / UNITS, text, phone) for i, text, phone in _x_labels(axis, slots)], slot=0.0 if axis.is_date else 1 / slots,
        y_title=_title(layout.get("yaxis") or {}), x_title=_title(layout.get("xaxis") or {}),
        legend=legend, legend_above=legend_above,
        legend_top=_legend_top(layout, margin, plot_height, legend_above),
    )


def _tick_label(value: float, ticks: list[float]) -> str:
    """The tick's value with as many decimals as the step between ticks needs, as plotly writes
    it (0, 0.05, 0.1: never rounded into a neighbour's label), trailing zeros dropped."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = next((d for d in range(7) if abs(round(step, d) - step) < 1e-9 * max(1.0, step)), 6)
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


def _values(trace: dict) -> list[float | None]:
    values = [number(y) for y in trace.get("y") or ()]
    error = trace.get("error_y") or {}
    if trace.get("type") == "bar" and error.get("array"):  # the bars' whiskers must fit too
        values += [None if v is None or number(e) is None else v + number(e)
                   for v, e in zip(values, error["array"])]
    return values


def points(trace: dict, axis: Axis) -> list[tuple[int, float] | None]:
    """The trace's (position, value) pairs, None where a value is missing."""
    found: list[tuple[int, float] | None] = []
    for x, y in zip(trace.get("x") or (), trace.get("y") or ()):
        position, value = axis.index(x), number(y)
        found.append(None if position is None or value is None else (position, value))
    return found


def _path(piece, x_of, y_of) -> str:
    return "M" + "L".join(f"{x_of(p):.1f} {y_of(v):.1f}" for p, v in piece)


def _line(trace: dict, axis: Axis, x_of, y_of) -> list[str]:
    """One path per run of values: a missing value breaks the line, as ``connectgaps=False``."""
    line = trace.get("line") or {}
    width = line.get("width", 2)
    if "lines" not in (trace.get("mode") or "lines") or not width:
        return []
    dash = DASHES.get(line.get("dash") or "solid")
    dash_attr = f' stroke-dasharray="{_scaled_dash(dash, width)}"' if dash else ""
    return [f'<path d="{_path(piece, x_of, y_of)}" fill="none" stroke="{escape(line.get("color") or "#444")}" '
            f'stroke-width="{width}"{dash_attr} stroke-linejoin="round" vector-effect="non-scaling-stroke"/>'
            for piece in segments(points(trace, axis)) if len(piece) > 1]


def _scaled_dash(dash: str, width: float) -> str:
    return ",".join(f"{float(d) * width / 2.5:g}" for d in dash.split(","))


def _fill(trace: dict, before: dict | None, axis: Axis, x_of, y_of) -> list[str]:
    """A band: 'tonexty' between this trace and the one before, 'toself' around its own
    points; each run of values is its own shape, so a band breaks where a value is missing."""
    fill = trace.get("fill")
    colour = escape(trace.get("fillcolor") or "rgba(118,118,118,0.18)")
    shapes = []
    if fill == "toself":
        for piece in segments(points(trace, axis)):
            shapes.append(f'<path d="{_path(piece, x_of, y_of)}Z" fill="{colour}"/>')
    elif fill == "tonexty" and before is not None:
        upper = {p: v for p, v in (pt for pt in points(before, axis) if pt)}
        # Both limits present: a position where either is missing breaks the band.
        both = [(p, v) if p in upper else None for p, v in (pt or (None, None) for pt in points(trace, axis))]
        for shared in segments([pt if pt and pt[0] is not None else None for pt in both]):
            if len(shared) > 1:
                outline = [(p, upper[p]) for p, _ in shared] + list(reversed(shared))
                shapes.append(f'<path d="{_path(outline, x_of, y_of)}Z" fill="{colour}"/>')
    return shapes


def _markers(trace: dict, axis: Axis, x_of, y_of) -> list[str]:
    """Markers as zero-length round-capped strokes, which stay round however the SVG stretches;
    a triangle (outside ordinary variation) is a round marker ringed in its outline colour."""
    if "markers" not in (trace.get("mode") or ""):
        return []
    marker = trace.get("marker") or {}
    colour = marker.get("color") if isinstance(marker.get("color"), str) else _get(trace, "line", "color", default="#444")
    size = marker.get("size") if isinstance(marker.get("size"), (int, float)) else 6
    symbols = marker.get("symbol")
    outline = _get(marker, "line", "color")
    shapes, run = [], []

    def draw_run():
        # One path for a run of plain markers: in an opaque colour an overlap looks the same
        # drawn once as twice, and the browser parses and styles one element, not one a point.
        if run and OPAQUE.fullmatch(str(colour)):
            shapes.append(_dot("".join(run), size, colour))
        else:
            shapes.extend(_dot(at, size, colour) for at in run)
        run.clear()

    for index, point in enumerate(points(trace, axis)):
        if point is None:
            continue
        symbol = symbols[index] if isinstance(symbols, (list, tuple)) else (symbols or "circle")
        at = f"M{x_of(point[0]):.1f} {y_of(point[1]):.1f}h0"
        if str(symbol).endswith("open"):
            draw_run()
            shapes.append(_dot(at, size, colour) + _dot(at, size - 3, "white"))
        elif isinstance(outline, str) and outline != colour:
            draw_run()
            shapes.append(_dot(at, size + 3, outline) + _dot(at, size, colour))
        else:
            run.append(at)
    draw_run()
    return shapes


def _dot(at: str, size: float, colour: str) -> str:
    return (f'<path d="{at}" stroke="{escape(colour)}" stroke-width="{size}" stroke-linecap="round" '
            'vector-effect="non-scaling-stroke"/>')


def _bars(traces: list[dict], axis: Axis, x_of, y_of, slots: int, base: float) -> list[str]:
    """Grouped bars: each category's slot holds one bar a trace side by side in 80% of its
    width, each from zero to its value; error bars as whiskers."""
    bars = [t for t in traces if t.get("type") == "bar"]
    shapes = []
    slot = UNITS / slots
    width = slot * 0.8 / max(1, len(bars))
    zero = y_of(max(0.0, base))
    for number_, trace in enumerate(bars):
        colour = _get(trace, "marker", "color")
        colour = escape(colour if isinstance(colour, str) else "#444")
        error = trace.get("error_y") or {}
        plus, minus = error.get("array") or [], error.get("arrayminus") or error.get("array") or []
        for index, point in enumerate(points(trace, axis)):
            if point is None:
                continue
            x = x_of(point[0]) - slot * 0.4 + number_ * width
            y = y_of(point[1])
            top, height = min(y, zero), abs(zero - y)
            shapes.append(f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}"/>')
            if index < len(plus) and number(plus[index]) is not None:
                low = point[1] - (number(minus[index]) or 0.0) if index < len(minus) else point[1]
                centre = x + width / 2
                whisker = escape(error.get("color") or "#444")
                shapes.append(f'<path d="M{centre:.1f} {y_of(point[1] + number(plus[index])):.1f}V{y_of(low):.1f}" '
                              f'stroke="{whisker}" stroke-width="1.2" vector-effect="non-scaling-stroke"/>')
    return shapes


def _x_labels(axis: Axis, slots: int) -> list[tuple[int, str, bool]]:
    """A category axis labels every category; a month axis labels the same months each year
    (every month, quarter, half-year or January) so that the labels fit a desktop's plot, and
    marks about three of them to keep on a phone's."""
    if not axis.is_date:
        return [(i, text, True) for i, text in enumerate(axis.positions)]
    names = [periods.month_in_words(m) for m in axis.positions]
    room = 1100 / slots  # px a month on a desktop's plot
    every = next((e for e in (1, 2, 3, 6, 12) if e * room >= max(len(n) for n in names) * LABEL_PX + 16), 12)
    if every == 12 and slots > 60:
        every = 12 * -(-slots // 60)
    shown = [i for i, m in enumerate(axis.positions)
             if (int(m[5:]) - 1) % min(every, 12) == 0 and (every <= 12 or int(m[:4]) % (every // 12) == 0)]
    if not shown:
        shown = [0]
    phone_step = max(1, -(-len(shown) // PHONE_LABELS))
    return [(i, names[i], n % phone_step == 0) for n, i in enumerate(shown)]


def _legend_top(layout: dict, margin: dict, plot_height: int, above: bool) -> int:
    if above:
        return max(0, int(margin["t"]) - LEGEND_ROW - 2)
    drop = -float(_get(layout, "legend", "y", default=-0.2))
    return int(margin["t"] + plot_height * (1 + drop) + 4)


def _legend(traces: list[dict], layout: dict) -> list[LegendEntry]:
    if layout.get("showlegend") is False:
        return []
    shown = [t for t in traces if t.get("name") and t.get("showlegend") is not False]
    if len(shown) < 2 and layout.get("showlegend") is not True:
        return []  # plotly shows no legend for a single trace
    entries = []
    for trace in shown:
        line = trace.get("line") or {}
        marker_colour = _get(trace, "marker", "color")
        if trace.get("type") == "bar":
            entries.append(LegendEntry(trace["name"], marker_colour if isinstance(marker_colour, str) else "#444", "bar"))
        elif trace.get("fill") in ("tonexty", "toself"):
            entries.append(LegendEntry(trace["name"], trace.get("fillcolor") or "rgba(118,118,118,0.18)", "band"))
        elif "lines" in (trace.get("mode") or "lines") and line.get("width", 2):
            entries.append(LegendEntry(trace["name"], line.get("color") or "#444", "line", line.get("dash") or "solid"))
        else:
            entries.append(LegendEntry(trace["name"], marker_colour if isinstance(marker_colour, str)
                                       else line.get("color") or "#444", "marker"))
    return entries


# The hotspot map's first frame: its cells, lines and markers over a white ground, as
# MapLibre draws them once plotly.js and MapLibre have loaded (several seconds on a slow
# laptop), without the basemap, labels or colour bar.
MAP_PADDING = 24  # px: assets/hotspot_map.js fits the bounds with this padding
# px: the room plotly makes above the map for its horizontal colour bar and below it for the
# legend (one row, as at desktop widths), measured in Chromium at 1280 px.
MAP_TOP_MARGIN, MAP_BOTTOM_MARGIN = 65, 50
MAP_WIDTH = 900  # px: the width the figure's own view assumes (maps.view_of), for strokes and markers
MAP_MAX_BYTES = 120_000  # a larger map (a whole force's cells) would weigh more in the HTML than it saves


@dataclass
class MapFrame:
    """A map's first frame: an SVG of the area's bounds, fitted into the map less its padding
    as the map fits them, and the map's height."""

    height: int
    svg: str

    def data_uri(self) -> str:
        return "data:image/svg+xml," + quote(self.svg, safe=" =:/,.-'\"")


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator in degrees of longitude (y grows downwards, as on screen)."""
    return lon, -math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _colour_at(scale: list, share: float) -> str:
    """plotly's colour for ``share`` (0 to 1) of a colour scale of hex stops: linear between stops."""
    share = min(1.0, max(0.0, share))
    for (low, start), (high, end) in zip(scale, scale[1:]):
        if share <= high:
            t = 0.0 if high == low else (share - low) / (high - low)
            a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in (start, end))
            return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))
    return scale[-1][1]


def _cell_features(trace: dict, layout: dict) -> list[dict]:
    """A choropleth's features: those it holds, or, where it reads the grid from an address
    (``dashboard.documents.cell_grid``), its cells' hexagons worked out from their ids."""
    geojson = trace.get("geojson")
    if not isinstance(geojson, str):
        return _get(trace, "geojson", "features", default=[])
    cells = [hexgrid.parse_cell_id(cell) for cell in trace.get("locations") or ()]
    size = _get(layout, "meta", "cell_size", default=hexgrid.DEFAULT_SIZE)
    return hexgrid.cell_features(trace.get("locations") or (), [q for q, _ in cells], [r for _, r in cells],
                                 size)["features"]


def map_first_frame(figure: dict) -> MapFrame | None:
    """The first frame of a map figure (``choroplethmap`` cells, ``scattermap`` lines and
    markers) with its bounds in ``layout.meta.bounds``; None for any other figure, or one
    whose drawing would be larger than ``MAP_MAX_BYTES``. A trace whose ``meta`` says
    ``first_frame: False`` is left for plotly to draw."""
    layout = figure.get("layout") or {}
    bounds = _get(layout, "meta", "bounds")
    traces = figure.get("data") or []
    if not bounds or not traces or any(t.get("type") not in ("choroplethmap", "scattermap") for t in traces):
        return None
    (x0, y1), (x1, y0) = _mercator(*bounds[0]), _mercator(*bounds[1])
    width, height = max(x1 - x0, 1e-6), max(y1 - y0, 1e-6)
    px = width / MAP_WIDTH  # one pixel, in the SVG's units, at the width the view assumes

    def position(lon, lat) -> tuple[int, int]:
        x, y = _mercator(lon, lat)
        return round((x - x0) / px), round((y - y0) / px)  # a whole pixel is as fine as the eye needs here

    def point(lon, lat) -> str:
        return "{},{}".format(*position(lon, lat))

    drawn_traces = [t for t in traces if _get(t, "meta", "first_frame", default=True) is not False]
    paths = {}  # by trace: the cells' rings, or a line's runs
    for trace in drawn_traces:
        if trace["type"] == "choroplethmap":
            rings = [f["geometry"]["coordinates"][0] for f in _cell_features(trace, layout)]
            paths[id(trace)] = _Paths.of(rings, x0, y0, px, close=True)
        elif trace.get("mode") == "lines":
            paths[id(trace)] = _Paths.of(_line_runs(trace.get("lon") or (), trace.get("lat") or ()), x0, y0, px)
    if sum(p.size() for p in paths.values()) > MAP_MAX_BYTES:  # the drawing holds them and more
        return None
    shapes, size = [], 0
    for trace in drawn_traces:
        if trace["type"] == "choroplethmap":
            z = [float(v) for v in trace.get("z") or ()]
            low, high = (min(z), max(z)) if z else (0.0, 1.0)
            scale = trace.get("colorscale") or [[0, "#dddddd"], [1, "#333333"]]
            colour_of: dict[float, str] = {}  # cells share a few counts: each colour worked out once
            for value in z:
                if value not in colour_of:
                    colour_of[value] = _colour_at(scale, (value - low) / (high - low) if high > low else 0.5)
            colours = {cell: colour_of[value] for cell, value in zip(trace.get("locations") or (), z)}
            opacity = _get(trace, "marker", "opacity", default=1)
            # One path per colour, a ring per cell: a tenth of the bytes of a polygon per cell.
            features = _cell_features(trace, layout)
            rings: dict[str, list[str]] = {}
            for feature, d in zip(features, paths[id(trace)].texts()):
                rings.setdefault(colours.get(feature["id"], "none"), []).append(d)
            drawn = [f'<path fill="{colour}" fill-opacity="{opacity}" stroke="#ffffff" stroke-width="0.5" '
                     f'vector-effect="non-scaling-stroke" d="{"".join(d)}"/>' for colour, d in rings.items()]
        elif trace.get("mode") == "lines":
            colour, line_width = _get(trace, "line", "color", default="#444"), _get(trace, "line", "width", default=2)
            d = "".join(paths[id(trace)].texts())
            drawn = [f'<path d="{d}" fill="none" stroke="{escape(str(colour))}" stroke-width="{line_width}" '
                     'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>'] if d else []
        else:
            radius = _get(trace, "marker", "size", default=6) / 2
            colour = escape(str(_get(trace, "marker", "color", default="#000000")))
            drawn = []
            for lon, lat in zip(trace.get("lon") or (), trace.get("lat") or ()):
                x, y = point(lon, lat).split(",")
                drawn.append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{colour}"/>')
        shapes += drawn
        size += sum(map(len, drawn))
        if size > MAP_MAX_BYTES:  # the drawing holds these shapes and more: too large already
            return None
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width / px:.1f} {height / px:.1f}" '
           f'preserveAspectRatio="xMidYMid meet" overflow="visible">{"".join(shapes)}</svg>')
    return MapFrame(int(layout.get("height") or 450), svg) if len(svg) <= MAP_MAX_BYTES else None


def _pixels(lon: np.ndarray, lat: np.ndarray, x0: float, y0: float, px: float) -> tuple[np.ndarray, np.ndarray]:
    """``position`` of ``map_first_frame`` for many points at once: the same sums, rounded to
    whole pixels half to even as Python's ``round`` does."""
    y = -np.degrees(np.log(np.tan(math.pi / 4 + np.radians(lat) / 2)))
    return np.rint((lon - x0) / px).astype(np.int64), np.rint((y - y0) / px).astype(np.int64)


@dataclass
class _Paths:
    """Runs of (lon, lat) points as paths: the first position absolute, each next one
    relative to the one before (short numbers, which compress well). Worked out for every
    point at once: a whole force's map has a quarter of a million corners."""

    dx: np.ndarray
    dy: np.ndarray
    starts: list[int]
    lengths: list[int]
    close: bool

    @classmethod
    def of(cls, runs: list, x0: float, y0: float, px: float, close: bool = False) -> _Paths:
        lengths = [len(run) for run in runs]
        flat = np.array([p for run in runs for p in run], dtype=float).reshape(-1, 2)
        x, y = _pixels(flat[:, 0], flat[:, 1], x0, y0, px)
        starts = np.cumsum([0, *lengths[:-1]]).astype(np.int64) if runs else np.zeros(0, dtype=np.int64)
        dx, dy = np.diff(x, prepend=0), np.diff(y, prepend=0)
        dx[starts], dy[starts] = x[starts], y[starts]
        return cls(dx, dy, starts.tolist(), lengths, close)

    def size(self) -> int:
        """The characters of ``texts()``, counted without writing them: a drawing too large to
        send is given up before its text is made."""
        if not self.lengths:
            return 0
        pairs = int(_digits(self.dx).sum() + _digits(self.dy).sum()) + len(self.dx)  # and a comma each
        runs = np.asarray(self.lengths)
        return pairs + int(np.maximum(runs - 2, 0).sum()) + len(runs) * (2 + self.close)  # spaces, M, l, z

    def texts(self) -> list[str]:
        pairs = [f"{a},{b}" for a, b in zip(self.dx.tolist(), self.dy.tolist())]
        end = "z" if self.close else ""
        return [f"M{pairs[s]}l" + " ".join(pairs[s + 1:s + n]) + end for s, n in zip(self.starts, self.lengths)]


def _digits(values: np.ndarray) -> np.ndarray:
    """Characters of each whole number written out, its minus sign included."""
    return np.searchsorted(_POWERS, np.abs(values), side="right") + 1 + (values < 0)


_POWERS = 10 ** np.arange(1, 19, dtype=np.int64)


def _line_runs(lons, lats) -> list[list[tuple[float, float]]]:
    """A line trace's runs of two or more points (None in either coordinate breaks the line)."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for lon, lat in zip(lons, lats):
        if lon is None or lat is None:
            if len(current) > 1:
                runs.append(current)
            current = []
        else:
            current.append((lon, lat))
    if len(current) > 1:
        runs.append(current)
    return runs
