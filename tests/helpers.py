"""Helpers shared by tests: snapshots of stored data, to prove a failed import wrote nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from queries.schema import metadata


def snapshot(engine) -> dict[str, object]:
    """Row count and a content checksum of every table."""
    state = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            state[table.name] = (len(rows), hash(tuple(map(tuple, rows))))
    return state


def count_rows(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
