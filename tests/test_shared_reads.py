"""Monthly counts shared within a request: a narrower ask inside an earlier read's areas and
months is answered from it with no query, and gives the rows a query would; outside a scope,
and for another set of crime types or options, every ask is a query. Expected counts are the
seeded values, written out by hand; months not loaded stay missing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event

from dashboard.server.read_scope import register_read_scope
from queries import periods, shared_reads
from queries.counts import monthly_counts
from queries.reference import OXFORD, OXFORDSHIRE, THAMES_VALLEY

from .helpers import seed_counts

CHERWELL = "E07000177"
GAP = {"2023-05", "2023-06", "2023-07"}  # never loaded
MONTHS = [m for m in periods.months_between("2022-01", "2024-03") if m not in GAP]
OXFORD_BURGLARY = {m: periods.month_index(m) - periods.month_index("2022-01") + 1 for m in MONTHS}  # 1, 2, ...
CHERWELL_ROBBERY = dict.fromkeys(MONTHS, 5)


def count_reads(engine) -> list[str]:
    """The statements that read incident counts, as they are sent."""
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: sent.append(statement) if "incident_count" in statement else None)
    return sent


@pytest.fixture
def seeded(engine):
    seed_counts(engine, OXFORD_BURGLARY)
    seed_counts(engine, CHERWELL_ROBBERY, district=CHERWELL, crime_type="robbery")
    return engine


def test_a_narrower_ask_is_sliced_from_the_wider_read_with_the_rows_a_query_gives(seeded):
    sent = count_reads(seeded)
    with shared_reads.shared():
        wide = monthly_counts(seeded, [OXFORD, CHERWELL, OXFORDSHIRE], None, "2022-01", "2024-03")
        oxford_2023 = monthly_counts(seeded, [OXFORD], None, "2023-01", "2023-12")
        county_spring = monthly_counts(seeded, [OXFORDSHIRE, CHERWELL], None, "2024-01", "2024-03")
        in_the_gap = monthly_counts(seeded, [OXFORD], None, "2023-05", "2023-07")
        assert len(sent) == 1  # one query answered all four
        # Not inside it: more areas, later months, another option or crime types.
        force = monthly_counts(seeded, [OXFORD, THAMES_VALLEY], None, "2023-01", "2023-12")
        later = monthly_counts(seeded, [OXFORD], None, "2024-01", "2024-06")
        by_type = monthly_counts(seeded, [OXFORD], None, "2023-01", "2023-12", by_crime_type=True)
        robbery = monthly_counts(seeded, [OXFORD], ["robbery"], "2023-01", "2023-12")
        assert len(sent) == 5
    assert len(wide) == 3 * len(MONTHS)
    assert oxford_2023["month"].tolist() == ["2023-01", "2023-02", "2023-03", "2023-04", "2023-08", "2023-09",
                                             "2023-10", "2023-11", "2023-12"]
    assert oxford_2023["count"].tolist() == [13, 14, 15, 16, 20, 21, 22, 23, 24]
    assert oxford_2023.index.tolist() == list(range(9))
    assert county_spring["area_code"].tolist() == [CHERWELL] * 3 + [OXFORDSHIRE] * 3  # sorted by area, as a query
    assert county_spring["count"].tolist() == [5, 5, 5, 25 + 5, 26 + 5, 27 + 5]
    assert in_the_gap.empty and list(in_the_gap.columns) == list(wide.columns)
    assert force.loc[force["area_code"] == THAMES_VALLEY, "count"].tolist() == [18, 19, 20, 21, 25, 26, 27, 28, 29]
    assert later["month"].tolist() == ["2024-01", "2024-02", "2024-03"]
    totals = by_type.groupby("crime_type")["count"].sum()
    assert totals["burglary"] == 13 + 14 + 15 + 16 + 20 + 21 + 22 + 23 + 24 and totals.drop("burglary").eq(0).all()
    assert robbery["count"].tolist() == [0] * 9  # robbery was seeded in Cherwell only
    # The same asks outside a scope, each its own query, give the same frames.
    outside = [monthly_counts(seeded, [OXFORD], None, "2023-01", "2023-12"),
               monthly_counts(seeded, [OXFORDSHIRE, CHERWELL], None, "2024-01", "2024-03"),
               monthly_counts(seeded, [OXFORD], None, "2023-05", "2023-07")]
    assert len(sent) == 8
    for inside, alone in zip((oxford_2023, county_spring, in_the_gap), outside, strict=True):
        assert inside.equals(alone) and (inside.dtypes == alone.dtypes).all()


def test_a_caller_changing_its_frame_changes_no_other_callers(seeded):
    with shared_reads.shared():
        first = monthly_counts(seeded, [OXFORD], None, "2023-01", "2023-04")
        first["count"] = 0
        first.loc[0, "month"] = "1999-01"
        again = monthly_counts(seeded, [OXFORD], None, "2023-01", "2023-04")
        part = monthly_counts(seeded, [OXFORD], None, "2023-02", "2023-03")
    assert again["count"].tolist() == [13, 14, 15, 16] and again["month"].iloc[0] == "2023-01"
    assert part["count"].tolist() == [14, 15]


def test_only_requests_that_read_get_a_scope():
    server = Flask(__name__)
    register_read_scope(server, "/")
    seen = []

    @server.route("/page", methods=["GET", "POST"])
    @server.route("/_dash-update-component", methods=["POST"])
    def view():
        seen.append(shared_reads._reads.get() is not None)
        return ""

    client = server.test_client()
    client.get("/page")
    client.post("/_dash-update-component")
    client.post("/page")  # a form that may change data reads without one
    assert seen == [True, True, False]
    assert shared_reads._reads.get() is None  # closed when each request ended


def test_counts_read_before_an_import_never_answer_an_ask_after_it(seeded):
    # One request reads through the query cache; an import commits in the middle of it. What
    # the request asks afterwards is cached under the new data version, so it must be read
    # after the import, not sliced from the read before it.
    from sqlalchemy import update

    from dashboard.server.cache import QueryCache
    from queries.importers.bookkeeping import bump_data_version
    from queries.schema import incident_count

    cache = QueryCache(Flask(__name__), seeded, None, 3600, version_ttl=0.0)
    with shared_reads.shared():
        before = cache.get(monthly_counts, (OXFORD,), None, "2023-01", "2024-03")
        with seeded.begin() as conn:
            conn.execute(update(incident_count).where(incident_count.c.area_code == OXFORD,
                                                      incident_count.c.month == "2024-03")
                         .values(count=incident_count.c.count + 1000))
            bump_data_version(conn)
        after = cache.get(monthly_counts, (OXFORD,), None, "2024-01", "2024-03")
    assert before["count"].iloc[-1] == 27  # March 2024 as seeded
    assert after["count"].tolist() == [25, 26, 27 + 1000]
    # And a later request finds the new counts in the cache.
    assert cache.get(monthly_counts, (OXFORD,), None, "2024-01", "2024-03")["count"].tolist() == [25, 26, 1027]
