"""Targets (``/targets``): progress against each target's line: on track, within tolerance or off track."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from ..chart_data import targets
from ..filter_bar import AREAS_CONTROL, PERIOD_CONTROL
from .common import Page, chart_cards


def render(reader, filters, query: str) -> list:
    views = targets.views(reader, filters)
    intro = html.P([
        ("A target is on track when the change since its baseline is at or below its target line (a straight "
        "line from the baseline to the target at the end period), within tolerance when above the line by no "
        "more than the tolerance or not significantly so, and off track otherwise (exact conditional test, "
        "one-sided, p < 0.05). The Community Safety Plan 2011-14's targets ship with the dashboard and are "
        "judged once data.police.uk months of their periods are imported. Partners and administrators "),
        html.A("record targets", href="record/targets"), ".",
    ])
    # The filters choose the board report's areas and quarter (the last whole one to "to").
    links = html.P([
        html.A("Board report (PDF)", href=f"board-report.pdf{query}", className="btn btn-outline-primary btn-sm me-2"),
        html.A("Board report tables (CSV, zip)", href=f"board-report.zip{query}",
               className="btn btn-outline-primary btn-sm"),
    ])
    intro = html.Div([intro, links])
    if not views:
        return [intro, dbc.Alert("No targets are recorded.", color="info")]
    return [intro, *chart_cards(views, query)]


PAGE = Page(
    key="targets", path="/targets", title="Targets", nav_label="Targets",
    intro="Progress against the partnership's targets, with the test behind each judgement.",
    defaults=targets.DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL}), render=render,
)
