"""Engine creation and schema management (Alembic migrations) for SQLite and PostgreSQL."""

from __future__ import annotations

import math
import os
import time
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from queries.deadline import GRACE_SECONDS, guard_postgresql
from queries.sqlite_file import watch_sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = PROJECT_ROOT / "migrations"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'community-safety.sqlite'}"


def database_url() -> str:
    """The configured database URL: ``DATABASE_URL``, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def make_engine(url: str | None = None, *, connect_timeout: float | None = None,
                statement_timeout: float | None = None, pool_timeout: float | None = None,
                ping_timeout: float | None = None, retry_seconds: float = 5.0,
                single_use: bool = False, create: bool = True) -> Engine:
    """An engine tuned for this app: WAL and foreign keys on SQLite, pre-ping on PostgreSQL.

    The web app gives every limit (seconds), so a hung or unreachable database makes a request
    fail within a known time instead of holding its thread: ``connect_timeout`` for a new
    connection, ``statement_timeout`` for one statement (PostgreSQL cancels it on the server;
    SQLite interrupts it from a progress handler), ``pool_timeout`` for waiting on a pooled
    connection. Command-line imports leave them unset: rebuilding a force's counts may take
    minutes. ``single_use`` opens a fresh connection each time (for the health check).

    ``ping_timeout`` turns on client-side deadlines for PostgreSQL (``queries.deadline``): a
    frozen server fails a call within its limit instead of holding the thread, and for
    ``retry_seconds`` afterwards calls fail at once. ``create=False`` (the web app) never
    creates a missing SQLite file: a file moved away is an outage, not an empty database.
    """
    url = url or database_url()
    if url.startswith("postgresql://"):
        # psycopg 3 is the maintained driver; plain postgresql:// would ask for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    options: dict = {"poolclass": NullPool} if single_use else {}
    if pool_timeout is not None and not single_use:
        options["pool_timeout"] = pool_timeout
    if url.startswith("sqlite"):
        _ensure_sqlite_folder(url)
        # SQLite's own timeout is how long a writer's lock is waited for.
        busy = 30.0 if statement_timeout is None else min(30.0, statement_timeout)
        engine = create_engine(url, connect_args={"timeout": busy}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        watch_sqlite_file(engine, create=create)
        if statement_timeout is not None:
            _limit_sqlite_statements(engine, statement_timeout)
        return engine
    connect_args: dict = {}
    if connect_timeout is not None:
        # libpq counts whole seconds and treats values below 2 as 2.
        connect_args["connect_timeout"] = max(2, math.ceil(connect_timeout))
    if statement_timeout is not None:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    if ping_timeout is None:
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
    # A host that vanishes (no reply at all, not even a reset) is noticed by TCP itself: idle
    # pooled connections by keepalives, a call in flight when its data goes unacknowledged.
    unacknowledged = (statement_timeout or 60) + GRACE_SECONDS
    connect_args |= {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
                     "tcp_user_timeout": int(unacknowledged * 1000)}
    engine = create_engine(url, connect_args=connect_args, **options)
    guard_postgresql(engine, ping_seconds=ping_timeout, statement_seconds=statement_timeout,
                     retry_seconds=retry_seconds)
    return engine


def _limit_sqlite_statements(engine: Engine, seconds: float) -> None:
    """Interrupt any SQLite statement still running ``seconds`` after it started.

    SQLite has no statement timeout; its progress handler, called every few thousand virtual
    machine steps, can abort the running statement, which then raises OperationalError.
    """

    @event.listens_for(engine, "connect")
    def install(dbapi_connection, record):
        record.info["deadline"] = math.inf
        record.info["statement_seconds"] = seconds
        dbapi_connection.set_progress_handler(lambda: time.monotonic() > record.info["deadline"], 20_000)

    @event.listens_for(engine, "before_cursor_execute")
    def start(conn, cursor, statement, parameters, context, executemany):
        # Rows are fetched after execute: the deadline covers them too, and lapses at checkin.
        _start_statement_clock(conn.connection.info)

    @event.listens_for(engine, "checkin")
    def reset(dbapi_connection, record):
        record.info["deadline"] = math.inf


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


def _start_statement_clock(info: dict) -> None:
    if "statement_seconds" in info:
        info["deadline"] = time.monotonic() + info["statement_seconds"]


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported here, not with the module: only start-up and commands migrate, and
    # importing it cost every web worker and test process about a tenth of a second.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine) -> None:
    """Create the schema or bring it up to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def plain_rows(result) -> list[tuple]:
    """Result rows as plain tuples: pandas probes SQLAlchemy Row objects attribute by
    attribute (costly exceptions), which made building a large DataFrame several times slower."""
    return [tuple(row) for row in result]


def columns_of(rows: list[tuple], width: int) -> list[list]:
    """The rows' columns as lists. ``zip(*rows)`` does the same but, for the hundred
    thousand rows of a force-wide hotspot query, ten times as slowly (150 ms)."""
    return [list(map(itemgetter(i), rows)) for i in range(width)]


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
    _start_statement_clock(conn.connection.info)  # SQLite's statement limit
    guard = conn.connection.info.get("deadline_guard")  # PostgreSQL's client-side limit
    cursor = conn.connection.driver_connection.cursor()
    if guard is not None:
        guard.arm(conn.connection.dbapi_connection)
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    except conn.dialect.loaded_dbapi.Error as error:
        # Wrapped as SQLAlchemy would (OperationalError for a timeout), so callers and the
        # app's error handlers see one kind of exception whichever way a query ran.
        raise DBAPIError.instance(str(compiled), params, error, conn.dialect.loaded_dbapi.Error) from error
    finally:
        if guard is not None:
            guard.disarm(conn.connection.dbapi_connection)
        cursor.close()


def is_missing_schema(error: BaseException) -> bool:
    """Whether a database error says a table is missing: a database that was never set up,
    or was replaced by an empty one (PostgreSQL's undefined_table, SQLite's "no such table")."""
    original = getattr(error, "orig", error)
    return getattr(original, "sqlstate", None) == "42P01" or "no such table" in str(original)
