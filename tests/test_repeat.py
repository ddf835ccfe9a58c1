"""Repeat locations against counts worked by hand from the fixture file."""

from __future__ import annotations

import pytest

from queries.importers.policeuk import import_policeuk
from queries.reference import ASB, OXFORD, OXFORDSHIRE, THAMES_VALLEY
from queries.repeat import ALL_SELECTED, REPEAT_COLUMNS, repeat_locations

from .conftest import FIXTURES

JAN_2024 = FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"


def rows(engine, areas, crime_types=None):
    frame = repeat_locations(engine, areas, crime_types, "2024-01", "2024-01")
    return {(r.area_code, r.crime_type): r for r in frame.itertuples()}


def test_share_of_crime_at_places_with_two_or_more_incidents(engine):
    import_policeuk(engine, [JAN_2024])
    result = rows(engine, [OXFORD])
    # Oxford's crimes (not ASB): public order at the Riddell Place point; burglary and
    # violence at the Jordan Hill Road point. Only Jordan Hill Road has two.
    together = result[(OXFORD, ALL_SELECTED)]
    assert (together.incidents, together.places, together.repeat_places, together.incidents_at_repeat_places) == (3, 2, 1, 2)
    assert together.repeat_share == pytest.approx(2 / 3)
    # By type, no single crime type repeats at a place.
    assert result[(OXFORD, "burglary")].repeat_share == 0


def test_asb_repeats_at_one_point(engine):
    import_policeuk(engine, [JAN_2024])
    result = rows(engine, [OXFORD, OXFORDSHIRE, THAMES_VALLEY], [ASB])
    assert result[(OXFORD, ASB)].incidents_at_repeat_places == 2
    assert result[(OXFORD, ASB)].repeat_share == 1
    # The force adds one Buckinghamshire ASB incident at another point: 2 of 3.
    assert result[(THAMES_VALLEY, ASB)].repeat_share == pytest.approx(2 / 3)
    assert result[(OXFORDSHIRE, ASB)].incidents == 2


def test_rows_with_no_location_are_not_places(engine):
    import_policeuk(engine, [JAN_2024])
    together = rows(engine, [THAMES_VALLEY])[(THAMES_VALLEY, ALL_SELECTED)]
    assert together.incidents == 6  # 7 crimes in the force, one with no location


def test_empty_result_keeps_columns(engine):
    frame = repeat_locations(engine, [OXFORD], None, "2030-01", "2030-12")
    assert frame.empty and list(frame.columns) == REPEAT_COLUMNS


def test_rows_say_whether_they_hold_demo_incidents(engine):
    from queries.demo import load_demo

    import_policeuk(engine, [JAN_2024])
    assert not rows(engine, [OXFORD, THAMES_VALLEY])[(OXFORD, ALL_SELECTED)].is_synthetic
    load_demo(engine, "2023-12", "2023-12", scale=0.01)
    demo = repeat_locations(engine, [OXFORD, THAMES_VALLEY], None, "2023-12", "2023-12")
    assert set(demo["area_code"]) == {OXFORD, THAMES_VALLEY} and demo["is_synthetic"].all()
    both = repeat_locations(engine, [OXFORD], None, "2023-12", "2024-01")
    assert both.loc[both["crime_type"] == ALL_SELECTED, "is_synthetic"].all()  # any demo incident marks a row
    # A type with no demo incident that month has only January's real ones.
    demo_types = set(demo.loc[demo["area_code"] == OXFORD, "crime_type"])
    for row in both.itertuples():
        assert row.is_synthetic == (row.crime_type in demo_types), row.crime_type
    assert not rows(engine, [OXFORD])[(OXFORD, ALL_SELECTED)].is_synthetic  # January alone is real
