"""A stored intervention judged on a partner incident source: evaluated from that source's
records counted by hand, withheld from the public when the source is health-derived, chosen
and checked in the form and the CSV upload, and old rows kept on police.uk crime."""

from __future__ import annotations

import io
import math
import re

import pytest
from alembic import command
from pypdf import PdfReader
from sqlalchemy import func, select, text

from app import create_app
from dashboard.chart_data import interventions as intervention_charts
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Audience, Reader
from dashboard.documents.board_report import build_pdf
from queries.accounts import set_account
from queries.db import alembic_config, make_engine
from queries.importers.errors import ImportRejected
from queries.importers.incidents_store import import_incidents
from queries.interventions import list_interventions, parse_interventions_csv, save_interventions
from queries.schema import intervention
from tests.helpers import form_token
from tests.incident_fixtures import incident_engine

PASSWORD = "correct horse battery"
TARGET, CONTROL = "E01028521", "E01028513"
# A&E assault records per LSOA: (January to March 2024, April to June 2024).
AE_COUNTS = {TARGET: (7, 3), CONTROL: (5, 6)}


def _ae_file(folder) -> str:
    lines = ["source,incident_date,incident_time,lsoa_code,category"]
    for lsoa, (before, after) in AE_COUNTS.items():
        lines += [f"ae-assaults,2024-0{1 + i % 3}-1{i % 9},23:30,{lsoa},assault" for i in range(before)]
        lines += [f"ae-assaults,2024-0{4 + i % 3}-1{i % 9},23:30,{lsoa},assault" for i in range(after)]
    # Needle finds in the target: another source, which must not count towards A&E's figures.
    lines += [f"needle-finds,2024-0{1 + i % 6}-05,10:00,{TARGET},needle-find" for i in range(6)]
    path = folder / "partner-2024.csv"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outcome-source")
    engine = incident_engine(f"sqlite:///{folder / 'app.sqlite'}")
    import_incidents(engine, _ae_file(folder))
    set_account(engine, "pat", PASSWORD, "partner")
    save_interventions(engine, [
        {"name": "Taxi marshals", "description": "Marshals at the George Street rank, Friday and Saturday nights.",
         "start_month": "2024-04", "end_month": "2024-06", "crime_types": "", "outcome_source": "ae-assaults",
         "places": {"target": [TARGET], "control": [CONTROL], "buffer": []}}], "pat")
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False),
                      "upload_dir": str(folder / "uploads")})
    yield app
    engine.dispose()


def _reader(app, partner: bool) -> Reader:
    return Reader(app.server.extensions["query_cache"], Audience(partner=partner))


def _stored(app) -> dict:
    return next(r for r in list_interventions(app.server.extensions["engine"]) if r["name"] == "Taxi marshals")


def client_as(app, username=None):
    client = app.server.test_client()
    if username:
        response = client.post("/login", data={"csrf": form_token(client), "username": username,
                                               "password": PASSWORD})
        assert response.status_code == 302
    return client


def test_partners_see_it_evaluated_on_the_ae_records_counted_by_hand(app):
    record = _stored(app)
    assert record["outcome_source"] == "ae-assaults"
    with app.server.app_context():
        view = intervention_charts.view_for(_reader(app, partner=True), record["id"])
    assert view.message is None
    assert view.title == "Taxi marshals: A&E assault attendances before and after"
    # The bars: the target's and the control's A&E records in each period (needle finds left out).
    assert view.frame["count"].tolist() == [7, 3, 5, 6]
    # WDD = (3 - 7) - (6 - 5) = -5, variance 7 + 3 + 5 + 6 = 21 (Wheeler & Ratcliffe 2018).
    before_after = [f.y for f in view.figure.data]
    assert [list(y) for y in before_after] == [[7, 5], [3, 6]]
    # Counts under 10 before: the counts, not "fell by 57%" on a base of 7.
    assert view.summary.startswith("A&E assault attendances (ISTV) fell from 7 to 3 in the target area and rose from "
                                   "5 to 6 in the control")
    assert f"{-5:+.1f} (variance 21.0, z = {-5 / math.sqrt(21):.2f}" in view.caption
    assert view.caption.startswith("Source: A&E assault attendances (ISTV), recorded by Oxford University Hospitals.")
    # January to March 2024 are the only months loaded before the start: the page says they are other seasons.
    assert any("other months of the year" in n.text for n in view.notes)


def test_the_public_is_told_it_is_withheld_with_no_figure(app):
    record = _stored(app)
    with app.server.app_context():
        reader = _reader(app, partner=False)
        view = intervention_charts.view_for(reader, record["id"])
        pdf = build_pdf(reader, Filters())
    assert view.figure is None and view.frame.empty and not view.summary
    assert view.message.startswith("This evaluation is withheld. Its outcome is A&E assault attendances (ISTV)")
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "This evaluation is withheld" in " ".join(words.split())
    assert "fell by 57%" not in words and "variance 21" not in words

    public = client_as(app).get("/api/v1/interventions").get_json()["interventions"]
    assert public[0]["outcome_source"] == "ae-assaults" and public[0]["evaluation"] is None
    assert "partners only" in public[0]["evaluation_withheld"]
    partner = client_as(app, "pat").get("/api/v1/interventions").get_json()["interventions"]
    assert partner[0]["evaluation"]["target"] == {"before": 7, "after": 3}
    assert partner[0]["evaluation"]["control"] == {"before": 5, "after": 6}
    # The public's answer after a partner's (the same cached page) is still withheld.
    again = client_as(app).get("/api/v1/interventions").get_json()["interventions"]
    assert again[0]["evaluation"] is None


def test_the_form_refuses_an_unknown_source_and_stores_nothing(app):
    engine = app.server.extensions["engine"]
    client = client_as(app, "pat")
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(intervention)).scalar()
    response = client.post("/record/interventions", data={
        "csrf": form_token(client, "/record/interventions"), "name": "Bogus", "start_month": "2024-04",
        "end_month": "2024-05", "target": TARGET, "control": CONTROL, "outcome_source": "tea-leaves"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<strong>outcome_source</strong>: unknown source &#x27;tea-leaves&#x27;" in page
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(intervention)).scalar() == before


def test_a_refused_form_comes_back_with_the_outcome_chosen(app):
    client = client_as(app, "pat")
    response = client.post("/record/interventions", data={
        "csrf": form_token(client, "/record/interventions"), "name": "", "start_month": "2024-04",
        "end_month": "2024-05", "target": TARGET, "control": CONTROL, "outcome_source": "needle-finds"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    checked = re.findall(r'<input[^>]*name="outcome_source"[^>]*>', page)
    assert len(checked) == 4  # one radio per source
    assert [tag for tag in checked if " checked" in tag] == [
        '<input class="form-check-input" type="radio" name="outcome_source" id="outcome-needle-finds" '
        'value="needle-finds" checked>']


def test_the_csv_names_the_row_and_field_of_a_bad_outcome(app, tmp_path):
    engine = app.server.extensions["engine"]
    path = tmp_path / "interventions.csv"
    path.write_text("name,start_month,end_month,target,control,crime_types,outcome_source\n"
                    f"Good,2024-04,2024-06,{TARGET},{CONTROL},,needle-finds\n"
                    f"Unknown,2024-04,2024-06,{TARGET},{CONTROL},,police-uk\n"
                    f"Typed,2024-04,2024-06,{TARGET},{CONTROL},robbery,ae-assaults\n"
                    f"No control,2024-04,2024-06,{TARGET},,,needle-finds\n"
                    f"Not loaded,2024-04,2024-06,{TARGET},{CONTROL},,council-asb\n")
    with pytest.raises(ImportRejected) as refused:
        parse_interventions_csv(engine, path, "interventions.csv")
    found = {(e.row, e.field) for e in refused.value.errors}
    assert found == {(3, "outcome_source"), (4, "crime_types"), (5, "control"), (6, "start_month")}
    assert "no months of Council anti-social behaviour cases are loaded yet" in str(refused.value)
    path.write_text("name,start_month,end_month,target,control,outcome_source\n"
                    f"Good,2024-04,2024-06,{TARGET},{CONTROL},needle-finds\n")
    assert [r["outcome_source"] for r in parse_interventions_csv(engine, path)] == ["needle-finds"]


def test_the_migration_keeps_stored_interventions_on_police_crime(database_url):
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0010_coverage_ledger")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO intervention (name, description, start_month, end_month, crime_types, recorded_by, "
            "recorded_at, owner) VALUES ('Old patrols', '', '2023-01', '2023-06', 'burglary', 'pat', "
            "'2024-01-01 00:00:00', 'pat')"))
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT name, crime_types, outcome_source FROM intervention")).all()
    assert [tuple(r) for r in stored] == [("Old patrols", "burglary", "police-crime")]
    command.downgrade(alembic_config(engine), "0010_coverage_ledger")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM intervention")).scalar() == 1
    engine.dispose()
