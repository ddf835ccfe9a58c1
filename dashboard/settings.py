"""Configuration, read from environment variables (documented in README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from queries.db import database_url


@dataclass
class Settings:
    database_url: str = field(default_factory=database_url)
    cache_redis_url: str | None = field(default_factory=lambda: os.environ.get("CACHE_REDIS_URL") or None)
    cache_timeout: int = field(default_factory=lambda: int(os.environ.get("CACHE_TIMEOUT", "3600")))
    map_tile_url: str | None = field(default_factory=lambda: os.environ.get("MAP_TILE_URL") or None)
    # How long a worker trusts its last reading of the data version before asking again.
    data_version_ttl: float = 2.0

    @classmethod
    def from_mapping(cls, values: dict | None) -> Settings:
        settings = cls()
        for key, value in (values or {}).items():
            if not hasattr(settings, key):
                raise ValueError(f"unknown setting {key!r}")
            setattr(settings, key, value)
        return settings
