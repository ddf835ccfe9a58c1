"""The page drawn by the server into the HTML response, so it paints before any script runs.

Dash sends an empty page and draws everything once its scripts have run and fetched the
layout: on a council laptop (CPU four times slower than this server) about two seconds
after the HTML, before which only "Loading..." shows. The HTML now carries the same layout
written out as static HTML (``static_html``), first chart included as its server-drawn first
frame, in an inert block after Dash's entry point. A rule in ``assets/dashboard.css`` shows
it while Dash's entry point holds only its loading line and hides it the moment Dash's own
copy of the page is there, with no script; plotly then draws over the first frame as before.
Nothing in it can be focused or clicked (``inert``), so the controls are never used before
Dash is ready; screen readers meet the page once Dash has drawn it, as before.
"""

from __future__ import annotations

import logging

from flask import has_request_context, request

from dashboard.site import layout
from dashboard.site.page_view import local_path
from dashboard.site.static_html import Context, to_html

logger = logging.getLogger(__name__)

SERVER_PAGE = "server-page"


def first_paint(app, query_cache) -> str:
    """The page at this request's address as static HTML, or "" outside a request or when it
    cannot be drawn (the page then appears when Dash has drawn it, as it always did)."""
    if not has_request_context():
        return ""
    search = "?" + request.query_string.decode("latin-1") if request.query_string else ""
    try:
        shell = layout.drawn_shell(app, query_cache, request.path, search)
        body = to_html(shell, Context(request.path))
    except Exception:  # noqa: BLE001 - the page still works without it: Dash draws it
        logger.warning("no server-drawn page for %s", local_path(app, request.path), exc_info=True)
        return ""
    return f'<div class="{SERVER_PAGE}" inert>{body}</div>'
