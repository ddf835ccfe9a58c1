"""Administration: the import log, and uploads checked before anything is stored.

An upload is parsed and checked in full first and its validation report shown; only a
second, confirmed request imports it, in one transaction, logged with who did it.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections import Counter
from html import escape
from pathlib import Path

from flask import Blueprint, abort, redirect, request, session
from sqlalchemy import Engine, select

from dashboard.forms.incident_upload import KIND as INCIDENTS
from dashboard.forms.incident_upload import KIND_LABEL as INCIDENTS_LABEL
from dashboard.forms.incident_upload import incident_report, precision_page
from dashboard.forms.upload_checks import check_csv_upload
from dashboard.server.auth import ADMIN, csrf_token, current_user, page, require
from dashboard.server.settings import current_settings
from queries import partnership
from queries.coverage import coverage_summary, month_ranges
from queries.import_lock import ImportBusy, import_lock
from queries.importers.errors import ImportRejected
from queries.importers.files import InputFile, input_from_bytes
from queries.importers.incidents_store import import_incidents
from queries.importers.policeuk import import_policeuk
from queries.importers.policeuk_parse import FileSummary, StreetFile, read_policeuk_file
from queries.importers.policeuk_store import check_not_partial
from queries.importers.series import import_series, parse_series
from queries.records import audit_entries
from queries.schema import import_log

KINDS = {"policeuk": "data.police.uk street or outcomes CSV (or .csv.gz)", "series": "Partner series (template CSV)",
         INCIDENTS: INCIDENTS_LABEL}
MAX_BYTES = 50 * 1024 * 1024
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


class PendingUploads:
    """Checked uploads awaiting confirmation: a folder only this app's user can open (0700),
    shared by the workers, files named at random and removed after ``expiry`` seconds."""

    def __init__(self, folder: str | Path, expiry: float):
        self.folder = Path(folder)
        self.expiry = expiry

    def _ready(self) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)  # also when it already existed with a looser mode

    def keep(self, data: bytes) -> str:
        self._ready()
        self.expire()
        token = secrets.token_urlsafe(24)  # 32 characters, unguessable
        handle = os.open(self.folder / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        return token

    def path(self, token) -> Path | None:
        """The kept file of ``token`` if it exists and has not expired."""
        if not isinstance(token, str) or not TOKEN.match(token):
            return None
        path = self.folder / token
        try:
            fresh = time.time() - path.stat().st_mtime < self.expiry
        except FileNotFoundError:
            return None
        if not fresh:
            path.unlink(missing_ok=True)
            return None
        return path

    def expire(self) -> None:
        now = time.time()
        for path in self.folder.iterdir() if self.folder.exists() else ():
            try:
                if now - path.stat().st_mtime >= self.expiry:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                pass  # another worker removed it first


def create_admin(engine: Engine, pending: PendingUploads) -> Blueprint:
    admin = Blueprint("admin", __name__)

    @admin.before_request
    def only_admins():
        require(ADMIN)

    def prefix() -> str:
        return current_settings().url_prefix

    @admin.get("/imports")
    def imports():
        with engine.connect() as conn:
            rows = conn.execute(select(import_log).order_by(import_log.c.id.desc()).limit(500)).all()
        body = "".join(
            f"<tr><td>{r.id}</td><td>{r.imported_at:%Y-%m-%d %H:%M}</td><td>{escape(r.imported_by)}</td>"
            f"<td>{escape(r.kind)}</td><td>{escape(Path(r.filename).name)}</td><td><code>{r.checksum[:12]}</code></td>"
            f"<td class='text-end'>{r.rows_read:,}</td><td class='text-end'>{r.rows_stored:,}</td><td>{escape(r.outcome)}</td></tr>"
            for r in rows
        )
        table = ("<table class='table table-sm table-striped'><caption>Most recent first</caption><thead><tr>"
                 + "".join(f"<th scope='col'>{h}</th>" for h in ("#", "When (UTC)", "Who", "Kind", "File", "SHA-256",
                                                                 "Rows read", "Rows stored", "Outcome"))
                 + f"</tr></thead><tbody>{body}</tbody></table>")
        return page(prefix(), "Import log", f"<h1 class='h2'>Import log</h1><p><a href='{prefix()}admin/upload'>Upload a file</a> · "
                    f"<a href='{prefix()}admin/audit'>Audit log of interventions, targets and series</a> · "
                    f"<a href='{prefix()}admin/coverage'>Coverage of police.uk data</a> · "
                    f"<a href='{prefix()}admin/incidents'>Partner incidents: location precision</a></p>"
                    f"<div class='table-responsive'>{table}</div>")

    @admin.get("/coverage")
    def coverage_page():
        """Each force's months: loaded, missing (not loaded) and not published by data.police.uk."""
        summary = coverage_summary(engine)
        # The partnership's own forces first, then the rest in the order of their codes.
        own = partnership.current().forces
        summary.sort(key=lambda f: own.index(f["force_code"]) if f["force_code"] in own else len(own))
        body = "".join(
            f"<tr><th scope='row'>{escape(f['force_name'])}</th><td class='text-nowrap'>"
            f"{escape(_span(f['first_loaded'], f['last_loaded']))}</td>"
            f"<td class='text-end'>{f['months_loaded']:,}</td>"
            f"<td>{escape(month_ranges(f['months_missing'])) or 'none'}</td>"
            f"<td>{escape(month_ranges(f['months_not_published'])) or 'none'}</td>"
            f"<td>{escape(month_ranges(f['synthetic_months'])) or 'none'}</td></tr>"
            for f in summary
        )
        span = f"{summary[0]['first_month']} to {summary[0]['last_month']}" if summary else "no months"
        table = (f"<table class='table table-sm table-striped'><caption>Every force with anything loaded, over {span} "
                 "(the first to the last month loaded for any force)</caption><thead><tr>"
                 + "".join(f"<th scope='col'>{h}</th>" for h in ("Force area", "Loaded", "Months loaded",
                                                                 "Missing (not loaded)", "Not published by data.police.uk",
                                                                 "Synthetic (demo)"))
                 + f"</tr></thead><tbody>{body}</tbody></table>")
        return page(prefix(), "Coverage", "<h1 class='h2'>Coverage of police.uk data</h1><p>A missing month is not a "
                    "zero: charts leave it out and say so, and a comparison is made only over months its areas' "
                    "forces all have. A month data.police.uk did not publish cannot be loaded; a missing one can "
                    "(<code>flask --app app import-policeuk</code>). The same ledger is at "
                    f"<a href='{prefix()}api/v1/coverage'>/api/v1/coverage</a>.</p>"
                    f"<div class='table-responsive'>{table}</div>")

    @admin.get("/audit")
    def audit_log_page():
        """Who created, changed, deleted or imported interventions, targets and series."""
        rows = audit_entries(engine, 500)
        body = "".join(
            f"<tr><td>{r['at']:%Y-%m-%d %H:%M:%S}</td><td>{escape(r['actor'])}</td><td>{escape(r['action'])}</td>"
            f"<td>{escape(r['subject'])}</td><td>{escape(r['record'])}</td><td>{escape(r['before'])}</td>"
            f"<td>{escape(r['after'])}</td></tr>"
            for r in rows
        )
        table = ("<table class='table table-sm table-striped'><caption>The latest 500 changes, most recent first</caption>"
                 "<thead><tr>" + "".join(f"<th scope='col'>{h}</th>" for h in ("When (UTC)", "Who", "Action", "Record kind",
                                                                                "Record or file", "Before", "After"))
                 + f"</tr></thead><tbody>{body}</tbody></table>")
        return page(prefix(), "Audit log", "<h1 class='h2'>Audit log</h1><p>Interventions, targets and series: "
                    f"every change and import.</p><div class='table-responsive'>{table}</div>")

    @admin.get("/incidents")
    def incident_precision():
        """How precisely partners' records are placed, and those left unmatched."""
        return page(prefix(), "Partner incidents", precision_page(engine, prefix()))

    @admin.get("/upload")
    def upload_form():
        return page(prefix(), "Upload data", _upload_form(prefix(), csrf_token()))

    @admin.post("/upload")
    def upload_check():
        kind = request.form.get("kind")
        upload = request.files.get("file")
        if kind not in KINDS or upload is None or not upload.filename:
            return page(prefix(), "Upload data", _upload_form(prefix(), csrf_token(), "Choose a kind and a file.")), 400
        data = upload.stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return page(prefix(), "Upload data", _upload_form(prefix(), csrf_token(), "The file is over 50 MB.")), 413
        name = Path(upload.filename).name
        report = _validate(engine, kind, name, data)
        if report["ok"]:
            token = pending.keep(data)
            session["pending_upload"] = {"token": token, "kind": kind, "name": name}
        return page(prefix(), "Validation report", _report_page(prefix(), csrf_token(), name, report)), (200 if report["ok"] else 422)

    @admin.post("/upload/confirm")
    def upload_confirm():
        upload = session.pop("pending_upload", None)
        path = pending.path(upload.get("token")) if isinstance(upload, dict) else None
        if path is None:
            abort(400)
        # The importers read the kind of file from its name; the folder stays private.
        named = path.with_name(upload["token"] + "-" + Path(str(upload["name"])).name)
        path.rename(named)
        try:
            with import_lock(engine):
                _store(engine, upload, named)
        except ImportBusy as busy:
            named.rename(path)  # still checked and kept: confirming again imports it
            session["pending_upload"] = upload
            return page(prefix(), "Import not started", f"<h1 class='h2'>Nothing was stored</h1><p>{escape(str(busy).capitalize())}.</p>"
                        f"<form method='post' action='{prefix()}admin/upload/confirm'><input type='hidden' name='csrf' "
                        f"value='{escape(csrf_token())}'><button class='btn btn-primary' type='submit'>Try again</button></form>"), 409
        except ImportRejected as rejected:
            return page(prefix(), "Import failed", f"<h1 class='h2'>Nothing was stored</h1><pre>{escape(str(rejected))}</pre>"), 422
        finally:
            named.unlink(missing_ok=True)
        return redirect(f"{prefix()}admin/imports")

    return admin


def _span(first: str | None, last: str | None) -> str:
    """'2023-01 to 2024-12', one month alone, or 'none'."""
    if first is None:
        return "none"
    return first if first == last else f"{first} to {last}"


def _store(engine: Engine, upload: dict, named: Path) -> None:
    """Import a confirmed upload, recorded as the signed-in administrator's."""
    if upload["kind"] == "series":
        import_series(engine, named, kind="partner", imported_by=current_user())
    elif upload["kind"] == INCIDENTS:
        import_incidents(engine, named, imported_by=current_user())
    else:
        import_policeuk(engine, [named], imported_by=current_user(), max_bytes=current_settings().import_max_bytes)


def _validate(engine: Engine, kind: str, name: str, data: bytes) -> dict:
    """Parse without storing: what would be imported, or every problem found."""
    try:
        if kind == INCIDENTS:
            summary = incident_report(engine, name, data)
        elif kind == "series":
            check_csv_upload(name, data)
            parsed = parse_series(name, data)
            summary = [f"{len(parsed.values)} values in {len(parsed.series)} series: " + ", ".join(parsed.series)]
        else:
            # The importer's own check, so an upload is judged exactly as import-policeuk judges it.
            source = input_from_bytes(name, data, current_settings().import_max_bytes)
            unpacked = source.read_bytes()  # once: checked here, then parsed
            check_csv_upload(source.name, unpacked)
            parsed = read_policeuk_file(InputFile(source.name, lambda: unpacked))
            if isinstance(parsed, StreetFile):
                with engine.connect() as conn:  # the import would refuse a partial month: say so now
                    check_not_partial(conn, parsed, Counter(r["month"] for r in parsed.rows))
                skipped = ", ".join(f"{n} {reason}" for reason, n in parsed.skipped.items()) or "none"
                summary = [(f"Street file for {parsed.force.name}, {', '.join(parsed.months)}: {parsed.rows_read:,} rows read, "
                            f"{len(parsed.rows):,} would be stored ({parsed.no_location} with no location); skipped: {skipped}")]
            elif isinstance(parsed, FileSummary):
                summary = [f"Would be skipped: {parsed.note}"]
            else:
                summary = [f"Outcomes file: {parsed.rows_read:,} rows for {len(parsed.latest):,} crimes"]
        return {"ok": True, "summary": summary, "errors": []}
    except ImportRejected as rejected:
        return {"ok": False, "summary": [], "errors": [str(e) for e in rejected.errors]}


def _upload_form(prefix: str, token: str, message: str = "") -> str:
    alert = f'<div class="alert alert-danger" role="alert">{escape(message)}</div>' if message else ""
    options = "".join(f'<option value="{k}">{escape(v)}</option>' for k, v in KINDS.items())
    return f"""<h1 class="h2">Upload data</h1>{alert}
<p>The file is checked first; nothing is stored until you confirm the report. <a href="{prefix}admin/imports">Import log</a></p>
<form method="post" action="{prefix}admin/upload" enctype="multipart/form-data" class="card card-body" style="max-width: 36rem">
<input type="hidden" name="csrf" value="{escape(token)}">
<div class="mb-3"><label class="form-label" for="kind">Kind of file</label><select class="form-select" id="kind" name="kind">{options}</select></div>
<div class="mb-3"><label class="form-label" for="file">File</label><input class="form-control" id="file" name="file" type="file" required></div>
<button class="btn btn-primary" type="submit">Check the file</button></form>"""


def _report_page(prefix: str, token: str, name: str, report: dict) -> str:
    if not report["ok"]:
        items = "".join(f"<li>{escape(e)}</li>" for e in report["errors"])
        return (f"<h1 class='h2'>{escape(name)} cannot be imported</h1><p>Nothing has been stored. Fix these and upload again:</p>"
                f"<ul>{items}</ul><p><a href='{prefix}admin/upload'>Upload again</a></p>")
    items = "".join(f"<li>{escape(s)}</li>" for s in report["summary"])
    return (f"<h1 class='h2'>Validation report: {escape(name)}</h1><p>The file passed every check.</p><ul>{items}</ul>"
            f"<form method='post' action='{prefix}admin/upload/confirm'><input type='hidden' name='csrf' value='{escape(token)}'>"
            f"<button class='btn btn-primary' type='submit'>Import it</button> <a class='btn btn-link' href='{prefix}admin/upload'>Cancel</a></form>")



