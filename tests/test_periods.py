"""Period labels against calendars written out by hand."""

from __future__ import annotations

import pytest

from queries import periods
from queries.periods import CALENDAR_YEAR, FINANCIAL_YEAR, MONTH, QUARTER, parse_period


@pytest.mark.parametrize("label, expected", [
    ("2024-Q1", (QUARTER, "2024-01", "2024-03")),
    ("2024-Q2", (QUARTER, "2024-04", "2024-06")),
    ("2024-Q3", (QUARTER, "2024-07", "2024-09")),
    ("2024-Q4", (QUARTER, "2024-10", "2024-12")),
    ("2023/24", (FINANCIAL_YEAR, "2023-04", "2024-03")),
    ("1999/00", (FINANCIAL_YEAR, "1999-04", "2000-03")),
    ("2022", (CALENDAR_YEAR, "2022-01", "2022-12")),
    ("2024-02", (MONTH, "2024-02", "2024-02")),
])
def test_each_period_label_covers_the_months_it_names(label, expected):
    assert parse_period(label) == expected


def test_a_quarter_is_three_months_and_a_year_twelve():
    for label, months in (("2023-Q1", 3), ("2023-Q4", 3), ("2023/24", 12), ("2023", 12)):
        _, first, last = parse_period(label)
        assert len(periods.months_between(first, last)) == months, label


@pytest.mark.parametrize("label", ["", "2024-Q5", "2024-Q0", "2024-13", "2023/25", "24", "2024-1", None])
def test_anything_else_is_not_a_period(label):
    assert parse_period(label) is None


def test_month_arithmetic_crosses_years():
    assert periods.add_months("2023-11", 3) == "2024-02"
    assert periods.add_months("2024-01", -1) == "2023-12"
    assert periods.months_between("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert periods.quarter_of("2024-03") == "2024-Q1" and periods.quarter_of("2024-10") == "2024-Q4"
    assert periods.financial_year_of("2024-03") == "2023/24" and periods.financial_year_of("2024-04") == "2024/25"
