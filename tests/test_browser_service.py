"""Browser tests of the app as an intranet service: embedding, path prefix, offline."""

from __future__ import annotations

import re
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from .browser import WAIT_MS, axe_violations, live_server, map_drawn, new_page, settled
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


def test_embedded_from_an_allowed_origin_it_renders_and_from_another_it_is_refused(database, browser):
    allowed_port, other_port = free_port(), free_port()
    with live_server({"database_url": database, "frame_ancestors": f"http://127.0.0.1:{allowed_port}"}) as url:
        frame_url = url.replace("127.0.0.1", "localhost") + "/crime?embed=1&filters=0"
        with parent_page(allowed_port, frame_url), new_page(browser) as page:
            page.goto(f"http://127.0.0.1:{allowed_port}/")
            frame = page.frame_locator("#dash")
            frame.locator("#chart-crime-trend .main-svg").first.wait_for(timeout=WAIT_MS)
            settled(page.frames[1])
            assert frame.locator("h1").text_content() == "Crime"
            assert not frame.locator("#site-header").is_visible()  # no navigation when embedded
            assert frame.get_by_role("link", name="Open the full view in a new tab").get_attribute("target") == "_blank"
            assert page.console_messages == []
        with parent_page(other_port, frame_url), new_page(browser) as page:
            # Chromium reports the refusal on the console: wait for that message, not a fixed time.
            with page.expect_console_message(lambda m: "frame-ancestors" in m.text, timeout=WAIT_MS):
                page.goto(f"http://127.0.0.1:{other_port}/")
            child = page.frames[1]
            # The refused frame reports its error page a moment after the console message.
            deadline = time.monotonic() + WAIT_MS / 1000
            while not child.url.startswith("chrome-error://") and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert child.url.startswith("chrome-error://")


def test_every_page_works_under_a_path_prefix(database, browser):
    from dashboard.pages import PAGES

    with live_server({"database_url": database, "url_prefix": "/community-safety/"}) as url, new_page(browser) as page:
        for p in PAGES:
            page.goto(f"{url}/community-safety{p.path}")
            # A chart, or (interventions and targets with none recorded) the message saying so.
            page.wait_for_selector(".chart-card, #page-content .alert-info", timeout=WAIT_MS)
            settled(page)
            assert page.locator("h1").text_content() == p.title
        page.get_by_role("link", name="Crime", exact=True).click()
        page.wait_for_url(re.compile(r"/community-safety/crime"))
        page.get_by_role("radio", name="Count").check()
        page.wait_for_url(re.compile(r"/community-safety/crime\?.*measure=count"))
        # The address changes before the page is redrawn for it: a click on the old card's link
        # could land as the new card replaced it (on a busy machine, no download followed).
        link = page.locator('a[href*="download/crime-trend.csv"][href*="measure=count"]')
        link.wait_for(timeout=WAIT_MS)
        settled(page)
        with page.expect_download() as download:
            link.click()
        name = download.value.suggested_filename  # the chart's id, then its filters
        assert name.startswith("crime-trend") and name.endswith(".csv")
        assert page.console_messages == []


def test_with_every_other_origin_blocked_the_page_loads_and_draws(database, browser):
    with live_server({"database_url": database}) as url, new_page(browser) as page:
        outside = []

        def only_this_origin(route):
            if route.request.url.startswith(url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_origin)
        for path in ("/", "/hotspots"):
            page.goto(url + path)
            page.wait_for_selector(".chart-card", timeout=WAIT_MS)
            settled(page)
        map_drawn(page)
        assert outside == []
        assert axe_violations(page) == []
        assert page.console_messages == []


def test_a_partner_signs_in_and_out_by_keyboard(database, browser):
    from queries.accounts import set_account
    from queries.db import make_engine

    set_account(make_engine(database), "pat", "correct horse battery", "partner")
    with live_server({"database_url": database}) as url, new_page(browser) as page:
        page.goto(url + "/exploitation?measure=count")
        page.wait_for_selector("#chart-exploitation-victims .main-svg", timeout=WAIT_MS)
        settled(page)
        page.get_by_role("link", name="Partner sign-in").click()
        page.wait_for_selector("#username")
        assert axe_violations(page) == []
        page.get_by_label("Username").fill("pat")
        page.get_by_label("Password").fill("correct horse battery")
        page.keyboard.press("Enter")
        # Wait for the header to name the partner (the page the form leads to), then for the sign-out.
        expect(page.locator("#site-header")).to_contain_text("pat (partner)", timeout=WAIT_MS)
        settled(page)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("link", name="Partner sign-in")).to_be_visible(timeout=WAIT_MS)
        settled(page)
        assert page.console_messages == []
