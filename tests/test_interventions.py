"""Recording interventions and targets: the CSV importer, the checks, the published targets,
the judgement of progress, the API and who may record."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from app import create_app
from queries.accounts import set_account
from queries.importers.errors import ImportRejected
from queries.importers.policeuk import import_policeuk
from queries.interventions import import_interventions, list_interventions, parse_interventions_csv
from queries.reference import OXFORD
from queries.schema import intervention, target
from queries.targets import OFF_TRACK, ON_TRACK, WAITING, WITHIN_TOLERANCE, judge, list_targets, save_targets

from .conftest import FIXTURES
from .helpers import count_rows, form_token, snapshot
from .test_counts import seed_counts

HEADER = "name,description,start_month,end_month,target,control,buffer,crime_types\n"
GOOD = "Operation Night Owl,Extra patrols,2024-01,2024-01,E01028594,E01017649,,burglary;public-order\n"
PASSWORD = "correct horse battery"


@pytest.fixture
def loaded(engine):
    import_policeuk(engine, [FIXTURES / "policeuk" / "2022-01-thames-valley-street.csv",
                             FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    return engine


def test_csv_importer_stores_and_lists_interventions(loaded, tmp_path):
    path = tmp_path / "interventions.csv"
    path.write_text(HEADER + GOOD + "Cycle marking,,2024-01,2024-03,E06000038,,,bicycle-theft\n")
    import_interventions(loaded, path, "pat")
    stored = {r["name"]: r for r in list_interventions(loaded)}
    assert stored["Operation Night Owl"]["target"] == ["E01028594"]
    assert stored["Operation Night Owl"]["control"] == ["E01017649"]
    assert stored["Operation Night Owl"]["crime_types"] == ["burglary", "public-order"]
    assert stored["Cycle marking"]["target"] == ["E06000038"] and stored["Cycle marking"]["control"] == []
    # Loading the same name again replaces it rather than adding a second.
    path.write_text(HEADER + GOOD.replace("Extra patrols", "More patrols"))
    import_interventions(loaded, path, "pat")
    assert count_rows(loaded, intervention) == 2
    assert {r["name"]: r for r in list_interventions(loaded)}["Operation Night Owl"]["description"] == "More patrols"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("No target,,2024-01,2024-01,,,,", "row 3, field 'target': give at least one target"),
        ("Overlap,,2024-01,2024-01,E01028594,E01028594,,", "row 3, field 'control': overlaps the target"),
        ("Too early,,2021-01,2021-03,E01028594,,,", "row 3, field 'start_month': 2021-01 is outside the data"),
        ("Backwards,,2024-01,2023-12,E01028594,,,", "row 3, field 'end_month': 2023-12 is before"),
        ("Bad month,,2024-13,2024-01,E01028594,,,", "row 3, field 'start_month': '2024-13' is not a month"),
        ("Bad type,,2024-01,2024-01,E01028594,,,arson", "row 3, field 'crime_types': unknown crime type"),
        ("Bad code,,2024-01,2024-01,=HYPERLINK(1),,,", "row 3, field 'target'"),
        (GOOD.strip(), "row 3, field 'name'"),
        (GOOD.strip() + ",extra", "row 3: more fields than the header"),
    ],
)
def test_crafted_csv_is_rejected_naming_row_and_field_and_stores_nothing(loaded, tmp_path, rows, expected):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + GOOD + rows + "\n")
    before = snapshot(loaded)
    with pytest.raises(ImportRejected) as raised:
        import_interventions(loaded, path, "pat")
    assert expected in str(raised.value)
    assert snapshot(loaded) == before  # the good row on line 2 was not stored either


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("name,start_month,end_month,target,evil\n", "row 1, field 'evil': unknown column"),
        ("name,start_month,target\n", "row 1, field 'end_month': required column missing"),
        (HEADER, "no interventions in the file"),
        ("", "the file is empty"),
    ],
)
def test_bad_headers_are_named(loaded, tmp_path, body, expected):
    path = tmp_path / "bad.csv"
    path.write_text(body)
    before = snapshot(loaded)
    with pytest.raises(ImportRejected, match=expected):
        import_interventions(loaded, path, "pat")
    assert snapshot(loaded) == before


def test_non_utf8_file_is_rejected(loaded, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Op\xe9ration,,2024-01,2024-01,E01028594,,,\n").encode("latin-1"))
    with pytest.raises(ImportRejected, match="not UTF-8"):
        parse_interventions_csv(loaded, path)


def test_published_targets_ship_with_their_source(engine):
    targets = {t["id"]: t for t in list_targets(engine)}
    assert {"csp-2011-14-burglary", "csp-2011-14-vehicle-crime", "csp-2011-14-robbery",
            "csp-2011-14-violent-crime"} <= set(targets)
    assert targets["csp-2011-14-violent-crime"]["target_percent"] == -12
    assert targets["csp-2011-14-robbery"]["target_percent"] == -5
    assert all("Community Safety Plan 2011-14" in t["source"] for t in targets.values())
    # No police.uk months of 2011/12 loaded: the judgement waits for them.
    assert judge(engine, targets["csp-2011-14-burglary"]).status == WAITING


@pytest.mark.parametrize(("current_total", "status"), [(1080, ON_TRACK), (1190, WITHIN_TOLERANCE), (1400, OFF_TRACK)])
def test_target_judgement_and_its_exact_test(engine, current_total, status):
    # Baseline 2011/12: 100 burglaries a month. Latest loaded month March 2013, half way to
    # the end of 2013/14, so the target line stands at half of -5%: -2.5%.
    seed_counts(engine, {f"{y}-{m:02d}": 100 for y, m in _months("2011-04", "2012-03")})
    per_month = [current_total // 12] * 12
    per_month[0] += current_total - sum(per_month)
    seed_counts(engine, {f"{y}-{m:02d}": n for (y, m), n in zip(_months("2012-04", "2013-03"), per_month)})
    t = next(t for t in list_targets(engine) if t["id"] == "csp-2011-14-burglary")
    result = judge(engine, t)
    assert result.baseline == 1200 and result.current == current_total
    assert result.line_percent == pytest.approx(-2.5)
    assert result.change_percent == pytest.approx((current_total - 1200) / 1200 * 100)
    share = 0.975 / (1 + 0.975)  # equal lengths: p = (1 + line) / (1 + (1 + line))
    expected_p = binomtest(current_total, 1200 + current_total, share, alternative="greater").pvalue
    assert result.p_value == pytest.approx(expected_p, rel=1e-9)
    assert result.status == status
    assert f": {status}." in result.sentence and "in 2012/13 against 1,200 in 2011/12" in result.sentence


def _months(first, last):
    from queries import periods

    return [(int(m[:4]), int(m[5:])) for m in periods.months_between(first, last)]


def test_partner_target_is_stored(engine):
    row = {"id": "asb-oxford", "title": "Cut ASB by 10%", "crime_types": "anti-social-behaviour", "series_id": None,
           "area_code": OXFORD, "baseline_from": "2023-04", "baseline_to": "2024-03", "end_from": "2025-04",
           "end_to": "2026-03", "target_percent": -10.0, "tolerance_points": 3.0, "source": "OSCP", "note": ""}
    save_targets(engine, [row], "partner", "pat")
    assert count_rows(engine, target, target.c.kind == "partner") == 1


# The app: the API is public and read-only; recording needs a partner or an administrator.

@pytest.fixture
def app(sqlite_engine):
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2022-01-thames-valley-street.csv",
                                    FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    set_account(sqlite_engine, "pat", PASSWORD, "partner")
    return create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False)})


def signed_in(app, username=None):
    client = app.server.test_client()
    if username:
        token = form_token(client)
        assert client.post("/login", data={"csrf": token, "username": username, "password": PASSWORD}).status_code == 302
    return client


def _fixture_count(month, lsoa_code):
    """Crimes (not ASB) in one LSOA of a fixture file, counted with the csv module; a
    repeated Crime ID is one crime."""
    import csv

    with open(FIXTURES / "policeuk" / f"{month}-thames-valley-street.csv", encoding="utf-8-sig", newline="") as handle:
        return len({r["Crime ID"] for r in csv.DictReader(handle)
                    if r["LSOA code"] == lsoa_code and r["Crime type"] != "Anti-social behaviour"})


def _token(client):
    return form_token(client, "/record/interventions")


def test_evaluation_api_answers_the_documented_shape(app):
    client = signed_in(app)
    body = client.get("/api/v1/evaluation?target=E01028594&control=E01017649&before_from=2022-01&before_to=2022-01"
                      "&after_from=2024-01&after_to=2024-01").get_json()
    assert set(body) >= {"target", "control", "buffer", "wdd", "verdict"}
    assert set(body["wdd"]) == {"estimate", "variance", "z", "p_value", "ci95"}
    assert body["buffer"] is None
    t0, t1 = _fixture_count("2022-01", "E01028594"), _fixture_count("2024-01", "E01028594")
    c0, c1 = _fixture_count("2022-01", "E01017649"), _fixture_count("2024-01", "E01017649")
    assert body["target"] == {"before": t0, "after": t1} and body["control"] == {"before": c0, "after": c1}
    assert body["wdd"]["estimate"] == (t1 - t0) - (c1 - c0)
    assert body["wdd"]["variance"] == t0 + t1 + c0 + c1
    bad = client.get("/api/v1/evaluation?target=E01028594&control=E01028594&before_from=2022-01&before_to=2022-01"
                     "&after_from=2024-01&after_to=2024-01")
    assert bad.status_code == 400 and bad.get_json()["error"]["parameter"] == "control"
    assert client.get("/api/v1/evaluation?target=%00%27&control=x").status_code == 400
    assert {"/evaluation", "/interventions", "/targets"} <= set(client.get("/api/v1/openapi.json").get_json()["paths"])


def test_evaluation_api_names_the_parameter_when_no_control_can_be_suggested(app):
    client = signed_in(app)
    base = "/api/v1/evaluation?target=E01028594&control=suggest"
    cases = {
        base: "after_from",  # the start month is what a control is matched before
        "/api/v1/evaluation?control=suggest&after_from=2024-01": "target",
        base + "&after_from=2024-01&source=council-asb": "control",  # suggested on police.uk crime only
        # The fixtures hold 2022-01 and a few later months: fewer than 3 before the start.
        base + "&after_from=2022-02": "control",
        "/api/v1/evaluation?target=X&control=suggest&after_from=2024-01": "target",
        base + "&buffer=Y&after_from=2024-01": "buffer",
    }
    for url, parameter in cases.items():
        answer = client.get(url)
        assert answer.status_code == 400, url
        assert answer.get_json()["error"]["parameter"] == parameter, url
    assert "no control could be suggested" in client.get(base + "&after_from=2022-02").get_json()["error"]["message"]


def test_the_public_cannot_record_and_partners_can(app):
    public = signed_in(app)
    assert public.get("/record/interventions").status_code == 403
    token = form_token(public)  # a valid form token does not make the public a partner
    assert public.post("/record/interventions", data={"csrf": token, "name": "x"}).status_code == 403
    assert public.post("/record/targets", data={"csrf": token, "id": "x"}).status_code == 403
    partner = signed_in(app, "pat")
    assert partner.get("/record/interventions").status_code == 200
    form = {"csrf": _token(partner), "name": "Op Test", "start_month": "2024-01", "end_month": "2024-01",
            "target": "E01028594", "control": "E01017649", "crime_types": ["burglary"]}
    assert partner.post("/record/interventions", data=form).status_code == 302
    listed = public.get("/api/v1/interventions").get_json()["interventions"]
    assert [i["name"] for i in listed] == ["Op Test"]
    # A bad form names the field and stores nothing; a missing CSRF token is refused.
    bad = partner.post("/record/interventions", data=form | {"name": "Op Two", "control": "E01028594"})
    assert bad.status_code == 400 and b"overlaps the target" in bad.data
    assert partner.post("/record/interventions", data=form | {"csrf": "forged", "name": "Op Three"}).status_code == 400
    assert [i["name"] for i in public.get("/api/v1/interventions").get_json()["interventions"]] == ["Op Test"]
