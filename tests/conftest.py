"""Shared fixtures: a fresh database per test on SQLite and, where reachable, PostgreSQL.

Outside CI a missing service or data folder skips the tests that need it, with the reason;
with ``CI=true`` it fails them, so a run cannot pass while quietly testing less.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from queries.bootstrap import init_db
from queries.db import make_engine

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# Tests make hundreds of requests from one address: rate limits are off unless a test turns
# them on (tests/test_abuse_limits.py does). Servers the tests start inherit this.
os.environ.setdefault("RATE_LIMIT_ENABLED", "false")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# Throwaway databases are named with this prefix, so that runs sharing a server keep apart.
POSTGRES_TEST_PREFIX = os.environ.get("TEST_POSTGRES_PREFIX", "csd_test_")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def unavailable(reason: str):
    """Skip a test that needs something this machine lacks; in CI, fail it instead."""
    if in_ci():
        pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
    pytest.skip(reason)


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data, or a skip (a failure in CI) when it is not on this machine."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        unavailable(f"real data not available: {path} (tests on real files run where ../shared/data exists)")
    return path


@pytest.fixture(scope="session")
def postgres_database():
    """A throwaway PostgreSQL database for the session, or a skip (a failure in CI) with the reason."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{POSTGRES_TEST_PREFIX}{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of an empty database: a SQLite file, or a reset PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    url = request.getfixturevalue("postgres_database")
    if {"engine", "built_engine"} & set(request.fixturenames):
        # Those replace the whole database with a copy (DROP and CREATE DATABASE): emptying
        # its schema first, table by table, only cost time.
        return url
    reset = create_engine(url)
    with reset.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    reset.dispose()
    return url


# A database that ``init_db`` has set up is the same for every test; it is built once per
# process and copied (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL), which
# takes a tenth of the time of migrating and loading the shipped data again for each test.
@pytest.fixture(scope="session")
def sqlite_schema_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("schema-template") / "schema.sqlite"
    template = make_engine(f"sqlite:///{path}")
    init_db(template)
    template.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_template(postgres_database) -> str:
    """The name of a PostgreSQL database set up by ``init_db``, to copy; nobody connects to it
    after (CREATE DATABASE refuses a template with open connections)."""
    name = postgres_database.rsplit("/", 1)[1] + "_schema"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    template = make_engine(POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    init_db(template)
    template.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def copy_of_schema_template(request, url: str) -> None:
    """Make the empty database at ``url`` a copy of the set-up template."""
    if url.startswith("sqlite:///"):
        copy_database(url, request.getfixturevalue("sqlite_schema_template"))
    else:
        copy_database(url, request.getfixturevalue("postgres_schema_template"))


def copy_database(url: str, source: str) -> None:
    """Make the database at ``url`` a copy of ``source``: a file copy on SQLite (``source`` a
    file), ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL (``source`` a database's name)."""
    if url.startswith("sqlite:///"):
        shutil.copyfile(source, url.removeprefix("sqlite:///"))
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    admin.dispose()


@pytest.fixture
def engine(request, database_url):
    """An engine on a fresh database holding the schema, areas, population and published figures."""
    copy_of_schema_template(request, database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def built_databases(tmp_path_factory):
    """Databases set up once per process for ``built_engine`` (SQLite file or PostgreSQL
    database), dropped at the end."""
    built: dict[tuple[str, str], str] = {}
    yield built
    names = [name for (backend, _key), name in built.items() if backend == "postgresql"]
    if names:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _built(request, backend: str, key: str, build) -> str:
    """The SQLite file or PostgreSQL database that ``build`` set up from the schema template
    for ``key``, built on first use in this process."""
    built = request.getfixturevalue("built_databases")
    if (backend, key) not in built:
        if backend == "sqlite":
            path = request.getfixturevalue("tmp_path_factory").mktemp("built") / "built.sqlite"
            shutil.copyfile(request.getfixturevalue("sqlite_schema_template"), path)
            name, url = str(path), f"sqlite:///{path}"
        else:
            name = f"{request.getfixturevalue('postgres_database').rsplit('/', 1)[1]}_built{len(built)}"
            admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{request.getfixturevalue("postgres_schema_template")}"'))
            admin.dispose()
            url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        source = make_engine(url)
        try:
            build(source)
        finally:
            source.dispose()
        built[(backend, key)] = name
    return built[(backend, key)]


@pytest.fixture
def built_engine(request, database_url):
    """``built_engine(key, build)``: an engine on a fresh database (SQLite or PostgreSQL, as
    ``engine``) holding what ``build(engine)`` stores on top of the schema, for the tests of a
    module that each import the same files before asking different questions of them. The
    build runs once per process, key and backend; each test gets a copy of its result (a file
    copy, or CREATE DATABASE ... TEMPLATE), so what a test changes stays its own. ``build``
    must depend on nothing but ``key``."""
    engines = []

    def make(key: str, build):
        backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
        copy_database(database_url, _built(request, backend, key, build))
        engines.append(make_engine(database_url))
        return engines[-1]

    yield make
    for each in engines:
        each.dispose()


@pytest.fixture
def sqlite_engine(request, tmp_path):
    """SQLite only, for tests about the app rather than the data layer."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    copy_of_schema_template(request, url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def demo_database(tmp_path_factory, name: str, first: str, last: str, scale: float) -> str:
    """The URL of a SQLite file with the schema, shipped data and a small synthetic demo set,
    for modules whose tests read pages rather than change data."""
    from queries.demo import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.sqlite'}"
    engine = make_engine(url)
    init_db(engine)
    load_demo(engine, first, last, scale=scale)
    engine.dispose()
    return url


def street_rows(path):
    """The rows of a gzipped data.police.uk street file as an import keeps them: the first of
    any repeated Crime ID (ASB rows, which have none, are all kept)."""
    import csv
    import gzip

    seen = set()
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Crime ID"]:
                if row["Crime ID"] in seen:
                    continue
                seen.add(row["Crime ID"])
            yield row


class RedisNamespace:
    """A Redis URL and a key prefix of this test's own, so that runs sharing a database
    never read or delete each other's cached results."""

    def __init__(self, url: str, prefix: str):
        self.url, self.prefix = url, prefix

    def attach(self, app):
        """Point an app's query cache at this test's keys; returns the app."""
        app.server.extensions["query_cache"].cache.cache.key_prefix = self.prefix
        return app

    def keys(self) -> list[bytes]:
        import redis

        with redis.Redis.from_url(self.url) as client:
            return list(client.scan_iter(match=f"{self.prefix}*", count=1000))


@pytest.fixture
def redis_cache():
    """A RedisNamespace, or a skip (a failure in CI) when Redis is not reachable. Only this
    test's keys are deleted afterwards: the database is never flushed."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"Redis is not reachable at {url}: {exc}")
    prefix = f"csd-test-{uuid.uuid4().hex[:12]}:"
    try:
        yield RedisNamespace(url, prefix)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium shared by every browser test of this process (one per xdist worker):
    launching it cost seconds a module on a busy machine. Tests open pages through
    ``browser.new_page`` (tests/browser.py), each in a context of its own: no cookies, storage
    or cache pass from one test to the next."""
    from .browser import chromium

    with chromium() as shared:
        yield shared


def pytest_sessionfinish(session):
    from .browser import stop_playwright_driver

    stop_playwright_driver()


# Seconds a browser test may take, its share of module fixtures included: software WebGL on
# two busy cores is slow, so these get more than pyproject.toml's default for other tests.
BROWSER_TIMEOUT = 600


def pytest_collection_finish(session):
    """Once the tests are collected (every module imported: pandas, plotly, Dash, SQLAlchemy),
    those long-lived objects are set aside from garbage collection (gc.freeze), and young
    objects are collected less often. A full collection walked all half a million of them
    every few seconds of a run: an eighth of the fast tier's time went on collecting. Objects
    are still freed as before (reference counts); cycles among new objects are still found,
    a little later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 10)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(BROWSER_TIMEOUT))
