"""Repeat victimisation (``/repeat-victimisation``): published and partner repeat rates, and
repeat locations in police.uk data."""

from __future__ import annotations

from dashboard.chart_data import repeat
from dashboard.pages.common import Page, chart_cards
from dashboard.widgets.filter_bar import AREAS_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL


def render(reader, filters, query: str) -> list:
    return chart_cards(repeat.views(reader, filters), query)


PAGE = Page(
    key="repeat-victimisation", path="/repeat-victimisation", title="Repeat victimisation", nav_label="Repeat victims",
    intro="How often victims are victimised again, and how much crime happens at places hit again and again.",
    defaults=repeat.DEFAULTS, controls=frozenset({AREAS_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL}), render=render,
)
