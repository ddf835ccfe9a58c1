"""One page callback timed in one process, each call against a fixed piece of pure-Python
work, so that two versions of the code can be compared on a machine whose speed drifts.

    python -m benchmarks.in_process PAGE [SCENARIO] [--calls 15] [--database-url URL] [--code DIR]

On a shared virtual machine the same work took from about 55 to 110 ms within minutes with
nothing else running, so two runs of ``benchmarks.targets`` an hour apart differ by more than
most changes of code. Here each call's time is divided by the time the reference loop
(``benchmarks.reference``, shortened) took just before and just after it; the median of
these ratios moves with the code, not with the machine. Run it for two checkouts in turn
(``--code`` names the one whose app is measured), a few times each, and compare the ratios.

The app is built as a gunicorn worker runs it (gunicorn.conf.py's ``post_worker_init``: the
warm-up, the frozen heap, the collector's thresholds), the query cache is emptied, and one
untimed call for a month the timed calls do not use pays for what is rebuilt once per data
version; then each timed call asks for a different period, as ``benchmarks.targets`` does.
SCENARIO is one of ``callbacks.BOARD_SCENARIOS`` or ``HOTSPOT_SCENARIOS`` (default areas
when left out), or ``first visit``: the layout a first visit fetches, drawn for the page's
address. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import os
import runpy
import statistics
import sys
import time
import types
from pathlib import Path

from .reference import reference_loop_ms

DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parent / 'out' / 'benchmark-2000000.sqlite'}"
REFERENCE_ITERATIONS = 200_000  # about 10 to 25 ms here: short enough to run around every call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page")
    parser.add_argument("scenario", nargs="?", default="default areas")
    parser.add_argument("--calls", type=int, default=15)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose app is measured (default: this one)")
    args = parser.parse_args()

    code = args.code.resolve()
    os.chdir(code)
    # Nothing of the project is imported before this: the app, its pages and queries are the
    # measured checkout's (the payloads are this one's: what a browser sends).
    sys.path.insert(0, str(code))
    from queries import periods
    from queries.counts import latest_month

    from .callbacks import BOARD_SCENARIOS, FIRST_VISIT, HOTSPOT_SCENARIOS, PATHS, content_payload

    scenarios = {**BOARD_SCENARIOS, **HOTSPOT_SCENARIOS}
    if args.scenario not in scenarios and args.scenario != FIRST_VISIT:
        parser.error(f"unknown scenario {args.scenario!r}; known: {', '.join(scenarios)}, {FIRST_VISIT}")
    import app as composition

    dash_app = composition.create_app({"database_url": args.database_url, "secret_key": os.urandom(32).hex(),
                                       "rate_limit_enabled": False, "cache_redis_url": None})
    server = dash_app.server
    runpy.run_path(str(code / "gunicorn.conf.py"))["post_worker_init"](types.SimpleNamespace(wsgi=server))
    client = server.test_client()
    last = latest_month(server.extensions["read_engine"])
    ends = [periods.add_months(last, -i) for i in range(args.calls + 1)]

    def call(end: str) -> float:
        started = time.perf_counter()
        if args.scenario == FIRST_VISIT:
            # The layout is drawn for the page it is fetched from (its Referer).
            response = client.get("/_dash-layout", headers={"Referer": f"http://localhost{PATHS[args.page]}?to={end}"})
        else:
            response = client.post("/_dash-update-component",
                                   json=content_payload(args.page, scenarios[args.scenario].format(end=end)))
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"the callback answered {response.status_code}")
        return elapsed

    server.extensions["query_cache"].clear()
    call(ends[-1])
    times, ratios, references = [], [], []
    for end in ends[:-1]:
        before = reference_loop_ms(REFERENCE_ITERATIONS)
        elapsed = call(end)
        reference = (before + reference_loop_ms(REFERENCE_ITERATIONS)) / 2
        times.append(elapsed)
        references.append(reference)
        ratios.append(elapsed / reference)
    print(f"{code.name} {args.page}, {args.scenario}: median {statistics.median(times):.0f} ms "
          f"(reference loop {min(references):.0f} to {max(references):.0f} ms); "
          f"median call / reference {statistics.median(ratios):.2f} over {len(times)} calls", flush=True)


if __name__ == "__main__":
    main()
