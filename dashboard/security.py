"""Security headers on every response: a Content-Security-Policy with no outside origin
and no 'unsafe-eval', framing only by configured origins, and no sniffing or referrer leaks.

Dash's inline scripts are allowed by their hashes (``app.csp_hashes()``), so nothing inline
that an attacker injects could run. Styles need 'unsafe-inline': Dash, its components and
plotly.js set styles at run time. MapLibre starts its workers from blob: URLs.
"""

from __future__ import annotations

from flask import Flask


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


def register_security_headers(server: Flask, policy: str) -> None:
    @server.after_request
    def add_headers(response):
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        # frame-ancestors decides who may frame the app; X-Frame-Options would override it.
        response.headers.pop("X-Frame-Options", None)
        return response
