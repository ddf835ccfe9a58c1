"""The synthetic demo set: deterministic, realistic in shape, and labelled synthetic."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from queries import demo
from queries.counts import counts, loaded_months_with_source
from queries.importers.policeuk_parse import STREET_HEADER
from queries.reference import COMPARISON_AREAS, DISTRICT_BY_LSOA_PREFIX, THAMES_VALLEY
from queries.schema import incident

from .helpers import count_rows


def rows(month):
    return list(csv.reader(io.StringIO(demo.month_csv(month, last_month="2024-06").decode())))


def _month_digest_in_a_new_process(hash_seed: str) -> str:
    """The digest of a demo month written by a fresh interpreter with its own string-hash seed."""
    code = ("import hashlib; from queries import demo; "
            "print(hashlib.sha256(demo.month_csv('2024-03', last_month='2024-06')).hexdigest())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1], env=os.environ | {"PYTHONHASHSEED": hash_seed},
                            timeout=120)
    return result.stdout.strip()


def test_a_month_is_the_same_in_every_process():
    # Two interpreters with different string-hash seeds: anything keyed on set or dict order of
    # strings, or on hash(), would write different rows (a rebuilt demo database would then differ).
    here = hashlib.sha256(demo.month_csv("2024-03", last_month="2024-06")).hexdigest()
    assert _month_digest_in_a_new_process("1") == here
    assert _month_digest_in_a_new_process("2") == here


def test_files_are_in_the_police_uk_format_for_all_13_districts():
    data = rows("2024-03")
    assert data[0] == STREET_HEADER
    districts = {DISTRICT_BY_LSOA_PREFIX[r[8].rsplit(" ", 1)[0]] for r in data[1:] if r[8]}
    assert len(districts) == 13
    assert 12_000 < len(data) - 1 < 24_000  # the real force records about 13,500 to 18,200 a month


def test_the_crime_mix_and_seasonality_look_real():
    types = Counter(r[9] for r in rows("2024-07")[1:])
    assert types.most_common(1)[0][0] == "Violence and sexual offences"
    july = len(rows("2024-07")) - 1
    february = len(rows("2024-02")) - 1
    assert july > february * 1.1


def test_incidents_cluster_in_few_lsoas():
    lsoas = Counter(r[7] for r in rows("2024-03")[1:] if r[7])
    ranked = [n for _, n in lsoas.most_common()]
    top_tenth = sum(ranked[: len(ranked) // 10])
    assert top_tenth > 0.2 * sum(ranked)


def test_loaded_demo_is_labelled_synthetic(sqlite_engine):
    stored = demo.load_demo(sqlite_engine, "2024-01", "2024-02", scale=0.05)
    assert stored == count_rows(sqlite_engine, incident, incident.c.is_synthetic.is_(True)) > 0
    assert loaded_months_with_source(sqlite_engine, THAMES_VALLEY) == [("2024-01", True), ("2024-02", True)]
    frame = counts(sqlite_engine, COMPARISON_AREAS)
    assert frame["is_synthetic"].all()


def test_latest_full_month():
    from datetime import date

    assert demo.latest_full_month(date(2026, 11, 21)) == "2026-10"
    assert demo.latest_full_month(date(2026, 1, 5)) == "2025-12"


def test_demo_incidents_fall_inside_the_real_lsoa_polygons_they_claim():
    import json

    import numpy as np

    from queries.demo_places import LSOA_SHAPES, inside

    shapes = {f["properties"]["LSOA11CD"]: f for f in json.loads(LSOA_SHAPES.read_text())["features"]}
    located = [r for r in rows("2024-03")[1:] if r[7]]
    by_lsoa: dict[str, list] = {}
    for r in located:
        assert shapes[r[7]]["properties"]["LSOA11NM"] == r[8]  # a real code with its real name
        by_lsoa.setdefault(r[7], []).append((float(r[4]), float(r[5])))
    for code, points in by_lsoa.items():
        lon, lat = np.array(points).T
        assert inside(lon, lat, shapes[code]["geometry"]).all(), code
    assert len(by_lsoa) > 1000  # most of the force's 1,415 LSOAs have an incident in a month


def test_point_in_polygon_by_hand():
    from queries.demo_places import inside

    square_with_hole = {"type": "Polygon", "coordinates": [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]]}
    assert inside([0.5, 1.5, 3, 5], [0.5, 1.5, 3, 1], square_with_hole).tolist() == [True, False, True, False]


def _stored(engine):
    """What a load leaves behind, in terms that do not depend on row ids or on the flag."""
    from sqlalchemy import select

    from queries.schema import incident_count, lsoa, lsoa_count, place, place_count

    with engine.connect() as conn:
        counts = sorted(conn.execute(select(incident_count.c.area_code, incident_count.c.month,
                                            incident_count.c.crime_type, incident_count.c.count)).all())
        counts += sorted(conn.execute(select(lsoa_count.c.lsoa_code, lsoa_count.c.month,
                                             lsoa_count.c.crime_type, lsoa_count.c.count)).all())
        places = sorted(conn.execute(
            select(place.c.lsoa_code, place.c.name, place.c.longitude, place.c.latitude, place_count.c.month,
                   place_count.c.crime_type, place_count.c.count).join(place, place.c.id == place_count.c.place_id)
        ).all())
        incidents = Counter(conn.execute(select(
            incident.c.month, incident.c.crime_type, incident.c.district_code, incident.c.lsoa_code,
            incident.c.longitude, incident.c.latitude, incident.c.last_outcome)).all())
        lsoas = sorted(conn.execute(select(lsoa)).all())
        unused_places = conn.execute(select(place.c.id).where(place.c.id.not_in(select(place_count.c.place_id)))).all()
    return counts, places, incidents, lsoas, unused_places


def test_the_direct_load_stores_what_importing_the_demo_files_stores(tmp_path):
    """The direct load skips the CSV text and the row checks: its result must equal
    importing the same months' police.uk files through the ordinary importer."""
    from queries.bootstrap import init_db
    from queries.db import make_engine
    from queries.importers.policeuk import import_policeuk

    direct = make_engine(f"sqlite:///{tmp_path / 'direct.sqlite'}")
    imported = make_engine(f"sqlite:///{tmp_path / 'imported.sqlite'}")
    init_db(direct)
    init_db(imported)
    stored = demo.load_demo(direct, "2024-01", "2024-03", scale=0.05)
    files = demo.write_demo_files(tmp_path / "csv", "2024-01", "2024-03", scale=0.05)
    import_policeuk(imported, files)

    assert stored == count_rows(imported, incident) > 0
    direct_state, imported_state = _stored(direct), _stored(imported)
    assert direct_state[:4] == imported_state[:4]
    assert direct_state[4] == []  # no map point without incidents
    assert count_rows(direct, incident, incident.c.crime_id.is_not(None)) == 0  # ids are not kept


def test_the_load_rebuilds_its_indexes_and_leaves_no_write_ahead_log(tmp_path):
    from sqlalchemy import inspect

    from queries.bootstrap import init_db
    from queries.db import make_engine
    from queries.schema import place_count

    path = tmp_path / "demo.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    demo.load_demo(engine, "2024-01", "2024-01", scale=0.05)
    names = {ix["name"] for table in ("incident", "place_count") for ix in inspect(engine).get_indexes(table)}
    assert names == {ix.name for ix in (*incident.indexes, *place_count.indexes)}
    wal = tmp_path / "demo.sqlite-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    # A second load of other months goes into a table that has rows: indexes stay in place.
    demo.load_demo(engine, "2024-02", "2024-02", scale=0.05)
    assert loaded_months_with_source(engine, THAMES_VALLEY) == [("2024-01", True), ("2024-02", True)]


def test_demo_stored_as_real_files_for_benchmarks(engine):
    # On PostgreSQL the rows go in by COPY: the count must still be every row of the files.
    stored = demo.load_demo(engine, "2024-01", "2024-02", scale=0.05, synthetic=False)
    in_files = sum(len(list(csv.reader(io.StringIO(demo.month_csv(m, scale=0.05, last_month="2024-02").decode())))) - 1
                   for m in ("2024-01", "2024-02"))
    assert stored == in_files == count_rows(engine, incident) > 0
    assert count_rows(engine, incident, incident.c.is_synthetic.is_(True)) == 0
    assert loaded_months_with_source(engine, THAMES_VALLEY) == [("2024-01", False), ("2024-02", False)]
    assert not counts(engine, COMPARISON_AREAS)["is_synthetic"].any()
