"""The packed place counts the hotspot analysis reads agree with the raw incident rows after
every way counts are written or removed: the demo set, police.uk imports (a month replaced,
the demo months dropped), partner imports (a source's month replaced, police.uk's left alone)
and the migration that packs a database's existing counts. On SQLite and PostgreSQL."""

from __future__ import annotations

import struct
from collections import Counter

import pandas as pd
from sqlalchemy import func, insert, select

from queries import hotspots, periods
from queries.db import alembic_config, make_engine
from queries.demo import load_demo
from queries.importers.incidents_store import import_incidents
from queries.importers.policeuk import import_policeuk
from queries.reference import OXFORD, THAMES_VALLEY, districts_in
from queries.schema import incident, place_count_packed

from .conftest import FIXTURES
from .incident_fixtures import FILES, incident_engine

POLICEUK = FIXTURES / "policeuk"
JAN_2024 = POLICEUK / "2024-01-thames-valley-street.csv"
FEB_2024 = POLICEUK / "2024-02-thames-valley-street.csv"


def packed(engine) -> Counter:
    """Every packed count, unpacked by hand: (district, month, type, source, place) -> count."""
    counts: Counter = Counter()
    with engine.connect() as conn:
        rows = conn.execute(select(place_count_packed.c.district_code, place_count_packed.c.month,
                                   place_count_packed.c.crime_type, place_count_packed.c.source,
                                   place_count_packed.c.places)).all()
    for district, month, crime_type, source, places in rows:
        assert len(places) % 8 == 0 and len(places) > 0
        ids = [place_id for place_id, _ in struct.iter_unpack("<ii", bytes(places))]
        assert ids == sorted(set(ids))  # each place once, in order
        for place_id, count in struct.iter_unpack("<ii", bytes(places)):
            counts[(district, month, crime_type, source, place_id)] += count
    return counts


def raw(engine) -> Counter:
    """The same counted from the incident rows themselves."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(incident.c.district_code, incident.c.month, incident.c.crime_type, incident.c.source,
                   incident.c.place_id, func.count())
            .where(incident.c.place_id.is_not(None))
            .group_by(incident.c.district_code, incident.c.month, incident.c.crime_type, incident.c.source,
                      incident.c.place_id)
        ).all()
    return Counter({tuple(row[:5]): row[5] for row in rows})


def test_demo_set_then_police_imports_keep_packed_counts_equal_to_incidents(engine, tmp_path):
    load_demo(engine, "2023-11", "2023-12", scale=0.02)
    before = raw(engine)
    assert before and packed(engine) == before
    import_policeuk(engine, [JAN_2024, FEB_2024])  # real months drop the demo ones
    after = raw(engine)
    assert {key[1] for key in after} == {"2024-01", "2024-02"}
    assert packed(engine) == after
    # A newer download of January without one row replaces the month.
    lines = JAN_2024.read_text().splitlines(keepends=True)
    dropped = next(i for i, line in enumerate(lines) if "Burglary" in line)
    newer = tmp_path / JAN_2024.name
    newer.write_text("".join(lines[:dropped] + lines[dropped + 1:]))
    import_policeuk(engine, [newer])
    assert sum(raw(engine).values()) == sum(after.values()) - 1
    assert packed(engine) == raw(engine)


def test_partner_imports_keep_packed_counts_equal_to_incidents(database_url):
    engine = incident_engine(database_url)
    try:
        import_incidents(engine, FILES / "istv_good.csv", imported_by="analyst")
        partner = raw(engine)
        assert {key[3] for key in partner} == {"ae-assaults"} and packed(engine) == partner
        import_policeuk(engine, [JAN_2024])
        both = raw(engine)
        assert {key[3] for key in both} > {"ae-assaults"}
        assert packed(engine) == both
        # The same file again replaces the source's month and leaves police.uk's counts alone.
        import_incidents(engine, FILES / "istv_good.csv", imported_by="analyst")
        assert raw(engine) == both and packed(engine) == both
    finally:
        engine.dispose()


def test_the_hotspot_counts_read_from_the_packed_rows_match_the_incidents(engine):
    load_demo(engine, "2023-01", "2023-12", scale=0.02)
    districts = set(districts_in(OXFORD))
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(
            select(incident.c.place_id, incident.c.month, incident.c.crime_type, incident.c.district_code)
            .where(incident.c.place_id.is_not(None))).all(), columns=["place_id", "month", "crime_type", "district"])
    rows = rows[rows["district"].isin(districts) & (rows["crime_type"] != "anti-social-behaviour")]
    counts, split = hotspots._fetch_counts_and_split(engine, OXFORD, None, "2023-01", "2023-02", "2023-11", "2023-12")
    expected = rows[rows["month"] >= "2023-01"].groupby(["place_id", "month"]).size()
    got = pd.Series(counts.count, index=pd.MultiIndex.from_arrays(
        [counts.place_ids[counts.place], counts.months[counts.month]], names=["place_id", "month"]))
    assert got.sort_index().to_dict() == expected.to_dict()
    in_split = rows[rows["month"] >= "2023-02"]
    period = in_split[in_split["month"] >= "2023-11"].groupby(["place_id", "crime_type"]).size()
    baseline = in_split[in_split["month"] < "2023-11"].groupby(["place_id", "crime_type"]).size()
    table = split.set_index(["place_id", "crime_type"])
    assert table["period"][table["period"] > 0].to_dict() == period.to_dict()
    assert table["baseline"][table["baseline"] > 0].to_dict() == baseline.to_dict()
    assert len(table) == len(period.index.union(baseline.index))


def test_the_hotspot_counts_of_a_month_with_nothing_stored_are_empty(engine):
    counts, split = hotspots._fetch_counts_and_split(engine, THAMES_VALLEY, None, "2020-01", "2020-01", "2020-02",
                                                     periods.add_months("2020-02", 0))
    assert len(counts.count) == 0 and split.empty


def test_the_migration_packs_the_counts_already_stored(database_url):
    from alembic import command

    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0011_intervention_source")
    from sqlalchemy import MetaData, Table

    table = Table("place_count", MetaData(), autoload_with=engine)
    stored = [  # (district, month, type, source, place, count), by hand
        ("E07000178", "2024-01", "burglary", "police-crime", 7, 3),
        ("E07000178", "2024-01", "burglary", "police-crime", 2, 1),
        ("E07000178", "2024-01", "anti-social-behaviour", "police-asb", 7, 5),
        ("E07000177", "2024-01", "burglary", "police-crime", 9, 2),
        ("E07000178", "2024-02", "burglary", "police-crime", 7, 4),
        ("E07000178", "2024-02", "assault", "ae-assaults", 3, 6),
    ]
    with engine.begin() as conn:
        conn.execute(insert(table), [
            {"force_code": THAMES_VALLEY, "district_code": d, "month": m, "crime_type": t, "source": s,
             "place_id": p, "count": n, "is_synthetic": False} for d, m, t, s, p, n in stored])
    command.upgrade(alembic_config(engine), "head")
    assert packed(engine) == Counter({row[:5]: row[5] for row in stored})
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(place_count_packed)).scalar() == 5
    engine.dispose()
