"""Fuzzing, bounded in time: schemathesis over the OpenAPI document, and hypothesis over
every registered Dash callback. No request may answer 500 or show a traceback."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from dashboard.pages import PAGES

from .conftest import demo_database
from .pagetools import page_payload

TRACEBACK_SIGNS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg", "sqlite3.")
# Bounded by the number of examples (derandomised, so every run tries the same ones): each
# test takes 10-30 s on a busy two-core machine.
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                database=None)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # Hundreds of requests from one client: past the rate limits, which tests of their own cover.
    return create_app({"database_url": demo_database(tmp_path_factory, "fuzz", "2024-07", "2024-12", 0.02),
                       "rate_limit_enabled": False})


def assert_no_crash(status: int, body: bytes) -> None:
    assert status < 500, body[:300]
    text = body.decode("utf-8", "replace")
    assert not any(sign in text for sign in TRACEBACK_SIGNS), text[:300]


# ---------------------------------------------------------------- the API, from its OpenAPI document

def api_operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server)
    return [result.ok() for result in schema.get_all_operations()]


API_PATHS = ["/areas", "/counts", "/hotspots", "/series", "/series/{series_id}", "/evaluation", "/interventions",
             "/targets", "/peers", "/incidents/heatmap", "/incidents/weekly", "/incidents/sources", "/incidents/counts",
             "/incidents/ae-against-police", "/coverage"]


def test_the_openapi_document_describes_every_endpoint(app):
    paths = {operation.path for operation in api_operations(app)}
    assert paths == set(API_PATHS)


@pytest.mark.parametrize("path", API_PATHS)
def test_the_api_never_answers_500(app, path):
    [operation] = [o for o in api_operations(app) if o.path == path]

    @FUZZ
    @given(operation.as_strategy())
    def call(case):
        response = case.call()
        assert_no_crash(response.status_code, response.content)

    call()


# ---------------------------------------------------------------- Dash callbacks with crafted inputs

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
                      st.text(max_size=30), st.sampled_from(["0001-01", "0000-00", "9999-12", "2024-13", "E07000178",
                                                             "?from=0001-01&to=9999-12", "?area=E07000178&to=0000-00",
                                                             "?from=1900-01", "?baseline_months=24&level=cell"]))
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                              st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                          max_leaves=12)
SEARCH = st.one_of(
    st.text(max_size=60).map(lambda s: "?" + s),
    st.lists(st.tuples(st.sampled_from(["area", "crime_type", "from", "to", "grain", "measure", "baseline_months",
                                        "level", "embed", "filters"]),
                       st.one_of(st.text(max_size=12), st.sampled_from(["0001-01", "0000-00", "9999-12", "2024-06",
                                                                        "E07000178", "E10000025", "burglary", "²",
                                                                        "rolling_12", "cell", "24"]))), max_size=6)
    .map(lambda pairs: "?" + "&".join(f"{k}={v}" for k, v in pairs)),
)


def callback_bodies(app):
    """A strategy of request bodies for every registered callback, with crafted values."""
    bodies = []
    for output, callback in app.callback_map.items():
        outputs = output.strip(".").split("...") if output.startswith("..") else [output]

        def output_spec(spec):
            component, prop = spec.rsplit(".", 1)
            return {"id": json.loads(component) if component.startswith("{") else component, "property": prop}

        def item(dependency, value):
            component = dependency["id"]
            ident = json.loads(component) if component.startswith("{") else component
            if isinstance(ident, dict):
                ident = {k: ("x" if v == ["MATCH"] or v == ["ALL"] else v) for k, v in ident.items()}
            return {"id": ident, "property": dependency["property"], "value": value}

        def values_for(dependency):
            prop = dependency["property"]
            if prop == "search":
                return SEARCH
            return JSON_VALUE

        def build(output=output, outputs=outputs, callback=callback):
            inputs = [st.builds(item, st.just(d), values_for(d)) for d in callback.get("inputs", [])]
            state = [st.builds(item, st.just(d), values_for(d)) for d in callback.get("state", [])]
            return st.fixed_dictionaries({
                "output": st.just(output),
                "outputs": st.just([output_spec(s) for s in outputs] if len(outputs) > 1 else output_spec(outputs[0])),
                "inputs": st.tuples(*inputs).map(list),
                "state": st.tuples(*state).map(list),
                "changedPropIds": st.just([f"{callback['inputs'][0]['id']}.{callback['inputs'][0]['property']}"]),
            })

        bodies.append(build())
    return st.one_of(*bodies)


def test_every_callback_is_fuzzed(app):
    """callback_bodies draws from the whole callback map: make sure the map holds the server's
    callbacks (the page, the filter sync, the hotspot map) and not some empty stand-in."""
    server_side = [output for output, callback in app.callback_map.items() if "callback" in callback]
    assert len(server_side) >= 5
    for expected in ("page-content.children", "url.search", "chart-hotspot-map.figure"):
        assert any(expected in output for output in server_side), expected


def test_callbacks_never_answer_500_to_crafted_inputs(app):
    client = app.server.test_client()

    @FUZZ
    @given(callback_bodies(app))
    def post(body):
        response = client.post("/_dash-update-component", json=body)
        assert_no_crash(response.status_code, response.data)

    post()


@pytest.mark.parametrize("search", ["?from=0001-01", "?to=0000-00", "?from=0001-01&to=9999-12", "?to=9999-12",
                                    "?from=1900-01&to=1900-02&grain=rolling_12"])
def test_every_page_takes_very_old_or_far_future_months(app, search):
    client = app.server.test_client()
    for page in PAGES:
        response = client.post("/_dash-update-component", json=page_payload(page.path, search))
        assert_no_crash(response.status_code, response.data)
