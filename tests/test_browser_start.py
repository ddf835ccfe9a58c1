"""Browser tests of the first visit: gunicorn's fresh workers, and a database that is down."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from .browser import WAIT_MS, live_server, new_page, settled
from .conftest import demo_database, unavailable

pytestmark = pytest.mark.browser
PROJECT = Path(__file__).resolve().parent.parent
# Servers started by tests listen on the loopback, on a port from this range.
GUNICORN_PORTS = range(int(os.environ.get("TEST_PORT_FIRST", "8120")), int(os.environ.get("TEST_PORT_LAST", "8129")) + 1)


def _free_port() -> int:
    for port in GUNICORN_PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    unavailable(f"no free port in {GUNICORN_PORTS}")


@contextmanager
def gunicorn(database_url: str, tmp_path: Path, workers: int = 2):
    """``gunicorn -c gunicorn.conf.py app:server`` as in production, on a loopback port; yields
    its URL and the path of its log. No request is made here: the caller's is the first."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "DATABASE_URL": database_url,
           "SECRET_KEY": "test-secret-" + "x" * 32, "WEB_CONCURRENCY": str(workers), "DEMO_ON_EMPTY": "false",
           "UPLOAD_DIR": str(tmp_path / "uploads")}
    env.pop("CACHE_REDIS_URL", None)
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
                                   cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:  # the master binds the port before its workers boot; a connection is no request
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _request_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == "request":
            lines.append(entry)
    return lines


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return demo_database(tmp_path_factory, "start", "2024-01", "2024-12", 0.02)


def test_the_first_visit_to_two_fresh_gunicorn_workers_draws_with_a_clean_console(browser, database, tmp_path):
    with gunicorn(database, tmp_path) as (url, log), new_page(browser) as page:
        page.goto(url + "/crime", wait_until="networkidle", timeout=WAIT_MS)
        page.wait_for_selector("#chart-crime-trend .main-svg", timeout=WAIT_MS)
        settled(page)
        assert page.locator("h1").text_content() == "Crime"
        assert page.console_messages == []
    requests = _request_lines(log)
    assert any(r["path"].startswith("/_dash-component-suites/") for r in requests)
    assert [r for r in requests if r["status"] >= 500] == []


def test_with_the_database_down_the_page_says_so_plainly(browser, tmp_path):
    config = {"database_url": "postgresql+psycopg://postgres@127.0.0.1:9/none", "upload_dir": str(tmp_path)}
    with live_server(config) as url, new_page(browser) as page:
        page.goto(url + "/crime", wait_until="networkidle")
        heading = page.locator("h1")
        heading.wait_for(timeout=WAIT_MS)
        assert heading.text_content() == "The figures are unavailable for a moment"
        assert "Error loading layout" not in page.content()
        assert page.get_by_role("link", name="Try again").get_attribute("href") == "/"
        assert page.console_messages == []


def test_a_burst_of_script_requests_as_the_first_requests_of_fresh_workers_all_succeed(database, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    import requests

    scripts = ["/_dash-component-suites/dash/deps/react@18.3.1.min.js",
               "/_dash-component-suites/dash/deps/react-dom@18.3.1.min.js",
               "/_dash-component-suites/dash/dcc/dash_core_components.js",
               "/_dash-component-suites/dash/html/dash_html_components.min.js",
               "/_dash-component-suites/plotly/package_data/plotly.min.js",
               "/assets/dashboard.css"] * 3
    with gunicorn(database, tmp_path) as (url, _log), ThreadPoolExecutor(len(scripts)) as pool:
        statuses = list(pool.map(lambda path: requests.get(url + path, timeout=120).status_code, scripts))
    assert statuses == [200] * len(scripts)
