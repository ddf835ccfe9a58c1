"""The URL filter state: a round trip, forgiving reads and short URLs."""

from __future__ import annotations

from dashboard.chart_data.filters import COUNT, Filters
from queries.reference import OXFORD, THAMES_VALLEY


def test_defaults_give_an_empty_query():
    assert Filters().to_query() == ""
    assert Filters.from_query("") == Filters()


def test_round_trip():
    filters = Filters(areas=(OXFORD, THAMES_VALLEY), crime_types=("burglary", "robbery"), start="2024-01",
                      end="2024-12", grain="quarter", measure=COUNT)
    query = filters.to_query()
    assert query == ("?area=E07000178&area=E23000029&crime_type=burglary&crime_type=robbery"
                     "&from=2024-01&to=2024-12&grain=quarter&measure=count")
    assert Filters.from_query(query) == filters


def test_nonsense_values_fall_back_to_defaults():
    filters = Filters.from_query("?area=E99&area=E07000178&crime_type=arson&from=2024-13&grain=week&measure=x&extra=1")
    assert filters == Filters(areas=(OXFORD,))


def test_no_area_chosen_is_kept_as_an_empty_selection():
    filters = Filters(areas=())
    assert filters.to_query() == "?area="
    assert Filters.from_query("?area=").areas == ()


def test_reversed_period_is_put_right():
    filters = Filters.from_query("?from=2024-05&to=2024-01")
    assert (filters.start, filters.end) == ("2024-01", "2024-05")


def test_default_period_is_the_latest_36_months():
    assert Filters().period("2024-12") == ("2022-01", "2024-12")
    assert Filters(start="2023-06").period("2024-12") == ("2023-06", "2024-12")
    assert Filters().period(None) == (None, None)


def test_from_controls_orders_areas_and_ignores_junk():
    filters = Filters.from_controls(["E23000029", "E06000038", "E07000178", 5, "nope"], ["burglary", None], "", "2024-06",
                                    "quarter", "count", Filters())
    assert filters.areas == ("E07000178", "E23000029", "E06000038")
    assert filters.crime_types == ("burglary",)
    assert (filters.start, filters.end, filters.grain, filters.measure) == (None, "2024-06", "quarter", "count")
    assert Filters.from_controls([], [], "", "", "month", "rate", Filters()).areas == ()
