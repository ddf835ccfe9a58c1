"""The first chart arrives with the page: its first frame, drawn on the server, is on screen
before plotly.js has loaded (the bundle is held back here), in the place and at the size of
the chart; once plotly has drawn, the frame is gone and the chart answers clicks."""

from __future__ import annotations

import pytest

from .browser import WAIT_MS, axe_violations, chromium, live_server, new_page, settled, wait_for_chart
from .conftest import demo_database

pytestmark = pytest.mark.browser
PLOTLY_BUNDLE = "**/assets/vendor/plotly-*"
FRAME = "#page-content .chart-frame:has(.chart-static)"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = demo_database(tmp_path_factory, "first-frame", "2022-01", "2024-12", 0.04)
    with live_server({"database_url": url}) as url:
        yield url


def frame_box(page) -> dict:
    """Where the first chart's frame, its plot image and the caption below it are."""
    return page.evaluate("""(selector) => {
        const frame = document.querySelector(selector);
        const img = frame.querySelector('.chart-static-plot');
        const caption = frame.closest('figure').querySelector('figcaption');
        const box = (e) => { const r = e.getBoundingClientRect(); return {top: r.top + scrollY, height: r.height, width: r.width}; };
        return {frame: box(frame), img: box(img), caption: box(caption), loaded: img.complete && img.naturalWidth > 0,
                hidden: frame.querySelector('.chart-static').getAttribute('aria-hidden')};
    }""", FRAME)


@pytest.mark.parametrize("path,chart", [("/crime", "crime-trend"), ("/", "overview-trend"),
                                        ("/exploitation", "exploitation-victims")])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_first_chart_shows_before_plotly_loads_and_gives_way_to_it(site, path, chart, width):
    with chromium() as browser:
        with new_page(browser) as page:
            page.set_viewport_size({"width": width, "height": 900})
            page.route(PLOTLY_BUNDLE, lambda route: route.abort())
            page.goto(site + path, timeout=WAIT_MS)
            static = page.locator("#page-content .chart-static")
            static.wait_for(state="visible", timeout=WAIT_MS)
            assert static.count() == 1  # the first chart only
            assert page.evaluate("(s) => document.querySelector(s).closest('section').getAttribute('aria-labelledby')",
                                 FRAME) == f"{chart}-heading"
            assert page.locator(f"#chart-{chart} .main-svg").count() == 0  # plotly never drew
            before = frame_box(page)
            assert before["loaded"] and before["hidden"] == "true"
            # The plot fills the frame's width less the figure's margins (64 + 16 px), inside the
            # figure's 400 px.
            assert before["frame"]["height"] == 400
            assert before["img"]["width"] == pytest.approx(before["frame"]["width"] - 80, abs=1)
            assert 200 < before["img"]["height"] < 400
            assert page.locator(".chart-static .chart-static-y").count() >= 3
            assert not [m for m in page.console_messages if "Content Security Policy" in m]
            if width == 1280:
                assert axe_violations(page) == []
        with new_page(browser) as page:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(site + path, timeout=WAIT_MS)
            settled(page)
            static = page.locator(f"{FRAME} .chart-static")
            assert static.count() == 1 and static.is_hidden()
            after = frame_box(page)
            # Nothing below the chart moved when plotly took its place.
            assert after["frame"]["height"] == before["frame"]["height"]
            assert after["caption"]["top"] == pytest.approx(before["caption"]["top"], abs=1)
            # The chart answers: clicking the first legend entry hides that trace.
            if page.locator(f"#chart-{chart} .legend .traces").count():
                page.locator(f"#chart-{chart} .legend .traces").first.click()
                wait_for_chart(page, chart, "gd._fullData.some(t => t.visible === 'legendonly')")
            assert not [m for m in page.console_messages if "Content Security Policy" in m]


SERVER_FRAME = ".server-page .chart-frame:has(.chart-static)"


def first_frame_top(page, selector: str) -> dict:
    return page.evaluate("""(selector) => {
        const frame = document.querySelector(selector);
        const img = frame.querySelector('.chart-static-plot');
        const r = frame.getBoundingClientRect();
        return {top: r.top + scrollY, left: r.left, width: r.width, height: r.height,
                loaded: img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > r.width / 2,
                heading: frame.closest('section').querySelector('h2').textContent};
    }""", selector)


@pytest.mark.parametrize("path,width", [("/crime", 1280), ("/", 390)])
def test_the_page_and_its_first_chart_arrive_in_the_html_where_dash_draws_them(site, path, width):
    """With no script run at all, the HTML alone shows the page and its first chart; once
    Dash has drawn its own copy, the server's copy is gone and the chart is where it was."""
    with chromium() as browser:
        with new_page(browser, java_script_enabled=False) as page:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(site + path, timeout=WAIT_MS)
            served = page.locator(".server-page")
            assert served.is_visible() and served.get_attribute("inert") is not None
            assert page.locator("#react-entry-point").bounding_box()["height"] <= 1  # its "Loading..." is out of sight
            assert page.locator(".server-page [id]").count() == 0  # Dash's copy has the ids
            before = first_frame_top(page, SERVER_FRAME)
            assert before["loaded"] and before["width"] > width / 2 and before["height"] >= 300
        with new_page(browser) as page:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(site + path, timeout=WAIT_MS)
            settled(page)
            assert page.locator(".server-page").count() == 0
            after = first_frame_top(page, FRAME)
            assert after["heading"] == before["heading"]
            assert (after["top"], after["left"], after["width"], after["height"]) == pytest.approx(
                (before["top"], before["left"], before["width"], before["height"]), abs=1)
            assert not page.console_messages
