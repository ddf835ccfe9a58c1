"""Sign-in throttling: at most a few password checks per account and address in a window.

Every attempt is counted before its password is checked, atomically (Redis INCR when
CACHE_REDIS_URL is set, else an upsert in the database), so parallel attempts cannot slip
past the limit and every worker shares the count. Three counters apply: one account from
one address (``PER_PAIR``), one account from anywhere (``PER_ACCOUNT``: slow guessing from
many addresses) and one address for any account (``PER_ADDRESS``: spraying many accounts).
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from queries.sign_in_attempts import count_attempt, forget_attempts, uncount_attempt

WINDOW_SECONDS = 15 * 60
PER_PAIR = 5
PER_ACCOUNT = 20
PER_ADDRESS = 20
log = logging.getLogger(__name__)


class SignInThrottle:
    def __init__(self, engine: Engine, redis_url: str | None = None, window: float = WINDOW_SECONDS):
        self.engine = engine
        self.window = window
        self.prefix = "csd-signin:"  # Redis keys
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)

    @staticmethod
    def _keys(account: str, address: str) -> dict[str, str]:
        return {"pair": f"pair:{account}|{address}", "account": f"account:{account}", "address": f"address:{address}"}

    def allow(self, account: str, address: str) -> bool:
        """Count an attempt; whether its password may be checked."""
        keys = self._keys(account, address)
        counts = {name: self._count(key) for name, key in keys.items()}
        return counts["pair"] <= PER_PAIR and counts["account"] <= PER_ACCOUNT and counts["address"] <= PER_ADDRESS

    def succeeded(self, account: str, address: str) -> None:
        """A right password: clear the account's counts and give the address its attempt back."""
        keys = self._keys(account, address)
        if self.redis is not None:
            try:
                self.redis.delete(f"{self.prefix}{keys['pair']}", f"{self.prefix}{keys['account']}")
                self.redis.decr(f"{self.prefix}{keys['address']}")
                return
            except Exception:
                log.warning("Redis unavailable for sign-in counts; using the database", exc_info=True)
        forget_attempts(self.engine, [keys["pair"], keys["account"]])
        uncount_attempt(self.engine, keys["address"])

    def _count(self, key: str) -> int:
        if self.redis is not None:
            try:
                pipe = self.redis.pipeline(transaction=True)
                pipe.set(f"{self.prefix}{key}", 0, ex=int(self.window), nx=True)
                pipe.incr(f"{self.prefix}{key}")
                return int(pipe.execute()[1])
            except Exception:
                log.warning("Redis unavailable for sign-in counts; using the database", exc_info=True)
        return count_attempt(self.engine, key, self.window)
