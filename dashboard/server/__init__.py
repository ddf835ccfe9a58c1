"""Serving the app safely: settings, security headers, CSRF, request checks and limits, sign-in, caching, health."""
