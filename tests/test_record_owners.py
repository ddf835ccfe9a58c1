"""Partner-entered records are bounded, owned and logged: only a record's owner or an
administrator changes or deletes it, every change and import is in the audit log an
administrator reads, files past the limit are refused naming file and row, and the public
API evaluates a page of interventions at a time."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app import create_app
from queries.accounts import set_account
from queries.importers.policeuk import import_policeuk
from queries.importers.series import import_series
from queries.interventions import list_interventions
from queries.records import audit_entries
from queries.schema import target
from queries.targets import list_targets

from .conftest import FIXTURES
from .test_interventions import HEADER, PASSWORD, _token, signed_in

FORM = {"start_month": "2024-01", "end_month": "2024-01", "target": "E01028594", "control": "E01017649",
        "crime_types": ["burglary"]}
TARGET = {"title": "Cut burglary", "area_code": "E07000178", "crime_types": ["burglary"], "baseline_from": "2022-01",
          "baseline_to": "2022-01", "end_from": "2024-01", "end_to": "2024-01", "target_percent": "-5",
          "tolerance_points": "2", "source": "Example partnership"}


@pytest.fixture
def app(sqlite_engine):
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2022-01-thames-valley-street.csv",
                                    FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    for name, role in (("pat", "partner"), ("sam", "partner"), ("ada", "admin")):
        set_account(sqlite_engine, name, PASSWORD, role)
    return create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                       "max_interventions": 3, "max_targets": 5})  # the 4 shipped targets and one more


def engine_of(app):
    return app.server.extensions["engine"]


def test_only_the_owner_or_an_administrator_changes_or_deletes_an_intervention(app):
    pat, sam, ada = signed_in(app, "pat"), signed_in(app, "sam"), signed_in(app, "ada")
    assert pat.post("/record/interventions", data={**FORM, "csrf": _token(pat), "name": "Op Owl",
                                                   "description": "pat's"}).status_code == 302
    stored = list_interventions(engine_of(app))[0]
    assert stored["owner"] == "pat"
    # Another partner can neither overwrite it (same name) nor delete it.
    overwrite = sam.post("/record/interventions", data={**FORM, "csrf": _token(sam), "name": "Op Owl",
                                                        "description": "sam's"})
    assert overwrite.status_code == 403 and b"recorded by pat" in overwrite.data
    assert sam.post(f"/record/interventions/{stored['id']}/delete", data={"csrf": _token(sam)}).status_code == 403
    assert [(r["description"], r["owner"]) for r in list_interventions(engine_of(app))] == [("pat's", "pat")]
    # The owner may change it; an administrator may change it and keeps the owner; and delete it.
    assert pat.post("/record/interventions", data={**FORM, "csrf": _token(pat), "name": "Op Owl",
                                                   "description": "pat's again"}).status_code == 302
    assert ada.post("/record/interventions", data={**FORM, "csrf": _token(ada), "name": "Op Owl",
                                                   "description": "fixed"}).status_code == 302
    record = list_interventions(engine_of(app))[0]
    assert (record["description"], record["owner"], record["recorded_by"]) == ("fixed", "pat", "ada")
    assert ada.post(f"/record/interventions/{record['id']}/delete", data={"csrf": _token(ada)}).status_code == 302
    assert list_interventions(engine_of(app)) == []
    log = [(e["actor"], e["action"], e["subject"], e["record"]) for e in reversed(audit_entries(engine_of(app)))]
    assert log[-4:] == [("pat", "create", "intervention", "Op Owl"), ("pat", "update", "intervention", "Op Owl"),
                        ("ada", "update", "intervention", "Op Owl"), ("ada", "delete", "intervention", "Op Owl")]
    update = [e for e in audit_entries(engine_of(app)) if e["actor"] == "ada" and e["action"] == "update"][0]
    assert "name=Op Owl" in update["before"] and "owner=pat" in update["after"]


def test_only_the_owner_or_an_administrator_changes_or_deletes_a_target(app):
    pat, sam, ada = signed_in(app, "pat"), signed_in(app, "sam"), signed_in(app, "ada")
    assert pat.post("/record/targets", data={**TARGET, "csrf": _token(pat), "id": "burglary-cut"}).status_code == 302
    refused = sam.post("/record/targets", data={**TARGET, "csrf": _token(sam), "id": "burglary-cut", "title": "Mine"})
    assert refused.status_code == 403
    assert sam.post("/record/targets/burglary-cut/delete", data={"csrf": _token(sam)}).status_code == 403
    stored = next(t for t in list_targets(engine_of(app)) if t["id"] == "burglary-cut")
    assert (stored["title"], stored["owner"]) == ("Cut burglary", "pat")
    assert pat.post("/record/targets/burglary-cut/delete", data={"csrf": _token(pat)}).status_code == 302
    assert all(t["id"] != "burglary-cut" for t in list_targets(engine_of(app)))
    assert ada.post("/record/targets/csp-2011-14-burglary/delete", data={"csrf": _token(ada)}).status_code == 404
    actions = [(e["actor"], e["action"], e["record"]) for e in audit_entries(engine_of(app)) if e["subject"] == "target"]
    assert actions[:2] == [("pat", "delete", "burglary-cut"), ("pat", "create", "burglary-cut")]


def test_an_administrator_reads_the_audit_log_and_a_partner_cannot(app, tmp_path):
    path = tmp_path / "partner-series.csv"
    path.write_bytes((FIXTURES / "series" / "partner-series.csv").read_bytes())
    import_series(engine_of(app), path, kind="partner", imported_by="pat")
    assert signed_in(app, "pat").get("/admin/audit").status_code == 403
    page = signed_in(app, "ada").get("/admin/audit")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "partner-series.csv" in body and "da-incidents-police" in body and "<td>import</td>" in body


def test_a_file_past_the_limit_is_refused_naming_file_and_row(app):
    pat = signed_in(app, "pat")
    rows = "".join(f"Op {i},,2024-01,2024-01,E01028594,E01017649,,burglary\n" for i in range(4))
    response = pat.post("/record/interventions/upload", data={
        "csrf": _token(pat), "file": (io.BytesIO((HEADER + rows).encode()), "ops.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    # The limit is 3 (MAX_INTERVENTIONS): the fourth row, on line 5, is the first over it.
    assert b"ops.csv, row 5: more than 3 interventions in the file (the MAX_INTERVENTIONS setting)" in response.data
    assert list_interventions(engine_of(app)) == []
    # Two stored, then a file of two more would make four: refused at its second row.
    for name in ("Op A", "Op B"):
        pat.post("/record/interventions", data={**FORM, "csrf": _token(pat), "name": name})
    two = "".join(f"Op {i},,2024-01,2024-01,E01028594,E01017649,,burglary\n" for i in (7, 8))
    response = pat.post("/record/interventions/upload", data={
        "csrf": _token(pat), "file": (io.BytesIO((HEADER + two).encode()), "more.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"more.csv, row 3: 4 interventions would be stored, over the limit of 3" in response.data
    assert sorted(r["name"] for r in list_interventions(engine_of(app))) == ["Op A", "Op B"]


def test_targets_past_the_limit_are_refused(app):
    pat = signed_in(app, "pat")
    with engine_of(app).connect() as conn:
        assert len(conn.execute(select(target.c.id)).all()) == 4  # the shipped targets
    assert pat.post("/record/targets", data={**TARGET, "csrf": _token(pat), "id": "fifth"}).status_code == 302
    response = pat.post("/record/targets", data={**TARGET, "csrf": _token(pat), "id": "sixth"})
    assert response.status_code == 400
    assert b"6 targets would be stored, over the limit of 5 (the MAX_TARGETS setting)" in response.data
    assert "sixth" not in {t["id"] for t in list_targets(engine_of(app))}


def test_the_public_api_evaluates_a_page_of_interventions_at_a_time(app):
    pat, public = signed_in(app, "pat"), signed_in(app)
    for name in ("Op A", "Op B", "Op C"):
        pat.post("/record/interventions", data={**FORM, "csrf": _token(pat), "name": name})
    first = public.get("/api/v1/interventions?limit=2").get_json()
    assert (first["total"], first["offset"], first["limit"], first["next_offset"]) == (3, 0, 2, 2)
    assert len(first["interventions"]) == 2
    rest = public.get("/api/v1/interventions?limit=2&offset=2").get_json()
    assert len(rest["interventions"]) == 1 and rest["next_offset"] is None
    assert {i["name"] for i in first["interventions"] + rest["interventions"]} == {"Op A", "Op B", "Op C"}
    assert public.get("/api/v1/interventions?limit=101").status_code == 400
    assert public.get("/api/v1/interventions").get_json()["limit"] == 20
