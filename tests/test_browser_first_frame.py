"""The first chart arrives with the page: its first frame, drawn on the server, is on screen
before plotly.js has loaded (the bundle is held back here), in the place and at the size of
the chart; once plotly has drawn, the frame is gone and the chart answers clicks."""

from __future__ import annotations

import pytest

from .browser import WAIT_MS, axe_violations, live_server, new_page, settled, wait_for_chart
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
def test_the_first_chart_shows_before_plotly_loads_and_gives_way_to_it(site, browser, path, chart, width):
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
def test_the_page_and_its_first_chart_arrive_in_the_html_where_dash_draws_them(site, browser, path, width):
    """With no script run at all, the HTML alone shows the page and its first chart; once
    Dash has drawn its own copy, the server's copy is gone and the chart is where it was."""
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


@pytest.mark.parametrize("path", ["/crime", "/hotspots"])
def test_no_stylesheet_or_script_is_fetched_before_the_page_paints(site, browser, path):
    """The page paints with the rules inlined in its head; Bootstrap's stylesheet, Dash's
    scripts and the layout are requested only after the first contentful paint, and are in
    force by the time Dash has drawn."""
    with new_page(browser) as page:
        page.goto(site + path, timeout=WAIT_MS)
        settled(page)
        timing = page.evaluate("""() => ({
            fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
            fetched: performance.getEntriesByType('resource').map(r => [r.name.split('?')[0], r.startTime]),
            linked: [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.sheet !== null),
            held: document.querySelectorAll('link[rel=x-after-paint]').length})""")
        early = [name for name, start in timing["fetched"] if start < timing["fcp"]
                 and (name.endswith((".css", ".js")) or "_dash-" in name)]
        assert early == []
        # The layout was preloaded at the paint, and Dash's renderer took it from there.
        assert [name.rsplit("/", 1)[-1] for name, _ in timing["fetched"] if "_dash-layout" in name] == ["_dash-layout"]
        assert sorted(n.rsplit("/", 1)[-1] for n, _ in timing["fetched"] if n.endswith(".css")) == [
            "00-bootstrap.min.css", "dashboard.css"]
        assert timing["linked"] == [True, True] and timing["held"] == 0
        assert not [m for m in page.console_messages if "Content Security Policy" in m]


# Every element of the server's copy, and what its ::before and ::after draw, as computed.
COMPUTED = """() => [...document.querySelectorAll('.server-page, .server-page *')].map(e => {
    const own = getComputedStyle(e);
    const pseudo = ['::before', '::after'].map(p => { const s = getComputedStyle(e, p);
        return [s.content, s.display, s.width, s.height, s.backgroundImage, s.borderTop].join(' '); });
    return e.tagName + ' ' + Array.from(own).sort().map(p => p + ':' + own.getPropertyValue(p)).join(';') + ';' + pseudo.join(' ');
})"""


@pytest.mark.parametrize("path,width", [("/crime", 1280), ("/", 390), ("/hotspots", 1280)])
def test_the_inlined_rules_style_the_page_as_the_stylesheets_do(site, browser, path, width):
    """Dash never starts here (its scripts are refused), so the server's copy stays: styled by
    the inlined rules alone (the stylesheets refused too), and then with the stylesheets in
    force, every element computes the same style."""
    styles = []
    for refuse_stylesheets in (True, False):
        with new_page(browser) as page:
            page.set_viewport_size({"width": width, "height": 900})
            page.route("**/_dash-component-suites/**", lambda route: route.abort())
            page.route("**/assets/*.js*", lambda route: route.abort())
            if refuse_stylesheets:
                page.route("**/*.css*", lambda route: route.abort())
            page.goto(site + path, timeout=WAIT_MS)
            page.wait_for_function("() => !document.querySelector('link[rel=x-after-paint]')", timeout=WAIT_MS)
            if not refuse_stylesheets:
                page.wait_for_function("() => [...document.querySelectorAll('link[rel=stylesheet]')]"
                                       ".every(l => l.sheet && l.sheet.cssRules.length)", timeout=WAIT_MS)
            assert page.locator(".server-page").is_visible()
            styles.append(page.evaluate(COMPUTED))
    inline_only, with_stylesheets = styles
    assert len(inline_only) > 100
    differ = [(i, sorted(set(a.split(";")) ^ set(b.split(";")))[:6])
              for i, (a, b) in enumerate(zip(inline_only, with_stylesheets)) if a != b]
    assert differ == []
