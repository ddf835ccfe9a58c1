"""The page's script tags: Dash's, less two files no page here needs; and the page's two
requests to the server, started as the HTML arrives.

Dash puts on every page @babel/polyfill (97 kB, 30 kB compressed: ES2015 for browsers
before 2017; the maps need WebGL 2 and the plotly.js bundles ES2016 anyway, so no browser
that draws these pages lacks it) and the DataTable library (deprecated, and no page uses
it). The one part of the polyfill Dash's own code still relies on, the global
``regeneratorRuntime`` of its transpiled async functions, comes from
``assets/regenerator-runtime-<version>.js``.

Dash's renderer asks for the layout (which arrives with the page drawn, see page_view) and
the callback list only once all its scripts have run: on a slow laptop, seconds after the
HTML. Preloading them lets the server work meanwhile; the renderer's own requests (same
address, mode and credentials) are then answered from the preload.

A page drawn by the server (``first_paint``) paints before any script or stylesheet is
needed, so nothing else is fetched before it: its head carries the stylesheet rules its own
elements can use (``critical_css``), and the stylesheets and scripts are fetched once it is
on screen. A slowed browser spent about as long requesting the scripts' preloads (some
twenty requests, before it parsed the page) and parsing and matching Bootstrap's 230 kB as
on the rest of the first paint. A page not drawn (the database is down) preloads its
scripts and links its stylesheets as before.
"""

from __future__ import annotations

import re
from pathlib import Path

from dash import Dash

from dashboard.site.critical_css import critical_css
from dashboard.site.critical_css import load_folder as critical_css_load_folder

UNUSED_SCRIPTS = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/'
                            r'(deps/polyfill@[^"]*|dash_table/bundle[^"]*)"></script>\s*')


PRELOADED = ("_dash-layout", "_dash-dependencies")


SCRIPT_SOURCE = re.compile(r'<script src="([^"]*)"></script>')
RENDERER = re.compile(r"^var renderer = (new DashRenderer\(.*\));$", re.S)
# Dash's script tags, held back: a script of this type is neither fetched nor run.
AFTER_PAINT = "text/x-after-paint"
# The stylesheets, held back the same way: a link of this rel fetches nothing.
HELD_STYLESHEET = "x-after-paint"
# And the layout's and callback list's preloads: the server builds the page again for the
# layout (about 0.1 s of CPU), which on a machine serving its own browser took CPU from the
# first paint; Dash asks for the layout a second or more after the paint, by when it is there.
HELD_PRELOAD = "x-after-paint-preload"
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]*)">')
CRITICAL = "/*critical*/"
# Runs at the end of the body. The page's scripts run once the server-drawn page is on
# screen, in their order, and Dash's renderer starts when the last has run and the held-back
# stylesheets have loaded. "On screen" is the first contentful paint, which the
# browser reports once the frame is shown: started at the paint instead, the scripts took the
# CPU the frame's rasterising needed, and a slow laptop showed the page hundreds of
# milliseconds later. A hidden tab paints nothing, so it starts them at once; the timeout
# covers a browser that reports no paint.
LOADER = """(function () {
    // The server's copy of the page (dashboard/site/first_paint.py) leaves the document
    // when Dash has drawn its own: a stylesheet rule hides it in that same frame; gone, it
    // cannot be found twice by anything that looks for an element.
    var entry = document.getElementById("react-entry-point");
    var copy = document.querySelector("body > .server-page");
    if (entry && copy) {
        new MutationObserver(function (records, observer) {
            if (entry.querySelector(":scope > :not(._dash-loading)")) {
                copy.remove();
                observer.disconnect();
            }
        }).observe(entry, {childList: true});
    }
    var started = false;
    function start() {
        if (started) { return; }
        started = true;
        // Dash draws once its scripts have run and the page's stylesheets are in (a page
        // drawn by the server painted with only the rules it uses, inline in its head).
        var waiting = 1;
        function ready() {
            waiting -= 1;
            if (waiting === 0) { window.renderer = RENDERER; }
        }
        document.querySelectorAll("link[rel='HELD_PRELOAD']").forEach(function (link) { link.rel = "preload"; });
        document.querySelectorAll("link[rel='HELD_STYLESHEET']").forEach(function (sheet) {
            waiting += 1;
            sheet.addEventListener("load", ready);
            sheet.addEventListener("error", ready);
            sheet.rel = "stylesheet";
        });
        var last = null;
        document.querySelectorAll("script[type='AFTER_PAINT']").forEach(function (held) {
            last = document.createElement("script");
            last.src = held.src;
            last.async = false;
            document.body.appendChild(last);
        });
        last.addEventListener("load", ready);
    }
    var types = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes;
    if (document.visibilityState === "hidden" || !types || types.indexOf("paint") < 0) {
        start();
        return;
    }
    new PerformanceObserver(function (list) {
        if (list.getEntriesByName("first-contentful-paint").length) { setTimeout(start, 0); }
    }).observe({type: "paint", buffered: true});
    setTimeout(start, 2000);
}());"""


class LeanDash(Dash):
    """Dash whose scripts run after the page's first paint. A script in the HTML holds the
    first paint until it has run, even deferred, and Dash's scripts take about a second to run
    on a slow laptop, while the page the server drew (``first_paint``) needs none of them. So
    the HTML preloads them, and a small inline script adds them once the page is on screen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Before the CSP's hashes are taken (app.py): this inline script is hashed as it is here.
        constructor = RENDERER.match(self.renderer)
        if constructor is None:
            raise RuntimeError(f"Dash's renderer script has changed: {self.renderer!r}")
        self.renderer = (LOADER.replace("RENDERER", constructor.group(1)).replace("HELD_STYLESHEET", HELD_STYLESHEET)
                         .replace("HELD_PRELOAD", HELD_PRELOAD)
                         .replace("AFTER_PAINT", AFTER_PAINT))

    def parse_stylesheets(self) -> None:
        """Parse the stylesheets whose rules a page's head inlines: about a third of a second of
        CPU, done as a worker starts (``warm_up`` below) rather than at import, where every
        command and test process paid it, or in a visitor's first request."""
        critical_css_load_folder(Path(self.config.assets_folder))

    # Set by the application: the page drawn by the server for this request, as HTML placed
    # after Dash's entry point (see dashboard/site/first_paint.py).
    first_paint = staticmethod(lambda: "")

    def interpolate_index(self, **kwargs) -> str:
        drawn = self.first_paint()
        sources = SCRIPT_SOURCE.findall(UNUSED_SCRIPTS.sub("", kwargs.get("scripts", "")))
        kwargs["scripts"] = "".join(f'<script type="{AFTER_PAINT}" src="{source}"></script>' for source in sources)
        kwargs["app_entry"] = kwargs.get("app_entry", "") + drawn
        prefix = self.config.requests_pathname_prefix
        sheets = self._stylesheet_files(kwargs.get("css", "")) if drawn else None
        hints = "".join(f'<link rel="{HELD_PRELOAD if sheets else "preload"}" href="{prefix}{path}" as="fetch" '
                        'crossorigin="anonymous">' for path in PRELOADED)
        script_hints = "".join(f'<link rel="preload" href="{source}" as="script">' for source in sources)
        if sheets:
            kwargs["css"] = f"<style>{CRITICAL}</style>" + STYLESHEET.sub(
                lambda link: f'<link rel="{HELD_STYLESHEET}" href="{link.group(1)}">', kwargs["css"])
        kwargs["metas"] = kwargs.get("metas", "") + hints + ("" if sheets else script_hints)
        page = super().interpolate_index(**kwargs)
        if sheets:
            rules = critical_css(sheets, page)
            if not rules:  # cannot be inlined: the stylesheets hold the first paint, as before
                page = page.replace(f"<style>{CRITICAL}</style>", script_hints).replace(
                    f'<link rel="{HELD_STYLESHEET}"', '<link rel="stylesheet"').replace(
                    f'<link rel="{HELD_PRELOAD}"', '<link rel="preload"')
            page = page.replace(CRITICAL, rules, 1)
        return page

    def _stylesheet_files(self, links: str) -> list[Path] | None:
        """The files of the page's stylesheets, in order, if every one is an asset of this
        app's (else None: another's rules cannot be inlined)."""
        assets = f"{self.config.requests_pathname_prefix}{self.config.assets_url_path.strip('/')}/"
        hrefs = STYLESHEET.findall(links)
        if not hrefs or len(hrefs) != links.count("<link"):
            return None
        files = []
        for href in hrefs:
            path = Path(self.config.assets_folder) / href.split("?", 1)[0].removeprefix(assets)
            if not href.startswith(assets) or not path.is_file():
                return None
            files.append(path)
        return files
