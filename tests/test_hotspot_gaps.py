"""The hotspot page and tasking pack when months are not loaded: what they say must be a
finding made on loaded months, never one read from months that are missing.

The fixture is hand-written: Oxford 001A has two map points, with January, February and
April 2024 loaded and March 2024 not."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app import create_app
from dashboard.chart_data import hotspots as data
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from dashboard.pages import hotspots as page
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.importers.policeuk import import_policeuk
from queries.reference import OXFORD

from .pagetools import card, texts

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context")
RIDDELL = "-1.270184,51.789333,On or near Riddell Place"
JORDAN = "-1.273146,51.794522,On or near Jordan Hill Road"
# month: (place, crime type) per incident
ROWS = {
    "2024-01": [(JORDAN, "Burglary")],
    "2024-02": [(RIDDELL, "Burglary")],
    "2024-04": [(RIDDELL, "Burglary"), (RIDDELL, "Burglary"), (RIDDELL, "Robbery"), (JORDAN, "Robbery"),
                (JORDAN, "Robbery")],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hotspot_gaps")
    paths = []
    for month, rows in ROWS.items():
        path = folder / f"{month}-thames-valley-street.csv"
        lines = [HEADER] + [f"c{month[:4]}{month[5:]}{i:03d},{month},Thames Valley Police,Thames Valley Police,{place},E01028594,"
                            f"Oxford 001A,{kind},Under investigation," for i, (place, kind) in enumerate(rows)]
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    url = f"sqlite:///{folder / 'gaps.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    import_policeuk(engine, paths)
    engine.dispose()
    return create_app({"database_url": url})


@pytest.fixture(autouse=True)
def app_context(app):
    with app.server.app_context():
        yield


@pytest.fixture(scope="module")
def reader(app):
    return Reader(app.server.extensions["query_cache"])


def _pack_words(app, query: str) -> str:
    pdf = PdfReader(io.BytesIO(app.server.test_client().get(f"/hotspots/pack.pdf?{query}").data))
    return " ".join(" ".join(p.extract_text() for p in pdf.pages).split())


def test_what_changed_says_no_test_was_made_when_the_month_before_is_not_loaded(app, reader):
    """April 2024 against March 2024, which is not loaded: no test, so no "none changed"."""
    filters = Filters(areas=(OXFORD,), end="2024-04", baseline=3)
    note = data.changes_note(reader, filters)
    assert note == "Compared: April 2024 against March 2024: no change can be tested, as March 2024 is not loaded."
    tree = page.render(reader, filters, filters.to_query(data.DEFAULTS))
    words = texts(card(tree, data.CHANGES.chart_id))
    assert "No place is listed: no change could be tested." in words
    assert "None in this period" not in words
    pack = _pack_words(app, "area=E07000178&to=2024-04&baseline_months=3")
    assert note in pack and "No place is listed: no change could be tested." in pack
    assert "No place's monthly rate changed significantly" not in pack


def test_what_changed_still_says_none_when_the_test_was_made(app, reader):
    """February 2024 against January 2024, both loaded: one incident each at different map
    points, far too few for a significant change, so the test finds none."""
    filters = Filters(areas=(OXFORD,), end="2024-02", baseline=3)
    assert data.changes_note(reader, filters).startswith("Compared: February 2024 against January 2024. Only places")
    tree = page.render(reader, filters, filters.to_query(data.DEFAULTS))
    assert "None in this period." in texts(card(tree, data.CHANGES.chart_id))
