"""``/health``: is the database reachable, and what is the latest month of data."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from queries.counts import latest_month


def health_status(engine: Engine):
    try:
        latest = latest_month(engine)
    except SQLAlchemyError:
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok", latest_month=latest)
