"""Serving details: request ids and JSON logs, and static files compressed once.

Logs are one JSON object a line, each request tagged with an id taken from the proxy's
X-Request-ID (when it looks like one) or made here, and returned in the response.
Static JavaScript and CSS are gzipped the first time a worker serves them and kept, so no
request pays for compressing them again; the kept copies are keyed by path and content (never
the query string, which anyone can vary) and bounded in bytes, least recently used out first.
The vendored plotly.js bundles, and the Dash and Bootstrap files every page loads, also have
brotli copies made at build time (``make plotly-bundles``, ``make brotli-copies``). Large dynamic
answers (callback JSON, the layout, the page) are compressed per request, with brotli where the
browser takes it.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path

from dash.fingerprint import check_fingerprint
from flask import Flask, g, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
COMPRESSIBLE = ("application/javascript", "text/javascript", "text/css", "application/json", "image/svg+xml")
log = logging.getLogger("dashboard.requests")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_json_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # our own access log replaces it


def register_request_logging(server: Flask) -> None:
    @server.before_request
    def start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @server.after_request
    def finish(response):
        request_id = getattr(g, "request_id", uuid.uuid4().hex)
        response.headers["X-Request-ID"] = request_id
        duration = (time.perf_counter() - getattr(g, "started", time.perf_counter())) * 1000
        log.info("request", extra={"fields": {
            "request_id": request_id, "method": request.method, "path": request.path,
            "status": response.status_code, "duration_ms": round(duration, 1),
        }})
        return response


class CompressedFiles:
    """Gzipped static files kept by a worker, at most ``max_bytes`` of them."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._files: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def gzipped(self, key: tuple[str, str], body: bytes) -> bytes:
        with self._lock:
            if key in self._files:
                self._files.move_to_end(key)
                return self._files[key]
        data = gzip.compress(body, compresslevel=6)
        if len(data) <= self.max_bytes:
            with self._lock:
                if key not in self._files:
                    self._files[key] = data
                    self.bytes += len(data)
                while self.bytes > self.max_bytes:
                    _key, dropped = self._files.popitem(last=False)
                    self.bytes -= len(dropped)
        return data

    def __len__(self) -> int:
        return len(self._files)


# A file name that carries its version (plotly-charts-4.1.1.min.js) never changes content.
VERSIONED_NAME = re.compile(r"-\d+\.\d+\.\d+(\.min)?\.(js|css)$")
YEAR = "public, max-age=31536000, immutable"


BROTLI_COPIES = "vendor/brotli"  # under the assets folder: brotli copies of the files below
# Installed or vendored files that every page loads and that are not built here: Dash's by
# their name under /_dash-component-suites/ (without Dash's fingerprint), and Bootstrap's
# stylesheet under assets/. `make brotli-copies` compresses them.
BROTLI_SOURCES = (
    "dash/deps/react@18.3.1.min.js", "dash/deps/react-dom@18.3.1.min.js", "dash/deps/prop-types@15.8.1.min.js",
    "dash/dash-renderer/build/dash_renderer.min.js", "dash/dcc/dash_core_components.js",
    "dash/dcc/dash_core_components-shared.js", "dash/dcc/async-graph.js", "dash/html/dash_html_components.min.js",
    "dash_bootstrap_components/_components/dash_bootstrap_components.min.js", "assets/00-bootstrap.min.css",
)


def source_file(name: str, assets: Path) -> Path | None:
    """The file behind a name of ``BROTLI_SOURCES``: in the assets folder or an installed package."""
    package, _, rest = name.partition("/")
    if package == "assets":
        path = assets / rest
    else:
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            return None
        path = Path(spec.origin).parent / rest
    return path if path.is_file() else None


def brotli_copies(assets: Path) -> dict[str, Path]:
    """The brotli copies (by name) whose source is still the file they were made from
    (``manifest.json`` holds its SHA-256): a file changed since, or a package upgraded, is
    sent gzipped until the copies are made again."""
    folder = assets / BROTLI_COPIES
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return {}
    copies = {}
    for name, digest in manifest.items():
        source, copy = source_file(name, assets), folder / f"{name}.br"
        if source is not None and copy.is_file() and hashlib.sha256(source.read_bytes()).hexdigest() == digest:
            copies[name] = copy
    return copies


def register_static_compression(
    server: Flask, prefixes: tuple[str, ...], max_bytes: int = 32 * 1024 * 1024,
    precompressed: dict[str, Path] | None = None, copies: dict[str, dict[str, Path]] | None = None,
) -> None:
    """Compress static files once per worker and mark fingerprinted ones cacheable for a year.

    ``precompressed`` maps URL prefixes to folders where a file may have a brotli copy
    beside it (``name.js.br``, made at build time at the highest level): browsers that
    accept brotli get that copy, about a quarter smaller than gzip for plotly.js.
    ``copies`` maps URL prefixes to brotli copies made elsewhere, by the name under the prefix
    (without Dash's fingerprint; see ``brotli_copies``).
    """
    compressed = CompressedFiles(max_bytes)
    server.extensions["compressed_files"] = compressed

    @server.after_request
    def compress(response):
        if (
            request.method != "GET"
            or response.status_code != 200
            or not request.path.startswith(prefixes)
            or response.mimetype not in COMPRESSIBLE
            or "Content-Encoding" in response.headers
        ):
            return response
        accepted = request.accept_encodings  # a coding's quality: 0 when refused ("br;q=0") or absent
        brotli = _brotli_copy(request.path, precompressed or {}, copies or {}) if accepted["br"] else None
        try:
            brotli_body = brotli.read_bytes() if brotli is not None else None
        except OSError:  # the copies are being made again: the file itself, gzipped, will do
            brotli_body = None
        if brotli_body is None and not accepted["gzip"]:
            return response
        response.direct_passthrough = False
        if brotli_body is not None:
            body, encoding = brotli_body, "br"
        else:
            body = response.get_data()
            if len(body) < 1024:
                return response
            # The same file under ?m=1, ?m=2 ... is one entry: a query string cannot grow the store.
            key = (request.path, str(len(body)) + response.headers.get("ETag", ""))
            body, encoding = compressed.gzipped(key, body), "gzip"
        response.set_data(body)
        response.headers["Content-Encoding"] = encoding
        etag, weak = response.get_etag()
        if etag:  # the compressed body is a different representation
            response.set_etag(f"{etag}-{encoding}", weak=weak)
        response.headers["Vary"] = "Accept-Encoding"
        if "m" in request.args or VERSIONED_NAME.search(request.path):
            # Dash fingerprints asset URLs with their modification time (?m=...), and the
            # vendored bundles carry their version in the name: neither is ever stale.
            response.headers["Cache-Control"] = YEAR
        elif "Cache-Control" not in response.headers:
            # Fingerprinted component files already carry a year from Dash; the rest change on upgrade.
            response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def _brotli_copy(path: str, folders: dict[str, Path], copies: dict[str, dict[str, Path]]) -> Path | None:
    for prefix, named in copies.items():
        if path.startswith(prefix) and (copy := named.get(check_fingerprint(path[len(prefix):])[0])):
            return copy
    for prefix, folder in folders.items():
        if path.startswith(prefix):
            name = path[len(prefix):]
            if ".." in name.split("/"):
                return None
            candidate = folder / f"{name}.br"
            return candidate if candidate.is_file() else None
    return None


def register_response_compression(server: Flask, minimum: int = 4096) -> None:
    """Compress large dynamic answers (callback results, the layout, the page, the map's grid)
    for browsers: brotli where the browser takes it, else gzip.

    The hotspot page's layout, 465 kB of JSON, is 36 kB with brotli at quality 5 and 44 kB
    gzipped at level 5, in about 4 and 3 ms: every browser in use takes brotli over HTTPS,
    and the map page's first visit stays inside its 1 MB. Static files are handled (and
    cached) above.
    """
    import brotli  # imported here: the app's import stays light (tests/test_start_up.py)

    @server.after_request
    def compress(response):
        if (
            response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.direct_passthrough
            or response.is_streamed
            or response.mimetype not in ("application/json", "application/geo+json", "text/html")
        ):
            return response
        # Werkzeug's reading of Accept-Encoding: a coding's quality, 0 when it is refused or absent.
        accepted = request.accept_encodings
        if not (accepted["br"] or accepted["gzip"]):
            return response
        body = response.get_data()
        if len(body) < minimum:
            return response
        if accepted["br"]:
            response.set_data(brotli.compress(body, quality=5))
            response.headers["Content-Encoding"] = "br"
        else:
            response.set_data(gzip.compress(body, compresslevel=5))
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        return response
