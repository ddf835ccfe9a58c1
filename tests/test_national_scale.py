"""The national benchmark's synthetic forces, and the indexes that keep one area's queries to
its own rows when every force is loaded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, select, text

from benchmarks.national_set import FORCES, load_force, make_force
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.hotspots import area_index
from queries.reference import AREAS, OXFORD
from queries.schema import ALL_CRIME_ROW, incident

MONTHS = ["2024-01", "2024-02"]
# A small English force and a Welsh one.
SLUGS = ("cumbria", "dyfed-powys")


@pytest.fixture(scope="module")
def national(postgres_database):
    reset = create_engine(postgres_database)
    with reset.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    reset.dispose()
    engine = make_engine(postgres_database)
    init_db(engine)
    forces = []
    for slug in SLUGS:
        index = next(i for i, f in enumerate(FORCES) if f[0] == slug)
        force = make_force(index, *FORCES[index])
        with engine.begin() as conn:
            load_force(conn, force, MONTHS)
        forces.append(force)
    yield engine, forces
    engine.dispose()


def grouped(engine, sql: str) -> dict:
    with engine.connect() as conn:
        return {tuple(row[:-1]): row[-1] for row in conn.execute(text(sql))}


def test_stored_counts_are_the_incidents_grouped(national):
    """The counts tallied in memory match the database's own grouping of the stored rows."""
    engine, _ = national
    districts = grouped(engine, "SELECT force_code, district_code, month, crime_type, count(*) FROM incident "
                                "WHERE district_code IS NOT NULL GROUP BY 1, 2, 3, 4")
    forces = grouped(engine, "SELECT force_code, force_code, month, crime_type, count(*) FROM incident GROUP BY 1, 2, 3, 4")
    assert grouped(engine, "SELECT force_code, area_code, month, crime_type, count FROM incident_count") == districts | forces
    assert grouped(engine, "SELECT force_code, district_code, month, place_id, crime_type, count FROM place_count") == grouped(
        engine, "SELECT force_code, district_code, month, place_id, crime_type, count(*) FROM incident "
                "WHERE place_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5")
    by_type = grouped(engine, "SELECT force_code, lsoa_code, month, crime_type, count(*) FROM incident "
                              "WHERE lsoa_code IS NOT NULL GROUP BY 1, 2, 3, 4")
    all_crime = grouped(engine, f"SELECT force_code, lsoa_code, month, '{ALL_CRIME_ROW}', count(*) FROM incident "
                                "WHERE lsoa_code IS NOT NULL AND crime_type <> 'anti-social-behaviour' GROUP BY 1, 2, 3")
    assert grouped(engine, "SELECT force_code, lsoa_code, month, crime_type, count FROM lsoa_count") == by_type | all_crime
    # The same place counts packed for the hotspot analysis, unpacked by hand.
    import struct

    with engine.connect() as conn:
        packed = conn.execute(text("SELECT force_code, district_code, month, crime_type, places FROM place_count_packed")).all()
    unpacked = {(force, district, month, place_id, crime_type): count
                for force, district, month, crime_type, places in packed
                for place_id, count in struct.iter_unpack("<ii", bytes(places))}
    assert unpacked and unpacked == grouped(
        engine, "SELECT force_code, district_code, month, place_id, crime_type, count(*) FROM incident "
                "WHERE place_id IS NOT NULL GROUP BY 1, 2, 3, 4, 5")


def test_every_incident_lies_at_a_map_point_of_its_lsoa_and_district(national):
    engine, _ = national
    with engine.connect() as conn:
        mismatched = conn.execute(text(
            "SELECT count(*) FROM incident i JOIN place p ON p.id = i.place_id "
            "WHERE p.lsoa_code <> i.lsoa_code OR p.district_code <> i.district_code "
            "OR p.longitude <> i.longitude OR p.latitude <> i.latitude")).scalar()
        unplaced = conn.execute(select(incident.c.id).where(incident.c.lsoa_code.is_not(None),
                                                            incident.c.place_id.is_(None)).limit(1)).first()
    assert mismatched == 0 and unplaced is None


def test_made_up_codes_have_the_ons_shape_and_are_never_real(national):
    engine, forces = national
    english, welsh = forces
    lookup = (Path(__file__).parents[1] / "data" / "geography" / "lsoa_lookup.csv").read_text()
    real = {a.code for a in AREAS} | set(re.findall(r"^([EW]01\d{6}),", lookup, re.M))
    assert len(real) > 1_500  # the regular expression read the lookup
    for force, country in ((english, "E"), (welsh, "W")):
        force_pattern = r"E23\d{6}" if country == "E" else r"W15\d{6}"
        district_pattern = r"E0[6-9]\d{6}" if country == "E" else r"W06\d{6}"
        lsoa_pattern = r"E01\d{6}" if country == "E" else r"W01\d{6}"
        assert re.fullmatch(force_pattern, force.code)
        assert all(re.fullmatch(district_pattern, c) for c in force.district_codes)
        assert all(re.fullmatch(lsoa_pattern, c) for c in force.lsoa_codes)
        codes = {force.code, *force.district_codes, *force.lsoa_codes}
        assert not codes & real
        # Real LSOA codes stop below E01040000 / W01003000.
        assert min(int(c[3:]) for c in force.lsoa_codes) >= 700_000
    # About 1,700 residents an LSOA and 180,000 a district, as in England and Wales.
    assert 500_000 / 1_700 * 0.95 <= len(english.lsoa_codes) <= 500_000 / 1_700 * 1.05
    assert len(english.district_codes) == round(500_000 / 180_000)


def test_an_areas_map_points_are_read_through_the_district_index(sqlite_engine):
    """Every statement the hotspot view runs on the map point table to index an area (its
    cache key and the points themselves) is planned on the district index, not a scan of
    every force's points."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if " place" in statement and statement.lstrip().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(sqlite_engine, "before_cursor_execute", record)
    try:
        area_index(sqlite_engine, OXFORD)
    finally:
        event.remove(sqlite_engine, "before_cursor_execute", record)
    assert len(statements) == 2
    with sqlite_engine.connect() as conn:
        for statement, parameters in statements:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "ix_place_district_code" in plan and not re.search(r"\bSCAN (place|lsoa)\b", plan), plan
