"""Every request that changes something carries a form token bound to the browser's session:
none, an empty one, or another session's is refused with a plain 400, in both sign-in modes."""

from __future__ import annotations

import io
import re

import pytest

from app import create_app
from queries.accounts import set_account
from queries.importers.policeuk import import_policeuk

from .conftest import FIXTURES
from .helpers import form_token, snapshot

PASSWORD = "correct horse battery"
PROXY = {"REMOTE_ADDR": "10.0.0.5"}
AS_ADMIN = {"X-Remote-User": "ada@council", "X-Remote-Role": "admin"}
INTERVENTION = {"name": "Op Test", "start_month": "2024-01", "end_month": "2024-01", "target": "E01028594",
                "control": "E01017649", "crime_types": ["burglary"]}
TARGET = {"id": "fewer-burglaries", "title": "Fewer burglaries", "area_code": "E07000178", "crime_types": ["burglary"],
          "baseline_from": "2022-01", "baseline_to": "2022-01", "end_from": "2024-01", "end_to": "2024-01",
          "target_percent": "-5", "tolerance_points": "2", "source": "Board minutes"}
SERIES_CSV = b"series_id,title,theme,unit,area_code,period,value,source\nx-1,X,crime,count,E07000178,2024,5,Me\n"


def forms() -> dict[str, dict]:
    """Each form that changes something, filled in as a user would (without its token)."""
    return {
        "/login": {"username": "ada", "password": PASSWORD},
        "/record/interventions": dict(INTERVENTION, name="Op Forged"),
        "/record/interventions/upload": {"file": (io.BytesIO(b"name,start_month\n"), "i.csv")},
        "/record/interventions/1/delete": {},
        "/record/targets": dict(TARGET),
        "/admin/upload": {"kind": "series", "file": (io.BytesIO(SERIES_CSV), "s.csv")},
        "/admin/upload/confirm": {},
        "/logout": {},
    }


@pytest.fixture
def database(sqlite_engine):
    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2022-01-thames-valley-street.csv",
                                    FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    set_account(sqlite_engine, "ada", PASSWORD, "admin")
    return sqlite_engine


def make_app(engine, tmp_path, mode):
    return create_app({"database_url": engine.url.render_as_string(hide_password=False), "auth_mode": mode,
                       "trusted_proxies": "10.0.0.5", "upload_dir": str(tmp_path / "uploads")})


def signed_in(app, mode):
    """A browser signed in as an administrator, and the request options every request needs."""
    client = app.server.test_client()
    if mode == "header":
        options = {"headers": AS_ADMIN, "environ_base": PROXY}
    else:
        options = {}
        token = form_token(client)
        assert client.post("/login", data={"csrf": token, "username": "ada", "password": PASSWORD}).status_code == 302
    return client, options


def token_of(client, options) -> str:
    page = client.get("/record/interventions", **options).get_data(as_text=True)
    return re.search(r"name=[\"']csrf[\"'] value=[\"']([^\"']+)", page).group(1)


def refused(response) -> bool:
    body = response.get_data(as_text=True)
    return response.status_code == 400 and "CSRF" in body and "Traceback" not in body


@pytest.mark.parametrize("mode", ["accounts", "header"])
@pytest.mark.parametrize("token_case", ["none", "empty", "another session's"])
def test_a_form_without_its_sessions_token_is_refused_and_changes_nothing(database, tmp_path, mode, token_case):
    app = make_app(database, tmp_path, mode)
    client, options = signed_in(app, mode)
    token = token_of(client, options)
    assert client.post("/record/interventions", data=dict(INTERVENTION, csrf=token), **options).status_code == 302
    other, other_options = signed_in(app, mode)
    foreign = token_of(other, other_options)
    assert foreign != token
    before = snapshot(database)
    for path, data in forms().items():
        if mode == "header" and path in ("/login", "/logout"):
            continue  # no such forms when a proxy signs people in
        if token_case == "empty":
            data["csrf"] = ""
        elif token_case == "another session's":
            data["csrf"] = foreign
        response = client.post(path, data=data, **options)
        assert refused(response), (path, response.status_code, response.data[:200])
    assert snapshot(database) == before
    # The same browser with its own token gets through: the refusals above were the token's.
    assert client.post("/record/interventions/1/delete", data={"csrf": token}, **options).status_code == 302
    assert snapshot(database) != before


def test_a_cookieless_cross_site_post_through_the_proxy_stores_and_deletes_nothing(database, tmp_path):
    """The reported attack: the proxy adds the signed-in user's headers to a forged request
    that carries no cookie, so the session holds no token either."""
    app = make_app(database, tmp_path, "header")
    client, options = signed_in(app, "header")
    assert client.post("/record/interventions", data=dict(INTERVENTION, csrf=token_of(client, options)),
                       **options).status_code == 302
    before = snapshot(database)
    forger = app.server.test_client()  # a fresh browser context: no cookie at all
    for data in ({}, {"csrf": ""}):
        assert refused(forger.post("/record/targets", data=dict(TARGET, **data), **options))
        assert refused(forger.post("/record/interventions/1/delete", data=data, **options))
    assert snapshot(database) == before


def test_a_cross_site_sign_in_without_a_token_signs_nobody_in(database, tmp_path):
    app = make_app(database, tmp_path, "accounts")
    for data in ({}, {"csrf": ""}):
        browser = app.server.test_client()
        assert refused(browser.post("/login", data=dict(data, username="ada", password=PASSWORD)))
        assert browser.get("/admin/imports").status_code == 403  # still the public
    browser = app.server.test_client()
    assert browser.post("/login", data={"csrf": form_token(browser), "username": "ada",
                                        "password": PASSWORD}).status_code == 302
    assert browser.get("/admin/imports").status_code == 200


def test_signing_in_makes_a_new_token_so_one_planted_before_is_worthless(database, tmp_path):
    app = make_app(database, tmp_path, "accounts")
    browser = app.server.test_client()
    planted = form_token(browser)
    assert browser.post("/login", data={"csrf": planted, "username": "ada", "password": PASSWORD}).status_code == 302
    assert refused(browser.post("/record/targets", data=dict(TARGET, csrf=planted)))


@pytest.mark.parametrize("mode", ["accounts", "header"])
def test_every_route_that_takes_a_post_refuses_one_without_a_token(database, tmp_path, mode):
    """Enumerates the registered routes, so a form added later cannot forget its token."""
    app = make_app(database, tmp_path, mode)
    client, options = signed_in(app, mode)
    posts = [rule for rule in app.server.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 9
    before = snapshot(database)
    for rule in posts:
        path = re.sub(r"<[^>]+>", "x", re.sub(r"<int:[^>]+>", "1", rule.rule))
        if rule.endpoint == "/_dash-update-component":
            # Dash's callbacks take JSON only and change nothing: a form post is no callback.
            response = client.post(path, data={"output": "x"}, **options)
            assert response.status_code == 400 and b"Traceback" not in response.data
            continue
        response = client.post(path, data={"username": "ada", "password": PASSWORD}, **options)
        if mode == "header" and rule.endpoint in ("login", "logout"):
            assert response.status_code in (400, 404)
            continue
        assert refused(response), (path, response.status_code, response.data[:200])
    assert snapshot(database) == before
