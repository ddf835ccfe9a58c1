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
from flask_caching import Cache
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


class QueryCache:
    def __init__(self, server: Flask, engine: Engine, redis_url: str | None, timeout: int, version_ttl: float,
                 max_bytes: int = 128 * MEGABYTE, max_item_bytes: int = 16 * MEGABYTE):
        if redis_url:
            config = {"CACHE_DEFAULT_TIMEOUT": timeout, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                      "CACHE_KEY_PREFIX": "csd:"}
            self.cache = Cache(server, config=config)
        else:
            self.cache = BytesLRU(max_bytes, timeout)
        self.max_item_bytes = min(max_item_bytes, max_bytes)
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
            self._store(key, hit)
        return hit.copy() if isinstance(hit, pd.DataFrame) else hit

    def _store(self, key: str, value) -> None:
        size = result_bytes(value)
        if size > self.max_item_bytes:
            log.info("result not cached", extra={"fields": {"bytes": size, "limit": self.max_item_bytes}})
            return
        try:
            if isinstance(self.cache, BytesLRU):
                self.cache.set(key, value, size)
            else:
                self.cache.set(key, value)
        except Exception:
            log.warning("cache write failed", exc_info=True)

    def clear(self) -> None:
        self.cache.clear()
