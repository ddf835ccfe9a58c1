"""Time evaluations of interventions on a large database (and the board report, when built).

    python -m benchmarks.evaluation [--incidents 2000000] [--database-url URL] [--repeat 50]

Uses (or builds) the same database as ``benchmarks.run``. Each call asks for different
months, so the query cache cannot answer; prints the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sqlalchemy import func, select

from queries import periods
from queries.bootstrap import init_db
from queries.control import suggest_control
from queries.db import make_engine
from queries.evaluation import evaluate
from queries.schema import incident, lsoa

from .build import build

OUT = Path(__file__).parent / "out"


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def report(name: str, samples: list[float]) -> None:
    median, p95 = percentiles(samples)
    print(f"{name:<66} median {median:8.1f} ms   p95 {p95:8.1f} ms", flush=True)


def timed_calls(function, arguments: list) -> list[float]:
    function(*arguments[0])  # warm-up
    samples = []
    for args in arguments:
        started = time.perf_counter()
        function(*args)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=50)
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
    print(f"Database: {engine.dialect.name}, {stored:,} incidents, {len(codes)} LSOAs, latest month {last}; "
          f"{args.repeat} calls each\n")

    # 200 LSOAs in all: 100 target, 60 control, 40 buffer; then 200 target and 200 control.
    target, control, buffer = codes[:100], codes[100:160], codes[160:200]
    windows = []
    for i in range(args.repeat):
        after_to = periods.add_months(last, -i)
        after_from = periods.add_months(after_to, -5)
        windows.append(((periods.add_months(after_from, -12), periods.add_months(after_to, -12)), (after_from, after_to)))
    report("evaluate: 200 LSOAs (100/60/40), 6 months vs a year earlier",
           timed_calls(lambda b, a: evaluate(engine, target, control, buffer, None, b, a, with_its=False), windows))
    report("evaluate: 200 LSOAs, one crime type (burglary)",
           timed_calls(lambda b, a: evaluate(engine, target, control, buffer, ["burglary"], b, a, with_its=False), windows))
    report("evaluate: 400 LSOAs (200 target, 200 control)",
           timed_calls(lambda b, a: evaluate(engine, codes[:200], codes[200:400], (), None, b, a, with_its=False),
                       windows))
    report("evaluate: 200 LSOAs with the interrupted time series (all months)",
           timed_calls(lambda b, a: evaluate(engine, target, control, buffer, None, b, a, with_its=True), windows[:20]))
    starts = [(periods.add_months(last, -i),) for i in range(20)]
    report("suggest_control: 20 target LSOAs",
           timed_calls(lambda s: suggest_control(engine, codes[:20], (), None, s), starts))

    from app import create_app

    app = create_app({"database_url": url})
    client = app.server.test_client()
    query = "&".join([f"target={c}" for c in target] + [f"control={c}" for c in control] + [f"buffer={c}" for c in buffer])

    def api_call(before, after):
        response = client.get(f"/api/v1/evaluation?{query}&before_from={before[0]}&before_to={before[1]}"
                              f"&after_from={after[0]}&after_to={after[1]}")
        assert response.status_code == 200, response.get_data(as_text=True)

    report("GET /api/v1/evaluation: 200 LSOAs, uncached", timed_calls(api_call, windows))
    report("GET /api/v1/evaluation: 200 LSOAs, cached", timed_calls(api_call, [windows[0]] * args.repeat))
    from dashboard.board_report import build_pdf
    from dashboard.chart_data.spec import Reader
    from dashboard.filters import Filters

    reader = Reader(app.server.extensions["query_cache"])
    reports = [(periods.add_months(last, -3 * i),) for i in range(min(args.repeat, 10))]
    report("board report PDF: Oxford, Oxfordshire, Thames Valley, uncached",
           timed_calls(lambda end: build_pdf(reader, Filters(end=end)), reports))


if __name__ == "__main__":
    main()
