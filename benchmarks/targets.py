"""Every speed target of the dashboard, measured in one run and printed as one table.

    python -m benchmarks.targets [--database-url URL ...] [--databases sqlite,postgresql]
                                 [--requests 60] [--cpu-slowdown 4] [--no-pages] [--port N]
                                 [--only hotspots]

Builds the ten-year force database first when it is missing (about 2 million incidents in
benchmarks/out/, two minutes; on PostgreSQL the database is created and filled by COPY),
starts gunicorn with two gthread workers as the Procfile does, and measures, cold (a
different period on every call, and every row from an empty query cache, see EmptyCache):

- every board page's callback under three sets of filters: 150 ms at the 95th percentile;
- the other callbacks a change of period fires on every page (the filter controls, the
  navigation links, the embedding chrome): 150 ms;
- the hotspot view, for Oxford and the force, by place, LSOA and grid cell: 150 ms too;
- a first visit's HTML and its layout, each of which arrives with the page drawn: the
  page's own target;
- each page's first visit in headless Chromium, empty cache, CPU slowed 4x: the first
  contentful paint within 2 s of the HTML's arrival and at most 1,000,000 bytes on the
  wire (the median of three visits); the first chart on screen within 1.5 s of navigation
  and at most a quarter of the time a bare page takes to draw the crime page's first figure
  with the whole of plotly.js, uncompressed, measured in the same run ("plotly.js alone",
  see ``benchmarks.pages``); its share of a bare page with the dashboard's own compressed
  partial bundle is printed beside it.

``--only hotspots`` measures the hotspot page's rows alone: its first visit's layout and
HTML, the hotspot views and (unless ``--no-pages``) its first visit in Chromium.

Each ``--database-url`` (or each name in ``--databases``) is measured in turn with its own
server, and the table has a column per database. These are figures, not assertions: the
run ends normally whatever they are, and prints the load average before and after each
database, since a busy machine moves every figure, and the range of times a fixed piece of
pure-Python work took before each row, since so does a virtual machine's share of its CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from dashboard.server.settings import Settings
from queries import periods
from queries.counts import latest_month
from queries.db import make_engine
from queries.importers.bookkeeping import bump_data_version

from . import pages
from .build import ensure_built
from .callbacks import (
    BOARD_SCENARIOS,
    HOTSPOT_SCENARIOS,
    OUT,
    PATHS,
    content_payload,
    dependencies,
    dependency_payload,
    follow_up_callbacks,
    free_port,
    p95,
    start_gunicorn,
    timed_gets,
    timed_posts,
)
from .reference import reference_loop_ms, reference_words

BOARD_MS, HOTSPOT_MS, FIRST_PAINT_MS, FIRST_VISIT_BYTES = 150, 150, 2000, 1_000_000
FIRST_CHART_MS, FIRST_CHART_SHARE = 1500, 0.25
FOLLOW_UP_NAMES = {"url.search": "filter controls callback", "nav-overview.href": "navigation links callback",
                   "site-header.className": "embedding chrome callback"}
DEFAULT_URLS = {
    "sqlite": f"sqlite:///{OUT / 'benchmark-2000000.sqlite'}",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/benchmark_force",
}


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


class EmptyCache:
    """Each row starts with nothing in the query cache: the data version is advanced, as an
    import advances it, and the row waits until the server has seen it. Rows share queries
    (a page's first-visit layout and its default callback; the overview and repeat
    victimisation pages), and each row's calls keep one connection, so one worker: without
    this a row could be answered from an earlier row's results in that worker's cache."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.reference_ms: list[float] = []

    def __call__(self) -> None:
        with self.engine.begin() as conn:
            bump_data_version(conn)
        time.sleep(Settings().data_version_ttl + 0.2)
        self.reference_ms.append(reference_loop_ms())


def cold_samples(empty: EmptyCache, timed, requests: list, spare) -> list[float]:
    """``timed(requests)`` from an empty cache. One untimed call first (``spare``: the same
    request for a month the row does not time, on the same connection, so the same worker)
    pays for what the server rebuilds once per data version (the loaded months, an area's
    map points), which after an import the first visitor pays and no later call does."""
    empty()
    return timed([spare, *requests])[1:]


def callback_rows(port: int, ends: list[str], empty: EmptyCache, only: str | None = None) -> list[Row]:
    """Every callback row; with ``only="hotspots"``, the hotspot page's alone."""
    spare_end = periods.add_months(ends[-1], -1)
    warm_up(port, spare_end)
    rows = []
    chosen = {"hotspots": PATHS["hotspots"]} if only == "hotspots" else PATHS

    def layouts(pairs):
        return timed_gets(port, ["/_dash-layout"] * len(pairs), pairs)

    def posts(payloads):
        return timed_posts(port, payloads)

    for page, path in chosen.items():
        target = HOTSPOT_MS if page == "hotspots" else BOARD_MS
        # A first visit fetches the layout from the page's address (its Referer).
        referrers = [f"{path}?to={end}" for end in ends]
        samples = cold_samples(empty, layouts, referrers, f"{path}?to={spare_end}")
        rows.append(timed_row(f"{page}: first visit's layout", samples, target))
        # The HTML carries the page drawn too (dashboard/site/first_paint.py).
        samples = cold_samples(empty, lambda addresses: timed_gets(port, addresses), referrers, f"{path}?to={spare_end}")
        rows.append(timed_row(f"{page}: first visit's HTML", samples, target))
    for label, query in HOTSPOT_SCENARIOS.items():
        samples = cold_samples(empty, posts, [content_payload("hotspots", query.format(end=end)) for end in ends],
                               content_payload("hotspots", query.format(end=spare_end)))
        rows.append(timed_row(f"hotspots: {label}", samples, HOTSPOT_MS))
    if only == "hotspots":
        return rows
    for page in PATHS:
        if page == "hotspots":
            continue
        for label, query in BOARD_SCENARIOS.items():
            samples = cold_samples(empty, posts, [content_payload(page, query.format(end=end)) for end in ends],
                                   content_payload(page, query.format(end=spare_end)))
            rows.append(timed_row(f"{page}: {label}", samples, BOARD_MS))
    for name, dependency in follow_up_callbacks(dependencies(port)).items():
        for page in PATHS:
            samples = cold_samples(empty, posts, [dependency_payload(dependency, page, f"?to={end}") for end in ends],
                                   dependency_payload(dependency, page, f"?to={spare_end}"))
            rows.append(timed_row(f"{page}: {FOLLOW_UP_NAMES.get(name, name)}", samples, BOARD_MS))
    return rows


def page_rows(base: str, cpu_slowdown: float, visits: int, only: str | None = None) -> list[Row]:
    rows = []
    chosen = {only: pages.PAGES[only]} if only else pages.PAGES
    with pages.chromium() as browser:
        measured = {name: [pages.first_visit(browser, base + path, name, cpu_slowdown) for _ in range(visits)]
                    for name, path in chosen.items()}
        whole, ours = (pages.median_visit(bare) for bare in pages.bare_visits(browser, base, cpu_slowdown, visits))
    for name, visited in measured.items():
        visit = sorted(visited, key=lambda v: v.first_paint_ms)[len(visited) // 2]
        chart = pages.median_visit(visited)
        share = chart.first_chart_ms / whole.first_chart_ms
        navigation = pages.median_of(visited, "first_chart_navigation_ms")
        rows.append(Row(f"{name}: first paint at {cpu_slowdown:g}x", f"<= {FIRST_PAINT_MS:,} ms",
                        f"{visit.first_paint_ms:,.0f} ms", visit.first_paint_ms <= FIRST_PAINT_MS))
        rows.append(Row(f"{name}: first chart at {cpu_slowdown:g}x, from navigation", f"<= {FIRST_CHART_MS:,} ms",
                        f"{navigation:,.0f} ms", navigation <= FIRST_CHART_MS))
        rows.append(Row(f"{name}: first chart, share of plotly.js alone", f"<= {FIRST_CHART_SHARE:.0%}",
                        f"{chart.first_chart_ms:,.0f} ms, {share:.0%} of {whole.first_chart_ms:,.0f} ms",
                        share <= FIRST_CHART_SHARE))
        rows.append(Row(f"{name}: first chart, share of our bundle alone", "none",
                        f"{chart.first_chart_ms / ours.first_chart_ms:.0%} of {ours.first_chart_ms:,.0f} ms", None))
        rows.append(Row(f"{name}: first visit transfers", f"<= {FIRST_VISIT_BYTES:,} B",
                        f"{visit.bytes_transferred:,} B", visit.bytes_transferred <= FIRST_VISIT_BYTES))
    return rows


def print_table(labels: list[str], columns: list[list[Row]]) -> None:
    """One row per measure, with the figure and result of each database beside each other."""
    width = max(len(r.measure) for r in columns[0])
    header = f"\n{'measure':<{width}}  {'target':<16}"
    for label in labels:
        header += f"  {label[:34]:<34}  {'result':<6}"
    print(header)
    for i, first in enumerate(columns[0]):
        line = f"{first.measure:<{width}}  {first.target:<16}"
        for rows in columns:
            r = rows[i]
            result = "-" if r.met is None else ("met" if r.met else "MISSED")
            line += f"  {r.figure:<34}  {result:<6}"
        print(line)
    print()
    for label, rows in zip(labels, columns):
        targeted = [r for r in rows if r.met is not None]
        print(f"{label}: {sum(r.met for r in targeted)} of {len(targeted)} targets met")


def measure(url: str, args: argparse.Namespace) -> list[Row]:
    last = latest_month(ensure_built(url, args.incidents))
    ends = [periods.add_months(last, -i) for i in range(args.requests)]
    load_before = os.getloadavg()
    port = args.port or free_port()
    server = start_gunicorn(url, port, None)
    print(f"{url}: gunicorn (2 gthread workers) on port {port}; {args.requests} cold calls per callback row; "
          f"latest month {last}", flush=True)
    try:
        empty = EmptyCache(url)
        rows = callback_rows(port, ends, empty, args.only)
        if args.pages:
            rows += page_rows(f"http://127.0.0.1:{port}/", args.cpu_slowdown, args.visits, args.only)
    finally:
        server.terminate()
        server.wait(timeout=10)
    load_after = os.getloadavg()
    print(f"{url}: load average (1, 5, 15 min) before {', '.join(f'{x:.1f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.1f}' for x in load_after)}; {os.cpu_count()} cores; "
          f"{reference_words(empty.reference_ms)}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", action="append", default=[],
                        help="a database to measure; give it again for more (default: the SQLite force database)")
    parser.add_argument("--databases", default="",
                        help=f"comma-separated names measured at their default addresses: {', '.join(DEFAULT_URLS)}")
    parser.add_argument("--incidents", type=int, default=2_000_000, help="the size to build when the database is missing")
    parser.add_argument("--requests", type=int, default=60, help="cold calls per callback row")
    parser.add_argument("--cpu-slowdown", type=float, default=4)
    parser.add_argument("--visits", type=int, default=3, help="first visits per page; the median is shown")
    parser.add_argument("--no-pages", dest="pages", action="store_false", help="skip the first visits in Chromium")
    parser.add_argument("--port", type=int, default=None, help="port for gunicorn (default: a free one)")
    parser.add_argument("--only", choices=["hotspots"], default=None, help="measure only the hotspot page's rows")
    args = parser.parse_args()

    names = [n.strip() for n in args.databases.split(",") if n.strip()]
    unknown = [n for n in names if n not in DEFAULT_URLS]
    if unknown:
        parser.error(f"--databases: unknown name {unknown[0]!r}; known: {', '.join(DEFAULT_URLS)}")
    urls = args.database_url + [DEFAULT_URLS[n] for n in names] or [DEFAULT_URLS["sqlite"]]
    OUT.mkdir(exist_ok=True)
    columns = [measure(url, args) for url in urls]
    print_table([make_url(url).get_backend_name() for url in urls], columns)


if __name__ == "__main__":
    main()
