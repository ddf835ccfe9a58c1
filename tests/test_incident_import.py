"""Partner incident files: the template and ISTV exports checked whole, placed with their
precision, months replaced, and every import logged."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from queries.count_tables import rebuild_counts
from queries.db import make_engine
from queries.importers.errors import ImportRejected
from queries.importers.incidents_store import import_incidents
from queries.incidents import heatmap, precision_shares
from queries.schema import audit_log, incident, incident_count, source_month
from tests.incident_fixtures import FILES, OXFORD, incident_engine

TODAY = date(2024, 12, 1)


@pytest.fixture(scope="module")
def template_database(tmp_path_factory):
    """The schema, shipped data and map points, built once; each test works on a copy."""
    path = tmp_path_factory.mktemp("incidents") / "template.sqlite"
    incident_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def engine(template_database, tmp_path):
    copy = tmp_path / "incidents.sqlite"
    shutil.copyfile(template_database, copy)
    engine = make_engine(f"sqlite:///{copy}")
    yield engine
    engine.dispose()


def stored(engine, source):
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(incident).where(incident.c.source == source).order_by(incident.c.incident_date, incident.c.id)
        ).mappings()]


def test_an_istv_export_is_placed_timed_and_logged(engine):
    summary = import_incidents(engine, FILES / "istv_good.csv", imported_by="analyst", today=TODAY)
    assert summary.kind == "ISTV" and summary.sources == ["ae-assaults"] and summary.months == ["2024-03"]
    rows = stored(engine, "ae-assaults")
    assert [r["location"] for r in rows] == ["George Street Oxford", "On or near George Street", "Cowley Rd",
                                              "Gloucester Green", "Oxford 008A"]
    assert [r["precision"] for r in rows] == ["street", "street", "street", "street", "lsoa"]
    assert [r["lsoa_code"] for r in rows] == ["E01028521", "E01028521", "E01028513", "E01028521", "E01028521"]
    # 1 March 2024 was a Friday (weekday 4); the last record has a date and no time.
    assert [(r["weekday"], r["hour"]) for r in rows] == [(4, 22), (4, 22), (5, 1), (5, 23), (None, None)]
    assert json.loads(rows[1]["details"]) == {"arrival_date": "2024-03-02", "arrival_time": "00:05",
                                              "location_type": "Licensed premises", "weapon": "Glass or bottle"}
    assert summary.precision == {"point": 0, "street": 4, "lsoa": 1, "district": 0, "unmatched": 0}
    with engine.connect() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.subject == "incidents")).mappings().one()
        months = conn.execute(select(source_month.c.source, source_month.c.month, source_month.c.rows_stored)).all()
        oxford = conn.execute(select(func.sum(incident_count.c.count)).where(
            incident_count.c.source == "ae-assaults", incident_count.c.area_code == OXFORD)).scalar()
    assert entry["actor"] == "analyst" and entry["action"] == "import" and "istv_good.csv" in entry["record"]
    assert [tuple(m) for m in months] == [("ae-assaults", "2024-03", 5)]
    assert oxford == 5


def test_messy_free_text_is_matched_plainly_and_unmatched_records_are_kept(engine):
    summary = import_incidents(engine, FILES / "istv_messy.csv", premises=FILES / "premises.csv", today=TODAY)
    rows = {r["location"]: r for r in stored(engine, "ae-assaults")}
    assert rows["outside the kebab van, st giles'"]["precision"] == "street"
    assert rows["The Bullingdon"]["precision"] == "point"  # a listed premises
    assert rows["High St, Cherwell"]["district_code"] == "E07000177"  # the district named settles the street
    assert rows["High Street"]["precision"] == "unmatched"  # in two districts: no guess
    assert rows["Carfax & Jericho"]["precision"] == "district"  # a ward places a record in its district only
    assert rows["dont know"]["precision"] == "unmatched"
    assert rows["Georgestreet"]["precision"] == "unmatched"  # no loose spelling
    assert summary.precision == {"point": 1, "street": 2, "lsoa": 0, "district": 1, "unmatched": 3}
    assert [text for _, text in summary.unmatched] == ["High Street", "dont know", "Georgestreet"]
    assert [line for line, _ in summary.unmatched] == [5, 7, 8]
    shares = precision_shares(engine).set_index("source").loc["ae-assaults"]
    assert (shares["unmatched"], shares["total"]) == (3, 7)
    # Unplaced records count for the force only.
    assert {r["district_code"] for r in rows.values() if r["precision"] == "unmatched"} == {None}


def test_a_bad_file_names_file_row_and_field_and_stores_nothing(engine):
    import_incidents(engine, FILES / "istv_good.csv", today=TODAY)
    before = stored(engine, "ae-assaults")
    with pytest.raises(ImportRejected) as rejected:
        import_incidents(engine, FILES / "istv_bad.csv", today=TODAY)
    messages = [str(e) for e in rejected.value.errors]
    name = str(FILES / "istv_bad.csv")
    assert messages[0].startswith(f"{name}, row 2, field 'Assault Date and Time': '31/02/2024 22:15'")
    assert messages[1] == f"{name}, row 3, field 'Assault Method': empty"
    assert messages[2].startswith(f"{name}, row 4, field 'Assault Date and Time': '01/03/2099 22:15'")
    assert messages[3].startswith(f"{name}, row 5, field 'Assault Location Description': no location")
    assert len(messages) == 4
    assert stored(engine, "ae-assaults") == before


def test_template_errors_name_each_field(engine):
    with pytest.raises(ImportRejected) as rejected:
        import_incidents(engine, FILES / "template_bad.csv", today=TODAY)
    found = {(e.row, e.field) for e in rejected.value.errors}
    assert found == {(2, "incident_time"), (2, "longitude"), (3, "source"), (4, "lsoa_code"), (4, "needles"),
                     (5, "location_text")}
    assert stored(engine, "needle-finds") == []


def test_reimporting_a_month_replaces_it_and_police_rebuilds_leave_partners_alone(engine):
    first = import_incidents(engine, FILES / "needles.csv", today=TODAY)
    again = import_incidents(engine, FILES / "needles.csv", source="needle-finds", today=TODAY)
    rows = stored(engine, "needle-finds")
    assert (first.replaced, again.replaced, len(rows)) == (0, 3, 3)
    assert [r["precision"] for r in rows] == ["point", "lsoa", "street"]
    assert json.loads(rows[0]["details"]) == {"near_play_area": True, "needles": 3}
    with engine.begin() as conn:
        rebuild_counts(conn, "E23000029", ["2024-03"])  # a police.uk import of the same month
        partner = conn.execute(select(func.sum(incident_count.c.count)).where(
            incident_count.c.source == "needle-finds", incident_count.c.area_code == "E23000029")).scalar()
    assert partner == 3


def test_heatmap_counts_match_a_hand_count_of_the_fixture(engine):
    import_incidents(engine, FILES / "istv_good.csv", today=TODAY)
    result = heatmap(engine, "ae-assaults", OXFORD, "2024-03", "2024-03")
    cells = {(d, h): n for d, h, n in result.cells.itertuples(index=False) if n}
    # By hand from istv_good.csv: Fri 1 Mar 22:15 and 22:50, Sat 2 Mar 01:30 and 23:05; 13 Mar has no time.
    assert cells == {(4, 22): 2, (5, 1): 1, (5, 23): 1}
    assert (len(result.cells), result.untimed, result.months_loaded) == (168, 1, ("2024-03",))
    assert heatmap(engine, "ae-assaults", "E07000177", "2024-03", "2024-03").timed == 0  # none in Cherwell


def test_the_partner_demo_is_synthetic_plausible_and_gives_way_to_real_records(engine):
    from queries.demo_incidents import load_partner_demo

    stored_records = load_partner_demo(engine, "2024-03", months=3)
    with engine.connect() as conn:
        rows = conn.execute(select(incident.c.source, incident.c.weekday, incident.c.hour, incident.c.is_synthetic,
                                   incident.c.precision).where(incident.c.source != "police-crime")).all()
        months = conn.execute(select(source_month.c.source, source_month.c.month, source_month.c.is_synthetic)).all()
    assert len(rows) == stored_records > 0 and all(r.is_synthetic for r in rows)
    assert {(m.source, m.month) for m in months} == {(s, m) for s in ("ae-assaults", "needle-finds", "council-asb")
                                                     for m in ("2024-01", "2024-02", "2024-03")}
    # Friday 20:00 to Sunday 05:59 by hand: Fri 20-23, Sat 00-05 and 20-23, Sun 00-05.
    night = [r for r in rows if r.source == "ae-assaults" and r.hour is not None]
    weekend_night = [r for r in night if (r.weekday == 4 and r.hour >= 20) or (r.weekday == 5 and (r.hour < 6 or r.hour >= 20))
                     or (r.weekday == 6 and r.hour < 6)]
    assert len(weekend_night) > len(night) / 2  # 20 of the week's 168 hours
    assert {r.precision for r in rows} >= {"point", "unmatched"}
    import_incidents(engine, FILES / "needles.csv", today=TODAY)  # real needle finds replace the demo's
    with engine.connect() as conn:
        left = conn.execute(select(func.count()).where(incident.c.source == "needle-finds",
                                                       incident.c.is_synthetic.is_(True))).scalar()
    assert left == 0


def test_a_partner_source_is_an_evaluation_outcome_counted_by_hand(engine, tmp_path):
    import math

    from queries.evaluation import evaluate

    # Needle finds by LSOA: the target 10 before and 4 after, the control 8 and 8.
    lines = ["source,incident_date,lsoa_code,category"]
    for lsoa, before, after in (("E01028521", 10, 4), ("E01028513", 8, 8)):
        lines += [f"needle-finds,2024-0{1 + i % 3}-1{i % 9},{lsoa},needle-find" for i in range(before)]
        lines += [f"needle-finds,2024-0{4 + i % 3}-1{i % 9},{lsoa},needle-find" for i in range(after)]
    path = tmp_path / "needles-2024.csv"
    path.write_text("\n".join(lines) + "\n")
    import_incidents(engine, path, today=TODAY)
    result = evaluate(engine, ["E01028521"], ["E01028513"], crime_types=None, before=("2024-01", "2024-03"),
                      after=("2024-04", "2024-06"), with_its=False, source="needle-finds")
    assert result.counts["target"] == {"before": 10, "after": 4}
    assert result.counts["control"] == {"before": 8, "after": 8}
    # WDD = (4 - 10) - (8 - 8) = -6; variance 10 + 4 + 8 + 8 = 30 (Wheeler and Ratcliffe 2018).
    assert result.wdd.estimate == -6 and result.wdd.variance == 30
    assert math.isclose(result.wdd.z, -6 / math.sqrt(30))
    assert result.verdict.startswith("Needle finds fell by 60% in the target area")
    assert "6 fewer records" in result.verdict


def test_ae_assaults_beside_police_violence_by_lsoa_counted_by_hand(engine):
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from queries.incidents import beside_police_violence
    from queries.schema import import_log, loaded_month, lsoa_count

    import_incidents(engine, FILES / "istv_good.csv", today=TODAY)
    with engine.begin() as conn:
        log_id = conn.execute(insert(import_log).values(
            kind="police.uk street", filename="x.csv", checksum="0" * 64, imported_at=datetime.now(UTC),
            imported_by="test", rows_read=3, rows_stored=3, outcome="stored")).inserted_primary_key[0]
        conn.execute(insert(loaded_month).values(force_code="E23000029", month="2024-03", is_synthetic=False,
                                                 rows_stored=3, import_id=log_id))
        conn.execute(insert(lsoa_count), [
            {"source": "police-crime", "force_code": "E23000029", "lsoa_code": code, "month": "2024-03",
             "crime_type": crime_type, "count": n, "is_synthetic": False}
            for code, crime_type, n in (("E01028521", "violent-crime", 7), ("E01028513", "violent-crime", 0),
                                        ("E01028513", "burglary", 5))])
    frame = beside_police_violence(engine, OXFORD, "2024-03", "2024-03")
    # istv_good.csv by hand: George Street (2), Gloucester Green and "Oxford 008A" lie in E01028521;
    # Cowley Rd's middle map point in E01028513. Burglary is not violence.
    assert [tuple(r) for r in frame[["lsoa_code", "ae_assaults", "police_violence", "months"]].itertuples(index=False)] \
        == [("E01028521", 4, 7, 1), ("E01028513", 1, 0, 1)]


def test_weekly_counts_by_hand_with_partial_weeks_said(engine):
    from queries.incidents import weekly_counts

    import_incidents(engine, FILES / "istv_good.csv", today=TODAY)
    weeks = weekly_counts(engine, "ae-assaults", OXFORD, "2024-03", "2024-03")
    # March 2024 runs from Friday 1st to Sunday 31st: the week of Monday 26 February holds its
    # first three days (Fri 1, Sat 2: four records; Sun 3: none) and is partial.
    by_week = {w: (n, days, complete) for w, n, days, complete in weeks.itertuples(index=False)}
    assert by_week["2024-02-26"] == (4, 3, False)
    assert by_week["2024-03-11"] == (1, 7, True)  # Wednesday 13 March
    assert by_week["2024-03-25"] == (0, 7, True)
    assert sum(n for n, _, _ in by_week.values()) == 5 and len(by_week) == 5
