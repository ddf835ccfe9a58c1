"""First visits of every page in headless Chromium, as a council laptop would see them.

    python -m benchmarks.pages [--database-url URL] [--cpu-slowdown 4] [--base-url URL]

Starts gunicorn (two gthread workers, as in the Procfile) on the given database, unless
--base-url names a running server. Each page is opened in a fresh browser context (empty
cache) with the CPU slowed by DevTools (``Emulation.setCPUThrottlingRate``). Prints, per
page: the bytes transferred (compressed, as on the wire), the number of requests, and the
times from the HTML's arrival to the first contentful paint, to the first chart visible (its
first frame drawn on the server, or plotly's chart, whichever is on screen first) and to the
first chart plotly has drawn. Then the same for two bare pages, in the same browser and run,
each drawing the crime page's first figure (its monthly lines) by ``Plotly.newPlot`` with
nothing else on the page:

- "plotly.js alone": the full plotly.js bundle as plotly's Python package ships it
  (``plotly.min.js``, 4.8 MB), the page and the bundle sent over HTTP uncompressed by a plain
  file server on this machine (``plain_server``): a page that draws its charts with plotly alone, the
  yardstick the first-chart target is set against (a quarter of its time);
- "our bundle alone": the partial bundle the dashboard itself sends, brotli-compressed by
  the server: a stricter yardstick, what plotly costs once the bundle is already as small
  as this dashboard makes it.

Each page's first chart is given as a share of both.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request
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
# What a page reports once plotly has drawn its first chart: plotly's SVG (or a map's canvas),
# or, on a page with no chart to draw (no intervention recorded), the message saying why.
FIRST_PLOT = ".js-plotly-plot .main-svg, .js-plotly-plot canvas, .main-svg"
NOTHING_TO_DRAW = "#page-content .alert-info"
# A chart's first frame, drawn on the server (dashboard/charts/first_frame.py): on screen once decoded.
FIRST_FRAME = ".chart-static-plot"
# Times are taken in the page, at the first frame after a chart appears in the document (the
# frame that shows it): asking from here would wait for the main thread, which on a slowed
# CPU may be busy drawing the next chart, and so count that too. "First chart" is whichever
# of the first frame and plotly's chart is on screen first.
FIRST_CHART_CLOCK = """
window.__firstChartAt = null;
window.__firstPlotAt = null;
(function () {
    var frameSeen = false, plotSeen = false;
    function stamp(name) {
        window.requestAnimationFrame(function () { if (window[name] === null) { window[name] = performance.now(); } });
    }
    new MutationObserver(function (records, observer) {
        var image = frameSeen ? null : document.querySelector(FRAME);
        if (image) {
            frameSeen = true;
            (image.decode ? image.decode() : Promise.resolve()).then(function () { stamp("__firstChartAt"); },
                                                                     function () {});
        }
        var nothing = document.querySelector(NOTHING) && !document.querySelector(".dash-graph, .chart-frame");
        if (!plotSeen && (document.querySelector(PLOT) || nothing)) {
            plotSeen = true;
            stamp("__firstPlotAt");
            stamp("__firstChartAt");
        }
        if (plotSeen) {
            observer.disconnect();
        }
    }).observe(document, {childList: true, subtree: true});
}());
""".replace("FRAME", repr(FIRST_FRAME)).replace("NOTHING", repr(NOTHING_TO_DRAW)).replace("PLOT", repr(FIRST_PLOT))
BARE_PATH = "bare-plotly-page"
BARE_PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>plotly alone</title></head>
<body><div id="plot" style="width: 100%; height: 400px"></div>
<script src="BUNDLE"></script>
<script>var figure = FIGURE; Plotly.newPlot("plot", figure.data, figure.layout, {responsive: true});</script>
</body></html>"""
PLOTLY_BUNDLE = "assets/vendor/plotly-charts-4.1.1.min.js"


@dataclass
class Visit:
    page: str
    bytes_transferred: int
    requests: int
    first_paint_ms: float  # first contentful paint, from the HTML's arrival
    first_chart_ms: float  # first chart on screen (first frame or plotly's), from the HTML's arrival
    largest: list[tuple[str, int]]
    files: list[str]  # the name of every file the visit fetched
    trace_types: list[str]  # the trace types the page's plotly.js can draw
    first_plot_ms: float = float("nan")  # first chart drawn by plotly, from the HTML's arrival
    first_chart_navigation_ms: float = float("nan")  # first chart on screen, from the start of navigation


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
                width: int = 1280, height: int = 900, routes: dict | None = None) -> Visit:
    """Open ``url`` in a fresh context and measure what its first visit costs."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        for pattern, handler in (routes or {}).items():
            page.route(pattern, handler)
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
        plot_at = None
        while plot_at is None and time.monotonic() < deadline:
            plot_at = page.evaluate("window.__firstPlotAt")
            time.sleep(0.05)
        if plot_at is None:
            raise TimeoutError(f"{url}: plotly drew no chart within {timeout_ms} ms")
        # Callbacks that fill the rest of the page finish with the network going quiet.
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        timing = page.evaluate(
            """() => {
                const nav = performance.getEntriesByType('navigation')[0];
                const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                return {html: nav.responseEnd, fcp: fcp ? fcp.startTime : null};
            }"""
        )
        # Nothing is on screen before the first contentful paint: a chart stamped earlier (its
        # frame ran while the browser still held painting back, for a stylesheet or a script)
        # is seen with that paint.
        if timing["fcp"] is not None:
            chart_at = max(chart_at, timing["fcp"])
            plot_at = max(plot_at, timing["fcp"])
        trace_types = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces).sort()")
        largest = sorted(((urls.get(k, k).split("?")[0].rsplit("/", 1)[-1], v) for k, v in sizes.items()),
                         key=lambda item: -item[1])[:4]
        return Visit(
            page=page_name or url, bytes_transferred=sum(sizes.values()), requests=len(sizes),
            first_paint_ms=(timing["fcp"] or float("nan")) - timing["html"],
            first_chart_ms=chart_at - timing["html"], largest=largest, first_plot_ms=plot_at - timing["html"],
            first_chart_navigation_ms=chart_at,
            files=sorted(urls.get(k, k).split("?")[0].rsplit("/", 1)[-1] for k in sizes), trace_types=trace_types,
        )
    finally:
        context.close()


def bare_plotly_page(base: str, figure_page: str = "crime", bundle: str | None = None) -> str:
    """A page with a plotly bundle (at ``bundle``, else the dashboard's own) and
    ``figure_page``'s first figure, drawn by Plotly.newPlot and nothing else: what plotly alone
    needs to show a chart."""
    request = urllib.request.Request(base + "_dash-layout", headers={"Referer": base + figure_page})
    with urllib.request.urlopen(request, timeout=60) as response:
        layout = json.load(response)
    figure = next(_graph_figures(layout))
    return BARE_PAGE.replace("BUNDLE", bundle or base + PLOTLY_BUNDLE).replace(
        "FIGURE", json.dumps(figure).replace("</", "<\\/"))


@contextmanager
def plain_server(files: dict[str, tuple[bytes, str]]):
    """A server on this machine that sends each of ``files`` (path: body and content type)
    over HTTP as it is, with no compression, while the context lasts; yields its address."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body, content_type = files.get(self.path.split("?")[0], (b"", ""))
            self.send_response(200 if content_type else 404)
            self.send_header("Content-Type", content_type or "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def full_plotly_bundle() -> bytes:
    """plotly.js whole, as plotly's Python package ships it (every trace type)."""
    from importlib.resources import files

    return files("plotly").joinpath("package_data", "plotly.min.js").read_bytes()


def _graph_figures(node):
    if isinstance(node, dict):
        if node.get("type") == "Graph" and node.get("props", {}).get("figure"):
            yield node["props"]["figure"]
        for value in node.values():
            yield from _graph_figures(value)
    elif isinstance(node, list):
        for value in node:
            yield from _graph_figures(value)


def bare_visit(browser, base: str, html: str, cpu_slowdown: float, timeout_ms: int = 120_000,
               name: str = "our bundle alone") -> Visit:
    """``first_visit`` of a bare plotly page, served at ``base`` + BARE_PATH by the browser
    itself; the bundle it names is fetched over HTTP."""

    def serve(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    return first_visit(browser, base + BARE_PATH, name, cpu_slowdown, timeout_ms, routes={base + BARE_PATH: serve})


def bare_visits(browser, base: str, cpu_slowdown: float, repeat: int) -> tuple[list[Visit], list[Visit]]:
    """The visits of each bare page: plotly.js whole, page and bundle sent uncompressed by a
    plain file server of their own, and our bundle as the dashboard sends it."""
    html = bare_plotly_page(base, bundle="/plotly.min.js").encode()
    files = {f"/{BARE_PATH}": (html, "text/html; charset=utf-8"),
             "/plotly.min.js": (full_plotly_bundle(), "text/javascript; charset=utf-8")}
    with plain_server(files) as address:
        whole = [first_visit(browser, address + BARE_PATH, "plotly.js alone", cpu_slowdown) for _ in range(repeat)]
    ours = bare_plotly_page(base)
    return whole, [bare_visit(browser, base, ours, cpu_slowdown) for _ in range(repeat)]


def median_visit(visits: list[Visit]) -> Visit:
    ordered = sorted(visits, key=lambda v: v.first_chart_ms)
    return ordered[len(ordered) // 2]


def median_of(visits: list[Visit], measure: str) -> float:
    """The median of one measure over the visits (each measure's own median visit)."""
    return sorted(getattr(v, measure) for v in visits)[len(visits) // 2]


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
        print(f"{base}; CPU slowed {args.cpu_slowdown:g}x; median of {args.repeat} fresh visits per page; "
              f"load average {os.getloadavg()[0]:.1f} at the start\n")
        with chromium() as browser:
            results = {name: [first_visit(browser, base + path, name, args.cpu_slowdown) for _ in range(args.repeat)]
                       for name, path in PAGES.items()}
            results["plotly.js alone"], results["our bundle alone"] = bare_visits(browser, base, args.cpu_slowdown,
                                                                                  args.repeat)
        whole, ours = median_visit(results["plotly.js alone"]), median_visit(results["our bundle alone"])
        print(f"{'page':<22} {'transferred':>12} {'requests':>9} {'first paint':>12} {'first chart':>12} "
              f"{'of plotly.js':>13} {'of our bundle':>14} {'from navigation':>16} {'plotly drawn':>13}  largest files")
        for name, visits in results.items():
            visit = median_visit(visits)
            largest = ", ".join(f"{n} {b / 1024:.0f} kB" for n, b in visit.largest[:3])
            print(f"{name:<22} {visit.bytes_transferred / 1024:>9.0f} kB {visit.requests:>9} "
                  f"{visit.first_paint_ms:>9.0f} ms {visit.first_chart_ms:>9.0f} ms "
                  f"{visit.first_chart_ms / whole.first_chart_ms:>12.0%} {visit.first_chart_ms / ours.first_chart_ms:>13.0%} "
                  f"{median_of(visits, 'first_chart_navigation_ms'):>13.0f} ms "
                  f"{visit.first_plot_ms:>10.0f} ms  {largest}", flush=True)
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end. Medians; times from the HTML's arrival, but \"from "
              "navigation\". \"plotly.js alone\": plotly.js whole (plotly.min.js), uncompressed, and the crime "
              "page's first figure on a page of their own; \"our bundle alone\": the same with the dashboard's "
              "partial bundle, compressed. The first-chart target: within 1,500 ms of navigation and at most "
              "25% of plotly.js alone.")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
