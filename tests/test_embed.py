"""/embed/<chart id>: one chart, the page's own card, under a path prefix; unknown ids 404."""

from __future__ import annotations

import json

import pytest

from app import create_app
from queries.importers.policeuk import import_policeuk

from .conftest import FIXTURES
from .pagetools import page_callback

PREFIX = "/community-safety"


@pytest.fixture
def client(sqlite_engine):
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False),
                      "url_prefix": "community-safety"})
    return app.server.test_client()


def _page_content(client, pathname: str, search: str):
    """What the page callback draws into the page for this address (a page or an embed)."""
    response = page_callback(client, pathname, search, prefix=PREFIX)
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))["response"]["page-content"]["children"]


def _find(node, chart_graph_id: str):
    """The card (a Section) holding the graph with this id, from a callback's JSON."""
    if isinstance(node, list):
        for item in node:
            found = _find(item, chart_graph_id)
            if found:
                return found
    elif isinstance(node, dict):
        props = node.get("props", {})
        if node.get("type") == "Section" and chart_graph_id in json.dumps(props):
            return node
        return _find(props.get("children"), chart_graph_id)
    return None


def test_embed_paths_answer_under_the_prefix_and_unknown_ids_are_404(client):
    page = client.get(f"{PREFIX}/embed/crime-trend?area=E07000178")
    assert page.status_code == 200 and f"{PREFIX}/_dash-component-suites/" in page.get_data(as_text=True)
    assert "Content-Security-Policy" in page.headers
    for path in ("/embed/no-such-chart", "/embed/", "/embed/crime-trend/extra", "/embed/..%2Fapi",
                 "/embed/hotspot-places"):
        response = client.get(f"{PREFIX}{path}")
        assert response.status_code == 404, path
        assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/embed/crime-trend").status_code == 404  # outside the prefix


def test_the_embed_draws_the_same_card_as_the_page(client):
    search = "?area=E07000178&from=2024-01&to=2024-01"
    container = _page_content(client, f"{PREFIX}/embed/crime-trend", search)
    assert container["props"]["id"] == "embed-chart"
    embedded = container["props"]["children"]
    on_page = _find(_page_content(client, f"{PREFIX}/crime", search), "chart-crime-trend")
    assert on_page is not None
    assert embedded == on_page
    text = json.dumps(embedded)
    assert "Show as table" in text and "chart-summary" in text and "chart-caption" in text
