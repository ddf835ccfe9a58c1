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

    def attachment(body: bytes, mimetype: str, file_name: str) -> Response:
        return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{file_name}"'})

    # The tasking pack and the board report, each as a PDF and as a zip of its tables.
    documents = {
        "hotspots/pack": (pack.build_pdf, pack.build_zip, pack.pack_name, HOTSPOT_DEFAULTS),
        "board-report": (board_report.build_pdf, board_report.build_zip, board_report.report_name, BOARD_DEFAULTS),
    }
    for path, (build_pdf, build_zip, name, defaults) in documents.items():
        for extension, build, mimetype in (("pdf", build_pdf, "application/pdf"), ("zip", build_zip, "application/zip")):
            def document(build=build, name=name, defaults=defaults, extension=extension, mimetype=mimetype):
                reader, filters = request_reader(query_cache), filters_from_request(defaults)
                return attachment(build(reader, filters), mimetype, name(reader, filters, extension))

            downloads.add_url_rule(f"/{path}.{extension}", f"{path.replace('/', '_')}_{extension}", document)

    return downloads
