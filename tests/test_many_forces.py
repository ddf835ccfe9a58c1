"""A data.police.uk archive of several forces: every force's files load, each into its own
force, and one force's figures are read without touching another's rows."""

from __future__ import annotations

import csv
import gzip

import pytest
from sqlalchemy import event, select, text

from queries.counts import counts, loaded_months, monthly_counts
from queries.importers.errors import ImportRejected
from queries.importers.policeuk import import_policeuk
from queries.reference import CRIME_TYPE_SLUG_BY_NAME, THAMES_VALLEY
from queries.repeat import repeat_locations
from queries.schema import incident, loaded_month

from .conftest import shared_file
from .other_forces import archive, cambridgeshire_month, dyfed_powys_month, south_wales_month

CAMBRIDGE, CAMBRIDGESHIRE_COUNTY, CAMBRIDGESHIRE_FORCE = "E07000008", "E10000003", "E23000023"
CARDIFF, SWANSEA, SOUTH_WALES = "W06000015", "W06000011", "W15000003"
CEREDIGION, DYFED_POWYS = "W06000008", "W15000004"
OXFORD = "E07000178"


@pytest.fixture
def loaded(engine, tmp_path):
    """One month of four forces in one archive (Thames Valley's real file), and a British
    Transport Police file that has no police force area."""
    real = gzip.decompress(shared_file("policeuk", "2024-01-thames-valley-street.csv.gz").read_bytes())
    path = archive(tmp_path / "2024-01.zip", {
        "2024-01/2024-01-thames-valley-street.csv": real,
        "2024-01/2024-01-cambridgeshire-street.csv": cambridgeshire_month("2024-01"),
        "2024-01/2024-01-south-wales-street.csv": south_wales_month("2024-01"),
        "2024-01/2024-01-dyfed-powys-street.csv": dyfed_powys_month("2024-01"),
        "2024-01/2024-01-btp-street.csv": cambridgeshire_month("2024-01").replace(
            "Cambridgeshire Constabulary", "British Transport Police"),
    })
    summaries = {s.name.rsplit("/", 1)[-1]: s for s in import_policeuk(engine, [path])}
    return engine, summaries


def _count(engine, code: str, located: bool = False) -> int:
    frame = monthly_counts(engine, [code], None, "2024-01", "2024-01", located=located)
    return int(frame["count"].sum())


def test_every_force_of_an_archive_loads_into_its_own_force(loaded):
    engine, summaries = loaded
    with engine.connect() as conn:
        forces = set(conn.execute(select(loaded_month.c.force_code)).scalars())
    assert forces == {THAMES_VALLEY, CAMBRIDGESHIRE_FORCE, SOUTH_WALES, DYFED_POWYS}
    assert summaries["2024-01-btp-street.csv"].kind == "skipped"
    # The hand counts of tests/other_forces.py (crime only, anti-social behaviour apart).
    assert _count(engine, CAMBRIDGE) == 2 and _count(engine, CAMBRIDGESHIRE_COUNTY) == 3
    assert _count(engine, CAMBRIDGESHIRE_FORCE) == 5 and _count(engine, CAMBRIDGESHIRE_FORCE, located=True) == 4
    assert int(monthly_counts(engine, [CAMBRIDGE], ["anti-social-behaviour"], "2024-01", "2024-01")["count"].sum()) == 1
    assert summaries["2024-01-cambridgeshire-street.csv"].skipped == {"LSOA outside the force": 1}  # the Hertsmere row
    assert _count(engine, CARDIFF) == 3 and _count(engine, SWANSEA) == 1 and _count(engine, SOUTH_WALES) == 4
    # Ceredigion's row in South Wales's file is not South Wales's to count; Dyfed-Powys's own two are.
    assert _count(engine, CEREDIGION) == 2 and _count(engine, DYFED_POWYS) == 2
    with engine.connect() as conn:
        stored = dict(conn.execute(select(incident.c.force_code, incident.c.id).where(
            incident.c.crime_id.in_(["w20240105", "c20240106"]))).all())
    assert stored == {}
    # Oxford's count from the archive, against the raw file (first of a repeated Crime ID kept).
    seen, expected = set(), 0
    raw = gzip.decompress(shared_file("policeuk", "2024-01-thames-valley-street.csv.gz").read_bytes()).decode("utf-8-sig")
    for row in csv.DictReader(raw.splitlines()):
        if row["Crime ID"] in seen:
            continue
        seen.add(row["Crime ID"])
        if row["LSOA name"].startswith("Oxford ") and row["Crime type"] != "Anti-social behaviour":
            expected += 1
    assert _count(engine, OXFORD) == expected
    assert loaded_months(engine, THAMES_VALLEY) == ["2024-01"]


def test_a_file_named_for_one_force_holding_anothers_rows_is_refused(engine, tmp_path):
    crossed = tmp_path / "2024-01-south-wales-street.csv"
    crossed.write_text(cambridgeshire_month("2024-01"))
    with pytest.raises(ImportRejected) as refused:
        import_policeuk(engine, [crossed])
    assert "the file name names South Wales Police" in str(refused.value)
    with engine.connect() as conn:
        assert conn.execute(select(incident.c.id).limit(1)).first() is None


def _statements(engine, work):
    """The SELECT statements ``work`` runs, with their parameters."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return seen


COUNT_TABLES = ("incident_count", "place_count", "lsoa_count", "incident")


def test_one_forces_figures_never_scan_another_forces_rows(loaded):
    """Every table of counts is read through an index on the area, district, LSOA or force:
    no statement scans a table whole (SQLite: no plain SCAN; PostgreSQL, with sequential
    scans discouraged: no Seq Scan left, so an index answers)."""
    engine, _ = loaded
    statements = _statements(engine, lambda: (
        counts(engine, [CAMBRIDGE, CAMBRIDGESHIRE_FORCE]),
        monthly_counts(engine, [CARDIFF], list(CRIME_TYPE_SLUG_BY_NAME.values()), "2024-01", "2024-01", by_crime_type=True),
        repeat_locations(engine, [CAMBRIDGE], None, "2024-01", "2024-01"),
    ))
    assert statements
    checked = 0
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))
        for statement, parameters in statements:
            if not any(table in statement for table in COUNT_TABLES):
                continue
            checked += 1
            if engine.dialect.name == "sqlite":
                plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
                scans = [line for line in plan.splitlines()
                         if line.startswith("SCAN") and any(t in line.split()[1:2] for t in COUNT_TABLES)]
            else:
                plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))
                scans = [line for line in plan.splitlines()
                         if "Seq Scan" in line and any(f" on {t}" in line for t in COUNT_TABLES)]
            assert not scans, (statement, plan)
    assert checked >= 3  # counts, the monthly counts and the repeat locations each read a table of counts


def test_the_hotspot_api_defaults_to_the_latest_month_of_the_areas_own_force(engine, tmp_path):
    """Cambridgeshire has February 2024 loaded and Thames Valley only January: Oxford's hotspots
    asked for with no period are January's (the page's rule), never a month its force lacks."""
    from app import create_app

    import_policeuk(engine, [archive(tmp_path / "2024-01.zip", {
        "2024-01/2024-01-thames-valley-street.csv": gzip.decompress(
            shared_file("policeuk", "2024-01-thames-valley-street.csv.gz").read_bytes()),
        "2024-01/2024-01-cambridgeshire-street.csv": cambridgeshire_month("2024-01")})])
    import_policeuk(engine, [archive(tmp_path / "2024-02.zip", {
        "2024-02/2024-02-cambridgeshire-street.csv": cambridgeshire_month("2024-02")})])
    client = create_app({"database_url": engine.url.render_as_string(hide_password=False),
                         "upload_dir": str(tmp_path / "uploads")}).server.test_client()
    for area, month in ((OXFORD, "2024-01"), (CAMBRIDGE, "2024-02")):
        body = client.get(f"/api/v1/hotspots?area={area}&baseline_months=3").get_json()
        assert (body["query"]["from"], body["query"]["to"]) == (month, month)
    oxford = client.get(f"/api/v1/hotspots?area={OXFORD}&baseline_months=3").get_json()
    assert oxford["places"] > 0 and oxford["rows"][0]["count"] > 0
