"""CSV downloads of every chart's plotted values (``/download/<chart>.csv?<filters>``)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from .charts import csv_text
from .filters import Filters
from .pages import PAGES
from .pages.common import SERIES_CHART_PREFIX, series_chart


def create_downloads(query_cache) -> Blueprint:
    charts = {chart_id: (chart, page.defaults) for page in PAGES for chart_id, chart in page.charts.items()}
    downloads = Blueprint("downloads", __name__)

    @downloads.get("/download/<chart_id>.csv")
    def download(chart_id: str):
        if chart_id in charts:
            chart, defaults = charts[chart_id]
        elif chart_id.startswith(SERIES_CHART_PREFIX):
            chart, defaults = series_chart(chart_id.removeprefix(SERIES_CHART_PREFIX)), Filters()
        else:
            abort(404)
        filters = Filters.from_query(request.query_string.decode("utf-8", "replace"), defaults)
        frame = chart.data(query_cache, filters)
        return Response(
            csv_text(chart, frame), mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{chart_id}.csv"'},
        )

    @downloads.get("/hotspots/pack.pdf")
    def pack_pdf():
        from . import pack

        filters = _hotspot_filters()
        return Response(pack.build_pdf(query_cache, filters), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{pack.pack_name(filters, query_cache, "pdf")}"'})

    @downloads.get("/hotspots/pack.zip")
    def pack_zip():
        from . import pack

        filters = _hotspot_filters()
        return Response(pack.build_zip(query_cache, filters), mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{pack.pack_name(filters, query_cache, "zip")}"'})

    def _hotspot_filters() -> Filters:
        from .pages.hotspots import DEFAULTS

        return Filters.from_query(request.query_string.decode("utf-8", "replace"), DEFAULTS)

    return downloads
