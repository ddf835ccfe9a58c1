"""The data.police.uk importer on hand-written fixtures, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import zipfile

import pytest
from sqlalchemy import select

from queries.counts import monthly_counts
from queries.demo import load_demo
from queries.importers.errors import ImportRejected
from queries.importers.policeuk import import_policeuk
from queries.importers.policeuk_parse import SKIP_DUPLICATE, SKIP_OUTSIDE_FORCE
from queries.reference import ASB, OXFORD, OXFORDSHIRE, THAMES_VALLEY
from queries.schema import import_log, incident, loaded_month, lsoa

from .conftest import FIXTURES
from .helpers import count_rows, snapshot

POLICEUK = FIXTURES / "policeuk"
JAN_2024 = POLICEUK / "2024-01-thames-valley-street.csv"
JAN_2022 = POLICEUK / "2022-01-thames-valley-street.csv"
OUTCOMES = POLICEUK / "2022-02-thames-valley-outcomes.csv"
BUCKINGHAMSHIRE = "E06000060"
READING = "E06000038"
CHERWELL = "E07000177"


def total(engine, area, month, crime_types=None):
    frame = monthly_counts(engine, [area], crime_types, month, month)
    return int(frame["count"].sum())


def test_summary_names_every_skip_reason(engine):
    [summary] = import_policeuk(engine, [JAN_2024])
    assert summary.kind == "street"
    assert summary.months == ["2024-01"]
    assert summary.rows_read == 12
    assert summary.rows_stored == 10
    assert summary.no_location == 1
    assert summary.skipped == {SKIP_DUPLICATE: 1, SKIP_OUTSIDE_FORCE: 1}
    assert count_rows(engine, incident) == 10


def test_incidents_are_placed_in_district_county_and_force(engine):
    import_policeuk(engine, [JAN_2024])
    # Oxford: public order, burglary, violence (the duplicate skipped); two ASB rows.
    assert total(engine, OXFORD, "2024-01") == 3
    assert total(engine, OXFORD, "2024-01", [ASB]) == 2
    # Oxfordshire adds Cherwell's shoplifting.
    assert total(engine, CHERWELL, "2024-01") == 1
    assert total(engine, OXFORDSHIRE, "2024-01") == 4
    # The force adds Buckinghamshire, Reading and the row with no location.
    assert total(engine, BUCKINGHAMSHIRE, "2024-01") == 1
    assert total(engine, READING, "2024-01") == 1
    assert total(engine, THAMES_VALLEY, "2024-01") == 7
    assert total(engine, THAMES_VALLEY, "2024-01", [ASB]) == 3


def test_identical_asb_rows_are_two_incidents(engine):
    import_policeuk(engine, [JAN_2024])
    frame = monthly_counts(engine, [OXFORD], [ASB], "2024-01", "2024-01")
    assert frame["count"].tolist() == [2]


def test_2011_lsoa_names_of_old_buckinghamshire_districts_map_to_buckinghamshire(engine):
    import_policeuk(engine, [JAN_2022])
    assert total(engine, BUCKINGHAMSHIRE, "2022-01") == 2  # Wycombe burglary, Chiltern vehicle crime
    assert total(engine, BUCKINGHAMSHIRE, "2022-01", [ASB]) == 2  # Aylesbury Vale and South Bucks
    with engine.connect() as conn:
        districts = dict(conn.execute(select(lsoa.c.name, lsoa.c.district_code)).all())
    assert districts["Wycombe 001A"] == BUCKINGHAMSHIRE
    assert districts["South Bucks 001A"] == BUCKINGHAMSHIRE


def test_no_location_rows_count_at_force_level_only(engine):
    import_policeuk(engine, [JAN_2024])
    with engine.connect() as conn:
        row = conn.execute(select(incident).where(incident.c.crime_id == "aa06")).one()
    assert row.district_code is None and row.lsoa_code is None and row.longitude is None
    violence = ["violent-crime"]
    assert total(engine, OXFORD, "2024-01", violence) == 1
    assert total(engine, THAMES_VALLEY, "2024-01", violence) == 2


def test_importing_the_same_file_twice_changes_nothing(engine):
    import_policeuk(engine, [JAN_2024])
    before = monthly_counts(engine, [OXFORD, OXFORDSHIRE, THAMES_VALLEY], None, None, None, by_crime_type=True)
    import_policeuk(engine, [JAN_2024])
    after = monthly_counts(engine, [OXFORD, OXFORDSHIRE, THAMES_VALLEY], None, None, None, by_crime_type=True)
    assert count_rows(engine, incident) == 10
    assert before.equals(after)
    assert count_rows(engine, loaded_month) == 1


def test_a_newer_download_of_a_month_replaces_it(engine, tmp_path):
    import_policeuk(engine, [JAN_2024])
    newer = JAN_2024.read_text().replace("aa02,2024-01,Thames Valley Police,Thames Valley Police,-1.273146,51.794522,On or near Jordan Hill Road,E01028594,Oxford 001A,Burglary,Under investigation",
                                         "aa02,2024-01,Thames Valley Police,Thames Valley Police,-1.273146,51.794522,On or near Jordan Hill Road,E01028594,Oxford 001A,Burglary,Suspect charged")
    path = tmp_path / "2024-01-thames-valley-street.csv"
    path.write_text(newer)
    import_policeuk(engine, [path])
    with engine.connect() as conn:
        outcome = conn.execute(select(incident.c.last_outcome).where(incident.c.crime_id == "aa02")).scalar_one()
    assert outcome == "Suspect charged"
    assert count_rows(engine, incident) == 10


def test_outcomes_file_updates_last_outcomes(engine):
    import_policeuk(engine, [JAN_2022])
    [summary] = import_policeuk(engine, [OUTCOMES])
    assert summary.kind == "outcomes"
    assert summary.rows_read == 4
    assert summary.outcomes_updated == 2  # bb03 and bb04; zz99 was never loaded
    with engine.connect() as conn:
        outcomes = dict(conn.execute(select(incident.c.crime_id, incident.c.last_outcome).where(incident.c.crime_id.is_not(None))).all())
        month = conn.execute(select(incident.c.last_outcome_month).where(incident.c.crime_id == "bb04")).scalar_one()
    assert outcomes["bb03"] == "Offender given a caution"
    assert outcomes["bb04"] == "Suspect charged"  # the later of two rows in the file
    assert outcomes["bb01"] == "Investigation complete; no suspect identified"  # untouched
    assert month == "2022-02"


def test_an_older_outcomes_file_does_not_overwrite_a_newer_outcome(engine, tmp_path):
    import_policeuk(engine, [JAN_2022, OUTCOMES])
    older = OUTCOMES.read_text().replace("2022-02", "2022-01")
    path = tmp_path / "2022-01-thames-valley-outcomes.csv"
    path.write_text(older)
    [summary] = import_policeuk(engine, [path])
    assert summary.outcomes_updated == 0


def test_gzip_zip_and_folder_inputs(engine, tmp_path):
    gz = tmp_path / "2024-01-thames-valley-street.csv.gz"
    gz.write_bytes(gzip.compress(JAN_2024.read_bytes()))
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(JAN_2022, "2022-01/2022-01-thames-valley-street.csv")
        z.write(OUTCOMES, "2022-02/2022-02-thames-valley-outcomes.csv")
        z.writestr("2022-01/2022-01-thames-valley-stop-and-search.csv", "Type,Date\n")
    summaries = import_policeuk(engine, [gz, archive])
    kinds = sorted(s.kind for s in summaries)
    assert kinds == ["outcomes", "skipped", "street", "street"]
    assert count_rows(engine, incident) == 17
    folder_engine_summaries = import_policeuk(engine, [POLICEUK])
    assert len(folder_engine_summaries) == 4  # three street files and one outcomes file
    assert count_rows(engine, incident) == 17 + 11  # the same two months again, and February 2024's 11


def test_files_of_a_force_without_a_police_force_area_are_reported_and_skipped(engine, tmp_path):
    other = tmp_path / "2024-01-btp-street.csv"
    other.write_text(JAN_2024.read_text().replace("Thames Valley Police", "British Transport Police"))
    [summary] = import_policeuk(engine, [other])
    assert summary.kind == "skipped" and "has no police force area" in summary.note
    assert count_rows(engine, incident) == 0


def test_every_import_is_logged_with_a_checksum(engine):
    import_policeuk(engine, [JAN_2024])
    with engine.connect() as conn:
        row = conn.execute(select(import_log).where(import_log.c.kind == "police.uk street")).one()
    assert row.filename.endswith("2024-01-thames-valley-street.csv")
    assert len(row.checksum) == 64 and row.rows_read == 12 and row.rows_stored == 10


def test_real_incidents_remove_the_forces_demo_incidents(engine):
    load_demo(engine, "2023-11", "2023-12", scale=0.02)
    assert count_rows(engine, incident, incident.c.is_synthetic.is_(True)) > 0
    import_policeuk(engine, [JAN_2024])
    assert count_rows(engine, incident, incident.c.is_synthetic.is_(True)) == 0
    assert count_rows(engine, loaded_month) == 1
    assert total(engine, OXFORD, "2023-12") == 0


# ---------------------------------------------------------------- malformed input

GOOD = JAN_2024.read_text()
BAD_INPUTS = {
    "wrong header": (GOOD.replace("Crime type", "Offence"), b"", "row 1", "missing 'Crime type'"),
    "truncated": (GOOD[: GOOD.index("aa08") + 30], b"", "row 13", "is the file truncated"),
    "bad month": (GOOD.replace("aa04,2024-01", "aa04,2024-13"), b"", "row 8, field 'Month'", "'2024-13' is not a month"),
    "non-numeric coordinate": (GOOD.replace("-0.995508", "west"), b"", "row 8, field 'Longitude'", "'west' is not a number"),
    "unknown crime type": (GOOD.replace("Shoplifting", "Shop theft"), b"", "row 13, field 'Crime type'", "unknown crime type"),
    "empty file": ("", b"", "", "the file is empty"),
    "header only": (GOOD.splitlines()[0] + "\n", b"", "", "header but no rows"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_malformed_files_are_rejected_and_nothing_changes(engine, tmp_path, case):
    import_policeuk(engine, [JAN_2022])
    before = snapshot(engine)
    text, _, where, message = BAD_INPUTS[case]
    path = tmp_path / "2024-01-thames-valley-street.csv"
    path.write_text(text, newline="")
    with pytest.raises(ImportRejected) as raised:
        import_policeuk(engine, [JAN_2024, path])
    assert str(path) in str(raised.value)
    assert where in str(raised.value)
    assert message in str(raised.value)
    assert snapshot(engine) == before


def test_a_file_that_is_not_utf8_names_the_line(engine, tmp_path):
    before = snapshot(engine)
    path = tmp_path / "2024-01-thames-valley-street.csv"
    path.write_bytes(JAN_2024.read_bytes().replace(b"Riddell Place", "Ridd\u00e9ll Place".encode("latin-1"), 1))
    with pytest.raises(ImportRejected, match=r"row 2: not UTF-8 text \(byte 0xe9\)"):
        import_policeuk(engine, [path])
    assert snapshot(engine) == before


def test_a_truncated_gzip_is_rejected(engine, tmp_path):
    before = snapshot(engine)
    path = tmp_path / "2024-01-thames-valley-street.csv.gz"
    path.write_bytes(gzip.compress(JAN_2024.read_bytes())[:-20])
    with pytest.raises(ImportRejected, match="not a complete gzip file"):
        import_policeuk(engine, [path])
    assert snapshot(engine) == before


def test_a_bad_file_later_in_a_batch_leaves_earlier_files_unstored(engine, tmp_path):
    before = snapshot(engine)
    bad = tmp_path / "2024-02-thames-valley-street.csv"
    bad.write_text(GOOD.replace("2024-01", "2024-02").replace("51.998664", "north"))
    with pytest.raises(ImportRejected, match="'north' is not a number"):
        import_policeuk(engine, [JAN_2022, JAN_2024, bad])
    assert snapshot(engine) == before
