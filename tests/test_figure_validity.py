"""Every figure a page sends passes plotly's own validation.

The builders skip plotly's validation for speed (``dashboard.charts.figures._figure``), so a
misspelt property or a value of the wrong kind would reach the browser unchecked, where
plotly.js ignores it without a word. Here each page is drawn through its callback, as a
browser asks for it, and every figure in the answer is rebuilt with validation on."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from app import create_app
from benchmarks.callbacks import PATHS, content_payload

from .conftest import demo_database

SEARCHES = {
    "monthly counts": "?to=2024-12",
    "quarterly rates": "?to=2024-12&grain=quarter&measure=rate_per_1000",
    "rolling 12 months, two crime types": "?to=2024-12&grain=rolling_12&crime_type=burglary&crime_type=robbery",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = demo_database(tmp_path_factory, "figure-validity", "2022-01", "2024-12", 0.03)
    return create_app({"database_url": url}).server.test_client()


def figures_in(node) -> list[dict]:
    if isinstance(node, dict):
        found = [node["figure"]] if isinstance(node.get("figure"), dict) and "data" in node["figure"] else []
        return found + [f for value in node.values() for f in figures_in(value)]
    if isinstance(node, list):
        return [f for value in node for f in figures_in(value)]
    return []


@pytest.mark.parametrize("search", SEARCHES.values(), ids=SEARCHES.keys())
@pytest.mark.parametrize("page", PATHS)
def test_every_figure_on_the_page_is_valid_plotly(client, page, search):
    response = client.post("/_dash-update-component", json=content_payload(page, search))
    assert response.status_code == 200
    figures = figures_in(json.loads(response.data))
    assert figures, f"{page} drew no figure"
    for figure in figures:
        go.Figure(figure)  # raises ValueError naming the property that plotly does not accept


def test_validation_would_catch_a_misspelt_property():
    """The check above can fail: plotly refuses a property it does not know."""
    with pytest.raises(ValueError, match="colour"):
        go.Figure({"data": [{"type": "scatter", "x": [1], "y": [1], "line": {"colour": "red"}}]})
