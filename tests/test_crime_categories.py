"""Every data.police.uk crime category goes through the importer to the counts, checked
against counts written out by hand for tests/fixtures/policeuk/2024-02-thames-valley-street.csv."""

from __future__ import annotations

import csv

from queries.counts import monthly_counts
from queries.importers.policeuk import import_policeuk
from queries.importers.policeuk_parse import SKIP_DUPLICATE
from queries.reference import CRIME_TYPES, OXFORD, OXFORDSHIRE, THAMES_VALLEY

from .conftest import FIXTURES

POLICEUK = FIXTURES / "policeuk"
FEB_2024 = POLICEUK / "2024-02-thames-valley-street.csv"
READING = "E06000038"
CHERWELL = "E07000177"
BUCKINGHAMSHIRE = "E06000060"

# By hand, from the file: one row a crime, ab07 listed twice (a duplicate), ab11 has no location.
EXPECTED = {
    OXFORD: {"bicycle-theft": 3, "criminal-damage-arson": 1, "robbery": 2},
    CHERWELL: {"drugs": 1},
    READING: {"criminal-damage-arson": 1, "possession-of-weapons": 1},
    BUCKINGHAMSHIRE: {"other-crime": 1},
    OXFORDSHIRE: {"bicycle-theft": 3, "criminal-damage-arson": 1, "robbery": 2, "drugs": 1},
    THAMES_VALLEY: {"bicycle-theft": 3, "criminal-damage-arson": 2, "drugs": 1, "possession-of-weapons": 1,
                    "robbery": 2, "other-crime": 2},
}


def test_the_street_fixtures_hold_every_crime_category():
    seen = set()
    for path in POLICEUK.glob("*-street.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            seen |= {row["Crime type"] for row in csv.DictReader(handle)}
    assert seen == {c.name for c in CRIME_TYPES}


def test_each_category_is_counted_in_its_district_county_and_force(engine):
    [summary] = import_policeuk(engine, [FEB_2024])
    assert (summary.rows_read, summary.rows_stored, summary.no_location) == (12, 11, 1)
    assert summary.skipped == {SKIP_DUPLICATE: 1}
    for area, expected in EXPECTED.items():
        frame = monthly_counts(engine, [area], [c.slug for c in CRIME_TYPES], "2024-02", "2024-02", by_crime_type=True)
        counted = {t: int(n) for t, n in zip(frame["crime_type"], frame["count"]) if n}
        assert counted == expected, area
