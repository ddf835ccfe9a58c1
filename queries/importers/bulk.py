"""Fast storage of many months of rows that need no checking (the synthetic demo set).

A real file goes through ``policeuk.store_street`` row by row as dictionaries. Rows the
project made itself are already valid, so here they go to the database as tuples through
the driver's ``executemany`` (COPY on PostgreSQL) in one transaction; the incident indexes are dropped while an
empty table fills and built once at the end (one sort instead of a million inserts into a
B-tree); counts are rebuilt once for all months.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Index, Table, insert, select

from ..count_tables import rebuild_counts, rebuild_lsoa_counts, rebuild_packed_place_counts, rebuild_place_counts
from ..schema import loaded_month, place
from .bookkeeping import log_import
from .policeuk_store import _add_lsoas, _delete_months

# Column order of incident tuples handed to ``insert_rows``.
INCIDENT_COLUMNS = (
    "force_code", "month", "crime_id", "crime_type", "district_code", "lsoa_code",
    "location", "longitude", "latitude", "place_id", "last_outcome", "is_synthetic", "source",
)


def drop_indexes_while_empty(conn: Connection, tables: Iterable[Table]) -> list[Index]:
    """Drop the secondary indexes of those tables that hold no rows; return them to build
    again with ``create_indexes`` once the rows are in. A table that already holds rows
    keeps its indexes (rebuilding them over old rows would cost more than it saves)."""
    dropped = []
    for table in tables:
        if conn.execute(select(table.c.id).limit(1)).first() is None:
            for index in sorted(table.indexes, key=lambda ix: ix.name):
                index.drop(conn, checkfirst=True)
                dropped.append(index)
    return dropped


def create_indexes(conn: Connection, indexes: Iterable[Index]) -> None:
    for index in indexes:
        index.create(conn, checkfirst=True)


def place_ids(conn: Connection, points: Sequence[tuple[str, str, str, float, float]]) -> dict[tuple, int]:
    """Ids of map points (lsoa, district, name, longitude, latitude), adding the new ones."""
    lsoa_codes = sorted({p[0] for p in points})
    known: dict[tuple, int] = {}
    for start in range(0, len(lsoa_codes), 500):
        rows = conn.execute(
            select(place.c.id, place.c.lsoa_code, place.c.name, place.c.longitude, place.c.latitude)
            .where(place.c.lsoa_code.in_(lsoa_codes[start : start + 500]))
        )
        known.update({(code, name, lon, lat): pid for pid, code, name, lon, lat in rows})
    new = {}
    for code, district, name, lon, lat in points:
        if (code, name, lon, lat) not in known:
            new[(code, name, lon, lat)] = {"lsoa_code": code, "district_code": district, "name": name,
                                           "longitude": lon, "latitude": lat}
    if new:
        conn.execute(insert(place), list(new.values()))
        return place_ids(conn, points)
    return known


PLACE_COUNT_COLUMNS = ("force_code", "district_code", "month", "place_id", "crime_type", "count", "is_synthetic", "source")


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert tuples (in ``columns`` order): COPY on PostgreSQL with psycopg 3, the driver's
    executemany on SQLite, one multi-row INSERT elsewhere."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        # COPY streams the rows in one command: several times faster than INSERTs of
        # any batch size, which matters for the millions of rows of a force's ten years.
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    if conn.dialect.name != "sqlite":
        rows = [dict(zip(columns, row)) for row in rows]
        if rows:
            conn.execute(insert(table), rows)
        return
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def copy_csv(conn: Connection, table: Table, columns: Sequence[str], chunks: Iterable[str]) -> None:
    """COPY blocks of rows already formatted as CSV (no header; an empty unquoted field is
    NULL) into ``table``: PostgreSQL with psycopg 3 only.

    ``insert_rows`` hands the driver one Python tuple at a time, which for the tens of
    millions of rows of every force in England and Wales costs more than the server's own
    work; blocks formatted by pandas in C are sent as they are, in one COPY."""
    if not (conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"):
        raise ValueError("copy_csv needs PostgreSQL with psycopg 3")
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
            for text in chunks:
                copy.write(text)
    finally:
        cursor.close()


def finish_months(
    conn: Connection,
    force_code: str,
    rows_per_month: dict[str, int],
    *,
    kind: str,
    filename: str,
    checksum: str,
    imported_by: str,
    is_synthetic: bool,
    place_counts_stored: bool = False,
) -> None:
    """Counts, the import log and the loaded months for rows already inserted.

    ``place_counts_stored``: the caller counted per place itself (cheaper than a GROUP BY
    over every new incident when the rows were made in memory)."""
    months = sorted(rows_per_month)
    rebuild_counts(conn, force_code, months)
    rebuild_lsoa_counts(conn, force_code, months)  # evaluations of interventions read these
    if not place_counts_stored:
        rebuild_place_counts(conn, force_code, months)
    else:
        rebuild_packed_place_counts(conn, force_code, months)
    total = sum(rows_per_month.values())
    log_id = log_import(conn, kind=kind, filename=filename, checksum=checksum, rows_read=total,
                        rows_stored=total, outcome="stored", imported_by=imported_by)
    conn.execute(
        insert(loaded_month),
        [{"force_code": force_code, "month": m, "is_synthetic": is_synthetic,
          "rows_stored": rows_per_month[m], "import_id": log_id} for m in months],
    )


def clear_months(conn: Connection, force_code: str, months: list[str]) -> None:
    """Remove whatever the months about to be written hold."""
    _delete_months(conn, force_code, months)


def register_lsoas(conn: Connection, lsoas: dict[str, tuple[str, str]]) -> None:
    """Record LSOAs (code -> name, district code) not seen before."""
    _add_lsoas(conn, lsoas)
