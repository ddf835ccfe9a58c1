"""Crime (``/crime``): trends, change by crime type, and the published totals beside police.uk."""

from __future__ import annotations

from dashboard.chart_data import crime
from dashboard.pages.common import Page, chart_cards
from dashboard.widgets.filter_bar import ALL_CONTROLS


def render(reader, filters, query: str) -> list:
    return chart_cards(crime.views(reader, filters), query)


PAGE = Page(
    key="crime", path="/crime", title="Crime", nav_label="Crime",
    intro="Recorded crime by area and crime type, how it has changed, and whether the change is significant.",
    defaults=crime.DEFAULTS, controls=ALL_CONTROLS, render=render,
)
