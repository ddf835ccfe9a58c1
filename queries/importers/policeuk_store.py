"""Storing checked data.police.uk files: incidents, map points, LSOAs, outcomes, bookkeeping.

A street file replaces the force-months it holds, so importing the same file twice changes
nothing and a newer download of an old month refreshes it. A file that would replace a
stored month with far fewer rows (a partial download) is refused unless asked for.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Column, Connection, MetaData, String, Table, and_, delete, func, insert, or_, select, update

from ..count_tables import COUNT_TABLES, force_months, rebuild_counts, rebuild_lsoa_counts, rebuild_place_counts
from ..incident_sources import POLICE_SOURCES
from ..schema import incident, loaded_month, lsoa, place
from .bookkeeping import log_import
from .errors import ImportRejected, RowError
from .policeuk_parse import FileSummary, OutcomesFile, StreetFile

# A month whose new file has fewer than this share of the rows already stored for it is
# taken for a partial file: replacing the month would lose the rest.
PARTIAL_SHARE = 0.5


def store_street(
    conn: Connection, parsed: StreetFile, imported_by: str | None, kind: str = "police.uk street",
    *, replace_partial: bool = True,
) -> FileSummary:
    force = parsed.force.code
    months = parsed.months
    is_synthetic = bool(parsed.rows) and parsed.rows[0]["is_synthetic"]
    per_month = Counter(r["month"] for r in parsed.rows)
    if not replace_partial:
        check_not_partial(conn, parsed, per_month)
    if not is_synthetic:
        remove_synthetic(conn, force)
    _delete_months(conn, force, months)
    _add_lsoas(conn, parsed.lsoas)
    _assign_places(conn, parsed.rows)
    for start in range(0, len(parsed.rows), 50_000):
        conn.execute(insert(incident), parsed.rows[start : start + 50_000])
    rebuild_counts(conn, force, months)
    rebuild_place_counts(conn, force, months)
    rebuild_lsoa_counts(conn, force, months)
    stored = len(parsed.rows)
    log_id = log_import(
        conn, kind=kind, filename=parsed.name, checksum=parsed.checksum,
        rows_read=parsed.rows_read, rows_stored=stored, outcome="stored",
        imported_by=imported_by,
    )
    conn.execute(
        insert(loaded_month),
        [
            {"force_code": force, "month": m, "is_synthetic": is_synthetic,
             "rows_stored": per_month[m], "import_id": log_id}
            for m in months
        ],
    )
    return FileSummary(
        parsed.name, "street", force=parsed.force.name, months=months,
        rows_read=parsed.rows_read, rows_stored=stored, no_location=parsed.no_location,
        skipped=dict(parsed.skipped),
    )


def check_not_partial(conn: Connection, parsed: StreetFile, per_month: Counter) -> None:
    """Refuse a file that would replace a stored (real) month with under half its rows."""
    stored = dict(conn.execute(
        select(loaded_month.c.month, loaded_month.c.rows_stored).where(
            loaded_month.c.force_code == parsed.force.code, loaded_month.c.is_synthetic.is_(False),
            loaded_month.c.month.in_(list(per_month)),
        )
    ).all())
    errors = [
        RowError(parsed.name, None, "Month",
                 f"{month}: {per_month[month]:,} rows would replace the {stored[month]:,} stored for "
                 f"{parsed.force.name} (a partial file?); nothing was stored. To replace the month "
                 "anyway, import again with --replace-partial")
        for month in sorted(per_month)
        if stored.get(month) and per_month[month] < PARTIAL_SHARE * stored[month]
    ]
    if errors:
        raise ImportRejected(errors)


def remove_synthetic(conn: Connection, force_code: str) -> None:
    """Drop a force's demo incidents once real ones arrive, so the two never mix."""
    synthetic_months = conn.execute(
        select(func.count()).select_from(loaded_month).where(
            loaded_month.c.force_code == force_code, loaded_month.c.is_synthetic.is_(True)
        )
    ).scalar()
    if not synthetic_months:
        return
    for table in (incident, *COUNT_TABLES):
        conn.execute(delete(table).where(table.c.force_code == force_code, table.c.is_synthetic.is_(True),
                                         table.c.source.in_(POLICE_SOURCES)))
    conn.execute(
        delete(loaded_month).where(
            loaded_month.c.force_code == force_code, loaded_month.c.is_synthetic.is_(True)
        )
    )


def _delete_months(conn: Connection, force_code: str, months: list[str]) -> None:
    """Remove a force's police.uk rows of those months (partners' records stay)."""
    for table in (incident, *COUNT_TABLES):
        conn.execute(delete(table).where(*force_months(table, force_code, months)))
    conn.execute(delete(loaded_month).where(loaded_month.c.force_code == force_code, loaded_month.c.month.in_(months)))


def _add_lsoas(conn: Connection, lsoas: dict[str, tuple[str, str]]) -> None:
    if not lsoas:
        return
    codes = list(lsoas)
    known: set[str] = set()
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        known.update(conn.execute(select(lsoa.c.code).where(lsoa.c.code.in_(chunk))).scalars())
    new = [
        {"code": code, "name": name, "district_code": district}
        for code, (name, district) in lsoas.items()
        if code not in known
    ]
    if new:
        conn.execute(insert(lsoa), new)


def _place_key(row: dict) -> tuple:
    return (row["lsoa_code"], row["location"] or "", row["longitude"], row["latitude"])


def _assign_places(conn: Connection, rows: list[dict]) -> None:
    """Set each located row's place_id, adding map points not seen before."""
    located = [r for r in rows if r["district_code"] is not None and r["longitude"] is not None]
    if not located:
        return
    districts = {r["lsoa_code"]: r["district_code"] for r in located}
    ids = _place_ids(conn, list(districts))
    new = {}
    for row in located:
        key = _place_key(row)
        if key not in ids and key not in new:
            new[key] = {"lsoa_code": key[0], "district_code": districts[key[0]], "name": key[1],
                        "longitude": key[2], "latitude": key[3]}
    if new:
        conn.execute(insert(place), list(new.values()))
        ids = _place_ids(conn, sorted({key[0] for key in new}), ids)
    for row in located:
        row["place_id"] = ids[_place_key(row)]


def _place_ids(conn: Connection, lsoa_codes: list[str], known: dict | None = None) -> dict[tuple, int]:
    ids = dict(known or {})
    for start in range(0, len(lsoa_codes), 500):
        chunk = lsoa_codes[start : start + 500]
        for pid, code, name, lon, lat in conn.execute(
            select(place.c.id, place.c.lsoa_code, place.c.name, place.c.longitude, place.c.latitude)
            .where(place.c.lsoa_code.in_(chunk))
        ):
            ids[(code, name, lon, lat)] = pid
    return ids


def store_outcomes(conn: Connection, parsed: OutcomesFile, imported_by: str | None) -> FileSummary:
    """Set the last outcome of each named crime, unless a later outcome is already stored."""
    temp = Table(
        "outcome_update", MetaData(),
        Column("crime_id", String(64), primary_key=True),
        Column("month", String(7)),
        Column("outcome", String),
        prefixes=["TEMPORARY"],
    )
    temp.drop(conn, checkfirst=True)
    temp.create(conn)
    conn.execute(
        insert(temp),
        [{"crime_id": c, "month": m, "outcome": o} for c, (m, o) in parsed.latest.items()],
    )
    result = conn.execute(
        update(incident)
        .values(last_outcome=temp.c.outcome, last_outcome_month=temp.c.month)
        .where(
            and_(
                incident.c.crime_id == temp.c.crime_id,
                incident.c.force_code == parsed.force.code,
                or_(incident.c.last_outcome_month.is_(None), incident.c.last_outcome_month <= temp.c.month),
            )
        )
    )
    updated = result.rowcount
    temp.drop(conn)
    log_import(
        conn, kind="police.uk outcomes", filename=parsed.name, checksum=parsed.checksum,
        rows_read=parsed.rows_read, rows_stored=updated, outcome="stored", imported_by=imported_by,
    )
    return FileSummary(
        parsed.name, "outcomes", force=parsed.force.name,
        months=sorted({m for m, _ in parsed.latest.values()}),
        rows_read=parsed.rows_read, outcomes_updated=updated,
    )
