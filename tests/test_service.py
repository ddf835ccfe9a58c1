"""The app as a service: security headers on every kind of response, the path prefix,
secrets in production, request ids, compressed static files and the shared cache."""

from __future__ import annotations

import gzip
import json
import logging

import pytest

from app import create_app
from dashboard.server.serving import JsonFormatter
from queries.counts import counts
from queries.importers.policeuk import import_policeuk
from queries.reference import OXFORD

from .conftest import FIXTURES
from .pagetools import page_payload

ALLOWED = "https://intranet.example.gov.uk"


@pytest.fixture
def app(sqlite_engine):
    return create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                       "frame_ancestors": ALLOWED})


def responses(client):
    callback = page_payload("/crime", "")
    return {
        "page": client.get("/crime"),
        "asset": client.get("/assets/dashboard.css"),
        "component suite": client.get(_plotly_path(client)),
        "callback": client.post("/_dash-update-component", json=callback),
        "api": client.get("/api/v1/areas"),
        "api error": client.get("/api/v1/counts"),
        "download": client.get("/download/crime-trend.csv"),
        "page not found": client.get("/no-such-page"),
        "health": client.get("/health"),
    }


def _plotly_path(client) -> str:
    return "/_dash-component-suites/plotly/package_data/plotly.min.js"  # loaded by dcc.Graph on demand


def test_every_kind_of_response_carries_the_security_headers(app):
    client = app.server.test_client()
    for kind, response in responses(client).items():
        policy = response.headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'self' https://intranet.example.gov.uk" in policy, kind
        assert "'unsafe-eval'" not in policy, kind
        assert response.headers["X-Content-Type-Options"] == "nosniff", kind
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", kind
        assert "X-Frame-Options" not in response.headers, kind
        assert response.headers["X-Request-ID"], kind


def test_the_policy_names_no_outside_origin_and_allows_dash_scripts_by_hash(app):
    policy = app.server.test_client().get("/").headers["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    for name, sources in directives.items():
        for source in sources.split():
            assert source in ("'self'", "'none'", "'unsafe-inline'", "data:", "blob:", ALLOWED) or source.startswith("'sha256-"), (name, source)
    assert "'sha256-" in directives["script-src"] and "'unsafe-inline'" not in directives["script-src"]
    assert directives["worker-src"] == "'self' blob:"  # MapLibre's workers


def test_a_basemap_adds_no_outside_origin(sqlite_engine, tmp_path):
    from .test_basemap import write_pmtiles

    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                      "map_pmtiles": str(write_pmtiles(tmp_path))})
    policy = app.server.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob:;" in policy and "connect-src 'self';" in policy


def test_cookies_are_secure_http_only_and_cross_site_in_an_iframe(app):
    config = app.server.config
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "None"


def test_production_refuses_the_default_secret(sqlite_engine):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app({"database_url": url, "app_env": "production"})
    with pytest.raises(RuntimeError):
        create_app({"database_url": url, "app_env": "production", "secret_key": "short"})
    assert create_app({"database_url": url, "app_env": "production", "secret_key": "x" * 40})


def test_request_ids_are_kept_from_the_proxy_or_made(app, caplog):
    client = app.server.test_client()
    assert client.get("/health", headers={"X-Request-ID": "proxy-id-12345"}).headers["X-Request-ID"] == "proxy-id-12345"
    made = client.get("/health", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    with caplog.at_level(logging.INFO, logger="dashboard.requests"):
        client.get("/health", headers={"X-Request-ID": "proxy-id-67890"})
    record = next(r for r in caplog.records if r.name == "dashboard.requests")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "proxy-id-67890" and line["path"] == "/health" and line["status"] == 200


def test_static_files_are_gzipped_once_and_cached(app):
    client = app.server.test_client()
    path = _plotly_path(client)
    first = client.get(path, headers={"Accept-Encoding": "gzip"})
    second = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(first.data)) > 3_000_000 > len(first.data)
    assert first.data == second.data
    assert "max-age" in first.headers.get("Cache-Control", "")
    css = client.get("/assets/00-bootstrap.min.css?m=1795300785.1", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/assets/00-bootstrap.min.css")
    assert "Content-Encoding" not in plain.headers


def test_the_app_works_under_a_path_prefix(sqlite_engine):
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                      "url_prefix": "community-safety"})
    client = app.server.test_client()
    page = client.get("/community-safety/crime")
    assert page.status_code == 200 and "/community-safety/_dash-component-suites/" in page.get_data(as_text=True)
    assert client.get("/crime").status_code == 404
    assert client.get("/community-safety/api/v1/areas").status_code == 200
    assert client.get("/community-safety/health").get_json()["latest_month"] == "2024-01"
    assert client.get("/community-safety/download/crime-trend.csv").status_code == 200
    assert client.get("/community-safety/api/v1/nope").is_json
    document = client.get("/community-safety/api/v1/openapi.json").get_json()
    assert document["servers"] == [{"url": "/community-safety/api/v1"}]
    callback = page_payload("/community-safety/crime", "")
    assert client.post("/community-safety/_dash-update-component", json=callback).status_code == 200
    layout = client.get("/community-safety/_dash-layout").get_json()
    hrefs = set()

    def collect(node):
        if isinstance(node, dict):
            if "href" in node:
                hrefs.add(node["href"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(layout)
    assert {"/community-safety/", "/community-safety/crime", "/community-safety/hotspots"} <= hrefs


def test_the_redis_cache_is_shared_and_an_import_invalidates_it(sqlite_engine, redis_cache):
    url = redis_cache.url
    database = sqlite_engine.url.render_as_string(hide_password=False)
    first = redis_cache.attach(create_app({"database_url": database, "cache_redis_url": url, "data_version_ttl": 0}))
    second = redis_cache.attach(create_app({"database_url": database, "cache_redis_url": url, "data_version_ttl": 0}))
    cache_a, cache_b = first.server.extensions["query_cache"], second.server.extensions["query_cache"]
    calls = []

    def counted(engine, *args):
        calls.append(args)
        return counts(engine, *args)

    counted.__qualname__ = "counted_for_test"
    with first.server.app_context():
        empty = cache_a.get(counted, (OXFORD,))
    with second.server.app_context():
        assert cache_b.get(counted, (OXFORD,)).equals(empty)
    assert len(calls) == 1  # the second app read the first one's result from Redis
    assert redis_cache.keys()  # under this test's own prefix
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    with second.server.app_context():
        fresh = cache_b.get(counted, (OXFORD,))
    assert len(calls) == 2 and fresh["count"].tolist() == [3]


def test_the_app_runs_on_postgresql_with_redis(postgres_database, redis_cache):
    from sqlalchemy import create_engine, text

    from queries.bootstrap import init_db
    from queries.db import make_engine

    reset = create_engine(postgres_database)
    with reset.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    reset.dispose()
    engine = make_engine(postgres_database)
    init_db(engine)
    import_policeuk(engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    app = redis_cache.attach(create_app({"database_url": postgres_database, "cache_redis_url": redis_cache.url}))
    client = app.server.test_client()
    rows = client.get("/api/v1/counts?area=E07000178").get_json()["rows"]
    assert [(r["period"], r["count"]) for r in rows] == [("2024-01", 3)]
    callback = page_payload("/hotspots", "")
    assert b"Jordan Hill Road" in client.post("/_dash-update-component", json=callback).data
    assert client.get("/health").get_json()["database"] == "ok"
    engine.dispose()


def test_every_setting_is_documented_in_the_readme():
    import dataclasses
    from pathlib import Path

    from dashboard.server.settings import Settings

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    internal = {"data_version_ttl"}
    for field in dataclasses.fields(Settings):
        if field.name not in internal:
            assert f"`{field.name.upper()}`" in readme, field.name
