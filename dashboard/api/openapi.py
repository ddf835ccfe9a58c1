"""The OpenAPI 3.1 description of ``/api/v1``."""

from __future__ import annotations

from queries import partnership, periods
from queries.incident_sources import SOURCES
from queries.reference import AREAS, CRIME_TYPES

# YYYY-MM with a month from 01 to 12, in the years a request may name (2000-01 to 2099-12).
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


def openapi_document(script_root: str = "") -> dict:
    area_codes = [a.code for a in AREAS]
    error = {"$ref": "#/components/schemas/Error"}
    bad_request = {"description": "A parameter is missing or wrong", "content": {"application/json": {"schema": error}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Community safety dashboard API",
            "version": "1.0.0",
            "description": (
                f"Read-only figures for the {partnership.current().name}: police.uk incident counts "
                "and rates per 1,000 residents for any district, county or police force area of "
                "England and Wales whose force's files are loaded, and the published and partner "
                "series. Counts of anti-social behaviour are separate from crime."
            ),
            "license": {"name": "Open Government Licence v3.0 (data)"},
        },
        "servers": [{"url": f"{script_root}/api/v1"}],
        "paths": {
            "/areas": {
                "get": {
                    "summary": "Every district, county and police force area of England and Wales",
                    "description": ("The shipped geography (ONS, December 2023 districts) and any imported: each "
                                    "area's level, parent (district -> county -> force, or district -> force), "
                                    "police force area, latest population and every population estimate by year."),
                    "operationId": "listAreas",
                    "responses": {
                        "200": {
                            "description": "Areas with their latest population estimate",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "properties": {"areas": {"type": "array", "items": {"$ref": "#/components/schemas/Area"}}},
                            }}},
                        },
                        "400": bad_request,
                    },
                }
            },
            "/coverage": {
                "get": {
                    "summary": "The coverage ledger: each force's months loaded, missing and not published",
                    "description": ("For every force with anything loaded (or the forces asked for), every month from "
                                    "the first to the last month loaded for any force: loaded (real or synthetic), "
                                    "not published by data.police.uk (a whole-country archive of the month held no "
                                    "file for the force, or an administrator recorded it), or missing (not loaded). "
                                    "A missing month is not a zero, and a force's figures are compared over its own "
                                    "loaded months only."),
                    "operationId": "getCoverage",
                    "parameters": [{"name": "force", "in": "query", "description": "Police force area codes (E23..., W15...)",
                                    "schema": {"type": "array", "items": {"type": "string"}}, "explode": True}],
                    "responses": {
                        "200": {"description": "One entry per force", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"forces": {"type": "array", "items": {
                                "$ref": "#/components/schemas/ForceCoverage"}}}}}}},
                        "400": bad_request,
                    },
                }
            },
            "/counts": {
                "get": {
                    "summary": "Incident counts and rates per 1,000 residents by period",
                    "operationId": "getCounts",
                    "parameters": [
                        {"name": "area", "in": "query", "required": True, "description": "Area code; repeat for several.",
                         "schema": {"type": "array", "items": {"type": "string", "enum": area_codes}}, "explode": True},
                        {"name": "crime_type", "in": "query", "description": "data.police.uk category slug; repeat for several. Left out: all crime except anti-social behaviour.",
                         "schema": {"type": "array", "items": {"type": "string", "enum": [c.slug for c in CRIME_TYPES]}}, "explode": True},
                        {"name": "from", "in": "query", "description": "First month (YYYY-MM).", "schema": {"type": "string", "pattern": MONTH_PATTERN}},
                        {"name": "to", "in": "query", "description": "Last month (YYYY-MM).", "schema": {"type": "string", "pattern": MONTH_PATTERN}},
                        {"name": "grain", "in": "query", "description": "Periods: month (2024-01), quarter (2024-Q1), financial_year (2023/24, April to March), calendar_year (2024), rolling_12 (12 months to the labelled month).",
                         "schema": {"type": "string", "enum": list(periods.GRAINS), "default": "month"}},
                        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "One row per area and period",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Counts"}},
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        "400": bad_request,
                    },
                }
            },
            **_evaluation_paths(bad_request),
            **_incident_paths(bad_request, area_codes),
            "/hotspots": {
                "get": {
                    "summary": "Places ranked by incidents in a recent period, against a baseline",
                    "description": "Exact conditional (binomial) test of each place's count in the period against "
                                   "its baseline count, above and below, with Benjamini-Hochberg q-values over the "
                                   "places the test can speak for (null where it cannot), each place's rank, and a "
                                   "class: new, emerging, persistent, busy, fading, steady or too_few. "
                                   "Without signing in, the recent period is at most 12 months and the baseline at "
                                   "most 24 (configurable); asking for more gives a 400 naming the parameter.",
                    "operationId": "getHotspots",
                    "parameters": [
                        {"name": "area", "in": "query", "required": True, "schema": {"type": "string", "enum": area_codes}},
                        {"name": "crime_type", "in": "query", "description": "As in /counts; may repeat.",
                         "schema": {"type": "array", "items": {"type": "string", "enum": [c.slug for c in CRIME_TYPES]}}, "explode": True},
                        {"name": "from", "in": "query", "description": "First month of the recent period (default: the last).",
                         "schema": {"type": "string", "pattern": MONTH_PATTERN}},
                        {"name": "to", "in": "query", "description": "Last month of the recent period (default: the latest loaded).",
                         "schema": {"type": "string", "pattern": MONTH_PATTERN}},
                        {"name": "baseline_months", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 60, "default": 12}},
                        {"name": "level", "in": "query", "schema": {"type": "string", "enum": ["location", "lsoa", "cell"], "default": "location"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 100}},
                        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
                        {"name": "source", "in": "query", "description": "Incident sources counted together (default: "
                         "police.uk's); may repeat. Without signing in, ae-assaults gives a 403.",
                         "schema": {"type": "array", "items": {"type": "string", "enum": [s.slug for s in SOURCES]}},
                         "explode": True},
                    ],
                    "responses": {
                        "200": {"description": "Places, most incidents in the recent period first", "content": {
                            "application/json": {"schema": {"type": "object", "properties": {
                                "query": {"type": "object"}, "source": {"type": "string"}, "places": {"type": "integer"},
                                "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Hotspot"}}}}},
                            "text/csv": {"schema": {"type": "string"}}}},
                        "400": bad_request,
                        "403": {"description": "A health-derived source asked for without signing in as a partner"},
                    },
                }
            },
            "/peers": {
                "get": {
                    "summary": "The partnership's district among its peers, and a funnel plot of every loaded district",
                    "description": "Rates of crime and ASB per 1,000 residents over the 12 months to the home district's "
                                   "latest loaded month; districts missing any of those months are listed with the reason "
                                   "(`compared` false). Funnel limits: Spiegelhalter (2005), winsorised z-scores, "
                                   "additive random effects.",
                    "operationId": "getPeers",
                    "responses": {
                        "200": {"description": "home, window, variables, similarity, groups (kind, source, problem, "
                                               "rates) and funnels (crime, asb: rows with limits and position, "
                                               "pooled rate, phi, tau2)",
                                "content": {"application/json": {"schema": {"type": "object"}}}},
                        "400": bad_request,
                    },
                }
            },
            "/series": {
                "get": {
                    "summary": "Published and partner series",
                    "operationId": "listSeries",
                    "parameters": [{"name": "theme", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "Series with their units and the periods they cover",
                                          "content": {"application/json": {"schema": {"type": "object", "properties": {
                                              "series": {"type": "array", "items": {"$ref": "#/components/schemas/Series"}}}}}}},
                                  "400": bad_request},
                }
            },
            "/series/{series_id}": {
                "get": {
                    "summary": "One series with its values and sources",
                    "operationId": "getSeries",
                    "parameters": [
                        {"name": "series_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "area", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": area_codes}}, "explode": True},
                        {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
                    ],
                    "responses": {
                        "200": {"description": "The series and its values", "content": {
                            "application/json": {"schema": {"type": "object", "properties": {
                                "series": {"$ref": "#/components/schemas/Series"},
                                "values": {"type": "array", "items": {"$ref": "#/components/schemas/SeriesValue"}}}}},
                            "text/csv": {"schema": {"type": "string"}}}},
                        "400": bad_request,
                        "404": {"description": "No such series", "content": {"application/json": {"schema": error}}},
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "parameter": {"type": "string"}, "message": {"type": "string"}, "status": {"type": "integer"}}}}},
                "Area": {"type": "object", "properties": {
                    "code": {"type": "string"}, "name": {"type": "string"},
                    "level": {"type": "string", "enum": ["district", "county", "force"]},
                    "parent_code": {"type": ["string", "null"]}, "force_code": {"type": ["string", "null"]},
                    "population": {"type": ["integer", "null"]}, "population_year": {"type": ["integer", "null"]},
                    "populations": {"type": "array", "items": {"type": "object", "properties": {
                        "year": {"type": "integer"}, "population": {"type": "integer"}}}}}},
                "ForceCoverage": {"type": "object", "properties": {
                    "force_code": {"type": "string"}, "force_name": {"type": "string"},
                    "first_month": {"type": "string"}, "last_month": {"type": "string"},
                    "first_loaded": {"type": ["string", "null"]}, "last_loaded": {"type": ["string", "null"]},
                    "months_loaded": {"type": "integer"},
                    "synthetic_months": {"type": "array", "items": {"type": "string"}},
                    "months_missing": {"type": "array", "items": {"type": "string"}},
                    "months_not_published": {"type": "array", "items": {"type": "string"}}}},
                "Counts": {"type": "object", "properties": {
                    "query": {"type": "object"}, "source": {"type": "string"},
                    "latest_month": {"type": ["string", "null"]}, "synthetic": {"type": "boolean"},
                    "notice": {"type": ["string", "null"]},
                    "months_not_loaded": {"type": "array", "items": {"type": "string"},
                                          "description": "Months (YYYY-MM) between the first and last loaded month of "
                                                         "the request that are not loaded: missing, not zero"},
                    "rows": {"type": "array", "items": {"$ref": "#/components/schemas/CountRow"}}}},
                "CountRow": {"type": "object", "properties": {
                    "period": {"type": "string"}, "area": {"type": "string"}, "area_name": {"type": "string"},
                    "count": {"type": "integer"}, "rate_per_1000": {"type": ["number", "null"]},
                    "population": {"type": ["integer", "null"]}, "population_year": {"type": ["integer", "null"]},
                    "months": {"type": "integer", "description": "Loaded months in the period"},
                    "period_months": {"type": "integer", "description": "Months the period covers (the count of a "
                                                                        "period with fewer loaded is partial)"},
                    "complete": {"type": "boolean", "description": "Every month of the period is loaded"},
                    "synthetic": {"type": "boolean", "description": "Includes synthetic demo data"}}},
                "Hotspot": {"type": "object", "properties": {
                    "place_code": {"type": "string", "description": "Place id, LSOA code or grid cell id (q:r)"},
                    "place_name": {"type": "string"}, "lsoa_code": {"type": "string"},
                    "longitude": {"type": "number"}, "latitude": {"type": "number"},
                    "count": {"type": "integer", "description": "Incidents in the period"},
                    "baseline_count": {"type": "integer"}, "baseline_mean": {"type": "number"},
                    "expected": {"type": ["number", "null"], "description": "Usual level for the period"},
                    "ratio": {"type": ["number", "null"]}, "rank_now": {"type": "integer"},
                    "busiest_now": {"type": "boolean"}, "busiest_before": {"type": "boolean"},
                    "p_value": {"type": ["number", "null"], "description": "Above the usual level"},
                    "q_value": {"type": ["number", "null"]},
                    "p_below": {"type": ["number", "null"], "description": "Below the usual level"},
                    "q_below": {"type": ["number", "null"]},
                    "class": {"type": "string", "enum": ["new", "emerging", "persistent", "busy", "fading", "steady",
                                                         "too_few", ""]}}},
                "Series": {"type": "object", "properties": {
                    "id": {"type": "string"}, "title": {"type": "string"}, "theme": {"type": "string"},
                    "unit": {"type": "string", "enum": ["count", "percent", "rate_per_1000", "count_change", "percent_change", "score"]},
                    "kind": {"type": "string", "enum": ["published", "partner"]}, "sensitive": {"type": "boolean"},
                    "first_period": {"type": "string"}, "last_period": {"type": "string"},
                    "values": {"type": "integer"}, "url": {"type": "string"}}},
                "SeriesValue": {"type": "object", "properties": {
                    "area_code": {"type": "string"}, "area_name": {"type": "string"}, "period": {"type": "string"},
                    "period_type": {"type": "string"}, "category": {"type": "string"},
                    "value": {"type": ["number", "null"],
                              "description": "Null where withheld: a sensitive count from 1 to the suppression threshold, "
                                             "or another value withheld so that none can be worked out by subtraction."},
                    "suppressed": {"type": "boolean", "description": "The value is withheld (and null)."},
                    "source": {"type": "string"}, "source_table": {"type": ["string", "null"]},
                    "note": {"type": ["string", "null"]}}},
            }
        },
    }


def _incident_paths(bad_request: dict, area_codes: list[str]) -> dict:
    """Partners' incidents: when they happen, per week, what is loaded, and A&E beside police."""
    from queries.incident_sources import PARTNER_SOURCES

    month = {"type": "string", "pattern": MONTH_PATTERN}
    partner_only = {"description": "A health-derived source (ae-assaults) asked for without signing in as a partner",
                    "content": {"application/json": {"schema": {"type": "object"}}}}
    common = [
        {"name": "source", "in": "query", "required": True, "schema": {"type": "string", "enum": list(PARTNER_SOURCES)}},
        {"name": "area", "in": "query", "required": True, "schema": {"type": "string", "enum": area_codes}},
        {"name": "from", "in": "query", "description": "First month (default: eleven before the last).", "schema": month},
        {"name": "to", "in": "query", "description": "Last month (default: the source's latest loaded).",
         "schema": month},
    ]
    ok = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "/incidents/heatmap": {"get": {
            "summary": "A partner source's records by day of the week (Monday 0) and hour",
            "description": "cells: all 168 weekday-hour cells over records with a time of day; without_time counts "
                           "the records with none, which are not in the cells.",
            "operationId": "getIncidentHeatmap",
            "parameters": [*common, {"name": "format", "in": "query",
                                     "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
                           {"name": "lsoa", "in": "query", "description": "One LSOA of the area: its records only.",
                            "schema": {"type": "string", "pattern": "^[EW]01[0-9]{6}$"}}],
            "responses": {"200": ok, "400": bad_request, "403": partner_only}}},
        "/incidents/weekly": {"get": {
            "summary": "A partner source's records per week (Monday to Sunday), partial weeks marked",
            "operationId": "getIncidentWeeks", "parameters": common,
            "responses": {"200": ok, "400": bad_request, "403": partner_only}}},
        "/incidents/counts": {"get": {
            "summary": "A partner source's records per month by district or county",
            "description": "Never below district level. Without signing in, a health-derived source's counts from "
                           "1 to the threshold are withheld (count null, suppressed true), with secondary "
                           "suppression over its districts and counties.",
            "operationId": "getIncidentCounts",
            "parameters": [common[0], {"name": "area", "in": "query", "required": True, "schema": {
                "type": "array", "items": {"type": "string", "enum": area_codes}}, "explode": True}, *common[2:]],
            "responses": {"200": ok, "400": bad_request}}},
        "/incidents/sources": {"get": {
            "summary": "The partner incident sources, and the months loaded of those the reader may see",
            "operationId": "listIncidentSources", "responses": {"200": ok}}},
        "/incidents/ae-against-police": {"get": {
            "summary": "A&E assault attendances beside police-recorded violence, per LSOA (partners only)",
            "operationId": "getAeAgainstPolice", "parameters": common[1:],
            "responses": {"200": ok, "400": bad_request, "403": partner_only}}},
    }


def _evaluation_paths(bad_request: dict) -> dict:
    """Evaluations of interventions and progress against targets (read-only for everyone)."""
    month = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
    codes = {"type": "array", "items": {"type": "string", "maxLength": 20}, "maxItems": 500}
    counts = {"type": "object", "properties": {"before": {"type": "integer"}, "after": {"type": "integer"}}}
    evaluation = {
        "type": "object",
        "properties": {
            "target": counts, "control": counts, "buffer": {"oneOf": [counts, {"type": "null"}]},
            "wdd": {"type": "object", "description": "Weighted displacement difference (Wheeler & Ratcliffe 2018)",
                    "properties": {"estimate": {"type": "number"}, "variance": {"type": "number"},
                                   "z": {"type": ["number", "null"]}, "p_value": {"type": ["number", "null"]},
                                   "ci95": {"type": "array", "items": {"type": "number"}}}},
            "verdict": {"type": "string"},
            "before": {"type": "object"}, "after": {"type": "object"},
            "scale": {"type": "number", "description": "Factor applied to before counts (after months / before months)"},
            "notes": {"type": "array", "items": {"type": "string"}},
            "its": {"type": ["object", "null"], "description": "Interrupted time series (its=true, 24 months before)"},
            "its_note": {"type": ["string", "null"]},
            "control_codes": {"type": "array", "items": {"type": "string"}},
            "control_method": {"type": ["string", "null"]},
        },
    }
    return {
        "/evaluation": {"get": {
            "summary": "Before/after evaluation of an intervention: counts, weighted displacement difference, verdict",
            "operationId": "getEvaluation",
            "parameters": [
                {"name": "target", "in": "query", "required": True, "explode": True, "schema": codes,
                 "description": "LSOA code (2011 or 2021) or area code; repeat for several."},
                {"name": "control", "in": "query", "required": True, "explode": True, "schema": codes,
                 "description": "Control LSOA or area codes, or the single value 'suggest' for a suggested control."},
                {"name": "buffer", "in": "query", "explode": True, "schema": codes,
                 "description": "Displacement buffer LSOA or area codes."},
                {"name": "crime_type", "in": "query", "explode": True,
                 "schema": {"type": "array", "items": {"type": "string", "enum": [c.slug for c in CRIME_TYPES]}},
                 "description": "Left out: all crime except anti-social behaviour."},
                {"name": "before_from", "in": "query", "required": True, "schema": month},
                {"name": "before_to", "in": "query", "required": True, "schema": month},
                {"name": "after_from", "in": "query", "required": True, "schema": month},
                {"name": "after_to", "in": "query", "required": True, "schema": month},
                {"name": "its", "in": "query", "schema": {"type": "string", "enum": ["true", "false"], "default": "false"},
                 "description": "Also fit the interrupted time series of the target."},
                {"name": "source", "in": "query", "description": "A partner incident source as the outcome instead "
                 "of police.uk crime (no crime types, a control given). Without signing in, ae-assaults gives a 403.",
                 "schema": {"type": "string", "enum": ["ae-assaults", "needle-finds", "council-asb"]}},
            ],
            "responses": {"200": {"description": "The evaluation",
                                  "content": {"application/json": {"schema": evaluation}}},
                          "400": bad_request},
        }},
        "/interventions": {"get": {
            "summary": "Stored interventions, latest start first, a page at a time, each with its evaluation "
                       "(or why it cannot be evaluated); each names its outcome_source (police-crime or a "
                       "partner source), and one judged on a health-derived source has its evaluation withheld "
                       "(evaluation null, evaluation_withheld saying why) unless a partner is signed in",
            "operationId": "listInterventions",
            "parameters": [
                {"name": "offset", "in": "query", "description": "How many to skip (from 0).",
                 "schema": {"type": "integer", "minimum": 0, "default": 0}},
                {"name": "limit", "in": "query", "description": "How many to evaluate and return (1 to 100).",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
            ],
            "responses": {"200": {"description": "Interventions", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "total": {"type": "integer"}, "offset": {"type": "integer"}, "limit": {"type": "integer"},
                    "next_offset": {"type": ["integer", "null"], "description": "The next page's offset; null on the last."},
                    "interventions": {"type": "array", "items": {"type": "object"}}}}}}},
                "400": bad_request},
        }},
        "/targets": {"get": {
            "summary": "Targets with their status: on track, within tolerance, unclear, off track, waiting for data, or withheld "
                       "(figures of a partner series, or small numbers, that only partners see)",
            "operationId": "listTargets",
            "responses": {"200": {"description": "Targets", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"targets": {"type": "array", "items": {"type": "object"}}}}}}},
                "400": bad_request},
        }},
    }
