"""Engine creation and schema management (Alembic migrations) for SQLite and PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = PROJECT_ROOT / "migrations"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'community-safety.sqlite'}"


def database_url() -> str:
    """The configured database URL: ``DATABASE_URL``, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def make_engine(url: str | None = None) -> Engine:
    """An engine tuned for this app: WAL and foreign keys on SQLite, pre-ping on PostgreSQL."""
    url = url or database_url()
    if url.startswith("postgresql://"):
        # psycopg 3 is the maintained driver; plain postgresql:// would ask for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _ensure_sqlite_folder(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets gunicorn workers read while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine) -> None:
    """Create the schema or bring it up to the newest migration."""
    command.upgrade(alembic_config(engine), "head")


def plain_rows(result) -> list[tuple]:
    """Result rows as plain tuples: pandas probes SQLAlchemy Row objects attribute by
    attribute (costly exceptions), which made building a large DataFrame several times slower."""
    return [tuple(row) for row in result]


def fetch_rows(conn, query) -> list[tuple]:
    """All rows of a large SELECT straight from the driver's cursor.

    SQLAlchemy's result objects cost several microseconds a row; for the hundred thousand
    rows of a force-wide hotspot query that doubled the time. The statement is still built
    and bound by SQLAlchemy, so this stays portable across SQLite and PostgreSQL.
    """
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    if compiled.positional:
        params = tuple(compiled.params[name] for name in compiled.positiontup)
    else:
        params = compiled.params
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()
