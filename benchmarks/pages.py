"""First visits of every page in headless Chromium, as a council laptop would see them.

    python -m benchmarks.pages [--database-url URL] [--cpu-slowdown 4] [--base-url URL]

Starts gunicorn (two gthread workers, as in the Procfile) on the given database, unless
--base-url names a running server. Each page is opened in a fresh browser context (empty
cache) with the CPU slowed by DevTools (``Emulation.setCPUThrottlingRate``). Prints, per
page: the bytes transferred (compressed, as on the wire), the number of requests, and the
times from the HTML's arrival to the first contentful paint and to the first chart drawn.
"""

from __future__ import annotations

import argparse
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
]
PAGES = {
    "overview": "", "crime": "crime", "asb": "asb", "domestic-abuse": "domestic-abuse",
    "repeat-victimisation": "repeat-victimisation", "exploitation": "exploitation", "hotspots": "hotspots",
}
# What a page reports once its first chart is drawn: plotly's SVG (or a map's canvas), or,
# on a page with nothing to draw yet (no intervention recorded), the message saying why.
FIRST_CHART = ".js-plotly-plot .main-svg, .js-plotly-plot canvas, .main-svg, #page-content .alert-info"
# The time is taken in the page, at the first frame after the chart appears in the document
# (the frame that shows it): asking from here would wait for the main thread, which on a
# slowed CPU may be busy drawing the next chart, and so count that too.
FIRST_CHART_CLOCK = """
window.__firstChartAt = null;
new MutationObserver(function (records, observer) {
    if (document.querySelector(SELECTOR)) {
        observer.disconnect();
        window.requestAnimationFrame(function () { window.__firstChartAt = performance.now(); });
    }
}).observe(document, {childList: true, subtree: true});
""".replace("SELECTOR", repr(FIRST_CHART))


@dataclass
class Visit:
    page: str
    bytes_transferred: int
    requests: int
    first_paint_ms: float  # first contentful paint, from the HTML's arrival
    first_chart_ms: float  # first chart drawn, from the HTML's arrival
    largest: list[tuple[str, int]]
    files: list[str]  # the name of every file the visit fetched
    trace_types: list[str]  # the trace types the page's plotly.js can draw


@contextmanager
def chromium(width: int = 1280, height: int = 900):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def first_visit(browser, url: str, page_name: str = "", cpu_slowdown: float = 1, timeout_ms: int = 120_000,
                width: int = 1280, height: int = 900) -> Visit:
    """Open ``url`` in a fresh context and measure what its first visit costs."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if cpu_slowdown > 1:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        sizes: dict[str, int] = {}
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        page.add_init_script(FIRST_CHART_CLOCK)
        page.goto(url, wait_until="load", timeout=timeout_ms)
        # Polled from here: the page's CSP forbids the eval a waiting function would need.
        deadline = time.monotonic() + timeout_ms / 1000
        chart_at = None
        while chart_at is None and time.monotonic() < deadline:
            chart_at = page.evaluate("window.__firstChartAt")
            time.sleep(0.05)
        if chart_at is None:
            raise TimeoutError(f"{url}: no chart drawn within {timeout_ms} ms")
        # Callbacks that fill the rest of the page finish with the network going quiet.
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        timing = page.evaluate(
            """() => {
                const nav = performance.getEntriesByType('navigation')[0];
                const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                return {html: nav.responseEnd, fcp: fcp ? fcp.startTime : null};
            }"""
        )
        trace_types = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces).sort()")
        largest = sorted(((urls.get(k, k).split("?")[0].rsplit("/", 1)[-1], v) for k, v in sizes.items()),
                         key=lambda item: -item[1])[:4]
        return Visit(
            page=page_name or url, bytes_transferred=sum(sizes.values()), requests=len(sizes),
            first_paint_ms=(timing["fcp"] or float("nan")) - timing["html"],
            first_chart_ms=chart_at - timing["html"], largest=largest,
            files=sorted(urls.get(k, k).split("?")[0].rsplit("/", 1)[-1] for k in sizes), trace_types=trace_types,
        )
    finally:
        context.close()


def main() -> None:
    from .callbacks import OUT, free_port, start_gunicorn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'benchmark-2000000.sqlite'}")
    parser.add_argument("--base-url", default=None, help="measure a running server instead of starting one")
    parser.add_argument("--cpu-slowdown", type=float, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="visits per page; the median is printed")
    parser.add_argument("--port", type=int, default=None, help="port for gunicorn (default: a free one)")
    args = parser.parse_args()

    server = None
    base = args.base_url
    if base is None:
        port = args.port or free_port()
        server = start_gunicorn(args.database_url, port, None)
        base = f"http://127.0.0.1:{port}/"
    try:
        print(f"{base}; CPU slowed {args.cpu_slowdown:g}x; median of {args.repeat} fresh visits per page\n")
        print(f"{'page':<22} {'transferred':>12} {'requests':>9} {'first paint':>12} {'first chart':>12}  largest files")
        with chromium() as browser:
            for name, path in PAGES.items():
                visits = sorted((first_visit(browser, base + path, name, args.cpu_slowdown) for _ in range(args.repeat)),
                                key=lambda v: v.first_chart_ms)
                visit = visits[len(visits) // 2]
                largest = ", ".join(f"{n} {b / 1024:.0f} kB" for n, b in visit.largest[:3])
                print(f"{name:<22} {visit.bytes_transferred / 1024:>9.0f} kB {visit.requests:>9} "
                      f"{visit.first_paint_ms:>9.0f} ms {visit.first_chart_ms:>9.0f} ms  {largest}", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
