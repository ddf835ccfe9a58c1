"""Security headers on every response: a Content-Security-Policy with no outside origin
and no 'unsafe-eval', framing only by configured origins, and no sniffing or referrer leaks.

Dash's inline scripts are allowed by their hashes (``app.csp_hashes()``), so nothing inline
that an attacker injects could run. Styles need 'unsafe-inline': Dash, its components and
plotly.js set styles at run time. MapLibre starts its workers from blob: URLs.
"""

from __future__ import annotations

from flask import Flask, request


def content_security_policy(script_hashes: list[str], frame_ancestors: list[str]) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),  # Dash gives them quoted
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "child-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": " ".join(["'self'", *frame_ancestors]),
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


HSTS = "max-age=31536000; includeSubDomains"


def register_security_headers(server: Flask, policy: str, production: bool = False,
                              shared_prefixes: tuple[str, ...] = (), identity_headers: tuple[str, ...] = ("Cookie",)) -> None:
    """``shared_prefixes``: paths whose replies are the same for every role (static files);
    every other reply may depend on who is asking (``identity_headers``: the session cookie,
    or a sign-on proxy's headers), so no shared cache may keep it."""

    @server.after_request
    def add_headers(response):
        if not request.path.startswith(shared_prefixes):
            # A proxy or browser cache must not hand a partner's figures to the public.
            for header in identity_headers:
                response.vary.add(header)
            response.cache_control.private = True
            response.cache_control.public = False
        if production:
            # Production is served over HTTPS only (README, Running in production).
            response.headers["Strict-Transport-Security"] = HSTS
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        # frame-ancestors decides who may frame the app; X-Frame-Options would override it.
        response.headers.pop("X-Frame-Options", None)
        return response
