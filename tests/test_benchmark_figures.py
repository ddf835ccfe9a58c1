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


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    from .conftest import demo_database

    return demo_database(tmp_path_factory, "benchmark-callbacks", "2024-01", "2024-03", 0.02)


@pytest.fixture(scope="module")
def client(demo_url):
    from app import create_app

    return create_app({"database_url": demo_url}).server.test_client()


def test_every_callback_a_change_of_period_fires_is_timed_and_answers(client):
    from benchmarks.callbacks import PATHS, content_payload, dependency_payload, follow_up_callbacks

    found = follow_up_callbacks(client.get("/_dash-dependencies").get_json())
    # Besides the page itself: the filter controls, the navigation links and the embedding chrome.
    assert set(found) == {"url.search", "nav-overview.href", "site-header.className"}
    for page in PATHS:
        for payload in [content_payload(page, "?to=2024-02"), *(dependency_payload(d, page, "?to=2024-02") for d in found.values())]:
            response = client.post("/_dash-update-component", json=payload)
            assert response.status_code == 200, (page, payload["output"])
            assert response.get_json()["multi"] is True
    filters = client.post("/_dash-update-component", json=dependency_payload(found["url.search"], "crime", "?to=2024-02"))
    assert filters.get_json()["response"]["filter-to"]["value"] == "2024-02"


def test_targets_table_puts_each_database_beside_the_other(capsys):
    from benchmarks.targets import Row, print_table

    print_table(["sqlite", "postgresql"], [[Row("crime: default areas", "p95 <= 150 ms", "median 80 ms, p95 90 ms", True)],
                                           [Row("crime: default areas", "p95 <= 150 ms", "median 150 ms, p95 170 ms", False)]])
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("measure"))
    assert header.split() == ["measure", "target", "sqlite", "result", "postgresql", "result"]
    row = next(line for line in lines if line.startswith("crime"))
    assert row.index("p95 90 ms") < row.index("met") < row.index("p95 170 ms") < row.index("MISSED")
    assert "sqlite: 1 of 1 targets met" in lines and "postgresql: 0 of 1 targets met" in lines


def test_the_reference_loop_is_reported_as_its_range_and_median():
    from benchmarks.reference import reference_words

    assert reference_words([612.4, 401.0, 790.2, 455.0]) == (
        "reference loop (the same work before each row) 401 to 790 ms, median 534 ms over 4 rows")


def test_the_in_process_benchmark_times_each_call_against_the_reference_loop(demo_url):
    import re
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-m", "benchmarks.in_process", "hotspots", "Oxford, all crime, latest month",
                           "--calls", "2", "--database-url", demo_url], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    line = done.stdout.strip().splitlines()[-1]
    found = re.fullmatch(r"\S+ hotspots, Oxford, all crime, latest month: median (\d+) ms \(reference loop (\d+) to (\d+) ms\); "
                         r"median call / reference ([\d.]+) over 2 calls", line)
    assert found, line
    median, low, high, ratio = (float(x) for x in found.groups())
    # The ratio is each call's time over the loop's around it: it lies within what the two medians allow.
    assert median / (high + 1) <= ratio <= median / max(low - 1, 0.5) * 1.5
