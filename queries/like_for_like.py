"""A period against the same months a year (or any fixed number of months) earlier, on the
months loaded in both, with a test of the change that allows for overdispersion.

Monthly crime counts vary more than Poisson counts (Pearson dispersion of about 5 for a
district's all-crime counts after trend and season), so the exact Poisson test of two
totals, which assumes a dispersion of 1, calls ordinary year-on-year wobbles significant.
The dispersion phi is estimated from the area's own monthly series over the 36 months to
the period's end: Pearson's statistic of a Poisson regression on a linear trend and the
month of the year, divided by its residual degrees of freedom (McCullagh and Nelder 1989,
section 4.5 and 9.2). With phi above 1 the change is tested quasi-Poisson: the log ratio of
the two totals over its standard error sqrt(phi (1/a + 1/b)), against Student's t on those
degrees of freedom; with phi at or below 1 the exact conditional (binomial) test is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from . import periods
from .areas import area_name
from .counts import monthly_counts, months_by
from .its import fit_poisson
from .stats import SIGNIFICANCE_LEVEL, change_p_values, percent_change

DISPERSION_MONTHS = 36
MIN_DISPERSION_DF = 6
LIKE_COLUMNS = [
    "area_code", "area_name", "current_count", "current_months", "current_text", "period_months", "shared_months",
    "shared_text", "previous_shared", "current_shared", "percent_change", "p_value", "significant",
    "dispersion", "dispersion_df", "test",
]


def series_dispersion(counts: Mapping[str, int]) -> tuple[float, int] | None:
    """(phi, residual degrees of freedom) of a Poisson regression of the monthly counts on
    a linear trend and the month of the year, or None with too few months (under 6 residual
    degrees of freedom) to estimate it. Months absent from ``counts`` are not loaded."""
    months = sorted(counts)
    # A calendar month with no incident in any year is fitted exactly (its parameter runs to
    # minus infinity and the fit diverges): it says nothing of the dispersion, so its months
    # and its term are left out, as a fitted GLM would drop them.
    empty = {c for c in {m[5:] for m in months} if not any(counts[m] for m in months if m[5:] == c)}
    months = [m for m in months if m[5:] not in empty]
    if not months:
        return None
    index = np.array([periods.month_index(m) for m in months], dtype=float)
    columns = [np.ones(len(months)), (index - index.mean()) / 12]
    seen = sorted({m[5:] for m in months})
    columns += [np.array([m[5:] == calendar for m in months], dtype=float) for calendar in seen[1:]]
    x = np.column_stack(columns)
    y = np.array([counts[m] for m in months], dtype=float)
    df = len(y) - x.shape[1]
    if df < MIN_DISPERSION_DF or y.sum() == 0:
        return None
    try:
        _, _, dispersion = fit_poisson(x, y)
    except np.linalg.LinAlgError:
        return None
    return (float(dispersion), df) if np.isfinite(dispersion) else None


def yearly_dispersion(values) -> tuple[float, int] | None:
    """(phi, degrees of freedom) of yearly counts from their own spread, s^2 / mean: the
    between-year variation a change must stand out from (None with fewer than 3 years)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 3 or values.mean() <= 0:
        return None
    return float(values.var(ddof=1) / values.mean()), len(values) - 1


def change_test(previous: int, current: int, dispersion: tuple[float, int] | None) -> tuple[float, str]:
    """(two-sided p-value, the test's name) for a change between two counts over the same
    number of months: quasi-Poisson when the series is overdispersed, else exact."""
    p_values, names = change_tests([previous], [current], [dispersion])
    return float(p_values[0]), names[0]


def change_tests(previous, current, dispersions) -> tuple[np.ndarray, list[str]]:
    """``change_test`` of many pairs of counts at once, each with its series' dispersion
    (None where unknown): one call into SciPy per kind of test, not one per pair."""
    # Imported here: at the top, scipy.stats cost half a second of every start of the app.
    from scipy.stats import t as student_t

    previous = np.asarray(previous, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    quasi = np.array([d is not None and d[0] > 1 for d in dispersions], dtype=bool)
    phi = np.array([d[0] if q else 1.0 for d, q in zip(dispersions, quasi)], dtype=float)
    df = np.array([d[1] if q else 1 for d, q in zip(dispersions, quasi)], dtype=float)
    p_values = np.full(len(previous), np.nan)
    exact = ~quasi
    p_values[exact] = change_p_values(previous[exact], current[exact])
    # No log ratio with a zero count: the exact test on the counts shrunk by the dispersion instead.
    shrunk = quasi & ((previous == 0) | (current == 0))
    p_values[shrunk] = change_p_values(np.round(previous[shrunk] / phi[shrunk]).astype(np.int64),
                                       np.round(current[shrunk] / phi[shrunk]).astype(np.int64))
    logged = quasi & ~shrunk
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(current[logged] / previous[logged]) / np.sqrt(
            phi[logged] * (1 / current[logged] + 1 / previous[logged]))
    p_values[logged] = 2 * student_t.sf(np.abs(z), df[logged])
    return p_values, ["quasi-Poisson" if q else "exact Poisson" for q in quasi]


def like_for_like(engine: Engine, area_codes: Sequence[str], previous: tuple[str, str], current: tuple[str, str],
                  crime_types: Sequence[str] | None = None) -> pd.DataFrame:
    """Per area: the current period's own count over its loaded months, and the change on the
    months loaded in both periods (each current month against the month as far before it as
    ``previous`` is before ``current``), with its test. ``shared_months`` 0 means no month
    can be compared. A force counts its located incidents, as its districts do."""
    offset = periods.month_index(current[0]) - periods.month_index(previous[0])
    length = len(periods.months_between(*current))
    first = min(previous[0], periods.add_months(current[1], -(DISPERSION_MONTHS - 1)))
    monthly = monthly_counts(engine, area_codes, crime_types, first, current[1], located=True)
    counts_of = months_by(monthly, "area_code")
    rows = []
    for code in dict.fromkeys(area_codes):
        by_month = counts_of.get(code, {})
        now = [m for m in periods.months_between(*current) if m in by_month]
        shared = [m for m in now if periods.add_months(m, -offset) in by_month]
        before = sum(by_month[periods.add_months(m, -offset)] for m in shared)
        after = sum(by_month[m] for m in shared)
        window = {m: n for m, n in by_month.items() if m > periods.add_months(current[1], -DISPERSION_MONTHS)}
        dispersion = series_dispersion(window)
        p_value, test = change_test(before, after, dispersion) if shared else (None, "")
        change = percent_change(before, after) if shared else None
        rows.append({
            "area_code": code, "area_name": area_name(code), "current_count": sum(by_month[m] for m in now),
            "current_months": len(now), "current_text": periods.months_list_in_words(now, newest_first=False),
            "period_months": length, "shared_months": len(shared),
            "shared_text": shared_words(shared, offset), "previous_shared": before, "current_shared": after,
            "percent_change": change, "p_value": p_value,
            "significant": bool(p_value is not None and change is not None and p_value < SIGNIFICANCE_LEVEL),
            "dispersion": None if dispersion is None else dispersion[0],
            "dispersion_df": None if dispersion is None else dispersion[1], "test": test,
        })
    return pd.DataFrame(rows, columns=LIKE_COLUMNS)


def shared_words(shared: list[str], offset: int) -> str:
    """"January to April 2025 against January to April 2024"; "" when nothing is shared."""
    if not shared:
        return ""
    earlier = [periods.add_months(m, -offset) for m in shared]
    return (f"{periods.months_list_in_words(shared, newest_first=False)} against "
            f"{periods.months_list_in_words(earlier, newest_first=False)}")
