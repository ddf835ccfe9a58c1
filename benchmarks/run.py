"""Time every query function, API endpoint and a one-month import on a large database.

    python -m benchmarks.run [--incidents 2000000] [--database-url URL] [--repeat 50]

Prints the median and 95th percentile of each, and the import speed in rows per second.
The database is kept (benchmarks/out/) and reused when it already has the asked size.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sqlalchemy import func, select

from queries import periods
from queries.areas import list_areas
from queries.counts import change_between, counts, latest_month, monthly_counts
from queries.demo import month_csv
from queries.importers.policeuk import import_policeuk
from queries.reference import ASB, COMPARISON_AREAS, OXFORD
from queries.repeat import repeat_locations
from queries.schema import incident
from queries.series import series_catalogue, series_values

from .build import ensure_built

OUT = Path(__file__).parent / "out"


def timed(function, repeat: int) -> tuple[float, float]:
    function()  # warm-up: connection pool, imports
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(round(0.95 * len(samples))) - 1)]


def report(name: str, function, repeat: int) -> None:
    median, p95 = timed(function, repeat)
    print(f"{name:<58} median {median:8.1f} ms   p95 {p95:8.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{OUT / f'benchmark-{args.incidents}.sqlite'}"
    engine = ensure_built(url, args.incidents)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(incident)).scalar()
    last = latest_month(engine)
    first_year = periods.add_months(last, -11)
    print(f"Database: {engine.dialect.name}, {stored:,} incidents, latest month {last}; {args.repeat} calls each\n")

    r = args.repeat
    print("Query functions (no cache)")
    report("counts: 3 areas, all crime, month, all months", lambda: counts(engine, COMPARISON_AREAS), r)
    for grain in periods.GRAINS:
        report(f"counts: 3 areas, all crime, {grain}", lambda g=grain: counts(engine, COMPARISON_AREAS, None, None, None, g), r)
    report("counts: 3 areas, ASB, rolling_12", lambda: counts(engine, COMPARISON_AREAS, [ASB], None, None, periods.ROLLING_12), r)
    report("monthly_counts: Oxford by crime type, all months", lambda: monthly_counts(engine, [OXFORD], None, None, None, True), r)
    report("change_between: 3 areas, 12 months v 12 months, by type",
           lambda: change_between(engine, COMPARISON_AREAS, (periods.add_months(first_year, -12), periods.add_months(last, -12)), (first_year, last), None, True), r)
    report("repeat_locations: Oxford, 12 months, all crime", lambda: repeat_locations(engine, [OXFORD], None, first_year, last), r)
    report("repeat_locations: 3 areas, 12 months, all crime", lambda: repeat_locations(engine, COMPARISON_AREAS, None, first_year, last), r)
    report("list_areas", lambda: list_areas(engine), r)
    report("series_catalogue", lambda: series_catalogue(engine), r)
    report("series_values: one theme", lambda: series_values(engine, theme="domestic-abuse"), r)

    from app import create_app

    app = create_app({"database_url": url, "cache_timeout": 1})
    client = app.server.test_client()
    cache = app.server.extensions["query_cache"]
    print("\nAPI endpoints (Flask test client; cold = cache emptied before each call)")
    endpoints = [
        "/api/v1/areas",
        "/api/v1/counts?area=E07000178&area=E10000025&area=E23000029",
        "/api/v1/counts?area=E07000178&area=E10000025&area=E23000029&grain=rolling_12",
        "/api/v1/counts?area=E23000029&crime_type=burglary&crime_type=robbery&grain=financial_year&format=csv",
        "/api/v1/series",
        "/api/v1/series/recorded-crime",
    ]
    for path in endpoints:
        def cold(p=path):
            cache.cache.clear()
            assert client.get(p).status_code == 200
        report(f"GET {path[:50]} (cold)", cold, r)
        report(f"GET {path[:50]} (cached)", lambda p=path: client.get(p), r)

    print("\nImport (re-import of one whole-force month, replacing it)")
    path = OUT / f"{last}-thames-valley-street.csv"
    path.write_bytes(month_csv(last, last_month=last))
    rows = sum(1 for _ in path.open()) - 1
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        import_policeuk(engine, [path])
        samples.append(time.perf_counter() - started)
    best = min(samples)
    print(f"{rows:,} rows: {statistics.median(samples):.2f} s median of 3 ({rows / statistics.median(samples):,.0f} rows/s; best {best:.2f} s)")


if __name__ == "__main__":
    main()
