"""Faults in what the app depends on: a frozen PostgreSQL or Redis, a SQLite file moved away
and back, a database replaced by an empty one. Each answers quickly and plainly (503 or the
database's figures), /health names what is down, and the app recovers without a restart."""

from __future__ import annotations

import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import create_engine, text

from app import create_app
from queries.bootstrap import init_db
from queries.db import make_engine

from .browser import live_server
from .servers import frozen, private_postgres, private_redis

API = "/api/v1/counts?area=E07000178&grain=quarter"
# Any request stuck longer than this has hung: the limits below give 503s within a few seconds.
HUNG = 20


def timed_get(url: str):
    started = time.monotonic()
    try:
        response = requests.get(url, timeout=HUNG)
    except requests.RequestException as error:
        return error, time.monotonic() - started
    return response, time.monotonic() - started


def status_of(result) -> int | str:
    response, _seconds = result
    return response.status_code if isinstance(response, requests.Response) else type(response).__name__


def wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture(scope="module")
def postgres():
    with private_postgres() as server:
        engine = make_engine(server.url)
        init_db(engine)
        engine.dispose()
        yield server


@pytest.mark.timeout(120)
def test_a_frozen_postgresql_gives_503s_in_seconds_and_static_files_and_health_keep_answering(postgres, tmp_path):
    config = {"database_url": postgres.url, "upload_dir": str(tmp_path), "db_connect_timeout": 2, "rate_limit_enabled": False,
              "db_statement_timeout": 3, "db_ping_timeout": 1, "db_retry_seconds": 3, "health_timeout": 2}
    with live_server(config) as url, ThreadPoolExecutor(12) as pool:
        # Several pooled connections, as a busy worker holds.
        assert [status_of(r) for r in pool.map(timed_get, [f"{url}{API}&to=2024-0{m}" for m in range(1, 7)])] == [200] * 6
        with frozen(postgres.pid):
            data = [pool.submit(timed_get, f"{url}{API}&to=2023-0{m}") for m in range(1, 9)]
            time.sleep(0.2)
            health = pool.submit(timed_get, f"{url}/health")
            css = timed_get(f"{url}/assets/dashboard.css")
            data, health = [f.result() for f in data], health.result()
        assert status_of(css) == 200 and css[1] < 5, css
        assert [status_of(r) for r in data] == [503] * 8, data
        assert max(seconds for _r, seconds in data) < 10, data  # 1 s ping, 2 s connect, on a busy machine
        assert status_of(health) == 503 and health[1] < 10
        assert health[0].json()["database"] == "unreachable" and health[0].json()["down"] == ["database"]
        # Resumed: figures again within seconds, without a restart.
        assert wait_for(lambda: status_of(timed_get(f"{url}{API}&to=2022-02")) == 200, 30)
        assert status_of(timed_get(f"{url}/health")) == 200


@pytest.mark.timeout(120)
def test_a_frozen_redis_costs_one_short_wait_then_requests_are_served_from_the_database(sqlite_engine, tmp_path):
    database = sqlite_engine.url.render_as_string(hide_password=False)
    with private_redis() as (redis_url, redis_pid):
        config = {"database_url": database, "upload_dir": str(tmp_path), "cache_redis_url": redis_url,
                  "redis_timeout": 2, "redis_retry_seconds": 30,
                  "rate_limit_enabled": True}  # the API's rate limit counts in the same Redis
        with live_server(config) as url:
            assert status_of(timed_get(f"{url}{API}&to=2020-01")) == 200
            assert timed_get(f"{url}/health")[0].json()["redis"] == "ok"
            with frozen(redis_pid):
                first = timed_get(f"{url}{API}&to=2021-01")
                rest = [timed_get(f"{url}{API}&to=2021-{m:02d}") for m in range(2, 10)]
                health = timed_get(f"{url}/health")
            assert status_of(first) == 200 and first[1] < HUNG
            # Without the breaker each request would wait out the 2 s socket limit twice (read, write).
            assert [status_of(r) for r in rest] == [200] * 8
            assert sum(seconds for _r, seconds in rest) < 8, rest
            # Figures are still served, so a load balancer must keep the instance: 200, saying what is down.
            assert status_of(health) == 200 and health[1] < 10
            body = health[0].json()
            assert body["status"] == "degraded" and body["down"] == ["redis"]
            assert body["redis"] == "unreachable" and body["database"] == "ok"
            assert wait_for(lambda: timed_get(f"{url}/health")[0].json()["redis"] == "ok", 20)


def test_a_sqlite_file_moved_away_and_back_is_noticed_without_a_restart(sqlite_engine, tmp_path):
    path = sqlite_engine.url.database
    sqlite_engine.dispose()
    # Bursts from one client by the dozen: the per-client rate limit is not what is tested here.
    app = create_app({"database_url": f"sqlite:///{path}", "upload_dir": str(tmp_path / "uploads"),
                      "rate_limit_enabled": False})

    def burst(offset: int) -> list[int]:
        # Concurrent requests, so the pool opens several connections.
        def one(month: int) -> int:
            return app.server.test_client().get(f"{API}&to=20{10 + month % 10}-0{1 + offset % 9}").status_code

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(one, range(offset, offset + 16)))

    assert burst(0) == [200] * 16
    os.rename(path, f"{path}.moved")
    try:
        away = burst(16)
        health = app.server.test_client().get("/health")
        assert not os.path.exists(path), "the app created an empty database where its file was"
    finally:
        os.rename(f"{path}.moved", path)
    assert away == [503] * 16 and health.status_code == 503
    statuses = [status for offset in range(32, 72, 16) for status in burst(offset)]
    assert statuses == [200] * 48
    assert app.server.test_client().get("/health").get_json()["database"] == "ok"


def _replace_with_empty(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        path = make_engine(database_url).url.database
        os.remove(path)
        sqlite3.connect(path).close()
        return
    admin_url, name = database_url.rsplit("/", 1)
    admin = create_engine(f"{admin_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def test_an_empty_replacement_database_answers_503_saying_so_and_recovers_once_set_up(engine, database_url, tmp_path):
    from .pagetools import page_payload

    engine.dispose()
    app = create_app({"database_url": database_url, "upload_dir": str(tmp_path / "uploads")})
    client = app.server.test_client()
    assert client.get(API).status_code == 200
    _replace_with_empty(database_url)
    time.sleep(2.1)  # the data version is trusted for 2 s
    api = client.get(f"{API}&to=2023-01")
    assert api.status_code == 503 and "not set up" in api.get_json()["error"]["message"]
    callback = client.post("/_dash-update-component", json=page_payload("/crime", "?to=2023-02"))
    assert callback.status_code == 503
    download = client.get("/download/crime-trend.csv?to=2023-03")
    assert download.status_code == 503 and b"empty or not yet set up" in download.data
    health = client.get("/health")
    assert health.status_code == 503 and health.get_json()["database"] == "no schema"
    assert "init-db" in health.get_json()["message"]
    init_db(make_engine(database_url))
    assert client.get(f"{API}&to=2023-04").status_code == 200
    assert client.get("/health").get_json()["database"] == "ok"
