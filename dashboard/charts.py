"""What every chart has: its plotted values (shared by figure, table and CSV) and a card.

A chart's ``data`` function is the single source of the numbers it shows: the figure, the
"show as table" alternative and the CSV download are all drawn from its result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from . import ids
from .components import data_table


@dataclass(frozen=True)
class Chart:
    chart_id: str
    data: Callable  # (query_cache, filters) -> DataFrame of the plotted values
    columns: tuple[tuple[str, str], ...]  # (column, heading) for the table and the CSV


def chart_card(
    chart: Chart,
    frame: pd.DataFrame,
    figure: go.Figure,
    title: str,
    summary: str,
    caption: str,
    filters_query: str,
    notices: list | None = None,
) -> html.Section:
    """A chart with its title, generated summary, source caption, table and downloads."""
    heading_id = f"{chart.chart_id}-heading"
    summary_id = f"{chart.chart_id}-summary"
    graph_id = ids.chart_graph(chart.chart_id)
    figure.update_layout(meta={"title": title})
    return html.Section(
        [
            html.H2(title, id=heading_id, className="h5"),
            *(notices or []),
            html.P(summary, id=summary_id, className="chart-summary"),
            html.Figure(
                [
                    dcc.Graph(
                        id=graph_id, figure=figure, className="chart",
                        config={"displaylogo": False, "responsive": True,
                                "toImageButtonOptions": {"filename": chart.chart_id, "scale": 2}},
                    ),
                    html.Figcaption(caption, className="chart-caption text-body-secondary small"),
                ],
                className="mb-2",
                **{"aria-describedby": summary_id},
            ),
            html.Div(
                [
                    html.A("Download CSV", href=f"download/{chart.chart_id}.csv{filters_query}",
                           className="btn btn-outline-primary btn-sm", download=f"{chart.chart_id}.csv"),
                    html.Button("Download PNG", id={"type": ids.PNG_BUTTON, "chart": chart.chart_id},
                                className="btn btn-outline-primary btn-sm", type="button", n_clicks=0),
                    html.Span(id={"type": ids.PNG_STATUS, "chart": chart.chart_id}, className="visually-hidden",
                              role="status"),
                ],
                className="d-flex gap-2 mb-2",
            ),
            html.Details([html.Summary("Show as table"), data_table(frame, list(chart.columns), title)],
                         className="table-alternative"),
        ],
        className="chart-card card card-body mb-4",
        **{"aria-labelledby": heading_id},
    )


def message_card(title: str, message: str, kind: str = "info") -> html.Section:
    """A chart's place when there is nothing to draw: a heading and the reason."""
    return html.Section(
        [html.H2(title, className="h5"), dbc.Alert(message, color=kind, class_name="mb-0")],
        className="chart-card card card-body mb-4",
    )


def csv_text(chart: Chart, frame: pd.DataFrame) -> str:
    table = frame[[c for c, _ in chart.columns]].rename(columns=dict(chart.columns))
    return table.to_csv(index=False, lineterminator="\n")
