"""Health-derived incidents are for partners only: the public gets 403 at the incident
endpoints and never a record below district level; the heatmap API counts by hand."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from app import create_app
from queries.accounts import set_account
from queries.importers.incidents_store import import_incidents
from queries.schema import audit_log
from tests.helpers import form_token
from tests.incident_fixtures import FILES, incident_engine

PASSWORD = "correct horse battery"
HEATMAP = "/api/v1/incidents/heatmap?source={}&area=E07000178&from=2024-03&to=2024-03"
HOTSPOTS = "/api/v1/hotspots?area=E07000178&from=2024-03&to=2024-03&baseline_months=1"
# What an A&E record of istv_good.csv would show below district level: its free text, the
# streets and LSOAs it was placed at, and the weapon recorded.
AE_TRACES = ("George Street", "Cowley", "Gloucester Green", "E01028521", "E01028513", "Glass or bottle", "Fist")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("incident-privacy")
    engine = incident_engine(f"sqlite:///{folder / 'app.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def app(engine, tmp_path_factory):
    folder = tmp_path_factory.mktemp("incident-uploads")
    import_incidents(engine, FILES / "istv_good.csv")
    import_incidents(engine, FILES / "needles.csv")
    set_account(engine, "pat", PASSWORD, "partner")
    set_account(engine, "ada", PASSWORD, "admin")
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False),
                      "upload_dir": str(folder / "uploads")})
    return app


def client_as(app, username=None):
    client = app.server.test_client()
    if username:
        response = client.post("/login", data={"csrf": form_token(client), "username": username,
                                               "password": PASSWORD})
        assert response.status_code == 302
    return client


def test_the_public_gets_403_for_health_derived_sources_and_sees_none_of_their_places(app):
    public = client_as(app)
    evaluation = ("/api/v1/evaluation?source=ae-assaults&target=E01028521&control=E01028513&before_from=2024-01"
                  "&before_to=2024-02&after_from=2024-03&after_to=2024-03")
    for url in (HEATMAP.format("ae-assaults"), HEATMAP.format("ae-assaults") + "&format=csv", evaluation,
                "/api/v1/incidents/ae-against-police?area=E07000178",
                "/api/v1/incidents/weekly?source=ae-assaults&area=E07000178",
                "/download/incident-heatmap-ae-assaults.csv?area=E07000178&from=2024-03&to=2024-03",
                "/download/hotspot-places.csv?area=E07000178&source=ae-assaults&source=needle-finds",
                HOTSPOTS + "&source=ae-assaults", HOTSPOTS + "&source=needle-finds&source=ae-assaults",
                HOTSPOTS + "&source=ae-assaults&format=csv&level=lsoa"):
        response = public.get(url)
        assert response.status_code == 403, url
        assert "shared with partners only" in response.get_data(as_text=True), url
        assert not any(trace in response.get_data(as_text=True) for trace in AE_TRACES)
    listed = {s["slug"]: s for s in public.get("/api/v1/incidents/sources").get_json()["sources"]}
    assert listed["ae-assaults"]["partner_only"] is True and "months_loaded" not in listed["ae-assaults"]
    # What the public may read says nothing of A&E records below district level.
    for url in (HOTSPOTS, HOTSPOTS + "&source=needle-finds", HEATMAP.format("needle-finds"),
                "/api/v1/hotspots?area=E07000178&from=2024-03&to=2024-03&level=cell&baseline_months=1"):
        response = public.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert "ae-assaults" not in text and "Glass or bottle" not in text and "A&E" not in text, url


def test_partners_read_the_heatmap_counted_by_hand(app):
    body = client_as(app, "pat").get(HEATMAP.format("ae-assaults")).get_json()
    nonzero = {(c["weekday"], c["hour"]): c["count"] for c in body["cells"] if c["count"]}
    # istv_good.csv by hand: Friday 1 March 2024 at 22:15 and 22:50, Saturday 2 March at 01:30
    # and 23:05; the record of 13 March has a date and no time.
    assert nonzero == {(4, 22): 2, (5, 1): 1, (5, 23): 1}
    assert len(body["cells"]) == 168 and body["with_time"] == 4 and body["without_time"] == 1
    assert "1 records have no time of day" in body["note"]
    # One LSOA: Cowley Road's middle map point lies in E01028513, where the Saturday 01:30 record is.
    place = client_as(app, "pat").get(HEATMAP.format("ae-assaults") + "&lsoa=E01028513").get_json()
    assert {(c["weekday"], c["hour"]): c["count"] for c in place["cells"] if c["count"]} == {(5, 1): 1}


def test_partners_see_health_derived_hotspots_with_what_is_off_the_map(app):
    partner = client_as(app, "pat")
    body = partner.get(HOTSPOTS + "&source=ae-assaults").get_json()
    counts = {row["street"]: row["count"] for row in body["rows"]}
    # Four records have a street; the fifth is known only by its LSOA (Oxford 008A).
    assert sum(counts.values()) == 4 and counts["On or near George Street"] == 2
    assert body["not_on_the_map"] == {"ae-assaults": {"lsoa": 1}}
    assert "1 placed only by LSOA" in body["not_on_the_map_note"]
    together = partner.get(HOTSPOTS + "&source=ae-assaults&source=needle-finds").get_json()
    assert sum(r["count"] for r in together["rows"]) == 4 + 2  # two needle finds have a map point


def test_bad_source_parameters_are_400s(app):
    public = client_as(app)
    for url, parameter in ((HEATMAP.format("police-crime"), "source"), (HEATMAP.format("nope"), "source"),
                           ("/api/v1/incidents/heatmap?area=E07000178", "source"),
                           (HOTSPOTS + "&source=<script>", "source")):
        response = public.get(url)
        assert response.status_code == 400, url
        assert json.loads(response.get_data(as_text=True))["error"]["parameter"] == parameter


def test_an_administrator_uploads_an_istv_file_checked_first_and_audited(app, engine):
    admin = client_as(app, "ada")
    assert client_as(app, "pat").get("/admin/incidents").status_code == 403
    token = form_token(admin, "/admin/upload")
    bad = admin.post("/admin/upload", data={"csrf": token, "kind": "incidents",
                                            "file": (io.BytesIO((FILES / "istv_bad.csv").read_bytes()), "bad.csv")},
                     content_type="multipart/form-data")
    assert bad.status_code == 422 and b"bad.csv, row 3, field &#x27;Assault Method&#x27;: empty" in bad.data
    report = admin.post("/admin/upload", data={"csrf": token, "kind": "incidents",
                                               "file": (io.BytesIO((FILES / "istv_messy.csv").read_bytes()), "messy.csv")},
                        content_type="multipart/form-data")
    assert report.status_code == 200 and b"unmatched 4 (57%)" in report.data  # no premises list here
    assert b"Unmatched row 3: &#x27;The Bullingdon&#x27;" in report.data
    assert admin.post("/admin/upload/confirm", data={"csrf": token}).status_code == 302
    with engine.connect() as conn:
        entry = conn.execute(select(audit_log).where(audit_log.c.record.like("%messy.csv"))).mappings().one()
    assert entry["actor"] == "ada" and entry["subject"] == "incidents" and "7 records of ae-assaults" in entry["after"]
    page = admin.get("/admin/incidents").get_data(as_text=True)
    assert "Georgestreet" in page and "dont know" in page


def test_the_hotspot_page_shows_partners_the_heatmap_and_the_public_only_why_not(app):
    from tests.pagetools import page_callback

    search = "?source=ae-assaults&source=needle-finds&from=2024-03&to=2024-03&baseline_months=3"
    public = json.dumps(page_callback(client_as(app), "/hotspots", search).get_json())
    partner = json.dumps(page_callback(client_as(app, "pat"), "/hotspots", search).get_json())
    assert "shared with partners only, so not counted here" in public and "Chosen, not shown here: " in public
    assert "incident-heatmap-ae-assaults" not in public
    # The map counts the needle find at George Street alone (with the A&E records it would be 3), and
    # none at Cowley Road, where only A&E records are.
    assert "On or near George Street (1)" in public and "On or near Cowley Road" not in public
    assert "incident-heatmap-needle-finds" in public  # needle finds are public
    assert "incident-heatmap-ae-assaults" in partner and "A&E assault attendances (ISTV) by day of the week" in partner
    # Of five A&E records one is known only by its LSOA: the partner's page says it is not on the map.
    assert "1 placed only by LSOA" in partner


def test_the_public_sees_health_derived_counts_by_district_with_small_ones_withheld(app, engine, tmp_path_factory):
    # Two A&E records in Cherwell in April 2024, none anywhere else that month.
    path = tmp_path_factory.mktemp("ae") / "ae-2024-04.csv"
    path.write_text("source,incident_date,lsoa_code,category\n"
                    "ae-assaults,2024-04-05,E01028422,assault\nae-assaults,2024-04-06,E01028422,assault\n")
    import_incidents(engine, path)
    url = "/api/v1/incidents/counts?source=ae-assaults&area=E07000177&area=E10000025&area=E07000178&from=2024-04"
    public = {(r["area"], r["month"]): r for r in client_as(app).get(url).get_json()["rows"]}
    partner = {(r["area"], r["month"]): r["count"] for r in client_as(app, "pat").get(url).get_json()["rows"]}
    assert partner == {("E07000177", "2024-04"): 2, ("E10000025", "2024-04"): 2, ("E07000178", "2024-04"): 0}
    # The public: Cherwell's 2 and Oxfordshire's 2 are withheld ("fewer than 5"); Oxford's zero is shown.
    for area in ("E07000177", "E10000025"):
        assert public[(area, "2024-04")]["count"] is None and public[(area, "2024-04")]["label"] == "fewer than 5"
    assert public[("E07000178", "2024-04")]["count"] == 0
    assert "2," not in client_as(app).get(url).get_data(as_text=True).replace(" ", "")
    assert client_as(app).get("/api/v1/incidents/counts?source=ae-assaults&area=E23000029").status_code == 400


def test_partners_see_weekly_counts_and_the_public_never_an_ae_week(app):
    search = "?source=ae-assaults&source=needle-finds&from=2024-03&to=2024-03&baseline_months=3"
    partner = client_as(app, "pat").get("/download/incident-weeks-needle-finds.csv" + search).get_data(as_text=True)
    # needles.csv by hand: Saturday 2 March (week of 26 February, partial), Monday 4 and Tuesday 5 March.
    assert "2024-02-26,1,3,False" in partner and "2024-03-04,2,7,True" in partner
    refused = client_as(app).get("/download/incident-weeks-ae-assaults.csv" + search)
    assert refused.status_code == 403


def test_the_pack_draws_each_dated_partner_source_by_week(app):
    """needles.csv: finds on Saturday 2 March 2024 (the week beginning 26 February, whose
    February days are not loaded) and on Monday 4 and Tuesday 5 March (the week beginning 4 March)."""
    from pypdf import PdfReader

    response = client_as(app, "pat").get("/hotspots/pack.pdf?area=E07000178&to=2024-03"
                                         "&source=police-crime&source=needle-finds")
    assert response.status_code == 200
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]
    weekly = [text for text in pages if "Needle finds by week in Oxford" in text]
    assert len(weekly) == 1
    text = " ".join(weekly[0].split())
    assert "Week beginning" in text  # the chart's axis title: the chart is drawn, not only named
    # One axis place a week, in order (not a month's weeks stacked on one place).
    assert text.index("26 Feb 24") < text.index("4 Mar 24") < text.index("11 Mar 24") < text.index("25 Mar 24")
    assert "weeks from 26 February 2024 to 25 March 2024: 3 records" in text
    assert "the busiest beginning 4 March 2024 (2)" in text
    assert "The table of every week is in the pack's CSV zip." in text


def test_the_map_grid_of_the_public_holds_no_cell_of_health_derived_records_alone(app, engine):
    from sqlalchemy import func

    from queries import hexgrid
    from queries.schema import place, place_count

    version = app.server.extensions["query_cache"].data_version()
    public, partner = client_as(app), client_as(app, "pat")
    grid = "/hotspots/cells/E07000178-250-v{}-{}.geojson"

    def cells(client, scope):
        response = client.get(grid.format(version, scope))
        assert response.status_code == 200
        return response, {f["id"] for f in json.loads(response.data)["features"]}

    answer, public_cells = cells(public, "public")
    assert {"private", "immutable"} <= set(answer.headers["Cache-Control"].replace(" ", "").split(","))
    answer, partner_cells = cells(partner, "partner")
    assert {"private", "immutable"} <= set(answer.headers["Cache-Control"].replace(" ", "").split(","))
    # Oxford's map points only A&E records use, and their cells that no other record's point shares.
    with engine.connect() as conn:
        only_ae = conn.execute(
            select(place.c.longitude, place.c.latitude).where(place.c.district_code == "E07000178", place.c.id.in_(
                select(place_count.c.place_id).group_by(place_count.c.place_id)
                .having(func.min(place_count.c.source) == "ae-assaults", func.max(place_count.c.source) == "ae-assaults")
            ))).all()
        others = conn.execute(
            select(place.c.longitude, place.c.latitude).where(place.c.district_code == "E07000178", place.c.id.in_(
                select(place_count.c.place_id).where(place_count.c.source != "ae-assaults")))).all()
    assert only_ae

    def ids(points):
        q, r = hexgrid.cells_of([p[0] for p in points], [p[1] for p in points])
        return {f"{a}:{b}" for a, b in zip(q.tolist(), r.tolist())}

    secret = ids(only_ae) - ids(others)
    assert secret and not secret & public_cells and secret <= partner_cells
    assert public_cells == ids(others) and partner_cells == ids(others) | ids(only_ae)
    # A public reader asking for the partners' grid is refused; a malformed name is not found.
    assert public.get(grid.format(version, "partner")).status_code == 403
    for name in ("E07000178-250-v1-all", "E07000178-100-v1-public", "E99999999-250-v1-public", "x" * 300):
        assert public.get(f"/hotspots/cells/{name}.geojson").status_code == 404, name
