"""When the database is down or too slow: a readable 503, never a traceback or a blank page.

Pages get a plain page saying the figures are unavailable for now; the API and Dash's
callbacks get a JSON 503; every one carries ``Retry-After``. The page layout itself, which
Dash fetches after the page, is replaced by the same message (see ``safe_layout``), so a
browser never shows Dash's bare "Error loading layout".
"""

from __future__ import annotations

import logging

from dash import html
from flask import Flask, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import InternalServerError

from queries.db import is_missing_schema

RETRY_AFTER_SECONDS = 30
TITLE = "The figures are unavailable for a moment"
MESSAGE = ("The dashboard cannot reach its database just now, so it cannot show any figures. "
           "Nothing is lost: try again in a minute or two. If this persists, tell the dashboard's administrators.")
NO_SCHEMA_MESSAGE = ("The dashboard's database holds no figures: it is empty or not yet set up. "
                     "Its administrators need to restore it or set it up (flask --app app init-db).")
# A connection refused or timed out, a statement cancelled by its timeout, no pooled connection free.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
log = logging.getLogger(__name__)


def unavailable_layout(home_href: str, message: str = MESSAGE) -> html.Main:
    """The page's layout when its figures cannot be read."""
    return html.Main(id="main", className="container-xl py-4", children=[
        html.H1(TITLE, className="h2"),
        html.P(message),
        html.P(html.A("Try again", href=home_href, className="btn btn-primary")),
    ])


def safe_layout(build, home_href: str):
    """``build()``, or the unavailable layout if the database fails (or has no tables) while
    building it."""
    try:
        return build()
    except (*DATABASE_UNAVAILABLE, ProgrammingError) as error:
        missing = is_missing_schema(error)
        if isinstance(error, ProgrammingError) and not missing:
            raise
        log.warning("layout served without data: database unavailable", exc_info=True)
        return unavailable_layout(home_href, NO_SCHEMA_MESSAGE if missing else MESSAGE)


def register_unavailable_handler(server: Flask, prefix: str, page) -> None:
    """503 with Retry-After for any request the database fails, shaped for who asked; an
    empty database (no tables) says so rather than answering 500."""

    def respond(error):
        missing = is_missing_schema(error)
        log.warning("database unavailable", extra={"fields": {"path": request.path, "error": type(error).__name__,
                                                               "missing_schema": missing}})
        message = NO_SCHEMA_MESSAGE if missing else MESSAGE
        local = request.path[len(prefix) - 1:] if request.path.startswith(prefix) else request.path
        if local.startswith(("/api/", "/_dash-")):
            short = "the database holds no figures (not set up)" if missing else "the database is unavailable"
            response = jsonify(error={"status": 503, "message": f"{short}; try again shortly"})
        else:
            response = server.response_class(page(prefix, TITLE, f"<h1 class='h2'>{TITLE}</h1><p>{message}</p>"
                                                  f"<p><a class='btn btn-primary' href='{prefix}'>Try again</a></p>"),
                                             mimetype="text/html")
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    def respond_programming(error):
        if is_missing_schema(error):
            return respond(error)
        log.error("database error", exc_info=error)
        return server.handle_http_exception(InternalServerError(original_exception=error))

    for error in DATABASE_UNAVAILABLE:
        server.register_error_handler(error, respond)
    server.register_error_handler(ProgrammingError, respond_programming)
