"""Who is asking: the public, a partner or an administrator.

Two ways to sign in, chosen by AUTH_MODE: accounts kept by the app (a form; passwords
hashed with scrypt; sign-in attempts throttled per address and per account from it; sessions kept on
the server, checked on every request and ended by signing out, deleting the account or
changing its role or password), or a trusted header set by the council's single-sign-on
proxy, believed only from the addresses in TRUSTED_PROXIES. Everything else is the public role.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape

from flask import Flask, abort, g, redirect, request, session
from sqlalchemy.exc import SQLAlchemyError

from dashboard.chart_data.spec import Audience, Reader
from dashboard.server.clients import client_address, is_trusted, parse_trusted
from dashboard.server.csrf import csrf_token, new_csrf_token
from dashboard.server.settings import current_settings, peer_settings
from dashboard.server.throttle import SignInThrottle
from queries import partnership
from queries.accounts import authenticate
from queries.sessions import end_session, session_account, start_session

PUBLIC, PARTNER, ADMIN = "public", "partner", "admin"
RANK = {PUBLIC: 0, PARTNER: 1, ADMIN: 2}
security_log = logging.getLogger("dashboard.security")
log = logging.getLogger(__name__)


def current_role() -> str:
    """The role of the request being served (public outside a request)."""
    try:
        return g.get("role", PUBLIC)
    except RuntimeError:  # no application context: a command-line task
        return PUBLIC


def current_user() -> str | None:
    try:
        return g.get("user")
    except RuntimeError:
        return None


def at_least(role: str) -> bool:
    return RANK[current_role()] >= RANK[role]


def request_audience() -> Audience:
    """The audience the chart layer shapes figures for, from the request's role."""
    settings = current_settings()
    return Audience(partner=at_least(PARTNER), suppression_threshold=settings.suppression_threshold,
                    hotspot_months=settings.public_hotspot_months, hotspot_baseline=settings.public_hotspot_baseline)


def request_reader(query_cache) -> Reader:
    """Cached queries read for the request's audience and the partnership's peer settings."""
    return Reader(query_cache, request_audience(), peer_settings(current_settings()))


def require(role: str) -> None:
    if not at_least(role):
        abort(403)


def register_auth(server: Flask, engine, settings, throttle: SignInThrottle) -> None:
    prefix = settings.url_prefix
    trusted = parse_trusted(settings.trusted_proxies)
    server.permanent_session_lifetime = timedelta(hours=settings.session_hours)
    server.extensions["trusted_proxies"] = trusted
    # Static files are the same for every role: they never wait on the session table.
    static = (f"{prefix}_dash-component-suites/", f"{prefix}assets/", f"{prefix}_favicon")

    @server.before_request
    def identify():
        g.role, g.user = PUBLIC, None
        if request.path.startswith(static):
            return  # read before the session is, so these replies do not vary by cookie
        g.client_address = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), trusted)
        if settings.auth_mode == "header":
            if is_trusted(request.remote_addr, trusted):
                user = request.headers.get(settings.auth_user_header, "").strip()
                role = request.headers.get(settings.auth_role_header, "").strip().lower()
                if user and role in (PARTNER, ADMIN):
                    g.role, g.user = role, user
            return
        token = session.get("sid")
        if not token:
            if "user" in session:  # a cookie from before sessions were kept on the server
                session.clear()
            return
        try:
            account = session_account(engine, token)
        except SQLAlchemyError:
            # Unverifiable: serve as the public. Anything needing data fails on its own with a 503.
            log.warning("session check failed: database unavailable")
            return
        if account is None:  # signed out, expired, account deleted or changed
            session.clear()
            return
        g.user, g.role = account

    @server.route(f"{prefix}login", methods=["GET", "POST"])
    def login():
        if settings.auth_mode != "accounts":
            abort(404)
        message = ""
        if request.method == "POST":  # its token was checked before this view (dashboard.server.csrf)
            username = request.form.get("username", "")[:80]
            address = g.client_address
            if not throttle.allow(username, address):
                message = "Too many failed attempts. Try again in 15 minutes."
                _security_event("sign-in refused: too many attempts", username, address)
            else:
                role = authenticate(engine, username, request.form.get("password", ""))
                if role:
                    throttle.succeeded(username, address)
                    token = start_session(engine, username, settings.session_hours * 3600)
                    session.clear()
                    session.permanent = True
                    # The sign-out form's token is made now: made later, during the page load, it
                    # raced parallel requests that wrote back the cookie without it.
                    session["sid"] = token
                    new_csrf_token()
                    security_log.info("signed in", extra={"fields": {
                        "event": "sign_in", "account": username, "address": address}})
                    return redirect(prefix)
                message = "That username and password do not match an account."
                _security_event("sign-in failed: wrong username or password", username, address)
        return _login_page(prefix, csrf_token(), message), (401 if message else 200)

    @server.post(f"{prefix}logout")
    def logout():
        end_session(engine, session.get("sid"))
        session.clear()
        return redirect(prefix)


def _security_event(message: str, account: str, address: str) -> None:
    """One JSON log line a security monitor can alert on (see dashboard.server.serving.JsonFormatter)."""
    security_log.warning(message, extra={"fields": {"event": "sign_in_failed", "account": account[:80],
                                                    "address": address}})


def page(prefix: str, title: str, body: str) -> str:
    """A plain server page in the dashboard's style (no scripts, so the CSP needs no hash)."""
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>
<link rel="icon" href="{prefix}_favicon.ico">
<link rel="stylesheet" href="{prefix}assets/00-bootstrap.min.css"><link rel="stylesheet" href="{prefix}assets/dashboard.css">
</head><body><header><nav class="navbar navbar-dark bg-dark mb-4" aria-label="Main"><div class="container-xl">
<a class="navbar-brand" href="{prefix}">{escape(partnership.current().home_name)} community safety</a></div></nav></header>
<main id="main" class="container-xl">{body}</main></body></html>"""


def _login_page(prefix: str, token: str, message: str) -> str:
    alert = f'<div class="alert alert-danger" role="alert">{escape(message)}</div>' if message else ""
    return page(prefix, "Partner sign-in", f"""<h1 class="h2">Partner sign-in</h1>
<p>Partners see exact figures and partner series; the public view withholds small numbers.</p>{alert}
<form method="post" action="{prefix}login" class="card card-body" style="max-width: 28rem">
<input type="hidden" name="csrf" value="{escape(token)}">
<div class="mb-3"><label class="form-label" for="username">Username</label>
<input class="form-control" id="username" name="username" autocomplete="username" required></div>
<div class="mb-3"><label class="form-label" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password" autocomplete="current-password" required></div>
<button class="btn btn-primary" type="submit">Sign in</button></form>""")
