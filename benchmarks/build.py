"""Build a benchmark database of a given size from generated data.police.uk files.

The files come from the demo generator but are imported as ordinary (non-synthetic)
files, so the database looks like ten years of the real force. On PostgreSQL the same rows
go in through the bulk loader (COPY): a server round trip per row would take an hour.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from queries import periods
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.demo import load_demo, month_csv
from queries.importers.policeuk import import_policeuk
from queries.schema import incident

ROWS_PER_MONTH = 16_000  # the generator's average for the whole force over 2017-2026


def months_for(incidents: int, last: str) -> list[str]:
    count = max(1, round(incidents / ROWS_PER_MONTH))
    return periods.months_between(periods.add_months(last, -(count - 1)), last)


def build(engine: Engine, incidents: int, last: str = "2026-10", batch: int = 12) -> dict:
    init_db(engine)
    months = months_for(incidents, last)
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        rows = load_demo(engine, months[0], last, synthetic=False)
        # What autovacuum does some time after a large load, done now: planner statistics
        # (without them plans are made blind) and the visibility map, without which
        # PostgreSQL cannot answer from a covering index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return {"incidents": rows, "months": len(months), "seconds": time.perf_counter() - started}
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        for start in range(0, len(months), batch):
            paths = []
            for month in months[start : start + batch]:
                path = Path(folder) / f"{month}-thames-valley-street.csv"
                path.write_bytes(month_csv(month, last_month=last))
                paths.append(path)
            rows += sum(s.rows_stored for s in import_policeuk(engine, paths))
            for path in paths:
                path.unlink()
            print(f"  built {months[min(start + batch, len(months)) - 1]}: {rows:,} incidents", flush=True)
    return {"incidents": rows, "months": len(months), "seconds": time.perf_counter() - started}


def ensure_built(url: str, incidents: int) -> Engine:
    """An engine on ``url``, first building the database when it holds fewer than about
    ``incidents`` incidents (a database already of that size is reused as it is)."""
    create_database(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        try:
            stored = conn.execute(select(func.count()).select_from(incident)).scalar()
        except Exception:  # no schema yet
            stored = 0
    if stored < incidents * 0.97:
        print(f"Building a database of about {incidents:,} incidents at {url} ...", flush=True)
        built = build(engine, incidents)
        print(f"Built {built['incidents']:,} incidents over {built['months']} months in {built['seconds']:.0f} s "
              f"({built['incidents'] / built['seconds']:,.0f} rows/s)\n", flush=True)
    return engine


def create_database(url: str) -> None:
    """Create a PostgreSQL database named in ``url`` when the server does not hold it yet."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        server.dispose()
