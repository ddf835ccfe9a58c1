"""Rows every import writes besides its data: the import log and the data version."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from ..schema import data_version, import_log


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "unknown"


def log_import(
    conn: Connection,
    *,
    kind: str,
    filename: str,
    checksum: str,
    rows_read: int,
    rows_stored: int,
    outcome: str,
    imported_by: str | None = None,
) -> int:
    result = conn.execute(
        insert(import_log).values(
            kind=kind,
            filename=filename,
            checksum=checksum,
            imported_at=datetime.now(UTC),
            imported_by=imported_by or current_user(),
            rows_read=rows_read,
            rows_stored=rows_stored,
            outcome=outcome,
        )
    )
    return result.inserted_primary_key[0]


def bump_data_version(conn: Connection) -> int:
    """Advance the data version inside the import's transaction, so caches see it on commit."""
    current = conn.execute(select(data_version.c.version).where(data_version.c.id == 1)).scalar()
    if current is None:
        conn.execute(insert(data_version).values(id=1, version=1))
        return 1
    conn.execute(update(data_version).where(data_version.c.id == 1).values(version=current + 1))
    return current + 1
