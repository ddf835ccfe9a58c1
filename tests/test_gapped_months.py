"""What the pages and the tasking pack say when months are not loaded: a finding made on
loaded months, never one read from months that are missing.

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


def test_the_baseline_counts_say_how_many_months_they_are_out_of(app, reader):
    """April 2024 with a 3-month baseline: January and February are loaded, March is not.
    Riddell Place had an incident in February, Jordan Hill Road in January: one month each,
    of the 2 loaded; each had one burglary in the baseline."""
    filters = Filters(areas=(OXFORD,), end="2024-04", baseline=3)
    repeats = data.repeats_data(reader, filters).set_index("street")
    assert repeats["count"].to_dict() == {"On or near Riddell Place": 3, "On or near Jordan Hill Road": 2}
    assert repeats["baseline_months_active"].tolist() == [1, 1]
    note = "Incidents in the period, and in how many of the 2 loaded (of 3) baseline months the point also had incidents."
    assert data.repeats_note(reader, filters) == note
    tree = page.render(reader, filters, filters.to_query(data.DEFAULTS))
    assert note in texts(card(tree, data.REPEATS.chart_id))
    places = data.places_data(reader, filters).set_index("street")
    assert places["by_type_baseline_text"].to_dict() == {"On or near Riddell Place": "Burglary 1",
                                                         "On or near Jordan Hill Road": "Burglary 1"}


def test_no_baseline_loaded_is_not_a_quiet_baseline(app, reader):
    """January to April 2024 with a 3-month baseline: October to December 2023 are not
    loaded, so no place's baseline is known: never "None" or 0 months with incidents."""
    filters = Filters(areas=(OXFORD,), start="2024-01", end="2024-04", baseline=3)
    repeats = data.repeats_data(reader, filters).set_index("street")
    assert repeats["count"].to_dict() == {"On or near Riddell Place": 4, "On or near Jordan Hill Road": 3}
    assert repeats["baseline_months_active"].isna().all()
    note = "Incidents in the period; none of the 3 baseline months is loaded, so the months before are not known."
    assert data.repeats_note(reader, filters) == note
    places = data.places_data(reader, filters)
    assert (places["by_type_baseline_text"] == "not loaded").all()
    tree = page.render(reader, filters, filters.to_query(data.DEFAULTS))
    assert note in texts(card(tree, data.REPEATS.chart_id))
    pack = _pack_words(app, "area=E07000178&from=2024-01&to=2024-04&baseline_months=3")
    assert "in the baseline: None" not in pack and "in the baseline: not loaded" in pack
    assert note in pack


def test_the_months_missing_note_gives_no_average_over_no_months(reader):
    """January 2024 with a 3-month baseline: October to December 2023 are not loaded."""
    filters = Filters(areas=(OXFORD,), end="2024-01", baseline=3)
    assert data.coverage_note(reader, filters) == (
        "None of the 3 baseline months is loaded (October to December 2023): no place has a usual level to compare "
        "with. No place is classed: classes need every month of the period and at least half the baseline months "
        "loaded.")


def test_the_overview_names_a_lone_month_as_one(reader):
    """The same fixture seen from the overview: of the 12 months to January 2024 only January
    2024 is loaded, and Oxford 001A's one burglary is its figure."""
    from dashboard.chart_data import overview

    figure = overview.comparison(reader, Filters(areas=(OXFORD,), end="2024-01")).crime[0]
    assert figure.count == "1"
    assert figure.rate == ("January 2024 alone, the only one of the 12 months loaded (no rate: a part-year is not set "
                           "beside whole years)")


def test_places_with_one_incident_each_are_not_called_the_busiest(reader):
    """February 2024: one incident, at Riddell Place. "The busiest 5% of places (1 of the 2)
    hold 100% of the incidents" would read as a concentration; one incident is none."""
    filters = Filters(areas=(OXFORD,), end="2024-02", baseline=3)
    assert data.concentration_text(reader, filters) == (
        "No place had more than one incident this period (1 place had one).")
    busy = data.concentration_text(reader, Filters(areas=(OXFORD,), end="2024-04", baseline=3))
    # April: 3 at Riddell Place and 2 at Jordan Hill Road; the busiest 5% of the 2 places is 1
    # place, Riddell Place, with 3 of the 5.
    assert busy.startswith("The busiest 5% of places (1 of the 2: the places with an incident in these or the "
                           "baseline months) hold 60% of the incidents")


def test_published_figures_give_their_age_in_years_and_months(reader):
    """The shipped 2021 tables end in December 2021; the latest month loaded is April 2024,
    28 months later: 2 years 4 months, not "2 years"."""
    from dashboard.chart_data import exploitation

    view = exploitation.views(reader, Filters(areas=(OXFORD,)))[0]
    assert view.summary.startswith("These figures end in December 2021, 2 years 4 months before the latest police.uk "
                                   "month (April 2024).")
