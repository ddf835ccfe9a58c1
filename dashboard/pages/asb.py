"""Anti-social behaviour (``/asb``): the police.uk trend, incidents by type and council cases."""

from __future__ import annotations

from dashboard.chart_data import asb
from dashboard.pages.common import Page, chart_cards
from dashboard.widgets.filter_bar import AREAS_CONTROL, GRAIN_CONTROL, MEASURE_CONTROL, PERIOD_CONTROL


def render(reader, filters, query: str) -> list:
    return chart_cards(asb.views(reader, filters), query)


PAGE = Page(
    key="asb", path="/asb", title="Anti-social behaviour", nav_label="ASB",
    intro="Anti-social behaviour reported to the police, by type, the council's own cases and needle finds by "
          "month once loaded, and the cases the council investigates where the partnership's published reports "
          "give them.",
    defaults=asb.DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL, GRAIN_CONTROL, MEASURE_CONTROL}),
    render=render,
)
