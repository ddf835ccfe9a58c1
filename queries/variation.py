"""The band of ordinary variation for monthly counts: quasi-Poisson prediction limits from
the 12 calendar months before each month.

Monthly crime counts vary more than Poisson counts do (Pearson dispersion of about 5 for a
district's all-crime counts), so limits of the mean plus or minus three square roots flag
about half of all months. Here the baseline is the 12 calendar months before each month
(not the 12 previous loaded ones), drawn only when at least 9 of them are loaded. Its
dispersion is estimated from those months, phi = s^2 / mean (never below 1, the Poisson
case), and the limits are the prediction limits for one new month,
mean +/- t(n-1) * sqrt(phi * mean * (1 + 1/n)), at the two-sided false-flag rate of
three-sigma limits (0.27%). The t quantile and the 1/n term allow for the baseline's
mean and dispersion being estimated from only 9 to 12 months.

McCullagh, P. and Nelder, J. A. (1989). Generalized Linear Models, 2nd ed., section 9.2
(quasi-likelihood; dispersion from Pearson's statistic). Laney, D. B. (2002). Improved
control charts for attributes. Quality Engineering 14(4), 531-537. Spiegelhalter, D. J.
(2005). Handling over-dispersion of performance indicators. Quality and Safety in Health
Care 14(5), 347-351.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

BASELINE_MONTHS = 12
MIN_BASELINE_MONTHS = 9
FALSE_FLAG_RATE = 0.0027  # two-sided, as three-sigma limits of a normal variable
BAND_COLUMNS = ["month", "count", "centre", "low", "high", "side", "baseline_months", "dispersion"]
RULE_IN_WORDS = (
    "the band of ordinary variation is the mean of the 12 calendar months before each month, widened for "
    "the variation those months show (quasi-Poisson prediction limits, expected to flag about 1 ordinary "
    "month in 370), drawn only where at least 9 of those 12 months are loaded"
)


def quasi_poisson_limits(baseline: np.ndarray, rate: float = FALSE_FLAG_RATE) -> tuple[float, float, float, float]:
    """(centre, low, high, dispersion) of the prediction limits for one new month from the
    baseline months' counts."""
    baseline = np.asarray(baseline, dtype=float)
    n = len(baseline)
    mean = float(baseline.mean())
    variance = float(baseline.var(ddof=1)) if n > 1 else mean
    dispersion = max(1.0, variance / mean) if mean > 0 else 1.0
    quantile = _t_quantile(1 - rate / 2, n - 1)
    half = quantile * math.sqrt(dispersion * mean * (1 + 1 / n))
    return mean, max(0.0, mean - half), mean + half, dispersion


@functools.cache
def _t_quantile(probability: float, df: int) -> float:
    """Student's t quantile, kept per degrees of freedom: a band asks for the same few (8 to
    11) for every month of every area, and SciPy's call costs more than the rest of a band."""
    # Imported here: at the top, scipy.stats cost half a second of every start of the app.
    from scipy.stats import t as student_t
    return float(student_t.ppf(probability, df))


def _month_number(month: str) -> int:
    """YYYY-MM as a count of months, so that consecutive months differ by one."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def poisson_limits(baseline: np.ndarray) -> tuple[float, float, float]:
    """(centre, low, high): the mean plus or minus three square roots, which assumes Poisson
    variation. Kept to show how many more months it flags on overdispersed counts."""
    mean = float(np.mean(baseline))
    spread = 3 * math.sqrt(mean) if mean > 0 else 0.0
    return mean, max(0.0, mean - spread), mean + spread


def ordinary_variation(counts: Mapping[str, float]) -> pd.DataFrame:
    """For each loaded month with enough of its 12 calendar months before loaded, the band
    and whether the month lies above ("high") or below ("low") it. ``counts`` maps YYYY-MM
    to the month's count; months absent from it are not loaded (never zero)."""
    rows = []
    # Months as consecutive integers, so that the 12 before each are found by subtraction
    # (month arithmetic on text, 12 times a month, was half of a band's time).
    loaded = {_month_number(m): float(v) for m, v in counts.items()
              if v is not None and not (isinstance(v, float) and math.isnan(v))}
    for month in sorted(counts):
        value = counts[month]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        number = _month_number(month)
        baseline = [loaded[number - k] for k in range(1, BASELINE_MONTHS + 1) if number - k in loaded]
        if len(baseline) < MIN_BASELINE_MONTHS or sum(baseline) == 0:
            continue
        centre, low, high, dispersion = quasi_poisson_limits(np.array(baseline))
        side = "high" if value > high else "low" if value < low else ""
        rows.append((month, float(value), centre, low, high, side, len(baseline), dispersion))
    return pd.DataFrame(rows, columns=BAND_COLUMNS)
