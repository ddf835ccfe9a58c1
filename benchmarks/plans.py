"""The query plans behind a partnership's pages: does any statement read another force's rows?

    python -m benchmarks.plans [--database-url URL] [--to 2026-11] [--slowest 15]

Runs, in this process, every callback the overview, /crime, /asb and the home district's
hotspot view fire when the period changes (as ``benchmarks.national`` times them), records
each SQL statement the app sends to PostgreSQL with its parameters, then runs each one again
under ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`` and prints, slowest first: its time, the
rows its scans read and threw away, the shared buffers it touched and any sequential scan.
A statement whose buffers or discarded rows grow with the forces loaded reads rows it does
not need.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
from sqlalchemy import text

from .callbacks import content_payload, dependency_payload, follow_up_callbacks
from .national import DEFAULT_URL, PAGE_SEARCHES


@dataclass
class Plan:
    statement: str
    ms: float
    buffers: int
    removed: int
    scans: list[str]


def recorded_statements(url: str, to: str) -> list[tuple[str, object]]:
    """Every statement (with its parameters) the pages' callbacks run, first occurrence only."""
    seen: dict[str, tuple[str, object]] = {}
    original = psycopg.Cursor.execute

    def recording(self, query, params=None, **kwargs):
        sql = query if isinstance(query, str) else query.as_string(self)
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.setdefault(sql + repr(params), (sql, params))
        return original(self, query, params, **kwargs)

    os.environ.update({"DATABASE_URL": url, "DEMO_ON_EMPTY": "false", "RATE_LIMIT_ENABLED": "false"})
    from app import create_app

    app = create_app({"database_url": url})
    client = app.server.test_client()
    follow_ups = follow_up_callbacks(client.get("/_dash-dependencies").get_json())
    psycopg.Cursor.execute = recording
    try:
        for page, search in PAGE_SEARCHES.values():
            query = search.format(end=to)
            for payload in [content_payload(page, query)] + [dependency_payload(d, page, query) for d in follow_ups.values()]:
                response = client.post("/_dash-update-component", json=payload)
                if response.status_code not in (200, 204):
                    raise SystemExit(f"{page}: callback answered {response.status_code}")
    finally:
        psycopg.Cursor.execute = original
    app.server.extensions["engine"].dispose()
    return list(seen.values())


def walk(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from walk(child)


def explain(url: str, statements: list[tuple[str, object]]) -> list[Plan]:
    plans = []
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for sql, params in statements:
            (document,) = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params).fetchone()
            root = (document if isinstance(document, list) else json.loads(document))[0]
            nodes = list(walk(root["Plan"]))
            scans = [f"{n['Node Type']} on {n['Relation Name']}" for n in nodes if n["Node Type"] == "Seq Scan"]
            removed = sum(int(n.get("Rows Removed by Filter", 0)) * int(n.get("Actual Loops", 1)) for n in nodes)
            buffers = root["Plan"].get("Shared Hit Blocks", 0) + root["Plan"].get("Shared Read Blocks", 0)
            plans.append(Plan(" ".join(sql.split()), root["Execution Time"], buffers, removed, scans))
    return sorted(plans, key=lambda p: -p.ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--to", default=None, help="the period's last month (default: the latest loaded)")
    parser.add_argument("--slowest", type=int, default=15)
    args = parser.parse_args()
    to = args.to
    if to is None:
        from queries.db import make_engine

        engine = make_engine(args.database_url)
        with engine.connect() as conn:
            to = conn.execute(text("SELECT max(month) FROM loaded_month")).scalar()
        engine.dispose()
    statements = recorded_statements(args.database_url, to)
    plans = explain(args.database_url, statements)
    scanned = sorted({scan for p in plans for scan in p.scans})
    print(f"{len(plans)} distinct statements; {sum(p.ms for p in plans):,.0f} ms, {sum(p.buffers for p in plans):,} "
          f"buffers and {sum(p.removed for p in plans):,} rows discarded by filters in all; sequential scans: "
          f"{', '.join(scanned) or 'none'}; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for plan in plans[: args.slowest]:
        print(f"\n{plan.ms:8.1f} ms  buffers {plan.buffers:,}  rows discarded by filters {plan.removed:,}  "
              f"{'; '.join(plan.scans) or 'no sequential scan'}\n    {plan.statement[:400]}")


if __name__ == "__main__":
    main()
