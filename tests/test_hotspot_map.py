"""The hotspot map's names on real police.uk months: Oxford's wards, the busiest streets,
"near <street>" for police.uk's kind-of-place points, and a view of the whole area."""

from __future__ import annotations

import json
import math

import pytest
from sqlalchemy import select

from app import create_app
from dashboard.chart_data import hotspot_map
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.hotspots import places_data
from dashboard.chart_data.spec import Reader
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.importers.policeuk import import_policeuk
from queries.map_streets import GENERIC_NAMES
from queries.reference import OXFORD, OXFORDSHIRE
from queries.schema import boundary, place

from .conftest import shared_file
from .test_geography import OXFORD_WARDS

GENERIC = ("Supermarket", "Shopping Area", "Parking Area", "Petrol Station", "Nightclub", "Police Station")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('map') / 'real.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    import_policeuk(engine, [shared_file("policeuk", f"2024-0{m}-thames-valley-street.csv.gz") for m in (1, 2, 3, 4)])
    engine.dispose()
    return create_app({"database_url": url})


@pytest.fixture(scope="module")
def oxford_map(app):
    with app.server.app_context():
        filters = Filters(areas=(OXFORD,), end="2024-04", baseline=3)
        reader = Reader(app.server.extensions["query_cache"])
        return reader, filters, hotspot_map.map_layers(reader, filters), hotspot_map.map_figure(reader, filters, None)


def metres(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def test_oxfords_map_names_its_wards_and_busiest_streets(oxford_map):
    _, _, layers, figure = oxford_map
    labels = figure["layout"]["meta"]["labels"]
    assert {label["text"] for label in labels if label["kind"] == "ward"} == OXFORD_WARDS
    assert "Ward boundaries" in {trace["name"] for trace in figure["data"]}
    names = [label["text"] for label in labels if label["kind"] == "street-name"]
    assert len(names) == hotspot_map.STREET_LABELS
    assert not set(names) & set(GENERIC)
    # Busiest first, in the order of the streets' own counts.
    assert layers.streets["text"].tolist() == names
    # Labels are given room in this order: numbered places, district, wards, streets, LSOAs.
    order = [label["kind"] for label in labels]
    assert order == sorted(order, key=["street", "district", "ward", "street-name", "lsoa"].index)


def test_a_kind_of_place_is_labelled_near_the_closest_named_street(app, oxford_map):
    """police.uk's "On or near Shopping Area" says nothing: the label names the street of the
    closest map point with a street name (by great-circle distance), or gives the number alone."""
    _, _, layers, _ = oxford_map
    places = places_data(*oxford_map[:2], rows=hotspot_map.PLACE_LABELS)
    with app.server.extensions["engine"].connect() as conn:
        named = [(n.removeprefix("On or near "), lon, lat) for n, lon, lat in conn.execute(
            select(place.c.name, place.c.longitude, place.c.latitude).where(place.c.district_code == OXFORD))
            if n.removeprefix("On or near ") not in GENERIC_NAMES]
    generic = 0
    for row, text in zip(places.itertuples(), layers.places["text"], strict=True):
        street = row.street.removeprefix("On or near ")
        if street in GENERIC:
            generic += 1
            distance, nearest = min((metres(row.longitude, row.latitude, lon, lat), n) for n, lon, lat in named)
            assert text == (f"near {nearest}" if distance <= 250 else "")
        else:
            assert text == street
    assert generic > 0  # Oxford's busiest ten include a supermarket or a shopping area


def test_the_view_holds_every_lsoa_of_the_area(app, oxford_map):
    _, _, _, figure = oxford_map
    (west, south), (east, north) = figure["layout"]["meta"]["bounds"]
    with app.server.extensions["engine"].connect() as conn:
        shapes = [json.loads(g) for g, in conn.execute(
            select(boundary.c.geometry).where(boundary.c.level == "lsoa", boundary.c.district_code == OXFORD))]
    assert len(shapes) == 83
    for shape in shapes:
        polygons = [shape["coordinates"]] if shape["type"] == "Polygon" else shape["coordinates"]
        for lon, lat in (p for polygon in polygons for p in polygon[0]):
            assert west <= lon <= east and south <= lat <= north


def test_a_county_map_names_no_street_or_ward(app):
    with app.server.app_context():
        filters = Filters(areas=(OXFORDSHIRE,), end="2024-04", baseline=3)
        reader = Reader(app.server.extensions["query_cache"])
        kinds = {label["kind"] for label in hotspot_map.map_figure(reader, filters, None)["layout"]["meta"]["labels"]}
    assert kinds == {"street", "district"}


def test_the_map_summary_names_wards_and_streets_only_where_drawn(app):
    from dashboard.pages import hotspots as page
    from dashboard.widgets import ids

    from .pagetools import find

    def summary(area):
        filters = Filters(areas=(area,), end="2024-04", baseline=3)
        with app.server.app_context():
            return find(page.render(Reader(app.server.extensions["query_cache"]), filters, ""), ids.HOTSPOT_MAP_SUMMARY).children

    oxford, county = summary(OXFORD), summary(OXFORDSHIRE)
    assert "ward" in oxford and "busiest streets" in oxford
    assert "ward" not in county and "LSOA" not in county and "busiest streets" not in county
