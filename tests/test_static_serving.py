"""Static files: the vendored plotly.js bundles, their brotli copies and cache lifetimes."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs_version

from app import create_app

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "assets" / "vendor"
LOADER = ROOT / "assets" / "plotly-loader.js"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from queries.bootstrap import init_db
    from queries.db import make_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('static') / 'static.sqlite'}"
    init_db(make_engine(url))
    return create_app({"database_url": url}).server.test_client()


def test_the_bundles_match_the_plotly_js_that_plotly_ships():
    version = get_plotlyjs_version()
    assert sorted(p.name for p in VENDOR.glob("*.js")) == [f"plotly-charts-{version}.min.js", f"plotly-maps-{version}.min.js"]
    assert re.search(r'VERSION = "([^"]+)"', LOADER.read_text()).group(1) == version


@pytest.mark.parametrize("name", ["plotly-charts", "plotly-maps"])
def test_a_browser_that_accepts_brotli_gets_the_brotli_copy_for_a_year(client, name):
    path = f"/assets/vendor/{name}-{get_plotlyjs_version()}.min.js"
    response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert response.get_data() == (ROOT / path.lstrip("/")).with_suffix(".js.br").read_bytes()
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert plain.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(plain.get_data()) == (ROOT / path.lstrip("/")).read_bytes()


def test_vendor_bundles_are_not_put_on_every_page(client):
    html = client.get("/").get_data(as_text=True)
    assert "plotly-loader.js" in html
    assert "vendor/plotly-" not in html and "plotly.min.js" not in html


def test_a_path_outside_the_assets_gets_no_brotli_copy(client):
    response = client.get("/assets/../app.py", headers={"Accept-Encoding": "br"})
    assert response.status_code == 404


def test_large_json_answers_are_gzipped_for_browsers_that_accept_it(client):
    plain = client.get("/_dash-layout")
    zipped = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers.get("Content-Encoding") == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert len(plain.get_data()) > 4096
    assert json.loads(gzip.decompress(zipped.get_data())) == json.loads(plain.get_data())


def test_a_fresh_worker_serves_dash_files_before_any_page(tmp_path):
    """A gunicorn worker's first request may be a component file (the browser's other
    connections land on another worker than the page): it must not answer 500."""
    from queries.bootstrap import init_db
    from queries.db import make_engine

    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    init_db(make_engine(url))
    fresh = create_app({"database_url": url}).server.test_client()
    assert fresh.get("/_dash-component-suites/dash/dcc/dash_core_components.js").status_code == 200
    assert fresh.get("/_dash-component-suites/dash/deps/polyfill@7.12.1.min.js").status_code == 200
