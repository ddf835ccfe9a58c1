"""Pure builders from tidy DataFrames to plotly figures, with one colour per area.

Figures use ``graph_objects`` (plotly express is ~20x slower to build, which matters in
callbacks).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from queries.reference import OXFORD, OXFORDSHIRE, THAMES_VALLEY

# Okabe-Ito colour-blind-safe palette; each has at least 3:1 contrast on white (WCAG 2.2
# 1.4.11 non-text contrast): blue 5.1:1, vermillion 3.6:1, bluish green 3.3:1.
AREA_COLOURS = {OXFORD: "#0072B2", OXFORDSHIRE: "#D55E00", THAMES_VALLEY: "#007A5E"}
OTHER_COLOURS = ["#5B4A9E", "#8A5A00", "#444444", "#A6427A", "#2B6E99"]
AREA_DASHES = {OXFORD: "solid", OXFORDSHIRE: "dash", THAMES_VALLEY: "dot"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def area_colour(code: str, position: int = 0) -> str:
    return AREA_COLOURS.get(code, OTHER_COLOURS[position % len(OTHER_COLOURS)])


def base_layout(title: str, y_title: str) -> dict:
    # The page shows the title as a heading; the figure keeps it for PNG downloads.
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT, "size": 13, "color": "#1b1b1b"},
        "margin": {"l": 64, "r": 16, "t": 56, "b": 48},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {"showgrid": False, "linecolor": "#6c757d", "ticks": "outside"},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e3e3e3", "rangemode": "tozero", "zeroline": False},
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "hovermode": "x unified",
    }


def trend_figure(frame: pd.DataFrame, measure: str, title: str) -> go.Figure:
    """One line per area: ``measure`` ('count' or 'rate_per_1000') by period."""
    y_title = "Rate per 1,000 residents" if measure == "rate_per_1000" else "Count"
    figure = go.Figure(layout=base_layout(title, y_title))
    for position, (code, rows) in enumerate(frame.groupby("area_code", sort=False)):
        rows = rows.sort_values("first_month")
        name = rows["area_name"].iloc[0]
        values = rows[measure].astype("float64").round(2 if measure == "rate_per_1000" else 0)
        figure.add_trace(
            go.Scatter(
                x=rows["period"].tolist(),
                y=values.tolist(),
                name=name,
                mode="lines+markers" if len(rows) < 30 else "lines",
                line={"color": area_colour(code, position), "width": 2.5, "dash": AREA_DASHES.get(code, "solid")},
                hovertemplate=f"{name}: %{{y:,}}<extra></extra>",
            )
        )
    figure.update_xaxes(type="category")
    return figure


def empty_figure(message: str) -> go.Figure:
    """A figure that says why there is nothing to show, rather than blank axes."""
    figure = go.Figure(layout=base_layout("", ""))
    figure.update_layout(
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 15}, "x": 0.5, "y": 0.5,
                      "xref": "paper", "yref": "paper"}],
    )
    return figure
