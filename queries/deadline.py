"""Client-side limits on PostgreSQL calls, so a frozen server cannot hold a thread.

``statement_timeout`` is enforced by the server and libpq's keepalives by the peer's kernel:
a server process that is stopped (SIGSTOP, a hung VM, a storage stall) answers neither, and
a read on its socket waits for ever. A watchdog thread shuts down the socket of any call
still running at its deadline: the blocked read returns at once and psycopg raises
OperationalError, which the app answers with a 503. After such a stall the engine fails
fast for a few seconds (a circuit breaker), so threads are not spent waiting in turn.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, event
from sqlalchemy.exc import InvalidatePoolError

log = logging.getLogger(__name__)
GRACE_SECONDS = 2.0  # beyond the server's own statement_timeout, which should fire first


class Watchdog:
    """Shuts down the socket of any armed connection whose deadline has passed."""

    def __init__(self):
        self._armed: dict[int, tuple[float, object]] = {}
        self._cut: set[int] = set()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, connection, seconds: float) -> None:
        with self._wake:
            self._armed[id(connection)] = (time.monotonic() + seconds, connection)
            self._cut.discard(id(connection))
            if self._thread is None or not self._thread.is_alive():  # also in a forked worker
                self._thread = threading.Thread(target=self._run, name="db-deadline", daemon=True)
                self._thread.start()
            self._wake.notify()

    def disarm(self, connection) -> None:
        with self._wake:
            self._armed.pop(id(connection), None)

    def was_cut(self, connection) -> bool:
        """Whether the watchdog cut this connection's last armed call (asked once)."""
        with self._wake:
            if id(connection) in self._cut:
                self._cut.discard(id(connection))
                return True
            return False

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                for key, (deadline, connection) in list(self._armed.items()):
                    if deadline <= now:
                        del self._armed[key]
                        if _shut_down(connection):
                            self._cut.add(key)
                soonest = min((deadline for deadline, _ in self._armed.values()), default=math.inf)
                self._wake.wait(timeout=None if soonest == math.inf else max(0.01, soonest - now))


def _shut_down(connection) -> bool:
    """Shut the connection's socket both ways, waking any read blocked on it.

    Called under the watchdog's lock: the owner disarms before it closes the connection, so
    the descriptor is still this connection's socket.
    """
    try:
        if connection.closed:
            return False
        duplicate = socket.socket(fileno=os.dup(connection.fileno()))
    except Exception:  # already closed or broken: nothing to interrupt
        return False
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        duplicate.close()
    return True


class Breaker:
    """Open for ``seconds`` after a stall: calls fail at once instead of waiting again."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.open_until = 0.0

    def trip(self) -> None:
        self.open_until = time.monotonic() + self.seconds
        log.warning("database did not answer in time; failing fast", extra={"fields": {"seconds": self.seconds}})

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self.open_until


@dataclass
class Guard:
    """One engine's watchdog, breaker and statement limit (seconds, or None for none)."""

    watchdog: Watchdog
    breaker: Breaker
    statement_limit: float | None

    def arm(self, dbapi_connection) -> None:
        if self.statement_limit is not None:
            self.watchdog.arm(dbapi_connection, self.statement_limit)

    def disarm(self, dbapi_connection) -> None:
        self.watchdog.disarm(dbapi_connection)
        if self.watchdog.was_cut(dbapi_connection):
            self.breaker.trip()


def guard_postgresql(engine: Engine, *, ping_seconds: float, statement_seconds: float | None,
                     retry_seconds: float) -> Guard:
    """Give every call on ``engine``'s connections a client-side deadline.

    A pooled connection is pinged within ``ping_seconds`` before use (in place of
    ``pool_pre_ping``, which has no limit); each statement, commit and rollback gets
    ``statement_seconds`` plus a grace (None, for imports: no statement deadline). A stall
    trips a breaker: for ``retry_seconds`` new connections and checkouts fail at once.
    """
    statement_limit = None if statement_seconds is None else statement_seconds + GRACE_SECONDS
    guard = Guard(Watchdog(), Breaker(retry_seconds), statement_limit)
    dbapi = engine.dialect.loaded_dbapi

    def unavailable(reason: str):
        return dbapi.OperationalError(f"the database is not answering ({reason})")

    @event.listens_for(engine, "do_connect")
    def connect(dialect, record, cargs, cparams):
        if guard.breaker.is_open:
            raise unavailable("it stalled moments ago")
        try:
            return dialect.connect(*cargs, **cparams)
        except dbapi.OperationalError as error:
            if "timeout" in str(error).lower():
                guard.breaker.trip()
            raise

    @event.listens_for(engine, "connect")
    def opened(dbapi_connection, record):
        record.info["fresh"] = True  # just opened: no need to ping it
        record.info["deadline_guard"] = guard  # for queries.db.fetch_rows

    @event.listens_for(engine, "checkout")
    def ping(dbapi_connection, record, proxy):
        if guard.breaker.is_open:
            raise unavailable("it stalled moments ago")
        if record.info.pop("fresh", False):
            return
        guard.watchdog.arm(dbapi_connection, ping_seconds)
        try:
            engine.dialect.do_ping(dbapi_connection)
        except dbapi.Error as error:
            guard.watchdog.disarm(dbapi_connection)
            if guard.watchdog.was_cut(dbapi_connection):
                guard.breaker.trip()
                raise unavailable(f"no reply within {ping_seconds:g} s") from error
            raise InvalidatePoolError(f"pooled connection lost: {error}") from error
        guard.watchdog.disarm(dbapi_connection)

    if statement_limit is not None:
        @event.listens_for(engine, "before_cursor_execute")
        def start(conn, cursor, statement, parameters, context, executemany):
            guard.arm(conn.connection.dbapi_connection)

        @event.listens_for(engine, "after_cursor_execute")
        def finish(conn, cursor, statement, parameters, context, executemany):
            guard.disarm(conn.connection.dbapi_connection)

        @event.listens_for(engine, "commit")
        def commit(conn):
            guard.arm(conn.connection.dbapi_connection)  # disarmed at checkin

        @event.listens_for(engine, "reset")
        def reset(dbapi_connection, record, reset_state):
            guard.arm(dbapi_connection)  # the rollback on return to the pool; disarmed at checkin

    @event.listens_for(engine, "handle_error")
    def failed(context):
        dbapi_connection = _dbapi_connection_of(context)
        if dbapi_connection is not None:
            guard.disarm(dbapi_connection)

    for name in ("checkin", "invalidate", "soft_invalidate", "close", "close_detached"):
        event.listen(engine, name, _disarmer(guard))
    return guard


def _dbapi_connection_of(context):
    try:
        return context.connection.connection.dbapi_connection if context.connection is not None else None
    except Exception:  # invalidated or closed meanwhile
        return None


def _disarmer(guard: Guard):
    def disarm(dbapi_connection, *args):
        if dbapi_connection is not None:
            guard.disarm(dbapi_connection)

    return disarm
