"""At a phone's width (390 px): the navigation folds behind a keyboard-operable menu
button, and no element of any page reaches past the right edge of the screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.pages import PAGES

from .browser import live_server
from .conftest import demo_database

pytestmark = pytest.mark.browser
WIDTH = 390
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# Elements inside a horizontally scrolling box (wide tables) may be wider than the screen.
OVERFLOWING = """(width) => {
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
        let scroller = el.parentElement, inside = false;
        while (scroller && scroller !== document.body) {
            const style = getComputedStyle(scroller);
            if (['auto', 'scroll', 'hidden'].includes(style.overflowX) && scroller.getBoundingClientRect().right <= width + 1) {
                inside = true; break;
            }
            scroller = scroller.parentElement;
        }
        if (!inside) out.push(`${el.tagName.toLowerCase()}#${el.id}.${String(el.className.baseVal ?? el.className).slice(0, 40)} right=${Math.round(box.right)}`);
    }
    return {elements: out.slice(0, 10), scrollWidth: document.documentElement.scrollWidth};
}"""


@pytest.fixture(scope="module")
def phone(tmp_path_factory, browser):
    config = {"database_url": demo_database(tmp_path_factory, "phone", "2024-01", "2024-12", 0.04)}
    with live_server(config) as url:
        page = browser.new_page(viewport={"width": WIDTH, "height": 844}, device_scale_factor=1, is_mobile=True)
        page.base = url
        yield page
        page.context.close()


def test_the_menu_folds_and_opens_from_the_keyboard(phone):
    phone.goto(phone.base + "/")
    phone.wait_for_selector(".js-plotly-plot .main-svg", state="attached", timeout=120_000)
    nav = phone.get_by_role("navigation", name="Main")
    assert not nav.is_visible()
    toggler = phone.locator("#nav-toggler")
    assert toggler.get_attribute("aria-expanded") == "false"
    toggler.focus()
    phone.keyboard.press("Enter")
    phone.wait_for_selector("#nav-toggler[aria-expanded='true']", timeout=120_000)
    nav.get_by_role("link", name="ASB").wait_for(state="visible", timeout=120_000)
    nav.get_by_role("link", name="ASB").click()
    phone.wait_for_url("**/asb**", timeout=60_000)
    phone.wait_for_selector("#nav-toggler[aria-expanded='false']", timeout=120_000)


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_nothing_reaches_past_the_screen_edge(phone, path):
    phone.goto(phone.base + path)
    phone.wait_for_selector(".js-plotly-plot .main-svg, .js-plotly-plot canvas, #page-content .alert-info", state="attached", timeout=180_000)
    phone.wait_for_load_state("networkidle", timeout=120_000)
    SHOTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(SHOTS / f"phone{path.replace('/', '_') or '_'}.png"), full_page=True)
    result = phone.evaluate(OVERFLOWING, WIDTH)
    assert result["elements"] == [] and result["scrollWidth"] <= WIDTH, result
