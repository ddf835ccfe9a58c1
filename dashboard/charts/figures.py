"""Pure builders from tidy DataFrames to plotly figures, with one colour per area.

Figures are the plain dicts plotly.js draws (``_figure``, ``plain_figure``): plotly express
was about 20x slower to build than graph objects, and graph objects cost a board page a sixth
of its callback's time in building, copying and packing figures. The page shows each chart's
title as a heading, so figures carry none.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from dashboard.charts.formatting import is_missing, period_label
from dashboard.charts.plain_figure import PlainFigure, plotly_template
from dashboard.charts.summaries import band_for
from queries import partnership, periods

# One colour per area on every chart. The partnership's home area and the two areas it is
# first compared with take the Okabe-Ito colour-blind-safe blue, vermillion and a darkened
# bluish green; the rest of its forces' areas take dark, distinct hues (repeating after the
# fifteenth, past what one chart shows). Every colour has at least 3:1 contrast on white
# (WCAG 2.2 SC 1.4.11).
_COLOURS = [
    "#0072B2", "#D55E00", "#007A5E",  # the home area and the first two compared with
    "#332288", "#882255", "#117733", "#AA4499", "#6B5B00", "#8C510A",
    "#5E3C99", "#B2182B", "#1F6F8B", "#4D4D4D", "#7B3294", "#2166AC",
]
_DASHES = ("solid", "dash", "dot")  # the three areas compared, told apart without colour too


@lru_cache(maxsize=8)
def _colours_for(chosen: partnership.Partnership) -> dict[str, str]:
    order = list(dict.fromkeys(chosen.areas + chosen.known_areas))
    rest = _COLOURS[3:]
    return {code: _COLOURS[i] if i < len(_COLOURS) else rest[(i - 3) % len(rest)] for i, code in enumerate(order)}


def area_colours() -> dict[str, str]:
    """The colour of each area the partnership shows, its own areas first."""
    return _colours_for(partnership.current())


def area_dash(code: str) -> str:
    areas = partnership.current().areas
    return _DASHES[areas.index(code)] if code in areas[:len(_DASHES)] else "solid"


NOT_SIGNIFICANT = "#767676"  # 4.5:1 on white
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
DATE_GRAINS = (periods.MONTH, periods.ROLLING_12)


SHORT_RANGE_MONTHS = 8  # a date axis over at most this many months gets one tick a month


def new_figure(layout: dict, data: list[dict] | None = None) -> PlainFigure:
    """A figure as the plain dict plotly.js draws (``plain_figure``), with plotly's default
    template as a graph-object figure carried it. Nothing validates what the builders set
    (they set known-good properties; ``tests/test_figure_validity.py`` checks every figure a
    page sends with validation on)."""
    return PlainFigure({**layout, "template": plotly_template()}, data)


def scatter_trace(**properties) -> dict:
    return {"type": "scatter", **properties}


def bar_trace(**properties) -> dict:
    return {"type": "bar", **properties}


def area_colour(code: str) -> str:
    return area_colours().get(code, "#4D4D4D")


def base_layout(y_title: str, x_title: str = "") -> dict:
    return {
        "font": {"family": FONT, "size": 13, "color": "#1b1b1b"},
        "margin": {"l": 64, "r": 16, "t": 16, "b": 48},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {"showgrid": False, "linecolor": "#6c757d", "ticks": "outside", "title": {"text": x_title}},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e3e3e3", "rangemode": "tozero", "zeroline": False},
        "legend": {"orientation": "h", "y": -0.2, "x": 0},
        "hovermode": "x unified",
        "height": 400,
    }


def measure_title(measure: str) -> str:
    return "Rate per 1,000 residents" if measure == "rate_per_1000" else "Count"


def trend_figure(frame: pd.DataFrame, measure: str, grain: str) -> PlainFigure:
    """One line per area: ``measure`` ('count' or 'rate_per_1000') by period.

    Incomplete periods (not every month loaded) get open markers and say so on hover.
    """
    figure = new_figure(base_layout(measure_title(measure)))
    for code, rows in frame.groupby("area_code", sort=False):
        rows = rows.sort_values("first_month")
        name = rows["area_name"].iloc[0]
        # A period with no figure (not wholly loaded) is None: the line breaks there.
        values = [None if pd.isna(v) else round(float(v), 2 if measure == "rate_per_1000" else 0)
                  for v in rows[measure]]
        x = [f"{p}-01" for p in rows["period"]] if grain in DATE_GRAINS else [period_label(p) for p in rows["period"]]
        complete = rows["complete"].tolist()
        figure.add_trace(
            scatter_trace(
                x=x, y=values, name=name, connectgaps=False,
                mode="lines+markers" if len(rows) <= 40 else "lines",
                line={"color": area_colour(code), "width": 2.5, "dash": area_dash(code)},
                marker={"symbol": ["circle" if c else "circle-open" for c in complete], "size": 7},
                customdata=["" if c else " (incomplete period)" for c in complete],
                hovertemplate=f"{name}: %{{y:,}}%{{customdata}}<extra></extra>",
            )
        )
    if grain == periods.MONTH and measure == "count" and not frame.empty:
        _add_ordinary_variation(figure, frame[frame["area_code"] == frame["area_code"].iloc[0]])
    if grain in DATE_GRAINS:
        # Over a few months plotly's own date ticks fall between months, and each month's
        # name was printed two or three times: one tick a month instead.
        short = frame["period"].nunique() <= SHORT_RANGE_MONTHS
        figure.update_xaxes(type="date", tickformat="%B %Y", **({"dtick": "M1"} if short else {}))
    else:
        # Periods in words ("July to September 2025") are long and turn on a slant: the
        # legend goes above the plot, where the slanted labels cannot run into it.
        figure.update_xaxes(type="category")
        figure.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
                             margin={"t": 40})
    return figure


def _add_ordinary_variation(figure: PlainFigure, rows: pd.DataFrame) -> None:
    """Shade the band of ordinary variation (the limits the summary uses, ``band_for``) for
    one area, and mark the months outside it with a distinct symbol, not colour alone. The
    band is drawn behind the lines so every area's line stays legible, and breaks where a
    month has no band (not loaded, or too few of its 12 months before loaded)."""
    rows = rows.sort_values("first_month").reset_index(drop=True)
    band = band_for(rows)
    if band.empty:
        return
    name = rows["area_name"].iloc[0]
    by_month = band.set_index("month")
    axis = periods.months_between(rows["period"].iloc[0], rows["period"].iloc[-1])
    x = [f"{m}-01" for m in axis]
    high = [round(float(by_month.at[m, "high"]), 1) if m in by_month.index else None for m in axis]
    low = [round(float(by_month.at[m, "low"]), 1) if m in by_month.index else None for m in axis]
    labels = [periods.month_in_words(m) for m in axis]
    colour = area_colour(rows["area_code"].iloc[0])
    figure.add_trace(scatter_trace(x=x, y=high, mode="lines", line={"width": 0}, connectgaps=False,
                                   hoverinfo="skip", showlegend=False, name=f"{name}: upper limit"))
    figure.add_trace(scatter_trace(
        x=x, y=low, mode="lines", line={"width": 0}, fill="tonexty", connectgaps=False,
        fillcolor="rgba(118,118,118,0.18)", name=f"Ordinary variation ({name})",
        customdata=list(zip(labels, high)),
        hovertemplate="%{customdata[0]}: ordinary range %{y:,} to %{customdata[1]:,}<extra></extra>",
    ))
    outside = band[band["side"] != ""]
    if not outside.empty:
        figure.add_trace(scatter_trace(
            x=[f"{m}-01" for m in outside["month"]], y=outside["count"].astype("float64").tolist(),
            mode="markers", name=f"Outside ordinary variation ({name})",
            marker={"symbol": ["triangle-up" if s == "high" else "triangle-down" for s in outside["side"]],
                    "size": 13, "color": colour, "line": {"color": "#000000", "width": 1.5}},
            customdata=[f"{periods.month_in_words(m)} ({'above' if s == 'high' else 'below'})"
                        for m, s in zip(outside["month"], outside["side"])],
            hovertemplate="%{customdata}: %{y:,}, outside ordinary variation<extra></extra>",
        ))
    # Band traces go first so the lines are drawn over the shading.
    traces = figure["data"]
    band_traces = traces[-(2 + (not outside.empty)):]
    traces[:] = band_traces[:2] + traces[: -len(band_traces)] + band_traces[2:]
    # A "tonexty" fill would otherwise reverse the legend; keep it in the chosen area order.
    figure.update_layout(legend={"traceorder": "normal"})


def change_by_type_figure(frame: pd.DataFrame, area_code: str) -> PlainFigure:
    """Horizontal bars of the percentage change by crime type; significant changes are
    solid and labelled, the rest hatched grey, so the difference does not rest on colour."""
    frame = frame.sort_values("percent_change")
    significant = frame["significant"].tolist()
    labels = [f"{v:+.0f}%{' (significant)' if s else ''}" for v, s in zip(frame["percent_change"], significant)]
    figure = new_figure(base_layout("", "Change (%)"))
    figure.add_trace(
        bar_trace(
            x=frame["percent_change"].astype("float64").round(1).tolist(),
            y=frame["crime_type_name"].tolist(),
            orientation="h",
            text=labels, textposition="outside", cliponaxis=False,
            marker={
                "color": [area_colour(area_code) if s else "white" for s in significant],
                "line": {"color": [area_colour(area_code) if s else NOT_SIGNIFICANT for s in significant], "width": 1.5},
                "pattern": {"shape": ["" if s else "/" for s in significant], "fgcolor": NOT_SIGNIFICANT},
            },
            hovertemplate="%{y}: %{x:+.1f}%<extra></extra>",
            showlegend=False,
        )
    )
    figure.update_layout(
        height=max(320, 34 * len(frame) + 80), hovermode="closest",
        margin={"l": 200, "r": 120, "t": 16, "b": 48},
        xaxis={"zeroline": True, "zerolinecolor": "#6c757d", "ticksuffix": "%"},
        yaxis={"rangemode": "normal", "gridcolor": "white"},
    )
    return figure


def grouped_bar_figure(frame: pd.DataFrame, category: str, value: str, y_title: str,
                       low: str | None = None, high: str | None = None, horizontal: bool = False) -> PlainFigure:
    """Bars of ``value`` by ``category``, one colour per area, with optional error bars.
    Horizontal bars suit many or long category names."""
    if horizontal:
        return _horizontal_bars(frame, category, value, y_title)
    traces = []
    for code, rows in frame.groupby("area_code", sort=False):
        name = rows["area_name"].iloc[0]
        trace = {"type": "bar", "x": rows[category].tolist(), "y": rows[value].astype("float64").round(3).tolist(),
                 "name": name, "marker": {"color": area_colour(code)}, "hovertemplate": f"{name}: %{{y:,}}<extra></extra>"}
        if low and high:
            trace["error_y"] = {"type": "data", "symmetric": False, "color": "#1b1b1b", "thickness": 1.2,
                                "array": (rows[high] - rows[value]).astype("float64").round(3).tolist(),
                                "arrayminus": (rows[value] - rows[low]).astype("float64").round(3).tolist()}
        traces.append(trace)
    layout = base_layout(y_title)
    layout.update(barmode="group", hovermode="x unified")
    layout["xaxis"]["type"] = "category"
    return new_figure(layout, traces)


def _horizontal_bars(frame: pd.DataFrame, category: str, value: str, x_title: str) -> PlainFigure:
    categories = list(dict.fromkeys(frame[category]))
    traces = []
    for code, rows in frame.groupby("area_code", sort=False):
        name = rows["area_name"].iloc[0]
        traces.append({"type": "bar", "y": rows[category].tolist(), "x": rows[value].astype("float64").round(3).tolist(),
                       "orientation": "h", "name": name, "marker": {"color": area_colour(code)},
                       "hovertemplate": f"{name}: %{{x:,}}<extra></extra>"})
    layout = base_layout("", x_title)
    layout.update(
        barmode="group", hovermode="y unified", height=max(320, 26 * len(categories) * max(1, frame["area_code"].nunique()) // 2 + 120),
        margin={"l": 210, "r": 24, "t": 16, "b": 48},
    )
    layout["yaxis"].update(type="category", categoryorder="array", categoryarray=categories[::-1], gridcolor="white")
    layout["xaxis"].update(gridcolor="#e3e3e3", rangemode="tozero")
    return new_figure(layout, traces)


def seasonal_figure(frame: pd.DataFrame, y_title: str) -> PlainFigure:
    """One line per financial year across its four quarters, newest strongest."""
    figure = new_figure(base_layout(y_title))
    years = list(dict.fromkeys(frame["financial_year"]))
    greys = ["#9E9E9E", "#767676", "#5C5C5C", "#424242", "#303030"]
    for position, year in enumerate(years):
        rows = frame[frame["financial_year"] == year]
        newest = position == len(years) - 1
        figure.add_trace(
            scatter_trace(
                x=rows["quarter_name"].tolist(), y=rows["value"].astype("float64").tolist(), name=year,
                mode="lines+markers",
                line={"color": "#0072B2" if newest else greys[max(0, len(greys) - len(years) + position)],
                      "width": 3 if newest else 1.8, "dash": "solid" if newest else ["dot", "dash", "dashdot", "longdash"][position % 4]},
                hovertemplate=f"{year}: %{{y:,}}<extra></extra>",
            )
        )
    figure.update_xaxes(type="category")
    return figure


YEAR_GREYS = ("#9E9E9E", "#858585", "#6E6E6E", "#5C5C5C")
YEAR_DASHES = ("dot", "dash", "dashdot", "longdash")


def months_by_year(frame: pd.DataFrame, column: str = "count") -> dict[str, dict[str, object]]:
    """A seasonal frame's ``column`` as {year: {month name: value}}, in the frame's order, from
    plain lists in one pass (a frame filtered per year cost more than the figure)."""
    by_year: dict[str, dict[str, object]] = {}
    for year, name, value in zip(frame["year"].tolist(), frame["month_name"].tolist(), frame[column].tolist()):
        by_year.setdefault(year, {})[name] = value
    return by_year


def year_by_month_figure(frame: pd.DataFrame, y_title: str) -> PlainFigure:
    """One line per calendar year across January to December: the latest year thick and
    coloured, earlier years thin greys told apart by their dashes (not colour alone)."""
    figure = new_figure(base_layout(y_title))
    by_year, labels_by_year = months_by_year(frame), months_by_year(frame, "period_label")
    years = sorted(by_year)
    for position, year in enumerate(years):
        by_name = {name: float("nan") if is_missing(count) else float(count) for name, count in by_year[year].items()}
        labels = labels_by_year[year]
        newest = position == len(years) - 1
        back = len(years) - 1 - position  # 1 for the year before the latest
        # A month not loaded inside the year's span is None, so the line breaks there.
        loaded = [i for i, name in enumerate(periods.MONTH_NAMES) if name in by_name]
        span = periods.MONTH_NAMES[loaded[0]:loaded[-1] + 1] if loaded else ()
        figure.add_trace(scatter_trace(
            x=[name[:3] for name in span], y=[by_name.get(name) for name in span], name=year, connectgaps=False,
            mode="lines+markers",
            line={"color": "#0072B2" if newest else YEAR_GREYS[(back - 1) % len(YEAR_GREYS)],
                  "width": 3.5 if newest else 1.5, "dash": "solid" if newest else YEAR_DASHES[(back - 1) % len(YEAR_DASHES)]},
            marker={"size": 7 if newest else 4},
            customdata=[labels.get(name, f"{name} {year}: not loaded") for name in span],
            hovertemplate="%{customdata}: %{y:,}<extra></extra>",
        ))
    months = [m[:3] for m in periods.MONTH_NAMES]
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=months)
    return figure


# Sequential white-to-blue steps (ColorBrewer Blues) by share of the busiest cell: darker
# means more, and every cell is labelled with its count, so nothing is read from colour alone.
HEATMAP_STEPS = ((0.0, (247, 251, 255)), (0.25, (198, 219, 239)), (0.5, (107, 174, 214)), (0.75, (33, 113, 181)),
                 (1.0, (8, 48, 107)))


def heat_colour(share: float) -> tuple[int, int, int]:
    """The colour of a cell holding ``share`` of the busiest cell's count."""
    for (low, a), (high, b) in zip(HEATMAP_STEPS, HEATMAP_STEPS[1:]):
        if share <= high:
            t = (share - low) / (high - low)
            return tuple(round(x + (y - x) * t) for x, y in zip(a, b))
    return HEATMAP_STEPS[-1][1]


def weekday_hour_figure(frame: pd.DataFrame, weekdays: tuple[str, ...], count_title: str) -> PlainFigure:
    """A day-of-week (rows, Monday at the top) by hour (columns) grid of counts.

    Cells are layout rectangles and their counts a text trace: the page's plotly bundles
    hold scatter traces but no heatmap trace, and rectangles fill their cells at any width."""
    counts = {(int(d), int(h)): int(n) for d, h, n in frame[["weekday", "hour", "count"]].itertuples(index=False)}
    busiest = max(counts.values(), default=0) or 1
    shapes, xs, ys, texts, colours, hover = [], [], [], [], [], []
    for day in range(7):
        for hour in range(24):
            n = counts.get((day, hour), 0)
            fill = heat_colour(n / busiest)
            shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": hour - 0.5, "x1": hour + 0.5,
                           "y0": day - 0.5, "y1": day + 0.5, "fillcolor": "rgb({},{},{})".format(*fill),
                           "line": {"color": "white", "width": 1}, "layer": "below"})
            xs.append(hour)
            ys.append(day)
            texts.append(str(n) if n else "")
            colours.append("white" if sum(fill) / 3 < 140 else "#1b1b1b")
            hover.append(f"{weekdays[day]} {hour:02d}:00 to {hour:02d}:59: {n:,} {count_title.lower()}")
    layout = base_layout("", "Hour the incident began")
    layout.update(hovermode="closest", height=340, margin={"l": 48, "r": 8, "t": 8, "b": 48}, shapes=shapes,
                  showlegend=False)
    figure = new_figure(layout, [scatter_trace(x=xs, y=ys, mode="text", text=texts, textfont={"color": colours, "size": 11},
                                       hovertext=hover, hoverinfo="text")])
    figure.update_xaxes(range=[-0.5, 23.5], tickmode="array", tickvals=list(range(0, 24, 3)),
                        ticktext=[f"{h:02d}:00" for h in range(0, 24, 3)], showgrid=False, zeroline=False)
    # Three-letter day names leave a phone's narrow chart its width; the hover text has them whole.
    figure.update_yaxes(range=[6.5, -0.5], tickmode="array", tickvals=list(range(7)), ticktext=[d[:3] for d in weekdays],
                        showgrid=False, zeroline=False, title={"text": ""})
    return figure


def weekly_figure(frame: pd.DataFrame) -> PlainFigure:
    """Records per week: whole weeks joined by a line, weeks reaching into months not loaded
    as open circles apart from it (their counts cover only the loaded days)."""
    figure = new_figure(base_layout("Records a week"))
    whole = frame[frame["complete"]]
    partial = frame[~frame["complete"]]
    figure.add_trace(scatter_trace(x=whole["week_start"].tolist(), y=whole["count"].tolist(), mode="lines+markers",
                                   name="Whole weeks", line={"color": "#0072B2", "width": 2}, marker={"size": 5},
                                   hovertemplate="Week of %{x}: %{y:,}<extra></extra>"))
    if len(partial):
        figure.add_trace(scatter_trace(x=partial["week_start"].tolist(), y=partial["count"].tolist(), mode="markers",
                                       name="Partial weeks", marker={"size": 8, "symbol": "circle-open", "color": "#4D4D4D"},
                                       hovertemplate="Week of %{x} (partial): %{y:,}<extra></extra>"))
    figure.update_xaxes(type="date")
    figure.update_layout(hovermode="closest")
    return figure


def partner_months_figure(frame: pd.DataFrame) -> PlainFigure:
    """A partner source's records by month, one line per area; a month not loaded or
    withheld has no value, and the line breaks there (never a zero)."""
    figure = new_figure(base_layout("Records"))
    for code, rows in frame.groupby("area_code", sort=False):
        name = rows["area_name"].iloc[0]
        figure.add_trace(scatter_trace(
            x=[f"{p}-01" for p in rows["period"]], y=[None if pd.isna(v) else int(v) for v in rows["count"]],
            name=name, connectgaps=False, mode="lines+markers",
            line={"color": area_colour(code), "width": 2.5, "dash": area_dash(code)}, marker={"size": 6},
            customdata=rows["shown"].tolist(), hovertemplate=f"{name}, %{{x|%B %Y}}: %{{customdata}}<extra></extra>"))
    short = frame["period"].nunique() <= SHORT_RANGE_MONTHS
    figure.update_xaxes(type="date", tickformat="%B %Y", **({"dtick": "M1"} if short else {}))
    figure.update_yaxes(rangemode="tozero")
    return figure
