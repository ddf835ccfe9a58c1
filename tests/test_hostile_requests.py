"""Crafted requests get a clear 4xx, never a 500: parameters, months, callback bodies, downloads."""

from __future__ import annotations

import json
import re

import pytest

from app import create_app
from dashboard.api.openapi import MONTH_PATTERN, openapi_document
from queries import periods

from .conftest import FIXTURES, demo_database

OXFORD = "E07000178"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from queries.db import make_engine
    from queries.importers.series import import_series

    url = demo_database(tmp_path_factory, "hostile", "2024-10", "2024-12", 0.02)
    engine = make_engine(url)
    import_series(engine, FIXTURES / "series" / "partner-series.csv")
    engine.dispose()
    return create_app({"database_url": url, "rate_limit_enabled": False})  # crafted requests by the hundred


@pytest.fixture
def client(app):
    return app.server.test_client()


def no_crash(response):
    assert response.status_code < 500, response.data[:300]
    assert b"Traceback" not in response.data


@pytest.mark.parametrize("value", ["\u00b2", "\u00b9\u2070", "\u0662", "\uff11"])  # ², ¹⁰, Arabic-Indic 2, fullwidth 1
def test_integers_take_ascii_digits_only(client, value):
    response = client.get(f"/api/v1/hotspots?area={OXFORD}&limit={value}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "limit"


@pytest.mark.parametrize(("path", "value", "message"), [
    ("counts", "0001-01", "0001-01 is outside 2000-01 to 2099-12"),
    ("counts", "0000-00", "'0000-00' is not a month (YYYY-MM)"),
    ("counts", "9999-12", "9999-12 is outside 2000-01 to 2099-12"),
    ("hotspots", "0001-01", "0001-01 is outside 2000-01 to 2099-12"),
])
def test_very_old_or_far_future_months_are_400s_in_the_api(client, path, value, message):
    response = client.get(f"/api/v1/{path}?area={OXFORD}&from={value}")
    assert response.status_code == 400
    assert response.get_json()["error"] == {"parameter": "from", "message": message}


@pytest.mark.parametrize(("query", "parameter"), [("from=0001-01", "from"), ("to=0000-00", "to"),
                                                  ("from=0001-01&to=9999-12", "from"),
                                                  ("to=1900-01&grain=rolling_12", "to")])
def test_downloads_and_the_pack_refuse_a_month_out_of_range_by_name(client, query, parameter):
    # A file for other months than asked (the defaults) would be taken for the months asked.
    for path in ("/download/crime-trend.csv", "/download/hotspot-places.csv", "/hotspots/pack.zip", "/hotspots/pack.pdf"):
        response = client.get(f"{path}?area={OXFORD}&{query}")
        no_crash(response)
        assert response.status_code == 400
        assert response.get_data(as_text=True).startswith(f"{parameter}: ")


def test_a_callback_body_nested_100000_deep_is_a_400(client):
    body = '{"output": "crime-content.children", "inputs": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("depth", [50, 5_000])
def test_a_deeply_nested_graph_event_is_a_400(client, depth):
    click = "CLICK"
    body = {"output": "chart-hotspot-map.figure", "outputs": {"id": "chart-hotspot-map", "property": "figure"},
            "inputs": [{"id": "chart-hotspot-map", "property": "clickData", "value": click},
                       [{"id": {"type": "hotspot-zoom", "lon": 0, "lat": 0}, "property": "n_clicks", "value": None}]],
            "changedPropIds": ["chart-hotspot-map.clickData"]}
    text = json.dumps(body).replace('"CLICK"', '{"p": ' * depth + "{}" + "}" * depth)
    response = client.post("/_dash-update-component", data=text, content_type="application/json")
    assert response.status_code == 400


def test_a_clientside_callback_output_is_not_served(client, app):
    clientside = [o for o, c in app.callback_map.items() if "callback" not in c]
    assert clientside
    for output in clientside:
        callback = app.callback_map[output]
        component, prop = output.rsplit(".", 1)

        def concrete(ident):
            return {k: ("x" if v == ["MATCH"] else v) for k, v in json.loads(ident).items()} if ident.startswith("{") else ident

        body = {"output": output, "outputs": {"id": concrete(component), "property": prop},
                "inputs": [{"id": concrete(i["id"]), "property": i["property"], "value": 1} for i in callback["inputs"]],
                "state": [{"id": concrete(i["id"]), "property": i["property"], "value": "x"} for i in callback["state"]],
                "changedPropIds": []}
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 400


def sync_body(app, values: dict):
    [output] = [o for o in app.callback_map if "url.search" in o and "filter-areas.value" in o]
    callback = app.callback_map[output]
    inputs = [{"id": i["id"], "property": i["property"], "value": values.get(i["id"])} for i in callback["inputs"]]
    inputs[0]["value"] = "?area=E07000178"
    outputs = [dict(zip(("id", "property"), spec.rsplit(".", 1))) for spec in output.strip(".").split("...")]
    return {"output": output, "outputs": outputs, "inputs": inputs,
            "state": [{"id": "url", "property": "pathname", "value": "/crime"}], "changedPropIds": ["filter-areas.value"]}


@pytest.mark.parametrize("value", [5, "E07000178", True, 1.5, None, [1, 2], [None], ["E07000178", 7]])
def test_filter_values_of_any_type_never_raise(client, app, value):
    values = {control: value for control in ("filter-areas", "filter-areas-more", "filter-crime-types", "filter-from",
                                             "filter-to", "filter-grain", "filter-measure", "filter-area",
                                             "filter-baseline", "filter-level")}
    response = client.post("/_dash-update-component", json=sync_body(app, values))
    no_crash(response)


@pytest.mark.parametrize("click", [
    {"points": {"0": {"location": "1:2"}}}, {"points": "x"}, {"points": [None]}, {"points": [{"location": "a:b"}]},
    {"points": [{"location": "1:2:3"}]}, {"points": [{"location": "99999999999999:1"}]}, {"points": []},
    {"points": [{"location": 5}]}, {"x": 1},
])
def test_malformed_map_click_data_never_raises(client, click):
    body = {"output": "chart-hotspot-map.figure", "outputs": {"id": "chart-hotspot-map", "property": "figure"},
            "inputs": [{"id": "chart-hotspot-map", "property": "clickData", "value": click},
                       [{"id": {"type": "hotspot-zoom", "lon": 0, "lat": 0}, "property": "n_clicks", "value": None}]],
            "changedPropIds": ["chart-hotspot-map.clickData"]}
    response = client.post("/_dash-update-component", json=body)
    no_crash(response)


def test_the_openapi_document_says_withheld_values_are_null_and_months_are_strict():
    document = openapi_document()
    value = document["components"]["schemas"]["SeriesValue"]["properties"]["value"]
    assert "null" in value["type"]
    months = [p["schema"]["pattern"] for operation in document["paths"].values() for p in operation["get"].get("parameters", [])
              if p["name"] in ("from", "to")]
    assert months and all(p == MONTH_PATTERN for p in months)
    pattern = re.compile(MONTH_PATTERN)
    for good in ("2000-01", "2024-12", "2099-12"):
        assert pattern.match(good) and periods.is_supported_month(good)
    for bad in ("0000-00", "0001-01", "2024-13", "2024-00", "1999-12", "2100-01", "2024-1"):
        assert not pattern.match(bad) and not periods.is_supported_month(bad)


def test_the_api_returns_null_for_a_withheld_value(client):
    body = client.get("/api/v1/series/victims-cse-fgm-forced-marriage-hbv").get_json()
    withheld = [v for v in body["values"] if v["suppressed"]]
    assert withheld and all(v["value"] is None for v in withheld)


def test_an_unknown_series_download_is_a_404(client):
    assert client.get("/download/series-no-such-series.csv").status_code == 404
    assert client.get("/download/series-da-incidents-police.csv").status_code == 404  # a partner series, for the public
    shown = client.get("/download/series-victims-cse-fgm-forced-marriage-hbv.csv")
    assert shown.status_code == 200 and shown.data.count(b"\n") > 1


def test_a_click_on_a_grid_cell_still_centres_the_map(client):
    from queries import hexgrid

    body = {"output": "chart-hotspot-map.figure", "outputs": {"id": "chart-hotspot-map", "property": "figure"},
            "inputs": [{"id": "chart-hotspot-map", "property": "clickData", "value": {"points": [{"location": "12:-3"}]}},
                       [{"id": {"type": "hotspot-zoom", "lon": 0, "lat": 0}, "property": "n_clicks", "value": None}]],
            "changedPropIds": ["chart-hotspot-map.clickData"]}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    lon, lat = hexgrid.cell_centre(12, -3)
    assert f'"lon": {lon}'.replace(" ", "") in response.get_data(as_text=True).replace(" ", "")
    assert str(lat) in response.get_data(as_text=True)


# Bodies too large: refused from the declared length, before a byte is read -------------------

class CountedBody:
    """A request body produced as it is read, counting what was read: a test's stand-in for a
    client still sending. Nothing is held, so a refusal that reads nothing costs nothing."""

    def __init__(self, size: int):
        self.size, self.read_so_far = size, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_so_far
        n = left if n is None or n < 0 else min(n, left)
        self.read_so_far += n
        return b"x" * n

    def readline(self, limit: int = -1) -> bytes:
        return self.read(65536 if limit is None or limit < 0 else min(limit, 65536))


def send(app, path: str, content_type: str, body: CountedBody, declared: bool = True):
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path=path, method="POST", content_type=content_type).get_environ()
    environ["wsgi.input"] = body
    if declared:
        environ["CONTENT_LENGTH"] = str(body.size)
    else:  # sent in chunks, with no length given (the server marks the stream's end)
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True
    status = []
    answer = b"".join(app.server.wsgi_app(environ, lambda s, headers, exc_info=None: status.append(s)))
    return int(status[0].split()[0]), answer


MB = 1024 * 1024


@pytest.mark.parametrize(("path", "content_type", "size"), [
    ("/_dash-update-component", "application/json", 150 * MB),
    ("/login", "multipart/form-data; boundary=x", 300 * MB),
    ("/logout", "application/x-www-form-urlencoded", 20 * MB),
    ("/record/targets", "application/x-www-form-urlencoded", 20 * MB),
    ("/record/interventions/upload", "multipart/form-data; boundary=x", 2 * MB),
    ("/admin/upload", "multipart/form-data; boundary=x", 300 * MB),
    ("/api/v1/areas", "application/json", 20 * MB),
])
def test_a_body_over_its_limit_is_a_413_before_any_of_it_is_read(app, path, content_type, size):
    body = CountedBody(size)
    status, answer = send(app, path, content_type, body)
    assert status == 413 and b"Traceback" not in answer
    assert b"larger than this address accepts" in answer
    assert body.read_so_far == 0


def test_a_body_with_no_length_is_cut_off_at_the_limit(app):
    body = CountedBody(150 * MB)
    status, _ = send(app, "/_dash-update-component", "application/json", body, declared=False)
    assert status == 413
    assert body.read_so_far == 1024 * 1024 + 1  # MAX_REQUEST_KB, and the one byte that proves it too long


def test_an_upload_form_takes_a_file_larger_than_other_forms_may(client):
    import io

    # 5 MB: over the 1 MB every other form is allowed, within the administrator's upload limit
    # (so the public's request goes on to be refused for its missing token, not for its size).
    data = {"kind": "series", "file": (io.BytesIO(b"x" * 5 * MB), "big.csv")}
    response = client.post("/admin/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and b"CSRF" in response.data
    data = {"name": "x", "file": (io.BytesIO(b"x" * 5 * MB), "big.csv")}
    assert client.post("/record/targets", data=data, content_type="multipart/form-data").status_code == 413


# NUL characters: refused with a 400 naming the field, never sent to the database ---------------

def test_a_nul_character_in_a_field_or_parameter_is_a_400_naming_it(client):
    from .helpers import form_token

    response = client.post("/login", data={"csrf": form_token(client), "username": "pat\x00", "password": "x"})
    no_crash(response)
    assert response.status_code == 400 and b"The field &#x27;username&#x27; contains a NUL character" in response.data
    response = client.get(f"/api/v1/counts?area={OXFORD}%00")
    assert response.status_code == 400 and "'area' contains a NUL character" in response.get_json()["error"]["message"]
    for path in ("/download/crime-trend.csv", "/hotspots/pack.pdf", "/board-report.zip"):
        response = client.get(f"{path}?area=E07000178%00&level=%27")
        assert response.status_code == 400 and b"NUL character" in response.data


# Unknown addresses: a 404, even under a real prefix; every real page still answers --------------

UNKNOWN = ["/admin/", "/admin/x", "/admin/imports/x", "/record/", "/record/x", "/record/targets/x", "/health/x",
           "/board-report.exe", "/board-report.pdf/x", "/hotspots/pack.exe", "/hotspots/x", "/download/", "/login/x",
           "/embed/no-such-chart", "/_dash-x", "/api", "/no/such/page"]


@pytest.mark.parametrize("prefix", ["", "/community-safety"])
def test_unknown_paths_are_404s_and_every_real_page_still_answers(app, tmp_path, prefix):
    from dashboard.chart_data.embeds import EMBED_PREFIX, EMBEDDABLE
    from dashboard.site import routing

    if prefix:
        app = create_app({"database_url": app.server.extensions["settings"].database_url, "url_prefix": prefix})
    client = app.server.test_client()
    for path in UNKNOWN:
        for method in (client.get, client.head):
            response = method(prefix + path)
            assert response.status_code == 404, (prefix + path, response.status_code)
    pages = sorted(routing.page_paths()) + [EMBED_PREFIX + chart for chart in sorted(EMBEDDABLE)]
    assert "/" in pages and len(pages) > 10
    for path in pages:
        assert client.get(prefix + path).status_code == 200, prefix + path
    for path, status in (("/health", 200), ("/login", 200), ("/api/v1/areas", 200), ("/admin/imports", 403),
                         ("/record/targets", 403), ("/download/crime-trend.csv", 200)):
        assert client.get(prefix + path).status_code == status, prefix + path
