"""Trends, the overview and the board report's figures when months are not loaded.

The fixture is the synthetic demo set for January 2022 to December 2025 with February to
May 2024 and July 2025 deleted. Expected values come from the stored monthly counts read
with plain SQL, never from the functions under test."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from app import create_app
from dashboard.chart_data import board, crime, overview
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from queries.db import make_engine
from queries.importers.bulk import clear_months
from queries.reference import ALL_CRIME, OXFORD, OXFORDSHIRE, THAMES_VALLEY
from queries.schema import incident_count

from .conftest import demo_database
from .pagetools import card, table_records, texts

HOLES = ["2024-02", "2024-03", "2024-04", "2024-05", "2025-07"]
MISSING_IN_WORDS = "July 2025 and February to May 2024 not loaded"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    url = demo_database(tmp_path_factory, "holes", "2022-01", "2025-12", 0.1)
    engine = make_engine(url)
    with engine.begin() as conn:
        clear_months(conn, THAMES_VALLEY, HOLES)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def engine(url):
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(url):
    return create_app({"database_url": url})


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


class _Direct:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def stored(engine, area: str, months: list[str], crime_types=tuple(ALL_CRIME)) -> int:
    """The stored count for an area over months, by plain SQL."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(incident_count.c.count), 0)).where(
            incident_count.c.area_code == area, incident_count.c.month.in_(months),
            incident_count.c.crime_type.in_(list(crime_types)))).scalar())


def months(first: str, last: str) -> list[str]:
    from queries import periods

    return periods.months_between(first, last)


def test_the_monthly_line_breaks_at_each_month_not_loaded_and_says_so(engine):
    view = crime.trend_view(Reader(_Direct(engine)), Filters(areas=(OXFORD,), measure="count"))
    line = next(t for t in view.figure.data if t.name == "Oxford")
    by_month = dict(zip(line.x, line.y))
    for month in HOLES:
        assert by_month[f"{month}-01"] is None  # a gap, not a line across
    assert line.connectgaps is False
    assert by_month["2025-06-01"] == stored(engine, OXFORD, ["2025-06"])
    assert MISSING_IN_WORDS in view.summary
    rows = view.frame.set_index("period")
    assert rows.loc["2025-07", "coverage"] == "not loaded" and rows["count"].isna().sum() == len(HOLES)


def test_quarters_keep_real_time_and_a_part_quarter_is_a_gap(engine):
    view = crime.trend_view(Reader(_Direct(engine)), Filters(areas=(OXFORD,), measure="count", grain="quarter"))
    line = next(t for t in view.figure.data if t.name == "Oxford")
    labels = list(line.x)
    # January to March 2024 (one month loaded) sits in its place, empty, between its neighbours.
    i = labels.index("January to March 2024")
    assert labels[i - 1] == "October to December 2023" and labels[i + 1] == "April to June 2024"
    assert line.y[i] is None and line.y[i + 1] is None and line.y[labels.index("July to September 2025")] is None
    assert line.y[labels.index("October to December 2025")] == stored(engine, OXFORD, months("2025-10", "2025-12"))
    rows = view.frame.set_index("period")
    assert rows.loc["2024-Q1", "coverage"] == "1 of 3 months" and rows.loc["2025-Q3", "coverage"] == "2 of 3 months"
    assert MISSING_IN_WORDS in view.summary


def test_a_year_with_months_missing_is_not_called_no_data(engine):
    """2024 has 8 of its 12 months loaded (February to May missing): no whole calendar year
    is drawn, and the chart says so rather than that no data is loaded."""
    reader = Reader(_Direct(engine))
    view = crime.trend_view(reader, Filters(areas=(OXFORD,), measure="count", grain="calendar_year",
                                            start="2024-01", end="2024-12"))
    assert view.message == ("No calendar year from January 2024 to December 2024 has all its months loaded (8 of "
                            "these 12 months are), so none is drawn: a period missing any of its months is a gap, "
                            "not a partial total. Show by month to see the months loaded.")
    holes_only = crime.trend_view(reader, Filters(areas=(OXFORD,), grain="quarter", start="2024-02", end="2024-05"))
    assert holes_only.message == "No police.uk data is loaded for this period."


def test_the_trend_title_keeps_month_names_capitalised(engine):
    view = crime.trend_view(Reader(_Direct(engine)), Filters(areas=(OXFORD,), measure="count", grain="financial_year"))
    assert view.title == "All crime (excluding anti-social behaviour) by financial year (April to March): count"


def test_repeat_locations_name_the_months_not_loaded(engine):
    """January to June 2024: February to May are not loaded, so the shares are of 2 months."""
    from dashboard.chart_data import repeat

    view = repeat.locations_view(Reader(_Direct(engine)), Filters(areas=(OXFORD,), start="2024-01", end="2024-06"))
    assert view.summary.endswith(" February to May 2024 not loaded: the shares are of the 2 loaded months of these 6.")
    whole = repeat.locations_view(Reader(_Direct(engine)), Filters(areas=(OXFORD,), start="2025-01", end="2025-03"))
    assert "not loaded" not in whole.summary


def test_the_csv_and_the_api_say_which_periods_are_partial(client, engine):
    response = client.get("/download/crime-trend.csv?area=E07000178&grain=quarter&measure=count&from=2023-10&to=2025-12")
    rows = {r["Period"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows["2024-Q1"]["Months of the period loaded"] == "1 of 3 months" and rows["2024-Q1"]["Crimes"] == ""
    assert rows["2023-Q4"]["Crimes"] == str(stored(engine, OXFORD, months("2023-10", "2023-12")))
    api = client.get("/api/v1/counts?area=E07000178&from=2023-10&to=2025-12&grain=quarter").get_json()
    assert api["months_not_loaded"] == HOLES
    q1 = next(r for r in api["rows"] if r["period"] == "2024-Q1")
    assert (q1["months"], q1["period_months"], q1["complete"]) == (1, 3, False)
    # A request opening on a hole (March to May 2024 missing, June to August loaded) names it.
    opening = client.get("/api/v1/counts?area=E07000178&from=2024-03&to=2024-08").get_json()
    assert opening["months_not_loaded"] == ["2024-03", "2024-04", "2024-05"]
    # Before the first month loaded (January 2022) there is nothing to miss.
    early = client.get("/api/v1/counts?area=E07000178&from=2021-11&to=2022-03").get_json()
    assert early["months_not_loaded"] == []


def test_the_overview_gives_the_figure_and_compares_the_months_loaded_in_both_years(engine):
    figures = overview.comparison(Reader(_Direct(engine)), Filters(areas=(OXFORD, OXFORDSHIRE)))
    oxford = figures.crime[0]
    loaded_2025 = [m for m in months("2025-01", "2025-12") if m not in HOLES]
    assert oxford.count == f"{stored(engine, OXFORD, loaded_2025):,}"  # its own figure, never "-"
    assert oxford.rate.startswith("the sum of the 11 of 12 months loaded, January to June 2025 and August to "
                                  "December 2025 (no rate")
    one = overview.comparison(Reader(_Direct(engine)), Filters(areas=(OXFORD,), end="2024-06")).crime[0]
    # The 12 months to June 2024 without February to May: July 2023 to January 2024 and June 2024 (8).
    assert one.rate.startswith("the sum of the 8 of 12 months loaded, July 2023 to January 2024 and June 2024 (no")
    shared = ["2025-01", "2025-06", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
    before = [m.replace("2025", "2024") for m in shared]
    assert (f"{stored(engine, OXFORD, shared):,} against {stored(engine, OXFORD, before):,}") in oxford.detail
    assert ("January 2025, June 2025 and August to December 2025 against January 2024, June 2024 and "
            "August to December 2024") in figures.headline[0]
    assert "per 1,000" not in oxford.rate  # a part-year's rate is not set beside whole years


def test_the_board_quarter_in_figures_answers_when_the_quarter_is_loaded(engine):
    frame = board.overview_data(Reader(_Direct(engine)), Filters(areas=(OXFORD,)))
    quarter = frame[(frame["subject"] == "All crime (not ASB)") & frame["comparison"].str.startswith("October")].iloc[0]
    assert quarter["current"] == stored(engine, OXFORD, months("2025-10", "2025-12"))
    assert quarter["previous"] == stored(engine, OXFORD, months("2024-10", "2024-12"))
    assert "not both" not in quarter["verdict"] and quarter["current_months"] == "3 of 3 months"
    year = frame[(frame["subject"] == "All crime (not ASB)") & frame["comparison"].str.startswith("the 12")].iloc[0]
    assert year["current_months"] == "11 of 12 months"
    assert year["current"] == stored(engine, OXFORD, [m for m in months("2025-01", "2025-12") if m not in HOLES])
    assert "on the 7 of 12 months loaded in both" in year["verdict"]


def test_the_band_uses_calendar_months_before_and_needs_nine_of_them(engine):
    """June 2024 to February 2025 each have 8 of their 12 calendar months before loaded
    (February to May 2024 are missing): no band, however many loaded months came earlier.
    March 2025 has 9 (March 2024 to February 2025 less March to May 2024)."""
    from dashboard.charts.summaries import band_for

    trend = crime.trend_data(Reader(_Direct(engine)), Filters(areas=(OXFORD,), measure="count", start="2022-01"))
    band = band_for(trend)
    banded = set(band["month"])
    assert not banded & set(months("2024-06", "2025-02"))
    assert "2025-03" in banded and "2024-01" in banded
    march = band.set_index("month").loc["2025-03"]
    assert march["baseline_months"] == 9


def test_the_crime_page_names_the_missing_months(app):
    from dashboard.pages import crime as crime_page

    filters = Filters(areas=(OXFORD,), measure="count")
    with app.server.app_context():
        reader = Reader(app.server.extensions["query_cache"])
        tree = crime_page.PAGE.render(reader, filters, filters.to_query(crime_page.PAGE.defaults))
    assert MISSING_IN_WORDS in texts(card(tree, "crime-trend"))
    records = table_records(card(tree, "crime-trend"))
    assert any(r.get("Months of the period loaded") == "not loaded" for r in records)


def test_the_interrupted_time_series_names_the_months_it_lacks(engine):
    """Asked for an evaluation starting August 2025, it needs August 2023 to the end with no
    gap; it says which months are missing rather than reaching back past them."""
    from queries.evaluation import target_its
    from queries.lsoa_sets import resolve
    from queries.schema import lsoa_count

    with engine.connect() as conn:
        code = conn.execute(select(lsoa_count.c.lsoa_code).limit(1)).scalar()
    result, reason = target_its(engine, resolve(engine, [code]), None, ("2025-08", "2025-12"))
    assert result is None
    assert "August 2023 to December 2025" in reason and "not loaded: July 2025 and February to May 2024" in reason


def test_published_figures_say_how_old_they_are(engine):
    """The shipped published tables end in 2021; the loaded police.uk months run to December
    2025, so each such chart says its figures are four years older."""
    from dashboard.chart_data import domestic_abuse, exploitation, repeat

    reader, filters = Reader(_Direct(engine)), Filters(areas=(OXFORD,))
    views = [domestic_abuse.offences_view(reader, filters), domestic_abuse.children_view(reader, filters),
             *exploitation.views(reader, filters), repeat.views(reader, filters)[0]]
    for view in views:
        assert view.summary.startswith("These figures end in December 2021, 4 years before the latest police.uk "
                                       "month (December 2025)."), view.title
        assert "2021" in view.title
    assert domestic_abuse.offences_view(reader, filters).title.endswith("(figures end 2021)")


def test_a_force_counts_located_incidents_as_its_districts_do(sqlite_engine):
    """Rows with no location are stored at force level only: for comparisons the force is
    the sum of its districts, and the trend's caption says how many rows are left out."""
    from sqlalchemy import insert

    from dashboard.chart_data.common import unlocated_note
    from queries.counts import counts

    from .helpers import seed_counts

    seed_counts(sqlite_engine, {"2025-01": 40, "2025-02": 50})
    seed_counts(sqlite_engine, {"2025-01": 10, "2025-02": 20}, district="E07000177")  # Cherwell
    with sqlite_engine.begin() as conn:  # 7 rows in January with no location
        conn.execute(insert(incident_count).values(force_code=THAMES_VALLEY, area_code=THAMES_VALLEY, month="2025-01",
                                                   crime_type="burglary", count=7, is_synthetic=False))
    every = counts(sqlite_engine, [THAMES_VALLEY], ["burglary"], "2025-01", "2025-02")
    located = counts(sqlite_engine, [THAMES_VALLEY], ["burglary"], "2025-01", "2025-02", "month", True)
    assert list(every["count"]) == [57, 70] and list(located["count"]) == [50, 70]
    note = unlocated_note(Reader(_Direct(sqlite_engine)), (THAMES_VALLEY,), ("burglary",), "2025-01", "2025-02")
    assert "7 of its 127 incidents in these months (5.5%) have no location" in note
