"""Partner-entered records (interventions and targets): who owns each, how many may be
stored, and the audit log of every change to them and of series imports."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, insert, select

from .importers.errors import ImportRejected, RowError
from .schema import audit_log

DEFAULT_MAX_RECORDS = 500  # of each kind: MAX_INTERVENTIONS, MAX_TARGETS
CREATE, UPDATE, DELETE, IMPORT = "create", "update", "delete", "import"
SUMMARY_CHARACTERS = 2000


class NotOwner(Exception):
    """A change to a record that belongs to someone else, asked by a non-administrator."""

    def __init__(self, subject: str, record: str, owner: str):
        self.subject, self.record, self.owner = subject, record, owner
        super().__init__(f"the {subject} {record[:80]!r} was recorded by {owner}: only they or an administrator "
                         "may change or delete it")


def may_change(owner: str | None, actor: str, is_admin: bool) -> bool:
    return is_admin or owner is None or owner == actor


def check_room(conn: Connection, table, replaced: int, rows: list[dict], limit: int, source: str, what: str) -> None:
    """Refuse rows that would take the stored records past ``limit``, naming the first row over it."""
    stored = conn.execute(select(func.count()).select_from(table)).scalar_one()
    room = limit - (stored - replaced)
    if len(rows) > room:
        over = rows[max(room, 0)]
        raise ImportRejected([RowError(source, over.get("line"), None,
                                       f"{stored - replaced + len(rows):,} {what} would be stored, over the limit "
                                       f"of {limit:,} (the MAX_{what.upper()} setting); nothing was stored")])


def summary(record: dict | None, fields: tuple[str, ...]) -> str:
    """A record in one line, for the audit log ("" for none)."""
    if record is None:
        return ""
    text = "; ".join(f"{f}={record.get(f)}" for f in fields if f in record)
    return text[:SUMMARY_CHARACTERS]


def audit(conn: Connection, actor: str, action: str, subject: str, record: str, before: str = "",
          after: str = "") -> None:
    conn.execute(insert(audit_log).values(at=datetime.now(UTC), actor=actor[:200], action=action, subject=subject,
                                          record=record[:200], before=before, after=after))


def audit_entries(engine: Engine, limit: int = 200) -> list[dict]:
    """The latest entries, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit))
        return [dict(r) for r in rows.mappings()]
