"""Drawing a chart's plotly figure into a PDF with fpdf2's vector operators: the same traces,
colours, dashes, shading and markers as the page, with a title, axis titles, a legend and
the chart's summary, and no browser or image library at run time.

Lines break where a value is missing and where months are absent from a date axis, and
those months are shaded and named, so a hole in the data never reads as a fall.
"""

from __future__ import annotations

import math

from dashboard.charts.formatting import month_label
from dashboard.charts.scales import Axis, axis_over, nice_ticks, rgb, runs, segments
from dashboard.charts.scales import month_of as _month
from dashboard.charts.scales import number as _number
from dashboard.charts.scales import tick_text as _tick_text
from dashboard.documents.pdf_document import PackPDF
from dashboard.documents.pdf_document import pdf_text as _text
from dashboard.documents.pdf_layout import text_width
from queries import periods

PX = 0.22  # mm per plotly pixel, for line widths and marker sizes
GAP_FILL = (236, 236, 236)
GAP_TEXT = (80, 80, 80)
AXIS_GREY = (108, 117, 125)
GRID_GREY = (227, 227, 227)
DASHES = {"dash": (2.2, 1.4), "dot": (0.5, 1.0), "dashdot": (2.2, 1.0), "longdash": (3.5, 1.4)}


def x_axis(figure, span: tuple[str, str] | None = None) -> Axis:
    """The figure's x axis; a date axis runs over ``span`` too, so months missing at either
    end are shown as missing rather than left off."""
    return axis_over([t.x or () for t in figure.data], figure.layout.xaxis.type, span)


def missing_positions(figure, axis: Axis) -> list[str]:
    """Months within the span that no line or bar has a value for."""
    if not axis.is_date:
        return []
    present = {_month(x) for t in figure.data for x, y in zip(t.x or (), t.y or ()) if _number(y) is not None}
    return [m for m in axis.positions if m not in present]


def months_text(months: list[str]) -> str:
    """'April 2022 to November 2023 and January 2024' for the months given: runs of months in
    full words, never a year's shorthand ("2021", "2021/22")."""
    def span(a: str, b: str) -> str:
        if a == b:
            return periods.month_in_words(a)
        if a[:4] == b[:4]:  # "April to December 2021"
            return f"{periods.month_in_words(a).split()[0]} to {periods.month_in_words(b)}"
        return f"{periods.month_in_words(a)} to {periods.month_in_words(b)}"

    parts = [span(a, b) for a, b in runs(months)]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class ChartPainter:
    """One figure drawn into a box of the page."""

    def __init__(self, pdf: PackPDF, figure, x: float, y: float, width: float, height: float,
                 x_title: str = "", span: tuple[str, str] | None = None):
        self.pdf, self.figure = pdf, figure
        self.axis = x_axis(figure, span)
        self.gaps = missing_positions(figure, self.axis)
        values = [v for t in figure.data for v in (_number(y) for y in (t.y or ())) if v is not None]
        whole = all(float(v).is_integer() for v in values)
        self.ticks = nice_ticks(max(values) * 1.04 if values else 1.0, whole=whole)  # room above the highest point
        pdf.set_font("Helvetica", "", 7)
        label_room = max(text_width(pdf, _tick_text(t)) for t in self.ticks) + 2
        self.left = x + 6 + label_room  # the y title, then tick labels
        self.right = x + width - 2
        self.top = y + 2
        self.bottom = y + height - (14 if x_title else 9)
        self.x_title = x_title or figure.layout.xaxis.title.text or ""

    # Where things go on the page.
    def px(self, position: float) -> float:
        slots = max(1, len(self.axis.positions))
        return self.left + (position + 0.5) * (self.right - self.left) / slots

    def py(self, value: float) -> float:
        return self.bottom - value / self.ticks[-1] * (self.bottom - self.top)

    def draw(self) -> None:
        self._gaps()
        self._grid_and_axes()
        bars = [t for t in self.figure.data if t.type == "bar"]
        for number, trace in enumerate(bars):
            self._bars(trace, number, len(bars))
        scatter = [t for t in self.figure.data if t.type == "scatter"]
        for index, trace in enumerate(scatter):
            if trace.fill == "tonexty" and index > 0:
                self._fill_between(scatter[index - 1], trace)
        for trace in scatter:
            mode = trace.mode or "lines"
            if "lines" in mode and (trace.line.width is None or trace.line.width > 0):
                self._line(trace)
            if "markers" in mode:
                self._markers(trace)
        self.pdf.set_dash_pattern()
        self.pdf.set_draw_color(0)
        self.pdf.set_line_width(0.2)

    def points(self, trace) -> list[tuple[int, float] | None]:
        """The trace's (position, value) pairs, None where a value is missing."""
        found: list[tuple[int, float] | None] = []
        for x, y in zip(trace.x or (), trace.y or ()):
            position, value = self.axis.index(x), _number(y)
            found.append(None if position is None or value is None else (position, value))
        return found

    def segments(self, trace) -> list[list[tuple[int, float]]]:
        """Runs of points with no missing value and, on a date axis, no missing month between."""
        return segments(self.points(trace))

    def _gaps(self) -> None:
        pdf = self.pdf
        step = (self.right - self.left) / max(1, len(self.axis.positions))
        for first, last in runs(self.gaps):
            a, b = self.axis.index(first), self.axis.index(last)
            x0, x1 = self.px(a) - step / 2, self.px(b) + step / 2
            pdf.set_fill_color(*GAP_FILL)
            pdf.rect(x0, self.top, x1 - x0, self.bottom - self.top, style="F")
            pdf.set_font("Helvetica", "I", 6.5)
            pdf.set_text_color(*GAP_TEXT)
            words = "not loaded"
            if text_width(pdf, words) < x1 - x0:
                pdf.text(x0 + (x1 - x0 - text_width(pdf, words)) / 2, self.top + 3, words)
            pdf.set_text_color(0)

    def _grid_and_axes(self) -> None:
        pdf = self.pdf
        pdf.set_font("Helvetica", "", 7)
        pdf.set_line_width(0.15)
        for tick in self.ticks:
            y = self.py(tick)
            pdf.set_draw_color(*GRID_GREY)
            if tick:
                pdf.line(self.left, y, self.right, y)
            label = _tick_text(tick)
            pdf.text(self.left - 1.5 - text_width(pdf, label), y + 1.1, label)
        pdf.set_draw_color(*AXIS_GREY)
        pdf.line(self.left, self.bottom, self.right, self.bottom)
        self._x_labels()
        pdf.set_font("Helvetica", "", 7.5)
        title = _text(self.figure.layout.yaxis.title.text or "")
        centre_y = (self.top + self.bottom) / 2
        x_at = self.left - (max(text_width(pdf, _tick_text(t)) for t in self.ticks) + 4.5)
        with pdf.rotation(90, x_at, centre_y):
            pdf.text(x_at - text_width(pdf, title) / 2, centre_y, title)
        if self.x_title:
            words = _text(self.x_title)
            pdf.text((self.left + self.right - text_width(pdf, words)) / 2, self.bottom + 11, words)

    def _x_labels(self) -> None:
        pdf = self.pdf
        positions = self.axis.positions
        if not positions:
            return
        pdf.set_font("Helvetica", "", 7)
        slot = (self.right - self.left) / len(positions)
        if self.axis.is_date:
            labels = [month_label(m)[:3] + " " + m[:4] for m in positions]
            widest = max(text_width(pdf, t) for t in labels) + 2
            every = max(1, math.ceil(widest / slot))
            if every > 1:  # label the same months each year: every quarter or half-year from January
                every = next((e for e in (2, 3, 4, 6, 12) if e >= every), 12)
            for index, (month, label) in enumerate(zip(positions, labels)):
                x = self.px(index)
                pdf.set_draw_color(*AXIS_GREY)
                pdf.line(x, self.bottom, x, self.bottom + (1.2 if (int(month[5:]) - 1) % every == 0 else 0.6))
                if (int(month[5:]) - 1) % every == 0 or len(positions) == 1:
                    pdf.text(x - text_width(pdf, label) / 2, self.bottom + 4, label)
            return
        labels = [_text(label.replace("<br>", " ")) for label in positions]
        # Many short labels (weeks): label every few, as months are, rather than cut each short.
        every = max(1, math.ceil((max(text_width(pdf, t) for t in labels) + 2) / slot)) if len(labels) > 12 else 1
        for index, words in enumerate(labels):
            if index % every:
                continue
            while text_width(pdf, words) > slot * every - 1 and len(words) > 4:
                words = words[:-2] + "."
            pdf.text(self.px(index) - text_width(pdf, words) / 2, self.bottom + 4, words)

    def _stroke_style(self, line) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*rgb(line.color))
        pdf.set_line_width(max(0.2, (line.width or 2) * PX))
        dash = DASHES.get(line.dash or "solid")
        if dash:
            pdf.set_dash_pattern(*dash)
        else:
            pdf.set_dash_pattern()

    def _line(self, trace) -> None:
        self._stroke_style(trace.line)
        for piece in self.segments(trace):
            if len(piece) > 1:
                self.pdf.polyline([(self.px(p), self.py(v)) for p, v in piece])
        self.pdf.set_dash_pattern()

    def _fill_between(self, upper_trace, lower_trace) -> None:
        pdf = self.pdf
        upper = {p: v for p, v in (pt for pt in self.points(upper_trace) if pt)}
        pdf.set_fill_color(*rgb(lower_trace.fillcolor, (225, 225, 225)))
        # Both limits present: a month where either is missing breaks the band.
        for shared in segments([pt if pt and pt[0] in upper else None for pt in self.points(lower_trace)]):
            if len(shared) < 2:
                continue
            outline = [(self.px(p), self.py(upper[p])) for p, _ in shared]
            outline += [(self.px(p), self.py(v)) for p, v in reversed(shared)]
            pdf.polygon(outline, style="F")

    def _markers(self, trace) -> None:
        pdf = self.pdf
        marker = trace.marker
        colour = rgb(marker.color if isinstance(marker.color, str) else None, rgb(trace.line.color))
        symbols = marker.symbol
        outline = marker.line.color if marker.line and isinstance(marker.line.color, str) else None
        size = (marker.size if isinstance(marker.size, (int, float)) else 7) * PX
        pdf.set_dash_pattern()
        pdf.set_line_width(0.25)
        for index, point in enumerate(self.points(trace)):
            if point is None:
                continue
            symbol = symbols[index] if isinstance(symbols, (list, tuple)) else (symbols or "circle")
            draw_marker(pdf, symbol, self.px(point[0]), self.py(point[1]), size, colour,
                        rgb(outline) if outline else colour)

    def _bars(self, trace, number: int, count: int) -> None:
        pdf = self.pdf
        slot = (self.right - self.left) / max(1, len(self.axis.positions))
        width = slot * 0.8 / count
        colour = rgb(trace.marker.color if isinstance(trace.marker.color, str) else None)
        hatched = bool(trace.marker.pattern and trace.marker.pattern.shape)
        for point in self.points(trace):
            if point is None:
                continue
            x = self.px(point[0]) - slot * 0.4 + number * width
            y = self.py(point[1])
            pdf.set_fill_color(*colour)
            pdf.rect(x, y, width, self.bottom - y, style="F")
            if hatched:  # the page's diagonal pattern, so before and after differ in grey print too
                # Colour and width are set outside the clip: fpdf would not set them again after
                # the clip's graphics state is restored, believing them current.
                pdf.set_draw_color(255)
                pdf.set_line_width(0.3)
                with pdf.rect_clip(x, y, width, self.bottom - y):
                    height = self.bottom - y
                    step = 1.6
                    start = -height
                    while start < width:
                        pdf.line(x + start, self.bottom, x + start + height, y)
                        start += step


def draw_marker(pdf: PackPDF, symbol: str, x: float, y: float, size: float, colour, outline) -> None:
    r = size / 2
    pdf.set_draw_color(*outline)
    if symbol.startswith("triangle"):
        down = symbol == "triangle-down"
        h = size * 0.9
        tip, base = (y + h / 2, y - h / 2) if down else (y - h / 2, y + h / 2)
        pdf.set_fill_color(*colour)
        pdf.polygon([(x, tip), (x - r, base), (x + r, base)], style="DF")
    elif symbol.endswith("open"):
        pdf.set_fill_color(255)
        pdf.set_draw_color(*colour)
        pdf.circle(x, y, r, style="DF")
    else:
        pdf.set_fill_color(*colour)
        pdf.circle(x, y, r, style="F")


def legend_entries(figure) -> list:
    return [t for t in figure.data if t.name and t.showlegend is not False]


def draw_legend(pdf: PackPDF, figure, x: float, y: float, width: float) -> float:
    """The legend below the plot, entries flowing left to right; returns its height."""
    pdf.set_font("Helvetica", "", 7.5)
    row_height, cursor_x, cursor_y = 4.2, x, y
    for trace in legend_entries(figure):
        words = _text(trace.name)
        entry = 9 + text_width(pdf, words) + 4
        if cursor_x + entry > x + width and cursor_x > x:
            cursor_x, cursor_y = x, cursor_y + row_height
        sample_y = cursor_y + row_height / 2
        if trace.type == "bar":
            pdf.set_fill_color(*rgb(trace.marker.color if isinstance(trace.marker.color, str) else None))
            pdf.rect(cursor_x + 1, sample_y - 1.5, 6, 3, style="F")
            if trace.marker.pattern and trace.marker.pattern.shape:
                pdf.set_draw_color(255)
                pdf.set_line_width(0.3)
                with pdf.rect_clip(cursor_x + 1, sample_y - 1.5, 6, 3):
                    for offset in range(-3, 7):
                        pdf.line(cursor_x + 1 + offset * 1.6, sample_y + 1.5, cursor_x + 4 + offset * 1.6,
                                 sample_y - 1.5)
        elif trace.fill == "tonexty":
            pdf.set_fill_color(*rgb(trace.fillcolor, (225, 225, 225)))
            pdf.rect(cursor_x + 1, sample_y - 1.5, 6, 3, style="F")
        elif "lines" in (trace.mode or "lines") and (trace.line.width is None or trace.line.width > 0):
            pdf.set_draw_color(*rgb(trace.line.color))
            pdf.set_line_width(max(0.2, (trace.line.width or 2) * PX))
            dash = DASHES.get(trace.line.dash or "solid")
            pdf.set_dash_pattern(*dash) if dash else pdf.set_dash_pattern()
            pdf.line(cursor_x + 0.5, sample_y, cursor_x + 7.5, sample_y)
            pdf.set_dash_pattern()
        else:
            symbols = trace.marker.symbol
            symbol = symbols[0] if isinstance(symbols, (list, tuple)) else (symbols or "circle")
            colour = rgb(trace.marker.color if isinstance(trace.marker.color, str) else None)
            outline = trace.marker.line.color if isinstance(trace.marker.line.color, str) else None
            pdf.set_line_width(0.25)
            draw_marker(pdf, symbol, cursor_x + 4, sample_y, 2.6, colour, rgb(outline) if outline else colour)
        pdf.set_text_color(0)
        pdf.text(cursor_x + 9, sample_y + 1.1, words)
        cursor_x += entry
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0)
    return cursor_y + row_height - y


def draw_figure(pdf: PackPDF, figure, height: float = 62, x_title: str = "",
                span: tuple[str, str] | None = None) -> list[str]:
    """The figure at the current position across the page's width, its legend below; returns
    the months its date axis lacks (shaded on the chart) for the text to name. A date axis
    covers ``span`` at least."""
    if pdf.will_page_break(height + 12):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    painter = ChartPainter(pdf, figure, x, y, pdf.epw, height, x_title, span)
    painter.draw()
    used = draw_legend(pdf, figure, painter.left, y + height + 0.5, painter.right - painter.left)
    pdf.set_xy(pdf.l_margin, y + height + used + 2)
    pdf.set_font("Helvetica", "", 10)
    return painter.gaps
