"""DATABASE_REPLICA_URL: figures are read from the replica, writes go to the primary.

Two PostgreSQL databases stand in for a primary and its replica, holding different counts,
so whichever answers a request shows in the figures it returns."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

from app import create_app
from queries.accounts import set_account
from queries.bootstrap import init_db
from queries.db import make_engine
from queries.reference import OXFORD
from queries.schema import incident, sign_in_attempt, user_session

from .conftest import FIXTURES, POSTGRES_ADMIN_URL, unavailable
from .helpers import form_token, seed_counts

PASSWORD = "correct horse battery"
# Oxford's burglaries as each database holds them (typed here, not computed by the app).
REPLICA_COUNTS = {"2024-01": 7, "2024-02": 9}
PRIMARY_COUNTS = {"2024-01": 100, "2024-02": 200}


@pytest.fixture(scope="module")
def databases():
    """(primary URL, replica URL): two throwaway databases, both set up, with different counts."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    names = [f"csd_test_{uuid.uuid4().hex[:10]}_{role}" for role in ("primary", "replica")]
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    urls = [POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}" for name in names]
    for url, monthly in zip(urls, (PRIMARY_COUNTS, REPLICA_COUNTS), strict=True):
        engine = make_engine(url)
        init_db(engine)
        seed_counts(engine, monthly, district=OXFORD, crime_type="burglary")
        engine.dispose()
    primary = make_engine(urls[0])
    set_account(primary, "pat", PASSWORD, "partner")  # on the primary only, as a sign-up writes it
    primary.dispose()
    yield tuple(urls)
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def app(databases, tmp_path_factory):
    primary, replica = databases
    app = create_app({"database_url": primary, "database_replica_url": replica,
                      "upload_dir": str(tmp_path_factory.mktemp("uploads"))})
    yield app
    app.server.extensions["engine"].dispose()
    app.server.extensions["read_engine"].dispose()


def rows_in(url: str, table, *where) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()
    finally:
        engine.dispose()


def test_figures_are_read_from_the_replica(app):
    client = app.server.test_client()
    rows = client.get(f"/api/v1/counts?area={OXFORD}&crime_type=burglary&from=2024-01&to=2024-02").get_json()["rows"]
    assert [(r["period"], r["count"]) for r in rows] == list(REPLICA_COUNTS.items())


def test_sign_in_reads_and_writes_the_primary_only(app, databases):
    primary, replica = databases
    client = app.server.test_client()
    token = form_token(client)
    # A wrong password is counted; then the account, which only the primary holds, signs in.
    assert client.post("/login", data={"csrf": token, "username": "pat", "password": "wrong password!!"}).status_code == 401
    assert client.post("/login", data={"csrf": token, "username": "pat", "password": PASSWORD}).status_code == 302
    assert rows_in(primary, user_session, user_session.c.username == "pat") == 1
    assert rows_in(primary, sign_in_attempt) > 0
    assert rows_in(replica, user_session) == 0
    assert rows_in(replica, sign_in_attempt) == 0


def test_an_import_writes_the_primary_only(app, databases):
    primary, replica = databases
    result = app.server.test_cli_runner().invoke(
        args=["import-policeuk", str(FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv")])
    assert result.exit_code == 0, result.output
    assert rows_in(primary, incident) > 0
    assert rows_in(replica, incident) == 0


def test_a_replica_needs_postgresql(tmp_path):
    with pytest.raises(RuntimeError, match="DATABASE_REPLICA_URL"):
        create_app({"database_url": f"sqlite:///{tmp_path / 'a.sqlite'}",
                    "database_replica_url": f"sqlite:///{tmp_path / 'b.sqlite'}"})
