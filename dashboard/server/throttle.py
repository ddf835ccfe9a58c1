"""Sign-in throttling: at most a few password checks per account and address in a window.

Every attempt is counted before its password is checked, atomically (Redis INCR when
CACHE_REDIS_URL is set, else an upsert in the database), so parallel attempts cannot slip
past the limit and every worker shares the count. Two counters apply: one address for any
account (``PER_ADDRESS``: spraying many accounts) and one account from one address
(``PER_PAIR``). No counter spans addresses, so failures elsewhere never lock the real user
out. The address is counted first and an address over its limit adds no more rows, so one
address holds at most ``PER_ADDRESS`` + 1 rows; expired rows are purged every
``purge_every`` seconds (Redis keys expire by themselves).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Engine

from queries.sign_in_attempts import count_attempt, forget_attempts, purge_expired, uncount_attempt

WINDOW_SECONDS = 15 * 60
PURGE_SECONDS = 5 * 60
PER_PAIR = 5
PER_ADDRESS = 20
log = logging.getLogger(__name__)


class SignInThrottle:
    def __init__(self, engine: Engine, redis_url: str | None = None, window: float = WINDOW_SECONDS,
                 purge_every: float = PURGE_SECONDS, clock: Callable[[], float] = time.time,
                 redis_seconds: float = 1.0):
        self.engine = engine
        self.window = window
        self.purge_every = purge_every
        self.clock = clock
        self.next_purge = clock() + purge_every
        self.prefix = "csd-signin:"  # Redis keys
        self.redis = None
        if redis_url:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            # Short limits and no retries: redis-py retries a timed-out command three times,
            # so a frozen Redis held each sign-in for about 8 s before the database took over.
            self.redis = redis.Redis.from_url(redis_url, socket_timeout=redis_seconds,
                                              socket_connect_timeout=redis_seconds, retry=Retry(NoBackoff(), 0))

    @staticmethod
    def _keys(account: str, address: str) -> dict[str, str]:
        return {"pair": f"pair:{account}|{address}", "address": f"address:{address}"}

    def allow(self, account: str, address: str) -> bool:
        """Count an attempt; whether its password may be checked."""
        self._purge_when_due()
        keys = self._keys(account, address)
        if self._count(keys["address"]) > PER_ADDRESS:
            return False  # not counted per account: an address over its limit adds no rows
        return self._count(keys["pair"]) <= PER_PAIR

    def succeeded(self, account: str, address: str) -> None:
        """A right password: clear the pair's count and give the address its attempt back."""
        keys = self._keys(account, address)
        if self.redis is not None:
            try:
                self.redis.delete(f"{self.prefix}{keys['pair']}")
                self.redis.decr(f"{self.prefix}{keys['address']}")
                return
            except Exception:
                log.warning("Redis unavailable for sign-in counts; using the database", exc_info=True)
        forget_attempts(self.engine, [keys["pair"]], self.clock())
        uncount_attempt(self.engine, keys["address"])

    def _purge_when_due(self) -> None:
        now = self.clock()
        if now < self.next_purge:
            return
        self.next_purge = now + self.purge_every
        try:
            purge_expired(self.engine, now)
        except Exception:  # a purge is housekeeping: the sign-in goes on without it
            log.warning("could not purge expired sign-in counts", exc_info=True)

    def _count(self, key: str) -> int:
        if self.redis is not None:
            try:
                pipe = self.redis.pipeline(transaction=True)
                pipe.set(f"{self.prefix}{key}", 0, ex=int(self.window), nx=True)
                pipe.incr(f"{self.prefix}{key}")
                return int(pipe.execute()[1])
            except Exception:
                log.warning("Redis unavailable for sign-in counts; using the database", exc_info=True)
        return count_attempt(self.engine, key, self.window, self.clock())
