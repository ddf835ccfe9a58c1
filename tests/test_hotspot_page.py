"""The hotspot page, its API and the tasking pack, against the queries."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from pypdf import PdfReader

from app import create_app
from dashboard import ids
from dashboard.chart_data import hotspots as data
from dashboard.chart_data.spec import Reader
from dashboard.filters import Filters
from dashboard.pages import hotspots as page
from queries.hotspots import LSOA, gi_star_cells, hotspots
from queries.reference import OXFORD

from .conftest import demo_database
from .pagetools import card, table_rows, texts


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"database_url": demo_database(tmp_path_factory, "hotspots", "2023-01", "2024-12", 0.05)})


@pytest.fixture(autouse=True)
def app_context(app):
    with app.server.app_context():  # the page reads the map tile setting from the app
        yield


@pytest.fixture(scope="module")
def cache(app):
    return app.server.extensions["query_cache"]


@pytest.fixture(scope="module")
def engine(app):
    return app.server.extensions["engine"]


def test_page_map_and_ranked_table_match_the_query(cache, engine):
    filters = Filters(areas=(OXFORD,), end="2024-12")
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    expected = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, "location")
    rows = table_rows(card(tree, "hotspot-places"))
    assert [r[1] for r in rows[:5]] == expected["place_name"][:5].tolist()
    assert [int(r[3].replace(",", "")) for r in rows[:5]] == expected["count"][:5].tolist()
    figure = _map(tree)
    cells = gi_star_cells(engine, OXFORD, None, "2024-12", "2024-12")
    assert sum(figure["data"][0]["z"]) == cells["count"].sum() == expected["count"].sum()
    assert len(figure["data"][0]["geojson"]["features"]) == int((cells["count"] > 0).sum())
    hot = int((cells["cluster"] == "hot").sum())
    assert figure["data"][1]["lon"].count(None) == hot  # one outline a hot cell
    assert figure["layout"]["map"]["style"] == "white-bg"  # no tile server unless configured
    assert "Gi* finds" in texts(tree)


def test_a_configured_tile_server_becomes_the_basemap(tmp_path):
    from dashboard.maps import map_style

    style = map_style("http://tiles.intranet.example/{z}/{x}/{y}.png")
    assert style["sources"]["basemap"]["tiles"] == ["http://tiles.intranet.example/{z}/{x}/{y}.png"]
    assert map_style(None) == "white-bg"


def _map(tree):
    from .pagetools import find

    return find(tree, ids.HOTSPOT_MAP).figure


def test_hotspots_api_matches_the_query(app, engine):
    client = app.server.test_client()
    body = client.get("/api/v1/hotspots?area=E07000178&to=2024-12&level=lsoa&limit=5").get_json()
    expected = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, LSOA)
    assert [r["place_code"] for r in body["rows"]] == expected["place_code"][:5].tolist()
    assert [r["count"] for r in body["rows"]] == expected["count"][:5].tolist()
    assert body["places"] == len(expected)
    assert set(body["rows"][0]) == {"place_code", "place_name", "lsoa_code", "longitude", "latitude", "count",
                                    "baseline_mean", "ratio", "p_value", "q_value", "class"}
    csv_rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/v1/hotspots?area=E07000178&to=2024-12&level=lsoa&limit=5&format=csv").get_data(as_text=True))))
    assert [int(r["count"]) for r in csv_rows] == expected["count"][:5].tolist()


@pytest.mark.parametrize("query, parameter", [
    ("", "area"), ("area=E07000178&area=E10000025", "area"), ("area=E07000178&level=street", "level"),
    ("area=E07000178&baseline_months=0", "baseline_months"), ("area=E07000178&limit=x", "limit"),
])
def test_hotspots_api_rejects_bad_parameters(app, query, parameter):
    response = app.server.test_client().get(f"/api/v1/hotspots?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["parameter"] == parameter


def test_the_pack_pdf_has_its_pages_and_tables(app, engine):
    client = app.server.test_client()
    response = client.get("/hotspots/pack.pdf?area=E07000178&to=2024-12")
    assert response.mimetype == "application/pdf"
    assert "tasking-pack-E07000178-2024-12-" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 3
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Tasking pack: All crime (not ASB) in Oxford, Dec 2024" in text
    for heading in ("Map", "Ranked hotspots", "What changed since the period before", "Repeat locations",
                    "Data caveats and sources", "SYNTHETIC DEMO DATA"):
        assert heading in text, heading
    top = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, "location").iloc[0]
    assert f"1 {top['place_name']} {top['count']}" in " ".join(text.split())


def test_the_pack_csvs_hold_the_numbers_of_the_page(app, cache):
    client = app.server.test_client()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/hotspots/pack.zip?area=E07000178&to=2024-12").data))
    assert sorted(archive.namelist()) == ["README.txt", "hotspot-cells.csv", "hotspot-changes.csv",
                                          "hotspot-places.csv", "hotspot-repeats.csv"]
    places = list(csv.DictReader(io.StringIO(archive.read("hotspot-places.csv").decode())))
    filters = Filters(areas=(OXFORD,), end="2024-12")
    rows = table_rows(card(page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS)), "hotspot-places"))
    assert [(p["Place"], p["Incidents"]) for p in places[:10]] == [(r[1], r[3]) for r in rows[:10]]
