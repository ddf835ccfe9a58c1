"""The monthly crime trend draws its band of ordinary variation and the seasonal view draws
one line per year, at desktop and phone widths (screenshots kept in test-artifacts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import WAIT_MS, live_server, new_page, settled
from .conftest import demo_database

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = demo_database(tmp_path_factory, "trends", "2022-01", "2024-12", 0.04)
    with live_server({"database_url": url}) as url:
        yield url


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_crime_page_draws_the_band_and_the_seasonal_view(site, browser, width, height):
    with new_page(browser) as page:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{site}/crime?grain=month&measure=count", timeout=WAIT_MS)
        settled(page)
        page.wait_for_function("() => document.querySelectorAll('#chart-crime-seasonal .js-plotly-plot .scatterlayer .trace').length > 0",
                               timeout=WAIT_MS)
        band_fills = page.locator("#chart-crime-trend .js-plotly-plot .scatterlayer .js-fill").count()
        years = page.locator("#chart-crime-seasonal .js-plotly-plot .scatterlayer .trace").count()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"crime-trends-{width}.png"), full_page=True)
        assert band_fills >= 1
        assert years == 3  # 2022, 2023 and 2024


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_phone_shows_each_summary_s_headline_and_folds_the_rest(site, browser, width, height):
    with new_page(browser) as page:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{site}/crime?grain=month&measure=count", timeout=WAIT_MS)
        settled(page)
        card = page.locator("section[aria-labelledby='crime-trend-heading']")
        assert card.locator(".chart-headline").is_visible()
        rest, more = card.locator(".chart-summary-rest"), card.locator("details.chart-summary-more")
        if width >= 768:
            assert rest.is_visible() and not more.is_visible()  # the whole summary as one paragraph
            return
        assert not rest.is_visible() and more.is_visible()
        assert not more.locator("p").is_visible()
        more.locator("summary").focus()  # a keyboard opens it like any disclosure
        page.keyboard.press("Enter")
        assert more.locator("p").is_visible()
