"""Composition root: builds the Dash app on a Flask server and wires its parts together.

``gunicorn -c gunicorn.conf.py app:server`` serves it; ``flask --app app COMMAND`` runs
the command-line tasks; ``python app.py`` prepares the embedded database and serves on
port 8050.
"""

from __future__ import annotations

import logging
import math
import os
import time
from html import escape
from pathlib import Path

from dash import Dash
from dash.exceptions import DependencyException
from flask import Flask, has_request_context, request
from flask_wtf.csrf import CSRFError

from dashboard.api.evaluation import create_evaluation_api
from dashboard.api.incidents import create_incidents_api
from dashboard.api.views import api_error_response, create_api
from dashboard.charts.basemap import create_basemap
from dashboard.cli import register_cli
from dashboard.documents.cell_grid import create_cell_grid
from dashboard.documents.downloads import create_downloads
from dashboard.forms.admin import MAX_BYTES as ADMIN_UPLOAD_BYTES
from dashboard.forms.admin import PendingUploads, create_admin
from dashboard.forms.recording import MAX_UPLOAD as RECORD_UPLOAD_BYTES
from dashboard.forms.recording import create_recording
from dashboard.server.auth import page, register_auth
from dashboard.server.cache import MEGABYTE, QueryCache
from dashboard.server.csrf import register_csrf
from dashboard.server.guard import register_request_guard
from dashboard.server.health import health_status
from dashboard.server.rate_limits import register_rate_limits
from dashboard.server.read_scope import register_read_scope
from dashboard.server.request_limits import FORM_OVERHEAD, register_body_limits, register_nul_check
from dashboard.server.security import content_security_policy, register_security_headers
from dashboard.server.serving import (
    brotli_copies,
    configure_json_logging,
    register_request_logging,
    register_response_compression,
    register_static_compression,
)
from dashboard.server.settings import Settings
from dashboard.server.throttle import SignInThrottle
from dashboard.server.unavailable import register_unavailable_handler, safe_layout
from dashboard.site import layout, routing
from dashboard.site.first_paint import first_paint
from dashboard.site.index import LeanDash
from queries import partnership
from queries.db import make_engine
from queries.stats import load_scipy_stats

# Dash's debug mode otherwise asks plotly's servers for a newer version.
os.environ.setdefault("DASH_DISABLE_VERSION_CHECK", "true")


def create_app(config: dict | None = None) -> Dash:
    settings = Settings.from_mapping(config)
    settings.check()
    # The partnership is one per process: pages, messages and default areas read it.
    partnership.configure(settings.partnership)
    prefix = settings.url_prefix
    server = Flask(__name__)
    server.config.update(
        SECRET_KEY=settings.secret_key,
        # Production is served over HTTPS; inside a cross-site iframe (SameSite=None) cookies
        # must be Secure too. A development server on plain http://127.0.0.1 needs neither.
        SESSION_COOKIE_SECURE=settings.app_env == "production" or bool(settings.frame_ancestor_origins),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="None" if settings.frame_ancestor_origins else "Lax",
        SESSION_REFRESH_EACH_REQUEST=False,  # the expiry is fixed at sign-in
    )
    server.json.sort_keys = False  # keep fields in the documented order
    # Every request's database work is bounded; see queries.db.make_engine.
    engine = make_engine(settings.database_url, connect_timeout=settings.db_connect_timeout,
                         statement_timeout=settings.db_statement_timeout, pool_timeout=settings.db_pool_timeout,
                         ping_timeout=settings.db_ping_timeout, retry_seconds=settings.db_retry_seconds, create=False)
    # Figures are read from the replica when there is one; the primary keeps every write and the
    # reads that must see them at once (a new session, an account, a record just saved).
    read_engine = engine if not settings.database_replica_url else make_engine(
        settings.database_replica_url, connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout, pool_timeout=settings.db_pool_timeout,
        ping_timeout=settings.db_ping_timeout, retry_seconds=settings.db_retry_seconds, create=False)
    health_engine = make_engine(settings.database_url, connect_timeout=settings.health_timeout,
                                statement_timeout=settings.health_timeout, ping_timeout=settings.health_timeout,
                                retry_seconds=0, single_use=True, create=False)
    # Imports (an administrator's upload, the command line) may run one statement for minutes.
    import_engine = make_engine(settings.database_url, connect_timeout=settings.db_connect_timeout,
                                pool_timeout=settings.db_pool_timeout, ping_timeout=settings.db_ping_timeout,
                                retry_seconds=0)
    query_cache = QueryCache(server, read_engine, settings.cache_redis_url, settings.cache_timeout, settings.data_version_ttl,
                             max_bytes=settings.cache_max_mb * MEGABYTE, max_item_bytes=settings.cache_item_max_mb * MEGABYTE,
                             redis_seconds=settings.redis_timeout, redis_retry_seconds=settings.redis_retry_seconds)
    server.extensions["settings"] = settings
    server.extensions["engine"] = engine
    server.extensions["read_engine"] = read_engine
    server.extensions["query_cache"] = query_cache
    static = (f"{prefix}_dash-component-suites/", f"{prefix}assets/", f"{prefix}_favicon")

    # Bodies are capped before any hook reads one; then no NUL, then the CSRF token (reads the form).
    register_body_limits(server, settings.max_request_kb * 1024, {
        "admin.upload_check": min(ADMIN_UPLOAD_BYTES, settings.import_max_bytes) + FORM_OVERHEAD,
        "record.interventions_upload": RECORD_UPLOAD_BYTES + FORM_OVERHEAD,
    })
    register_nul_check(server)
    register_csrf(server)
    throttle = server.extensions["sign_in_throttle"] = SignInThrottle(engine, settings.cache_redis_url,
                                                                           redis_seconds=settings.redis_timeout)
    register_auth(server, engine, settings, throttle)
    server.register_blueprint(create_api(query_cache), url_prefix=f"{prefix}api/v1")
    server.register_blueprint(create_evaluation_api(query_cache), url_prefix=f"{prefix}api/v1")
    server.register_blueprint(create_incidents_api(query_cache), url_prefix=f"{prefix}api/v1")
    pending = PendingUploads(settings.upload_dir, settings.upload_expiry_minutes * 60)
    server.register_blueprint(create_admin(import_engine, pending), url_prefix=f"{prefix}admin")
    server.register_blueprint(create_recording(engine), url_prefix=f"{prefix}record")
    server.register_blueprint(create_downloads(query_cache), url_prefix=prefix.rstrip("/") or None)
    server.register_blueprint(create_basemap(settings), url_prefix=prefix.rstrip("/") or None)
    server.register_blueprint(create_cell_grid(query_cache), url_prefix=prefix.rstrip("/") or None)
    server.add_url_rule(f"{prefix}health", "health", lambda: health_status(health_engine, query_cache))
    register_cli(server, import_engine)
    _register_error_handlers(server, prefix)
    register_unavailable_handler(server, prefix, page)

    app = LeanDash(
        __name__,
        server=server,
        title=layout.site_title(),
        update_title=None,
        serve_locally=True,
        url_base_pathname=prefix,
        index_string=layout.INDEX_STRING,
        # The partial plotly.js bundles are loaded by assets/plotly-loader.js, page by page.
        assets_path_ignore=["vendor"],
    )
    # Set before the layout, so Dash does not call the layout function (and so the database) here.
    app.validation_layout = routing.validation_layout(layout.shell(app.get_relative_path, _NoData()))
    app.layout = lambda: _layout(app, query_cache)
    app.first_paint = lambda: first_paint(app, query_cache)
    routing.register_callbacks(app, query_cache)
    register_request_guard(app, routing.page_paths())
    register_rate_limits(server, settings)
    # Dash registers its component libraries (the JavaScript it may serve) on the first request a
    # process sees. Under gunicorn, a worker whose first requests are several script files at once
    # answered all but one with a 500; so every process registers them now, before it serves.
    # Outside a request the layout is built without data (see _layout), so this reads nothing.
    app._setup_server()
    # After every callback is registered: the policy allows Dash's inline scripts by hash.
    policy = content_security_policy(app.csp_hashes(), settings.frame_ancestor_origins)
    identity = ("Cookie",) if settings.auth_mode == "accounts" else ("Cookie", settings.auth_user_header,
                                                                     settings.auth_role_header)
    register_security_headers(server, policy, production=settings.app_env == "production",
                              shared_prefixes=static, identity_headers=identity)
    register_request_logging(server)
    register_read_scope(server, prefix)
    assets = Path(app.config.assets_folder)
    copies = brotli_copies(assets)
    register_static_compression(
        server, static[:2], max_bytes=settings.static_cache_max_mb * MEGABYTE, precompressed={f"{prefix}assets/": assets},
        copies={static[0]: copies, f"{prefix}assets/": {n.removeprefix("assets/"): p for n, p in copies.items()}},
    )
    register_response_compression(server)
    # Work each serving process does once before its first request (gunicorn.conf.py's
    # post_worker_init, and `python app.py`), kept out of the import.
    server.extensions["warm_up"] = [app.parse_stylesheets, load_scipy_stats]
    return app


def _layout(app: Dash, query_cache):
    """The page shell with its data, and the page it was fetched for already drawn; without data
    outside a request (Dash's own start-up check); a readable notice instead if the database
    cannot be reached."""
    if not has_request_context():
        return layout.shell(app.get_relative_path, _NoData())
    return safe_layout(lambda: layout.first_visit_shell(app, query_cache, request.referrer, request.host),
                       app.get_relative_path("/"))


class _NoData:
    """Stands in for the query cache while building the validation layout (no database)."""

    def get(self, function, *args, **kwargs):
        return []


def _wait_sentence(server: Flask) -> str:
    """How long the client refused by a rate limit should wait, in words."""
    limiter = server.extensions.get("rate_limiter")
    breached = [limit for limit in (limiter.current_limits if limiter else []) if limit.breached]
    seconds = max((limit.reset_at - time.time() for limit in breached), default=60)
    return f"Please try again in {max(1, math.ceil(seconds / 60))} minute{'s' if seconds > 60 else ''}."


def _register_error_handlers(server: Flask, prefix: str) -> None:
    """Errors never show a traceback; API paths answer in JSON."""

    def handler(status: int, message: str, explained: bool = False):
        def respond(error):
            # A refusal the client can act on says why (werkzeug escapes nothing: we do).
            detail = getattr(error, "description", "") if explained else ""
            if request.path.startswith(f"{prefix}api/"):
                return api_error_response(status, f"{message}: {detail}" if detail else message)
            reason = f"<p>{escape(detail)}</p>" if detail else ""
            if status == 429:
                reason = f"<p>{_wait_sentence(server)} The limit for one client is {escape(detail)}.</p>"
            return page(prefix, message, f"<h1 class='h2'>{message}</h1>{reason}"), status

        return respond

    server.register_error_handler(400, handler(400, "Bad request", explained=True))
    server.register_error_handler(403, handler(403, "Only signed-in partners or administrators may see this"))
    server.register_error_handler(404, handler(404, "Not found"))
    server.register_error_handler(405, handler(405, "Method not allowed"))
    server.register_error_handler(413, handler(413, "Request too large", explained=True))
    server.register_error_handler(429, handler(429, "Too many requests", explained=True))
    server.register_error_handler(500, handler(500, "Something went wrong; the error has been logged"))

    def form_refused(error):
        return page(prefix, "Form not accepted", "<h1 class='h2'>The form was not accepted</h1><p>It may have been "
                    "open since before you signed in or out, or it was sent from another site. Go back, reload the "
                    f"page and send it again.</p><p class='text-secondary small'>{escape(error.description)}</p>"), 400

    server.register_error_handler(CSRFError, form_refused)
    # Dash raises this for a component-suite path it does not serve (``..%2F`` and the like).
    server.register_error_handler(DependencyException, handler(404, "Not found"))


app = create_app()
server = app.server

def _demo_progress_bar(months: int):
    """A one-line terminal progress bar for the demo set a first start writes."""
    import sys

    done = 0

    def update(step: int) -> None:
        nonlocal done
        done += step
        filled = round(30 * done / months)
        sys.stderr.write(f"\rWriting the synthetic demo set (once): [{'#' * filled}{' ' * (30 - filled)}] "
                         f"{done}/{months} months")
        sys.stderr.write("\n" if done >= months else "")
        sys.stderr.flush()

    update(0)
    return update


if __name__ == "__main__":
    from queries.bootstrap import bootstrap

    configure_json_logging(logging.INFO)
    # The web engine never creates a missing SQLite file; the first start's engine may.
    bootstrap(make_engine(server.extensions["settings"].database_url), demo=os.environ.get("DEMO_ON_EMPTY", "true").lower() != "false",
              demo_progress=_demo_progress_bar)
    for warm in server.extensions["warm_up"]:
        warm()
    import gc

    gc.freeze()  # as gunicorn.conf.py does: long-lived objects out of the collector's way
    gc.set_threshold(10_000, 10, 10)  # and collections less often
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")))
