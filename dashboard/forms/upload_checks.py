"""Checks an uploaded CSV passes before any parser reads it, so a crafted file gets a report
naming file, row and field instead of a 500: no NUL character (PostgreSQL cannot store one),
and no field longer than the csv module reads (131,072 characters)."""

from __future__ import annotations

import csv
import io

from queries.importers.errors import MAX_REPORTED_ERRORS, ImportRejected, RowError


def check_csv_upload(name: str, data: bytes) -> None:
    """Raise ImportRejected naming each NUL character and the first over-long field."""
    errors = csv_problems(name, data.decode("utf-8-sig", errors="replace"))
    if errors:
        raise ImportRejected(errors)


def csv_problems(name: str, text: str) -> list[RowError]:
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    last_line = 0  # the line the last whole row ended on
    try:
        for row in reader:
            header = header or [column.strip() for column in row]
            for index, value in enumerate(row):
                if "\x00" in value:
                    errors.append(RowError(name, reader.line_num, _column(header, index),
                                           "contains a NUL character, which is never valid in a CSV file"))
                    if len(errors) >= MAX_REPORTED_ERRORS:
                        return errors
            last_line = reader.line_num
    except csv.Error as error:
        limit = csv.field_size_limit()
        if "field limit" not in str(error):
            errors.append(RowError(name, reader.line_num, None, f"unreadable CSV ({error})"))
        else:
            index = _long_field(text, _line_start(text, last_line), limit)
            errors.append(RowError(name, last_line + 1, _column(header, index) if index is not None else None,
                                   f"a field longer than {limit:,} characters, the most a CSV field may hold"))
    return errors


def _column(header: list[str], index: int) -> str:
    return header[index] if index < len(header) and header[index] else f"column {index + 1}"


def _line_start(text: str, lines: int) -> int:
    """Where line ``lines + 1`` starts."""
    position = 0
    for _ in range(lines):
        position = text.find("\n", position) + 1
        if position == 0:
            return len(text)
    return position


def _long_field(text: str, start: int, limit: int) -> int | None:
    """The index of the first field over ``limit`` characters in the record starting at ``start``."""
    index, length, quoted, position = 0, 0, False, start
    while position < len(text):
        char = text[position]
        if quoted:
            if char == '"' and text[position + 1:position + 2] == '"':
                position += 1
                length += 1
            elif char == '"':
                quoted = False
            else:
                length += 1
        elif char == '"':
            quoted = True
        elif char == ",":
            index, length = index + 1, 0
        elif char in "\r\n":
            return None
        else:
            length += 1
        if length > limit:
            return index
        position += 1
    return None
