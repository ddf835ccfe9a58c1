"""Storing checked partner incident files: each record placed by the matcher, the source's
months replaced, counts rebuilt for that source only, and who imported what logged.

Importing a source's month again replaces every record of it (the file is the month's
whole record). Real records of a source replace its synthetic demo records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, insert, select

from ..count_tables import COUNT_TABLES, force_months, rebuild_counts, rebuild_lsoa_counts, rebuild_place_counts
from ..geography import lsoa_lookup
from ..incident_sources import PRECISIONS, UNMATCHED
from ..place_matcher import Match, PlaceIndex, add_premises, build_index, read_premises
from ..records import IMPORT, audit
from ..reference import THAMES_VALLEY
from ..schema import incident, source_month
from .bookkeeping import bump_data_version, current_user, log_import
from .incidents_parse import IncidentFile, IncidentRow, details_json, parse_incidents
from .policeuk_store import _add_lsoas

FORCE_CODE = THAMES_VALLEY  # every district the dashboard knows lies in Thames Valley
MAX_LISTED_UNMATCHED = 200


@dataclass
class IncidentImportSummary:
    name: str
    kind: str
    sources: list[str]
    months: list[str]
    rows_read: int
    rows_stored: int
    precision: dict[str, int]  # records per precision, every precision present
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (line, location text), the first few
    replaced: int = 0  # records of those months stored before

    def shares(self) -> dict[str, float]:
        total = sum(self.precision.values()) or 1
        return {p: self.precision[p] / total for p in PRECISIONS}

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.kind} file, {self.rows_stored:,} records of {', '.join(self.sources)} "
               f"for {', '.join(self.months)} (replacing {self.replaced:,} stored)"]
        out.append("Location precision: " + ", ".join(
            f"{p} {self.precision[p]:,} ({100 * share:.0f}%)" for p, share in self.shares().items()))
        if self.unmatched:
            out.append(f"{self.precision[UNMATCHED]:,} records are unmatched: counted at force level only, "
                       "listed under /admin/incidents for correction")
        return out


def place_rows(rows: list[IncidentRow], index: PlaceIndex) -> list[tuple[IncidentRow, Match]]:
    return [(row, index.match(row.location_text, row.lsoa_code, row.longitude, row.latitude)) for row in rows]


def import_incidents(
    engine: Engine,
    path: str | Path,
    *,
    source: str | None = None,
    premises: str | Path | None = None,
    imported_by: str | None = None,
    data: bytes | None = None,
    premises_data: bytes | None = None,
    is_synthetic: bool = False,
    today: date | None = None,
) -> IncidentImportSummary:
    """Check a template or ISTV file whole, then store it (one transaction)."""
    name = str(path)
    data = Path(path).read_bytes() if data is None else data
    parsed = parse_incidents(name, data, source, today)
    index = build_index(engine)
    if premises is not None:
        premises_bytes = Path(premises).read_bytes() if premises_data is None else premises_data
        add_premises(index, read_premises(str(premises), premises_bytes, index))
    placed = place_rows(parsed.rows, index)
    with engine.begin() as conn:
        summary = store_incidents(conn, parsed, placed, imported_by or current_user(), is_synthetic)
        bump_data_version(conn)
    return summary


def store_incidents(conn: Connection, parsed: IncidentFile, placed: list[tuple[IncidentRow, Match]],
                    imported_by: str, is_synthetic: bool) -> IncidentImportSummary:
    by_source: dict[str, list[str]] = {}
    for row in parsed.rows:
        months = by_source.setdefault(row.source, [])
        if row.month not in months:
            months.append(row.month)
    replaced = 0
    for source, months in by_source.items():
        if not is_synthetic:
            replaced += _remove_synthetic(conn, source)
        replaced += _delete_months(conn, source, sorted(months))
    log_id = log_import(conn, kind=f"incidents ({parsed.kind})", filename=parsed.name, checksum=parsed.checksum,
                        rows_read=len(parsed.rows), rows_stored=len(placed), outcome="stored",
                        imported_by=imported_by)
    _add_lsoas(conn, _lsoas_of(placed))
    records = [_record(row, match, log_id, is_synthetic) for row, match in placed]
    for start in range(0, len(records), 10_000):
        conn.execute(insert(incident), records[start : start + 10_000])
    all_months = sorted({m for months in by_source.values() for m in months})
    for source, months in by_source.items():
        rebuild_counts(conn, FORCE_CODE, sorted(months), (source,))
        rebuild_place_counts(conn, FORCE_CODE, sorted(months), (source,))
        rebuild_lsoa_counts(conn, FORCE_CODE, sorted(months), (source,))
        per_month = Counter(r.month for r in parsed.rows if r.source == source)
        conn.execute(insert(source_month), [
            {"source": source, "month": m, "is_synthetic": is_synthetic, "rows_stored": per_month[m],
             "import_id": log_id} for m in sorted(months)])
    precision = Counter(match.precision for _, match in placed)
    summary = IncidentImportSummary(
        parsed.name, parsed.kind, sorted(by_source), all_months, len(parsed.rows), len(placed),
        {p: precision.get(p, 0) for p in PRECISIONS},
        [(row.line, row.location_text) for row, match in placed if match.precision == UNMATCHED][:MAX_LISTED_UNMATCHED],
        replaced,
    )
    audit(conn, imported_by, IMPORT, "incidents", parsed.name,
          f"{replaced} records replaced" if replaced else "",
          f"{len(placed)} records of {', '.join(summary.sources)} for {', '.join(all_months)}; precision "
          + ", ".join(f"{p} {n}" for p, n in summary.precision.items()))
    return summary


def _record(row: IncidentRow, match: Match, import_id: int, is_synthetic: bool) -> dict:
    weekday = hour = None
    if row.incident_time:
        weekday = date.fromisoformat(row.incident_date).weekday()
        hour = int(row.incident_time[:2])
    return {
        "source": row.source, "force_code": FORCE_CODE, "month": row.month, "crime_id": None,
        "crime_type": row.category, "district_code": match.district_code, "lsoa_code": match.lsoa_code,
        "location": row.location_text or None, "longitude": match.longitude, "latitude": match.latitude,
        "place_id": match.place_id, "last_outcome": None, "last_outcome_month": None,
        "is_synthetic": is_synthetic, "incident_date": row.incident_date, "weekday": weekday, "hour": hour,
        "precision": match.precision, "details": details_json(row.details), "import_id": import_id,
    }


def _lsoas_of(placed: list[tuple[IncidentRow, Match]]) -> dict[str, tuple[str, str]]:
    """The LSOAs records were placed in (code -> name, district), from the shipped lookup."""
    lookup = lsoa_lookup()
    codes = {m.lsoa_code for _, m in placed if m.lsoa_code and m.lsoa_code in lookup.index}
    return {c: (lookup.at[c, "name"], lookup.at[c, "district_code"]) for c in codes}


def _delete_months(conn: Connection, source: str, months: list[str]) -> int:
    """Remove a source's records and counts of those months; return the records removed."""
    removed = conn.execute(delete(incident).where(*force_months(incident, FORCE_CODE, months, (source,)))).rowcount
    for table in COUNT_TABLES:
        conn.execute(delete(table).where(*force_months(table, FORCE_CODE, months, (source,))))
    conn.execute(delete(source_month).where(source_month.c.source == source, source_month.c.month.in_(months)))
    return removed


def _remove_synthetic(conn: Connection, source: str) -> int:
    """Drop a source's demo records once real ones arrive, so the two never mix."""
    months = list(conn.execute(select(source_month.c.month).where(
        source_month.c.source == source, source_month.c.is_synthetic.is_(True))).scalars())
    return _delete_months(conn, source, months) if months else 0
