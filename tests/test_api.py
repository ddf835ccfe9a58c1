"""The JSON API: values that match the queries, CSV, documented errors and no 500s."""

from __future__ import annotations

import csv
import io

import pytest

from app import create_app
from queries.counts import counts
from queries.importers.policeuk import import_policeuk
from queries.reference import OXFORD, OXFORDSHIRE, THAMES_VALLEY

from .conftest import FIXTURES
from .pagetools import page_payload

POLICEUK = FIXTURES / "policeuk"


@pytest.fixture
def client(engine):
    import_policeuk(engine, [POLICEUK / "2022-01-thames-valley-street.csv", POLICEUK / "2024-01-thames-valley-street.csv"])
    app = create_app({"database_url": engine.url.render_as_string(hide_password=False)})
    return app.server.test_client()


def test_areas_lists_every_area_with_population(client):
    body = client.get("/api/v1/areas").get_json()
    areas = {a["code"]: a for a in body["areas"]}
    # England and Wales in December 2023: 296 English and 22 Welsh districts, 21 county
    # councils and 43 police force areas (ONS Register of Geographic Codes).
    levels = [a["level"] for a in areas.values()]
    assert (levels.count("district"), levels.count("county"), levels.count("force")) == (318, 21, 43)
    assert areas[OXFORD] == {"code": OXFORD, "name": "Oxford", "level": "district", "parent_code": OXFORDSHIRE,
                             "force_code": THAMES_VALLEY, "population": 163257, "population_year": 2022,
                             "populations": [{"year": 2020, "population": 151584}, {"year": 2022, "population": 163257}]}
    assert areas[THAMES_VALLEY]["parent_code"] is None
    assert areas["W06000015"]["parent_code"] == "W15000003" and areas["W06000015"]["name"] == "Cardiff"


def test_counts_match_the_query_and_the_hand_count(client, engine):
    response = client.get(f"/api/v1/counts?area={OXFORD}&area={THAMES_VALLEY}&from=2024-01&to=2024-01")
    assert response.status_code == 200
    body = response.get_json()
    rows = {r["area"]: r for r in body["rows"]}
    assert rows[OXFORD]["count"] == 3 and rows[THAMES_VALLEY]["count"] == 7
    assert rows[OXFORD]["period"] == "2024-01"
    assert rows[OXFORD]["rate_per_1000"] == round(3 / 163257 * 1000, 3)  # mid-2022, the nearest estimate
    assert rows[OXFORD]["population_year"] == 2022
    assert body["synthetic"] is False and body["latest_month"] == "2024-01"
    frame = counts(engine, [OXFORD, THAMES_VALLEY], None, "2024-01", "2024-01")
    assert sorted(r["count"] for r in body["rows"]) == sorted(frame["count"].tolist())


def test_counts_by_crime_type_and_grain(client):
    body = client.get(f"/api/v1/counts?area={OXFORD}&crime_type=anti-social-behaviour&grain=financial_year").get_json()
    assert [(r["period"], r["count"], r["months"], r["complete"]) for r in body["rows"]] == [
        ("2021/22", 0, 1, False), ("2023/24", 2, 1, False)]
    body = client.get(f"/api/v1/counts?area={OXFORD}&crime_type=burglary&crime_type=public-order&grain=calendar_year").get_json()
    assert [(r["period"], r["count"]) for r in body["rows"]] == [("2022", 0), ("2024", 2)]


def test_counts_as_csv_has_the_same_numbers(client):
    json_rows = client.get(f"/api/v1/counts?area={OXFORD}&area={OXFORDSHIRE}").get_json()["rows"]
    response = client.get(f"/api/v1/counts?area={OXFORD}&area={OXFORDSHIRE}&format=csv")
    assert response.mimetype == "text/csv"
    csv_rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["period"], r["area"], int(r["count"])) for r in csv_rows] == [
        (r["period"], r["area"], r["count"]) for r in json_rows]


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("", "area"),
        ("area=E07999999", "area"),
        ("area=E07000178&crime_type=arson", "crime_type"),
        ("area=E07000178&from=2024-13", "from"),
        ("area=E07000178&from=2024-05&to=2024-01", "from"),
        ("area=E07000178&grain=week", "grain"),
        ("area=E07000178&format=xml", "format"),
        ("area=E07000178&colour=red", "colour"),
        ("area=E07000178&from=2024-01&from=2024-02", "from"),
        ("area=%27%3B%20DROP%20TABLE%20incident%3B--", "area"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(client, query, parameter):
    response = client.get(f"/api/v1/counts?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and error["message"]


def test_series_list_and_detail(client):
    listing = client.get("/api/v1/series").get_json()["series"]
    ids = {s["id"] for s in listing}
    assert "recorded-crime" in ids
    detail = client.get("/api/v1/series/recorded-crime?area=E07000178").get_json()
    assert detail["series"]["unit"] == "count"
    assert [(v["period"], v["value"]) for v in detail["values"]] == [("2020", 14490), ("2021", 15964)]
    assert detail["values"][0]["source_table"] == "Table 1"
    assert client.get("/api/v1/series?theme=hate-crime").get_json()["series"][0]["id"] == "hate-crime-victims"


def test_unknown_series_and_endpoints_are_json_404s(client):
    response = client.get("/api/v1/series/no-such-series")
    assert response.status_code == 404 and "no series" in response.get_json()["error"]["message"]
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404 and response.is_json
    response = client.post("/api/v1/areas")
    assert response.status_code == 405 and response.is_json


def test_openapi_document_describes_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/areas", "/coverage", "/counts", "/hotspots", "/series", "/series/{series_id}",
                                      "/evaluation", "/interventions", "/targets", "/peers", "/incidents/heatmap",
                                      "/incidents/weekly", "/incidents/sources", "/incidents/counts",
                                      "/incidents/ae-against-police"}
    params = {p["name"] for p in document["paths"]["/counts"]["get"]["parameters"]}
    assert params == {"area", "crime_type", "from", "to", "grain", "format"}
    grain = next(p for p in document["paths"]["/counts"]["get"]["parameters"] if p["name"] == "grain")
    assert grain["schema"]["enum"] == ["month", "quarter", "financial_year", "calendar_year", "rolling_12"]


def test_health_reports_the_latest_month(client):
    body = client.get("/health").get_json()
    assert body == {"status": "ok", "database": "ok", "latest_month": "2024-01"}


CALLBACK = page_payload("/crime", "")


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {},
        {**CALLBACK, "output": "nope.children"},
        {**CALLBACK, "inputs": []},
        {**CALLBACK, "inputs": [CALLBACK["inputs"][0], {"id": "url", "property": "search", "value": {"x": 1}}]},
        {**CALLBACK, "inputs": [CALLBACK["inputs"][0], {"id": "other", "property": "search", "value": ""}]},
        {**CALLBACK, "outputs": []},
        {**CALLBACK, "outputs": [{"id": "page-content", "property": "style"}, *CALLBACK["outputs"][1:]]},
    ],
    ids=["not-json", "empty", "unknown-output", "missing-inputs", "object-value", "wrong-id", "no-outputs", "wrong-output"],
)
def test_crafted_callback_requests_get_a_400_not_a_500(client, body):
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 200  # the genuine request works
    if isinstance(body, str):
        response = client.post("/_dash-update-component", data=body, content_type="application/json")
    else:
        response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert b"Traceback" not in response.data


def test_unknown_pages_are_404_and_known_ones_200(client):
    assert client.get("/").status_code == 200
    assert client.get("/wp-admin/setup.php").status_code == 404
    assert client.get("/assets/../app.py").status_code == 404


def test_pattern_matching_callbacks_pass_the_guard_and_bad_ones_do_not(client):
    payload = {
        "output": "chart-hotspot-map.figure",
        "outputs": {"id": "chart-hotspot-map", "property": "figure"},
        "inputs": [{"id": "chart-hotspot-map", "property": "clickData", "value": None},
                   [{"id": {"type": "hotspot-zoom", "lon": -1.26, "lat": 51.75}, "property": "n_clicks", "value": 1}]],
        "changedPropIds": ['{"lat":51.75,"lon":-1.26,"type":"hotspot-zoom"}.n_clicks'],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    assert response.get_json()["response"]["chart-hotspot-map"]["figure"]["operations"][1]["params"]["value"] == 15
    payload["inputs"][1][0]["value"] = {"x": [object.__name__]}  # not a click count
    payload["inputs"][1][0]["id"] = "not-a-pattern"
    assert client.post("/_dash-update-component", json=payload).status_code == 400


def test_a_county_and_four_of_its_five_districts_do_not_reveal_the_fifth(sqlite_engine, tmp_path):
    from queries.importers.series import import_series

    districts = {"E07000177": 20, "E07000178": 31, "E07000179": 12, "E07000180": 17, "E07000181": 2}
    lines = ["series_id,title,theme,unit,area_code,period,value,source,sensitive"]
    lines += [f"small-counts,Small counts,exploitation,count,{code},2023/24,{value},Test,yes" for code, value in districts.items()]
    lines.append(f"small-counts,Small counts,exploitation,count,{OXFORDSHIRE},2023/24,{sum(districts.values())},Test,yes")
    path = tmp_path / "small-counts.csv"
    path.write_text("\n".join(lines) + "\n")
    import_series(sqlite_engine, path, kind="published")
    client = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False)}).server.test_client()
    asked = [OXFORDSHIRE, *list(districts)[:4]]
    body = client.get("/api/v1/series/small-counts?" + "&".join(f"area={c}" for c in asked)).get_json()
    shown = {v["area_code"]: v["value"] for v in body["values"]}
    assert set(shown) == set(asked)
    # Were the county and all four shown, the county minus the four would be the fifth's 2.
    assert None in shown.values()
    assert all(value != 2 for value in shown.values())
