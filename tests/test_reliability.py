"""The app under faults and hostile use: sessions the server can end, throttled sign-in,
bounded memory, a hung or unreachable database, and role-dependent replies kept private."""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import requests
from sqlalchemy import create_engine, select, text

from app import create_app
from dashboard.server.cache import BytesLRU, QueryCache, result_bytes
from dashboard.server.clients import client_address, parse_trusted
from queries.accounts import delete_account, set_account
from queries.bootstrap import init_db
from queries.db import fetch_rows, make_engine
from queries.schema import sign_in_attempt
from queries.sign_in_attempts import count_attempt

from .browser import live_server
from .helpers import form_token
from .pagetools import page_payload

PASSWORD = "correct horse battery"
SERIES = "/api/v1/series/victims-cse-fgm-forced-marriage-hbv"
CRIME_CALLBACK = page_payload("/crime", "")


@pytest.fixture
def database(sqlite_engine):
    set_account(sqlite_engine, "pat", PASSWORD, "partner")
    set_account(sqlite_engine, "ada", PASSWORD, "admin")
    return sqlite_engine.url.render_as_string(hide_password=False)


@pytest.fixture
def app(database, tmp_path):
    return create_app({"database_url": database, "upload_dir": str(tmp_path / "uploads")})


def login_form(client) -> str:
    return form_token(client)


def sign_in(client, username, password=PASSWORD, **kwargs):
    return client.post("/login", data={"csrf": login_form(client), "username": username, "password": password},
                       **kwargs)


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value):
    client = app.server.test_client()
    client.set_cookie("session", value)
    return client


# Sessions ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("event", ["sign out", "delete account", "lower role", "change password"])
def test_a_saved_cookie_stops_working_after(app, sqlite_engine, event):
    admin = app.server.test_client()
    assert sign_in(admin, "ada").status_code == 302
    saved = cookie_of(admin)
    assert with_cookie(app, saved).get("/admin/imports").status_code == 200
    if event == "sign out":
        token = form_token(admin)
        assert admin.post("/logout", data={"csrf": token}).status_code == 302
    elif event == "delete account":
        assert delete_account(sqlite_engine, "ada")
    elif event == "lower role":
        set_account(sqlite_engine, "ada", PASSWORD, "partner")
    else:
        set_account(sqlite_engine, "ada", "a brand new passphrase", "admin")
    replayed = with_cookie(app, saved)
    assert replayed.get("/admin/imports").status_code == 403
    # Not even partner figures: the session is over, the cookie is worth nothing.
    values = replayed.get(SERIES).get_json()["values"]
    assert next(v for v in values if v["area_code"] == "E23000029" and v["category"] == "Forced marriage")["value"] is None


def test_a_session_is_checked_on_the_server_so_a_forged_cookie_gets_nothing(app):
    partner = app.server.test_client()
    sign_in(partner, "pat")
    with partner.session_transaction() as session:
        session["sid"] = "made-up-token"  # signed by the server's key, but no such session
    assert partner.get("/admin/imports").status_code == 403
    with partner.session_transaction() as session:
        assert "sid" not in session  # cleared


# Sign-in throttling ----------------------------------------------------------------------------

def test_thirty_parallel_attempts_get_at_most_five_password_checks(app, sqlite_engine, monkeypatch):
    import dashboard.server.auth

    checks = []
    real = dashboard.server.auth.authenticate

    def counted(*args):
        checks.append(args[1])
        time.sleep(0.05)  # widen the window a racy counter would slip through
        return real(*args)

    monkeypatch.setattr(dashboard.server.auth, "authenticate", counted)
    clients = [app.server.test_client() for _ in range(30)]
    tokens = [login_form(c) for c in clients]
    barrier = threading.Barrier(30)

    def attempt(i):
        barrier.wait()
        return clients[i].post("/login", data={"csrf": tokens[i], "username": "pat", "password": "wrong guess no"}).data

    with ThreadPoolExecutor(30) as pool:
        bodies = list(pool.map(attempt, range(30)))
    # Exactly five: the first 20 pass the address's limit and five of those the pair's.
    assert len(checks) == 5
    assert sum(b"Too many failed attempts" in b for b in bodies) == 25
    with sqlite_engine.connect() as conn:
        counts = dict(conn.execute(select(sign_in_attempt.c.key, sign_in_attempt.c.attempts)).all())
    # Attempts past the address's limit are not counted per account: no rows grow for them.
    assert counts == {"address:127.0.0.1": 30, "pair:pat|127.0.0.1": 20}
    # The right password is refused too while the account is locked from this address.
    assert b"Too many failed attempts" in sign_in(app.server.test_client(), "pat").data


def test_two_workers_share_the_count_and_it_survives_a_restart(database, tmp_path):
    first, second = (create_app({"database_url": database, "upload_dir": str(tmp_path)}) for _ in range(2))
    for index in range(5):
        worker = (first, second)[index % 2]
        assert b"do not match" in sign_in(worker.server.test_client(), "pat", "wrong guess no").data
    assert b"Too many failed attempts" in sign_in(second.server.test_client(), "pat").data
    restarted = create_app({"database_url": database, "upload_dir": str(tmp_path)})
    assert b"Too many failed attempts" in sign_in(restarted.server.test_client(), "pat").data


def test_with_redis_workers_share_the_count_there(database, tmp_path, redis_cache):
    import redis

    first, second = (create_app({"database_url": database, "cache_redis_url": redis_cache.url,
                                 "upload_dir": str(tmp_path)}) for _ in range(2))
    for app in (first, second):  # this test's own keys
        app.server.extensions["sign_in_throttle"].prefix = redis_cache.prefix
    for index in range(5):
        sign_in((first, second)[index % 2].server.test_client(), "pat", "wrong guess no")
    assert b"Too many failed attempts" in sign_in(first.server.test_client(), "pat").data
    with redis.Redis.from_url(redis_cache.url) as client:
        assert int(client.get(f"{redis_cache.prefix}pair:pat|127.0.0.1")) == 6


def test_the_count_is_atomic_on_each_database(database_url):
    engine = make_engine(database_url)
    init_db(engine)
    with ThreadPoolExecutor(10) as pool:
        seen = list(pool.map(lambda _: count_attempt(engine, "pair:pat|10.0.0.1", 900), range(30)))
    assert sorted(seen) == list(range(1, 31))
    engine.dispose()


def test_behind_a_trusted_proxy_each_client_is_counted_alone(database, tmp_path):
    app = create_app({"database_url": database, "trusted_proxies": "10.0.0.5", "upload_dir": str(tmp_path)})

    def attempt(forwarded_for, peer="10.0.0.5", password="wrong guess no"):
        client = app.server.test_client()
        return sign_in(client, "pat", password, headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": peer}).data

    for _ in range(5):
        attempt("203.0.113.7")
    assert b"Too many failed attempts" in attempt("203.0.113.7", password=PASSWORD)
    # Another user behind the same proxy is not locked out by the first one's failures.
    assert b"do not match" in attempt("198.51.100.20")
    # A client that is not the proxy cannot choose its address by writing the header.
    for _ in range(5):
        attempt("192.0.2.1", peer="192.0.2.99")
    assert b"Too many failed attempts" in attempt("192.0.2.2", peer="192.0.2.99")


def test_client_address_reads_forwarded_for_only_from_trusted_proxies():
    trusted = parse_trusted("10.0.0.5, 172.16.0.0/12")
    assert client_address("10.0.0.5", "203.0.113.7", trusted) == "203.0.113.7"
    assert client_address("10.0.0.5", "1.2.3.4, 203.0.113.7, 172.16.3.4", trusted) == "203.0.113.7"
    assert client_address("192.0.2.9", "203.0.113.7", trusted) == "192.0.2.9"
    assert client_address("10.0.0.5", "not-an-address", trusted) == "10.0.0.5"
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        parse_trusted("proxy.example")


def test_failed_sign_ins_are_logged_as_security_events(app, caplog):
    from dashboard.server.serving import JsonFormatter

    with caplog.at_level(logging.INFO, logger="dashboard.security"):
        sign_in(app.server.test_client(), "pat", "wrong guess no", environ_base={"REMOTE_ADDR": "192.0.2.44"})
    record = next(r for r in caplog.records if r.name == "dashboard.security")
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "warning" and line["event"] == "sign_in_failed"
    assert line["account"] == "pat" and line["address"] == "192.0.2.44"


# Bounded memory --------------------------------------------------------------------------------

def test_static_gzip_cache_ignores_the_query_string_and_is_bounded_in_bytes(database, tmp_path):
    app = create_app({"database_url": database, "static_cache_max_mb": 2, "upload_dir": str(tmp_path)})
    client = app.server.test_client()
    store = app.server.extensions["compressed_files"]
    plotly = "/_dash-component-suites/plotly/package_data/plotly.min.js"
    bodies = {client.get(f"{plotly}?cb={n}", headers={"Accept-Encoding": "gzip"}).data for n in range(40)}
    assert len(store) == 1 and len(bodies) == 1
    assert len(gzip.decompress(bodies.pop())) > 3_000_000
    for path in ("/assets/00-bootstrap.min.css", "/assets/dashboard.css", "/_dash-component-suites/dash/deps/react@18.3.1.min.js",
                 "/_dash-component-suites/dash/deps/react-dom@18.3.1.min.js", plotly):
        response = client.get(f"{path}?m={time.time()}", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert 0 < store.bytes <= 2 * 1024 * 1024


def test_the_query_cache_is_bounded_in_bytes_not_entries(database, tmp_path):
    app = create_app({"database_url": database, "cache_max_mb": 1, "cache_item_max_mb": 1,
                      "upload_dir": str(tmp_path)})
    cache = app.server.extensions["query_cache"].cache
    client = app.server.test_client()
    for year in range(2011, 2025):  # a crafted sweep of distinct periods and grains
        for grain in ("month", "quarter", "calendar_year"):
            url = f"/api/v1/counts?area=E07000178&area=E10000025&from={year}-01&to={year}-12&grain={grain}"
            assert client.get(url).status_code == 200
    assert isinstance(cache, BytesLRU) and len(cache) > 0 and cache.bytes <= 1024 * 1024


def test_a_result_over_the_item_limit_is_served_but_not_kept(sqlite_engine, app):
    query_cache = QueryCache(app.server, sqlite_engine, None, 60, 60, max_bytes=4_000_000, max_item_bytes=1_000_000)
    calls = []

    def frame_of(engine, rows):
        calls.append(rows)
        return pd.DataFrame({"value": range(rows), "name": [f"place {i}" for i in range(rows)]})

    small, large = 1_000, 100_000
    assert result_bytes(frame_of(None, large)) > 1_000_000 > result_bytes(frame_of(None, small))
    calls.clear()
    for _ in range(3):
        assert len(query_cache.get(frame_of, large)) == large
        assert len(query_cache.get(frame_of, small)) == small
    assert calls == [large, small, large, large]
    assert query_cache.cache.bytes < 1_000_000


def test_least_recently_used_results_leave_first():
    lru = BytesLRU(max_bytes=300, timeout=60)
    for key in "abc":
        lru.set(key, key, 100)
    assert lru.get("a") == "a"  # now b is the oldest
    lru.set("d", "d", 100)
    assert lru.get("b") is None and {lru.get(k) for k in "acd"} == {"a", "c", "d"} and lru.bytes == 300


# A hung or unreachable database ----------------------------------------------------------------

def _get(url, **kwargs):
    started = time.monotonic()
    response = requests.get(url, timeout=60, **kwargs)
    return response, time.monotonic() - started


@pytest.fixture
def postgres_config(postgres_database, tmp_path):
    reset = create_engine(postgres_database)
    with reset.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    reset.dispose()
    engine = make_engine(postgres_database)
    init_db(engine)
    engine.dispose()
    return {"database_url": postgres_database, "db_statement_timeout": 1.0, "health_timeout": 1.0,
            "db_pool_timeout": 2.0, "upload_dir": str(tmp_path)}


def test_a_locked_table_makes_requests_fail_within_the_statement_timeout(postgres_config, postgres_database):
    blocker = create_engine(postgres_database).connect()
    transaction = blocker.begin()
    # Every data request first reads the data version, and counts and /health read incident_count and loaded_month:
    # hold exclusive locks on them, as a stuck migration or a runaway import would.
    blocker.execute(text("LOCK TABLE data_version, incident_count, loaded_month IN ACCESS EXCLUSIVE MODE"))
    try:
        with live_server(postgres_config) as url, ThreadPoolExecutor(12) as pool:
            api = [pool.submit(_get, f"{url}/api/v1/counts?area=E07000178&from=2020-{m:02d}") for m in range(1, 11)]
            health = pool.submit(_get, f"{url}/health")
            time.sleep(0.2)  # the API requests are waiting on the lock now
            css, css_seconds = _get(f"{url}/assets/dashboard.css")
            results = [future.result() for future in api]
            health_response, health_seconds = health.result()
        assert css.status_code == 200 and css_seconds < 5  # static files never wait on the database
        for response, seconds in results:
            assert response.status_code == 503 and response.headers["Retry-After"] == "30"
            assert seconds < 15, seconds  # 1 s statement timeout, plus waiting for a pooled connection
        assert health_response.status_code == 503 and health_seconds < 10
    finally:
        transaction.rollback()
        blocker.close()


def test_a_server_that_accepts_but_never_answers_fails_the_request_within_the_connect_timeout(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the kernel; nobody ever speaks PostgreSQL
    port = silent.getsockname()[1]
    try:
        app = create_app({"database_url": f"postgresql+psycopg://postgres@127.0.0.1:{port}/none",
                          "db_connect_timeout": 2, "health_timeout": 2, "upload_dir": str(tmp_path)})
        client = app.server.test_client()
        started = time.monotonic()
        response = client.get("/api/v1/areas")
        assert response.status_code == 503 and time.monotonic() - started < 12
        started = time.monotonic()
        assert client.get("/health").status_code == 503 and time.monotonic() - started < 12
    finally:
        silent.close()


def test_sqlite_statements_are_interrupted_at_the_statement_timeout(tmp_path):
    from sqlalchemy.exc import OperationalError

    engine = make_engine(f"sqlite:///{tmp_path / 'slow.sqlite'}", statement_timeout=0.5)
    endless = text("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r")
    started = time.monotonic()
    with pytest.raises(OperationalError, match="interrupted"), engine.connect() as conn:
        conn.execute(endless).scalar()
    assert time.monotonic() - started < 10
    with engine.connect() as conn:  # the next statement on the same pooled connection runs normally
        assert conn.execute(text("SELECT 41 + 1")).scalar() == 42
    # Large reads go straight to the driver's cursor (queries.db.fetch_rows): the same error.
    query = select(text("count(*)")).select_from(text("(WITH RECURSIVE r(i) AS "
                                                       "(SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT i FROM r)"))
    with pytest.raises(OperationalError, match="interrupted"), engine.connect() as conn:
        fetch_rows(conn, query)
    engine.dispose()


@pytest.fixture
def unreachable_app(tmp_path):
    # Port 9 (discard) on the loopback: nothing listens, so connections are refused at once.
    return create_app({"database_url": "postgresql+psycopg://postgres@127.0.0.1:9/none",
                       "upload_dir": str(tmp_path)})


def test_with_the_database_down_every_kind_of_request_gets_a_readable_503(unreachable_app):
    client = unreachable_app.server.test_client()
    api = client.get("/api/v1/counts?area=E07000178")
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert "unavailable" in api.get_json()["error"]["message"]
    callback = client.post("/_dash-update-component", json=CRIME_CALLBACK)
    assert callback.status_code == 503 and callback.headers["Retry-After"] == "30" and callback.is_json
    download = client.get("/download/crime-trend.csv")
    assert download.status_code == 503 and b"unavailable for a moment" in download.data
    assert b"Traceback" not in download.data and b"psycopg" not in download.data
    assert client.get("/health").status_code == 503
    # The page itself and its static files need no database ...
    assert client.get("/crime").status_code == 200
    assert client.get("/assets/dashboard.css").status_code == 200
    # ... and the layout Dash asks for next says plainly what is wrong.
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and "The figures are unavailable for a moment" in layout.get_data(as_text=True)


def test_a_signed_in_cookie_with_the_database_down_is_served_as_the_public(database, tmp_path):
    up = create_app({"database_url": database, "upload_dir": str(tmp_path)})
    admin = up.server.test_client()
    sign_in(admin, "ada")
    down = create_app({"database_url": "postgresql+psycopg://postgres@127.0.0.1:9/none", "upload_dir": str(tmp_path)})
    assert with_cookie(down, cookie_of(admin)).get("/admin/imports").status_code == 403


# Headers, paths and uploads --------------------------------------------------------------------

def test_role_dependent_replies_are_private_and_vary_by_cookie(app):
    client = app.server.test_client()
    for response in (client.get(SERIES), client.get("/crime"), client.get("/download/crime-trend.csv"),
                     client.post("/_dash-update-component", json=CRIME_CALLBACK)):
        assert "Cookie" in response.headers["Vary"] and "private" in response.headers["Cache-Control"]
        assert "public" not in response.headers["Cache-Control"]
    static = client.get("/assets/dashboard.css?m=1", headers={"Accept-Encoding": "gzip"})
    assert "Cookie" not in static.headers.get("Vary", "") and "public" in static.headers["Cache-Control"]
    assert "Strict-Transport-Security" not in static.headers  # development: plain http on the loopback


def test_production_sends_hsts(database, tmp_path):
    app = create_app({"database_url": database, "app_env": "production", "secret_key": "x" * 40,
                      "upload_dir": str(tmp_path)})
    response = app.server.test_client().get("/health")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("path", ["dash/..%2F..%2Fapp.py", "dash/..%2f..%2f..%2fetc%2fpasswd", "nosuchlib/x.js",
                                  "dash/deps/nothing-here.js"])
def test_unknown_component_suite_paths_are_404(app, path):
    response = app.server.test_client().get(f"/_dash-component-suites/{path}")
    assert response.status_code == 404 and b"Traceback" not in response.data


def _upload(admin, name=b"x-1,X,crime,count,E07000178,2024,5,Me\n"):
    token = form_token(admin, "/admin/upload")
    data = b"series_id,title,theme,unit,area_code,period,value,source\n" + name
    report = admin.post("/admin/upload", data={"csrf": token, "kind": "series", "file": (io.BytesIO(data), "good.csv")},
                        content_type="multipart/form-data")
    assert report.status_code == 200
    return token, data


def test_uploads_awaiting_confirmation_are_private_randomly_named_and_expire(database, tmp_path):
    import hashlib
    import stat

    folder = tmp_path / "pending"
    app = create_app({"database_url": database, "upload_dir": str(folder), "upload_expiry_minutes": 60})
    admin = app.server.test_client()
    sign_in(admin, "ada")
    _token, data = _upload(admin)
    kept = list(folder.iterdir())
    assert len(kept) == 1 and kept[0].name != hashlib.sha256(data).hexdigest()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    # An hour later it is gone, and confirming it stores nothing.
    old = time.time() - 3601
    os.utime(kept[0], (old, old))
    token = form_token(admin, "/admin/upload")
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 400
    assert list(folder.iterdir()) == []
    _upload(admin)  # a new upload also clears any expired ones left by others
    assert len(list(folder.iterdir())) == 1
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 302
    assert list(folder.iterdir()) == []


def test_every_worker_serves_every_asset_from_its_first_request(database, tmp_path):
    """Dash registers the files it may serve on a process's first request; a burst of script
    requests reaching a fresh worker all at once must not see an empty registry."""
    app = create_app({"database_url": database, "upload_dir": str(tmp_path)})
    assert "dash" in app.registered_paths and "plotly" in app.registered_paths
    # Served from a fresh process of its own, whose first requests are these.
    paths = ["/_dash-component-suites/dash/deps/react@18.3.1.min.js",
             "/_dash-component-suites/plotly/package_data/plotly.min.js",
             "/_dash-component-suites/dash/dcc/dash_core_components.js",
             "/_dash-component-suites/dash/html/dash_html_components.min.js"]
    with live_server({"database_url": database, "upload_dir": str(tmp_path)}) as url, \
            ThreadPoolExecutor(len(paths)) as pool:
        statuses = list(pool.map(lambda p: requests.get(url + p, timeout=60).status_code, paths))
    assert statuses == [200] * len(paths)



# Work a public request can ask for -------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    from .conftest import demo_database

    return demo_database(tmp_path_factory, "reliability", "2022-01", "2024-12", 0.02)


def test_a_public_hotspot_request_is_bounded_with_a_clear_400(demo_url, tmp_path):
    set_account(make_engine(demo_url), "pat", PASSWORD, "partner")
    app = create_app({"database_url": demo_url, "upload_dir": str(tmp_path)})
    public = app.server.test_client()
    seven_years = public.get("/api/v1/hotspots?area=E23000029&from=2018-01&to=2024-12")
    assert seven_years.status_code == 400
    error = seven_years.get_json()["error"]
    assert error["parameter"] == "from" and "at most 12 months" in error["message"] and "asked for 84" in error["message"]
    long_baseline = public.get("/api/v1/hotspots?area=E07000178&from=2024-12&baseline_months=60")
    assert long_baseline.status_code == 400 and long_baseline.get_json()["error"]["parameter"] == "baseline_months"
    assert public.get("/api/v1/hotspots?area=E07000178&from=2024-01&to=2024-12&baseline_months=24").status_code == 200
    partner = app.server.test_client()
    sign_in(partner, "pat")
    assert partner.get("/api/v1/hotspots?area=E07000178&from=2022-01&to=2024-12&baseline_months=60").status_code == 200


def test_the_public_hotspot_page_and_pack_show_the_latest_twelve_months_and_say_so(demo_url, tmp_path):
    app = create_app({"database_url": demo_url, "upload_dir": str(tmp_path)})
    client = app.server.test_client()
    payload = page_payload("/hotspots", "?from=2022-01&to=2024-12")
    page = client.post("/_dash-update-component", json=payload).get_data(as_text=True)
    assert "hotspots cover at most 12 months" in page and "Jan 2024 to Dec 2024" in page
    # The pack holds the same tables as a request for the latest twelve months alone.
    bounded = client.get("/hotspots/pack.zip?from=2022-01&to=2024-12")
    twelve = client.get("/hotspots/pack.zip?from=2024-01&to=2024-12")
    assert bounded.status_code == 200 and _zip_files(bounded.data) == _zip_files(twelve.data)


def _zip_files(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
