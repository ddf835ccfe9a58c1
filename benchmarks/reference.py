"""A fixed piece of pure-Python work, timed: the machine's speed at that moment.

On a shared virtual machine the same work took from about 55 to 110 ms within minutes, with
nothing else running, and every timed figure moves with it; the benchmarks print this beside theirs.
It imports nothing of the project, so that ``benchmarks.in_process`` can load another
checkout's code after it."""

from __future__ import annotations

import statistics
import time


def reference_loop_ms(iterations: int = 1_000_000) -> float:
    started = time.perf_counter()
    total = 0
    for i in range(iterations):
        total += i * i
    return (time.perf_counter() - started) * 1000


def reference_words(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (f"reference loop (the same work before each row) {ordered[0]:,.0f} to {ordered[-1]:,.0f} ms, "
            f"median {statistics.median(ordered):,.0f} ms over {len(ordered)} rows")
