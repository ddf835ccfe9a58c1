"""Cross-site request forgery: every request that changes something carries a token bound
to the browser's session (Flask-WTF's CSRFProtect), checked before its view runs.

A request with no token, an empty one, or one made for another session is refused with a
400, so a form on another site can neither sign a browser in nor act for a signed-in user.
Dash's callback endpoint is the one exception: it takes JSON only (a cross-site form cannot
send that without the browser asking first) and its callbacks read, never write.
"""

from __future__ import annotations

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect, generate_csrf

FIELD = "csrf"  # the hidden field's name, and where the session keeps the raw token
DASH_CALLBACKS = "dash.dash.dispatch"  # the view behind /_dash-update-component


def register_csrf(server: Flask) -> CSRFProtect:
    server.config.update(
        WTF_CSRF_FIELD_NAME=FIELD,
        # A token lasts as long as its session (8 hours when signed in): a form left open for
        # an hour still submits. Signing in starts a new session and so a new token.
        WTF_CSRF_TIME_LIMIT=None,
    )
    protect = CSRFProtect(server)
    protect.exempt(DASH_CALLBACKS)
    return protect


def csrf_token() -> str:
    """The token for a form of this request's session (made on first use)."""
    return generate_csrf()


def new_csrf_token() -> str:
    """A fresh token after the session was cleared (signing in), so no earlier token works."""
    g.pop(FIELD, None)
    return generate_csrf()
