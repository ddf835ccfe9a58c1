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
from queries.reference import OXFORD, THAMES_VALLEY

from .conftest import demo_database
from .pagetools import card, table_records, texts


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
    rows = table_records(card(tree, "hotspot-places"))
    assert [r["Place"] for r in rows[:5]] == expected["place_name"][:5].tolist()
    assert [int(r["Incidents"].replace(",", "")) for r in rows[:5]] == expected["count"][:5].tolist()
    assert [r["Usual per month"] for r in rows] == [f"{m:.2f}" for m in expected["baseline_mean"][:len(rows)]]
    # A street location's name is its street: no column repeats it; a rate is for a whole LSOA.
    assert not any("street" in heading.lower() or "per 1,000" in heading for heading in rows[0])
    for row, kind in zip(rows, expected["class"], strict=False):
        assert (row["What it means"] == "Not a hotspot") == (kind == ""), (row, kind)
    figure = _map(tree)
    cells = gi_star_cells(engine, OXFORD, None, "2024-12", "2024-12")
    assert sum(figure["data"][0]["z"]) == cells["count"].sum() == expected["count"].sum()
    assert len(figure["data"][0]["geojson"]["features"]) == int((cells["count"] > 0).sum())
    hot = int((cells["cluster"] == "hot").sum())
    assert figure["data"][1]["lon"].count(None) == hot  # one outline a hot cell
    assert figure["layout"]["map"]["style"] == "white-bg"  # no basemap unless configured
    assert "hot clusters (Gi*)" in texts(tree)
    # Shipped boundaries with their names, and the busiest places labelled by street.
    names = {trace["name"] for trace in figure["data"]}
    assert {"LSOA boundaries", "District boundaries", "Area outline", "Busiest places"} <= names
    labels = figure["layout"]["meta"]["labels"]
    assert {"Oxford"} == {label["text"] for label in labels if label["kind"] == "district"}
    assert sum(label["kind"] == "lsoa" for label in labels) == 83
    streets = [label["text"] for label in labels if label["kind"] == "street"]
    assert streets[0] == "1. " + expected["street"][0].removeprefix("On or near ")
    # Every month is loaded: no warning about missing months.
    assert "of the 12 baseline months are loaded" not in texts(tree)


def test_a_force_wide_map_names_the_town_of_each_labelled_street(cache, engine):
    """On a map of several districts a street name alone could be anywhere: each label adds
    the district its place lies in (from the place's LSOA, as the query reports it)."""
    filters = Filters(areas=(THAMES_VALLEY,), end="2024-12")
    figure = _map(page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS)))
    expected = hotspots(engine, THAMES_VALLEY, None, "2024-12", "2024-12", 12, "location").head(10)
    streets = [label["text"] for label in figure["layout"]["meta"]["labels"] if label["kind"] == "street"]
    assert streets == [f"{rank}. {street.removeprefix('On or near ')}, {lsoa.rsplit(' ', 1)[0]}"
                       for rank, (street, lsoa) in enumerate(zip(expected["street"], expected["lsoa_name"]), 1)]
    view = figure["layout"]["meta"]["view"]
    assert view == {"center": figure["layout"]["map"]["center"], "zoom": figure["layout"]["map"]["zoom"]}
    # The bounds are of cell centres: a place lies within a cell's reach (250 m) of them.
    (west, south), (east, north) = figure["layout"]["meta"]["bounds"]
    assert west - 0.004 <= expected["longitude"].min() and east + 0.004 >= expected["longitude"].max()
    assert south - 0.003 <= expected["latitude"].min() and north + 0.003 >= expected["latitude"].max()


def test_a_whole_usual_level_keeps_its_decimals():
    # A mean reads "2.00" beside "2.50", never "2"; a change keeps its sign.
    assert [page._words("baseline_mean", v) for v in (2.0, 0.0, 2.5, 1234.5)] == ["2.00", "0.00", "2.50", "1,234.50"]
    assert page._words("change", 2.0) == "+2.0"


def test_an_lsoa_or_cell_names_its_busiest_street(cache, engine):
    filters = Filters(areas=(OXFORD,), end="2024-12", level=LSOA)
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    expected = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, LSOA)
    assert "Places by LSOA, busiest first" in texts(tree)
    rows = table_records(card(tree, "hotspot-places"))
    assert [r["Busiest street (police.uk map point)"] for r in rows[:5]] == expected["street"][:5].tolist()
    # The rate is the incidents over the LSOA's residents (ONS mid-year estimate), per 1,000.
    with_residents = [row for row in rows if row["LSOA population"] != "–"]  # some demo LSOAs have none
    assert with_residents
    for row in with_residents[:5]:
        count, residents = int(row["Incidents"].replace(",", "")), int(row["LSOA population"].replace(",", ""))
        assert float(row["Incidents per 1,000 residents"]) == pytest.approx(1000 * count / residents, abs=0.06)
    assert all(street.startswith("On or near ") for street in expected["street"][:5])


def test_missing_baseline_months_are_named_and_no_class_is_given(cache):
    filters = Filters(areas=(OXFORD,), end="2023-03", baseline=12)  # the demo starts in 2023-01
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    text = texts(tree)
    assert "2 of the 12 baseline months are loaded; missing: March to December 2022." in text
    assert "No place is classed" in text
    rows = table_records(card(tree, "hotspot-places"))
    assert rows and all(r["What it means"] == "Not classed" for r in rows)
    assert all("not classed, as too few months are loaded" in r["Why it is listed"] for r in rows)


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
    assert set(body["rows"][0]) == {"place_code", "place_name", "street", "lsoa_code", "lsoa_name", "longitude",
                                    "latitude", "count", "baseline_mean", "baseline_months_loaded", "ratio", "p_value",
                                    "q_value", "class"}
    assert body["coverage"]["missing"] == [] and body["coverage"]["classed"] is True
    early = client.get("/api/v1/hotspots?area=E07000178&to=2023-02&level=lsoa").get_json()
    assert early["coverage"]["loaded"] == ["2023-01"] and not early["coverage"]["classed"]
    assert early["coverage"]["missing"][0] == "2022-02" and all(r["class"] == "" for r in early["rows"])
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
    assert 'filename="tasking-pack-oxford-all-crime-2024-12.pdf"' in response.headers["Content-Disposition"]
    burglary = client.get("/hotspots/pack.pdf?area=E07000178&to=2024-12&crime_type=burglary&from=2024-10")
    assert 'filename="tasking-pack-oxford-burglary-2024-10-to-2024-12.pdf"' in burglary.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 3
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Tasking pack: All crime (not ASB) in Oxford, Dec 2024" in text
    for heading in ("Places to look at", "Why each place is listed", "What changed since the period before",
                    "Map points with two or more incidents", "Analyst appendix", "Data caveats and sources",
                    "SYNTHETIC DEMO DATA", "OXFORD", "Contains OS data"):
        assert heading in text, heading
    top = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, "location").iloc[0]
    assert f"1 {top['place_name']} {top['count']}" in " ".join(text.split())
    assert f"1. {top['place_name']}: {top['count']} this month" in " ".join(text.split())  # why it is listed


def test_the_pack_csvs_hold_the_numbers_of_the_page(app, cache):
    client = app.server.test_client()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/hotspots/pack.zip?area=E07000178&to=2024-12").data))
    assert sorted(archive.namelist()) == ["README.txt", "hotspot-cells.csv", "hotspot-changes.csv",
                                          "hotspot-places.csv", "hotspot-repeats.csv"]
    places = list(csv.DictReader(io.StringIO(archive.read("hotspot-places.csv").decode())))
    filters = Filters(areas=(OXFORD,), end="2024-12")
    rows = table_records(card(page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS)), "hotspot-places"))
    assert [(p["Place"], p["Incidents"]) for p in places[:10]] == [(r["Place"], r["Incidents"]) for r in rows[:10]]
    # Every CSV of the pack has coordinates, LSOA codes and names.
    for name in ("hotspot-places.csv", "hotspot-changes.csv", "hotspot-repeats.csv"):
        header = archive.read(name).decode().splitlines()[0]
        assert all(k in header for k in ("Longitude", "Latitude", "LSOA code", "LSOA name")), name
    assert places[0]["LSOA code"].startswith("E01") and float(places[0]["Latitude"]) > 51


@pytest.mark.parametrize("query", [
    "area=E07000178&to=2030-01", "area=E99999999&to=2024-12", "area=E07000178&to=2024-12&crime_type=nonsense",
    "area=E07000178&to=2024-12&baseline_months=60", "area=E07000178&from=2031-01&to=1999-13", "area=%00&level=%27",
])
def test_crafted_and_empty_packs_answer_clearly(app, query):
    client = app.server.test_client()
    pdf = client.get(f"/hotspots/pack.pdf?{query}")
    if query == "area=E07000178&to=2030-01":  # a month with no data: an empty pack that says so
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert client.get(f"/hotspots/pack.zip?{query}").status_code == 200
    else:  # an unknown value: a 400 naming the parameter, not a pack of the defaults
        assert pdf.status_code == 400 and pdf.mimetype == "text/plain"
        assert pdf.get_data(as_text=True).split(":")[0] in ("area", "crime_type", "baseline_months", "to", "from")
        assert client.get(f"/hotspots/pack.zip?{query}").status_code == 400
    api = client.get(f"/api/v1/hotspots?{query}")
    assert api.status_code in (200, 400)
