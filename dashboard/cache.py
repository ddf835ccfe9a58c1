"""Memoised query results, shared by workers through Redis when it is configured.

Keys include the database's data version, which every import bumps, so an import makes
every cached result stale at once on every worker and host. Results are DataFrames:
callers get a copy, since pandas objects are mutable.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

import pandas as pd
from flask import Flask
from flask_caching import Cache
from sqlalchemy import Engine, select

from queries.schema import data_version

log = logging.getLogger(__name__)


class QueryCache:
    def __init__(self, server: Flask, engine: Engine, redis_url: str | None, timeout: int, version_ttl: float):
        config = {"CACHE_DEFAULT_TIMEOUT": timeout}
        if redis_url:
            config |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "csd:"}
        else:
            config |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
        self.cache = Cache(server, config=config)
        self.engine = engine
        self.version_ttl = version_ttl
        self._version: tuple[float, int] = (0.0, -1)

    def data_version(self) -> int:
        checked_at, version = self._version
        if time.monotonic() - checked_at > self.version_ttl:
            with self.engine.connect() as conn:
                version = conn.execute(select(data_version.c.version).where(data_version.c.id == 1)).scalar() or 0
            self._version = (time.monotonic(), version)
        return version

    def get(self, function: Callable, *args, **kwargs):
        """``function(engine, *args, **kwargs)``, from the cache when it is there."""
        signature = f"{function.__module__}.{function.__qualname__}:{args!r}:{sorted(kwargs.items())!r}"
        key = f"v{self.data_version()}:" + hashlib.sha256(signature.encode()).hexdigest()
        try:
            hit = self.cache.get(key)
        except Exception:  # a cache outage must not take the dashboard down
            log.warning("cache read failed", exc_info=True)
            hit = None
        if hit is None:
            hit = function(self.engine, *args, **kwargs)
            try:
                self.cache.set(key, hit)
            except Exception:
                log.warning("cache write failed", exc_info=True)
        return hit.copy() if isinstance(hit, pd.DataFrame) else hit

