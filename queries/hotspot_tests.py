"""The statistics behind hotspot classes and "what changed", on plain arrays (no database).

Three exact tests, each corrected for testing every place at once with the Benjamini-Hochberg
false discovery rate (``scipy.stats.false_discovery_control``) at 5%:

- *High in a month* (concentration): a place's count in one month against the count it would
  have if the area's incidents that month were spread evenly over all its places (every
  police.uk map point, LSOA or grid cell of the area, including those with none), an upper
  Poisson test. Repeated for every loaded baseline month and for the recent period, this is the
  per-period "hot" flag that sfhotspot's ``hotspot_classify`` and ArcGIS's emerging hot spot
  analysis build their classes on (they use Gi*; at street level police.uk points are already
  aggregates, so the place's own count is tested).
- *Above or below its usual level*: the recent count k against the baseline count B over the
  L loaded baseline months, for r recent months. If the rate did not change, k given k + B is
  binomial with p = r / (r + L) (the exact conditional test, Przyborowski and Wilenski 1940);
  one-sided in each direction.
- *Changed since the last period* (two periods of equal length): the same conditional test,
  two-sided, with p = 1/2 (``stats.change_p_values``).

Classes (only when the baseline is covered; see ``hotspots.Coverage``):
- new: high this period, never high in a loaded baseline month, and above its usual level;
- emerging: high this period, high in some but fewer than 80% of the loaded baseline months,
  and significantly above its usual level;
- persistent: high this period and in at least 80% of the loaded baseline months, and not
  below its usual level;
- fading: high in at least half the loaded baseline months and now significantly below its
  usual level (this test corrected over those places only).
A place below its usual level is never new, emerging or persistent.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import binom, false_discovery_control, poisson

from .stats import change_p_values

SIGNIFICANCE = 0.05
PERSISTENT_SHARE = 0.8  # sfhotspot's persistent_prop default
FADING_SHARE = 0.5
NEW, EMERGING, PERSISTENT, FADING = "new", "emerging", "persistent", "fading"


def fdr(p_values, tests: int | None = None) -> np.ndarray:
    """Benjamini-Hochberg q-values; ``tests`` counts places not listed (their p-value is 1)."""
    p = np.asarray(p_values, dtype=float)
    extra = max(0, (tests or len(p)) - len(p))
    if len(p) == 0:
        return p
    return false_discovery_control(np.concatenate([p, np.ones(extra)]), method="bh")[: len(p)]


def high_flags(counts: np.ndarray, totals: np.ndarray, units: int) -> np.ndarray:
    """Per place (rows) and period (columns): significantly more than an even share of the
    period's total over ``units`` places. Periods with no incidents flag nobody."""
    counts = np.asarray(counts, dtype=float)
    flags = np.zeros(counts.shape, dtype=bool)
    units = max(units, counts.shape[0], 1)
    for column in range(counts.shape[1]):
        total = float(totals[column])
        if total <= 0:
            continue
        column_counts = counts[:, column]
        p = np.where(column_counts > 0, poisson.sf(column_counts - 1, total / units), 1.0)
        flags[:, column] = (fdr(p, units) < SIGNIFICANCE) & (column_counts > total / units)
    return flags


def against_baseline(count, baseline_count, baseline_months: int, recent_months: int):
    """One-sided exact conditional tests of the recent count against the baseline count: the
    p-values above and below."""
    k = np.asarray(count, dtype=np.int64)
    n = k + np.asarray(baseline_count, dtype=np.int64)
    share = recent_months / (recent_months + baseline_months)
    upper = np.where(k > 0, binom.sf(k - 1, n, share), 1.0)
    lower = np.where(n > 0, binom.cdf(k, n, share), 1.0)
    return upper, lower


def classes(count, expected, high_now, high_months, baseline_loaded: int, p_above, p_below):
    """The class of each place, with the q-values of the tests above and below its usual level.

    Above: FDR over every place with an incident. Below: FDR over the places that could be
    fading (high in at least half the baseline months), the family that test is asked of;
    those chosen on baseline months alone."""
    count = np.asarray(count, dtype=float)
    expected = np.asarray(expected, dtype=float)
    high_now = np.asarray(high_now, dtype=bool)
    share = np.asarray(high_months, dtype=float) / max(baseline_loaded, 1)
    q_above = fdr(p_above)
    q_below = np.full(len(count), np.nan)
    could_fade = share >= FADING_SHARE
    q_below[could_fade] = fdr(np.asarray(p_below)[could_fade])
    result = np.full(len(count), "", dtype=object)
    above, not_below = count > expected, count >= expected
    result[high_now & (share == 0) & above] = NEW
    result[high_now & (share > 0) & (share < PERSISTENT_SHARE) & (np.asarray(q_above) < SIGNIFICANCE)] = EMERGING
    result[high_now & (share >= PERSISTENT_SHARE) & not_below] = PERSISTENT
    result[could_fade & (q_below < SIGNIFICANCE) & (count < expected)] = FADING
    return result, q_above, q_below


def changed(count_now, count_before) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided exact p- and q-values for a change between two periods of equal length."""
    p = change_p_values(count_before, count_now)
    return p, fdr(p)
