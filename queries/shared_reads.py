"""Monthly counts read once per request and sliced for the narrower asks of the same request.

A page asks for the same areas' counts several times over nested periods: the trend, the
comparison of its last months, the force alone for its note, Oxford alone for its lead. Within a
scope (the server opens one per request), a read whose areas and months lie inside an earlier
read's, with the same crime types and options, is answered from that read: its rows for those
areas and months, which are exactly the rows the narrower query would return (one per loaded
month, area and crime type, sorted the same way). Outside a scope every ask is a query.

The scope lives in a context variable, so threads that do not inherit it (a pool) simply read
the database; at most ``MAX_READS`` results are kept per scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

import pandas as pd

MAX_READS = 64
_VERSION = "data version"  # the scope's entry naming the version its reads were made at
_ONCE = "small reads"  # the scope's entry holding ``once``'s values
_reads: ContextVar[dict | None] = ContextVar("shared_monthly_reads", default=None)


def open_scope() -> Token:
    return _reads.set({})


def close_scope(token: Token) -> None:
    try:
        _reads.reset(token)
    except ValueError:  # closed from another context than it was opened in: end it there
        _reads.set(None)


@contextmanager
def shared() -> Iterator[None]:
    token = open_scope()
    try:
        yield
    finally:
        close_scope(token)


def at_version(version: int) -> None:
    """The data version the caller is about to read and cache under: reads kept from an
    earlier version are forgotten, so counts read before an import that committed during this
    request never answer an ask made, and cached, under the version after it."""
    reads = _reads.get()
    if reads is not None and reads.get(_VERSION) != version:
        reads.clear()
        reads[_VERSION] = version


def read_or_slice(key: tuple, codes: list[str], first: str, last: str,
                  read: Callable[[], pd.DataFrame], empty: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``read()`` (the rows of ``codes`` between months ``first`` and ``last``), or, inside a
    scope, the same rows of an earlier read with the same ``key`` that covers them."""
    reads = _reads.get()
    if reads is None:
        return read()
    wanted = set(codes)
    for covered, start, end, frame in reads.get(key, ()):
        if wanted <= covered and start <= first and last <= end:
            rows = frame[frame["area_code"].isin(wanted) & frame["month"].between(first, last)]
            return rows.reset_index(drop=True) if len(rows) else empty()
    frame = read()
    if sum(len(kept) for name, kept in reads.items() if name not in (_VERSION, _ONCE)) < MAX_READS:
        reads.setdefault(key, []).append((frozenset(codes), first, last, frame))
    return frame.copy(deep=False)  # the caller's own object: the kept one is never changed


def once(key: tuple, read: Callable[[], object]) -> object:
    """``read()``, or inside a scope what an earlier call with the same ``key`` returned: for
    a small read a request makes several times over (the population estimates each table of
    rates looks up). The value is shared: callers only read it."""
    reads = _reads.get()
    if reads is None:
        return read()
    kept = reads.setdefault(_ONCE, {})
    if key not in kept:
        kept[key] = read()
    return kept[key]
