"""The read-only JSON API (``/api/v1``), documented by ``/api/v1/openapi.json``.

Views only check parameters and shape responses; every figure comes from ``queries``.
"""

from __future__ import annotations

import math

import pandas as pd
from flask import Blueprint, Response, jsonify, request

from dashboard.api.blueprint import api_blueprint
from dashboard.api.openapi import openapi_document
from dashboard.chart_data import hotspots as hotspot_data
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.hotspots import public_request_problem
from dashboard.chart_data.incident_heatmap import check_readable
from dashboard.chart_data.incident_sources import off_the_map_note, sources_text
from dashboard.chart_data.peers import api_frames as peer_answer
from dashboard.chart_data.series import visible_catalogue, visible_series
from dashboard.documents.csv_output import frame_csv
from dashboard.server import params
from dashboard.server.auth import request_audience, request_reader
from dashboard.server.settings import current_settings
from queries import periods
from queries.areas import list_areas
from queries.counts import counts, latest_month, loaded_months
from queries.coverage import coverage_summary
from queries.hotspots import LEVELS, LOCATION
from queries.incident_sources import POLICE_SOURCES
from queries.incidents import off_the_map
from queries.reference import FORCES_BY_CODE
from queries.suppression import withheld_label

POLICE_UK_SOURCE = "data.police.uk street-level crime and ASB (Open Government Licence v3.0)"
SYNTHETIC_NOTICE = "Includes synthetic demo data: these are not real incidents."


def create_api(query_cache) -> Blueprint:
    api = api_blueprint("api")

    @api.route("/<path:_unknown>")
    def not_found(_unknown):
        # Without this, Dash's catch-all page route would answer unknown API paths.
        return jsonify(error={"status": 404, "message": "no such API endpoint (see /api/v1/openapi.json)"}), 404

    @api.get("/openapi.json")
    def openapi():
        return jsonify(openapi_document(current_settings().url_prefix.rstrip("/")))

    @api.get("/areas")
    def areas():
        params.reject_unknown(request.args, set())
        frame = query_cache.get(list_areas)
        return jsonify(areas=_records(frame))

    @api.get("/coverage")
    def coverage():
        """The coverage ledger: per force, the months loaded, missing and not published."""
        params.reject_unknown(request.args, {"force"})
        codes = params.area_codes(request.args, "force", required=False)
        not_forces = [c for c in codes if c not in FORCES_BY_CODE]
        if not_forces:
            raise params.BadParameter("force", f"{not_forces[0]!r} is not a police force area (see /api/v1/areas)")
        summary = query_cache.get(coverage_summary, tuple(codes) if codes else None)
        return jsonify(forces=summary)

    @api.get("/counts")
    def count_rows():
        args = request.args
        params.reject_unknown(args, {"area", "crime_type", "from", "to", "grain", "format"})
        codes = params.area_codes(args)
        types = params.crime_types(args)
        first, last = params.month_range(args)
        grain = params.choice(args, "grain", periods.GRAINS, periods.MONTH)
        fmt = params.choice(args, "format", ("json", "csv"), "json")
        frame = query_cache.get(counts, tuple(codes), tuple(types) if types else None, first, last, grain)
        rows = frame.rename(columns={"area_code": "area", "is_synthetic": "synthetic"})[
            ["period", "area", "area_name", "count", "rate_per_1000", "population",
             "population_year", "months", "period_months", "complete", "synthetic"]
        ]
        rows["rate_per_1000"] = rows["rate_per_1000"].round(3)
        if fmt == "csv":
            return _csv(rows, "counts.csv")
        synthetic = bool(frame["is_synthetic"].any()) if not frame.empty else False
        # Months asked for that are not loaded, within the loaded data's span (before the first
        # month loaded or after the latest is no hole): a missing month is not a zero. A request
        # opening on a hole names it too, as its first period holds that hole.
        loaded = query_cache.get(loaded_months)
        low = max(first or loaded[0], loaded[0]) if loaded else None
        high = min(last or loaded[-1], loaded[-1]) if loaded else None
        not_loaded = periods.missing_months(low, high, loaded) if loaded and low <= high else []
        return jsonify(
            query={"area": codes, "crime_type": types or "all crime excluding anti-social-behaviour",
                   "from": first, "to": last, "grain": grain},
            source=POLICE_UK_SOURCE,
            latest_month=query_cache.get(latest_month),
            synthetic=synthetic,
            notice=SYNTHETIC_NOTICE if synthetic else None,
            months_not_loaded=not_loaded,
            rows=_records(rows),
        )

    @api.get("/hotspots")
    def hotspot_rows():
        args = request.args
        params.reject_unknown(args, {"area", "crime_type", "from", "to", "baseline_months", "level", "limit", "format",
                                     "source"})
        codes = params.area_codes(args)
        if len(codes) > 1:
            raise params.BadParameter("area", "give one area")
        types = params.crime_types(args)
        sources = params.sources(args)
        check_readable(request_audience(), sources or ())  # health-derived records: partners only
        first, last = params.month_range(args)
        baseline = params.integer(args, "baseline_months", 1, 60, 12)
        level = params.choice(args, "level", LEVELS, LOCATION)
        limit = params.integer(args, "limit", 1, 100_000, 100)
        fmt = params.choice(args, "format", ("json", "csv"), "json")
        reader = request_reader(query_cache)
        filters = Filters(areas=(codes[0],), crime_types=tuple(types or ()), start=first, end=last, baseline=baseline,
                          level=level, sources=tuple(sources or ()))
        first, last = hotspot_data.requested_period(reader, filters)
        if last is not None:  # bound the work a signed-out request can ask for
            problem = public_request_problem(reader.audience, first, last, baseline)
            if problem:
                raise params.BadParameter(*problem)
        answer = hotspot_data.api_answer(reader, filters, limit)
        rows = answer.rows
        if fmt == "csv":
            return _csv(rows, "hotspots.csv")
        left_out = (query_cache.get(off_the_map, codes[0], sources, first, last)
                    if sources and last is not None else {})
        return jsonify(
            query={"area": codes[0], "crime_type": types or "all crime excluding anti-social-behaviour",
                   "from": first, "to": last, "baseline_months": baseline, "level": level, "limit": limit,
                   "source": list(sources or POLICE_SOURCES)},
            source=sources_text(sources) if sources else POLICE_UK_SOURCE, places=answer.places, coverage=_coverage(answer.coverage),
            not_on_the_map=left_out or None,
            not_on_the_map_note=off_the_map_note(left_out),
            rows=_records(rows),
        )

    def _coverage(coverage) -> dict | None:
        """Which baseline months are loaded: usual levels average those only, and places get a
        class only when at least half are (and the whole period is)."""
        if coverage is None:
            return None
        return {"baseline_months": list(coverage.baseline), "loaded": list(coverage.loaded),
                "missing": list(coverage.missing), "period_missing": list(coverage.recent_missing),
                "classed": coverage.classed, "note": coverage.note()}

    @api.get("/peers")
    def peer_comparison():
        params.reject_unknown(request.args, set())
        answer = peer_answer(request_reader(query_cache))
        for group in answer["groups"]:
            group["rates"] = _records(group["rates"])
        for funnel in answer["funnels"].values():
            funnel["rows"] = _records(funnel["rows"])
        answer["similarity"] = _records(answer["similarity"])
        answer["harm_estimate"]["rows"] = _records(answer["harm_estimate"]["rows"])
        return jsonify(source=POLICE_UK_SOURCE, **answer)

    @api.get("/series")
    def series_list():
        args = request.args
        params.reject_unknown(args, {"theme"})
        theme = params.single(args, "theme")
        records = _records(visible_catalogue(request_reader(query_cache), theme))
        for record in records:
            record["url"] = f"{current_settings().url_prefix}api/v1/series/{record['id']}"
        return jsonify(series=records)

    @api.get("/series/<series_id>")
    def series_detail(series_id: str):
        args = request.args
        params.reject_unknown(args, {"area", "format"})
        codes = params.area_codes(args, required=False)
        fmt = params.choice(args, "format", ("json", "csv"), "json")
        reader = request_reader(query_cache)
        catalogue = visible_catalogue(reader)
        match = catalogue[catalogue["id"] == series_id]
        if match.empty:
            return jsonify(error={"parameter": "series_id", "message": f"no series {series_id[:80]!r}"}), 404
        values = visible_series(reader, (series_id,), tuple(codes) or None)
        threshold = reader.audience.suppression_threshold
        values = values[["area_code", "area_name", "period", "period_type", "category", "value", "suppressed",
                         "withheld", "source", "source_table", "note"]].copy()
        # Whole numbers (counts) print as integers, not 14490.0, in JSON and CSV alike: an
        # object column, so a withheld value (null) beside them does not make every value a float.
        values["value"] = pd.Series([None if hidden else (int(v) if float(v).is_integer() else float(v))
                                     for v, hidden in zip(values["value"], values["suppressed"])],
                                    index=values.index, dtype=object)
        # What the public is told of a withheld value: "fewer than 5", or that it protects one.
        values["withheld"] = [withheld_label(kind, threshold) if hidden else None
                              for kind, hidden in zip(values["withheld"], values["suppressed"])]
        if fmt == "csv":
            values["value"] = ["" if v is None else str(v) for v in values["value"]]  # 12, not 12.0
            return _csv(values, f"{series_id}.csv")
        meta = _records(match)[0]
        return jsonify(series=meta, values=_records(values))

    return api


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe records: numpy and pandas scalars to Python, NA and NaN to null."""
    records = []
    for row in frame.astype(object).itertuples(index=False):
        record = {}
        for name, value in zip(frame.columns, row):
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            record[name] = value
        records.append(record)
    return records


def _csv(frame: pd.DataFrame, filename: str) -> Response:
    return Response(
        frame_csv(frame),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def api_error_response(status: int, message: str):
    """A JSON error body for API paths (used by the app-wide error handlers)."""
    return jsonify(error={"status": status, "message": message}), status


__all__ = ["api_error_response", "create_api"]
