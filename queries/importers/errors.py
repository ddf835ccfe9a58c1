"""Errors that name the file, row and field, so a user can fix the input."""

from __future__ import annotations

from dataclasses import dataclass

MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class RowError:
    file: str
    row: int | None  # line number in the file (the header is line 1); None for the file
    field: str | None
    message: str
    unit: str = "row"  # what ``row`` counts: rows of a CSV, features of a GeoJSON file

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.unit} {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The input failed validation; nothing was stored."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        text = "\n".join(str(e) for e in shown)
        if more:
            text += f"\n... and {more} more errors"
        super().__init__(text)


class ErrorCollector:
    """Collects row errors up to a limit, so one pass reports many problems at once."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[RowError] = []

    def add(self, row: int | None, field: str | None, message: str, unit: str = "row") -> None:
        self.errors.append(RowError(self.file, row, field, message, unit))

    @property
    def full(self) -> bool:
        return len(self.errors) >= MAX_REPORTED_ERRORS

    def raise_if_any(self) -> None:
        if self.errors:
            raise ImportRejected(self.errors)
