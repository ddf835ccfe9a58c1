"""Server-side sessions: a random token in the cookie, its hash and expiry in the database.

A session is valid only while its row exists and has not expired, and it carries the
account's current role, so signing out, deleting an account or changing its role or
password (which delete the rows) end every session of it on the next request.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import Connection, Engine, delete, insert, select

from .schema import user_account, user_session


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, username: str, seconds: float) -> str:
    """A new session for an account; returns the token to put in the cookie."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with engine.begin() as conn:
        conn.execute(delete(user_session).where(user_session.c.expires_at < now))  # tidy expired ones
        conn.execute(insert(user_session).values(token_hash=_hash(token), username=username,
                                                 created_at=now, expires_at=now + seconds))
    return token


def session_account(engine: Engine, token: str) -> tuple[str, str] | None:
    """(username, current role) of a live session, or None."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(user_account.c.username, user_account.c.role)
            .join(user_session, user_session.c.username == user_account.c.username)
            .where(user_session.c.token_hash == _hash(token), user_session.c.expires_at > time.time())
        ).first()
    return (row.username, row.role) if row else None


def end_session(engine: Engine, token: str) -> None:
    if isinstance(token, str) and token:
        with engine.begin() as conn:
            conn.execute(delete(user_session).where(user_session.c.token_hash == _hash(token)))


def end_sessions_of(conn: Connection, username: str) -> None:
    """End every session of an account (inside the caller's transaction)."""
    conn.execute(delete(user_session).where(user_session.c.username == username))
