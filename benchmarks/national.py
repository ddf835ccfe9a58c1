"""National scale on PostgreSQL: does a partnership's page slow down as forces are added?

    python -m benchmarks.national [--database-url URL] [--forces 44] [--years 5]
                                  [--stages 1,10,44] [--requests 30] [--port 8150] [--keep]
    python -m benchmarks.national --side-by-side URL URL ... [--requests 30] [--port 8150]

Loads the synthetic national set (``benchmarks.national_set``: the home force's demo set on
its real geography, then every other force of England and Wales on a made-up geography of
the real shape) into a PostgreSQL database through the bulk loader's COPY, in stages: after
each stage it runs ``VACUUM ANALYZE`` (as autovacuum would after a large import), prints the
import rate and the database's size (the whole database, then each table with its indexes),
starts gunicorn as the Procfile does (``gunicorn.conf.py``, two gthread workers) and times,
cold (a different period on every call, so no cached result answers), every callback the
partnership's pages fire when the period changes: the overview, /crime and /asb (the page
and its filter, navigation and embedding callbacks) and the hotspot view of the home
district. The last table has a column per stage: with one force's queries reading only its
own rows, the columns should match whatever else is loaded.

``--side-by-side URL URL ...`` loads nothing and measures databases already loaded (say one
of one force and one of all) at once, a server each, their calls interleaved, so that the
load of a shared machine falls on each alike; a run one after another cannot tell a slower
database from a busier minute.

The database is dropped and made again unless ``--keep``: then what it holds is kept, only
the stages above its force count are loaded, and a stage below it is not measured. Its
name must start with ``national``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from queries import periods
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.demo import latest_full_month, load_demo
from queries.schema import loaded_month

from .callbacks import (
    content_payload,
    dependencies,
    dependency_payload,
    follow_up_callbacks,
    p95,
    start_gunicorn,
    timed_posts,
)
from .national_set import HOME_SLUG, load_force, make_force, national_forces

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/national_bench"
HOME_DISTRICT = "E07000178"  # Oxford
# What each page is asked for when its period changes; {end} differs on every call.
PAGE_SEARCHES = {
    "overview": ("overview", "?to={end}"),
    "crime": ("crime", "?to={end}"),
    "asb": ("asb", "?to={end}"),
    "hotspots, home district": ("hotspots", f"?area={HOME_DISTRICT}&to={{end}}"),
    "hotspots, home district, ASB by LSOA": ("hotspots", f"?area={HOME_DISTRICT}&crime_type=anti-social-behaviour&level=lsoa&to={{end}}"),
}
SIZE_TABLES = ("incident", "place_count", "place_count_packed", "lsoa_count", "incident_count", "place", "lsoa",
               "loaded_month")


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f}, {five:.1f}, {fifteen:.1f} ({os.cpu_count()} cores)"


def recreate_database(url: str) -> None:
    parsed = make_url(url)
    if not (parsed.database or "").startswith("national"):
        raise SystemExit(f"{url}: the benchmark drops and makes its database; give one named national...")
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        server.dispose()


def loaded_forces(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(func.distinct(loaded_month.c.force_code)))).scalar()


def load_stage(engine: Engine, first: int, last: int, months: list[str]) -> tuple[int, float]:
    """Load forces ``first`` to ``last - 1`` (in ``national_forces`` order); return incidents and seconds."""
    forces = national_forces(last)
    rows, started = 0, time.perf_counter()
    lender = None
    for index in range(first, last):
        slug, name, country, millions, rate = forces[index]
        force_started = time.perf_counter()
        if slug == HOME_SLUG:
            added = load_demo(engine, months[0], months[-1], synthetic=False)
        else:
            force = make_force(index, slug, name, country, millions, rate)
            if slug == "btp":
                # Its records lie in the places of the force with the most stations.
                lender_index = next(i for i, f in enumerate(forces) if f[0] == "metropolitan")
                lender = make_force(lender_index, *forces[lender_index])
                with engine.connect() as conn:
                    lender.place_base = conn.execute(text(
                        "SELECT min(id) FROM place WHERE lsoa_code = :code"), {"code": lender.lsoa_codes[0]}).scalar()
            with engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                added = load_force(conn, force, months, lender if slug == "btp" else None)
        rows += added
        print(f"  {slug}: {added:,} incidents in {time.perf_counter() - force_started:.0f} s; {load_line()}", flush=True)
    seconds = time.perf_counter() - started
    vacuum_started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE {time.perf_counter() - vacuum_started:.0f} s", flush=True)
    return rows, seconds


def sizes(engine: Engine) -> list[tuple[str, int, int, int]]:
    """(name, rows, table bytes, index bytes) per table, and the database's total bytes as a last row.
    Incidents are counted exactly (the loaded months' rows); other tables' rows are
    PostgreSQL's estimate (``reltuples``, exact enough after ``VACUUM ANALYZE`` and cheap)."""
    found = []
    with engine.connect() as conn:
        for name in SIZE_TABLES:
            rows = conn.execute(text(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{name}'")).scalar()
            if name == "incident":
                rows = conn.execute(select(func.coalesce(func.sum(loaded_month.c.rows_stored), 0))).scalar()
            table = conn.execute(text(f"SELECT pg_table_size('{name}')")).scalar()
            indexes = conn.execute(text(f"SELECT pg_indexes_size('{name}')")).scalar()
            found.append((name, rows, table, indexes))
        found.append(("database", 0, conn.execute(text("SELECT pg_database_size(current_database())")).scalar(), 0))
    return found


def print_sizes(found: list[tuple[str, int, int, int]]) -> None:
    for name, rows, table, indexes in found:
        if name == "database":
            print(f"  pg_database_size: {table / 2**30:.2f} GiB")
        else:
            print(f"  {name:<15} {rows:>12,} rows  table {table / 2**20:9,.0f} MiB  indexes {indexes / 2**20:9,.0f} MiB")


def measure(url: str, port: int, ends: list[str]) -> dict[str, dict[str, list[float]]]:
    """Per page: the page callback's samples and the whole period change's (every callback
    it fires, one after another: a browser sends them at once, so this is an upper bound)."""
    server = start_gunicorn(url, port, None)
    try:
        follow_ups = follow_up_callbacks(dependencies(port))
        warm = periods.add_months(ends[-1], -1)
        for page, search in PAGE_SEARCHES.values():
            timed_posts(port, [content_payload(page, search.format(end=warm))])
        results = {}
        for label, (page, search) in PAGE_SEARCHES.items():
            own, whole = [], []
            for end in ends:
                query = search.format(end=end)
                (page_ms,) = timed_posts(port, [content_payload(page, query)])
                others = timed_posts(port, [dependency_payload(d, page, query) for d in follow_ups.values()])
                own.append(page_ms)
                whole.append(page_ms + sum(others))
            results[label] = {"page callback": own, "every callback of the change": whole}
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def measure_side_by_side(urls: list[str], port: int, ends: list[str]) -> list[dict[str, dict[str, list[float]]]]:
    """``measure`` for several databases at once, a server each (ports ``port``, ``port + 1``,
    ...), their calls interleaved (the same period on each, the order turning each time), so
    that a shared machine's load falls on all of them alike."""
    servers = [start_gunicorn(url, port + i, None) for i, url in enumerate(urls)]
    try:
        follow_ups = follow_up_callbacks(dependencies(port))
        warm = periods.add_months(ends[-1], -1)
        results: list[dict] = [{} for _ in urls]
        for i in range(len(urls)):
            for page, search in PAGE_SEARCHES.values():
                timed_posts(port + i, [content_payload(page, search.format(end=warm))])
        for label, (page, search) in PAGE_SEARCHES.items():
            for result in results:
                result[label] = {"page callback": [], "every callback of the change": []}
            for n, end in enumerate(ends):
                query = search.format(end=end)
                order = list(range(len(urls)))
                for i in order[n % len(order):] + order[: n % len(order)]:
                    (page_ms,) = timed_posts(port + i, [content_payload(page, query)])
                    others = timed_posts(port + i, [dependency_payload(d, page, query) for d in follow_ups.values()])
                    results[i][label]["page callback"].append(page_ms)
                    results[i][label]["every callback of the change"].append(page_ms + sum(others))
        return results
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def side_by_side(urls: list[str], port: int, requests: int) -> None:
    """Print the pages' figures for databases already loaded, measured side by side."""
    engines = [make_engine(url) for url in urls]
    forces = [loaded_forces(engine) for engine in engines]
    with engines[0].connect() as conn:
        last = conn.execute(select(func.max(loaded_month.c.month))).scalar()
    for engine in engines:
        engine.dispose()
    ends = [periods.add_months(last, -i) for i in range(requests)]
    before = load_line()
    results = measure_side_by_side(urls, port, ends)
    after = load_line()
    print(f"\nSide by side, {requests} cold calls each, interleaved; {before} before, {after} after")
    print("\n| median / p95 ms | " + " | ".join(f"{n} force{'s' if n > 1 else ''} loaded" for n in forces) + " |")
    print("|---|" + "---|" * len(urls))
    for label in PAGE_SEARCHES:
        for kind in ("page callback", "every callback of the change"):
            print(f"| {label}, {kind} | " + " | ".join(
                f"{statistics.median(r[label][kind]):,.0f} / {p95(r[label][kind]):,.0f}" for r in results) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--forces", type=int, default=44, help="how many forces in all (the home force first)")
    parser.add_argument("--years", type=int, default=5, help="years of months per force, to the latest full month")
    parser.add_argument("--stages", default="1,10,44", help="force counts after which to measure")
    parser.add_argument("--requests", type=int, default=30, help="cold calls per page and stage")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--keep", action="store_true", help="measure what the database holds, loading only what is missing")
    parser.add_argument("--side-by-side", nargs="+", metavar="URL", default=None,
                        help="load nothing: measure these databases (already loaded) at once, calls interleaved")
    args = parser.parse_args()
    if args.side_by_side:
        side_by_side(args.side_by_side, args.port, args.requests)
        return

    stages = sorted({min(int(s), args.forces) for s in args.stages.split(",")} | {args.forces})
    last = latest_full_month()
    months = periods.months_between(periods.add_months(last, -(12 * args.years - 1)), last)
    ends = [periods.add_months(last, -i) for i in range(min(args.requests, len(months) - 1))]
    if not args.keep:
        recreate_database(args.database_url)
    engine = make_engine(args.database_url)
    init_db(engine)
    print(f"{args.database_url}: {args.forces} forces, {len(months)} months ({months[0]} to {months[-1]}); "
          f"{len(ends)} cold calls per page; {load_line()}", flush=True)
    table: dict[int, dict] = {}
    loaded = loaded_forces(engine)
    for stage in stages:
        if stage < loaded:
            print(f"\n{stage} forces: the database already holds {loaded}; not measured", flush=True)
            continue
        if loaded < stage:
            print(f"\nLoading forces {loaded + 1} to {stage} ...", flush=True)
            rows, seconds = load_stage(engine, loaded, stage, months)
            print(f"Imported {rows:,} incidents in {seconds:.0f} s: {rows / seconds:,.0f} rows/s (COPY, with counts); "
                  f"{load_line()}", flush=True)
            loaded = stage
            table.setdefault(stage, {})["import"] = (rows, seconds)
        found = sizes(engine)
        print(f"\n{stage} forces loaded:", flush=True)
        print_sizes(found)
        before = load_line()
        results = measure(args.database_url, args.port, ends)
        after = load_line()
        print(f"  pages (median / p95 ms), {before} before, {after} after:", flush=True)
        for label, series in results.items():
            for kind, samples in series.items():
                print(f"    {label}, {kind}: {statistics.median(samples):,.0f} / {p95(samples):,.0f}", flush=True)
        table.setdefault(stage, {}).update(sizes=found, results=results, load=(before, after))
    engine.dispose()
    print_summary(table)


def print_summary(table: dict[int, dict]) -> None:
    stages = sorted(table)
    print("\n| | " + " | ".join(f"{s} force{'s' if s > 1 else ''}" for s in stages) + " |")
    print("|---|" + "---|" * len(stages))
    cells = []
    for stage in stages:
        if "import" in table[stage]:
            rows, seconds = table[stage]["import"]
            cells.append(f"{rows:,} in {seconds:,.0f} s ({rows / seconds:,.0f}/s)")
        else:
            cells.append("-")
    print("| incidents imported at this stage (COPY, with counts) | " + " | ".join(cells) + " |")
    totals = {s: dict((n, (r, t, i)) for n, r, t, i in table[s]["sizes"]) for s in stages}
    print("| incidents stored | " + " | ".join(f"{totals[s]['incident'][0]:,}" for s in stages) + " |")
    print("| database size (pg_database_size) | " + " | ".join(f"{totals[s]['database'][1] / 2**30:.1f} GiB" for s in stages) + " |")
    for name in ("incident", "place_count", "place_count_packed", "lsoa_count", "incident_count"):
        print(f"| {name}: table + indexes | " + " | ".join(
            f"{totals[s][name][1] / 2**20:,.0f} + {totals[s][name][2] / 2**20:,.0f} MiB" for s in stages) + " |")
    for label in PAGE_SEARCHES:
        for kind in ("page callback", "every callback of the change"):
            print(f"| {label}, {kind} (median / p95 ms) | " + " | ".join(
                f"{statistics.median(table[s]['results'][label][kind]):,.0f} / {p95(table[s]['results'][label][kind]):,.0f}"
                for s in stages) + " |")
    print("| load average before / after (1 min) | " + " | ".join(
        f"{table[s]['load'][0].split(',')[0].removeprefix('load average ')} / {table[s]['load'][1].split(',')[0].removeprefix('load average ')}"
        for s in stages) + " |")


if __name__ == "__main__":
    main()
