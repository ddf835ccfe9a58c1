"""Overview (``/``): the latest 12 months against the 12 before, in each chosen area."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.chart_data import overview
from dashboard.charts.formatting import list_names
from dashboard.pages.common import Page
from dashboard.widgets import ids
from dashboard.widgets.chart_section import chart_card
from dashboard.widgets.components import stat_card
from dashboard.widgets.filter_bar import AREAS_CONTROL, MEASURE_CONTROL, PERIOD_CONTROL
from queries import partnership
from queries.areas import area_name


def render(reader, filters, query: str) -> list:
    why = overview.why_empty(reader, filters)
    if why:
        return [dbc.Alert(why, color="info")]
    # The trend first: its months hold the comparison's, which are then sliced from its read
    # within this request (queries/shared_reads.py) instead of read again.
    trend = overview.trend_view(reader, filters)
    figures = overview.comparison(reader, filters)
    return [
        html.P([figures.headline[0], " ", figures.headline[1]], id=ids.OVERVIEW_SUMMARY, className="lead"),
        html.H2(f"{overview.ALL_CRIME_LABEL}, {figures.period_text}", className="h5 mt-4"),
        _cards(figures.crime),
        html.H2(f"{overview.ASB_LABEL}, {figures.period_text}", className="h5 mt-4"),
        _cards(figures.asb),
        chart_card(trend, query),
    ]


def _cards(areas) -> dbc.Row:
    return dbc.Row([dbc.Col(stat_card(a.area_name, a.count, a.rate, a.detail, a.verdict), md=4, class_name="mb-3")
                    for a in areas])


PAGE = Page(
    key="overview", path="/", title=f"Community safety in {partnership.current().home_name}", nav_label="Overview",
    intro="Crime and anti-social behaviour in the latest 12 months against the 12 before, "
          f"in {list_names([area_name(code) for code in partnership.current().areas])}.",
    defaults=overview.DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL, MEASURE_CONTROL}), render=render,
)
