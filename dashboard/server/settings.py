"""Configuration, read from environment variables (documented in README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dashboard.chart_data.spec import PeerSettings
from queries import partnership as partnership_module
from queries.db import PROJECT_ROOT, database_url
from queries.harm_index import HarmWeightsError, read_weights
from queries.importers.files import DEFAULT_MAX_BYTES
from queries.peers import PeerGroupFileError, parse_group_codes, peer_variables

DEVELOPMENT_SECRET = "development-only-secret-change-me"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name) or default


def _prefix(value: str | None) -> str:
    """'/community-safety/' from 'community-safety', '/community-safety' or '/community-safety/'."""
    value = (value or "").strip().strip("/")
    return f"/{value}/" if value else "/"


@dataclass
class Settings:
    database_url: str = field(default_factory=database_url)
    # A PostgreSQL read replica: figures, pages, downloads and the API read there; imports,
    # recording and sign-in read and write the primary (DATABASE_URL).
    database_replica_url: str | None = field(default_factory=lambda: _env("DATABASE_REPLICA_URL"))
    # "production" refuses a missing or default secret; gunicorn.conf.py sets it.
    app_env: str = field(default_factory=lambda: _env("APP_ENV", "development"))
    secret_key: str = field(default_factory=lambda: _env("SECRET_KEY", DEVELOPMENT_SECRET))
    cache_redis_url: str | None = field(default_factory=lambda: _env("CACHE_REDIS_URL"))
    cache_timeout: int = field(default_factory=lambda: int(_env("CACHE_TIMEOUT", "3600")))
    # Origins allowed to show the dashboard in an iframe (space-separated), besides itself.
    frame_ancestors: str = field(default_factory=lambda: _env("FRAME_ANCESTORS", ""))
    # Where the app lives behind a reverse proxy, e.g. /community-safety/.
    url_prefix: str = field(default_factory=lambda: _prefix(_env("URL_PREFIX")))
    # A .pmtiles file (raster or vector) drawn under the hotspot map, served by the app itself.
    map_pmtiles: str | None = field(default_factory=lambda: _env("MAP_PMTILES"))
    # "accounts": partners sign in with accounts kept here; "header": a single-sign-on proxy
    # sets the user and role headers, honoured only from TRUSTED_PROXIES.
    auth_mode: str = field(default_factory=lambda: _env("AUTH_MODE", "accounts"))
    trusted_proxies: str = field(default_factory=lambda: _env("TRUSTED_PROXIES", ""))
    auth_user_header: str = field(default_factory=lambda: _env("AUTH_USER_HEADER", "X-Remote-User"))
    auth_role_header: str = field(default_factory=lambda: _env("AUTH_ROLE_HEADER", "X-Remote-Role"))
    session_hours: int = field(default_factory=lambda: int(_env("SESSION_HOURS", "8")))
    # Counts of sensitive series from 1 to this are shown to the public as "fewer than N+1".
    suppression_threshold: int = field(default_factory=lambda: int(_env("SUPPRESSION_THRESHOLD", "4")))
    # The largest a file may be once unpacked (gzip, zip), for uploads and import commands.
    import_max_bytes: int = field(default_factory=lambda: int(_env("IMPORT_MAX_BYTES", str(DEFAULT_MAX_BYTES))))
    # Limits (seconds) that keep a hung or unreachable database from holding every thread.
    db_connect_timeout: float = field(default_factory=lambda: float(_env("DB_CONNECT_TIMEOUT", "5")))
    db_statement_timeout: float = field(default_factory=lambda: float(_env("DB_STATEMENT_TIMEOUT", "20")))
    db_pool_timeout: float = field(default_factory=lambda: float(_env("DB_POOL_TIMEOUT", "10")))
    health_timeout: float = field(default_factory=lambda: float(_env("HEALTH_TIMEOUT", "3")))
    # A pooled PostgreSQL connection must answer a ping within this before use; after a stall
    # the database is not asked again for DB_RETRY_SECONDS (requests get a 503 at once).
    db_ping_timeout: float = field(default_factory=lambda: float(_env("DB_PING_TIMEOUT", "2")))
    db_retry_seconds: float = field(default_factory=lambda: float(_env("DB_RETRY_SECONDS", "5")))
    # Redis's socket limit, and how long it is skipped (results read from the database) after a failure.
    redis_timeout: float = field(default_factory=lambda: float(_env("REDIS_TIMEOUT", "1")))
    redis_retry_seconds: float = field(default_factory=lambda: float(_env("REDIS_RETRY_SECONDS", "30")))
    # Memory a worker may spend on cached query results and on gzipped static files.
    cache_max_mb: int = field(default_factory=lambda: int(_env("CACHE_MAX_MB", "128")))
    cache_item_max_mb: int = field(default_factory=lambda: int(_env("CACHE_ITEM_MAX_MB", "16")))
    static_cache_max_mb: int = field(default_factory=lambda: int(_env("STATIC_CACHE_MAX_MB", "32")))
    # Uploads awaiting confirmation: a private folder shared by the workers, and their lifetime.
    upload_dir: str = field(default_factory=lambda: _env("UPLOAD_DIR", str(PROJECT_ROOT / "instance" / "uploads")))
    upload_expiry_minutes: int = field(default_factory=lambda: int(_env("UPLOAD_EXPIRY_MINUTES", "60")))
    # The most a public (signed-out) hotspot request may ask for, in months.
    public_hotspot_months: int = field(default_factory=lambda: int(_env("PUBLIC_HOTSPOT_MONTHS", "12")))
    public_hotspot_baseline: int = field(default_factory=lambda: int(_env("PUBLIC_HOTSPOT_BASELINE", "24")))
    # Peers (/peers): the partnership's own group of districts (comma-separated area codes;
    # empty: the PEER_COUNT nearest districts computed from the shipped peer variables), and
    # an official group exported by an analyst as a CSV file with a 'code' column.
    peer_group: str = field(default_factory=lambda: _env("PEER_GROUP", ""))
    peer_count: int = field(default_factory=lambda: int(_env("PEER_COUNT", "10")))
    official_peer_group_file: str | None = field(default_factory=lambda: _env("OFFICIAL_PEER_GROUP_FILE"))
    # The estimated harm index: a CSV mapping police.uk categories to ONS offences and weights.
    harm_weights_file: str | None = field(default_factory=lambda: _env("HARM_WEIGHTS_FILE"))
    # The largest request body accepted, in kB (upload forms have their own, larger limits).
    max_request_kb: int = field(default_factory=lambda: int(_env("MAX_REQUEST_KB", "1024")))
    # Requests per client (an address, or a signed-in account) for the costly answers: the PDF
    # and zip packs and board report ("documents"), and CSV downloads and the API ("data").
    # Shared by every worker through Redis (RATE_LIMIT_STORAGE_URL, else CACHE_REDIS_URL).
    rate_limit_documents: str = field(default_factory=lambda: _env("RATE_LIMIT_DOCUMENTS", "6 per minute; 40 per hour"))
    rate_limit_documents_partner: str = field(default_factory=lambda: _env("RATE_LIMIT_DOCUMENTS_PARTNER", "30 per minute"))
    rate_limit_data: str = field(default_factory=lambda: _env("RATE_LIMIT_DATA", "60 per minute"))
    rate_limit_data_partner: str = field(default_factory=lambda: _env("RATE_LIMIT_DATA_PARTNER", "600 per minute"))
    # How many PDF or zip documents one worker builds at once; more get a 503 and Retry-After.
    document_builds: int = field(default_factory=lambda: int(_env("DOCUMENT_BUILDS", "2")))
    rate_limit_storage_url: str | None = field(default_factory=lambda: _env("RATE_LIMIT_STORAGE_URL"))
    rate_limit_enabled: bool = field(default_factory=lambda: _env("RATE_LIMIT_ENABLED", "true").lower() != "false")
    # The most interventions and targets that may be stored (each): partners' files and forms
    # are refused past it, so no public page or API call evaluates an unbounded list.
    max_interventions: int = field(default_factory=lambda: int(_env("MAX_INTERVENTIONS", "500")))
    max_targets: int = field(default_factory=lambda: int(_env("MAX_TARGETS", "500")))
    # How long a worker trusts its last reading of the data version before asking again.
    data_version_ttl: float = 2.0
    # The partnership served: its name, its home area and the areas it is compared with (ONS
    # codes, space- or comma-separated; by default the home area's county and force).
    partnership_name: str | None = field(default_factory=lambda: _env("PARTNERSHIP_NAME"))
    home_area: str | None = field(default_factory=lambda: _env("HOME_AREA"))
    compare_areas: str | tuple[str, ...] | None = field(default_factory=lambda: _env("COMPARE_AREAS"))
    # Who records each partner source, for captions: "needle-finds=Cambridge City Council; ...".
    source_owners: str | None = field(default_factory=lambda: _env("SOURCE_OWNERS"))

    @classmethod
    def from_mapping(cls, values: dict | None) -> Settings:
        settings = cls()
        for key, value in (values or {}).items():
            if not hasattr(settings, key):
                raise ValueError(f"unknown setting {key!r}")
            setattr(settings, key, value)
        settings.url_prefix = _prefix(settings.url_prefix)
        return settings

    @property
    def partnership(self) -> partnership_module.Partnership:
        """The partnership these settings describe (a code the geography does not know is refused)."""
        return partnership_module.make(self.partnership_name, self.home_area, self.compare_areas,
                                       self.source_owners)

    def check(self) -> None:
        """Refuse settings that cannot work, and production with a secret anyone can read in the
        source; a partnership whose areas are not known is refused by name."""
        try:
            self.partnership  # noqa: B018 (checked for its error)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from exc
        if self.database_replica_url and not (self.database_replica_url.startswith("postgresql")
                                              and self.database_url.startswith("postgresql")):
            raise RuntimeError("DATABASE_REPLICA_URL needs PostgreSQL for it and for DATABASE_URL "
                               "(SQLite has no replicas)")
        if self.auth_mode not in ("accounts", "header"):
            raise RuntimeError("AUTH_MODE must be 'accounts' or 'header'")
        if self.app_env == "production" and (not self.secret_key or self.secret_key == DEVELOPMENT_SECRET
                                             or len(self.secret_key) < 16):
            raise RuntimeError("SECRET_KEY must be set to a long random value when APP_ENV=production")
        if not 1 <= self.peer_count <= 50:
            raise RuntimeError("PEER_COUNT must be a whole number from 1 to 50")
        try:
            parse_group_codes(self.peer_group, set(peer_variables()["code"]), "PEER_GROUP")
        except PeerGroupFileError as error:
            raise RuntimeError(str(error)) from None
        if self.harm_weights_file:
            try:
                read_weights(self.harm_weights_file)
            except HarmWeightsError as error:
                raise RuntimeError(f"HARM_WEIGHTS_FILE: {error}") from None

    @property
    def frame_ancestor_origins(self) -> list[str]:
        return [origin for origin in self.frame_ancestors.split() if origin]


def peer_settings(settings: Settings) -> PeerSettings:
    """The partnership's peer choices as the chart layer reads them. The home district is the
    partnership's home area (HOME_AREA, else the default partnership's)."""
    home = settings.partnership.home
    group = tuple(dict.fromkeys(c.strip() for c in settings.peer_group.split(",") if c.strip()))
    return PeerSettings(home=home, group=group, count=settings.peer_count,
                        official_file=settings.official_peer_group_file or None,
                        harm_weights_file=settings.harm_weights_file or None)


def current_settings() -> Settings:
    """The running app's settings: the one place views read configuration from."""
    from flask import current_app

    return current_app.extensions["settings"]
