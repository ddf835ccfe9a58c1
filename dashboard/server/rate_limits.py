"""Per-client limits on the answers that cost seconds to build (Flask-Limiter).

Two budgets, each shared by the addresses in it: "documents" (the hotspot pack and the board
report, as PDF or zip) and "data" (CSV downloads and the API). A client is a signed-in
account, or else an address (the proxy-reported one, see dashboard.server.clients); partners get the
larger budgets. Pages, callbacks, static files and /health are never limited. Counts are kept
in Redis when a URL is configured, so every worker shares them; else in each worker's memory.
Going over answers 429 with Retry-After.

A budget per client cannot stop many clients at once, so each worker also builds at most a
few documents at a time (``DocumentSlots``): the rest are answered 503 with Retry-After at
once, and the worker's other threads stay free for pages, static files and /health.
"""

from __future__ import annotations

import functools
import threading

from flask import Flask, g
from flask_limiter import Limiter

from dashboard.server.auth import PARTNER, at_least, current_user, page
from dashboard.server.settings import current_settings

DOCUMENTS = ("downloads.hotspots_pack_pdf", "downloads.hotspots_pack_zip",
             "downloads.board-report_pdf", "downloads.board-report_zip")
DATA_BLUEPRINTS = ("api", "evaluation_api", "incidents_api")
DATA_ENDPOINTS = ("downloads.download",)
UNLIMITED = ("api.openapi", "api.not_found")  # the API's description and its 404: no work behind them


def client_key() -> str:
    user = current_user()
    return f"account:{user}" if user else f"address:{g.get('client_address', '-')}"


def limited_endpoints(server: Flask) -> dict[str, str]:
    """Every endpoint with a budget, and which budget."""
    budgets = {}
    for endpoint in server.view_functions:
        if endpoint in UNLIMITED:
            continue
        if endpoint in DOCUMENTS:
            budgets[endpoint] = "documents"
        elif endpoint in DATA_ENDPOINTS or endpoint.partition(".")[0] in DATA_BLUEPRINTS:
            budgets[endpoint] = "data"
    return budgets


class DocumentSlots:
    """At most ``slots`` documents built at once in this worker; a request finding none free is
    answered 503 with Retry-After at once rather than holding a thread while it waits."""

    RETRY_SECONDS = 30

    def __init__(self, slots: int):
        self._free = threading.BoundedSemaphore(slots)

    def guard(self, view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not self._free.acquire(blocking=False):
                body = page(current_settings().url_prefix, "Busy", "<h1 class='h2'>Busy building other reports</h1>"
                            f"<p>Please try again in {self.RETRY_SECONDS} seconds.</p>")
                return body, 503, {"Retry-After": str(self.RETRY_SECONDS)}
            try:
                return view(*args, **kwargs)
            finally:
                self._free.release()

        return guarded


def register_rate_limits(server: Flask, settings, key_prefix: str = "csd-rate") -> Limiter:
    """Limit the costly endpoints; call after every route is registered and after the hook
    that identifies the client (dashboard.server.auth), which the key reads."""
    storage = settings.rate_limit_storage_url or settings.cache_redis_url or "memory://"
    limiter = Limiter(client_key, app=server, storage_uri=storage, headers_enabled=True, strategy="moving-window",
                      key_prefix=key_prefix, enabled=settings.rate_limit_enabled,
                      # Redis down: count in the worker's memory rather than refuse or fail.
                      in_memory_fallback_enabled=storage != "memory://", swallow_errors=True,
                      # A frozen Redis must cost a limited request a second, not hang it.
                      storage_options={} if storage == "memory://" else {
                          "socket_timeout": settings.redis_timeout, "socket_connect_timeout": settings.redis_timeout})
    budgets = {
        "documents": lambda: settings.rate_limit_documents_partner if at_least(PARTNER) else settings.rate_limit_documents,
        "data": lambda: settings.rate_limit_data_partner if at_least(PARTNER) else settings.rate_limit_data,
    }
    slots = DocumentSlots(settings.document_builds)
    wrapped = {}  # the pack and report share one view function: limit it once
    for endpoint, budget in limited_endpoints(server).items():
        view = server.view_functions[endpoint]
        if view not in wrapped:
            limited = limiter.shared_limit(budgets[budget], scope=budget)(view)
            # A slot first: a request turned away as busy is not counted against its client.
            wrapped[view] = slots.guard(limited) if budget == "documents" else limited
        server.view_functions[endpoint] = wrapped[view]
    # The limits hold the limiter weakly: the app keeps it alive.
    server.extensions["rate_limiter"] = limiter
    return limiter
