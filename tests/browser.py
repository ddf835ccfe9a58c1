"""Helpers for browser tests: a live threaded server and headless Chromium via Playwright.

One Chromium serves every browser test of a test process (the ``browser`` fixture in
conftest.py; starting it costs seconds on a busy machine); each test gets a fresh context and
page, so no test sees another's cookies, storage or cache. Waits are tied to what the page reports (Dash's loading
markers gone, the charts' SVG drawn, MapLibre's load), with generous limits: software WebGL
on two busy cores can take tens of seconds to draw a page.
"""

from __future__ import annotations

import multiprocessing
import os
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

from .conftest import unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# The last flag has page tiles rasterised in the renderer rather than through SwiftShader's
# software GL, which took a tenth less CPU over the browser tests; WebGL (the map) still
# draws through SwiftShader.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
    "--disable-gpu-rasterization",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# How long any one wait may take (milliseconds): a limit against hangs, not an expected time.
WAIT_MS = 90_000

# True once Dash has rendered its layout (no "_dash-loading") and has no callback in flight
# (its renderer shows "_dash-loading-callback" while any is).
DASH_SETTLED = """() => document.readyState === 'complete' && !!document.querySelector('#react-entry-point')
    && !document.querySelector('._dash-loading, ._dash-loading-callback')"""
# True once every chart on the page has drawn its SVG. It asks dcc.Graph's own element, not
# plotly's: until the plotly bundle has loaded and a chart's turn has come, the graph holds
# no .js-plotly-plot at all, and "every plot has drawn" would hold for a page with none.
CHARTS_DRAWN = """() => { const graphs = [...document.querySelectorAll('.dash-graph')];
    return graphs.every(g => !g.classList.contains('dash-graph--pending') && g.querySelector('.main-svg')); }"""


def _serve(config: dict, ports) -> None:
    from app import create_app

    server = make_server("127.0.0.1", 0, create_app(config).server, threaded=True)
    ports.put(server.server_port)
    server.serve_forever()


@contextmanager
def live_server(config: dict):
    """The app made from ``config``, served by a threaded server in a process of its own.

    One app per process, as in production: a Dash app created after another in the same
    process served pages whose charts never drew (dcc.Graph reported "plotly.js did not
    load" and every callback ran again, in a loop).
    """
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    process = context.Process(target=_serve, args=(config, ports), daemon=True)
    process.start()
    try:
        port = ports.get(timeout=WAIT_MS / 1000)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.join(30)


# Playwright's synchronous API allows one driver per thread at a time, so every Chromium of a
# test process is launched from this one, started on first use and stopped at the session's end.
_driver = None


def playwright_driver():
    global _driver
    if _driver is None:
        from playwright.sync_api import sync_playwright

        _driver = sync_playwright().start()
    return _driver


def stop_playwright_driver() -> None:
    global _driver
    if _driver is not None:
        _driver.stop()
        _driver = None


@contextmanager
def chromium(args: list[str] = CHROMIUM_ARGS):
    """Headless Chromium, closed afterwards, or a skip (a failure in CI) without it."""
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not installed at {CHROMIUM} (apt-get install --no-install-recommends chromium)")
    browser = playwright_driver().chromium.launch(executable_path=CHROMIUM, args=args, timeout=WAIT_MS)
    try:
        yield browser
    finally:
        browser.close()


@contextmanager
def new_page(browser, **context_options):
    """A page in a context of its own (no cookies or storage shared between tests), with
    its console errors and warnings collected in ``page.console_messages``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.console_messages = messages
    try:
        yield page
    finally:
        context.close()


def settled(page_or_frame):
    """Wait until Dash has finished its callbacks and every chart on the page has drawn."""
    page_or_frame.wait_for_function(DASH_SETTLED, timeout=WAIT_MS)
    page_or_frame.wait_for_function(CHARTS_DRAWN, timeout=WAIT_MS)


def wait_for_chart(page_or_frame, chart_id: str, condition: str):
    """Wait until the chart's plot holds ``condition``, a JavaScript expression on ``gd``
    (the plot element). A filter change redraws the page, so for a moment the plot is
    absent or half-built: that reads as "not yet", where a throwing predicate would end
    the wait with an error instead of retrying."""
    page_or_frame.wait_for_function(
        f"() => {{ const gd = document.querySelector('#chart-{chart_id} .js-plotly-plot');"
        f" try {{ return Boolean(gd && ({condition})); }} catch (error) {{ return false; }} }}",
        timeout=WAIT_MS,
    )


def map_drawn(page, chart_id: str = "hotspot-map"):
    """Wait until the map's canvas exists and MapLibre says it has loaded."""
    page.wait_for_selector(f"#chart-{chart_id} canvas", timeout=WAIT_MS)
    wait_for_chart(page, chart_id, "gd._fullLayout.map._subplot.map.loaded()")


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, so the page's Content-Security-Policy (which
    # rightly refuses inline scripts) does not block the checker.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
