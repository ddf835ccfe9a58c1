"""Load and soak test: many users at once against gunicorn, on the loopback only.

    python -m benchmarks.load [--database-url URL] [--users 50] [--seconds 60] [--soak-seconds 300]
                              [--recycle 0] [--rss-every 60]

Starts gunicorn as in production (``gunicorn.conf.py``: 2 gthread workers unless
WEB_CONCURRENCY says otherwise) on 127.0.0.1 (``--port``, default 8125), then:

1. load: ``--users`` simulated users for ``--seconds``, each opening pages the way a browser
   does (the page, its layout, the page's callback with varied filters, a CSV download, API
   calls, static files), pausing about ``--think-seconds`` between pages as a reader does
   (0 for none);
2. soak: 10 users for ``--soak-seconds``, the same mix, printing each worker's resident
   memory (RSS) at the start, every ``--rss-every`` seconds and at the end. ``--recycle 0``
   turns worker recycling off (``GUNICORN_MAX_REQUESTS``), to see whether memory stays flat.

Prints requests, errors (any 5xx, any connection failure or timeout), throughput, latency
percentiles and worker RSS. Bounded: every phase stops at its time limit and after at most
``--max-requests`` requests, and the server is stopped at the end. It never sends a request
anywhere but the server it started on the loopback.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.callbacks import content_payload
from queries import periods
from queries.counts import latest_month
from queries.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "out"
PAGES = {"overview": "/", "crime": "/crime", "asb": "/asb", "domestic-abuse": "/domestic-abuse",
         "repeat-victimisation": "/repeat-victimisation", "exploitation": "/exploitation", "hotspots": "/hotspots"}
AREAS = ["E07000178", "E10000025", "E23000029", "E07000177", "E07000179", "E06000038", "E06000041"]
GRAINS = ["month", "quarter", "financial_year", "calendar_year", "rolling_12"]
STATIC = ["/assets/dashboard.css", "/assets/00-bootstrap.min.css",
          "/_dash-component-suites/dash/deps/react@18.3.1.min.js",
          "/_dash-component-suites/plotly/package_data/plotly.min.js"]
HOST = "127.0.0.1"  # the only address this script ever connects to


def start_gunicorn(database_url: str, port: int, log_path: Path, cache_max_mb: int | None,
                   recycle: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "DEMO_ON_EMPTY": "false", "HOST": HOST, "PORT": str(port),
           "SECRET_KEY": os.urandom(24).hex(), "UPLOAD_DIR": str(OUT / "uploads")}
    if cache_max_mb is not None:
        env["CACHE_MAX_MB"] = str(cache_max_mb)
    if recycle is not None:
        env["GUNICORN_MAX_REQUESTS"] = str(recycle)
    env.pop("CACHE_REDIS_URL", None)  # each worker's own bounded cache: the memory measured here
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
                                "app:server"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_path.open("w"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=10)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not start: " + log_path.read_text()[-2000:])


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process: how much of the work each worker did."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report_rss(master: int, every: float, stop: threading.Event, started: float) -> None:
    """Print each worker's RSS (and CPU time) every ``every`` seconds until ``stop`` is set."""
    while not stop.wait(every):
        rss = ", ".join(f"{pid}: {rss_mb(pid):.0f} MB, {cpu_seconds(pid):.0f} s CPU" for pid in worker_pids(master))
        print(f"  {time.monotonic() - started:5.0f} s: workers {rss}; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)


class Plan:
    """What users ask for: a random page with random (valid) filters over the loaded months."""

    def __init__(self, last_month: str, months: int):
        self.ends = [periods.add_months(last_month, -i) for i in range(months)]

    def search(self, rng: random.Random, page: str) -> str:
        end = rng.choice(self.ends)
        if page == "hotspots":
            # The public's bound: at most 12 months; one area.
            start = periods.add_months(end, -rng.choice([0, 2, 11]))
            return f"?area={rng.choice(AREAS)}&from={start}&to={end}&level={rng.choice(['location', 'lsoa', 'cell'])}"
        areas = "&".join(f"area={a}" for a in rng.sample(AREAS, rng.randint(1, 3)))
        return f"?{areas}&to={end}&grain={rng.choice(GRAINS)}&measure={rng.choice(['rate', 'count'])}"

    def visit(self, rng: random.Random) -> list[tuple[str, str, dict | None]]:
        page = rng.choice(list(PAGES))
        search = self.search(rng, page)
        steps = [("GET", PAGES[page] + search, None), ("GET", "/_dash-layout", None),
                 ("POST", "/_dash-update-component", content_payload(page, search)),
                 ("GET", rng.choice(STATIC) + f"?m={rng.randint(1, 10**9)}", None)]
        if page == "crime":
            steps.append(("GET", "/download/crime-trend.csv" + search, None))
        steps.append(("GET", f"/api/v1/counts?area={rng.choice(AREAS)}&to={rng.choice(self.ends)}&grain=quarter", None))
        return steps


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.statuses: dict[int, int] = {}

    def add(self, status: int | None, milliseconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latencies.append(milliseconds)
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1

    @property
    def count(self) -> int:
        return len(self.latencies)


def user(port: int, plan: Plan, seed: int, stop_at: float, tally: Tally, max_requests: int, think: float) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    while time.monotonic() < stop_at and tally.count < max_requests:
        if think:
            time.sleep(min(rng.uniform(0.5 * think, 1.5 * think), max(0.0, stop_at - time.monotonic())))
            # gunicorn closes a connection idle for 5 s (keepalive); a browser opens a new one.
            connection.close()
        for method, path, payload in plan.visit(rng):
            if time.monotonic() >= stop_at:
                return
            body = json.dumps(payload) if payload is not None else None
            headers = {"Accept-Encoding": "gzip"} | ({"Content-Type": "application/json"} if body else {})
            started = time.perf_counter()
            try:
                connection.request(method, path, body, headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                error = f"{status} {path.split('?')[0]}" if status >= 500 else None
            except (OSError, http.client.HTTPException) as exc:
                status, error = None, f"{type(exc).__name__} {path.split('?')[0]}"
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
            tally.add(status, (time.perf_counter() - started) * 1000, error)


def run_phase(port: int, plan: Plan, users: int, seconds: float, max_requests: int, seed: int,
              think: float) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    stop_at = started + seconds
    threads = [threading.Thread(target=user, args=(port, plan, seed + i, stop_at, tally, max_requests, think),
                                daemon=True)
               for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)  # a request in flight at the deadline may take up to its timeout
    return tally, time.monotonic() - started


def print_phase(name: str, tally: Tally, elapsed: float) -> None:
    latencies = sorted(tally.latencies) or [0.0]

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    errors = sum(tally.errors.values())
    print(f"{name}: {tally.count:,} requests in {elapsed:.0f} s ({tally.count / elapsed:.1f}/s), {errors} errors", flush=True)
    print(f"  latency ms: median {statistics.median(latencies):.0f}, p95 {percentile(0.95):.0f}, "
          f"p99 {percentile(0.99):.0f}, max {latencies[-1]:.0f}", flush=True)
    print(f"  statuses: {dict(sorted(tally.statuses.items()))}", flush=True)
    for error, count in sorted(tally.errors.items(), key=lambda item: -item[1])[:10]:
        print(f"  error: {error} x{count}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'benchmark-2000000.sqlite'}")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--soak-users", type=int, default=10)
    parser.add_argument("--soak-seconds", type=float, default=300)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per phase")
    parser.add_argument("--think-seconds", type=float, default=10.0, help="mean pause between a user's pages")
    parser.add_argument("--port", type=int, default=8125, help="loopback port for gunicorn")
    parser.add_argument("--recycle", type=int, default=None,
                        help="GUNICORN_MAX_REQUESTS for the workers; 0 turns recycling off")
    parser.add_argument("--rss-every", type=float, default=60, help="seconds between RSS lines during the soak")
    parser.add_argument("--cache-max-mb", type=int, default=None,
                        help="CACHE_MAX_MB for the workers (a small one is reached within a short run)")
    args = parser.parse_args()
    if not 1 <= args.users <= 200 or not 0 < args.seconds <= 600 or not 0 <= args.soak_seconds <= 3600:
        raise SystemExit("bounded: 1-200 users, at most 600 s of load and 3600 s of soak")

    last = latest_month(make_engine(args.database_url))
    if last is None:
        raise SystemExit("The database holds no incidents: build one with python -m benchmarks.run")
    OUT.mkdir(exist_ok=True)
    port = args.port
    server = start_gunicorn(args.database_url, port, OUT / "load-gunicorn.log", args.cache_max_mb, args.recycle)
    plan = Plan(last, 36)
    try:
        workers = worker_pids(server.pid)
        print(f"gunicorn {server.pid} on {HOST}:{port}, workers {workers}; latest month {last}; "
              f"CACHE_MAX_MB {args.cache_max_mb or 'default'}; recycling "
              f"{'off' if args.recycle == 0 else args.recycle or 'default'}; think {args.think_seconds} s; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        print("worker RSS MB before load: " + ", ".join(f"{rss_mb(p):.0f}" for p in workers), flush=True)
        tally, elapsed = run_phase(port, plan, args.users, args.seconds, args.max_requests, seed=1,
                                   think=args.think_seconds)
        print_phase(f"load, {args.users} users", tally, elapsed)
        if args.soak_seconds:
            start_rss = {pid: rss_mb(pid) for pid in worker_pids(server.pid)}
            print("soak start, worker RSS MB: " + ", ".join(f"{v:.0f}" for v in start_rss.values()), flush=True)
            stop = threading.Event()
            reporter = threading.Thread(target=report_rss, args=(server.pid, args.rss_every, stop, time.monotonic()),
                                        daemon=True)
            reporter.start()
            try:
                tally, elapsed = run_phase(port, plan, args.soak_users, args.soak_seconds, args.max_requests,
                                           seed=1000, think=args.think_seconds)
            finally:
                stop.set()
            end_rss = {pid: rss_mb(pid) for pid in worker_pids(server.pid)}
            print_phase(f"soak, {args.soak_users} users", tally, elapsed)
            print("soak end, worker RSS MB: " + ", ".join(f"{v:.0f}" for v in end_rss.values()), flush=True)
            for pid, before in start_rss.items():
                after = end_rss.get(pid)
                change = f"{(after - before) / before * 100:+.1f}%" if after else "replaced (GUNICORN_MAX_REQUESTS)"
                print(f"  worker {pid}: {before:.0f} -> {after or 0:.0f} MB ({change})", flush=True)
            for pid in set(end_rss) - set(start_rss):
                print(f"  worker {pid} (started during the soak): {end_rss[pid]:.0f} MB", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
