"""The charts an intranet page may embed one at a time (``/embed/<chart id>``), each with the
view function its own page draws it with, so an embed shows exactly what the page shows.

The hotspot map and tables are left out: they are one analysis drawn together, not charts
that stand alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from dashboard.chart_data import asb, crime, domestic_abuse, exploitation, overview, partner_months, repeat
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartView, Reader

EMBED_PREFIX = "/embed/"

# chart id -> (view function, the page's filter defaults, the page's path)
_VIEWS: dict[str, tuple[Callable[[Reader, Filters], ChartView | None], Filters, str]] = {
    overview.TREND.chart_id: (overview.trend_view, overview.DEFAULTS, "/"),
    crime.TREND.chart_id: (crime.trend_view, crime.DEFAULTS, "/crime"),
    crime.CHANGE.chart_id: (crime.change_view, crime.DEFAULTS, "/crime"),
    crime.PUBLISHED.chart_id: (crime.published_view, crime.DEFAULTS, "/crime"),
    asb.TREND.chart_id: (asb.trend_view, asb.DEFAULTS, "/asb"),
    asb.BY_TYPE.chart_id: (asb.by_type_view, asb.DEFAULTS, "/asb"),
    asb.COUNCIL.chart_id: (asb.council_view, asb.DEFAULTS, "/asb"),
    domestic_abuse.OFFENCES.chart_id: (domestic_abuse.offences_view, domestic_abuse.DEFAULTS, "/domestic-abuse"),
    domestic_abuse.CHILDREN.chart_id: (domestic_abuse.children_view, domestic_abuse.DEFAULTS, "/domestic-abuse"),
    repeat.RATES.chart_id: (repeat.rates_view, repeat.DEFAULTS, "/repeat-victimisation"),
    repeat.LOCATIONS.chart_id: (repeat.locations_view, repeat.DEFAULTS, "/repeat-victimisation"),
    **{partner_months.SPECS[s].chart_id: (partner_months.view_of(s), asb.DEFAULTS, "/asb") for s in partner_months.ASB_SOURCES},
    **{partner_months.SPECS[s].chart_id: (partner_months.view_of(s), crime.DEFAULTS, "/crime") for s in partner_months.CRIME_SOURCES},
    **{spec.chart_id: (partial(exploitation.view, spec), exploitation.DEFAULTS, "/exploitation") for spec in exploitation.CHARTS},
}

EMBEDDABLE = frozenset(_VIEWS)


def embedded_chart_id(local_path: str) -> str | None:
    """The chart id of an embed path (``/embed/crime-trend``), or None for any other path
    or an id that names no embeddable chart."""
    if not local_path.startswith(EMBED_PREFIX):
        return None
    chart_id = local_path[len(EMBED_PREFIX):].rstrip("/")
    return chart_id if chart_id in EMBEDDABLE else None


def embed_defaults(chart_id: str) -> Filters:
    return _VIEWS[chart_id][1]


def page_path_of(chart_id: str) -> str:
    """The path of the page that shows the chart, for the 'open the full view' link."""
    return _VIEWS[chart_id][2]


def embed_view(reader: Reader, chart_id: str, filters: Filters) -> ChartView:
    """The chart's view as its page draws it; a chart with nothing to show for these filters
    (the change by type needs an area) says so rather than vanishing."""
    view_function = _VIEWS[chart_id][0]
    view = view_function(reader, filters)
    if view is None:
        return ChartView.nothing_to_draw(crime.CHANGE, "Change by crime type", "Choose an area to see this chart.")
    return view
