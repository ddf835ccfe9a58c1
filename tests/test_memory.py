"""Worker memory: the query cache counts what its results really take, and a worker's memory
stays flat over a soak once its cache is full (no recycling needed)."""

from __future__ import annotations

import ctypes
import gc
import pickle
import random
import tracemalloc
from contextlib import suppress
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from app import create_app
from dashboard.server.cache import MEGABYTE, BytesLRU, result_bytes

from .conftest import demo_database


def set_heap_aside() -> None:
    """Collect once, then leave everything alive now out of later collections (gc.freeze):
    ``real_bytes`` collects twice a call, and a full collection walks every object of the test
    process (a second or more in a worker that has run many tests), where the copies it
    measures are all it needs to walk. What is frozen is not garbage, and tracemalloc counts
    only what is allocated after it starts, so the sizes measured are the same. It stays
    frozen, as conftest.py leaves the imported modules after collection: gc.unfreeze would
    hand those back to every later collection too."""
    gc.collect()
    gc.freeze()


def real_bytes(value, copies: int = 10) -> float:
    """The memory a fresh copy of ``value`` takes, as Python's allocator traced it (the mean
    over several copies, so one-off allocations of the first do not count)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [pickle.loads(data) for _ in range(copies)]
        gc.collect()
        size = (tracemalloc.get_traced_memory()[0] - before) / copies
    finally:
        tracemalloc.stop()
    del kept
    return size


def counts_frame(rows: int) -> pd.DataFrame:
    """Shaped like a cached count query: text codes and names, nullable integers, rates."""
    rng = np.random.default_rng(rows)
    return pd.DataFrame({
        "period": [f"20{10 + i % 15}-Q{1 + i % 4}" for i in range(rows)],
        "area_code": [f"E0{7000100 + i % 300}" for i in range(rows)],
        "area_name": [f"Place number {i}" for i in range(rows)],
        "count": rng.integers(0, 500, rows),
        "population": pd.array(rng.integers(1000, 200_000, rows), dtype="Int64"),
        "rate_per_1000": pd.array(rng.random(rows) * 100, dtype="Float64"),
        "complete": rng.random(rows) > 0.1,
    })


@dataclass
class Analysis:
    places: pd.DataFrame
    cells: pd.DataFrame
    units: int


@pytest.mark.parametrize("value", [counts_frame(12), counts_frame(400), counts_frame(60_000),
                                   Analysis(counts_frame(3_000), counts_frame(20), 42),
                                   {"a": counts_frame(50), "b": counts_frame(500)}],
                         ids=["small frame", "medium frame", "large frame", "analysis", "dict of frames"])
def test_a_cached_results_counted_size_is_close_to_what_it_takes(value):
    set_heap_aside()
    counted, real = result_bytes(value), real_bytes(value)
    # pandas' own deep count said 3.3 kB for a small frame that takes 11 kB, and pickled sizes
    # a fifth of a result's memory: a byte limit on such counts held several times its size.
    assert 0.6 * real <= counted <= 1.5 * real, (counted, real)


def rss_mb() -> float:
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # what free() kept is not what the worker holds
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory, "memory", "2021-01", "2024-12", 0.02)


AREAS = ["E07000178", "E10000025", "E23000029", "E07000177", "E07000179", "E06000038", "E06000041"]


def distinct_requests(seed: int):
    """API requests for different areas, periods and grains: each a new cache entry."""
    rng = random.Random(seed)
    months = [f"{y}-{m:02d}" for y in range(2021, 2025) for m in range(1, 13)]
    while True:
        areas = "&".join(f"area={a}" for a in rng.sample(AREAS, rng.randint(1, 3)))
        start, end = sorted(rng.sample(months, 2))
        grain = rng.choice(["month", "quarter", "financial_year", "calendar_year", "rolling_12"])
        yield f"/api/v1/counts?{areas}&from={start}&to={end}&grain={grain}"


@pytest.mark.timeout(600)
def test_memory_stays_flat_over_a_soak_once_the_cache_is_full(demo_url, tmp_path):
    app = create_app({"database_url": demo_url, "upload_dir": str(tmp_path), "cache_max_mb": 1})
    client = app.server.test_client()
    cache = app.server.extensions["query_cache"].cache
    assert isinstance(cache, BytesLRU)
    requests = distinct_requests(7)

    def soak(count: int) -> None:
        for _ in range(count):
            assert client.get(next(requests)).status_code == 200

    soak(100)  # warm-up: the cache fills (its 1 MB holds a few dozen results)
    before = rss_mb()
    soak(300)  # each a new result: the cache turns over about ten times
    grown = rss_mb() - before
    assert 0.75 * MEGABYTE < cache.bytes <= MEGABYTE
    # What the cache holds really takes about what it counts: counted at a fifth of their
    # size, results piled up to several times the limit.
    set_heap_aside()
    held = sum(real_bytes(value, copies=2) for value, _size, _expires in list(cache._entries.values()))
    assert held < 1.4 * MEGABYTE, f"the cache holds {held / MEGABYTE:.1f} MB under a 1 MB limit"
    # About 0.1 MB is seen; 4 MB would be a leak of some 13 kB a request.
    assert grown < 4, f"{grown:.1f} MB more after 300 requests past warm-up"
