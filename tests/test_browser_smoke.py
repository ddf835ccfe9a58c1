"""Browser smoke test: the app starts, the home page draws its chart, the console is clean."""

from __future__ import annotations

import pytest

from app import create_app
from dashboard import ids
from queries.demo import load_demo

from .browser import axe_violations, chromium_page, live_server

pytestmark = pytest.mark.browser


def test_home_page_renders_with_a_clean_console(sqlite_engine, tmp_path):
    load_demo(sqlite_engine, "2022-01", "2023-12", scale=0.05)
    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False)})
    with live_server(app.server) as url, chromium_page() as page:
        page.goto(url + "/", wait_until="networkidle")
        page.wait_for_selector(f"#{ids.OVERVIEW_TREND} .main-svg")
        assert page.locator("h1").text_content() == "Community safety in Oxford"
        assert "Synthetic demo data" in page.locator("#demo-notice").text_content()
        traces = page.evaluate(f"document.querySelector('#{ids.OVERVIEW_TREND} .js-plotly-plot').data.map(t => t.name)")
        assert traces == ["Oxford", "Oxfordshire", "Thames Valley"]
        page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
        assert axe_violations(page) == []
        assert page.console_messages == []
