"""Static files: the vendored plotly.js bundles, their brotli copies and cache lifetimes."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from dash.fingerprint import check_fingerprint
from plotly.offline import get_plotlyjs_version

from app import create_app
from dashboard.server.serving import BROTLI_COPIES, BROTLI_SOURCES, brotli_copies, source_file

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
    refused = client.get(path, headers={"Accept-Encoding": "gzip, br;q=0"})  # brotli refused by name
    assert refused.headers["Content-Encoding"] == "gzip"


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


@pytest.mark.parametrize(("accept", "coding"), [
    ("gzip, deflate, br, zstd", "br"),  # what Chromium and Firefox send over HTTPS
    ("br;q=1.0, gzip;q=0.8", "br"),
    ("gzip, br;q=0", "gzip"),  # brotli refused
    ("deflate", None),
])
def test_large_dynamic_answers_are_brotli_where_the_browser_takes_it(client, accept, coding):
    import brotli

    plain = client.get("/_dash-layout").get_data()
    answer = client.get("/_dash-layout", headers={"Accept-Encoding": accept})
    assert answer.headers.get("Content-Encoding") == coding
    body = answer.get_data()
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: lambda b: b}[coding](body)
    assert json.loads(decoded) == json.loads(plain)
    if coding == "br":  # smaller than gzip at the level used before, on this same answer
        assert len(body) < len(gzip.compress(plain, compresslevel=5))


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


def test_pages_leave_out_the_polyfill_and_the_unused_table_library(client):
    html = client.get("/crime").get_data(as_text=True)
    assert "polyfill@" not in html and "dash_table/bundle" not in html
    # Dash's transpiled async code still needs the regenerator runtime the polyfill carried.
    assert re.search(r'<script type="text/x-after-paint" src="/assets/regenerator-runtime-[\d.]+\.min\.js\?m=\d', html)
    assert "dash_core_components" in html and "react-dom@" in html  # the rest is still there


def test_the_brotli_copies_were_made_from_the_installed_files():
    """Fails after upgrading dash or dash-bootstrap-components until `make brotli-copies` runs
    (the server would send those files gzipped meanwhile)."""
    assets = ROOT / "assets"
    manifest = json.loads((assets / BROTLI_COPIES / "manifest.json").read_text())
    assert sorted(manifest) == sorted(BROTLI_SOURCES)
    for name, digest in manifest.items():
        assert hashlib.sha256(source_file(name, assets).read_bytes()).hexdigest() == digest, name
    assert sorted(brotli_copies(assets)) == sorted(BROTLI_SOURCES)


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/dash/dcc/dash_core_components.v4_4_1m1795331670.js",  # Dash's fingerprinted name
    "/_dash-component-suites/dash/dcc/async-graph.js",
    "/assets/00-bootstrap.min.css?m=1",
])
def test_a_browser_that_accepts_brotli_gets_the_brotli_copy_of_dash_and_bootstrap_files(client, path):
    name = "assets/00-bootstrap.min.css" if path.startswith("/assets/") else \
        check_fingerprint(path.removeprefix("/_dash-component-suites/"))[0]
    response = client.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert response.get_data() == (ROOT / "assets" / BROTLI_COPIES / f"{name}.br").read_bytes()
    plain = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(plain.get_data()) == source_file(name, ROOT / "assets").read_bytes()


def test_a_brotli_copy_of_a_file_that_changed_since_is_not_used(tmp_path):
    assets = tmp_path / "assets"
    (assets / BROTLI_COPIES / "assets").mkdir(parents=True)
    (assets / "site.css").write_text("body { color: black }\n" * 100)
    (assets / BROTLI_COPIES / "assets" / "site.css.br").write_bytes(b"stale")
    manifest = {"assets/site.css": hashlib.sha256(b"what the file held before").hexdigest()}
    (assets / BROTLI_COPIES / "manifest.json").write_text(json.dumps(manifest))
    assert brotli_copies(assets) == {}
    manifest["assets/site.css"] = hashlib.sha256((assets / "site.css").read_bytes()).hexdigest()
    (assets / BROTLI_COPIES / "manifest.json").write_text(json.dumps(manifest))
    assert brotli_copies(assets) == {"assets/site.css": assets / BROTLI_COPIES / "assets" / "site.css.br"}


def test_a_brotli_copy_that_has_gone_missing_is_replaced_by_gzip(tmp_path):
    """`make brotli-copies` rewrites its folder: a request meanwhile still gets the file."""
    from flask import Flask

    from dashboard.server.serving import register_static_compression

    server = Flask(__name__)
    script = "var answer = 42;\n" * 200
    server.add_url_rule("/static-files/app.js", "app_js", lambda: (script, 200, {"Content-Type": "application/javascript"}))
    copy = tmp_path / "app.js.br"
    copy.write_bytes(b"brotli bytes")
    register_static_compression(server, ("/static-files/",), copies={"/static-files/": {"app.js": copy}})
    client = server.test_client()
    assert client.get("/static-files/app.js", headers={"Accept-Encoding": "gzip, br"}).get_data() == b"brotli bytes"
    copy.unlink()
    response = client.get("/static-files/app.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).decode() == script
