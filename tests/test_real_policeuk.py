"""The importer on the real data.police.uk files in ../shared/data (skipped where absent)."""

from __future__ import annotations

import csv
import gzip
from collections import Counter

import pytest
from sqlalchemy import func, select

from queries.counts import monthly_counts
from queries.importers.policeuk import import_policeuk
from queries.reference import AREAS, CRIME_TYPE_SLUG_BY_NAME, DISTRICT, DISTRICT_BY_LSOA_PREFIX, THAMES_VALLEY, force_of
from queries.schema import incident

from .conftest import shared_file, street_rows

DISTRICTS = [a.code for a in AREAS if a.level == DISTRICT]


def expected_counts(path) -> Counter:
    """(district, crime type) -> count, computed straight from the file, first Crime ID kept."""
    counts: Counter = Counter()
    for row in street_rows(path):
        slug = CRIME_TYPE_SLUG_BY_NAME[row["Crime type"]]
        if not row["LSOA code"]:
            counts[(None, slug)] += 1
            continue
        district = DISTRICT_BY_LSOA_PREFIX.get(row["LSOA name"].rsplit(" ", 1)[0])
        if district and force_of(district) == THAMES_VALLEY:  # rows snapped over the border count nowhere
            counts[(district, slug)] += 1
    return counts


def stored_counts(engine, month) -> Counter:
    frame = monthly_counts(engine, DISTRICTS, list(CRIME_TYPE_SLUG_BY_NAME.values()), month, month, by_crime_type=True)
    return Counter({(r.area_code, r.crime_type): r.count for r in frame.itertuples() if r.count})


@pytest.mark.parametrize("month", ["2022-01", "2024-01"])  # one file of each LSOA vintage
def test_stored_counts_per_district_and_type_equal_the_file(engine, month):
    path = shared_file("policeuk", f"{month}-thames-valley-street.csv.gz")
    import_policeuk(engine, [path])
    expected = expected_counts(path)
    by_district = Counter({k: v for k, v in expected.items() if k[0] is not None})
    assert stored_counts(engine, month) == by_district
    force = monthly_counts(engine, [THAMES_VALLEY], list(CRIME_TYPE_SLUG_BY_NAME.values()), month, month)
    assert int(force["count"].sum()) == sum(expected.values())


def test_importing_twice_gives_the_same_counts(engine):
    path = shared_file("policeuk", "2024-02-thames-valley-street.csv.gz")
    import_policeuk(engine, [path])
    first = stored_counts(engine, "2024-02")
    import_policeuk(engine, [path])
    assert stored_counts(engine, "2024-02") == first
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(incident)).scalar() == sum(expected_counts(path).values())


def test_the_2022_01_outcomes_file_updates_outcomes(engine):
    street = shared_file("policeuk", "2022-01-thames-valley-street.csv.gz")
    outcomes = shared_file("policeuk", "2022-01-thames-valley-outcomes.csv.gz")
    import_policeuk(engine, [street])
    with engine.connect() as conn:
        before = dict(conn.execute(select(incident.c.crime_id, incident.c.last_outcome).where(incident.c.crime_id.is_not(None))).all())
    [summary] = import_policeuk(engine, [outcomes])
    with engine.connect() as conn:
        after = dict(conn.execute(select(incident.c.crime_id, incident.c.last_outcome).where(incident.c.crime_id.is_not(None))).all())
    # Expected: the last listed outcome of each January 2022 crime named in the file.
    latest = {}
    with gzip.open(outcomes, "rt", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            latest[row["Crime ID"]] = row["Outcome type"]
    named = {cid: outcome for cid, outcome in latest.items() if cid in before}
    assert summary.outcomes_updated == len(named) > 0
    assert all(after[cid] == outcome for cid, outcome in named.items())
    assert sum(1 for cid in before if before[cid] != after[cid]) > 0
    assert all(after[cid] == before[cid] for cid in before if cid not in named)
