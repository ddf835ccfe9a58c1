"""Memoised query results, shared by workers through Redis when it is configured.

Keys include the database's data version, which every import bumps, so an import makes
every cached result stale at once on every worker and host. Results are DataFrames:
callers get a copy, since pandas objects are mutable.

Memory is bounded by bytes, not by entries: one force-wide result can weigh as much as a
thousand small ones. Without Redis each worker keeps at most ``max_bytes`` of results,
dropping the least recently used first; a result over ``max_item_bytes`` is served but
never stored (in the worker or in Redis).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd
from flask import Flask
from flask_caching.backends import RedisCache
from sqlalchemy import Engine, select

from queries.schema import data_version

log = logging.getLogger(__name__)
MEGABYTE = 1024 * 1024


def result_bytes(value) -> int:
    """About how much memory a cached result holds (pandas' deep count for frames)."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True, index=True).sum())
    if isinstance(value, dict):
        return sum(result_bytes(v) for v in value.values()) + 64 * len(value)
    try:
        return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):  # unpicklable: never stored
        return 1 << 62


class BytesLRU:
    """An in-process cache bounded by the bytes its values hold, least recently used out first."""

    def __init__(self, max_bytes: int, timeout: float):
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.bytes = 0
        self._entries: OrderedDict[str, tuple[object, int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            value, _size, expires = entry
            if expires < time.monotonic():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (value, size, time.monotonic() + self.timeout)
            self.bytes += size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: str) -> None:
        _value, size, _expires = self._entries.pop(key)
        self.bytes -= size


class RedisResults:
    """Results in Redis under short socket limits, skipped for ``retry_seconds`` after any
    failure (a circuit breaker), so a frozen or lost Redis costs one request at most
    ``socket_seconds`` and the rest are served from the database in their usual time."""

    def __init__(self, url: str, timeout: int, socket_seconds: float, retry_seconds: float):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # redis-py retries a timed-out command three times by default: four waits, not one.
        self.client = redis.Redis.from_url(url, socket_timeout=socket_seconds, socket_connect_timeout=socket_seconds,
                                           retry=Retry(NoBackoff(), 0))
        self.cache = RedisCache(host=self.client, default_timeout=timeout, key_prefix="csd:")
        self.retry_seconds = retry_seconds
        self.open_until = 0.0

    @property
    def skipping(self) -> bool:
        return time.monotonic() < self.open_until

    def get(self, key: str):
        return None if self.skipping else self._call(self.cache.get, key)

    def set(self, key: str, value) -> None:
        if not self.skipping:
            self._call(self.cache.set, key, value)

    def clear(self) -> None:
        self._call(self.cache.clear)

    def status(self) -> str:
        """"ok" or "unreachable", asked of Redis itself (not the breaker), within the socket limit."""
        try:
            self.client.ping()
        except Exception:
            return "unreachable"
        return "ok"

    def _call(self, method, *args):
        try:
            return method(*args)
        except Exception:  # a cache outage must not take the dashboard down
            self.open_until = time.monotonic() + self.retry_seconds
            log.warning("Redis unavailable; serving from the database", exc_info=True,
                        extra={"fields": {"retry_seconds": self.retry_seconds}})
            return None


class QueryCache:
    def __init__(self, server: Flask, engine: Engine, redis_url: str | None, timeout: int, version_ttl: float,
                 max_bytes: int = 128 * MEGABYTE, max_item_bytes: int = 16 * MEGABYTE,
                 redis_seconds: float = 1.0, redis_retry_seconds: float = 30.0):
        if redis_url:
            self.cache = RedisResults(redis_url, timeout, redis_seconds, redis_retry_seconds)
        else:
            self.cache = BytesLRU(max_bytes, timeout)
        self.max_item_bytes = min(max_item_bytes, max_bytes)
        self.engine = engine
        self.version_ttl = version_ttl
        self._version: tuple[float, int] = (0.0, -1)

    def redis_status(self) -> str | None:
        """Redis's state for /health, or None when no Redis is configured."""
        return self.cache.status() if isinstance(self.cache, RedisResults) else None

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
        hit = self.cache.get(key)
        if hit is None:
            hit = function(self.engine, *args, **kwargs)
            self._store(key, hit)
        return hit.copy() if isinstance(hit, pd.DataFrame) else hit

    def _store(self, key: str, value) -> None:
        size = result_bytes(value)
        if size > self.max_item_bytes:
            log.info("result not cached", extra={"fields": {"bytes": size, "limit": self.max_item_bytes}})
            return
        if isinstance(self.cache, BytesLRU):
            self.cache.set(key, value, size)
        else:
            self.cache.set(key, value)

    def clear(self) -> None:
        self.cache.clear()
