"""Migrations build exactly the schema the code declares, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from queries.db import make_engine, upgrade_schema
from queries.schema import metadata


def test_upgrade_matches_the_declared_schema(database_url):
    engine = make_engine(database_url)
    upgrade_schema(engine)
    upgrade_schema(engine)  # running it again is harmless
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
        tables = set(inspect(conn).get_table_names())
    assert differences == []
    assert {t.name for t in metadata.sorted_tables} <= tables
    engine.dispose()


def test_upgrade_step_by_step_from_the_first_revision(database_url):
    from alembic import command

    from queries.db import alembic_config

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0001")
    with engine.connect() as conn:
        assert "boundary" not in inspect(conn).get_table_names()
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        assert "boundary" in inspect(conn).get_table_names()
    engine.dispose()


def test_the_all_crime_place_counts_migration_sums_the_stored_types(database_url):
    """A database at 0005 holding per-type place counts gains, per place and month, one
    all-crime row equal to the sum of its types other than ASB (worked out here in Python)."""
    from collections import Counter

    from alembic import command
    from sqlalchemy import text

    from queries.db import alembic_config

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0005")
    rows = [("E07000178", "2024-01", 1, "burglary", 2), ("E07000178", "2024-01", 1, "violent-crime", 3),
            ("E07000178", "2024-01", 1, "anti-social-behaviour", 7), ("E07000178", "2024-02", 1, "robbery", 1),
            ("E07000177", "2024-01", 2, "anti-social-behaviour", 4), ("E07000177", "2024-01", 3, "drugs", 5)]
    with engine.begin() as conn:
        for district, month, place, crime_type, count in rows:
            conn.execute(text("INSERT INTO place_count (force_code, district_code, month, place_id, crime_type, count, "
                              "is_synthetic) VALUES ('E23000029', :d, :m, :p, :t, :c, false)"),
                         {"d": district, "m": month, "p": place, "t": crime_type, "c": count})
    command.upgrade(alembic_config(engine), "head")
    expected: Counter = Counter()
    for district, month, place, crime_type, count in rows:
        if crime_type != "anti-social-behaviour":
            expected[(district, month, place)] += count
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT district_code, month, place_id, count FROM place_count "
                                   "WHERE crime_type = 'all-crime'")).all()
    assert {(d, m, p): c for d, m, p, c in stored} == dict(expected)
    command.downgrade(alembic_config(engine), "0005")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM place_count WHERE crime_type = 'all-crime'")).scalar() == 0
    engine.dispose()
