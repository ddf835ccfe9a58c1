"""Browser tests in headless Chromium: every page loads clean, is accessible, and its
filters, URL, back button and table alternative behave."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.pages import PAGES
from queries.db import make_engine

from .browser import WAIT_MS, axe_violations, live_server, map_drawn, new_page, settled, wait_for_chart
from .conftest import demo_database

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    url = demo_database(tmp_path_factory, "browser", "2022-01", "2024-12", 0.04)
    engine = make_engine(url)
    record_examples(engine)
    engine.dispose()
    with live_server({"database_url": url}) as url:
        yield url


def record_examples(engine):
    """An intervention and a partner target, so their pages draw charts."""
    from sqlalchemy import select

    from queries.interventions import save_interventions
    from queries.reference import OXFORD
    from queries.schema import lsoa
    from queries.targets import save_targets

    with engine.connect() as conn:
        oxford = list(conn.execute(select(lsoa.c.code).where(lsoa.c.district_code == OXFORD).order_by(lsoa.c.code)).scalars())
    save_interventions(engine, [{"name": "Operation Lantern", "description": "", "start_month": "2024-03",
                                 "end_month": "2024-12", "crime_types": "",
                                 "places": {"target": oxford[:6], "control": oxford[10:20], "buffer": []}}], "test")
    save_targets(engine, [{"id": "asb-oxford", "title": "Cut ASB in Oxford by 10%", "crime_types": "anti-social-behaviour",
                           "series_id": None, "area_code": OXFORD, "baseline_from": "2022-04", "baseline_to": "2023-03",
                           "end_from": "2024-04", "end_to": "2025-03", "target_percent": -10.0,
                           "tolerance_points": 2.0, "source": "Test plan", "note": ""}], "partner", "test")


@pytest.fixture
def page(site, browser):
    with new_page(browser) as page:
        page.base = site
        yield page


def open_page(page, path: str):
    """Open a page and wait until its content callback has run and every chart has drawn."""
    page.goto(page.base + path)
    page.wait_for_selector(".chart-card", timeout=WAIT_MS)
    settled(page)


def plotted(page, chart_id: str):
    return page.evaluate(
        f"document.querySelector('#chart-{chart_id} .js-plotly-plot').data.map(t => ({{name: t.name, x: t.x, y: t.y}}))"
    )


def test_home_page_renders_with_a_clean_console(page):
    open_page(page, "/")
    assert page.locator("h1").text_content() == "Community safety in Oxford"
    assert "Synthetic demo data" in page.locator("#demo-notice").text_content()
    assert [t["name"] for t in plotted(page, "overview-trend")] == ["Oxford", "Oxfordshire", "Thames Valley"]
    assert page.console_messages == []


@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_every_page_loads_clean_and_passes_axe(page, path):
    open_page(page, path)
    if path == "/hotspots":
        map_drawn(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page{path.replace('/', '_') or '_'}.png"), full_page=True)
    assert axe_violations(page) == []
    assert page.console_messages == []


def test_a_filter_change_updates_the_chart_and_the_url(page):
    open_page(page, "/crime")
    before = plotted(page, "crime-trend")
    page.get_by_role("radio", name="Count").check()
    page.wait_for_url(re.compile(r"measure=count"))
    wait_for_chart(page, "crime-trend", "gd.layout.yaxis.title.text === 'Count'")
    after = plotted(page, "crime-trend")
    assert after[0]["y"] != before[0]["y"]
    assert page.console_messages == []


def test_a_copied_url_restores_the_view(page):
    open_page(page, "/crime?area=E07000178&area=E06000038&grain=quarter&measure=count&crime_type=burglary")
    assert [t["name"] for t in plotted(page, "crime-trend")] == ["Oxford", "Reading"]
    assert page.get_by_role("radio", name="Quarter", exact=True).is_checked()
    assert page.get_by_role("radio", name="Count").is_checked()
    assert page.get_by_role("checkbox", name="Reading").is_checked()
    assert not page.get_by_role("checkbox", name="Thames Valley").is_checked()
    assert page.locator("#filter-crime-types-summary").text_content() == "Burglary"
    assert page.console_messages == []


def test_the_back_button_steps_through_filter_changes(page):
    open_page(page, "/asb")
    page.get_by_role("radio", name="Quarter", exact=True).check()
    page.wait_for_url(re.compile(r"grain=quarter"))
    page.get_by_role("radio", name="Calendar year").check()
    page.wait_for_url(re.compile(r"grain=calendar_year"))
    page.go_back()
    page.wait_for_url(re.compile(r"grain=quarter"))
    page.wait_for_function("() => document.querySelector('input[value=quarter]').checked")
    page.go_back()
    page.wait_for_url(re.compile(r"/asb$"))
    page.wait_for_function("() => document.querySelector('input[value=month]').checked")
    assert page.console_messages == []


def test_the_table_alternative_shows_the_plotted_numbers(page):
    open_page(page, "/crime?measure=count&grain=calendar_year&from=2022-01&to=2024-12")
    card = page.locator("section.chart-card", has=page.locator("#chart-crime-trend"))
    card.locator("summary", has_text="Show as table").click()
    # The table is drawn from its JSON when the details element's toggle event fires, a
    # task after the click, so wait for it rather than read a still-empty holder.
    card.locator("thead th").first.wait_for()
    headings = card.locator("thead th").all_text_contents()
    period, area, crimes = headings.index("Period"), headings.index("Area"), headings.index("Crimes")
    tabled = {}
    for row in card.locator("tbody tr").all():
        cells = [c.text_content() for c in row.locator("th, td").all()]
        tabled[(cells[area], cells[period])] = float(cells[crimes].replace(",", ""))
    shown = {(t["name"], x): y for t in plotted(page, "crime-trend") for x, y in zip(t["x"], t["y"])}
    assert tabled == shown and len(shown) == 9


def test_keyboard_skip_link_and_filters(page):
    open_page(page, "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.locator("#filter-areas input").first.focus()
    page.keyboard.press("Space")  # untick Oxford by keyboard
    page.wait_for_url(re.compile(r"area=E10000025"))
    wait_for_chart(page, "overview-trend", "gd.data.length === 2")
    assert [t["name"] for t in plotted(page, "overview-trend")] == ["Oxfordshire", "Thames Valley"]
    assert page.console_messages == []


def test_png_and_csv_downloads(page):
    open_page(page, "/exploitation?measure=count")
    with page.expect_download() as png:
        page.locator("section.chart-card", has=page.locator("#chart-hate-crime")).get_by_role("button", name="Download PNG").click()
    # Named after the chart and its filters, so downloads of different views do not collide.
    assert png.value.suggested_filename == "hate-crime_oxford_oxfordshire_thames-valley_2021.png"
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as csv_download:
        page.locator("section.chart-card", has=page.locator("#chart-hate-crime")).get_by_role("link", name="Download CSV").click()
    text = Path(csv_download.value.path()).read_text()
    assert text.splitlines()[0] == "Category,Area,Year,Victims,\"Rate per 1,000\",95% CI low,95% CI high,Population estimate (mid-year)"
    assert "Race,Oxford,2021,420" in text
    assert page.console_messages == []


def map_state(page):
    return page.evaluate(
        "(() => { const gd = document.querySelector('#chart-hotspot-map .js-plotly-plot');"
        " return {center: gd.layout.map.center, zoom: gd.layout.map.zoom, cells: gd.data[0].locations.length,"
        " canvas: !!gd.querySelector('canvas')}; })()"
    )


def test_hotspot_map_draws_without_tiles_and_rows_zoom_it(page):
    open_page(page, "/hotspots")
    map_drawn(page)  # MapLibre says when the map has drawn (software WebGL takes seconds)
    state = map_state(page)
    assert state["canvas"] and state["cells"] > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("section.chart-card").first.screenshot(path=str(ARTIFACTS / "hotspot-map.png"))
    first_row = page.locator("section.chart-card", has=page.get_by_role("heading", name=re.compile("Places by")))
    first_row.get_by_role("button", name=re.compile("Zoom the map to")).first.click()
    wait_for_chart(page, "hotspot-map", "gd.layout.map.zoom === 15")
    zoomed = map_state(page)
    assert zoomed["center"] != state["center"]
    assert axe_violations(page) == []
    assert page.console_messages == []


def test_hotspot_filters_update_the_map_and_table_and_live_in_the_url(page):
    open_page(page, "/hotspots?area=E07000178&level=lsoa")
    map_drawn(page)
    assert page.get_by_role("radio", name="LSOA").is_checked()
    assert page.locator("#filter-area").input_value() == "E07000178"
    before = map_state(page)["cells"]
    page.locator("#filter-area").select_option("E23000029")
    page.wait_for_url(re.compile(r"area=E23000029"))
    wait_for_chart(page, "hotspot-map", f"gd.data[0].locations.length > {before}")
    assert "in Thames Valley" in page.locator("#hotspot-summary").text_content()
    places = page.locator("section.chart-card", has=page.get_by_role("heading", name=re.compile("Places by")))
    names = places.locator("tbody tr th").all_text_contents()
    assert any(not name.startswith("Oxford ") for name in names)  # LSOAs of the whole force, not just Oxford's
    assert page.console_messages == []


def test_the_funnel_plot_highlights_the_partnership_among_every_loaded_district(page):
    open_page(page, "/peers")
    traces = {t["name"]: t for t in plotted(page, "funnel-crime")}
    assert len(traces["Other districts"]["x"]) == 12 and len(traces["Oxford (partnership)"]["x"]) == 1
    summary = page.locator("#chart-funnel-crime").locator("xpath=ancestor::*[contains(@class,'chart-card')]")
    assert "compares 13 districts" in summary.first.text_content()
    assert page.console_messages == []
