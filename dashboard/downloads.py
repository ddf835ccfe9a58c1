"""CSV downloads of every chart's plotted values (``/download/<chart>.csv?<filters>``) and
the tasking pack. The numbers come from the chart layer, as the pages' do."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from . import board_report, pack
from .auth import request_reader
from .chart_data import find_chart
from .chart_data.board import DEFAULTS as BOARD_DEFAULTS
from .chart_data.hotspots import DEFAULTS as HOTSPOT_DEFAULTS
from .csv_output import chart_csv, csv_file_name
from .filters import Filters


def create_downloads(query_cache) -> Blueprint:
    downloads = Blueprint("downloads", __name__)

    def filters_from_request(defaults: Filters) -> Filters:
        return Filters.from_query(request.query_string.decode("utf-8", "replace"), defaults)

    @downloads.get("/download/<chart_id>.csv")
    def download(chart_id: str):
        reader = request_reader(query_cache)
        found = find_chart(chart_id, reader)
        if found is None:
            abort(404)
        spec, defaults = found
        filters = filters_from_request(defaults)
        frame = spec.data(reader, filters)
        return Response(
            chart_csv(spec, frame), mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{csv_file_name(chart_id, filters, frame)}"'},
        )

    @downloads.get("/hotspots/pack.pdf")
    def pack_pdf():
        reader, filters = request_reader(query_cache), filters_from_request(HOTSPOT_DEFAULTS)
        return Response(pack.build_pdf(reader, filters), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{pack.pack_name(reader, filters, "pdf")}"'})

    @downloads.get("/hotspots/pack.zip")
    def pack_zip():
        reader, filters = request_reader(query_cache), filters_from_request(HOTSPOT_DEFAULTS)
        return Response(pack.build_zip(reader, filters), mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{pack.pack_name(reader, filters, "zip")}"'})

    @downloads.get("/board-report.pdf")
    def board_pdf():
        reader, filters = request_reader(query_cache), filters_from_request(BOARD_DEFAULTS)
        return Response(board_report.build_pdf(reader, filters), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{board_report.report_name(reader, filters, "pdf")}"'})

    @downloads.get("/board-report.zip")
    def board_zip():
        reader, filters = request_reader(query_cache), filters_from_request(BOARD_DEFAULTS)
        return Response(board_report.build_zip(reader, filters), mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{board_report.report_name(reader, filters, "zip")}"'})

    return downloads
