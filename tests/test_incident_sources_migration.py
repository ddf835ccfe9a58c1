"""Migration 0008 keeps every stored row and gives police.uk rows their source."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from queries.db import alembic_config, make_engine


def test_upgrading_an_existing_database_keeps_its_rows_and_names_their_sources(database_url):
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0007_owners_audit")
    rows = [("2024-01", "burglary", "E07000178"), ("2024-01", "anti-social-behaviour", "E07000178"),
            ("2024-02", "anti-social-behaviour", None)]
    with engine.begin() as conn:
        for month, crime_type, district in rows:
            conn.execute(text(
                "INSERT INTO incident (force_code, month, crime_type, district_code, is_synthetic) "
                "VALUES ('E23000029', :m, :t, :d, false)"), {"m": month, "t": crime_type, "d": district})
            conn.execute(text(
                "INSERT INTO incident_count (force_code, area_code, month, crime_type, count, is_synthetic) "
                "VALUES ('E23000029', 'E23000029', :m, :t, 1, false)"), {"m": month, "t": crime_type})
            conn.execute(text(
                "INSERT INTO lsoa_count (force_code, lsoa_code, month, crime_type, count, is_synthetic) "
                "VALUES ('E23000029', 'E01028500', :m, :t, 1, false)"), {"m": month, "t": crime_type})
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        for table in ("incident", "incident_count", "lsoa_count"):
            stored = conn.execute(text(f"SELECT month, crime_type, source FROM {table} ORDER BY id")).all()
            assert [tuple(r) for r in stored] == [
                ("2024-01", "burglary", "police-crime"),
                ("2024-01", "anti-social-behaviour", "police-asb"),
                ("2024-02", "anti-social-behaviour", "police-asb"),
            ], table
        assert conn.execute(text("SELECT count(*) FROM source_month")).scalar() == 0
    engine.dispose()
