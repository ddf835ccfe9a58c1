"""The intervention form in a browser: places found by name from the list and added by
keyboard, the outcome chosen by keyboard and shown whole on a phone, the page accessible
(axe) and its console clean."""

from __future__ import annotations

import pytest

from .browser import WAIT_MS, axe_violations, live_server, new_page
from .conftest import demo_database

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    from queries.accounts import set_account
    from queries.db import make_engine

    url = demo_database(tmp_path_factory, "recording", "2024-01", "2024-12", 0.02)
    set_account(make_engine(url), "pat", PASSWORD, "partner")
    return url


def test_places_are_added_by_name_or_code_from_the_keyboard(database, browser):
    with live_server({"database_url": database}) as url, new_page(browser) as page:
        page.goto(url + "/login")
        page.get_by_label("Username").fill("pat")
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: "/login" not in u, timeout=WAIT_MS)
        page.goto(url + "/record/interventions")
        search = page.get_by_label("Find a place for target places by name or code")
        search.wait_for(state="visible", timeout=WAIT_MS)  # shown once its script has run
        search.focus()
        page.keyboard.type("Oxford 001A (E01028594)")  # what choosing "Oxford 001A" from the list enters
        page.keyboard.press("Enter")  # adds the place; does not send the form
        assert page.locator("#target").input_value() == "E01028594"
        assert page.locator("#target-added").inner_text() == "Added Oxford 001A (E01028594)."
        assert page.url.endswith("/record/interventions")
        page.keyboard.type("e01028595")  # a code typed by hand
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # the Add button
        assert page.locator("#target").input_value() == "E01028594 E01028595"
        control = page.get_by_label("Find a place for control places by name or code")
        control.fill("Cowley")
        control.press("Enter")
        assert page.locator("#control").input_value() == ""
        assert "pick one from the list" in page.locator("#control-added").inner_text()
        assert page.locator("#place-names option").count() > 800  # every LSOA shipped, and the areas
        assert axe_violations(page) == []
        # On a phone each outcome's name is shown whole (a select would cut the longest), and
        # the choice moves with the arrow keys, as radios do.
        page.set_viewport_size({"width": 390, "height": 900})
        labels = page.locator("fieldset label[for^='outcome-']")
        assert labels.count() == 4
        cut = page.evaluate("""() => [...document.querySelectorAll("fieldset label[for^='outcome-']")]
            .filter(label => label.scrollWidth > label.clientWidth
                             || label.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map(label => label.textContent)""")
        assert cut == []
        page.get_by_label("Police-recorded crime (data.police.uk)").focus()
        page.keyboard.press("ArrowDown")
        assert page.get_by_label("A&E assault attendances (ISTV) (partners only)").is_checked()
        assert page.console_messages == []
