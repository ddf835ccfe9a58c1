"""Interventions (``/interventions``): each recorded intervention evaluated before and after."""

from __future__ import annotations

import dash_bootstrap_components as dbc

from dashboard.chart_data import interventions
from dashboard.pages.common import Page, chart_cards
from dashboard.widgets.components import intro_with_board_report
from dashboard.widgets.filter_bar import AREAS_CONTROL, PERIOD_CONTROL


def render(reader, filters, query: str) -> list:
    views = interventions.views(reader, filters)
    intro = intro_with_board_report(
        "Each intervention's months are set against the same months a year earlier (where those are not loaded, "
        "two or three years earlier; never other seasons without saying so), in the target area, its control and "
        "any displacement buffer. The weighted displacement "
        "difference (Wheeler & Ratcliffe 2018) counts the crimes prevented relative to the control, with a 95% "
        "confidence interval; where 24 months precede the start, an interrupted time series with seasonality "
        "(Bernal, Cummins & Gasparrini 2017) tests the change in level and trend. Partners and administrators ",
        "record interventions", "record/interventions", " (or load them from a CSV file).", query)
    if not views:
        return [intro, dbc.Alert("No interventions are recorded yet.", color="info")]
    more = interventions.unshown_count(reader)
    note = [dbc.Alert(f"The {interventions.SHOWN} latest-starting interventions are shown; {more:,} more are "
                      "evaluated through the API (/api/v1/interventions, a page at a time).", color="secondary")] if more else []
    return [intro, *note, *chart_cards(views, query)]


PAGE = Page(
    key="interventions", path="/interventions", title="Did it work? Interventions evaluated",
    nav_label="Interventions",
    intro="Before and after each recorded intervention, against a control area, with the test behind the verdict.",
    defaults=interventions.DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL}), render=render,
)
