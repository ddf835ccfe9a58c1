"""Shared fixtures: a fresh database per test on SQLite and, where reachable, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from queries.bootstrap import init_db
from queries.db import make_engine

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def shared_file(*parts: str) -> Path:
    """A file from ../shared/data, or a skip when that folder is not on this machine."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (tests on real files run where ../shared/data exists)")
    return path


@pytest.fixture(scope="session")
def postgres_database():
    """A throwaway PostgreSQL database for the session, or a skip with the reason."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"csd_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
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
    reset = create_engine(url)
    with reset.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    reset.dispose()
    return url


@pytest.fixture
def engine(database_url):
    """An engine on a fresh database holding the schema, areas, population and published figures."""
    engine = make_engine(database_url)
    init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """SQLite only, for tests about the app rather than the data layer."""
    engine = make_engine(f"sqlite:///{tmp_path / 'app.sqlite'}")
    init_db(engine)
    yield engine
    engine.dispose()
