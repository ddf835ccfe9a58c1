"""CSV downloads of every chart's plotted values (``/download/<chart>.csv?<filters>``) and
the tasking pack. The numbers come from the chart layer, as the pages' do."""

from __future__ import annotations

from importlib import import_module
from urllib.parse import parse_qs

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import MultiDict

from dashboard.chart_data import find_chart
from dashboard.chart_data.board import DEFAULTS as BOARD_DEFAULTS
from dashboard.chart_data.filters import BASELINE_CHOICES, MEASURES, Filters
from dashboard.chart_data.hotspots import DEFAULTS as HOTSPOT_DEFAULTS
from dashboard.chart_data.incident_heatmap import PartnerOnly, check_readable
from dashboard.documents.csv_output import chart_csv, csv_file_name
from dashboard.server import params
from dashboard.server.auth import request_reader
from queries import periods
from queries.hotspots import LEVELS


def create_downloads(query_cache) -> Blueprint:
    downloads = Blueprint("downloads", __name__)

    def filters_from_request(defaults: Filters) -> Filters:
        return Filters.from_query(request.query_string.decode("utf-8", "replace"), defaults)

    @downloads.errorhandler(params.BadParameter)
    def bad_parameter(error: params.BadParameter):
        # A file is asked for by a script or a link: an empty file would pass for "no crime".
        return Response(f"{error.parameter}: {error.message}\n", 400, mimetype="text/plain")

    @downloads.errorhandler(PartnerOnly)
    def partner_only(refused: PartnerOnly):
        return Response(f"source: {refused}\n", 403, mimetype="text/plain")

    @downloads.before_request
    def strict_filters():
        check_download_filters(request.query_string.decode("utf-8", "replace"))

    @downloads.get("/download/<chart_id>.csv")
    def download(chart_id: str):
        reader = request_reader(query_cache)
        found = find_chart(chart_id, reader)
        if found is None:
            abort(404)
        spec, defaults = found
        filters = filters_from_request(defaults)
        check_readable(reader.audience, filters.sources)  # a table holds no withheld source silently
        frame = spec.data(reader, filters)
        return Response(
            chart_csv(spec, frame), mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{csv_file_name(chart_id, filters, frame)}"'},
        )

    def attachment(body: bytes, mimetype: str, file_name: str) -> Response:
        return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{file_name}"'})

    # The tasking pack and the board report, each as a PDF and as a zip of its tables. Their
    # modules (and fpdf under them) are imported on the first request for one: imported at
    # start-up they cost a quarter of a second of every start.
    documents = {
        "hotspots/pack": ("pack", "pack_name", HOTSPOT_DEFAULTS),
        "board-report": ("board_report", "report_name", BOARD_DEFAULTS),
    }
    for path, (module_name, name_function, defaults) in documents.items():
        for extension, mimetype in (("pdf", "application/pdf"), ("zip", "application/zip")):
            def document(module_name=module_name, name_function=name_function, defaults=defaults,
                         extension=extension, mimetype=mimetype):
                module = import_module(f"{__package__}.{module_name}")
                reader, filters = request_reader(query_cache), filters_from_request(defaults)
                body = getattr(module, f"build_{extension}")(reader, filters)
                return attachment(body, mimetype, getattr(module, name_function)(reader, filters, extension))

            downloads.add_url_rule(f"/{path}.{extension}", f"{path.replace('/', '_')}_{extension}", document)

    return downloads


def check_download_filters(query: str) -> None:
    """Raise BadParameter for a filter value a page would quietly drop (an unknown area, crime
    type, month or choice): a download must not answer with the defaults or an empty file."""
    parsed = parse_qs(query, keep_blank_values=True)
    args = MultiDict([(name, value) for name, values in parsed.items() for value in values])
    if args.getlist("area") != [""]:  # "area=" alone is the filter bar's "no area chosen"
        params.area_codes(args, required=False)
    params.crime_types(args)
    params.sources(args)
    params.month_range(args)
    for name, options in (("grain", periods.GRAINS), ("measure", MEASURES), ("level", LEVELS)):
        if args.getlist(name):
            params.choice(args, name, tuple(options), "")
    if args.getlist("baseline_months"):
        params.choice(args, "baseline_months", tuple(str(b) for b in BASELINE_CHOICES), "")
