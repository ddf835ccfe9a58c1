"""Time the hotspot page and the tasking pack over HTTP under gunicorn, on a large database.

    python -m benchmarks.hotspots [--database-url URL] [--requests 30] [--port PORT]

Every call asks for a different period (cold: the query cache cannot answer). Prints the
median and 95th percentile of the Oxford and the force-wide hotspot views (the page's
content callback) and of the tasking pack PDF, against the targets of 150 ms (both views) and
2 s, and the machine's load average while it ran. Build the database first with
``python -m benchmarks.run``.
"""

from __future__ import annotations

import argparse
import os

from queries import periods
from queries.counts import latest_month
from queries.db import make_engine

from .callbacks import OUT, content_payload, free_port, report, start_gunicorn, timed_gets, timed_posts

TARGETS = {"Oxford": 150, "whole force": 150}
PACK_TARGET = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'benchmark-2000000.sqlite'}")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args()

    last = latest_month(make_engine(args.database_url))
    if last is None:
        raise SystemExit("The database holds no incidents: build it with python -m benchmarks.run")
    ends = [periods.add_months(last, -i) for i in range(args.requests)]
    port = args.port or free_port()
    server = start_gunicorn(args.database_url, port, None)
    print(f"gunicorn on port {port}; {args.requests} cold requests per row; latest month {last}; "
          f"load average before {os.getloadavg()[0]:.1f}\n")
    try:
        for label, area in (("Oxford", "E07000178"), ("whole force", "E23000029")):
            timed_posts(port, [content_payload("hotspots", f"?area={area}&to={ends[-1]}")])  # warm-up: imports, pool
            samples = timed_posts(port, [content_payload("hotspots", f"?area={area}&to={e}") for e in ends])
            report(f"hotspots: {label}, all crime, one month (cold; target p95 {TARGETS[label]} ms)", samples)
        for label, area in (("Oxford", "E07000178"), ("whole force", "E23000029")):
            samples = timed_gets(port, [f"/hotspots/pack.pdf?area={area}&to={e}" for e in ends[: max(6, args.requests // 3)]])
            report(f"tasking pack PDF: {label} (cold; target {PACK_TARGET} ms)", samples)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nload average after {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
