"""Period labels used across the dashboard: months, quarters, financial and calendar years.

A financial year runs April to March and is labelled ``2023/24``; a quarter is a calendar
quarter, ``2024-Q1`` (January to March).
"""

from __future__ import annotations

import re

MONTH = "month"
QUARTER = "quarter"
FINANCIAL_YEAR = "financial_year"
CALENDAR_YEAR = "calendar_year"
ROLLING_12 = "rolling_12"
GRAINS = (MONTH, QUARTER, FINANCIAL_YEAR, CALENDAR_YEAR, ROLLING_12)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_CALENDAR_YEAR = re.compile(r"^(\d{4})$")


# The months a request may name. data.police.uk begins in December 2010 and published
# series a little earlier; a month far outside this range is a typing error or a probe,
# and month arithmetic (baselines up to 60 months back) stays within four-digit years.
FIRST_SUPPORTED_MONTH = "2000-01"
LAST_SUPPORTED_MONTH = "2099-12"


def is_month(text: str) -> bool:
    return bool(_MONTH.match(text or ""))


def is_supported_month(text: str | None) -> bool:
    """A month (YYYY-MM) from FIRST_SUPPORTED_MONTH to LAST_SUPPORTED_MONTH."""
    return isinstance(text, str) and is_month(text) and FIRST_SUPPORTED_MONTH <= text <= LAST_SUPPORTED_MONTH


def month_index(month: str) -> int:
    """Months since year 0, so that month arithmetic is integer arithmetic."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months(month: str, n: int) -> str:
    return month_from_index(month_index(month) + n)


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive."""
    return [month_from_index(i) for i in range(month_index(first), month_index(last) + 1)]


def quarter_of(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year}-Q{(mon - 1) // 3 + 1}"


def financial_year_of(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    start = year if mon >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def calendar_year_of(month: str) -> str:
    return month[:4]


def parse_period(text: str) -> tuple[str, str, str] | None:
    """(period type, first month, last month) of a period label, or None if it is not one."""
    text = (text or "").strip()
    if m := _MONTH.match(text):
        return MONTH, text, text
    if m := _QUARTER.match(text):
        year, q = int(m[1]), int(m[2])
        first = f"{year}-{3 * q - 2:02d}"
        return QUARTER, first, add_months(first, 2)
    if m := _FINANCIAL_YEAR.match(text):
        start = int(m[1])
        if int(m[2]) != (start + 1) % 100:
            return None
        return FINANCIAL_YEAR, f"{start}-04", f"{start + 1}-03"
    if m := _CALENDAR_YEAR.match(text):
        return CALENDAR_YEAR, f"{text}-01", f"{text}-12"
    return None


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


def month_in_words(month: str) -> str:
    """``2025-07`` as "July 2025"."""
    return f"{MONTH_NAMES[int(month[5:7]) - 1]} {month[:4]}"


def months_in_words(first: str, last: str) -> str:
    """A span of months in words: "July to September 2025", "December 2024 to February 2025",
    "2024/25" for a financial year, "2024" for a calendar year, "July 2025" for one month."""
    if first == last:
        return month_in_words(first)
    if first[5:] == "04" and last == f"{int(first[:4]) + 1:04d}-03":
        return financial_year_of(first)
    if first[5:] == "01" and last == f"{first[:4]}-12":
        return first[:4]
    if first[:4] == last[:4]:
        return f"{MONTH_NAMES[int(first[5:7]) - 1]} to {month_in_words(last)}"
    return f"{month_in_words(first)} to {month_in_words(last)}"


def runs(months) -> list[tuple[str, str]]:
    """Consecutive runs of months, oldest first: ["2024-02", "2024-03", "2024-07"] gives
    [("2024-02", "2024-03"), ("2024-07", "2024-07")]."""
    indices = sorted({month_index(m) for m in months})
    found: list[tuple[str, str]] = []
    for i in indices:
        if found and month_index(found[-1][1]) == i - 1:
            found[-1] = (found[-1][0], month_from_index(i))
        else:
            found.append((month_from_index(i), month_from_index(i)))
    return found


def months_list_in_words(months, newest_first: bool = True) -> str:
    """Months in words, grouped into runs: "July 2025 and February to May 2024"."""
    parts = [months_in_words(a, b) for a, b in runs(months)]
    if newest_first:
        parts.reverse()
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def missing_months(first: str, last: str, loaded) -> list[str]:
    """The calendar months from first to last that are not in ``loaded``."""
    loaded = set(loaded)
    return [m for m in months_between(first, last) if m not in loaded]


_PERIOD_OF = {MONTH: lambda m: m, ROLLING_12: lambda m: m, QUARTER: quarter_of,
              FINANCIAL_YEAR: financial_year_of, CALENDAR_YEAR: calendar_year_of}
GRAIN_MONTHS = {MONTH: 1, ROLLING_12: 12, QUARTER: 3, FINANCIAL_YEAR: 12, CALENDAR_YEAR: 12}


def period_of(month: str, grain: str) -> str:
    """The label of the period of ``grain`` holding ``month`` (a rolling 12 months is
    labelled by its last month)."""
    return _PERIOD_OF[grain](month)


def calendar_periods(first: str, last: str, grain: str) -> list[str]:
    """Every period of ``grain`` from the one holding month ``first`` to the one holding
    ``last``, in time order, with none skipped: the axis of a trend keeps real time."""
    return list(dict.fromkeys(period_of(m, grain) for m in months_between(first, last)))


def period_months(period: str, grain: str) -> list[str]:
    """The calendar months a period covers (a rolling 12 months: the 12 to its label)."""
    if grain == ROLLING_12:
        return months_between(add_months(period, -11), period)
    parsed = parse_period(period)
    return months_between(parsed[1], parsed[2]) if parsed else []
