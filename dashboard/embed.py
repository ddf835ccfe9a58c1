"""``/embed/<chart id>?<filters>``: one chart, chromeless, for an intranet iframe.

It is a path of the Dash app, so the chart is the page's own card (``chart_card``) drawn by
the same plotly.js bundle, under the same URL prefix and Content-Security-Policy. The shell's
header, footer and filter bar are hidden as for ``?embed=1``; ``assets/embed-height.js``
tells the host page the document's height.
"""

from __future__ import annotations

from dash import Input, Output, State, html

from queries.counts import has_synthetic_months

from . import ids
from .auth import request_reader
from .chart_data.embeds import embed_defaults, embed_view, embedded_chart_id
from .charts import chart_card, mark_demo
from .components import demo_notice
from .filters import Filters


def embed_layout() -> list:
    return [html.Div(id=ids.EMBED_CHART, className="embedded-chart")]


def register_embed_callbacks(app, query_cache, local_path, shows_incidents) -> None:
    """``shows_incidents(chart_id)``: whether the chart's page draws police.uk incidents, so
    that the embed, like the page, says when they are the synthetic demo set."""

    @app.callback(Output(ids.EMBED_CHART, "children"), Input(ids.URL, "search"), State(ids.URL, "pathname"))
    def render_embedded_chart(search, pathname):
        chart_id = embedded_chart_id(local_path(app, pathname))
        if chart_id is None:  # the request guard answers 404 first; a client-side move lands here
            return html.P("There is no chart at this address.")
        defaults = embed_defaults(chart_id)
        filters = Filters.from_query(search if isinstance(search, str) else "", defaults)
        view = embed_view(request_reader(query_cache), chart_id, filters)
        card = chart_card(view, filters.to_query(defaults))
        if shows_incidents(chart_id) and query_cache.get(has_synthetic_months):
            mark_demo(card)
            return [demo_notice(), card]
        return card
