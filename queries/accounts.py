"""Accounts kept by the app: partners and administrators, with hashed passwords."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Engine, delete, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .schema import user_account
from .sessions import end_sessions_of

ROLES = ("partner", "admin")
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,80}$")
MIN_PASSWORD = 12


@cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so timing does not reveal it.

    Made on first use, not at import: scrypt costs a quarter of a second of every start-up."""
    return generate_password_hash("not-a-real-password-000")


def set_account(engine: Engine, username: str, password: str, role: str) -> None:
    """Create an account or change its password and role (scrypt, Werkzeug's default).

    Changing an existing account ends all its sessions: a lowered role or a new password
    must not leave an old cookie working."""
    if not USERNAME.match(username):
        raise ValueError("a username is 3 to 80 letters, digits or . _ @ -")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    values = {"password_hash": generate_password_hash(password), "role": role}
    with engine.begin() as conn:
        exists = conn.execute(select(user_account.c.username).where(user_account.c.username == username)).first()
        if exists:
            end_sessions_of(conn, username)
            conn.execute(update(user_account).where(user_account.c.username == username).values(**values))
        else:
            conn.execute(insert(user_account).values(username=username, created_at=datetime.now(UTC), **values))


def delete_account(engine: Engine, username: str) -> bool:
    """Delete an account and end its sessions."""
    with engine.begin() as conn:
        end_sessions_of(conn, username)
        return conn.execute(delete(user_account).where(user_account.c.username == username)).rowcount > 0


def authenticate(engine: Engine, username: str, password: str) -> str | None:
    """The account's role if the password is right, else None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(user_account.c.password_hash, user_account.c.role).where(user_account.c.username == username)
        ).first()
    if row is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return row.role if check_password_hash(row.password_hash, password) else None
