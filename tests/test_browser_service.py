"""Browser tests of the app as an intranet service: embedding, path prefix, offline."""

from __future__ import annotations

import re
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app import create_app

from .browser import axe_violations, chromium_page, live_server
from .conftest import demo_database

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def parent_page(port: int, frame_url: str):
    """An intranet page on another origin that embeds the dashboard in an iframe."""
    body = (f"<!DOCTYPE html><html lang='en'><title>Intranet</title><h1>Intranet</h1>"
            f"<iframe id='dash' title='Crime' src='{frame_url}' width='1000' height='800'></iframe></html>").encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return demo_database(tmp_path_factory, "service", "2023-01", "2024-12", 0.03)


def test_embedded_from_an_allowed_origin_it_renders_and_from_another_it_is_refused(database):
    allowed_port, other_port = free_port(), free_port()
    app = create_app({"database_url": database, "frame_ancestors": f"http://127.0.0.1:{allowed_port}"})
    with live_server(app.server) as url:
        frame_url = url.replace("127.0.0.1", "localhost") + "/crime?embed=1&filters=0"
        with parent_page(allowed_port, frame_url), chromium_page() as page:
            page.goto(f"http://127.0.0.1:{allowed_port}/", wait_until="networkidle")
            frame = page.frame_locator("#dash")
            frame.locator("#chart-crime-trend .main-svg").first.wait_for(timeout=20000)
            assert frame.locator("h1").text_content() == "Crime"
            assert not frame.locator("#site-header").is_visible()  # no navigation when embedded
            assert frame.get_by_role("link", name="Open the full view in a new tab").get_attribute("target") == "_blank"
            assert page.console_messages == []
        with parent_page(other_port, frame_url), chromium_page() as page:
            page.goto(f"http://127.0.0.1:{other_port}/", wait_until="networkidle")
            page.wait_for_timeout(1000)
            assert any("frame-ancestors" in m for m in page.console_messages), page.console_messages
            child = page.frames[1]
            assert child.url.startswith("chrome-error://") or child.locator("h1").count() == 0


def test_every_page_works_under_a_path_prefix(database):
    from dashboard.pages import PAGES

    app = create_app({"database_url": database, "url_prefix": "/community-safety/"})
    with live_server(app.server) as url, chromium_page() as page:
        for p in PAGES:
            page.goto(f"{url}/community-safety{p.path}", wait_until="networkidle")
            page.wait_for_selector(".chart-card", timeout=20000)
            assert page.locator("h1").text_content() == p.title
        page.get_by_role("link", name="Crime", exact=True).click()
        page.wait_for_url(re.compile(r"/community-safety/crime"))
        page.get_by_role("radio", name="Count").check()
        page.wait_for_url(re.compile(r"/community-safety/crime\?.*measure=count"))
        with page.expect_download() as download:
            page.locator("section.chart-card", has=page.locator("#chart-crime-trend")).get_by_role("link", name="Download CSV").click()
        assert download.value.suggested_filename == "crime-trend.csv"
        assert page.console_messages == []


def test_with_every_other_origin_blocked_the_page_loads_and_draws(database):
    app = create_app({"database_url": database})
    with live_server(app.server) as url, chromium_page() as page:
        outside = []

        def only_this_origin(route):
            if route.request.url.startswith(url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_origin)
        for path in ("/", "/hotspots"):
            page.goto(url + path, wait_until="networkidle")
            page.wait_for_selector(".js-plotly-plot .main-svg, #chart-hotspot-map canvas", timeout=20000)
        page.wait_for_function("() => document.querySelector('#chart-hotspot-map .js-plotly-plot')"
                               "._fullLayout.map._subplot.map.loaded()", timeout=30000)
        assert outside == []
        assert axe_violations(page) == []
        assert page.console_messages == []


def test_a_partner_signs_in_and_out_by_keyboard(database):
    from queries.accounts import set_account
    from queries.db import make_engine

    set_account(make_engine(database), "pat", "correct horse battery", "partner")
    app = create_app({"database_url": database})
    with live_server(app.server) as url, chromium_page() as page:
        page.goto(url + "/exploitation?measure=count", wait_until="networkidle")
        page.wait_for_selector("#chart-exploitation-victims .main-svg")
        page.get_by_role("link", name="Partner sign-in").click()
        page.wait_for_selector("#username")
        assert axe_violations(page) == []
        page.get_by_label("Username").fill("pat")
        page.get_by_label("Password").fill("correct horse battery")
        page.keyboard.press("Enter")
        page.wait_for_selector(".chart-card", timeout=20000)
        assert "pat (partner)" in page.locator("#site-header").text_content()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector(".chart-card", timeout=20000)
        assert page.get_by_role("link", name="Partner sign-in").is_visible()
        assert page.console_messages == []
