"""How numbers and months read, in every view: pages, tables, summaries, CSVs and PDFs.

One formatter, so a figure reads the same on the page, in its table and in a pack.
"""

from __future__ import annotations

import math

import pandas as pd

from queries import periods

MISSING = "–"


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def number(value) -> str:
    """Whole numbers with thousands separators ('14,490'), others to two decimals ('2.77')."""
    if is_missing(value):
        return MISSING
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def rate(value) -> str:
    """A rate per 1,000: one decimal from 10 up; two below, since monthly rates for one crime
    type in one district are often well under 1 per 1,000."""
    if is_missing(value):
        return MISSING
    value = float(value)
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def cell(value) -> str:
    """A table cell: booleans as yes/no, integers with separators, floats to two decimals."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


def month_label(month: str) -> str:
    """'2024-03' -> 'Mar 2024'."""
    return pd.Timestamp(f"{month}-01").strftime("%b %Y")


def month_name(month: str) -> str:
    """'2024-03' -> 'March 2024'."""
    return pd.Timestamp(f"{month}-01").strftime("%B %Y")


def period_label(period: str) -> str:
    """A period label in words for axes, tables and summaries: '2025-Q3' -> 'July to September
    2025', '2024/25' -> '2024/25' (a financial year keeps its usual form), '2024-03' -> 'March
    2024', '2024' -> '2024'. Anything else is returned as it is."""
    parsed = periods.parse_period(str(period))
    if parsed is None:
        return str(period)
    kind, first, last = parsed
    if kind in (periods.FINANCIAL_YEAR, periods.CALENDAR_YEAR):
        return str(period).strip()
    return periods.months_in_words(first, last)


def period_span(first: str, last: str) -> str:
    """The periods from ``first`` to ``last`` in words: 'March 2024', 'October 2022 to
    September 2025' (months or quarters, by their months), '2019/20 to 2023/24' (years keep
    their usual form)."""
    if first == last:
        return period_label(first)
    a, b = periods.parse_period(str(first)), periods.parse_period(str(last))
    if a is None or b is None:
        return f"{first} to {last}"
    if a[0] == b[0] and a[0] in (periods.FINANCIAL_YEAR, periods.CALENDAR_YEAR):
        return f"{str(first).strip()} to {str(last).strip()}"
    return periods.months_in_words(a[1], b[2])


def month_span(start: str, end: str) -> str:
    """'Mar 2024' for one month, 'Jan 2024 to Mar 2024' for several."""
    return month_label(start) if start == end else f"{month_label(start)} to {month_label(end)}"


def year_span(years) -> str:
    """The calendar years a view shows: '2026', '2025 and 2026', '2022 to 2026', or with a
    year missing '2022, 2024 and 2025'."""
    years = sorted({str(y) for y in years})
    if len(years) > 2 and int(years[-1]) - int(years[0]) == len(years) - 1:
        return f"{years[0]} to {years[-1]}"
    return list_names(years)


def list_names(names: list[str]) -> str:
    """'Oxford', 'Oxford and Reading', 'Oxford, Reading and Slough'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def mid_sentence(name: str) -> str:
    """A category's name as written mid-sentence: "Violence and sexual offences" becomes
    "violence and sexual offences", while a name that opens with an acronym (ASB, A&E) keeps it."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]
