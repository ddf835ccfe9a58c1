"""Read-only JSON for evaluations: ``/api/v1/evaluation``, ``/api/v1/interventions`` and
``/api/v1/targets``. Anyone may read them; recording is in ``recording.py`` (partners and
administrators only).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dashboard.api.blueprint import api_blueprint
from dashboard.chart_data.evaluation import PlaceSets, adhoc_evaluation
from dashboard.chart_data.interventions import intervention_records
from dashboard.chart_data.targets import judged
from dashboard.server import params
from dashboard.server.auth import request_reader
from queries.evaluation import EvaluationError
from queries.incident_sources import PARTNER_SOURCES
from queries.interventions import list_interventions
from queries.targets import list_targets

EVALUATION_PARAMETERS = {"target", "control", "buffer", "crime_type", "before_from", "before_to",
                         "after_from", "after_to", "its", "source"}
PAGE_DEFAULT, PAGE_MAX = 20, 100  # interventions evaluated per request: each takes a query per place set


def create_evaluation_api(query_cache) -> Blueprint:
    api = api_blueprint("evaluation_api")

    @api.errorhandler(EvaluationError)
    def bad_evaluation(error: EvaluationError):
        return jsonify(error={"parameter": error.field, "message": error.message}), 400

    @api.get("/evaluation")
    def evaluation():
        args = request.args
        params.reject_unknown(args, EVALUATION_PARAMETERS)
        codes = {}
        for role in ("target", "control", "buffer"):
            values = [v.strip()[:20] for v in args.getlist(role) if v.strip()]
            if len(values) > 500:
                raise params.BadParameter(role, "at most 500 codes")
            codes[role] = tuple(dict.fromkeys(values))
        types = params.crime_types(args)
        source = params.single(args, "source")
        if source is not None and source not in PARTNER_SOURCES:
            raise params.BadParameter("source", f"{source[:40]!r} is not one of {', '.join(PARTNER_SOURCES)} "
                                                "(police.uk's crime is the default)")
        with_its = params.choice(args, "its", ("true", "false"), "false") == "true"
        before = (params.month(args, "before_from"), params.month(args, "before_to"))
        after = (params.month(args, "after_from"), params.month(args, "after_to"))
        places = PlaceSets(codes["target"], codes["control"], codes["buffer"])
        return jsonify(adhoc_evaluation(request_reader(query_cache), places, tuple(types) if types else None,
                                        before, after, with_its, source))

    @api.get("/interventions")
    def interventions():
        params.reject_unknown(request.args, {"offset", "limit"})
        limit = params.integer(request.args, "limit", 1, PAGE_MAX, PAGE_DEFAULT)
        total = len(query_cache.get(list_interventions))
        offset = params.integer(request.args, "offset", 0, max(total, 0), 0)
        page = intervention_records(request_reader(query_cache), offset, limit)
        following = offset + limit if offset + limit < total else None
        return jsonify(total=total, offset=offset, limit=limit, next_offset=following, interventions=page)

    @api.get("/targets")
    def targets():
        params.reject_unknown(request.args, set())
        rows = []
        reader = request_reader(query_cache)
        for t in reader.get(list_targets):
            j = judged(reader, t["id"])["judgement"]
            rows.append({**{k: t[k] for k in ("id", "title", "area_code", "baseline_from", "baseline_to", "end_from",
                                              "end_to", "target_percent", "tolerance_points", "kind", "source",
                                              "note", "series_id")},
                         "crime_types": [s for s in t["crime_types"].split(",") if s],
                         "status": j.status, "sentence": j.sentence, "compared": j.compared,
                         "change_percent": j.change_percent,
                         "line_percent": j.line_percent, "p_value": j.p_value,
                         "ci95_percent": list(j.ci95_percent) if j.ci95_percent else None})
        return jsonify(targets=rows)

    return api
