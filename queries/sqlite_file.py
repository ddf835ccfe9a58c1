"""Notice a SQLite file moved away, deleted or replaced, and reconnect to whatever is there now.

An open SQLite connection keeps reading the file it opened, even after that file is renamed
or unlinked; and opening a missing path creates an empty database there. Restoring a backup
over the file, or moving it away and back, left pooled connections on the wrong file (503s
until a restart) while fresh ones saw the right one. Each connection remembers the file's
device and inode; a checkout that finds them changed drops every pooled connection.
"""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy import Engine, event
from sqlalchemy.exc import InvalidatePoolError


def file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``, or None when there is none."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def watch_sqlite_file(engine: Engine, *, create: bool) -> None:
    """Reconnect when the database file changes under the engine; with ``create=False``
    refuse to open (and so create) a missing file."""
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return

    @event.listens_for(engine, "do_connect")
    def connect(dialect, record, cargs, cparams):
        if not create and file_identity(path) is None:
            raise sqlite3.OperationalError(f"unable to open database file: {path} is missing")

    @event.listens_for(engine, "connect")
    def remember(dbapi_connection, record):
        record.info["file_identity"] = file_identity(path)

    @event.listens_for(engine, "checkout")
    def check(dbapi_connection, record, proxy):
        if record.info.get("file_identity") != file_identity(path):
            # Every connection opened before now is on the old file: the pool drops them all.
            raise InvalidatePoolError(f"the database file {path} was moved or replaced")
