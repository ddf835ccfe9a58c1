"""Helpers shared by tests: snapshots of stored data, to prove a failed import wrote nothing,
and monthly counts written straight into the aggregate table, so expected values are known."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, insert, select

from queries.reference import OXFORD, THAMES_VALLEY, containing_areas
from queries.schema import import_log, incident_count, loaded_month, metadata


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


def seed_counts(engine, monthly: dict[str, int], district=OXFORD, crime_type="burglary"):
    """Write monthly counts straight into the aggregate table, with the months marked loaded."""
    with engine.begin() as conn:
        log_id = conn.execute(
            insert(import_log).values(kind="test", filename="test", checksum="0" * 64,
                                      imported_at=pd.Timestamp.now(tz="UTC").to_pydatetime(),
                                      imported_by="test", rows_read=0, rows_stored=0, outcome="stored")
        ).inserted_primary_key[0]
        # As an import does: the district's count, and the same added to its county and force.
        for month, n in monthly.items():
            for area in containing_areas(district):
                conn.execute(insert(incident_count).values(force_code=THAMES_VALLEY, area_code=area, month=month,
                                                           crime_type=crime_type, count=n, is_synthetic=False))
        existing = {m for (m,) in conn.execute(loaded_month.select().with_only_columns(loaded_month.c.month))}
        rows = [{"force_code": THAMES_VALLEY, "month": m, "is_synthetic": False, "rows_stored": 0, "import_id": log_id}
                for m in monthly if m not in existing]
        if rows:
            conn.execute(insert(loaded_month), rows)


def form_token(client, path: str = "/login", **options) -> str:
    """The CSRF token a form on ``path`` carries for this client's session, read from the page
    as a browser would submit it (``options``: headers and the like for the request)."""
    import re

    page = client.get(path, **options).get_data(as_text=True)
    found = re.search(r"""name=["']csrf["'] value=["']([^"']+)["']""", page)
    assert found, f"no form token on {path}"
    return found.group(1)
