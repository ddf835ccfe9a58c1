"""The statistics behind hotspot classes and "what changed", on plain arrays (no database).

Every word rests on a test of the place against itself, so that no class depends on what
else is loaded:

- *Above or below its usual level*: the period's count k against the baseline count B over
  the L loaded baseline months, for r period months. If the place's rate did not change, k
  given k + B is binomial with p = r / (r + L) whatever that rate is (the exact conditional
  test, Przyborowski and Wilenski 1940), so no usual level is taken as known; one-sided in
  each direction. Benjamini-Hochberg q-values (1995) over the places the test can speak for:
  a place whose total k + B is so small that even the most extreme split could not give
  p < 5% is left out of the family (Tarone 1990; Gilbert 2005) and called too few to class.
- *Among the busiest*: descriptive, a place's rank by count among the area's places (in the
  period, and over the baseline for "persistent"); crime concentrates (Weisburd 2015).
- *Changed since the period before*: the same conditional test, two-sided
  (``stats.change_p_values``), on the loaded months of both periods.

Classes (only when the baseline is covered; see ``hotspots.Coverage``), first that applies:
new (q above < 5%, no incident in the loaded baseline months); emerging (q above < 5%);
fading (q below < 5%); too few to class (the test above cannot reach 5%); persistent (among
the busiest 5% now and over the baseline); busy (among the busiest 5% now); steady (the rest).
"""

from __future__ import annotations

import math

import numpy as np

from .stats import change_p_values, per_distinct_pair

SIGNIFICANCE = 0.05
BUSIEST_SHARE = 0.05  # "the busiest 5% of places"
NEW, EMERGING, FADING, PERSISTENT, BUSY, STEADY, TOO_FEW = (
    "new", "emerging", "fading", "persistent", "busy", "steady", "too_few")
HOTSPOTS = (NEW, EMERGING, PERSISTENT)  # the classes that call a place a hotspot


def fdr(p_values) -> np.ndarray:
    """Benjamini-Hochberg q-values of the given p-values (NaN stays NaN, outside the family)."""
    # Imported here: at the top, scipy.stats cost half a second of every start of the app.
    from scipy.stats import false_discovery_control

    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        from scipy.stats import false_discovery_control

        q[tested] = false_discovery_control(p[tested], method="bh")
    return q


def period_share(recent_months: int, baseline_months: int) -> float:
    """The period's share of the months compared: the binomial p under no change."""
    return recent_months / (recent_months + baseline_months)


def smallest_total(share: float, alpha: float = SIGNIFICANCE) -> int:
    """The fewest incidents (period and baseline together) for which the one-sided test can
    reach p < ``alpha``: all n in the period gives p = share ** n."""
    if share <= 0 or share >= 1:
        return 1
    n = max(1, math.ceil(math.log(alpha) / math.log(share)))
    return n if share ** n < alpha else n + 1


def against_baseline(count, baseline_count, baseline_months: int, recent_months: int):
    """One-sided exact conditional p-values of the period's count against the baseline count,
    above and below; NaN where the test cannot reach ``SIGNIFICANCE`` (the place is outside
    that test's family)."""
    from scipy.stats import binom

    k = np.asarray(count, dtype=np.int64)
    n = k + np.asarray(baseline_count, dtype=np.int64)
    share = period_share(recent_months, baseline_months)
    upper = per_distinct_pair(k, n, lambda k, n: np.where(k > 0, binom.sf(k - 1, n, share), 1.0))
    lower = per_distinct_pair(k, n, lambda k, n: binom.cdf(k, n, share))
    upper[n < smallest_total(share)] = np.nan
    lower[n < smallest_total(1 - share)] = np.nan
    return upper, lower


def busiest(counts, units: int, share: float = BUSIEST_SHARE) -> np.ndarray:
    """Per place: among the busiest ``share`` of ``units`` places, ties included only when the
    whole tie fits (so never more than that share are named), and with at least one incident."""
    counts = np.asarray(counts, dtype=np.int64)
    room = math.ceil(share * max(units, 1))
    ordered = np.sort(counts)
    at_least = len(ordered) - np.searchsorted(ordered, counts, side="left")
    return (counts > 0) & (at_least <= room)


def concentration(counts, units: int, share: float = BUSIEST_SHARE) -> tuple[int, float]:
    """How many places make the busiest ``share`` of ``units``, and the share of incidents they hold."""
    counts = np.sort(np.asarray(counts, dtype=np.int64))[::-1]
    room = math.ceil(share * max(units, 1))
    total = counts.sum()
    return room, (float(counts[:room].sum() / total) if total else float("nan"))


def classes(count, baseline_count, busiest_now, busiest_before, p_above, p_below):
    """Each place's class, with the q-values above and below its usual level (NaN outside a
    test's family)."""
    count = np.asarray(count, dtype=np.int64)
    baseline_count = np.asarray(baseline_count, dtype=np.int64)
    q_above, q_below = fdr(p_above), fdr(p_below)
    rise = np.nan_to_num(q_above, nan=1.0) < SIGNIFICANCE
    fall = np.nan_to_num(q_below, nan=1.0) < SIGNIFICANCE
    result = np.full(len(count), STEADY, dtype=object)
    result[np.asarray(busiest_now, dtype=bool)] = BUSY
    result[np.asarray(busiest_now, dtype=bool) & np.asarray(busiest_before, dtype=bool)] = PERSISTENT
    result[np.isnan(np.asarray(p_above, dtype=float))] = TOO_FEW
    result[fall] = FADING
    result[rise & (baseline_count > 0)] = EMERGING
    result[rise & (baseline_count == 0)] = NEW
    return result, q_above, q_below


def changed(count_now, count_before, months_now: int = 1, months_before: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided exact p- and q-values for a change between two periods (their loaded months)."""
    p = change_p_values(count_before, count_now, months_before, months_now)
    return p, fdr(p)
