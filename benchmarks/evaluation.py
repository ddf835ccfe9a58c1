"""Time evaluations of interventions and the board report on a large database, against the
targets: an evaluation of 200 LSOAs within 100 ms and the board report within 3 s, at the
95th percentile, under gunicorn, cold (a different period or filter every call).

    python -m benchmarks.evaluation [--incidents 2000000] [--database-url URL] [--repeat 50] [--port PORT]

Uses (or builds) the same database as ``benchmarks.run``. Stores three benchmark
interventions in it (replacing any of the same names), so the board report has
evaluations to make: one of 200 LSOAs, one of one crime type, one with a suggested control.

Part one calls the functions in this process: every evaluation asks for different months
(nothing cached), and the board report is built with an empty cache each time. Part two
starts gunicorn as in production (2 gthread workers) and asks it over HTTP, each call with
a different window, crime type or quarter. Prints the median and 95th percentile of each
row, the target where there is one, and the load average while it ran.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from queries import periods
from queries.bootstrap import init_db
from queries.control import suggest_control
from queries.db import make_engine
from queries.evaluation import evaluate
from queries.interventions import save_interventions
from queries.schema import incident, lsoa

from .build import build
from .callbacks import free_port, start_gunicorn, timed_gets

OUT = Path(__file__).parent / "out"
EVALUATION_TARGET = 100  # ms at the 95th percentile, 200 LSOAs
BOARD_TARGET = 3000  # ms at the 95th percentile
CRIME_FILTERS = (None, ("burglary",), ("violent-crime",), ("anti-social-behaviour",), ("vehicle-crime", "robbery"))


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def report(name: str, samples: list[float], target: float | None = None) -> None:
    median, p95 = percentiles(samples)
    against = ""
    if target is not None:
        against = f"   target {target:,.0f} ms: {'met' if p95 <= target else 'NOT MET'}"
    print(f"{name:<70} median {median:8.1f} ms   p95 {p95:8.1f} ms{against}   (load {os.getloadavg()[0]:.1f})",
          flush=True)


def timed_calls(function, arguments: list, warm_up: bool = True) -> list[float]:
    if warm_up:
        function(*arguments[0])  # imports, connection pool
    samples = []
    for args in arguments:
        started = time.perf_counter()
        function(*args)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def store_interventions(engine, codes: list[str], last: str) -> None:
    """Three interventions for the board report to evaluate (replaced by name on each run)."""
    start = periods.add_months(last, -5)
    places = {"target": codes[:100], "control": codes[100:160], "buffer": codes[160:200]}
    rows = [
        {"name": "Benchmark: 200 LSOAs, all crime", "description": "", "start_month": start, "end_month": last,
         "crime_types": "", "places": places},
        {"name": "Benchmark: burglary", "description": "", "start_month": periods.add_months(start, -6),
         "end_month": periods.add_months(last, -3), "crime_types": "burglary", "places": places},
        {"name": "Benchmark: suggested control", "description": "", "start_month": start, "end_month": last,
         "crime_types": "", "places": {"target": codes[200:220], "control": [], "buffer": []}},
    ]
    save_interventions(engine, rows, "benchmark")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--port", type=int, default=None, help="port for gunicorn (default: a free one)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{OUT / f'benchmark-{args.incidents}.sqlite'}"
    engine = make_engine(url)
    with engine.connect() as conn:
        try:
            stored = conn.execute(select(func.count()).select_from(incident)).scalar()
        except Exception:  # noqa: BLE001 (no schema yet: build it)
            stored = 0
    if stored < args.incidents * 0.97:
        print(f"Building a database of about {args.incidents:,} incidents at {url} ...", flush=True)
        build(engine, args.incidents)
    started = time.perf_counter()
    init_db(engine)  # adds the LSOA index to an older database
    print(f"Schema up to date in {time.perf_counter() - started:.1f} s")
    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(incident)).scalar()
        codes = list(conn.execute(select(lsoa.c.code).order_by(lsoa.c.district_code, lsoa.c.code)).scalars())
        last = conn.execute(select(func.max(incident.c.month))).scalar()
    store_interventions(engine, codes, last)
    load = os.getloadavg()
    print(f"Database: {engine.dialect.name}, {stored:,} incidents, {len(codes)} LSOAs, latest month {last}; "
          f"{args.repeat} calls each; {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")

    # 200 LSOAs in all: 100 target, 60 control, 40 buffer; then 200 target and 200 control.
    target, control, buffer = codes[:100], codes[100:160], codes[160:200]
    windows = []
    for i in range(args.repeat):
        after_to = periods.add_months(last, -i)
        after_from = periods.add_months(after_to, -5)
        windows.append(((periods.add_months(after_from, -12), periods.add_months(after_to, -12)), (after_from, after_to)))
    print("In this process, each call a different window (nothing cached)")
    report("evaluate: 200 LSOAs (100/60/40), 6 months vs a year earlier",
           timed_calls(lambda b, a: evaluate(engine, target, control, buffer, None, b, a, with_its=False), windows),
           EVALUATION_TARGET)
    report("evaluate: 200 LSOAs, one crime type (burglary)",
           timed_calls(lambda b, a: evaluate(engine, target, control, buffer, ["burglary"], b, a, with_its=False), windows),
           EVALUATION_TARGET)
    report("evaluate: 200 LSOAs with the interrupted time series (all months)",
           timed_calls(lambda b, a: evaluate(engine, target, control, buffer, None, b, a, with_its=True), windows),
           EVALUATION_TARGET)
    report("evaluate: 400 LSOAs (200 target, 200 control)",
           timed_calls(lambda b, a: evaluate(engine, codes[:200], codes[200:400], (), None, b, a, with_its=False),
                       windows))
    starts = [(periods.add_months(last, -i),) for i in range(20)]
    report("suggest_control: 20 target LSOAs",
           timed_calls(lambda s: suggest_control(engine, codes[:20], (), None, s), starts))

    from dashboard.chart_data.filters import Filters
    from dashboard.chart_data.spec import Reader
    from dashboard.documents.board_report import build_pdf
    from dashboard.server.cache import QueryCache

    def cold_board_report(end):
        # A new, empty cache for every report: every query and evaluation is made again.
        build_pdf(Reader(QueryCache(None, engine, None, 300, 60.0)), Filters(end=end))

    reports = [(periods.add_months(last, -3 * i),) for i in range(min(args.repeat, 10))]
    report("board report PDF: 3 areas, 3 interventions, empty cache", timed_calls(cold_board_report, reports),
           BOARD_TARGET)

    query = "&".join([f"target={c}" for c in target] + [f"control={c}" for c in control] + [f"buffer={c}" for c in buffer])

    def api_path(i: int, its: bool = False) -> str:
        before, after = windows[i % len(windows)]
        types = CRIME_FILTERS[i % len(CRIME_FILTERS)]
        kinds = "".join(f"&crime_type={t}" for t in types or ())
        return (f"/api/v1/evaluation?{query}{kinds}&before_from={before[0]}&before_to={before[1]}"
                f"&after_from={after[0]}&after_to={after[1]}" + ("&its=true" if its else ""))

    port = args.port or free_port()
    server = start_gunicorn(url, port, None)
    print(f"\nUnder gunicorn (2 gthread workers, port {port}), each call a different window or crime type (cold)")
    try:
        timed_gets(port, [api_path(len(windows) - 1)] * 4)  # warm-up: imports, connection pools in both workers
        calls = [api_path(i) for i in range(args.repeat)]
        report("GET /api/v1/evaluation: 200 LSOAs (cold)", timed_gets(port, calls), EVALUATION_TARGET)
        report("GET /api/v1/evaluation: 200 LSOAs with its=true (cold)",
               timed_gets(port, [api_path(i + 1, its=True) for i in range(args.repeat)]), EVALUATION_TARGET)
        report("GET /api/v1/evaluation: 200 LSOAs (cached)", timed_gets(port, [calls[0]] * args.repeat))
        # Each report a different quarter; the first one in each worker also evaluates the interventions.
        quarters = [f"/board-report.pdf?to={periods.add_months(last, -3 * i)}" for i in range(min(args.repeat, 20))]
        report("GET /board-report.pdf: 3 areas, 3 interventions (cold)", timed_gets(port, quarters), BOARD_TARGET)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a crowded machine can be slow to let workers finish
            server.kill()
            server.wait()
    load = os.getloadavg()
    print(f"\nload average after {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
