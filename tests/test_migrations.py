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

