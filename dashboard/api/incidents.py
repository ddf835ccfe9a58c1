"""Partners' incidents in the JSON API: ``/api/v1/incidents/heatmap`` (when, by weekday and
hour) and ``/api/v1/incidents/sources`` (what is loaded, and how precisely it is placed).

Health-derived sources answer 403 to anyone not signed in as a partner, before anything
is read (``chart_data.incident_heatmap.check_readable``).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from dashboard.api.blueprint import api_blueprint
from dashboard.chart_data.incident_heatmap import (
    BESIDE_NOTE,
    SYNTHETIC_NOTE,
    area_counts,
    beside_police,
    check_readable,
    heatmap_for,
    heatmap_summary,
)
from dashboard.documents.csv_output import frame_csv
from dashboard.server import params
from dashboard.server.auth import request_reader
from queries import partnership, periods
from queries.importers.incidents_parse import LSOA_CODE
from queries.incident_sources import HEALTH_DERIVED, PARTNER_SOURCES, SOURCES_BY_SLUG
from queries.incidents import source_months, weekly_counts
from queries.reference import AREAS_BY_CODE, FORCE
from queries.suppression import withheld_label


def _partner_source(args) -> str:
    """The one partner source asked for (``source=``), or a 400 naming the choices."""
    source = params.single(args, "source")
    if source not in PARTNER_SOURCES:
        raise params.BadParameter("source", f"required: one of {', '.join(PARTNER_SOURCES)}")
    return source


def _one_area(args) -> str:
    codes = params.area_codes(args)
    if len(codes) > 1:
        raise params.BadParameter("area", "give one area")
    return codes[0]


def _source_year(reader, source: str, args) -> tuple[str, str]:
    """``from`` and ``to`` as asked, else the twelve months to the source's latest loaded month."""
    first, last = params.month_range(args)
    if last is None:
        loaded = reader.get(source_months, source)
        last = loaded[-1][0] if loaded else periods.FIRST_SUPPORTED_MONTH
    return first or periods.add_months(last, -11), last


def create_incidents_api(query_cache) -> Blueprint:
    api = api_blueprint("incidents_api")

    @api.get("/incidents/heatmap")
    def incident_heatmap():
        args = request.args
        params.reject_unknown(args, {"source", "area", "from", "to", "format", "lsoa"})
        source = params.single(args, "source")
        if source is None:
            raise params.BadParameter("source", f"required: one of {', '.join(PARTNER_SOURCES)}")
        if source not in PARTNER_SOURCES:
            raise params.BadParameter("source", f"{source[:40]!r} has no times of day; expected one of "
                                                f"{', '.join(PARTNER_SOURCES)}")
        area = _one_area(args)
        first, last = params.month_range(args)
        fmt = params.choice(args, "format", ("json", "csv"), "json")
        lsoa_code = params.single(args, "lsoa")
        if lsoa_code is not None and not LSOA_CODE.match(lsoa_code):
            raise params.BadParameter("lsoa", f"{lsoa_code[:20]!r} is not an LSOA code (E01 and six digits)")
        result = heatmap_for(request_reader(query_cache), source, area, first, last, lsoa_code)
        if fmt == "csv":
            return Response(frame_csv(result.cells), mimetype="text/csv",
                            headers={"Content-Disposition": 'attachment; filename="incident-heatmap.csv"'})
        return jsonify(
            query={"source": source, "area": area, "lsoa": lsoa_code, "from": result.first, "to": result.last},
            source={"slug": source, "title": SOURCES_BY_SLUG[source].title, "owner": partnership.current().owner_of(source)},
            months_loaded=list(result.months_loaded),
            synthetic=result.is_synthetic, notice=SYNTHETIC_NOTE if result.is_synthetic else None,
            cells=[{"weekday": int(d), "hour": int(h), "count": int(n)}
                   for d, h, n in result.cells.itertuples(index=False)],
            with_time=result.timed, without_time=result.untimed,
            note=(f"{result.untimed} records have no time of day: they are counted in without_time, not in cells."
                  if result.untimed else "Every record has a time of day."),
            summary=heatmap_summary(result),
        )

    @api.get("/incidents/ae-against-police")
    def ae_against_police():
        """A&E assault attendances beside police-recorded violence, per LSOA (partners only)."""
        args = request.args
        params.reject_unknown(args, {"area", "from", "to"})
        reader = request_reader(query_cache)
        check_readable(reader.audience, ("ae-assaults",))
        area = _one_area(args)
        first, last = _source_year(reader, "ae-assaults", args)
        frame = beside_police(reader, area, first, last)
        return jsonify(query={"area": area, "from": first, "to": last}, note=BESIDE_NOTE,
                       rows=[{k: (int(v) if k in ("ae_assaults", "police_violence", "months") else v)
                              for k, v in row.items()} for row in frame.to_dict("records")])

    @api.get("/incidents/weekly")
    def incident_weeks():
        """Records per week (Monday to Sunday) of one partner source in one area."""
        args = request.args
        params.reject_unknown(args, {"source", "area", "from", "to"})
        source = _partner_source(args)
        area = _one_area(args)
        reader = request_reader(query_cache)
        check_readable(reader.audience, (source,))
        first, last = _source_year(reader, source, args)
        weeks = reader.get(weekly_counts, source, area, first, last)
        return jsonify(query={"source": source, "area": area, "from": first, "to": last},
                       note="A week is complete when all its days lie in loaded months; a partial week's count "
                            "covers only its loaded days.",
                       rows=[{"week_start": w, "count": int(n), "days_loaded": int(d), "complete": bool(c)}
                             for w, n, d, c in weeks.itertuples(index=False)])

    @api.get("/incidents/counts")
    def incident_counts():
        """A partner source's records per month by district or county: never below district
        level, and for the public a health-derived source's small counts withheld."""
        args = request.args
        params.reject_unknown(args, {"source", "area", "from", "to"})
        source = _partner_source(args)
        codes = params.area_codes(args)
        for code in codes:
            if AREAS_BY_CODE[code].level == FORCE:
                raise params.BadParameter("area", "districts and counties only: a force's count includes records "
                                                  "placed in no district")
        first, last = params.month_range(args)
        reader = request_reader(query_cache)
        frame = area_counts(reader, source, codes, first or periods.FIRST_SUPPORTED_MONTH,
                            last or periods.LAST_SUPPORTED_MONTH)
        threshold = reader.audience.suppression_threshold
        return jsonify(
            query={"source": source, "area": codes, "from": first, "to": last},
            rows=[{"area": r["area_code"], "month": r["period"],
                   "count": None if r["suppressed"] else int(r["value"]), "suppressed": bool(r["suppressed"]),
                   "label": withheld_label(r["withheld"], threshold) if r["suppressed"] else None}
                  for r in frame.to_dict("records")])

    @api.get("/incidents/sources")
    def incident_sources():
        params.reject_unknown(request.args, set())
        reader = request_reader(query_cache)
        rows = []
        for slug, source in SOURCES_BY_SLUG.items():
            if slug not in PARTNER_SOURCES:
                continue
            listed = {"slug": slug, "title": source.title, "owner": partnership.current().owner_of(slug),
                      "partner_only": slug in HEALTH_DERIVED, "has_times": source.has_times}
            if slug not in HEALTH_DERIVED or reader.audience.partner:
                listed["months_loaded"] = [m for m, _ in reader.get(source_months, slug)]
            rows.append(listed)
        return jsonify(sources=rows)

    return api
