"""Limits on what one client can do to others: sign-in lockouts, costly downloads, uploads
with crafted content, imports at once, and gunicorn's control socket."""

from __future__ import annotations

import io
import runpy
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from dashboard.server.throttle import PER_ADDRESS, PER_PAIR, SignInThrottle
from queries.accounts import set_account
from queries.import_lock import BUSY, ImportBusy, import_lock
from queries.importers.policeuk import import_policeuk
from queries.schema import sign_in_attempt

from .conftest import FIXTURES
from .helpers import form_token, snapshot

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parent.parent


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(sign_in_attempt)).scalar()


# Sign-in: nobody elsewhere can lock the real user out; the table stays small ----------------

def test_failures_from_other_addresses_do_not_lock_the_real_user_out(sqlite_engine, tmp_path):
    set_account(sqlite_engine, "pat", PASSWORD, "partner")
    app = create_app({"database_url": url_of(sqlite_engine), "trusted_proxies": "10.0.0.5",
                      "upload_dir": str(tmp_path)})

    def sign_in(address, password):
        client = app.server.test_client()
        options = {"headers": {"X-Forwarded-For": address}, "environ_base": {"REMOTE_ADDR": "10.0.0.5"}}
        token = form_token(client, "/login", **options)
        return client.post("/login", data={"csrf": token, "username": "pat", "password": password}, **options)

    # 21 wrong passwords from one address, and a few from each of 10 more: 71 failures, far
    # past the old account-wide limit of 20.
    for _ in range(21):
        sign_in("203.0.113.7", "wrong guess no")
    for n in range(10):
        for _ in range(PER_PAIR + 1):
            sign_in(f"198.51.100.{n}", "wrong guess no")
    assert b"Too many failed attempts" in sign_in("203.0.113.7", PASSWORD).data  # the attacker's own address
    assert sign_in("192.0.2.44", PASSWORD).status_code == 302  # the real user, elsewhere


def test_an_address_trying_many_usernames_adds_a_bounded_number_of_rows(sqlite_engine):
    throttle = SignInThrottle(sqlite_engine)
    allowed = sum(throttle.allow(uuid.uuid4().hex, "203.0.113.9") for _ in range(600))
    assert allowed == PER_ADDRESS  # then the address is refused whatever the username
    assert rows(sqlite_engine) == PER_ADDRESS + 1  # its pairs and the address itself (was 1,208)


def test_expired_counts_are_purged_on_schedule(sqlite_engine):
    now = [1_000_000.0]
    throttle = SignInThrottle(sqlite_engine, window=60, purge_every=30, clock=lambda: now[0])
    for n in range(50):
        throttle.allow("pat", f"203.0.113.{n}")
    assert rows(sqlite_engine) == 100
    now[0] += 29  # not yet due, and the windows still open
    throttle.allow("ada", "192.0.2.1")
    assert rows(sqlite_engine) == 102
    now[0] += 61  # every earlier window has ended and a purge is due
    throttle.allow("ada", "192.0.2.1")
    assert rows(sqlite_engine) == 2  # only the attempt just made (a fresh window for its keys)


# Costly answers: limited per client, with a 429 and Retry-After ------------------------------

@pytest.fixture
def limited_app(sqlite_engine, tmp_path):
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    set_account(sqlite_engine, "pat", PASSWORD, "partner")
    return create_app({"database_url": url_of(sqlite_engine), "upload_dir": str(tmp_path), "rate_limit_enabled": True,
                       "rate_limit_documents": "1 per minute", "rate_limit_documents_partner": "3 per minute",
                       "rate_limit_data": "3 per minute", "rate_limit_data_partner": "10 per minute"})


def from_address(app, address):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_client_past_its_limit_gets_a_429_and_others_are_unaffected(limited_app):
    greedy = from_address(limited_app, "203.0.113.7")
    for _ in range(3):
        assert greedy.get("/api/v1/areas").status_code == 200
    refused = greedy.get("/api/v1/counts?area=E07000178")  # the API and CSVs share one budget
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["error"]["status"] == 429
    csv = greedy.get("/download/crime-trend.csv")
    assert csv.status_code == 429 and b"Too many requests" in csv.data and b"Traceback" not in csv.data
    # Pages, static files and /health are never limited.
    for path in ("/", "/crime", "/health", "/assets/dashboard.css", "/api/v1/openapi.json") * 3:
        assert greedy.get(path).status_code == 200, path
    # Another client is unaffected.
    other = from_address(limited_app, "198.51.100.20")
    assert other.get("/api/v1/areas").status_code == 200
    assert other.get("/download/crime-trend.csv").status_code == 200


def test_documents_have_a_budget_of_their_own_and_partners_more_room(limited_app):
    public = from_address(limited_app, "203.0.113.7")
    assert public.get("/board-report.zip").status_code == 200
    assert public.get("/hotspots/pack.zip").status_code == 429  # one document a minute for the public
    assert public.get("/api/v1/areas").status_code == 200  # the data budget is separate
    partner = from_address(limited_app, "203.0.113.7")  # the same address, signed in
    assert partner.post("/login", data={"csrf": form_token(partner), "username": "pat",
                                        "password": PASSWORD}).status_code == 302
    assert [partner.get("/hotspots/pack.zip").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_worker_builds_few_documents_at_once_and_answers_the_rest_503(sqlite_engine, tmp_path, monkeypatch):
    import threading

    from dashboard.documents import pack

    started, release, statuses = threading.Event(), threading.Event(), []

    def slow_zip(reader, filters):
        started.set()
        release.wait(60)
        return b"PK"

    monkeypatch.setattr(pack, "build_zip", slow_zip)
    app = create_app({"database_url": url_of(sqlite_engine), "upload_dir": str(tmp_path), "document_builds": 1})
    first = threading.Thread(target=lambda: statuses.append(from_address(app, "203.0.113.1").get("/hotspots/pack.zip")
                                                            .status_code))
    first.start()
    assert started.wait(60)
    other = from_address(app, "198.51.100.2")
    busy = other.get("/board-report.zip")
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "30" and b"try again in 30 seconds" in busy.data
    assert other.get("/health").status_code == 200 and other.get("/api/v1/areas").status_code == 200
    release.set()
    first.join()
    assert statuses == [200]
    assert other.get("/hotspots/pack.zip").status_code == 200  # the slot is free again


def test_with_redis_every_worker_shares_the_count(sqlite_engine, tmp_path, redis_cache):
    config = {"database_url": url_of(sqlite_engine), "upload_dir": str(tmp_path), "rate_limit_data": "4 per minute",
              "rate_limit_storage_url": redis_cache.url, "rate_limit_enabled": True}
    workers = [create_app(config) for _ in range(2)]
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"  # this run's own client, so runs sharing Redis do not meet
    statuses = [from_address(workers[n % 2], address).get("/api/v1/areas").status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]


# Uploaded CSVs with crafted content: a report naming file, row and field ----------------------

@pytest.fixture
def recording_app(sqlite_engine, tmp_path):
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    set_account(sqlite_engine, "ada", PASSWORD, "admin")
    app = create_app({"database_url": url_of(sqlite_engine), "upload_dir": str(tmp_path / "uploads")})
    client = app.server.test_client()
    assert client.post("/login", data={"csrf": form_token(client), "username": "ada",
                                       "password": PASSWORD}).status_code == 302
    return client


INTERVENTIONS_HEADER = b"name,description,start_month,end_month,target,control,buffer,crime_types\n"


@pytest.mark.parametrize(("description", "message"), [
    (b"patrols\x00", "i.csv, row 2, field &#x27;description&#x27;: contains a NUL character"),
    (b"x" * 200_000, "i.csv, row 2, field &#x27;description&#x27;: a field longer than 131,072 characters"),
    (b'"' + b"y" * 140_000 + b'"', "i.csv, row 2, field &#x27;description&#x27;: a field longer than 131,072"),
])
def test_an_interventions_csv_with_a_nul_or_a_huge_field_is_reported_by_row_and_field(recording_app, sqlite_engine,
                                                                                       description, message):
    data = INTERVENTIONS_HEADER + b"Op A," + description + b",2024-01,2024-01,E01028594,,,burglary\n"
    before = snapshot(sqlite_engine)
    response = recording_app.post("/record/interventions/upload", data={
        "csrf": form_token(recording_app, "/record/interventions"), "file": (io.BytesIO(data), "i.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and b"Traceback" not in response.data
    assert message in response.get_data(as_text=True)
    assert snapshot(sqlite_engine) == before


def test_an_admin_upload_with_a_nul_or_a_huge_field_is_reported_by_row_and_field(recording_app):
    header = b"series_id,title,theme,unit,area_code,period,value,source\n"
    for body, message in ((b"x-1,X\x00,crime,count,E07000178,2024,5,Me\n", "s.csv, row 2, field &#x27;title&#x27;"),
                          (b"x-1,X,crime,count,E07000178,2024,5," + b"z" * 140_000 + b"\n",
                           "s.csv, row 2, field &#x27;source&#x27;: a field longer than 131,072")):
        response = recording_app.post("/admin/upload", data={
            "csrf": form_token(recording_app, "/admin/upload"), "kind": "series",
            "file": (io.BytesIO(header + body), "s.csv")}, content_type="multipart/form-data")
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_nul_characters_in_sign_in_and_forms_are_400s_on_each_database(engine, tmp_path):
    set_account(engine, "pat", PASSWORD, "partner")
    app = create_app({"database_url": url_of(engine), "upload_dir": str(tmp_path)})
    client = app.server.test_client()
    token = form_token(client)
    for username in ("pat\x00", "\x00"):
        response = client.post("/login", data={"csrf": token, "username": username, "password": PASSWORD})
        assert response.status_code == 400 and b"NUL character" in response.data
    assert client.post("/login", data={"csrf": token, "username": "pat", "password": PASSWORD}).status_code == 302
    token = form_token(client, "/record/targets")
    before = snapshot(engine)
    for path, field in (("/record/targets", "title"), ("/record/interventions", "name"), ("/record/interventions",
                                                                                           "description")):
        response = client.post(path, data={"csrf": token, field: "Op\x00One"})
        assert response.status_code == 400 and f"The field &#x27;{field}&#x27; contains a NUL" in response.get_data(
            as_text=True)
    assert snapshot(engine) == before


# Imports one at a time -----------------------------------------------------------------------

def test_a_second_import_at_once_is_told_another_is_running(engine):
    with import_lock(engine), pytest.raises(ImportBusy, match="another import is running"), import_lock(engine):
        pass
    with import_lock(engine):  # released: the next import runs
        pass


def test_the_import_command_and_the_upload_say_so_plainly(sqlite_engine, tmp_path):
    from click.testing import CliRunner

    set_account(sqlite_engine, "ada", PASSWORD, "admin")
    app = create_app({"database_url": url_of(sqlite_engine), "upload_dir": str(tmp_path / "uploads")})
    admin = app.server.test_client()
    assert admin.post("/login", data={"csrf": form_token(admin), "username": "ada",
                                      "password": PASSWORD}).status_code == 302
    series = b"series_id,title,theme,unit,area_code,period,value,source\nx-1,X,crime,count,E07000178,2024,5,Me\n"
    token = form_token(admin, "/admin/upload")
    assert admin.post("/admin/upload", data={"csrf": token, "kind": "series", "file": (io.BytesIO(series), "s.csv")},
                      content_type="multipart/form-data").status_code == 200
    before = snapshot(sqlite_engine)
    with import_lock(app.server.extensions["engine"]):  # another import is running
        busy = admin.post("/admin/upload/confirm", data={"csrf": token})
        assert busy.status_code == 409 and BUSY.capitalize() in busy.get_data(as_text=True)
        result = CliRunner().invoke(app.server.cli, ["import-policeuk",
                                                     str(FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv")])
        assert result.exit_code == 1 and f"Error: {BUSY}" in result.output and "Traceback" not in result.output
    assert snapshot(sqlite_engine) == before
    # The checked upload was kept: confirming again, once the other import is done, imports it.
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 302
    assert snapshot(sqlite_engine) != before


# gunicorn ------------------------------------------------------------------------------------

def test_gunicorns_control_socket_is_off_unless_this_instance_names_one(monkeypatch):
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    monkeypatch.setenv("APP_ENV", "development")  # the file sets a default; keep this process's
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["control_socket_disable"] is True
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", "/run/community-safety/gunicorn.ctl")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["control_socket"] == "/run/community-safety/gunicorn.ctl"
    assert not settings.get("control_socket_disable")
