"""Recording interventions and targets (``/record/...``): forms for partners and
administrators, enforced on the server. Each submission is checked in full; a problem is
shown beside its field and nothing is stored.
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, request, session
from sqlalchemy import Engine

from dashboard.forms.upload_checks import check_csv_upload
from dashboard.server.auth import ADMIN, PARTNER, at_least, csrf_token, current_user, page, require
from dashboard.server.settings import current_settings
from queries import partnership
from queries.importers.errors import ImportRejected
from queries.incident_sources import HEALTH_DERIVED, POLICE_CRIME, SOURCES_BY_SLUG
from queries.interventions import (
    OUTCOME_SOURCES,
    check_intervention,
    delete_intervention,
    list_interventions,
    parse_interventions_csv,
    place_choices,
    save_interventions,
)
from queries.records import NotOwner
from queries.reference import AREAS_BY_CODE, CRIME_TYPES
from queries.targets import check_target, delete_target, list_targets, save_targets

MAX_UPLOAD = 1024 * 1024
PLACES_SCRIPT = Path(__file__).with_name("place_finder.js")


def create_recording(engine: Engine) -> Blueprint:
    record = Blueprint("record", __name__)

    @record.before_request
    def partners_only():
        require(PARTNER)

    def prefix() -> str:
        return current_app.config.get("URL_PREFIX", "/")

    def who() -> dict:
        """The signed-in user as an owner, whether an administrator, and the stored limits."""
        settings = current_settings()
        return {"recorded_by": current_user() or "unknown", "is_admin": at_least(ADMIN),
                "max_interventions": settings.max_interventions, "max_targets": settings.max_targets}

    @record.get("/interventions")
    def interventions_form():
        return page(prefix(), "Record an intervention", _interventions_page(engine, prefix(), {}, [], _flash()))

    @record.get("/place-finder.js")
    def place_finder_script():
        # Served here, not from assets/, so Dash pages do not load it.
        return Response(PLACES_SCRIPT.read_text(), mimetype="text/javascript")

    @record.post("/interventions")
    def interventions_save():
        values = {k: request.form.get(k, "") for k in ("name", "description", "start_month", "end_month",
                                                         "target", "control", "buffer", "outcome_source")}
        values["crime_types"] = " ".join(request.form.getlist("crime_types"))
        problems: list[tuple[str, str]] = []
        checked = check_intervention(engine, values, lambda field, message: problems.append((field, message)))
        if checked is None:
            return page(prefix(), "Record an intervention", _interventions_page(engine, prefix(), values, problems, "")), 400
        user = who()
        try:
            save_interventions(engine, [checked], user["recorded_by"], is_admin=user["is_admin"],
                               limit=user["max_interventions"])
        except (NotOwner, ImportRejected) as refused:
            problems = [("name", str(refused))]
            return page(prefix(), "Record an intervention", _interventions_page(engine, prefix(), values, problems, "")), \
                403 if isinstance(refused, NotOwner) else 400
        session["record_flash"] = f"Saved {checked['name']}."
        return redirect(f"{prefix()}record/interventions")

    @record.post("/interventions/upload")
    def interventions_upload():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return page(prefix(), "Record an intervention",
                        _interventions_page(engine, prefix(), {}, [("file", "choose a CSV file")], "")), 400
        data = upload.stream.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return page(prefix(), "Record an intervention",
                        _interventions_page(engine, prefix(), {}, [("file", "the file is over 1 MB")], "")), 413
        name = Path(upload.filename).name
        with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
            handle.write(data)
            handle.flush()
            user = who()
            try:
                check_csv_upload(name, data)
                rows = parse_interventions_csv(engine, handle.name, display_name=name, limit=user["max_interventions"])
                save_interventions(engine, rows, user["recorded_by"], is_admin=user["is_admin"],
                                   limit=user["max_interventions"], source=name, imported=True)
            except ImportRejected as rejected:
                problems = [(str(e), "") for e in rejected.errors]
                return page(prefix(), "Record an intervention", _interventions_page(engine, prefix(), {}, problems, "")), 400
            except NotOwner as refused:
                return page(prefix(), "Record an intervention",
                            _interventions_page(engine, prefix(), {}, [(name, str(refused))], "")), 403
        session["record_flash"] = f"Stored {len(rows)} interventions from {name}."
        return redirect(f"{prefix()}record/interventions")

    @record.post("/interventions/<int:intervention_id>/delete")
    def interventions_delete(intervention_id: int):
        user = who()
        try:
            if not delete_intervention(engine, intervention_id, user["recorded_by"], user["is_admin"]):
                abort(404)
        except NotOwner as refused:
            return page(prefix(), "Record an intervention",
                        _interventions_page(engine, prefix(), {}, [("delete", str(refused))], "")), 403
        session["record_flash"] = "Deleted."
        return redirect(f"{prefix()}record/interventions")

    @record.post("/targets/<target_id>/delete")
    def targets_delete(target_id: str):
        user = who()
        try:
            if not delete_target(engine, target_id[:80], user["recorded_by"], user["is_admin"]):
                abort(404)
        except NotOwner as refused:
            return page(prefix(), "Record a target", _targets_page(engine, prefix(), {}, [("delete", str(refused))], "")), 403
        session["record_flash"] = f"Deleted target {target_id[:80]}."
        return redirect(f"{prefix()}record/targets")

    @record.get("/targets")
    def targets_form():
        return page(prefix(), "Record a target", _targets_page(engine, prefix(), {}, [], _flash()))

    @record.post("/targets")
    def targets_save():
        values = {k: request.form.get(k, "").strip() for k in ("id", "title", "series_id", "area_code", "baseline_from",
                                                                 "baseline_to", "end_from", "end_to", "target_percent",
                                                                 "tolerance_points", "source", "note")}
        values["crime_types"] = " ".join(request.form.getlist("crime_types"))
        problems: list[tuple[str, str]] = []
        checked = check_target(values, lambda field, message: problems.append((field, message)))
        published = {t["id"] for t in list_targets(engine) if t["kind"] == "published"}
        if checked and checked["id"] in published:
            problems.append(("id", "a published target has this id; choose another"))
            checked = None
        if checked is None:
            return page(prefix(), "Record a target", _targets_page(engine, prefix(), values, problems, "")), 400
        user = who()
        try:
            save_targets(engine, [checked], "partner", user["recorded_by"], is_admin=user["is_admin"],
                         limit=user["max_targets"])
        except (NotOwner, ImportRejected) as refused:
            return page(prefix(), "Record a target", _targets_page(engine, prefix(), values, [("id", str(refused))], "")), \
                403 if isinstance(refused, NotOwner) else 400
        session["record_flash"] = f"Saved target {checked['id']}."
        return redirect(f"{prefix()}record/targets")

    return record


def _flash() -> str:
    return session.pop("record_flash", "")


def _errors(problems: list[tuple[str, str]]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li><strong>{escape(f)}</strong>{': ' + escape(m) if m else ''}</li>" for f, m in problems)
    return (f'<div class="alert alert-danger" role="alert"><p>Nothing was stored. Please correct:</p>'
            f"<ul class='mb-0'>{items}</ul></div>")


def _field(name: str, label: str, values: dict, hint: str = "", kind: str = "text", area: bool = False) -> str:
    value = escape(values.get(name, ""))
    hint_html = f'<div class="form-text" id="{name}-hint">{escape(hint)}</div>' if hint else ""
    described = f' aria-describedby="{name}-hint"' if hint else ""
    control = (f'<textarea class="form-control" id="{name}" name="{name}" rows="2"{described}>{value}</textarea>'
               if area else f'<input class="form-control" type="{kind}" id="{name}" name="{name}" value="{value}"{described}>')
    return f'<div class="mb-3"><label class="form-label" for="{name}">{escape(label)}</label>{control}{hint_html}</div>'


def _place_field(name: str, label: str, values: dict, hint: str) -> str:
    """A textarea of codes with, once its script runs, a search box over place names and codes
    (the page's one ``<datalist>``) whose Add button appends the chosen code."""
    value = escape(values.get(name, ""))
    return f"""<div class="mb-3"><label class="form-label" for="{name}">{escape(label)}</label>
<textarea class="form-control" id="{name}" name="{name}" rows="2" aria-describedby="{name}-hint">{value}</textarea>
<div class="form-text" id="{name}-hint">{escape(hint)}</div>
<div class="place-finder mt-2" data-place-finder="{name}" hidden>
<label class="form-label small mb-1" for="{name}-find">Find a place for {escape(label.split(" (")[0].lower())} by name or code</label>
<div class="input-group input-group-sm"><input class="form-control" type="text" id="{name}-find" list="place-names"
autocomplete="off" aria-describedby="{name}-find-hint">
<button class="btn btn-outline-secondary" type="button">Add<span class="visually-hidden"> to {escape(label.split(" (")[0].lower())}</span></button></div>
<div class="form-text" id="{name}-find-hint">Type part of a name such as "{escape(partnership.current().home_name)} 008" or a code, choose from the list,
then press Enter or Add.</div><div class="form-text" id="{name}-added" role="status"></div></div></div>"""


def _place_list(engine: Engine) -> str:
    options = "".join(f'<option value="{escape(name)} ({code})"></option>' for code, name in place_choices(engine))
    return f'<datalist id="place-names">{options}</datalist>'


def _crime_boxes(chosen: str) -> str:
    picked = set(chosen.split())
    boxes = "".join(
        f'<div class="form-check form-check-inline"><input class="form-check-input" type="checkbox" name="crime_types" '
        f'id="ct-{c.slug}" value="{c.slug}"{" checked" if c.slug in picked else ""}>'
        f'<label class="form-check-label" for="ct-{c.slug}">{escape(c.name)}</label></div>'
        for c in CRIME_TYPES
    )
    return (f'<fieldset class="mb-3"><legend class="form-label fs-6">Crime types (none ticked: all crime, '
            f"not ASB)</legend>{boxes}</fieldset>")


def _outcome_choice(chosen: str) -> str:
    """The source whose counts judge the intervention: police.uk crime by default. Radios, not
    a select: four choices, each label wrapping on a phone where a select's would be cut."""
    chosen = chosen or POLICE_CRIME
    radios = "".join(
        f'<div class="form-check"><input class="form-check-input" type="radio" name="outcome_source" '
        f'id="outcome-{slug}" value="{slug}"{" checked" if slug == chosen else ""}>'
        f'<label class="form-check-label" for="outcome-{slug}">{escape(SOURCES_BY_SLUG[slug].title)}'
        f'{" (partners only)" if slug in HEALTH_DERIVED else ""}</label></div>' for slug in OUTCOME_SOURCES)
    return (f'<fieldset class="mb-3" aria-describedby="outcome-hint"><legend class="form-label fs-6">Outcome: whose '
            f'counts judge it</legend>{radios}<div class="form-text" id="outcome-hint">A partner source is counted by '
            "the LSOA each record is placed in, every category, over the months it has loaded; it needs a control "
            "given above and no crime types ticked. An A&amp;E outcome's evaluation is shown to partners only."
            "</div></fieldset>")


def _interventions_page(engine: Engine, prefix: str, values: dict, problems, flash: str) -> str:
    token = escape(csrf_token())
    notice = f'<div class="alert alert-success" role="status">{escape(flash)}</div>' if flash else ""
    codes_hint = ("LSOA codes (2011 or 2021) or area codes, separated by spaces or commas; "
                  "the search below finds them by name")
    stored = list_interventions(engine)
    rows = "".join(
        f"<tr><td>{escape(r['name'])}</td><td>{r['start_month']} to {r['end_month']}</td>"
        f"<td>{len(r['target'])}</td><td>{len(r['control']) or 'suggested'}</td><td>{len(r['buffer'])}</td>"
        f"<td>{escape(r['outcome_source'])}</td>"
        f"<td>{escape(r['owner'])}</td>"
        f"<td><form method='post' action='{prefix}record/interventions/{r['id']}/delete'>"
        f"<input type='hidden' name='csrf' value='{token}'><button class='btn btn-outline-danger btn-sm' type='submit'>"
        f"Delete<span class='visually-hidden'> {escape(r['name'])}</span></button></form></td></tr>"
        for r in stored
    )
    table = ("<table class='table table-sm'><caption>Stored interventions</caption><thead><tr>"
             "<th scope='col'>Name</th><th scope='col'>Months</th><th scope='col'>Target codes</th>"
             "<th scope='col'>Control codes</th><th scope='col'>Buffer codes</th><th scope='col'>Outcome</th>"
             "<th scope='col'>Owner</th>"
             "<th scope='col'>Action</th></tr></thead>"
             f"<tbody>{rows}</tbody></table>") if stored else "<p>No interventions are stored yet.</p>"
    # The table's box is positioned so the Delete buttons' visually hidden names (absolutely
    # placed) scroll inside it on a phone instead of widening the page.
    return f"""<h1 class="h2">Record an intervention</h1>{notice}{_errors(problems)}
<p>Evaluations are shown on the <a href="{prefix}interventions">interventions page</a>.</p>
<form method="post" action="{prefix}record/interventions" class="card card-body mb-4">
<input type="hidden" name="csrf" value="{token}">
{_field("name", "Name", values)}{_field("description", "Description", values, area=True)}
<div class="row"><div class="col-md-6">{_field("start_month", "Start month", values, "YYYY-MM", "month")}</div>
<div class="col-md-6">{_field("end_month", "End month", values, "YYYY-MM", "month")}</div></div>
{_place_field("target", "Target places", values, codes_hint)}
{_place_field("control", "Control places (optional)", values, "Leave empty to use a suggested control. " + codes_hint)}
{_place_field("buffer", "Displacement buffer (optional)", values, codes_hint)}
{_place_list(engine)}
{_outcome_choice(values.get("outcome_source", ""))}
{_crime_boxes(values.get("crime_types", ""))}
<button class="btn btn-primary" type="submit">Save intervention</button></form>
<form method="post" action="{prefix}record/interventions/upload" enctype="multipart/form-data" class="card card-body mb-4">
<input type="hidden" name="csrf" value="{token}">
<div class="mb-3"><label class="form-label" for="file">Or load interventions from a CSV file</label>
<input class="form-control" type="file" id="file" name="file" accept=".csv,text/csv" aria-describedby="file-hint">
<div class="form-text" id="file-hint">Columns: name, description, start_month, end_month, target, control, buffer,
crime_types, outcome_source (optional: police-crime when empty; see the README). The whole file is checked first: any problem stores nothing.</div></div>
<button class="btn btn-outline-primary" type="submit">Check and load</button></form>
<div class="table-responsive position-relative">{table}</div>
<script src="{prefix}record/place-finder.js" defer></script>"""


def _targets_page(engine: Engine, prefix: str, values: dict, problems, flash: str) -> str:
    token = escape(csrf_token())
    notice = f'<div class="alert alert-success" role="status">{escape(flash)}</div>' if flash else ""
    options = "".join(f'<option value="{a.code}"{" selected" if values.get("area_code") == a.code else ""}>'
                      f"{escape(a.name)}</option>" for a in (AREAS_BY_CODE[c] for c in partnership.current().known_areas))
    return f"""<h1 class="h2">Record a target</h1>{notice}{_errors(problems)}
<p>Progress is shown on the <a href="{prefix}targets">targets page</a>.</p>
<form method="post" action="{prefix}record/targets" class="card card-body mb-4">
<input type="hidden" name="csrf" value="{token}">
{_field("id", "Id", values, "lower-case letters, digits and hyphens")}{_field("title", "Title", values)}
<div class="mb-3"><label class="form-label" for="area_code">Area</label>
<select class="form-select" id="area_code" name="area_code">{options}</select></div>
{_crime_boxes(values.get("crime_types", ""))}
{_field("series_id", "Or a partner series id", values, "instead of crime types")}
<div class="row"><div class="col-md-3">{_field("baseline_from", "Baseline from", values, "YYYY-MM", "month")}</div>
<div class="col-md-3">{_field("baseline_to", "Baseline to", values, "YYYY-MM", "month")}</div>
<div class="col-md-3">{_field("end_from", "End period from", values, "YYYY-MM", "month")}</div>
<div class="col-md-3">{_field("end_to", "End period to", values, "YYYY-MM", "month")}</div></div>
<div class="row"><div class="col-md-6">{_field("target_percent", "Target change (%)", values, "for example -5")}</div>
<div class="col-md-6">{_field("tolerance_points", "Tolerance (percentage points)", values, "for example 2")}</div></div>
{_field("source", "Source", values, "who set the target, and where it is published")}{_field("note", "Note", values, area=True)}
<button class="btn btn-primary" type="submit">Save target</button></form>
<div class="table-responsive">{_targets_table(engine, prefix, token)}</div>"""


def _targets_table(engine: Engine, prefix: str, token: str) -> str:
    """Partners' stored targets with their owners; only the owner or an administrator may delete one."""
    stored = [t for t in list_targets(engine) if t["kind"] == "partner"]
    if not stored:
        return "<p>No partner targets are stored yet.</p>"
    rows = "".join(
        f"<tr><td>{escape(t['id'])}</td><td>{escape(t['title'])}</td><td>{escape(t['owner'])}</td>"
        f"<td><form method='post' action='{prefix}record/targets/{escape(t['id'])}/delete'>"
        f"<input type='hidden' name='csrf' value='{token}'><button class='btn btn-outline-danger btn-sm' type='submit'>"
        f"Delete<span class='visually-hidden'> {escape(t['title'])}</span></button></form></td></tr>"
        for t in stored
    )
    return ("<table class='table table-sm'><caption>Stored partner targets</caption><thead><tr>"
            "<th scope='col'>Id</th><th scope='col'>Title</th><th scope='col'>Owner</th><th scope='col'>Action</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")
