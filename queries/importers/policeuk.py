"""Import data.police.uk street-level and outcomes files.

Every file is parsed and checked before anything is written; then all files are stored
in one transaction. A street file replaces the force-months it holds, so importing the
same file twice changes nothing and a newer download of an old month refreshes it.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from ..reference import (
    CRIME_TYPE_SLUG_BY_NAME,
    DISTRICT_BY_LSOA_PREFIX,
    FORCES_BY_NAME,
    Force,
    containing_areas,
)
from ..schema import incident, incident_count, loaded_month, lsoa, place, place_count
from .bookkeeping import bump_data_version, log_import
from .errors import ErrorCollector, ImportRejected, RowError
from .files import InputFile, checksum, decode_utf8, expand_paths, text_stream

STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
    "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
OUTCOMES_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
    "Location", "LSOA code", "LSOA name", "Outcome type",
]
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LSOA_CODE = re.compile(r"^[EW]0\d{7}$")
CRIME_ID = re.compile(r"^[0-9A-Za-z]{1,64}$")

SKIP_OUTSIDE_FORCE = "LSOA outside the force"
SKIP_DUPLICATE = "duplicate Crime ID in the month"

ProgressCallback = Callable[[int], None]


@dataclass
class StreetFile:
    name: str
    checksum: str
    force: Force
    rows: list[dict]
    lsoas: dict[str, tuple[str, str]]  # code -> (name, district code)
    rows_read: int = 0
    no_location: int = 0
    skipped: Counter = field(default_factory=Counter)

    @property
    def months(self) -> list[str]:
        return sorted({r["month"] for r in self.rows})


@dataclass
class OutcomesFile:
    name: str
    checksum: str
    force: Force
    latest: dict[str, tuple[str, str]]  # crime id -> (month, outcome), last one in the file
    rows_read: int = 0


@dataclass
class FileSummary:
    """What happened to one input file, for the command's closing report."""

    name: str
    kind: str  # "street", "outcomes" or "skipped"
    force: str | None = None
    months: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_stored: int = 0
    no_location: int = 0
    outcomes_updated: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    note: str = ""


# ---------------------------------------------------------------- parsing and checking


def _read_header(name: str, text: str) -> tuple[list[str] | None, csv.reader]:
    reader = csv.reader(text_stream(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRejected([RowError(name, 1, None, f"unreadable CSV header ({exc})")]) from exc
    return header, reader


def classify(source: InputFile, text: str) -> str:
    """'street', 'outcomes' or 'other' (stop and search), from the header; else an error."""
    header, _ = _read_header(source.name, text)
    if header is None:
        raise ImportRejected([RowError(source.name, None, None, "the file is empty")])
    if header == STREET_HEADER:
        return "street"
    if header == OUTCOMES_HEADER:
        return "outcomes"
    if source.base_name.lower().endswith("-stop-and-search.csv"):
        return "other"
    expected = OUTCOMES_HEADER if "outcomes" in source.base_name.lower() else STREET_HEADER
    missing = [c for c in expected if c not in header]
    unexpected = [c for c in header if c not in expected]
    detail = []
    if missing:
        detail.append("missing " + ", ".join(repr(c) for c in missing))
    if unexpected:
        detail.append("unexpected " + ", ".join(repr(c) for c in unexpected))
    if not detail:
        detail.append("columns out of order")
    raise ImportRejected(
        [RowError(source.name, 1, None, "not a data.police.uk street or outcomes header: " + "; ".join(detail))]
    )


def _rows(reader, width: int, errors: ErrorCollector) -> Iterable[tuple[int, list[str]]]:
    try:
        for row in reader:
            if len(row) != width:
                errors.add(
                    reader.line_num, None,
                    f"has {len(row)} fields, expected {width} (is the file truncated?)",
                )
                continue
            yield reader.line_num, row
    except csv.Error as exc:
        errors.add(reader.line_num, None, f"unreadable CSV ({exc}; is the file truncated?)")


def _coordinate(value: str, field_name: str, low: float, high: float, line: int, errors) -> float | None:
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        errors.add(line, field_name, f"'{value}' is not a number")
        return None
    if not low <= number <= high:
        errors.add(line, field_name, f"{number} is outside {low} to {high}")
        return None
    return number


def parse_street(source: InputFile, data: bytes, is_synthetic: bool = False) -> StreetFile | FileSummary:
    """Check every row of a street file; return its rows, or a summary if its force is unknown."""
    text = decode_utf8(source.name, data)
    _, reader = _read_header(source.name, text)
    errors = ErrorCollector(source.name)
    parsed: StreetFile | None = None
    seen_ids: set[tuple[str, str]] = set()
    for line, row in _rows(reader, len(STREET_HEADER), errors):
        if errors.full:
            break
        crime_id, month, _reported, falls_within, lon, lat, location, lsoa_code, lsoa_name, crime_type, outcome, _ = row
        if parsed is None:
            force = FORCES_BY_NAME.get(falls_within)
            if force is None:
                return FileSummary(source.name, "skipped", note=f"force '{falls_within}' is not configured")
            parsed = StreetFile(source.name, checksum(data), force, [], {})
        parsed.rows_read += 1
        if falls_within != parsed.force.name:
            errors.add(line, "Falls within", f"'{falls_within}' differs from the file's force '{parsed.force.name}'")
        if not MONTH.match(month):
            errors.add(line, "Month", f"'{month}' is not a month (YYYY-MM)")
        slug = CRIME_TYPE_SLUG_BY_NAME.get(crime_type)
        if slug is None:
            errors.add(line, "Crime type", f"unknown crime type '{crime_type}'")
        if crime_id and not CRIME_ID.match(crime_id):
            errors.add(line, "Crime ID", f"'{crime_id[:80]}' is not a data.police.uk crime id")
        longitude = _coordinate(lon, "Longitude", -180, 180, line, errors)
        latitude = _coordinate(lat, "Latitude", -90, 90, line, errors)
        if (longitude is None) != (latitude is None):
            errors.add(line, "Latitude" if latitude is None else "Longitude", "one coordinate without the other")
        district = None
        if lsoa_code:
            if not LSOA_CODE.match(lsoa_code):
                errors.add(line, "LSOA code", f"'{lsoa_code}' is not an LSOA code")
                continue
            district = DISTRICT_BY_LSOA_PREFIX.get(lsoa_name.rsplit(" ", 1)[0])
            if district is None:
                if not lsoa_name:
                    errors.add(line, "LSOA name", "empty, but the LSOA code is given")
                else:
                    parsed.skipped[SKIP_OUTSIDE_FORCE] += 1
                continue
        elif longitude is not None:
            errors.add(line, "LSOA code", "empty, but the row has coordinates")
        if crime_id:
            key = (month, crime_id)
            if key in seen_ids:
                parsed.skipped[SKIP_DUPLICATE] += 1
                continue
            seen_ids.add(key)
        if district is None:
            parsed.no_location += 1
        else:
            parsed.lsoas.setdefault(lsoa_code, (lsoa_name, district))
        parsed.rows.append(
            {
                "force_code": parsed.force.code,
                "month": month,
                "crime_id": crime_id or None,
                "crime_type": slug,
                "district_code": district,
                "lsoa_code": lsoa_code or None,
                "location": location or None,
                "place_id": None,
                "longitude": longitude,
                "latitude": latitude,
                "last_outcome": outcome or None,
                "last_outcome_month": None,
                "is_synthetic": is_synthetic,
            }
        )
    errors.raise_if_any()
    if parsed is None:
        raise ImportRejected([RowError(source.name, None, None, "the file has a header but no rows")])
    return parsed


def parse_outcomes(source: InputFile, data: bytes) -> OutcomesFile | FileSummary:
    text = decode_utf8(source.name, data)
    _, reader = _read_header(source.name, text)
    errors = ErrorCollector(source.name)
    parsed: OutcomesFile | None = None
    for line, row in _rows(reader, len(OUTCOMES_HEADER), errors):
        if errors.full:
            break
        crime_id, month, _reported, falls_within, *_place, outcome = row
        if parsed is None:
            force = FORCES_BY_NAME.get(falls_within)
            if force is None:
                return FileSummary(source.name, "skipped", note=f"force '{falls_within}' is not configured")
            parsed = OutcomesFile(source.name, checksum(data), force, {})
        parsed.rows_read += 1
        if falls_within != parsed.force.name:
            errors.add(line, "Falls within", f"'{falls_within}' differs from the file's force '{parsed.force.name}'")
        if not CRIME_ID.match(crime_id):
            errors.add(line, "Crime ID", "empty or not a data.police.uk crime id")
        if not MONTH.match(month):
            errors.add(line, "Month", f"'{month}' is not a month (YYYY-MM)")
        if not outcome:
            errors.add(line, "Outcome type", "empty")
        previous = parsed.latest.get(crime_id)
        if previous is None or previous[0] <= month:
            parsed.latest[crime_id] = (month, outcome)
    errors.raise_if_any()
    if parsed is None:
        raise ImportRejected([RowError(source.name, None, None, "the file has a header but no rows")])
    return parsed


def check_files(paths: Iterable[str | Path]) -> list[tuple[InputFile, str]]:
    """Classify every input file; raise on the first that is not a data.police.uk file."""
    found = []
    for source in expand_paths(paths):
        # The header is enough to classify; full decoding and checks come in parse_*.
        head = source.read_bytes()[:4096].decode("utf-8-sig", errors="replace").splitlines()
        found.append((source, classify(source, head[0] if head else "")))
    if not found:
        raise ImportRejected([RowError(", ".join(map(str, paths)), None, None, "no CSV files found")])
    return found


# ---------------------------------------------------------------- storing


def import_policeuk(
    engine: Engine,
    paths: Iterable[str | Path],
    *,
    imported_by: str | None = None,
    progress: ProgressCallback | None = None,
) -> list[FileSummary]:
    """Import street and outcomes files (any mix of CSV, gzip, zip and folders).

    ``progress`` is called with 1 after each file is checked and again after it is stored.
    """
    paths = list(paths)
    files = check_files(paths)
    # First pass: check every row of every file before writing anything.
    summaries: dict[str, FileSummary] = {}
    for source, kind in files:
        if kind == "other":
            summaries[source.name] = FileSummary(source.name, "skipped", note="not a street or outcomes file")
            continue
        parser = parse_street if kind == "street" else parse_outcomes
        result = parser(source, source.read_bytes())
        if isinstance(result, FileSummary):
            summaries[source.name] = result
        if progress:
            progress(1)
    # Second pass: store, street files before outcomes so outcomes find their crimes.
    to_store = [(s, k) for s, k in files if s.name not in summaries]
    to_store.sort(key=lambda item: (item[1] != "street", item[0].base_name))
    with engine.begin() as conn:
        for source, kind in to_store:
            data = source.read_bytes()
            if kind == "street":
                summaries[source.name] = store_street(conn, parse_street(source, data), imported_by)
            else:
                summaries[source.name] = store_outcomes(conn, parse_outcomes(source, data), imported_by)
            if progress:
                progress(1)
        if to_store:
            bump_data_version(conn)
    return [summaries[source.name] for source, _ in files]


def store_street(conn: Connection, parsed: StreetFile, imported_by: str | None, kind: str = "police.uk street") -> FileSummary:
    force = parsed.force.code
    months = parsed.months
    is_synthetic = bool(parsed.rows) and parsed.rows[0]["is_synthetic"]
    if not is_synthetic:
        remove_synthetic(conn, force)
    _delete_months(conn, force, months)
    _add_lsoas(conn, parsed.lsoas)
    _assign_places(conn, parsed.rows)
    for start in range(0, len(parsed.rows), 50_000):
        conn.execute(insert(incident), parsed.rows[start : start + 50_000])
    rebuild_counts(conn, force, months)
    rebuild_place_counts(conn, force, months)
    stored = len(parsed.rows)
    log_id = log_import(
        conn, kind=kind, filename=parsed.name, checksum=parsed.checksum,
        rows_read=parsed.rows_read, rows_stored=stored, outcome="stored",
        imported_by=imported_by,
    )
    per_month = Counter(r["month"] for r in parsed.rows)
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


def remove_synthetic(conn: Connection, force_code: str) -> None:
    """Drop a force's demo incidents once real ones arrive, so the two never mix."""
    synthetic_months = conn.execute(
        select(func.count()).select_from(loaded_month).where(
            loaded_month.c.force_code == force_code, loaded_month.c.is_synthetic.is_(True)
        )
    ).scalar()
    if not synthetic_months:
        return
    for table in (incident, incident_count, place_count):
        conn.execute(delete(table).where(table.c.force_code == force_code, table.c.is_synthetic.is_(True)))
    conn.execute(
        delete(loaded_month).where(
            loaded_month.c.force_code == force_code, loaded_month.c.is_synthetic.is_(True)
        )
    )


def _delete_months(conn: Connection, force_code: str, months: list[str]) -> None:
    for table in (incident, incident_count, place_count, loaded_month):
        conn.execute(delete(table).where(table.c.force_code == force_code, table.c.month.in_(months)))


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


def rebuild_place_counts(conn: Connection, force_code: str, months: list[str]) -> None:
    """Recount a force's months per place and crime type into ``place_count``."""
    grouped = (
        select(
            incident.c.force_code, incident.c.district_code, incident.c.month, incident.c.place_id,
            incident.c.crime_type, func.count().label("count"), incident.c.is_synthetic,
        )
        .where(incident.c.force_code == force_code, incident.c.month.in_(months), incident.c.place_id.is_not(None))
        .group_by(
            incident.c.force_code, incident.c.district_code, incident.c.month, incident.c.place_id,
            incident.c.crime_type, incident.c.is_synthetic,
        )
    )
    conn.execute(
        insert(place_count).from_select(
            ["force_code", "district_code", "month", "place_id", "crime_type", "count", "is_synthetic"], grouped
        )
    )


def rebuild_counts(conn: Connection, force_code: str, months: list[str]) -> None:
    """Recount a force's months from raw incidents into ``incident_count``, for every level.

    Districts are counted in SQL; counties and the force are summed from them here (the
    force also takes incidents with no location), so every area is one indexed lookup.
    """
    conn.execute(
        delete(incident_count).where(
            incident_count.c.force_code == force_code, incident_count.c.month.in_(months)
        )
    )
    grouped = conn.execute(
        select(
            incident.c.district_code, incident.c.month, incident.c.crime_type,
            func.count().label("count"), func.max(incident.c.is_synthetic.cast(Integer)),
        )
        .where(incident.c.force_code == force_code, incident.c.month.in_(months))
        .group_by(incident.c.district_code, incident.c.month, incident.c.crime_type)
    ).all()
    totals: Counter = Counter()
    synthetic: dict[tuple, bool] = {}
    for district, month, crime_type, count, is_synthetic in grouped:
        areas = [force_code] if district is None else containing_areas(district)
        for area_code in areas:
            totals[(area_code, month, crime_type)] += count
            synthetic[(area_code, month, crime_type)] = synthetic.get((area_code, month, crime_type), False) or bool(is_synthetic)
    if totals:
        conn.execute(
            insert(incident_count),
            [
                {"force_code": force_code, "area_code": area_code, "month": month, "crime_type": crime_type,
                 "count": count, "is_synthetic": synthetic[(area_code, month, crime_type)]}
                for (area_code, month, crime_type), count in totals.items()
            ],
        )


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
