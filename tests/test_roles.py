"""Roles: what the public, partners and administrators may see and do, on every path."""

from __future__ import annotations

import gzip
import io
import json
import re
import time

import pytest
from sqlalchemy import select

from app import create_app
from queries.accounts import set_account
from queries.bootstrap import init_db
from queries.importers.series import import_series
from queries.schema import import_log

from .conftest import FIXTURES
from .helpers import form_token
from .pagetools import page_payload

PASSWORD = "correct horse battery"  # 21 characters
EXPLOITATION = page_payload("/exploitation", "?measure=count")


@pytest.fixture
def app(sqlite_engine, tmp_path):
    init_db(sqlite_engine)
    import_series(sqlite_engine, FIXTURES / "series" / "partner-series.csv")
    set_account(sqlite_engine, "pat", PASSWORD, "partner")
    set_account(sqlite_engine, "ada", PASSWORD, "admin")
    return create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                       "upload_dir": str(tmp_path / "uploads")})


def client_as(app, username=None):
    client = app.server.test_client()
    if username:
        token = form_token(client)
        response = client.post("/login", data={"csrf": token, "username": username, "password": PASSWORD})
        assert response.status_code == 302
    return client


def forced_marriage_tv(body: dict):
    return next(v for v in body["values"] if v["area_code"] == "E23000029" and v["category"] == "Forced marriage")


def test_the_public_sees_small_sensitive_counts_withheld_everywhere(app):
    client = client_as(app)
    # API: Thames Valley's 4 forced-marriage victims (Table 6) are withheld.
    body = client.get("/api/v1/series/victims-cse-fgm-forced-marriage-hbv").get_json()
    value = forced_marriage_tv(body)
    assert value["value"] is None and value["suppressed"] is True
    # A total or neighbour cannot give it away: FGM's 0 is shown, and no row carries 4.
    assert all(v["value"] != 4 for v in body["values"])
    # CSV download of the chart.
    text = client.get("/download/exploitation-victims.csv?measure=count").get_data(as_text=True)
    assert "Forced marriage,Thames Valley,2021,fewer than 5" in text
    assert not re.search(r"Forced marriage,Thames Valley,2021,4\b", text)
    # A crafted callback request for the page's content.
    response = client.post("/_dash-update-component", json=EXPLOITATION)
    assert response.status_code == 200
    payload = json.dumps(response.get_json())
    assert "fewer than 5" in payload


def test_partners_see_exact_figures_and_partner_series(app):
    public, partner = client_as(app), client_as(app, "pat")
    assert forced_marriage_tv(partner.get("/api/v1/series/victims-cse-fgm-forced-marriage-hbv").get_json())["value"] == 4
    public_ids = {s["id"] for s in public.get("/api/v1/series").get_json()["series"]}
    partner_ids = {s["id"] for s in partner.get("/api/v1/series").get_json()["series"]}
    assert "da-incidents-police" in partner_ids - public_ids
    assert public.get("/api/v1/series/da-incidents-police").status_code == 404
    assert partner.get("/api/v1/series/da-incidents-police").status_code == 200
    text = partner.get("/download/exploitation-victims.csv?measure=count").get_data(as_text=True)
    assert "Forced marriage,Thames Valley,2021,4" in text
    page = json.dumps(partner.post("/_dash-update-component", json=page_payload("/domestic-abuse", "?measure=count")).get_json())
    assert "Domestic abuse incidents reported to the police" in page


def test_sign_in_is_rate_limited_and_wrong_passwords_fail(app):
    client = app.server.test_client()
    token = form_token(client)
    for _ in range(5):
        response = client.post("/login", data={"csrf": token, "username": "pat", "password": "wrong password!!"})
        assert response.status_code == 401
    locked = client.post("/login", data={"csrf": token, "username": "pat", "password": PASSWORD})
    assert locked.status_code == 401 and b"Too many failed attempts" in locked.data
    assert client.post("/login", data={"csrf": "forged", "username": "pat", "password": PASSWORD}).status_code == 400


def test_sessions_expire(app, sqlite_engine):
    from sqlalchemy import update

    from queries.schema import user_session

    client = client_as(app, "pat")
    assert forced_marriage_tv(client.get("/api/v1/series/victims-cse-fgm-forced-marriage-hbv").get_json())["value"] == 4
    with sqlite_engine.begin() as conn:  # the expiry is kept on the server, not in the cookie
        conn.execute(update(user_session).values(expires_at=time.time() - 1))
    assert forced_marriage_tv(client.get("/api/v1/series/victims-cse-fgm-forced-marriage-hbv").get_json())["value"] is None


def test_passwords_are_hashed_with_a_current_algorithm(sqlite_engine):
    from queries.schema import user_account

    set_account(sqlite_engine, "someone", PASSWORD, "partner")
    with sqlite_engine.connect() as conn:
        stored = conn.execute(select(user_account.c.password_hash).where(user_account.c.username == "someone")).scalar()
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    with pytest.raises(ValueError, match="at least 12"):
        set_account(sqlite_engine, "someone", "short", "partner")


def test_a_trusted_header_is_believed_only_from_the_proxy(sqlite_engine):
    init_db(sqlite_engine)
    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                      "auth_mode": "header", "trusted_proxies": "10.0.0.5"})
    headers = {"X-Remote-User": "pat@council", "X-Remote-Role": "partner"}
    path = "/api/v1/series/victims-cse-fgm-forced-marriage-hbv"
    direct = app.server.test_client().get(path, headers=headers)
    assert forced_marriage_tv(direct.get_json())["value"] is None  # not from the proxy: public
    proxied = app.server.test_client().get(path, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert forced_marriage_tv(proxied.get_json())["value"] == 4
    assert app.server.test_client().get("/login").status_code == 404


def test_only_administrators_reach_the_import_log_and_uploads(app):
    assert client_as(app).get("/admin/imports").status_code == 403
    assert client_as(app, "pat").get("/admin/upload").status_code == 403
    admin = client_as(app, "ada")
    page = admin.get("/admin/imports")
    assert page.status_code == 200 and b"partner-series.csv" in page.data


def test_an_upload_is_checked_before_anything_is_stored_then_confirmed(app, sqlite_engine):
    admin = client_as(app, "ada")
    assert admin.get("/admin/upload").status_code == 200  # the form carries a fresh token
    token = form_token(admin, "/admin/upload")
    bad = b"series_id,title,theme,unit,area_code,period,value,source\nx-1,X,crime,count,E99999999,2024,5,Me\n"
    report = admin.post("/admin/upload", data={"csrf": token, "kind": "series", "file": (io.BytesIO(bad), "bad.csv")},
                        content_type="multipart/form-data")
    assert report.status_code == 422 and b"unknown area code" in report.data and b"Nothing has been stored" in report.data
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 400
    good = bad.replace(b"E99999999", b"E07000178")
    report = admin.post("/admin/upload", data={"csrf": token, "kind": "series", "file": (io.BytesIO(good), "good.csv")},
                        content_type="multipart/form-data")
    assert report.status_code == 200 and b"passed every check" in report.data
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(import_log).where(import_log.c.filename.like("%good.csv"))).first() is None
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 302
    with sqlite_engine.connect() as conn:
        row = conn.execute(select(import_log).where(import_log.c.filename.like("%good.csv"))).one()
    assert row.imported_by == "ada" and row.rows_stored == 1 and len(row.checksum) == 64


@pytest.mark.parametrize("key", ["overview", "crime", "asb", "domestic-abuse", "repeat-victimisation", "exploitation", "hotspots"])
def test_every_page_callback_serves_the_public_without_exact_small_numbers(app, key):
    payload = page_payload("/" if key == "overview" else f"/{key}", "?measure=count")
    public = json.dumps(client_as(app).post("/_dash-update-component", json=payload).get_json())
    partner = json.dumps(client_as(app, "pat").post("/_dash-update-component", json=payload).get_json())
    assert "Domestic abuse incidents reported to the police" not in public  # a partner series
    if key == "exploitation":
        assert "fewer than 5" in public and "fewer than 5" not in partner


def test_an_admin_can_upload_a_gzipped_police_file(app, sqlite_engine):
    admin = client_as(app, "ada")
    token = form_token(admin, "/admin/upload")
    data = gzip.compress((FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv").read_bytes())
    report = admin.post("/admin/upload", data={"csrf": token, "kind": "policeuk",
                                               "file": (io.BytesIO(data), "2024-01-thames-valley-street.csv.gz")},
                        content_type="multipart/form-data")
    assert b"12 rows read, 10 would be stored" in report.data
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 302
    assert client_as(app).get("/api/v1/counts?area=E07000178").get_json()["rows"][0]["count"] == 3


def upload(admin, name: str, data: bytes):
    token = form_token(admin, "/admin/upload")
    report = admin.post("/admin/upload", data={"csrf": token, "kind": "policeuk", "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")
    return report, token


def test_an_uploaded_stop_and_search_file_is_skipped_as_the_import_command_skips_it(app, sqlite_engine):
    # The header data.police.uk uses for stop and search files: not street, not outcomes.
    data = (b"Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
            b"Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
            b"Outcome linked to object of search,Removal of more than just outer clothing\n"
            b"Person search,2024-01-01T00:10:00+00:00,,,51.75,-1.25,Male,18-24,,,Misuse of Drugs Act 1971 (section 23),"
            b"Controlled drugs,A no further action disposal,,False\n")
    admin = client_as(app, "ada")
    report, token = upload(admin, "2024-01-thames-valley-stop-and-search.csv", data)
    assert report.status_code == 200, report.data
    assert b"Would be skipped: not a street or outcomes file" in report.data
    assert b"cannot be imported" not in report.data
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 302
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(import_log).where(import_log.c.kind.like("police.uk%"))).first() is None


def test_an_uploaded_gzip_that_unpacks_past_the_limit_is_refused(sqlite_engine):
    set_account(sqlite_engine, "ada", PASSWORD, "admin")
    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                      "import_max_bytes": 1024 * 1024})
    row = (FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv").read_text().splitlines()[1] + "\n"
    data = gzip.compress(b"x" * 100 + ("\n" + row * 20_000).encode())  # about 2.8 MB unpacked
    report, _ = upload(client_as(app, "ada"), "2024-01-thames-valley-street.csv.gz", data)
    assert report.status_code == 422
    assert b"larger than 1,048,576 bytes unpacked" in report.data


def test_an_upload_that_would_replace_a_month_with_a_partial_file_is_refused_in_the_report(app, sqlite_engine):
    from queries.importers.policeuk import import_policeuk

    street = FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"
    import_policeuk(sqlite_engine, [street])  # 10 rows stored for 2024-01
    partial = "\n".join(street.read_text().splitlines()[:3]) + "\n"  # 2 rows
    report, _ = upload(client_as(app, "ada"), "2024-01-thames-valley-street.csv", partial.encode())
    assert report.status_code == 422
    assert b"2024-01: 2 rows would replace the 10 stored" in report.data
