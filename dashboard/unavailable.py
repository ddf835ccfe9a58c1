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
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

RETRY_AFTER_SECONDS = 30
TITLE = "The figures are unavailable for a moment"
MESSAGE = ("The dashboard cannot reach its database just now, so it cannot show any figures. "
           "Nothing is lost: try again in a minute or two. If this persists, tell the dashboard's administrators.")
# A connection refused or timed out, a statement cancelled by its timeout, no pooled connection free.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
log = logging.getLogger(__name__)


def unavailable_layout(home_href: str) -> html.Main:
    """The page's layout when its figures cannot be read."""
    return html.Main(id="main", className="container-xl py-4", children=[
        html.H1(TITLE, className="h2"),
        html.P(MESSAGE),
        html.P(html.A("Try again", href=home_href, className="btn btn-primary")),
    ])


def safe_layout(build, home_href: str):
    """``build()``, or the unavailable layout if the database fails while building it."""
    try:
        return build()
    except DATABASE_UNAVAILABLE:
        log.warning("layout served without data: database unavailable", exc_info=True)
        return unavailable_layout(home_href)


def register_unavailable_handler(server: Flask, prefix: str, page) -> None:
    """503 with Retry-After for any request the database fails, shaped for who asked."""

    def respond(error):
        log.warning("database unavailable", extra={"fields": {"path": request.path, "error": type(error).__name__}})
        local = request.path[len(prefix) - 1:] if request.path.startswith(prefix) else request.path
        if local.startswith(("/api/", "/_dash-")):
            response = jsonify(error={"status": 503, "message": "the database is unavailable; try again shortly"})
        else:
            response = server.response_class(page(prefix, TITLE, f"<h1 class='h2'>{TITLE}</h1><p>{MESSAGE}</p>"
                                                  f"<p><a class='btn btn-primary' href='{prefix}'>Try again</a></p>"),
                                             mimetype="text/html")
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    for error in DATABASE_UNAVAILABLE:
        server.register_error_handler(error, respond)
