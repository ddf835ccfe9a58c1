"""Read-only JSON for evaluations: ``/api/v1/evaluation``, ``/api/v1/interventions`` and
``/api/v1/targets``. Anyone may read them; recording is in ``recording.py`` (partners and
administrators only).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from dashboard.api.blueprint import api_blueprint
from dashboard.chart_data.incident_heatmap import check_readable
from dashboard.chart_data.interventions import withheld_reason
from dashboard.chart_data.targets import judged
from dashboard.server import params
from dashboard.server.auth import request_audience, request_reader
from queries import periods
from queries.control import NoControl, suggest_control
from queries.evaluation import Evaluation, EvaluationError, evaluate
from queries.incident_sources import PARTNER_SOURCES
from queries.interventions import evaluate_intervention, list_interventions
from queries.targets import list_targets

EVALUATION_PARAMETERS = {"target", "control", "buffer", "crime_type", "before_from", "before_to",
                         "after_from", "after_to", "its", "source"}
SUGGEST = "suggest"


def evaluation_record(result: Evaluation) -> dict:
    """An evaluation in the documented JSON shape."""
    w = result.wdd
    record = {
        "target": result.counts["target"],
        "control": result.counts["control"],
        "buffer": result.counts["buffer"],
        "wdd": {"estimate": round(w.estimate, 4), "variance": round(w.variance, 4),
                "z": None if w.z is None else round(w.z, 4),
                "p_value": None if w.p_value is None else round(w.p_value, 6),
                "ci95": [round(w.ci95[0], 4), round(w.ci95[1], 4)]},
        "verdict": result.verdict,
        "before": {"from": result.before[0], "to": result.before[1], "label": periods.months_in_words(*result.before),
                   "months": len(periods.months_between(*result.before))},
        "after": {"from": result.after[0], "to": result.after[1], "label": periods.months_in_words(*result.after),
                  "months": len(periods.months_between(*result.after))},
        "scale": w.scale,
        "notes": result.notes,
        "its": None,
        "its_note": result.its_reason,
    }
    if result.its is not None:
        its = result.its
        record["its"] = {
            "level_change": {"rate_ratio": round(its.level.ratio, 4), "ci95": [round(v, 4) for v in its.level.ci95],
                             "p_value": round(its.level.p_value, 6)},
            "slope_change": {"rate_ratio_per_month": round(its.slope.ratio, 5),
                             "ci95": [round(v, 5) for v in its.slope.ci95], "p_value": round(its.slope.p_value, 6)},
            "dispersion": round(its.dispersion, 4),
            "months_before": its.months_before, "months_after": its.months_after,
            "caveats": list(its.caveats),
        }
    return record


def _evaluate_cached(engine, target, control, buffer, crime_types, before, after, with_its, source=None):
    return evaluate(engine, target, control, buffer, crime_types, before, after, with_its, source)


def _suggest_cached(engine, target, buffer, crime_types, start):
    return suggest_control(engine, target, buffer, crime_types, start)


PAGE_DEFAULT, PAGE_MAX = 20, 100  # interventions evaluated per request: each takes a query per place set


def _interventions_cached(engine, offset: int, limit: int):
    records = []
    for record in list_interventions(engine)[offset:offset + limit]:
        item = {k: record[k] for k in ("id", "name", "description", "start_month", "end_month", "crime_types",
                                       "outcome_source", "target", "control", "buffer")}
        item["recorded_at"] = record["recorded_at"].isoformat() if record["recorded_at"] else None
        try:
            result, method = evaluate_intervention(engine, record, with_its=False)
            item["evaluation"] = evaluation_record(result)
            item["control_method"] = method
        except EvaluationError as exc:
            item["evaluation"] = None
            item["evaluation_error"] = {"field": exc.field, "message": exc.message}
        records.append(item)
    return records


def _withheld(item: dict, reason: str | None) -> dict:
    if reason is None:
        return item
    kept = {k: v for k, v in item.items() if k not in ("evaluation", "evaluation_error", "control_method")}
    return {**kept, "evaluation": None, "evaluation_withheld": reason}


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
        if source is not None:
            if source not in PARTNER_SOURCES:
                raise params.BadParameter("source", f"{source[:40]!r} is not one of {', '.join(PARTNER_SOURCES)} "
                                                    "(police.uk's crime is the default)")
            check_readable(request_audience(), (source,))  # health-derived records: partners only
        with_its = params.choice(args, "its", ("true", "false"), "false") == "true"
        before = (params.month(args, "before_from"), params.month(args, "before_to"))
        after = (params.month(args, "after_from"), params.month(args, "after_to"))
        method = None
        control = codes["control"]
        if control == (SUGGEST,):
            if not after[0]:
                raise params.BadParameter("after_from", "required (YYYY-MM)")
            if not codes["target"]:
                raise params.BadParameter("target", "give at least one target LSOA or area code")
            if source is not None:
                raise params.BadParameter("control", "a control is suggested on police.uk crime only: give one")
            try:
                suggestion = query_cache.get(_suggest_cached, codes["target"], codes["buffer"],
                                             tuple(types) if types else None, after[0])
            except NoControl as exc:
                raise params.BadParameter("control", f"no control could be suggested: {exc}") from None
            control, method = tuple(suggestion.codes), suggestion.method
        result = query_cache.get(_evaluate_cached, codes["target"], control, codes["buffer"],
                                 tuple(types) if types else None, before, after, with_its, source)
        record = evaluation_record(result)
        record["source"] = source or "police-crime"
        record["control_codes"] = list(control)
        record["control_method"] = method
        return jsonify(record)

    @api.get("/interventions")
    def interventions():
        params.reject_unknown(request.args, {"offset", "limit"})
        limit = params.integer(request.args, "limit", 1, PAGE_MAX, PAGE_DEFAULT)
        total = len(query_cache.get(list_interventions))
        offset = params.integer(request.args, "offset", 0, max(total, 0), 0)
        audience = request_audience()
        # A health-derived outcome's figures are for partners only (a new list: the cached one is shared).
        page = [_withheld(item, withheld_reason(audience, item["outcome_source"]))
                for item in query_cache.get(_interventions_cached, offset, limit)]
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
