"""Time the dashboard's real callbacks over HTTP under gunicorn, on a large database.

    python -m benchmarks.callbacks [--database-url URL] [--requests 60] [--redis URL]

Starts gunicorn (gthread workers, as in the Procfile) on a free local port, then posts the
requests the browser makes when a page opens or a filter changes. "cold" calls use a
different period each time so the query cache cannot answer; "warm" calls repeat one.
Prints the median and 95th percentile per callback. Build the database first with
``python -m benchmarks.run`` (it is reused).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from queries import periods
from queries.counts import latest_month
from queries.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "out"
PAGES = ["overview", "crime", "asb", "domestic-abuse", "repeat-victimisation", "exploitation", "hotspots"]
PATHS = {"overview": "/", "crime": "/crime", "asb": "/asb", "domestic-abuse": "/domestic-abuse",
         "repeat-victimisation": "/repeat-victimisation", "exploitation": "/exploitation", "hotspots": "/hotspots"}

# The filters each board page is timed with, and the hotspot views; {end} is the period's
# last month, different on every cold call.
BOARD_SCENARIOS = {
    "default areas": "?to={end}",
    "Oxford only, count, quarter": "?area=E07000178&to={end}&grain=quarter&measure=count",
    "whole force, burglary + robbery, rolling 12": "?area=E23000029&crime_type=burglary&crime_type=robbery&to={end}&grain=rolling_12",
}
FIRST_VISIT = "first visit"  # the layout fetched with the page, drawn for its address
HOTSPOT_SCENARIOS = {
    "Oxford, all crime, latest month": "?area=E07000178&to={end}",
    "Oxford, ASB, by LSOA": "?area=E07000178&crime_type=anti-social-behaviour&level=lsoa&to={end}",
    "whole force, all crime, latest month": "?area=E23000029&to={end}",
    "whole force, burglary, by grid cell": "?area=E23000029&crime_type=burglary&level=cell&to={end}",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, port: int, redis_url: str | None) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "DEMO_ON_EMPTY": "false", "HOST": "127.0.0.1", "PORT": str(port),
           "SECRET_KEY": os.urandom(24).hex()}
    if redis_url:
        env["CACHE_REDIS_URL"] = redis_url
    # The app logs every request: send the logs to a file (an unread pipe would fill and block).
    OUT.mkdir(exist_ok=True)
    log_path = OUT / "gunicorn.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_path.open("w"),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start: " + log_path.read_text()[-2000:])


def content_payload(page: str, search: str, drawn: str | None = "default") -> dict:
    """The page callback as a browser sends it when the address changes to ``search`` on ``page``.

    ``drawn``: the address drawn before, which the browser keeps and sends (its key:
    ``dashboard.site.page_view.address_key``); by default the page at its default filters, as
    after a first visit whose period is then changed. None: nothing drawn yet, as on a first
    visit whose layout came without the page (no Referer), which also draws the first frame."""
    drawn = PATHS[page] if drawn == "default" else drawn
    groups = ["areas", "area", "crime_types", "period", "grain", "measure", "baseline", "level"]
    outputs = [{"id": "page-header", "property": "children"}, {"id": "page-content", "property": "children"}]
    outputs += [{"id": f"filter-group-{g}", "property": "class_name"} for g in groups]
    outputs += [{"id": "drawn-address", "property": "data"}]
    key = ".." + "...".join(f"{o['id']}.{o['property']}" for o in outputs) + ".."
    return {"output": key, "outputs": outputs,
            "inputs": [{"id": "url", "property": "pathname", "value": PATHS[page]},
                       {"id": "url", "property": "search", "value": search}],
            "state": [{"id": "drawn-address", "property": "data", "value": drawn}],
            "changedPropIds": ["url.search"]}


def dependencies(port: int) -> list[dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/_dash-dependencies")
    return json.loads(connection.getresponse().read())


def follow_up_callbacks(all_dependencies: list[dict]) -> dict[str, dict]:
    """The callbacks besides the page's own that the address's search fires (the filter
    controls, the navigation links, the embedding chrome), by their first output."""
    found = {}
    for dependency in all_dependencies:
        if dependency.get("clientside_function") or "page-content.children" in dependency["output"]:
            continue
        if {"id": "url", "property": "search"} in dependency["inputs"]:
            found[dependency["output"].strip(".").split("...")[0]] = dependency
    return found


def dependency_payload(dependency: dict, page: str, search: str) -> dict:
    """A browser's request for ``dependency`` fired by the address changing to ``search`` on
    ``page``; inputs other than the address are sent empty (the callbacks read only the
    address when it fired them)."""
    outputs = []
    for item in dependency["output"].strip(".").split("..."):
        component, prop = item.rsplit(".", 1)
        outputs.append({"id": component, "property": prop})

    def value(item: dict):
        if item["id"] != "url":
            return None
        return {**item, "value": search if item["property"] == "search" else PATHS[page]}

    return {"output": dependency["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [value(i) or {**i, "value": None} for i in dependency["inputs"]],
            "state": [value(i) or {**i, "value": None} for i in dependency["state"]],
            "changedPropIds": ["url.search"]}


def timed_posts(port: int, payloads: list[dict]) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    for payload in payloads:
        body = json.dumps(payload)
        started = time.perf_counter()
        connection.request("POST", "/_dash-update-component", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"callback failed with {response.status}: {payload['output']}")
    return samples


def timed_gets(port: int, paths: list[str], referrers: list[str] | None = None) -> list[float]:
    """``referrers``: the page each request comes from (the layout is drawn for it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples = []
    for i, path in enumerate(paths):
        headers = {"Referer": f"http://127.0.0.1:{port}{referrers[i]}"} if referrers else {}
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path} failed with {response.status}")
    return samples


def p95(samples: list[float]) -> float:
    """The 95th percentile by the nearest-rank method (a value that was measured)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def report(name: str, samples: list[float]) -> None:
    print(f"{name:<52} median {statistics.median(samples):8.1f} ms   p95 {p95(samples):8.1f} ms", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=f"sqlite:///{OUT / 'benchmark-2000000.sqlite'}")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--redis", default=None, help="CACHE_REDIS_URL for the workers")
    parser.add_argument("--port", type=int, default=None, help="port for gunicorn (default: a free one)")
    args = parser.parse_args()

    last = latest_month(make_engine(args.database_url))
    if last is None:
        raise SystemExit("The database holds no incidents: build it with python -m benchmarks.run")
    ends = [periods.add_months(last, -i) for i in range(args.requests)]
    port = args.port or free_port()
    server = start_gunicorn(args.database_url, port, args.redis)
    print(f"gunicorn on port {port}; {args.requests} requests per row; latest month {last}\n")
    try:
        # A first visit: the layout arrives with the page drawn for the address it was fetched from.
        firsts = [f"{PATHS[PAGES[i % len(PAGES)]]}?to={end}" for i, end in enumerate(ends)]
        report("first visit: layout with the page drawn (cold)", timed_gets(port, ["/_dash-layout"] * len(firsts), firsts))
        hot_ends = ends[: max(10, args.requests // 3)]
        for label, template in HOTSPOT_SCENARIOS.items():
            report(f"hotspots: {label} (cold)", timed_posts(port, [content_payload("hotspots", template.format(end=e)) for e in hot_ends]))
        for label, query in (("Oxford", "?area=E07000178"), ("whole force", "?area=E23000029")):
            report(f"tasking pack PDF: {label} (cold)", timed_gets(port, [f"/hotspots/pack.pdf{query}&to={e}" for e in ends[:6]]))
        for page in PAGES:
            if page == "hotspots":
                continue
            for label, template in BOARD_SCENARIOS.items():
                cold = [content_payload(page, template.format(end=end)) for end in ends]
                report(f"{page}: {label} (cold)", timed_posts(port, cold))
            warm = [content_payload(page, f"?to={last}")] * args.requests
            report(f"{page}: default areas (warm cache)", timed_posts(port, warm))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
