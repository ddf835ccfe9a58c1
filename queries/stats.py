"""Statistics for honest statements of change: exact tests and confidence intervals.

Counts of crime in two periods are compared with the exact conditional test: if both
periods share one underlying rate, the current count given the total is binomial with
p = current length / (current + previous length). Rates get exact Poisson (Garwood)
95% confidence intervals.
"""

from __future__ import annotations

import math

from scipy.stats import binomtest, chi2

SIGNIFICANCE_LEVEL = 0.05


def change_p_value(previous: int, current: int, previous_months: int = 1, current_months: int = 1) -> float:
    """Two-sided exact p-value for 'the rate differs between the two periods'."""
    total = previous + current
    if total == 0:
        return 1.0
    share = current_months / (current_months + previous_months)
    return float(binomtest(int(current), int(total), share, alternative="two-sided").pvalue)


def percent_change(previous: float, current: float) -> float | None:
    """Change as a percentage of the previous value; None when there is nothing to compare."""
    if previous == 0:
        return None
    return (current - previous) / previous * 100


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for a Poisson count."""
    alpha = 1 - confidence
    lower = 0.0 if count == 0 else chi2.ppf(alpha / 2, 2 * count) / 2
    upper = chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return float(lower), float(upper)


def rate_interval(count: int, population: int, per: int = 1000) -> tuple[float, float]:
    """95% confidence interval for a rate per ``per`` residents."""
    if not population:
        return (math.nan, math.nan)
    low, high = poisson_interval(count)
    return low / population * per, high / population * per
