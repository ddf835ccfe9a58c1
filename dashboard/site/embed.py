"""``/embed/<chart id>?<filters>``: one chart, chromeless, for an intranet iframe.

It is a path of the Dash app, so the chart is the page's own card (``chart_card``) drawn by
the same plotly.js bundle, under the same URL prefix and Content-Security-Policy. The shell's
header, footer and filter bar are hidden as for ``?embed=1``; ``assets/embed-height.js``
tells the host page the document's height.
"""

from __future__ import annotations

from dash import html

from dashboard.chart_data.embeds import embed_defaults, embed_view
from dashboard.chart_data.filters import Filters
from dashboard.server.auth import request_reader
from dashboard.widgets import ids
from dashboard.widgets.chart_section import add_first_frame, chart_card, mark_demo
from dashboard.widgets.components import demo_notice
from queries.counts import has_synthetic_months


def embedded_chart(query_cache, chart_id: str, filters: Filters, shows_incidents: bool) -> html.Div:
    """The chart's card for these filters. ``shows_incidents``: whether the chart's page draws
    police.uk incidents, so that the embed, like the page, says when they are the demo set."""
    card = chart_card(embed_view(request_reader(query_cache), chart_id, filters), filters.to_query(embed_defaults(chart_id)))
    add_first_frame(card)  # an intranet page shows the chart before plotly has drawn it
    content = card
    if shows_incidents and query_cache.get(has_synthetic_months):
        mark_demo(card)
        content = [demo_notice(), card]
    return html.Div(content, id=ids.EMBED_CHART, className="embedded-chart")
