"""A host page on another origin frames /embed/crime-trend under a path prefix: the chart
draws, and the host receives the csd:height message it sizes the iframe with."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .browser import WAIT_MS, live_server, new_page, settled
from .conftest import demo_database

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PREFIX = "/community-safety"

# The README's host snippet, recording what arrives so the test can read it.
HOST_PAGE = """<!DOCTYPE html><html lang='en'><title>Intranet</title><h1>Intranet</h1>
<iframe id='dash' title='Crime trend' src='{src}' width='{width}' height='300' style='border:0'></iframe>
<script>
window.heights = [];
window.addEventListener("message", function (event) {{
    if (event.origin !== "{origin}" || !event.data || event.data.type !== "csd:height") return;
    window.heights.push(event.data);
    document.getElementById("dash").style.height = event.data.height + "px";
}});
</script></html>"""


@contextmanager
def host_server():
    """A host site on a port of its own choosing (a fixed one may be taken on a shared
    machine): its origin, and the page it serves once ``show`` has set it."""
    pages = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(pages["body"])

        def log_message(self, *args):
            pass

    def show(src: str, origin: str, width: int) -> None:
        pages["body"] = HOST_PAGE.format(src=src, origin=origin, width=width).encode()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", show
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    return demo_database(tmp_path_factory, "embed", "2023-01", "2024-12", 0.03)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_embedded_chart_draws_and_tells_its_host_its_height(database, browser, width):
    with host_server() as (host, show), \
            live_server({"database_url": database, "url_prefix": f"{PREFIX}/", "frame_ancestors": host}) as url:
        # Another origin than the host's, as on an intranet.
        origin = url.replace("127.0.0.1", "localhost")
        path = f"{PREFIX}/embed/crime-trend?area=E07000178"
        show(origin + path, origin, width - 20)
        with new_page(browser) as page:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(host)
            frame = page.frame_locator("#dash")
            frame.locator("#chart-crime-trend .main-svg").first.wait_for(timeout=WAIT_MS)
            settled(page.frames[1])
            assert not frame.locator("#site-header").is_visible()
            assert not frame.locator("#filter-bar").is_visible()
            assert frame.locator("h2").first.text_content().strip() != ""
            assert frame.locator(".chart-summary").text_content().strip() != ""
            assert frame.locator(".table-alternative").count() == 1
            assert frame.locator("#demo-notice").is_visible()  # drawn from the demo set, as the page says
            # The last message gives the frame's whole height, and the host took it.
            page.wait_for_function("() => window.heights.length > 0", timeout=WAIT_MS)
            height = page.frames[1].evaluate("() => document.body.getBoundingClientRect().height")
            page.wait_for_function("(h) => Math.abs(window.heights[window.heights.length - 1].height - h) <= 1",
                                   arg=height, timeout=WAIT_MS)
            last = page.evaluate("() => window.heights[window.heights.length - 1]")
            assert last["type"] == "csd:height" and last["height"] > 300
            assert last["path"] == path
            assert page.evaluate("() => document.getElementById('dash').getBoundingClientRect().height") == last["height"]
            if width < 576:  # phone: no mode bar, horizontal date labels
                assert not frame.locator(".modebar-container").first.is_visible()
                page.frames[1].wait_for_function(
                    "() => [...document.querySelectorAll('#chart-crime-trend .xtick text')].every("
                    "t => !(t.getAttribute('transform') || '').includes('rotate'))", timeout=WAIT_MS)
            assert page.console_messages == []
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / f"embed_crime-trend_{width}.png"), full_page=True)


def test_an_embedded_page_tells_its_host_its_height(database, browser):
    with host_server() as (host, show), \
            live_server({"database_url": database, "url_prefix": f"{PREFIX}/", "frame_ancestors": host}) as url:
        origin = url.replace("127.0.0.1", "localhost")
        path = f"{PREFIX}/crime?embed=1&filters=0&area=E07000178"
        show(origin + path, origin, 1000)
        with new_page(browser) as page:
            page.goto(host)
            page.frame_locator("#dash").locator("#chart-crime-trend .main-svg").first.wait_for(timeout=WAIT_MS)
            settled(page.frames[1])
            height = page.frames[1].evaluate("() => document.body.getBoundingClientRect().height")
            page.wait_for_function("(h) => window.heights.length > 0"
                                   " && Math.abs(window.heights[window.heights.length - 1].height - h) <= 1",
                                   arg=height, timeout=WAIT_MS)
            last = page.evaluate("() => window.heights[window.heights.length - 1]")
            # Three chart cards: far taller than the frame's starting 300 px.
            assert last["path"] == path and last["height"] > 900
