"""How long after an import a PostgreSQL streaming replica shows it.

    python -m benchmarks.replica_lag --primary URL --replica URL [--batches 1,12,60]

Sets up the primary's schema (the replica follows it), then, for each batch size, writes that
many months of the home force's synthetic set on the primary in one transaction (the bulk
loader, as a large import writes) and polls the replica every 5 ms, through the app's own
reading engine, until the months are there. Prints the rows, the write-ahead log the import
made and the time from the primary's commit to the replica showing it.
"""

from __future__ import annotations

import argparse
import os
import time

from sqlalchemy import func, select, text

from queries import periods
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.demo import latest_full_month, load_demo
from queries.schema import loaded_month


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--primary", required=True)
    parser.add_argument("--replica", required=True)
    parser.add_argument("--batches", default="1,12,60", help="months written per import")
    args = parser.parse_args()
    primary, replica = make_engine(args.primary), make_engine(args.replica)
    init_db(primary)
    with primary.begin() as conn:
        conn.execute(text("TRUNCATE incident, incident_count, place_count, place_count_packed, lsoa_count, loaded_month, place, lsoa"))
    last = latest_full_month()
    for months in (int(b) for b in args.batches.split(",")):
        first = periods.add_months(last, -(months - 1))
        with primary.connect() as conn:
            wal_before = conn.execute(text("SELECT pg_current_wal_lsn()")).scalar()
        rows = load_demo(primary, first, last, synthetic=False)
        committed = time.perf_counter()
        while True:
            with replica.connect() as conn:
                seen = conn.execute(select(func.count()).select_from(loaded_month)
                                    .where(loaded_month.c.month.between(first, last))).scalar()
            if seen == months:
                break
            time.sleep(0.005)
        lag = time.perf_counter() - committed
        with primary.connect() as conn:
            wal = conn.execute(text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), :before)"), {"before": wal_before}).scalar()
        print(f"{months} months ({rows:,} incidents): {float(wal) / 2**20:,.0f} MiB of write-ahead log; on the replica "
              f"{lag * 1000:,.0f} ms after the commit; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
              flush=True)
        with primary.begin() as conn:
            conn.execute(text("TRUNCATE incident, incident_count, place_count, place_count_packed, lsoa_count, loaded_month, place, lsoa"))
    primary.dispose()
    replica.dispose()


if __name__ == "__main__":
    main()
