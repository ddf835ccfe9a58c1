"""One scope of shared monthly reads per request that only reads (``queries.shared_reads``):
a page's several asks for nested periods of the same counts are one query.

Requests that may change data (a form, an upload, an import) get no scope, so nothing they
read can have been read before their own change."""

from __future__ import annotations

from flask import Flask, g, request

from queries import shared_reads


def register_read_scope(server: Flask, prefix: str) -> None:
    callbacks = f"{prefix}_dash-update-component"

    @server.before_request
    def open_read_scope():
        if request.method in ("GET", "HEAD") or request.path == callbacks:
            g.read_scope = shared_reads.open_scope()

    @server.teardown_request
    def close_read_scope(_error=None):
        token = g.pop("read_scope", None)
        if token is not None:
            shared_reads.close_scope(token)
