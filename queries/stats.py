"""Statistics for honest statements of change: exact tests and confidence intervals.

Counts of crime in two periods are compared with the exact conditional test: if both
periods share one underlying rate, the current count given the total is binomial with
p = current length / (current + previous length). Rates get exact Poisson (Garwood)
95% confidence intervals.
"""

from __future__ import annotations

import math

import numpy as np

SIGNIFICANCE_LEVEL = 0.05


def load_scipy_stats() -> None:
    """Import SciPy's statistics, which every page's tests use: kept out of the app's import
    (half a second of every start, and of every command), each serving process loads them
    before its first request, so that no visitor's request waits for the import."""
    import scipy.stats  # noqa: F401


def change_p_value(previous: int, current: int, previous_months: int = 1, current_months: int = 1) -> float:
    """Two-sided exact p-value for 'the rate differs between the two periods'."""
    return float(change_p_values([previous], [current], previous_months, current_months)[0])


def change_p_values(previous, current, previous_months: int = 1, current_months: int = 1) -> np.ndarray:
    """Vectorised ``change_p_value`` for arrays of counts (one period length for all)."""
    previous = np.asarray(previous, dtype=np.int64)
    current = np.asarray(current, dtype=np.int64)
    share = current_months / (current_months + previous_months)
    return binomial_two_sided(current, previous + current, share)


def per_distinct_pair(k, n, compute) -> np.ndarray:
    """``compute(k, n)`` worked out once per distinct pair of counts and spread back to every
    element. A force's thousands of places share a few hundred pairs (most have one or two
    incidents), and each element's result depends on its own pair alone."""
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    if k.size < 64 or (k < 0).any() or (n < 0).any():
        return compute(k, n)
    width = int(n.max()) + 1
    keys, inverse = np.unique(k * width + n, return_inverse=True)
    return compute(keys // width, keys % width)[inverse.reshape(k.shape)]


def binomial_two_sided(k, n, p: float) -> np.ndarray:
    """Exact two-sided binomial p-values, defined as SciPy's ``binomtest`` defines them.

    The p-value sums the probabilities of every outcome no more likely than the one seen.
    The pmf falls away from the mode on both sides, so the other tail starts where a binary
    search finds the pmf dropping to the observed one; this keeps the test vectorised.
    """
    return per_distinct_pair(k, n, lambda k, n: _binomial_two_sided(k, n, p))


def _binomial_two_sided(k: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    # Imported here: at the top, scipy.stats cost half a second of every start of the app.
    from scipy.stats import binom

    result = np.ones(k.shape, dtype=float)
    seen = binom.pmf(k, n, p) * (1 + 1e-7)  # SciPy's relative tolerance
    expected = n * p
    below = (k < expected) & (n > 0)
    above = (k > expected) & (n > 0)
    if below.any():
        # Other tail: the first outcome above the mean whose pmf is <= the one seen.
        lo, hi = np.ceil(expected[below]).astype(np.int64), n[below]
        first = _first_at_most(lo, hi, n[below], p, seen[below], rising=False)
        result[below] = binom.cdf(k[below], n[below], p) + binom.sf(first - 1, n[below], p)
    if above.any():
        # Other tail: the last outcome below the mean whose pmf is <= the one seen.
        lo, hi = np.zeros(int(above.sum()), dtype=np.int64), np.floor(expected[above]).astype(np.int64)
        last = _first_at_most(lo, hi, n[above], p, seen[above], rising=True)
        result[above] = np.where(last >= 0, binom.cdf(last, n[above], p), 0.0) + binom.sf(k[above] - 1, n[above], p)
    return np.minimum(result, 1.0)


def _first_at_most(lo, hi, n, p, bound, rising: bool) -> np.ndarray:
    """Binary search over [lo, hi] on a monotone pmf.

    Falling (right of the mode): the first i with pmf(i) <= bound, or hi + 1 if none.
    Rising (left of the mode): the last i with pmf(i) <= bound, or lo - 1 if none.
    """
    from scipy.stats import binom
    lo, hi = lo.copy(), hi.copy()
    if rising:
        answer = lo - 1
        while (lo <= hi).any():
            active = lo <= hi
            mid = (lo + hi) // 2
            ok = binom.pmf(mid, n, p) <= bound
            answer = np.where(active & ok, mid, answer)
            lo = np.where(active & ok, mid + 1, lo)
            hi = np.where(active & ~ok, mid - 1, hi)
        return answer
    answer = hi + 1
    while (lo <= hi).any():
        active = lo <= hi
        mid = (lo + hi) // 2
        ok = binom.pmf(mid, n, p) <= bound
        answer = np.where(active & ok, mid, answer)
        hi = np.where(active & ok, mid - 1, hi)
        lo = np.where(active & ~ok, mid + 1, lo)
    return answer


def percent_change(previous: float, current: float) -> float | None:
    """Change as a percentage of the previous value; None when there is nothing to compare."""
    if previous == 0:
        return None
    return (current - previous) / previous * 100


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for a Poisson count."""
    from scipy.stats import chi2
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


def rate_intervals(counts, populations, per: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """``rate_interval`` for arrays, in one call of the chi-squared quantile for each bound
    (per row it took a tenth of a millisecond each): NaN where the population is missing or 0."""
    from scipy.stats import chi2
    counts = np.asarray(counts, dtype=float)
    populations = np.asarray(populations, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(counts == 0, 0.0, chi2.ppf(0.025, 2 * counts) / 2)
        upper = chi2.ppf(0.975, 2 * counts + 2) / 2
        scale = np.where(populations > 0, per / populations, np.nan)
    return lower * scale, upper * scale


def getis_ord_gi_star(values, neighbour_index) -> np.ndarray:
    """Getis-Ord Gi* z-scores with binary weights: each cell and its neighbours.

    ``neighbour_index`` is an (n, k) integer array of neighbour positions, -1 where a
    neighbour is outside the study area. Gi* = (sum_j w_ij x_j - mean W_i) /
    (s sqrt((n W_i - W_i^2) / (n - 1))), where W_i counts the cell itself and its
    neighbours in the area (binary weights, so sum w_ij^2 = W_i).
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 2:
        return np.zeros(n)
    mean = x.mean()
    s = math.sqrt(max((x**2).mean() - mean**2, 0.0))
    if s == 0:
        return np.zeros(n)
    index = np.asarray(neighbour_index, dtype=np.int64).reshape(n, -1)
    present = index >= 0
    padded = np.append(x, 0.0)  # position -1 reads this zero
    local = x + padded[np.where(present, index, n)].sum(axis=1)
    weight = 1 + present.sum(axis=1)
    spread = s * np.sqrt(np.maximum(n * weight - weight**2, 0) / (n - 1))
    # A neighbourhood that covers the whole area says nothing: its z-score is 0.
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(spread > 0, (local - mean * weight) / np.where(spread > 0, spread, 1), 0.0)


def normal_upper_p(z) -> np.ndarray:
    from scipy.stats import norm

    return norm.sf(np.asarray(z, dtype=float))
