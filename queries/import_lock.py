"""One import at a time, across workers, hosts and the command line.

Two imports at once raced to add the same places and one ended on a unique-key error. On
PostgreSQL the lock is a session advisory lock, held on a connection of its own (freed if the
process dies); on SQLite it is an exclusive lock on a file beside the database. A second
import does not wait: it is told at once that another is running.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

ADVISORY_KEY = 7_204_355_117  # any fixed number: this app's import lock
BUSY = "another import is running; try again when it has finished"


class ImportBusy(Exception):
    """Another import holds the lock."""

    def __init__(self):
        super().__init__(BUSY)


@contextmanager
def import_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar():
                raise ImportBusy()
            conn.commit()  # the lock is the session's: no transaction stays open meanwhile
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":  # one process only: nothing to race
        yield
        return
    with open(Path(f"{database}.import-lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy() from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
