"""What a first visit costs: every page's transfer, counted by Chromium on the wire."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.pages import CHROMIUM_ARGS, first_visit
from dashboard.pages import PAGES

from .browser import CHROMIUM, chromium, live_server, new_page
from .conftest import demo_database, unavailable

pytestmark = pytest.mark.browser
LIMIT = 1_000_000  # bytes, compressed, for a page's first visit with an empty cache
MAP_PAGES = {"/hotspots"}


@pytest.fixture(scope="module")
def visits(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not installed at {CHROMIUM}")
    config = {"database_url": demo_database(tmp_path_factory, "weight", "2024-01", "2024-12", 0.04)}
    # Chromium as the page benchmark launches it (benchmarks/pages.py), from the tests' one
    # Playwright driver; closed before the tests run.
    with live_server(config) as url, chromium(CHROMIUM_ARGS) as browser:
        return {page.path: first_visit(browser, url + page.path, page.path) for page in PAGES}


def test_every_chart_page_first_visit_is_at_most_1_mb(visits):
    over = {path: v.bytes_transferred for path, v in visits.items() if path not in MAP_PAGES and v.bytes_transferred > LIMIT}
    assert over == {}, {p: visits[p].largest for p in over}


def test_the_map_page_first_visit_is_at_most_1_mb(visits):
    over = {path: visits[path].bytes_transferred for path in MAP_PAGES if visits[path].bytes_transferred > LIMIT}
    assert over == {}, {p: visits[p].largest for p in over}


def test_pages_load_only_the_plotly_bundle_they_need(visits):
    for path, visit in visits.items():
        bundles = [f for f in visit.files if f.startswith("plotly")]
        if path in MAP_PAGES:
            assert bundles == ["plotly-loader.js", "plotly-maps-4.1.1.min.js"]
            assert visit.trace_types == ["choroplethmap", "scatter", "scattermap"]
        else:
            assert bundles == ["plotly-charts-4.1.1.min.js", "plotly-loader.js"]
            assert visit.trace_types == ["bar", "scatter"]
        assert "plotly.min.js" not in visit.files  # Dash's full bundle is never fetched
        # Nor the polyfill for browsers older than the maps' WebGL 2, nor the unused DataTable.
        assert not [f for f in visit.files if f.startswith("polyfill@") or f.startswith("bundle.v")], visit.files


def test_moving_between_chart_pages_and_the_map_page_loads_the_right_bundle(tmp_path_factory, browser):
    """The charts bundle cannot draw the map and the maps bundle cannot draw bars: the nav
    links between the two kinds of page load the target afresh, with its own bundle."""
    config = {"database_url": demo_database(tmp_path_factory, "moves", "2024-01", "2024-12", 0.04)}
    with live_server(config) as url, new_page(browser) as page:
        page.goto(url + "/crime")
        page.wait_for_selector("#chart-crime-trend .main-svg", state="attached", timeout=120_000)
        for label, path, ready, traces in (
            ("Hotspots", "/hotspots", ".js-plotly-plot canvas", ["choroplethmap", "scatter", "scattermap"]),
            ("Crime", "/crime", ".js-plotly-plot .main-svg", ["bar", "scatter"]),
        ):
            page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()
            page.wait_for_url(f"**{path}**", timeout=120_000)
            page.wait_for_selector(ready, state="attached", timeout=180_000)
            assert page.evaluate("Object.keys(Plotly.PlotSchema.get().traces).sort()") == traces
        assert [m for m in page.console_messages if "pageerror" in m] == []
