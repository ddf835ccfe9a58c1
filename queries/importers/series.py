"""Import published and partner series from the documented CSV template.

The whole file is checked before anything is written; each series in the file replaces
any earlier version of itself. The template is described in README.md.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from ..periods import parse_period
from ..records import IMPORT, audit
from ..reference import AREAS_BY_CODE
from ..schema import series, series_value
from .bookkeeping import bump_data_version, current_user, log_import
from .errors import ErrorCollector, ImportRejected, RowError
from .files import checksum, decode_utf8, text_stream

REQUIRED_COLUMNS = ("series_id", "title", "theme", "unit", "area_code", "period", "value", "source")
OPTIONAL_COLUMNS = ("category", "source_table", "sensitive", "note")
THEMES = ("crime", "asb", "domestic-abuse", "repeat-victimisation", "exploitation", "hate-crime")
UNITS = ("count", "percent", "rate_per_1000", "count_change", "percent_change", "score")
SERIES_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
YES = {"yes", "true", "1", "y"}
NO = {"no", "false", "0", "n", ""}
# Series-level fields that must agree on every row of a series.
SERIES_FIELDS = ("title", "theme", "unit", "sensitive")


@dataclass
class SeriesFile:
    name: str
    checksum: str
    series: dict[str, dict]  # id -> series row
    values: list[dict]
    rows_read: int


def parse_series(name: str, data: bytes) -> SeriesFile:
    text = decode_utf8(name, data)
    reader = csv.DictReader(text_stream(text))
    header = reader.fieldnames
    if not header:
        raise ImportRejected([RowError(name, None, None, "the file is empty")])
    errors = ErrorCollector(name)
    for column in header:
        if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            errors.add(1, column, "unknown column (see the template in README.md)")
    for column in REQUIRED_COLUMNS:
        if column not in header:
            errors.add(1, column, "required column is missing")
    errors.raise_if_any()

    found: dict[str, dict] = {}
    first_row_of: dict[str, int] = {}
    keys: dict[tuple, int] = {}
    values: list[dict] = []
    rows_read = 0
    for row in reader:
        line = reader.line_num
        rows_read += 1
        if None in row or any(v is None for v in row.values()):
            errors.add(line, None, f"has the wrong number of fields, expected {len(header)}")
            continue
        row = {k: (v or "").strip() for k, v in row.items()}
        value = _check_row(row, line, errors)
        series_row = {
            "id": row["series_id"], "title": row["title"], "theme": row["theme"],
            "unit": row["unit"], "sensitive": row.get("sensitive", "").lower() in YES,
        }
        if row["series_id"] in found:
            for field_name in SERIES_FIELDS:
                if found[row["series_id"]][field_name] != series_row[field_name]:
                    errors.add(
                        line, field_name,
                        f"differs from row {first_row_of[row['series_id']]} of the same series",
                    )
        else:
            found[row["series_id"]] = series_row
            first_row_of[row["series_id"]] = line
        key = (row["series_id"], row["area_code"], row["period"], row.get("category", ""))
        if key in keys:
            errors.add(line, "period", f"duplicates row {keys[key]} (same series, area, period and category)")
        keys.setdefault(key, line)
        period = parse_period(row["period"])
        if value is not None and period is not None:
            values.append(
                {
                    "series_id": row["series_id"], "area_code": row["area_code"],
                    "period": row["period"], "period_type": period[0], "period_start": period[1],
                    "category": row.get("category", ""), "value": value,
                    "source": row["source"], "source_table": row.get("source_table", ""),
                    "note": row.get("note", ""),
                }
            )
        if errors.full:
            break
    if rows_read == 0:
        errors.add(None, None, "the file has a header but no rows")
    errors.raise_if_any()
    return SeriesFile(name, checksum(data), found, values, rows_read)


def _check_row(row: dict, line: int, errors: ErrorCollector) -> float | None:
    for column in REQUIRED_COLUMNS:
        if column != "value" and not row[column]:
            errors.add(line, column, "empty")
    if row["series_id"] and not SERIES_ID.match(row["series_id"]):
        errors.add(line, "series_id", "use lower-case letters, digits and hyphens (at most 80)")
    if row["theme"] and row["theme"] not in THEMES:
        errors.add(line, "theme", f"'{row['theme']}' is not one of {', '.join(THEMES)}")
    if row["unit"] and row["unit"] not in UNITS:
        errors.add(line, "unit", f"'{row['unit']}' is not one of {', '.join(UNITS)}")
    if row["area_code"] and row["area_code"] not in AREAS_BY_CODE:
        errors.add(line, "area_code", f"unknown area code '{row['area_code']}'")
    if row["period"] and parse_period(row["period"]) is None:
        errors.add(line, "period", f"'{row['period']}' is not a period (YYYY, YYYY/YY, YYYY-Qn or YYYY-MM)")
    sensitive = row.get("sensitive", "").lower()
    if sensitive not in YES | NO:
        errors.add(line, "sensitive", f"'{row['sensitive']}' is not yes or no")
    return _check_value(row["value"], row["unit"], line, errors)


def _check_value(text: str, unit: str, line: int, errors: ErrorCollector) -> float | None:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        errors.add(line, "value", f"'{text}' is not a number")
        return None
    if not math.isfinite(value):
        errors.add(line, "value", f"'{text}' is not a finite number")
        return None
    if unit in ("count", "percent", "rate_per_1000") and value < 0:
        errors.add(line, "value", f"{text} is negative; a {unit} cannot be")
        return None
    if unit == "count" and value != int(value):
        errors.add(line, "value", f"{text} is not a whole number; a count must be")
        return None
    if unit == "percent" and value > 100:
        errors.add(line, "value", f"{text} is over 100; a percentage cannot be")
        return None
    return value


def import_series(
    engine: Engine,
    path: str | Path,
    *,
    kind: str = "partner",
    imported_by: str | None = None,
    data: bytes | None = None,
) -> SeriesFile:
    """Check a template CSV and store its series, replacing earlier versions of each."""
    name = str(path)
    data = Path(path).read_bytes() if data is None else data
    parsed = parse_series(name, data)
    with engine.begin() as conn:
        existing = {
            row.id: row.kind
            for row in conn.execute(
                select(series.c.id, series.c.kind).where(series.c.id.in_(list(parsed.series)))
            )
        }
        clashes = [sid for sid, k in existing.items() if k != kind]
        if clashes:
            raise ImportRejected(
                [RowError(name, None, "series_id", f"'{sid}' is already a {existing[sid]} series") for sid in clashes]
            )
        log_id = log_import(
            conn, kind=f"{kind} series", filename=name, checksum=parsed.checksum,
            rows_read=parsed.rows_read, rows_stored=len(parsed.values), outcome="stored",
            imported_by=imported_by,
        )
        ids = list(parsed.series)
        conn.execute(delete(series_value).where(series_value.c.series_id.in_(ids)))
        conn.execute(delete(series).where(series.c.id.in_(ids)))
        conn.execute(
            insert(series),
            [{**s, "kind": kind, "import_id": log_id} for s in parsed.series.values()],
        )
        conn.execute(insert(series_value), parsed.values)
        audit(conn, imported_by or current_user(), IMPORT, "series", name, ", ".join(sorted(existing)),
              f"{len(parsed.values)} values in {len(ids)} {kind} series: " + ", ".join(ids))
        bump_data_version(conn)
    return parsed
