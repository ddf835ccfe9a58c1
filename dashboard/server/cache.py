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

import dataclasses
import gc
import hashlib
import logging
import pickle
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import pandas as pd
from flask import Flask
from flask_caching.backends import RedisCache
from sqlalchemy import Engine, select

from queries import shared_reads
from queries.schema import data_version

log = logging.getLogger(__name__)
MEGABYTE = 1024 * 1024


def result_bytes(value) -> int:
    """The memory a cached result holds: every object reachable from it, counted once.

    pandas' own deep count left out each frame's blocks, index, dtypes and bookkeeping (about
    40 kB a frame, more than the data of a small one), and pickled sizes leave out Python's
    per-object overhead; both made the byte limit hold two to six times what it said. Object
    arrays (strings) are measured from a sample of their items when large. Unpicklable
    values are never stored, since Redis could not hold them either.
    """
    if not isinstance(value, pd.DataFrame | dict) and not _surely_picklable(value):
        try:
            pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return 1 << 62
    return deep_size(value)


def _surely_picklable(value) -> bool:
    """Whether ``value`` pickles, known without pickling it: frames, indexes, arrays of
    numbers, plain values, and tuples or lists of them, or a dataclass of a module's own
    holding only these (a hotspot analysis: pickling it only to find out cost more than
    sizing it)."""
    if isinstance(value, pd.DataFrame | pd.Index) or type(value) in _LEAVES:
        return True
    if isinstance(value, np.ndarray):
        return value.dtype != object
    if type(value) in (tuple, list):
        return all(_surely_picklable(item) for item in value)
    kind = type(value)
    if dataclasses.is_dataclass(value) and "<locals>" not in kind.__qualname__ and \
            getattr(sys.modules.get(kind.__module__), kind.__qualname__, None) is kind:
        return all(_surely_picklable(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


_SHARED = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
_SAMPLE = 256  # items sized per large object array: the mean string size is steady well before this
# Objects that reference nothing gc would follow: their size is all there is. Sized directly,
# without a walk (most of what a large result holds is these, and walking each one cost more
# than the query that made the result).
_LEAVES = frozenset({str, int, float, bool, bytes, type(None), complex})


def deep_size(value) -> int:
    """Bytes of ``value`` and everything it references, each object once (``sys.getsizeof``),
    leaving out classes, modules and functions, which the result shares with the program."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        if type(item) in _LEAVES:
            seen.add(id(item))
            total += sys.getsizeof(item)
            continue
        if isinstance(item, _SHARED):
            continue
        seen.add(id(item))
        # pandas objects report their data as their own size; it is counted where it lives.
        # A numpy array counts its data only when it owns it.
        total += object.__sizeof__(item) if type(item).__module__.startswith("pandas") else sys.getsizeof(item)
        if isinstance(item, np.ndarray):
            if item.base is not None:
                stack.append(item.base)
            if item.dtype == object:
                total += _object_items_bytes(item, seen)
        else:
            stack.extend(gc.get_referents(item))
    return total


def _object_items_bytes(array: np.ndarray, seen: set[int]) -> int:
    """The Python objects an object array points to (numpy keeps them out of gc's sight)."""
    items = array.ravel()
    if len(items) > _SAMPLE:
        sample = items[:: len(items) // _SAMPLE]
        if set(map(type, sample)) <= _LEAVES:  # strings and numbers, mostly: sized in one pass
            sizes = sum(map(sys.getsizeof, sample))
        else:
            sizes = sum(sys.getsizeof(x) if type(x) in _LEAVES else deep_size(x) for x in sample)
        return int(sizes * len(items) / len(sample))
    total = 0
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            total += sys.getsizeof(item) if type(item) in _LEAVES else deep_size(item)
    return total


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
        version = self.data_version()
        shared_reads.at_version(version)  # a result cached under this version is never read before it
        key = f"v{version}:" + hashlib.sha256(signature.encode()).hexdigest()
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
