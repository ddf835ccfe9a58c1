"""Counting sign-in attempts in the database: atomic, shared by every worker, durable.

One ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` both counts an attempt and reads the
count (SQLite 3.35+ and PostgreSQL), so parallel attempts each see a different number.
A window starts with the first attempt and lasts ``window`` seconds; rows whose window has
ended are purged (``purge_expired``), so the table holds only live counts.
"""

from __future__ import annotations

import time

from sqlalchemy import Engine, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite

from .schema import sign_in_attempt


def count_attempt(engine: Engine, key: str, window: float, now: float | None = None) -> int:
    """Count one attempt under ``key``; the number of attempts in its window, this one included."""
    now = time.time() if now is None else now
    dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(sign_in_attempt).values(key=key, attempts=1, window_ends=now + window)
    expired = sign_in_attempt.c.window_ends < now
    statement = statement.on_conflict_do_update(
        index_elements=[sign_in_attempt.c.key],
        set_={
            "attempts": case((expired, 1), else_=sign_in_attempt.c.attempts + 1),
            "window_ends": case((expired, statement.excluded.window_ends), else_=sign_in_attempt.c.window_ends),
        },
    ).returning(sign_in_attempt.c.attempts)
    with engine.begin() as conn:
        return conn.execute(statement).scalar_one()


def forget_attempts(engine: Engine, keys: list[str], now: float | None = None) -> None:
    """Clear the counts under ``keys`` (after a successful sign-in), and any expired windows."""
    with engine.begin() as conn:
        conn.execute(delete(sign_in_attempt).where(sign_in_attempt.c.key.in_(keys)))
    purge_expired(engine, now)


def purge_expired(engine: Engine, now: float | None = None) -> int:
    """Delete every count whose window has ended; how many were deleted."""
    now = time.time() if now is None else now
    with engine.begin() as conn:
        return conn.execute(delete(sign_in_attempt).where(sign_in_attempt.c.window_ends < now)).rowcount


def uncount_attempt(engine: Engine, key: str) -> None:
    """Take back one attempt under ``key`` (a successful sign-in does not use up an address's allowance)."""
    with engine.begin() as conn:
        conn.execute(update(sign_in_attempt).where(sign_in_attempt.c.key == key, sign_in_attempt.c.attempts > 0)
                     .values(attempts=sign_in_attempt.c.attempts - 1))
