"""Peers (``/peers``): the partnership's district among the districts most like it, and a funnel
plot of every loaded district."""

from __future__ import annotations

from dash import html

from dashboard.chart_data import harm, peers
from dashboard.pages.common import Page, chart_cards


def render(reader, filters, query: str) -> list:
    intro = html.P(
        "Districts are compared on the same 12 months, the latest loaded for the partnership's force; a district "
        "missing any of them is named and left out. Peers are the districts nearest the partnership on population "
        "density, age structure and deprivation, each standardised, by straight-line (Euclidean) distance, as in the "
        "Home Office's most similar groups. The partnership can set its own group (PEER_GROUP) or import an official "
        "one (OFFICIAL_PEER_GROUP_FILE). The funnel plot's limits show how far a district's rate may sit from the "
        "rate of all the districts compared, for its size, allowing for how much districts really differ.",
        className="text-body-secondary")
    # No filter applies to these charts: an empty query keeps a chosen crime type or area out of
    # their PNG captions, CSV names and links.
    return [intro, *chart_cards([*peers.views(reader, filters), *harm.views(reader, filters)], "")]


PAGE = Page(
    key="peers", path="/peers", title="Peers", nav_label="Peers",
    intro="The partnership among the districts most like it, every loaded district on a funnel plot, and the "
          "ONS Crime Severity Score.",
    defaults=peers.DEFAULTS, controls=frozenset(), render=render,
)
