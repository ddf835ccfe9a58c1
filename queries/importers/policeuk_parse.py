"""Reading and checking data.police.uk street and outcomes files, without storing anything.

``read_policeuk_file`` is the one check every way in uses (the ``import-policeuk`` command
and the admin upload): it classifies a file by its header, checks every row, and returns
the rows to store or the reason the file is skipped.
"""

from __future__ import annotations

import csv
import hashlib
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..incident_sources import police_source_of
from ..reference import (
    CRIME_TYPE_SLUG_BY_NAME,
    DISTRICT_BY_LSOA_PREFIX,
    FORCES_BY_NAME,
    FORCES_BY_SLUG,
    Force,
    force_of,
)
from .errors import ErrorCollector, ImportRejected, RowError
from .files import InputFile, checksum, decode_utf8, expand_paths, not_utf8, other_encoding, text_stream, too_large

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
# data.police.uk's street-level data begins with December 2010.
FIRST_MONTH = "2010-12"
# Exact copies of earlier rows, checked by a digest of each row in memory that grows with
# the distinct rows only. data.police.uk repeats identical rows where several ASB incidents
# share a map point and a month: in the real Thames Valley files (2018-03, 2022-01..04,
# 2023-12, 2024-01..04) a run of copied rows holds at most 4 different rows and one row
# appears at most 213 times. A run of copies holding REPEATED_BLOCK_ROWS different rows is a
# block pasted again (ASB included); a row met more than MAX_IDENTICAL_ROWS times is a fill.
REPEATED_BLOCK_ROWS = 10
MAX_IDENTICAL_ROWS = 1000
LONGEST_LINE = 64 * 1024

SKIP_OUTSIDE_FORCE = "LSOA outside the force"
SKIP_DUPLICATE = "duplicate Crime ID in the month"
STREET, OUTCOMES, OTHER = "street", "outcomes", "other"


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


def unknown_force(falls_within: str) -> str:
    """Why a file of a force without a police force area (British Transport Police, Northern
    Ireland) or of an unknown name is skipped."""
    return (f"force '{falls_within[:80]}' has no police force area of England and Wales "
            "(its rows would belong to no district)")


FILE_NAME = re.compile(r"^\d{4}-\d{2}-(?P<force>[a-z-]+)-(street|outcomes)\.csv$")


def check_named_force(source: InputFile, force: Force, line: int, errors: ErrorCollector) -> None:
    """A data.police.uk file name names its force ("2024-01-south-wales-street.csv"): rows of
    another force under that name are refused, so an archive's files cannot be crossed."""
    named = FILE_NAME.match(source.base_name)
    if named and named["force"] in FORCES_BY_SLUG and named["force"] != force.slug:
        errors.add(line, "Falls within", f"'{force.name}', but the file name names "
                                         f"{FORCES_BY_SLUG[named['force']].name}")


def district_of_lsoa(code: str, name: str) -> str | None:
    """The district (December 2023) an LSOA of either vintage lies in: by its own code where a
    boundary change moved it, else by the district its name begins with."""
    return DISTRICT_BY_LSOA_PREFIX.get(code) or DISTRICT_BY_LSOA_PREFIX.get(name.rsplit(" ", 1)[0])


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


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
        return STREET
    if header == OUTCOMES_HEADER:
        return OUTCOMES
    if source.base_name.lower().endswith("-stop-and-search.csv"):
        return OTHER
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


def classify_file(source: InputFile) -> str:
    """Classify from the file's first bytes only (a compressed file is not unpacked whole)."""
    head = source.head()
    if encoding := other_encoding(head):
        raise ImportRejected([RowError(source.name, None, None, not_utf8(encoding))])
    # Only the header line: the head may end inside a character, and the rows are checked later.
    return classify(source, head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace"))


def read_policeuk_file(
    source: InputFile, *, allow_duplicate_rows: bool = False, is_synthetic: bool = False,
) -> StreetFile | OutcomesFile | FileSummary:
    """Classify and check one file: the rows to store, or a summary saying why it is skipped."""
    if not allow_duplicate_rows and source.open_stream is not None and _looks_like_street(source):
        check_repeats(source)  # before the file is read whole: a file of copies is refused in bounded memory
    data = source.read_bytes()
    text = decode_utf8(source.name, data)
    kind = classify(source, text)
    if kind == OTHER:
        return FileSummary(source.name, "skipped", note="not a street or outcomes file")
    if kind == STREET:
        return parse_street(source, data, is_synthetic, allow_duplicate_rows=allow_duplicate_rows, text=text)
    return parse_outcomes(source, data, text=text)


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


def _check_month(month: str, line: int, errors: ErrorCollector, last: str) -> None:
    if not MONTH.match(month):
        errors.add(line, "Month", f"'{month}' is not a month (YYYY-MM)")
    elif month < FIRST_MONTH:
        errors.add(line, "Month", f"{month} is before data.police.uk's first month ({FIRST_MONTH})")
    elif month > last:
        errors.add(line, "Month", f"{month} is after the current month ({last})")


def parse_street(
    source: InputFile, data: bytes, is_synthetic: bool = False, *,
    allow_duplicate_rows: bool = False, text: str | None = None,
) -> StreetFile | FileSummary:
    """Check every row of a street file; return its rows, or a summary if its force is unknown."""
    text = decode_utf8(source.name, data) if text is None else text
    _, reader = _read_header(source.name, text)
    errors = ErrorCollector(source.name)
    parsed: StreetFile | None = None
    seen_ids: set[tuple[str, str]] = set()
    last = current_month()
    for line, row in _rows(reader, len(STREET_HEADER), errors):
        if errors.full:
            break
        crime_id, month, _reported, falls_within, lon, lat, location, lsoa_code, lsoa_name, crime_type, outcome, _ = row
        if parsed is None:
            force = FORCES_BY_NAME.get(falls_within)
            if force is None:
                return FileSummary(source.name, "skipped", note=unknown_force(falls_within))
            check_named_force(source, force, line, errors)
            parsed = StreetFile(source.name, checksum(data), force, [], {})
        parsed.rows_read += 1
        if falls_within != parsed.force.name:
            errors.add(line, "Falls within", f"'{falls_within}' differs from the file's force '{parsed.force.name}'")
        _check_month(month, line, errors, last)
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
            district = district_of_lsoa(lsoa_code, lsoa_name)
            if district is None or force_of(district) != parsed.force.code:
                # Map points are snapped to anonymous places, a few just over the force's border:
                # such a row is counted by no area of this force (and of no other force's file).
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
                "source": police_source_of(slug),
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


class _RepeatCheck:
    """Finds a repeated block or an over-repeated row as rows stream past: one 8-byte digest
    and first line per distinct row, and a run's few different rows."""

    def __init__(self):
        self.first_line: dict[bytes, int] = {}
        self.copies: Counter = Counter()  # only rows met more than once
        self.run: tuple[int, int, int, set[bytes]] | None = None  # (start, first original, last original, rows)
        self.found: tuple[int, str] | None = None
        self.end = 0

    def add(self, line: int, row: bytes) -> bool:
        """Take a row; True once it is a copy that completes a refusal (kept in ``found``)."""
        key = hashlib.blake2b(row, digest_size=8).digest()
        original = self.first_line.setdefault(key, line)
        if original == line:
            self.run = None
            return False
        self.copies[key] += 1
        if self.copies[key] >= MAX_IDENTICAL_ROWS:
            self.found = (line, f"this row is the same as {self.copies[key]:,} rows before it (first on row "
                                f"{original}); data.police.uk repeats a row at most a few hundred times")
            return True
        start, low, high, keys = self.run or (line, original, original, set())
        keys.add(key)
        self.run = (start, min(low, original), max(high, original), keys)
        self.end = line
        return len(keys) >= REPEATED_BLOCK_ROWS

    def block_message(self) -> tuple[int, str]:
        start, low, high, _keys = self.run
        return start, (f"rows {start} to {self.end} repeat rows {low} to {high}, each an exact copy "
                       "(a repeated block: was the file pasted into itself?)")

    def continues(self, line: int, row: bytes) -> bool:
        """Whether a row after a found block still copies an earlier one (read on only to name
        the block's end)."""
        key = hashlib.blake2b(row, digest_size=8).digest()
        original = self.first_line.get(key)
        if original is None or self.copies[key] + 1 >= MAX_IDENTICAL_ROWS:
            return False
        self.copies[key] += 1
        start, low, high, keys = self.run
        self.run = (start, min(low, original), max(high, original), keys)
        self.end = line
        return True


def _looks_like_street(source: InputFile) -> bool:
    """A street file by its header; any other answer is left to the full read to explain."""
    try:
        return classify_file(source) == STREET
    except ImportRejected:
        return False


def check_repeats(source: InputFile) -> None:
    """Refuse a street file holding a repeated block of rows or one row over-repeated,
    streaming its lines (a row of data.police.uk's files is one line) so that memory holds a
    digest per distinct row, never the file."""
    repeats = _RepeatCheck()
    try:
        with source.open_stream() as stream:
            lines = enumerate(iter(lambda: stream.readline(LONGEST_LINE), b""), start=1)
            next(lines, None)  # the header
            size = 0
            for line, raw in lines:  # once a repeat is found, read on only to count: too large is said first
                size += len(raw)
                if size > source.max_bytes:
                    raise ImportRejected([RowError(source.name, None, None, too_large(source.max_bytes))])
                if repeats.found is None and repeats.add(line, raw.rstrip(b"\r\n")) and repeats.found is None:
                    for line, raw in lines:  # noqa: B020 (a block: read on to its end)
                        size += len(raw)
                        if not repeats.continues(line, raw.rstrip(b"\r\n")):
                            break
                    repeats.found = repeats.block_message()
    except (EOFError, OSError, zlib.error, zipfile.BadZipFile):
        return  # reading it whole names the damage
    if repeats.found:
        line, message = repeats.found
        raise ImportRejected([RowError(source.name, line, None, f"{message}; nothing was stored. If the repeat is "
                                                                "genuine, import again with --allow-duplicate-rows")])


def parse_outcomes(source: InputFile, data: bytes, *, text: str | None = None) -> OutcomesFile | FileSummary:
    text = decode_utf8(source.name, data) if text is None else text
    _, reader = _read_header(source.name, text)
    errors = ErrorCollector(source.name)
    parsed: OutcomesFile | None = None
    last = current_month()
    for line, row in _rows(reader, len(OUTCOMES_HEADER), errors):
        if errors.full:
            break
        crime_id, month, _reported, falls_within, *_place, outcome = row
        if parsed is None:
            force = FORCES_BY_NAME.get(falls_within)
            if force is None:
                return FileSummary(source.name, "skipped", note=unknown_force(falls_within))
            check_named_force(source, force, line, errors)
            parsed = OutcomesFile(source.name, checksum(data), force, {})
        parsed.rows_read += 1
        if falls_within != parsed.force.name:
            errors.add(line, "Falls within", f"'{falls_within}' differs from the file's force '{parsed.force.name}'")
        if not CRIME_ID.match(crime_id):
            errors.add(line, "Crime ID", "empty or not a data.police.uk crime id")
        _check_month(month, line, errors, last)
        if not outcome:
            errors.add(line, "Outcome type", "empty")
        previous = parsed.latest.get(crime_id)
        if previous is None or previous[0] <= month:
            parsed.latest[crime_id] = (month, outcome)
    errors.raise_if_any()
    if parsed is None:
        raise ImportRejected([RowError(source.name, None, None, "the file has a header but no rows")])
    return parsed


def check_files(paths: Iterable[str | Path], max_bytes: int | None = None) -> list[tuple[InputFile, str]]:
    """Classify every input file by its header; raise on the first that is not a data.police.uk file."""
    found = [(source, classify_file(source)) for source in expand_paths(paths, max_bytes)]
    if not found:
        raise ImportRejected([RowError(", ".join(map(str, paths)), None, None, "no CSV files found")])
    return found
