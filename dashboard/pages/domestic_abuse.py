"""Domestic abuse (``/domestic-abuse``): offences by year, occurrences involving children by
quarter, and partner series for the theme."""

from __future__ import annotations

from dash import html

from dashboard.chart_data import domestic_abuse
from dashboard.pages.common import Page, chart_cards
from dashboard.widgets.filter_bar import AREAS_CONTROL, MEASURE_CONTROL


def render(reader, filters, query: str) -> list:
    content = chart_cards([domestic_abuse.offences_view(reader, filters), domestic_abuse.children_view(reader, filters)],
                          query)
    partner = domestic_abuse.partner_views(reader, filters)
    note = domestic_abuse.partner_series_note(reader, partner)
    if note:
        content.append(html.P(note, className="text-body-secondary"))
    return content + chart_cards(partner, query)


PAGE = Page(
    key="domestic-abuse", path="/domestic-abuse", title="Domestic abuse", nav_label="Domestic abuse",
    intro="Domestic abuse offences recorded by the police, domestic occurrences involving children, and partners' series.",
    defaults=domestic_abuse.DEFAULTS, controls=frozenset({AREAS_CONTROL, MEASURE_CONTROL}), render=render,
    shows_incidents=False,
)
