"""What each chart shows, for every view of it: page, table, CSV, API and PDF pack.

Dash-free and Flask-free: functions take a ``Reader`` (cached queries and the audience)
and ``Filters``, and return frames and ``ChartView``s. Pages turn views into components.
"""

from __future__ import annotations

from dashboard.chart_data import (
    asb,
    crime,
    domestic_abuse,
    exploitation,
    harm,
    hotspots,
    incident_heatmap,
    interventions,
    overview,
    peers,
    repeat,
    targets,
)
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.series import SERIES_CHART_PREFIX, series_chart, series_exists_for
from dashboard.chart_data.spec import ChartSpec, Reader

# Every named chart with the filter defaults of the page it belongs to.
_MODULES = (overview, crime, asb, domestic_abuse, repeat, exploitation, hotspots, peers, harm)
CHARTS: dict[str, tuple[ChartSpec, Filters]] = {
    spec.chart_id: (spec, module.DEFAULTS) for module in _MODULES for spec in module.CHARTS
} | {spec.chart_id: (spec, hotspots.DEFAULTS) for spec in incident_heatmap.CHARTS}


def find_chart(chart_id: str, reader: Reader) -> tuple[ChartSpec, Filters] | None:
    """A chart by id: a named chart, a series the reader may see as ``series-<series id>``, an
    intervention as ``intervention-<id>`` or a target as ``target-<id>``."""
    if chart_id in CHARTS:
        return CHARTS[chart_id]
    series_id = chart_id.removeprefix(SERIES_CHART_PREFIX)
    if chart_id.startswith(SERIES_CHART_PREFIX) and series_id and series_exists_for(reader, series_id):
        return series_chart(series_id), Filters()
    # One chart per stored intervention and target; an unknown one gives an empty table.
    if chart_id.startswith(interventions.CHART_PREFIX) and chart_id.removeprefix(interventions.CHART_PREFIX).isdigit():
        return interventions.spec_for(int(chart_id.removeprefix(interventions.CHART_PREFIX))), Filters()
    if chart_id.startswith(targets.CHART_PREFIX) and len(chart_id) > len(targets.CHART_PREFIX):
        return targets.spec_for(chart_id.removeprefix(targets.CHART_PREFIX)[:80]), Filters()
    return None
