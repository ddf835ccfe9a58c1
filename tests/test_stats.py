"""Statistics against values worked by hand and by SciPy."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from queries.stats import change_p_value, percent_change, poisson_interval, rate_interval, rate_intervals


def test_equal_counts_are_not_a_change():
    assert change_p_value(100, 100) == pytest.approx(1.0)


def test_exact_test_matches_a_hand_calculation():
    # 0 before and 5 after: P(all 5 in one period | 5 events) = 2 * 0.5^5 = 0.0625.
    assert change_p_value(0, 5) == pytest.approx(0.0625)
    # 0 and 6: 2 * 0.5^6 = 0.03125, significant at 5%.
    assert change_p_value(0, 6) == pytest.approx(0.03125)


def test_exact_test_matches_scipy_for_the_partnerships_table_1():
    # Oxford 2020 -> 2021: 14,490 -> 15,964 (OSCP Rolling Plan 2022-23, Table 1).
    expected = binomtest(15964, 14490 + 15964, 0.5).pvalue
    assert change_p_value(14490, 15964) == pytest.approx(expected)
    assert change_p_value(14490, 15964) < 1e-10


def test_unequal_period_lengths_shift_the_expected_share():
    # 3 months against 9: under no change a quarter of events fall in the first.
    assert change_p_value(30, 10, previous_months=9, current_months=3) == pytest.approx(
        binomtest(10, 40, 0.25).pvalue
    )


def test_percent_change():
    assert percent_change(14490, 15964) == pytest.approx(10.17, abs=0.01)
    assert percent_change(0, 5) is None


def test_poisson_interval_known_values():
    # Garwood exact limits: for 0 events (0, 3.689); for 10 events (4.795, 18.39).
    low, high = poisson_interval(0)
    assert low == 0 and high == pytest.approx(3.689, abs=0.001)
    low, high = poisson_interval(10)
    assert low == pytest.approx(4.795, abs=0.001) and high == pytest.approx(18.390, abs=0.001)


def test_rate_interval_scales_by_population():
    low, high = rate_interval(10, 2000)
    assert low == pytest.approx(4.795 / 2, abs=0.001) and high == pytest.approx(18.390 / 2, abs=0.001)
    assert all(math.isnan(v) for v in rate_interval(10, 0))


def test_vectorised_test_agrees_with_scipy_binomtest_everywhere():
    import numpy as np

    from queries.stats import binomial_two_sided

    rng = np.random.default_rng(7)
    cases = [(k, n, p) for n in (0, 1, 2, 5, 17, 60) for k in range(n + 1) for p in (0.5, 0.25, 0.75)]
    cases += [(int(rng.integers(0, n + 1)), int(n), float(p))
              for n, p in zip(rng.integers(1, 40_000, 300), rng.choice([0.5, 1 / 3, 0.6], 300))]
    for k, n, p in cases:
        expected = 1.0 if n == 0 else binomtest(k, n, p).pvalue
        assert binomial_two_sided([k], [n], p)[0] == pytest.approx(expected, rel=1e-9, abs=1e-300), (k, n, p)


def test_rate_intervals_for_arrays_match_one_at_a_time_and_the_closed_forms():
    counts, populations = [0, 1, 10, 250, 7], [1000, 1000, 2000, 151_000, 0]
    low, high = rate_intervals(counts, populations)
    # For 0 and 1 events the Garwood bounds have closed forms: -ln(0.025) and -ln(0.975).
    assert low[0] == 0 and high[0] == pytest.approx(-math.log(0.025))
    assert low[1] == pytest.approx(-math.log(0.975))
    for i, (count, population) in enumerate(zip(counts[:4], populations[:4])):
        assert (low[i], high[i]) == pytest.approx(rate_interval(count, population), rel=1e-12)
    assert math.isnan(low[4]) and math.isnan(high[4])  # no population, no rate
