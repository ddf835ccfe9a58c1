"""Checking request parameters: every bad value becomes a BadParameter naming it and why."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from queries import periods
from queries.incident_sources import SOURCES_BY_SLUG
from queries.reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


def reject_unknown(args: MultiDict, allowed: set[str]) -> None:
    for name in args:
        if name not in allowed:
            raise BadParameter(name, f"unknown parameter; expected one of {', '.join(sorted(allowed))}")


def single(args: MultiDict, name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, "give it at most once")
    return values[0] if values else None


def area_codes(args: MultiDict, name: str = "area", required: bool = True) -> list[str]:
    codes = list(dict.fromkeys(v.strip() for v in args.getlist(name)))
    if required and not codes:
        raise BadParameter(name, "at least one area code is required (see /api/v1/areas)")
    for code in codes:
        if code not in AREAS_BY_CODE:
            raise BadParameter(name, f"unknown area code {code[:20]!r} (see /api/v1/areas)")
    return codes


def crime_types(args: MultiDict, name: str = "crime_type") -> list[str] | None:
    slugs = list(dict.fromkeys(v.strip() for v in args.getlist(name)))
    for slug in slugs:
        if slug not in CRIME_TYPES_BY_SLUG:
            raise BadParameter(name, f"unknown crime type {slug[:40]!r}; expected one of {', '.join(CRIME_TYPES_BY_SLUG)}")
    return slugs or None


def month(args: MultiDict, name: str) -> str | None:
    value = single(args, name)
    if value is None or value == "":
        return None
    if not periods.is_month(value):
        raise BadParameter(name, f"{value[:20]!r} is not a month (YYYY-MM)")
    if not periods.is_supported_month(value):
        raise BadParameter(name, f"{value} is outside {periods.FIRST_SUPPORTED_MONTH} to {periods.LAST_SUPPORTED_MONTH}")
    return value


def month_range(args: MultiDict) -> tuple[str | None, str | None]:
    first, last = month(args, "from"), month(args, "to")
    if first and last and first > last:
        raise BadParameter("from", f"{first} is after to={last}")
    return first, last


def choice(args: MultiDict, name: str, options: tuple[str, ...], default: str) -> str:
    value = single(args, name)
    if value is None:
        return default
    if value not in options:
        raise BadParameter(name, f"{value[:20]!r} is not one of {', '.join(options)}")
    return value


def integer(args: MultiDict, name: str, low: int, high: int, default: int) -> int:
    value = single(args, name)
    if value is None:
        return default
    # str.isdigit() is also true of superscripts such as "²", which int() refuses.
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise BadParameter(name, f"{value[:20]!r} is not a whole number from {low} to {high}")
    return int(value)


def sources(args: MultiDict, name: str = "source") -> tuple[str, ...] | None:
    """Incident source slugs (repeatable); None when none are given (police.uk's)."""
    slugs = tuple(dict.fromkeys(v.strip() for v in args.getlist(name)))
    for slug in slugs:
        if slug not in SOURCES_BY_SLUG:
            raise BadParameter(name, f"unknown source {slug[:40]!r}; expected one of {', '.join(SOURCES_BY_SLUG)}")
    return slugs or None
