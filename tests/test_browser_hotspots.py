"""The hotspot map in Chromium with real months imported: boundaries, names and the scale bar
are drawn, nothing is asked of any other server, at desktop and phone widths.

Set SCREENSHOT_DIR to keep the screenshots for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from queries.bootstrap import init_db
from queries.db import make_engine
from queries.importers.policeuk import import_policeuk

from .browser import live_server, map_drawn, new_page
from .conftest import shared_file

pytestmark = pytest.mark.browser
WAIT_MS = 120_000  # software rendering on a busy 2-core machine


@pytest.fixture(scope="module")
def real_app(tmp_path_factory):
    paths = [shared_file("policeuk", f"2024-0{m}-thames-valley-street.csv.gz") for m in (1, 2, 3, 4)]
    url = f"sqlite:///{tmp_path_factory.mktemp('real') / 'real.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    import_policeuk(engine, paths)
    engine.dispose()
    return {"database_url": url}


def warm_scripts(base: str) -> None:
    """Fetch the page's scripts once, so the server has compressed them before Chromium asks:
    on a busy machine the first compression of plotly.js outlasted Dash's 30 s wait for it."""
    import re
    import urllib.request

    html = urllib.request.urlopen(f"{base}/hotspots", timeout=120).read().decode()
    for src in re.findall(r'<script src="([^"]+)"', html):
        request = urllib.request.Request(base + src if src.startswith("/") else f"{base}/{src}",
                                         headers={"Accept-Encoding": "gzip"})
        urllib.request.urlopen(request, timeout=120).read()


ALL_PLACES_SHOWN = """() => {
    const graph = document.querySelector('#chart-hotspot-map .js-plotly-plot');
    const map = graph && graph._fullLayout && graph._fullLayout.map && graph._fullLayout.map._subplot.map;
    if (!map) return false;
    const box = map.getContainer();
    const streets = graph.layout.meta.labels.filter(l => l.kind === 'street');
    return streets.length > 0 && streets.every(l => {
        const at = map.project([l.lon, l.lat]);
        return at.x >= 0 && at.y >= 0 && at.x <= box.clientWidth && at.y <= box.clientHeight;
    });
}"""
LABELS_APART = """() => {
    const box = document.querySelector('#chart-hotspot-map .hotspot-map-overlay').getBoundingClientRect();
    const rects = Array.from(document.querySelectorAll('.hotspot-map-label')).map(e => e.getBoundingClientRect());
    const inside = rects.every(r => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1
                                    && r.bottom <= box.bottom + 1);
    const apart = rects.every((a, i) => rects.every((b, j) => j <= i || a.right <= b.left || b.right <= a.left
                                                          || a.bottom <= b.top || b.bottom <= a.top));
    return rects.length > 0 && inside && apart;
}"""


@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_the_map_shows_boundaries_names_and_scale_offline(real_app, browser, width, height, name):
    with live_server(real_app) as base, new_page(browser) as page:
        warm_scripts(base)
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:", "blob:")) else None)
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/hotspots?area=E07000178&to=2024-04&baseline_months=3")
        map_drawn(page)
        page.wait_for_selector(".hotspot-map-scale", timeout=WAIT_MS)
        page.wait_for_selector(".hotspot-map-label-district", timeout=WAIT_MS)
        labels = page.locator(".hotspot-map-label").all_text_contents()  # as written, not as styled (upper case)
        assert "Oxford" in labels
        assert any(text.startswith("1. ") for text in labels)  # the busiest place, by its street
        assert page.locator(".hotspot-map-scale").inner_text().endswith(("m", "km"))
        # The view fits the map's own width: at phone width too, every busiest place is on it.
        page.wait_for_function(ALL_PLACES_SHOWN, timeout=WAIT_MS)
        assert page.evaluate(LABELS_APART), "map labels overlap or run off the map"
        # The places are a table on a desktop and a card a place on a phone.
        display = page.evaluate("getComputedStyle(document.querySelector('table.hotspot-places tbody tr')).display")
        assert display == ("table-row" if width > 576 else "block")
        assert "baseline months are loaded" not in page.inner_text("main")  # 3 of 3 loaded
        folder = os.environ.get("SCREENSHOT_DIR")
        if folder:
            page.locator("#chart-hotspot-map").scroll_into_view_if_needed()
            page.screenshot(path=str(Path(folder) / f"hotspots-{name}.png"), full_page=False)
            page.screenshot(path=str(Path(folder) / f"hotspots-{name}-full.png"), full_page=True)
        assert outside == []
        assert not [m for m in page.console_messages if m.startswith(("error", "pageerror"))], page.console_messages


PHONE_MAP = """() => {
    const graph = document.querySelector('#chart-hotspot-map .js-plotly-plot');
    const map = graph._fullLayout.map._subplot.map;
    const box = map.getContainer();
    const lsoa = graph.data.find(t => t.name === 'LSOA boundaries');
    const off = [];
    lsoa.lon.forEach((lon, i) => {
        if (lon === null) return;
        const at = map.project([lon, lsoa.lat[i]]);
        if (at.x < 0 || at.y < 0 || at.x > box.clientWidth || at.y > box.clientHeight) off.push([lon, lsoa.lat[i]]);
    });
    const bar = document.querySelector('#chart-hotspot-map .hotspot-map-scale').getBoundingClientRect();
    const covered = Array.from(document.querySelectorAll('#chart-hotspot-map .hotspot-map-label'))
        .filter(e => { const r = e.getBoundingClientRect();
                       return r.left < bar.right && bar.left < r.right && r.top < bar.bottom && bar.top < r.bottom; })
        .map(e => e.textContent);
    return {points: lsoa.lon.filter(v => v !== null).length, off: off, covered: covered,
            labels: document.querySelectorAll('#chart-hotspot-map .hotspot-map-label').length};
}"""


def test_on_a_phone_the_whole_area_shows_and_places_read_as_cards(real_app, browser):
    """At 390 px: every LSOA of Oxford lies inside the drawn map, the scale bar covers no
    name, and each place reads as a card showing its class and why it is listed (as a table
    its reasons ran off-screen)."""
    with live_server(real_app) as base, new_page(browser) as page:
        warm_scripts(base)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/hotspots?area=E07000178&to=2024-04&baseline_months=3")
        map_drawn(page)
        page.wait_for_selector(".hotspot-map-label-ward", timeout=WAIT_MS)
        page.wait_for_timeout(1500)  # the view is fitted to the phone once the map is idle
        result = page.evaluate(PHONE_MAP)
        assert result["points"] > 500 and result["off"] == [], result["off"][:5]
        assert result["labels"] > 10 and result["covered"] == []
        # The places: each row a card as wide as the screen at most, its class and reason on it.
        rows = page.locator("table.hotspot-places > tbody > tr")
        headings = page.locator("table.hotspot-places > thead > tr > th").all_text_contents()
        why, kind = headings.index("Why it is listed"), headings.index("What it means")
        assert rows.count() > 0
        for i in range(rows.count()):
            row = rows.nth(i)
            row.scroll_into_view_if_needed()
            card = row.bounding_box()
            assert card["x"] >= 0 and card["x"] + card["width"] <= 390
            for column in (why, kind):
                cell = row.locator(":scope > th, :scope > td").nth(column)  # not the cells of its details
                box = cell.bounding_box()
                assert cell.is_visible() and cell.inner_text().strip()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on screen, not off to the side
