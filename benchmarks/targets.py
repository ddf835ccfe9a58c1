"""Every speed target of the dashboard, measured in one run and printed as one table.

    python -m benchmarks.targets [--database-url URL] [--requests 60] [--cpu-slowdown 4]

Builds the ten-year force database first when it is missing (about 2 million incidents in
benchmarks/out/, two minutes), starts gunicorn with two gthread workers as the Procfile
does, and measures, cold (a different period on every call, so the query cache cannot
answer):

- every board page's callback under three sets of filters: 150 ms at the 95th percentile;
- the hotspot view, for Oxford and the force, by place, LSOA and grid cell: 500 ms;
- a first visit's layout, which arrives with its page drawn: the page's own target;
- each page's first visit in headless Chromium, empty cache, CPU slowed 4x: the first
  contentful paint within 2 s of the HTML's arrival and at most 1,000,000 bytes on the
  wire (the median of three visits); the first chart is printed beside them.

These are figures, not assertions: the run ends normally whatever they are, and prints the
load average before and after, since a busy machine moves every figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
from dataclasses import dataclass

from queries import periods
from queries.counts import latest_month

from . import pages
from .build import ensure_built
from .callbacks import (
    BOARD_SCENARIOS,
    HOTSPOT_SCENARIOS,
    OUT,
    PATHS,
    content_payload,
    free_port,
    p95,
    start_gunicorn,
    timed_gets,
    timed_posts,
)

BOARD_MS, HOTSPOT_MS, FIRST_PAINT_MS, FIRST_VISIT_BYTES = 150, 500, 2000, 1_000_000


@dataclass
class Row:
    measure: str
    target: str
    figure: str
    met: bool | None  # None: printed for information, no target


def timed_row(measure: str, samples: list[float], target_ms: float) -> Row:
    worst = p95(samples)
    return Row(measure, f"p95 <= {target_ms:,} ms",
               f"median {statistics.median(samples):,.0f} ms, p95 {worst:,.0f} ms", worst <= target_ms)


def warm_up(port: int, month: str) -> None:
    """One call per page, for a month the timed calls do not use, so the first timed call
    does not also pay for the worker's imports and its first database connections."""
    timed_gets(port, ["/_dash-layout"] * len(PATHS), [f"{path}?to={month}" for path in PATHS.values()])
    timed_posts(port, [content_payload(page, f"?to={month}") for page in PATHS])


def callback_rows(port: int, ends: list[str]) -> list[Row]:
    warm_up(port, periods.add_months(ends[-1], -1))
    rows = []
    for page, path in PATHS.items():
        target = HOTSPOT_MS if page == "hotspots" else BOARD_MS
        # A first visit fetches the layout from the page's address (its Referer).
        referrers = [f"{path}?to={end}" for end in ends]
        rows.append(timed_row(f"{page}: first visit's layout", timed_gets(port, ["/_dash-layout"] * len(ends), referrers), target))
    for label, query in HOTSPOT_SCENARIOS.items():
        samples = timed_posts(port, [content_payload("hotspots", query.format(end=end)) for end in ends])
        rows.append(timed_row(f"hotspots: {label}", samples, HOTSPOT_MS))
    for page in PATHS:
        if page == "hotspots":
            continue
        for label, query in BOARD_SCENARIOS.items():
            samples = timed_posts(port, [content_payload(page, query.format(end=end)) for end in ends])
            rows.append(timed_row(f"{page}: {label}", samples, BOARD_MS))
    return rows


def page_rows(base: str, cpu_slowdown: float, visits: int) -> list[Row]:
    rows = []
    with pages.chromium() as browser:
        for name, path in pages.PAGES.items():
            measured = sorted((pages.first_visit(browser, base + path, name, cpu_slowdown) for _ in range(visits)),
                              key=lambda v: v.first_paint_ms)
            visit = measured[len(measured) // 2]
            rows.append(Row(f"{name}: first paint at {cpu_slowdown:g}x", f"<= {FIRST_PAINT_MS:,} ms",
                            f"{visit.first_paint_ms:,.0f} ms", visit.first_paint_ms <= FIRST_PAINT_MS))
            rows.append(Row(f"{name}: first chart at {cpu_slowdown:g}x", "none", f"{visit.first_chart_ms:,.0f} ms", None))
            rows.append(Row(f"{name}: first visit transfers", f"<= {FIRST_VISIT_BYTES:,} B",
                            f"{visit.bytes_transferred:,} B", visit.bytes_transferred <= FIRST_VISIT_BYTES))
    return rows


def print_table(rows: list[Row]) -> None:
    width = max(len(r.measure) for r in rows)
    print(f"\n{'measure':<{width}}  {'target':<16}  {'measured':<34}  result")
    for r in rows:
        result = "-" if r.met is None else ("met" if r.met else "MISSED")
        print(f"{r.measure:<{width}}  {r.target:<16}  {r.figure:<34}  {result}")
    targeted = [r for r in rows if r.met is not None]
    print(f"\n{sum(r.met for r in targeted)} of {len(targeted)} targets met")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'benchmark-2000000.sqlite'}")
    parser.add_argument("--incidents", type=int, default=2_000_000, help="the size to build when the database is missing")
    parser.add_argument("--requests", type=int, default=60, help="cold calls per callback row")
    parser.add_argument("--cpu-slowdown", type=float, default=4)
    parser.add_argument("--visits", type=int, default=3, help="first visits per page; the median is shown")
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    last = latest_month(ensure_built(args.database_url, args.incidents))
    ends = [periods.add_months(last, -i) for i in range(args.requests)]
    load_before = os.getloadavg()
    port = free_port()
    server = start_gunicorn(args.database_url, port, None)
    print(f"gunicorn (2 gthread workers) on port {port}; {args.requests} cold calls per callback row; "
          f"latest month {last}", flush=True)
    try:
        rows = callback_rows(port, ends)
        rows += page_rows(f"http://127.0.0.1:{port}/", args.cpu_slowdown, args.visits)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print_table(rows)
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before {', '.join(f'{x:.1f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.1f}' for x in load_after)}; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
