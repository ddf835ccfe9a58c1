"""Interventions (``/interventions``): each recorded intervention evaluated before and after."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from ..chart_data import interventions
from ..filter_bar import AREAS_CONTROL, PERIOD_CONTROL
from .common import Page, chart_cards


def render(reader, filters, query: str) -> list:
    views = interventions.views(reader, filters)
    intro = html.P([
        ("Each intervention's months are set against the same months a year earlier (or as many months just "
        "before), in the target area, its control and any displacement buffer. The weighted displacement "
        "difference (Wheeler & Ratcliffe 2018) counts the crimes prevented relative to the control, with a 95% "
        "confidence interval; where 24 months precede the start, an interrupted time series with seasonality "
        "(Bernal, Cummins & Gasparrini 2017) tests the change in level and trend. Partners and administrators "),
        html.A("record interventions", href="record/interventions"), " (or load them from a CSV file).",
    ])
    # The filters choose the board report's areas and quarter (the last whole one to "to").
    links = html.P([
        html.A("Board report (PDF)", href=f"board-report.pdf{query}", className="btn btn-outline-primary btn-sm me-2"),
        html.A("Board report tables (CSV, zip)", href=f"board-report.zip{query}",
               className="btn btn-outline-primary btn-sm"),
    ])
    intro = html.Div([intro, links])
    if not views:
        return [intro, dbc.Alert("No interventions are recorded yet.", color="info")]
    return [intro, *chart_cards(views, query)]


PAGE = Page(
    key="interventions", path="/interventions", title="Did it work? Interventions evaluated",
    nav_label="Interventions",
    intro="Before and after each recorded intervention, against a control area, with the test behind the verdict.",
    defaults=interventions.DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL}), render=render,
)
