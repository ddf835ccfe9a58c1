"""The benchmarks' percentile is the nearest-rank one the README's tables report."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.callbacks import p95


@pytest.mark.parametrize("size", [1, 5, 20, 30, 59, 60, 61])
def test_p95_is_the_nearest_rank_percentile(size):
    samples = list(np.random.default_rng(size).gamma(2.0, 40.0, size))
    # NumPy's inverted CDF is the nearest-rank definition: the smallest sample with at
    # least 95% of the samples at or below it.
    assert p95(samples) == np.percentile(samples, 95, method="inverted_cdf")
