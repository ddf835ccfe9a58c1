"""The hotspot page, its API and the tasking pack, against the queries."""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile

import pandas as pd
import pytest
from pypdf import PdfReader

from app import create_app
from dashboard.chart_data import hotspots as data
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from dashboard.pages import hotspots as page
from dashboard.widgets import ids
from queries.hotspots import LSOA, gi_star_cells, hotspots
from queries.map_streets import is_generic
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


def assert_grid_draws(address: str, cells: pd.DataFrame, cache, client) -> None:
    """The grid the map reads from ``address`` holds each of ``cells`` as a hexagon of 250 m
    about its centre: six corners 250 m from it (an equirectangular distance, worked out here)."""
    assert address == f"/hotspots/cells/{OXFORD}-250-v{cache.data_version()}-public.geojson"
    response = client.get(address)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert "immutable" in response.headers["Cache-Control"]
    features = {f["id"]: f["geometry"]["coordinates"][0] for f in json.loads(response.data)["features"]}
    for row in cells.itertuples():
        ring = features[row.cell_id]
        assert len(ring) == 7 and ring[0] == ring[-1]
        for lon, lat in ring[:6]:
            dx = (lon - row.longitude) * 111_320 * math.cos(math.radians(row.latitude))
            dy = (lat - row.latitude) * 110_574
            assert math.hypot(dx, dy) == pytest.approx(250, rel=0.01)


def test_page_map_and_ranked_table_match_the_query(app, cache, engine):
    filters = Filters(areas=(OXFORD,), end="2024-12")
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    expected = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, "location")
    rows = table_records(card(tree, "hotspot-places"))
    assert [r["Place"] for r in rows[:5]] == expected["place_name"][:5].tolist()
    assert [int(r["Incidents in the period"].replace(",", "")) for r in rows[:5]] == expected["count"][:5].tolist()
    # One unit a row: the usual level is for the period, as the incidents are.
    assert [r["Usual for the period"] for r in rows] == [f"{m:.2f}" for m in expected["expected"][:len(rows)]]
    assert [r["Change on usual"] for r in rows] == [
        f"{c - e:+.1f}" for c, e in zip(expected["count"][:len(rows)], expected["expected"][:len(rows)])]
    # A street location's name is its street: no column repeats it; a rate is for a whole LSOA.
    assert not any("street" in heading.lower() or "per 1,000" in heading for heading in rows[0])
    for row, kind in zip(rows, expected["class"], strict=False):
        meaning = row["What it means"]
        assert getattr(meaning, "children", meaning) == data.CLASS_TEXT[kind], (row, kind)
    assert "Not a hotspot" not in texts(tree)
    figure = _map(tree)
    cells = gi_star_cells(engine, OXFORD, None, "2024-12", "2024-12")
    assert sum(figure["data"][0]["z"]) == cells["count"].sum() == expected["count"].sum()
    shown = cells[cells["count"] > 0]
    assert figure["data"][0]["locations"] == shown["cell_id"].tolist()
    assert_grid_draws(figure["data"][0]["geojson"], shown, cache, app.server.test_client())
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


def test_what_changed_shows_every_rate_to_two_decimals_and_the_change_signed():
    changes = pd.DataFrame({"per_month_now": [21.0, 2.5, 0.0], "per_month_before": [2.5, 1 / 3, 1234.5],
                            "change": [18.5, 2.5 - 1 / 3, -1234.5]})
    shown = data.changes_shown(changes)
    assert shown["per_month_now"].tolist() == ["21.00", "2.50", "0.00"]  # never "21" beside "2.50"
    assert shown["per_month_before"].tolist() == ["2.50", "0.33", "1,234.50"]
    assert shown["change"].tolist() == ["+18.50", "+2.17", "-1,234.50"]
    assert changes["change"].tolist()[0] == 18.5  # the CSV's numbers stay numbers


def test_an_lsoa_or_cell_names_its_busiest_street(cache, engine):
    filters = Filters(areas=(OXFORD,), end="2024-12", level=LSOA)
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    expected = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, LSOA)
    assert "Places by LSOA, busiest first" in texts(tree)
    rows = table_records(card(tree, "hotspot-places"))
    assert [r["Busiest street (police.uk map point)"] for r in rows[:5]] == expected["street"][:5].tolist()
    # The rate is the period's incidents over the LSOA's residents (ONS mid-year estimate), per 1,000:
    # its heading says so, as a month's rate is not a year's.
    with_residents = [row for row in rows if row["LSOA population"] != "–"]  # some demo LSOAs have none
    assert with_residents
    for row in with_residents[:5]:
        count, residents = int(row["Incidents in the period"].replace(",", "")), int(row["LSOA population"].replace(",", ""))
        assert float(row["Incidents in the period per 1,000 residents"]) == pytest.approx(1000 * count / residents, abs=0.06)
    assert all(street.startswith("On or near ") for street in expected["street"][:5])


def test_missing_baseline_months_are_named_and_no_class_is_given(cache):
    filters = Filters(areas=(OXFORD,), end="2023-03", baseline=12)  # the demo starts in 2023-01
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    text = texts(tree)
    assert "2 of the 12 baseline months are loaded; missing: March to December 2022." in text
    assert "No place is classed" in text
    # The lead says no place is classed (not "0 new and 0 emerging"), and the months missing
    # are named once, in the warning below it.
    from .pagetools import find

    lead = texts(find(tree, ids.HOTSPOT_SUMMARY))
    assert "No place is classed as new, emerging, persistent or fading" in lead and "New or worse" not in lead
    assert text.count("missing: March to December 2022") == 1
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
                                    "latitude", "count", "baseline_count", "baseline_mean", "baseline_months_loaded",
                                    "expected", "ratio", "rank_now", "busiest_now", "busiest_before", "p_value",
                                    "q_value", "p_below", "q_below", "class"}
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


def test_the_pack_never_counts_no_new_hotspots_when_none_could_be_classed(app):
    response = app.server.test_client().get("/hotspots/pack.pdf?area=E07000178&to=2023-03")
    words = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "missing: March to December 2022" in words
    assert "No place is classed as new, emerging, persistent or fading" in words
    assert "0 new and 0 emerging" not in words


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
    for heading in ("Places to look at", "Each place: why it is listed", "What changed since the period before",
                    "Map points with two or more incidents", "Analyst appendix", "Data caveats and sources",
                    "SYNTHETIC DEMO DATA", "OXFORD", "Contains OS data"):
        assert heading in text, heading
    top = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, "location").iloc[0]
    assert f"1 {top['place_name']} {top['count']}" in " ".join(text.split())
    words = " ".join(text.split())
    assert f"1. {top['place_name']} - " in words  # its detail, name whole
    assert f"{top['count']} this month against a usual" in words or "among the busiest" in words.lower()


def test_the_pack_csvs_hold_the_numbers_of_the_page(app, cache):
    client = app.server.test_client()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/hotspots/pack.zip?area=E07000178&to=2024-12").data))
    assert sorted(archive.namelist()) == ["README.txt", "hotspot-cells.csv", "hotspot-changes.csv",
                                          "hotspot-places.csv", "hotspot-repeats.csv"]
    places = list(csv.DictReader(io.StringIO(archive.read("hotspot-places.csv").decode())))
    filters = Filters(areas=(OXFORD,), end="2024-12")
    rows = table_records(card(page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS)), "hotspot-places"))
    key = "Incidents in the period"
    assert [(p["Place"], p[key]) for p in places[:10]] == [(r["Place"], r[key]) for r in rows[:10]]
    # Every CSV of the pack has coordinates, LSOA codes and names.
    for name in ("hotspot-places.csv", "hotspot-changes.csv", "hotspot-repeats.csv"):
        header = archive.read(name).decode().splitlines()[0]
        assert all(k in header for k in ("Longitude", "Latitude", "LSOA code", "LSOA name")), name
    assert places[0]["LSOA code"].startswith("E01") and float(places[0]["Latitude"]) > 51


@pytest.mark.parametrize("query, parameter", [
    ("area=E99999999&to=2024-12", "area"), ("area=E07000178&to=2024-12&crime_type=nonsense", "crime_type"),
    ("area=E07000178&to=2024-12&baseline_months=60", "baseline_months"),
    ("area=E07000178&from=2031-01&to=1999-13", "to"), ("area=E07000178&level=%27", "level"),
])
def test_crafted_packs_are_refused_naming_the_parameter(app, query, parameter):
    # A pack drawn on the defaults instead would pass for the officer's own question.
    client = app.server.test_client()
    for path in ("/hotspots/pack.pdf", "/hotspots/pack.zip"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400 and response.get_data(as_text=True).startswith(f"{parameter}:"), path
    api = client.get(f"/api/v1/hotspots?{query}")
    assert api.status_code == 400 and api.get_json()["error"]["parameter"] == parameter


def test_a_pack_for_months_not_loaded_says_there_is_nothing_to_map(app):
    client = app.server.test_client()
    pdf = client.get("/hotspots/pack.pdf?area=E07000178&to=2030-01")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "nothing to map" in " ".join(text.split())
    assert client.get("/hotspots/pack.zip?area=E07000178&to=2030-01").status_code == 200


def test_a_link_with_several_areas_says_which_it_shows_and_offers_the_others(cache):
    """A link from /crime with three areas opens the hotspot page on the first and offers the others."""
    filters = Filters.from_query("?area=E07000178&area=E07000177&area=E07000179&to=2024-12", data.DEFAULTS)
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    from .pagetools import find

    note = find(tree, ids.HOTSPOT_AREA_CHOICE)
    assert "this shows Oxford" in texts(note) and "Cherwell, South Oxfordshire" in texts(note)
    links = [c for c in page_links(note)]
    assert [text for text, _ in links] == ["Show Cherwell", "Show South Oxfordshire"]
    assert links[0][1] == "hotspots?area=E07000177&to=2024-12"
    one = Filters(areas=(OXFORD,), end="2024-12")
    with pytest.raises(LookupError):
        find(page.render(Reader(cache), one, one.to_query(data.DEFAULTS)), ids.HOTSPOT_AREA_CHOICE)


def page_links(component):
    from dash import html

    from .pagetools import walk

    return [(c.children, c.href) for c in walk(component) if isinstance(c, html.A)]


def test_the_summary_says_first_where_incidents_concentrate(cache, engine):
    """"The busiest 5% of places (k of n) hold x%": n places seen in the analysed months, the
    busiest ceil(5% of n) by count, by hand from the query's counts."""
    import math

    filters = Filters(areas=(OXFORD,), end="2024-12")
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    from .pagetools import find

    summary = texts(find(tree, ids.HOTSPOT_SUMMARY))
    frame = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, "location")
    # Places seen: an incident in the period or in a loaded baseline month.
    seen = frame.attrs["units"]
    counts = sorted(frame["count"], reverse=True)
    room = math.ceil(0.05 * seen)
    share = sum(counts[:room]) / sum(counts)
    assert f"The busiest 5% of places ({room:,} of the {seen:,}" in summary
    assert f"hold {share:.0%} of the incidents" in summary
    assert summary.index("busiest 5%") < summary.index("New or worse")


def test_each_place_opens_its_crime_types_and_months(cache, engine):
    """Each row has a native details element (keyboard: Enter or Space opens it) holding a
    bar chart with an alternative text, a table of crime types and the months in words."""
    from .pagetools import walk

    filters = Filters(areas=(OXFORD,), crime_types=("burglary", "anti-social-behaviour"), start="2024-10",
                      end="2024-12", baseline=6)
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    section = card(tree, "hotspot-places")
    details = [c for c in walk(section) if isinstance(c, dict) and c.get("type") == "Details"]
    assert len(details) == len(table_records(section)) > 0
    first = details[0]
    parts = {c["type"]: c for c in walk(first) if isinstance(c, dict) and "type" in c}
    assert parts["Summary"]["props"]["children"] == "Show"
    assert parts["Img"]["props"]["alt"]
    # The bar chart is SVG as text: a bar (or, for a month not loaded, a tick) per month, April to December.
    from urllib.parse import unquote

    src = parts["Img"]["props"]["src"]
    assert src.startswith("data:image/svg+xml,%3Csvg ") and "#" not in src
    svg = unquote(src.removeprefix("data:image/svg+xml,"))
    assert svg.endswith("</svg>") and svg.count("<rect ") + svg.count("stroke-dasharray") == 9
    top = hotspots(engine, OXFORD, ("burglary", "anti-social-behaviour"), "2024-10", "2024-12", 6, "location").iloc[0]
    cells = [c["props"]["children"] for c in walk(parts["Table"]) if isinstance(c, dict) and c.get("type") in ("Td", "Th")]
    # Crime type, period and baseline counts, straight from the stored counts of that map point.
    from sqlalchemy import text

    with engine.connect() as conn:
        stored = conn.execute(text(
            "SELECT crime_type, SUM(CASE WHEN month >= '2024-10' THEN count ELSE 0 END), "
            "SUM(CASE WHEN month < '2024-10' THEN count ELSE 0 END) FROM place_count WHERE place_id = :id "
            "AND month BETWEEN '2024-04' AND '2024-12' AND crime_type IN ('burglary', 'anti-social-behaviour') "
            "GROUP BY crime_type"), {"id": int(top["place_code"])}).all()
    names = {"burglary": "Burglary", "anti-social-behaviour": "Anti-social behaviour"}
    for slug, period, baseline in stored:
        at = cells.index(names[slug])
        assert cells[at + 1:at + 3] == [period, baseline]
    assert sum(period for _, period, _ in stored) == top["count"]
    words = parts["P"]["props"]["children"]
    assert words.startswith("Month by month: April 2024: ") and "December 2024: " in words


def test_the_appendix_gives_each_label_its_tests(cache, engine):
    from .pagetools import find

    filters = Filters(areas=(OXFORD,), end="2024-12")
    tree = page.render(Reader(cache), filters, filters.to_query(data.DEFAULTS))
    appendix = find(tree, ids.HOTSPOT_APPENDIX)
    rows = table_records(appendix)
    expected = hotspots(engine, OXFORD, None, "2024-12", "2024-12", 12, "location")
    for row, (_, place) in zip(rows, expected.iterrows(), strict=False):
        for key, column in (("p (above usual)", "p_value"), ("q (above usual, BH)", "q_value"),
                            ("p (below usual)", "p_below"), ("q (below usual, BH)", "q_below")):
            value = place[column]
            shown = row[key]
            assert shown == "too few" if value != value else float(shown.lstrip("<")) == pytest.approx(value, abs=1e-4)
    assert "Benjamini-Hochberg over the" in texts(appendix) and "at least" in texts(appendix)


def test_the_pack_prints_names_whole_and_the_same_words_as_the_page(app, cache, engine):
    client = app.server.test_client()
    # Windsor and Maidenhead: long LSOA names make place names longer than 40 characters.
    query = "area=E06000040&to=2024-12&from=2024-10&crime_type=burglary&crime_type=anti-social-behaviour"
    reader = PdfReader(io.BytesIO(client.get(f"/hotspots/pack.pdf?{query}").data))
    words = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    filters = Filters.from_query("?" + query, data.DEFAULTS)
    places = data.places_data(Reader(cache), filters, rows=30)
    appendix = words[words.index("Analyst appendix"):]
    longest = max(places["place_name"], key=len)
    assert len(longest) > 40  # longer than the appendix once cut names to
    for name in [*places["place_name"].head(10), longest]:
        assert name in words and name in appendix  # whole, never cut, in the appendix too
    for why in places["why"].head(5):
        assert why in words  # the page's own sentence
    assert data.changes_note(Reader(cache), filters) in words
    first = places.iloc[0]
    assert f"By crime type this period: {first['by_type_text']}" in words


def test_a_kind_of_place_is_named_with_its_nearest_street_in_the_table(cache, engine):
    """"On or near Supermarket" says nothing of where: the table adds the street of the nearest
    named map point within 250 m, found here by brute force over great-circle distances."""
    import math

    from sqlalchemy import text

    filters = Filters(areas=(OXFORD,), end="2024-12")
    places = data.places_data(Reader(cache), filters, rows=30)
    with engine.connect() as conn:
        points = conn.execute(text("SELECT name, longitude, latitude FROM place WHERE district_code = :d"), {"d": OXFORD}).all()
    named = [p for p in points if not is_generic(p.name)]

    def metres(lon1, lat1, lon2, lat2):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        a = (math.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
        return 2 * 6_371_000 * math.asin(math.sqrt(a))

    generic = places[places["street"].map(is_generic)]
    assert not generic.empty, "the demo's Oxford has kind-of-place map points among its busiest"
    for row in generic.itertuples():
        nearest = min(named, key=lambda p: metres(row.longitude, row.latitude, p.longitude, p.latitude))
        if metres(row.longitude, row.latitude, nearest.longitude, nearest.latitude) <= 250:
            assert f", near {nearest.name.removeprefix('On or near ')} (" in row.place_name, row.place_name
        else:
            assert ", near " not in row.place_name
    assert all(", near " not in name for name in places.loc[~places["street"].map(is_generic), "place_name"])


def test_the_coverage_note_agrees_with_one_baseline_month():
    from queries.hotspots import coverage_of

    one = coverage_of("2024-01", "2024-01", 12, ["2023-12", "2024-01"]).note()
    assert "1 of the 12 baseline months is loaded; missing: January to November 2023." in one
    two = coverage_of("2024-01", "2024-01", 12, ["2023-11", "2023-12", "2024-01"]).note()
    assert "2 of the 12 baseline months are loaded; missing: January to October 2023." in two
