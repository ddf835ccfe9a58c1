"""Reading partners' incident files: the documented template, and the ISTV minimum data
set as A&E departments export it to CSV. The whole file is checked before anything is
stored; each error names the file, row and field.

The template (README "The partner incident template"): ``source, incident_date``
(YYYY-MM-DD), ``incident_time`` (HH:MM, may be empty), ``latitude, longitude, lsoa_code,
location_text, category`` and the source-specific columns of ``incident_sources``. A record
needs a location: coordinates, an LSOA code or text.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from ..incident_sources import AE_ASSAULTS, PARTNER_SOURCES, SOURCES, SOURCES_BY_SLUG
from .errors import ErrorCollector, ImportRejected, RowError
from .files import checksum, decode_utf8, text_stream

TEMPLATE_COLUMNS = ("source", "incident_date", "incident_time", "latitude", "longitude", "lsoa_code",
                    "location_text", "category")
REQUIRED_COLUMNS = ("incident_date", "category")
EXTRA_COLUMNS = tuple(dict.fromkeys(f for s in SOURCES for f in s.extra_fields))
MAX_ROWS = 200_000  # a month of any partner's records is far smaller; bounds memory
MAX_TEXT = 200
FIRST_DATE = date(2000, 1, 1)
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}

# The ISTV minimum data set (NHS data dictionary, ISB 1594) as exported to CSV: its data
# element names, matched without regard to case, spaces or underscores.
ISTV_COLUMNS = {
    "arrivaldateandtimeataccidentandemergencydepartment": "arrival",
    "assaultdateandtime": "assault",
    "assaultmethod": "weapon",
    "assaultmethodotherdescription": "body_part",
    "assaultlocationtype": "location_type",
    "assaultlocationdescription": "location_text",
}
ISTV_REQUIRED = ("assault", "weapon", "location_text")
DATE_TIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
                     "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


@dataclass
class IncidentRow:
    line: int
    source: str
    incident_date: str
    incident_time: str | None
    latitude: float | None
    longitude: float | None
    lsoa_code: str
    location_text: str
    category: str
    details: dict = field(default_factory=dict)

    @property
    def month(self) -> str:
        return self.incident_date[:7]


@dataclass
class IncidentFile:
    name: str
    checksum: str
    kind: str  # "template" or "ISTV"
    rows: list[IncidentRow]

    @property
    def sources(self) -> list[str]:
        return sorted({r.source for r in self.rows})


def _key(column: str) -> str:
    return re.sub(r"[^a-z]", "", column.lower())


def is_istv(header: list[str]) -> bool:
    return {"assault", "weapon"} <= {ISTV_COLUMNS.get(_key(c)) for c in header}


def parse_incidents(name: str, data: bytes, source: str | None = None, today: date | None = None) -> IncidentFile:
    """Check a template or ISTV file whole; raise ``ImportRejected`` listing its errors."""
    if source is not None and source not in PARTNER_SOURCES:
        raise ImportRejected([RowError(name, None, "source", _source_message(source))])
    text = decode_utf8(name, data)
    reader = csv.reader(text_stream(text))
    header = next(reader, None)
    if not header:
        raise ImportRejected([RowError(name, None, None, "the file is empty")])
    header = [h.strip() for h in header]
    today = today or date.today()
    errors = ErrorCollector(name)
    if is_istv(header):
        if source not in (None, AE_ASSAULTS):
            raise ImportRejected([RowError(name, None, "source", f"an ISTV file is {AE_ASSAULTS}, not {source}")])
        rows = _istv_rows(header, reader, errors, today)
        kind = "ISTV"
    else:
        rows = _template_rows(header, reader, errors, source, today)
        kind = "template"
    if not rows and not errors.errors:
        errors.add(None, None, "the file has a header but no rows")
    errors.raise_if_any()
    return IncidentFile(name, checksum(data), kind, rows)


def _source_message(source: str) -> str:
    if source in SOURCES_BY_SLUG:
        return f"'{source}' comes from data.police.uk files (import them with import-policeuk)"
    return f"'{source}' is not one of {', '.join(PARTNER_SOURCES)}"


def _records(header: list[str], reader, errors: ErrorCollector):
    for row in reader:
        line = reader.line_num
        if line > MAX_ROWS + 1:
            errors.add(line, None, f"the file has more than {MAX_ROWS:,} rows; split it by month")
            return
        if not any(v.strip() for v in row):
            continue
        if len(row) != len(header):
            errors.add(line, None, f"has {len(row)} fields, expected {len(header)}")
            continue
        yield line, {h: v.strip() for h, v in zip(header, row)}
        if errors.full:
            return


def _template_rows(header, reader, errors, source, today) -> list[IncidentRow]:
    known = set(TEMPLATE_COLUMNS) | set(EXTRA_COLUMNS)
    for column in header:
        if column not in known:
            errors.add(1, column, "unknown column (see the template in README.md)")
    for column in REQUIRED_COLUMNS + (() if source else ("source",)):
        if column not in header:
            errors.add(1, column, "required column is missing")
    if len(set(header)) != len(header):
        errors.add(1, None, "a column is named twice")
    errors.raise_if_any()
    rows = []
    for line, values in _records(header, reader, errors):
        row_source = values.get("source") or source or ""
        if source and values.get("source") and values["source"] != source:
            errors.add(line, "source", f"'{values['source']}' differs from --source {source}")
            continue
        if row_source not in PARTNER_SOURCES:
            errors.add(line, "source", _source_message(row_source) if row_source else "empty")
            continue
        checked = _check_common(line, values, row_source, errors, today)
        if checked is not None:
            rows.append(checked)
    return rows


def _check_common(line: int, values: dict, source: str, errors: ErrorCollector, today: date) -> IncidentRow | None:
    before = len(errors.errors)
    day = _date(values.get("incident_date", ""), "incident_date", line, errors, today)
    time_text = values.get("incident_time", "")
    if time_text and not TIME.match(time_text):
        errors.add(line, "incident_time", f"'{time_text}' is not a time (HH:MM, 00:00 to 23:59)")
    before_coordinates = len(errors.errors)
    latitude = _number(values.get("latitude", ""), "latitude", 49.0, 61.0, line, errors)
    longitude = _number(values.get("longitude", ""), "longitude", -8.7, 2.0, line, errors)
    if (latitude is None) != (longitude is None) and len(errors.errors) == before_coordinates:
        errors.add(line, "latitude" if latitude is None else "longitude", "one coordinate without the other")
    lsoa_code = values.get("lsoa_code", "").upper()
    if lsoa_code and not LSOA_CODE.match(lsoa_code):
        errors.add(line, "lsoa_code", f"'{values['lsoa_code']}' is not an LSOA code (E01 and six digits)")
    location_text = values.get("location_text", "")
    if latitude is None and not lsoa_code and not location_text:
        errors.add(line, "location_text", "no location: give coordinates, an LSOA code or a place in words")
    category = values.get("category", "")
    if not category:
        errors.add(line, "category", "empty")
    elif len(category) > 32:
        errors.add(line, "category", "longer than 32 characters")
    for column in ("location_text", "category", *EXTRA_COLUMNS):
        if len(values.get(column, "")) > MAX_TEXT:
            errors.add(line, column, f"longer than {MAX_TEXT} characters")
    details = _details(line, values, source, errors, today)
    if len(errors.errors) != before or day is None:
        return None
    return IncidentRow(line, source, day.isoformat(), time_text or None, latitude, longitude, lsoa_code,
                       location_text, category.lower(), details)


def _details(line: int, values: dict, source: str, errors: ErrorCollector, today: date) -> dict:
    own = SOURCES_BY_SLUG[source].extra_fields
    details = {}
    for column in EXTRA_COLUMNS:
        value = values.get(column, "")
        if not value:
            continue
        if column not in own:
            errors.add(line, column, f"is not a field of {source} (its fields: {', '.join(own) or 'none'})")
        elif column == "needles":
            if not value.isascii() or not value.isdigit():
                errors.add(line, column, f"'{value}' is not a whole number")
                continue
            details[column] = int(value)
        elif column == "near_play_area":
            if value.lower() not in YES | NO:
                errors.add(line, column, f"'{value}' is not yes or no")
                continue
            details[column] = value.lower() in YES
        elif column == "arrival_date":
            if _date(value, column, line, errors, today) is not None:
                details[column] = value
        elif column == "arrival_time":
            if not TIME.match(value):
                errors.add(line, column, f"'{value}' is not a time (HH:MM)")
                continue
            details[column] = value
        else:
            details[column] = value
    return details


def _date(text: str, field_name: str, line: int, errors: ErrorCollector, today: date) -> date | None:
    if not text:
        errors.add(line, field_name, "empty")
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors.add(line, field_name, f"'{text}' is not a date (YYYY-MM-DD)")
    elif not FIRST_DATE <= day <= today:
        errors.add(line, field_name, f"{text} is before {FIRST_DATE.isoformat()} or in the future")
        day = None
    return day


def _number(text: str, field_name: str, low: float, high: float, line: int, errors: ErrorCollector) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        errors.add(line, field_name, f"'{text}' is not a number")
        return None
    if not math.isfinite(value) or not low <= value <= high:
        errors.add(line, field_name, f"{text} is outside {low} to {high} (Great Britain)")
        return None
    return value


def _istv_rows(header, reader, errors, today) -> list[IncidentRow]:
    roles = [ISTV_COLUMNS.get(_key(c)) for c in header]
    for role in ISTV_REQUIRED:
        if role not in roles:
            errors.add(1, role, "required ISTV column is missing (see README: the ISTV export)")
    errors.raise_if_any()
    labels = {role: column for column, role in zip(header, roles) if role}
    rows = []
    for line, values in _records(header, reader, errors):
        by_role = {roles[i]: v for i, v in enumerate(values.values()) if roles[i]}
        assault = _date_time(by_role.get("assault", ""), labels["assault"], line, errors, today)
        template = {
            "incident_date": assault[0].isoformat() if assault else "",
            "incident_time": assault[1] or "" if assault else "",
            "location_text": by_role.get("location_text", ""),
            "category": "assault",
            "weapon": by_role.get("weapon", ""),
            "body_part": by_role.get("body_part", ""),
        }
        if by_role.get("arrival"):
            arrival = _date_time(by_role["arrival"], labels["arrival"], line, errors, today)
            if arrival:
                template["arrival_date"] = arrival[0].isoformat()
                template["arrival_time"] = arrival[1] or ""
        if not template["weapon"]:
            errors.add(line, labels["weapon"], "empty")
        if assault is None:
            continue
        before = len(errors.errors)
        checked = _check_common(line, template, AE_ASSAULTS, errors, today)
        # Errors name the file's own columns, not the template's.
        names = {"location_text": labels["location_text"], "weapon": labels["weapon"],
                 "body_part": labels.get("body_part", "body_part")}
        errors.errors[before:] = [replace(e, field=names.get(e.field, e.field)) for e in errors.errors[before:]]
        if checked is not None:
            if by_role.get("location_type"):
                checked.details["location_type"] = by_role["location_type"][:MAX_TEXT]
            rows.append(checked)
    return rows


def _date_time(text: str, column: str, line: int, errors: ErrorCollector, today: date):
    """(date, "HH:MM" or None) from an ISTV date and time; a date alone means the time is unknown."""
    for fmt in DATE_TIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not FIRST_DATE <= moment.date() <= today:
            break
        return moment.date(), moment.strftime("%H:%M")
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if FIRST_DATE <= day <= today:
            return day, None
    errors.add(line, column, f"'{text}' is not a date and time (DD/MM/YYYY HH:MM or YYYY-MM-DD HH:MM) "
                             f"from {FIRST_DATE.isoformat()} to today" if text else "empty")
    return None


def details_json(details: dict) -> str | None:
    return json.dumps(details, sort_keys=True) if details else None
