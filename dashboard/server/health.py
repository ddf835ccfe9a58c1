"""``/health``: which dependency is down (database, Redis), and the latest month of data.

Each check runs under its own short limit (the health engine's connect and statement
deadlines, Redis's socket timeouts), so the answer comes within seconds whatever hangs.
A database that cannot answer makes it a 503: the instance can serve no figures. Redis lost
alone leaves it serving (figures come from the database, sign-in counts and limits fall back
to the worker), so that is a 200 saying "degraded" and naming Redis: a load balancer reading
only the status keeps the instance in rotation, and monitoring reads ``down``.
"""

from __future__ import annotations

import logging

from flask import jsonify
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from queries.counts import latest_month
from queries.db import is_missing_schema

log = logging.getLogger(__name__)


def database_status(engine: Engine) -> tuple[str, str | None]:
    """("ok", latest month), ("no schema", None) for an empty database, or ("unreachable", None)."""
    try:
        return "ok", latest_month(engine)
    except SQLAlchemyError as error:
        if is_missing_schema(error):
            return "no schema", None
        log.warning("health: database unreachable", extra={"fields": {"error": type(error).__name__}})
        return "unreachable", None


def health_status(engine: Engine, query_cache=None):
    database, latest = database_status(engine)
    body = {"status": "ok", "database": database}
    if database == "ok":
        body["latest_month"] = latest
    elif database == "no schema":
        body["message"] = "the database holds no tables: run `flask --app app init-db` (or restore it)"
    redis = query_cache.redis_status() if query_cache is not None else None
    if redis is not None:
        body["redis"] = redis
    down = [name for name, state in (("database", database), ("redis", redis)) if state not in ("ok", None)]
    if down:
        body["down"] = down
        if "database" in down:
            body["status"] = "error"
            return jsonify(body), 503
        body["status"] = "degraded"
    return jsonify(body)
