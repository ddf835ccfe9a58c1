"""The application factory, the command line and the page callbacks."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from queries.bootstrap import bootstrap
from queries.db import make_engine
from queries.schema import incident, series

from .conftest import FIXTURES


def test_two_apps_in_one_process_each_have_their_callbacks(tmp_path):
    first = create_app({"database_url": f"sqlite:///{tmp_path / 'a.sqlite'}"})
    second = create_app({"database_url": f"sqlite:///{tmp_path / 'b.sqlite'}"})
    assert first.callback_map and second.callback_map
    assert set(first.callback_map) == set(second.callback_map)


def test_first_start_creates_and_fills_the_database(tmp_path, monkeypatch):
    from queries import demo

    calls = []
    monkeypatch.setattr(demo, "load_demo", lambda engine, *args, **kwargs: calls.append(engine) or 0)
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh' / 'db.sqlite'}")
    bootstrap(engine)
    assert len(calls) == 1  # no incidents yet: the demo set is written
    with engine.connect() as conn:
        assert conn.execute(select(series.c.id)).first() is not None


def cli(app, *args):
    return app.server.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def test_cli_imports_police_files_and_prints_a_summary(tmp_path):
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'cli.sqlite'}"})
    result = cli(app, "import-policeuk", str(FIXTURES / "policeuk"))
    assert result.exit_code == 0, result.output
    assert "12 rows read, 10 stored (1 with no location, counted at force level only)" in result.output
    assert "1 duplicate Crime ID in the month, 1 LSOA outside the force" in result.output
    assert "2 crimes' last outcome updated" in result.output
    assert "Total: 31 rows read, 28 stored" in result.output  # three street files: 7 + 12 + 12 read


def test_cli_rejects_bad_input_with_the_row_and_field(tmp_path):
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'cli.sqlite'}"})
    bad = tmp_path / "2024-01-thames-valley-street.csv"
    bad.write_text((FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv").read_text().replace("-0.995508", "x"))
    result = app.server.test_cli_runner().invoke(args=["import-policeuk", str(bad)])
    assert result.exit_code == 1
    assert "Nothing was stored" in result.output
    assert "row 8, field 'Longitude': 'x' is not a number" in result.output


def test_cli_series_population_and_demo(tmp_path):
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'cli.sqlite'}"})
    result = cli(app, "import-series", str(FIXTURES / "series" / "partner-series.csv"))
    assert "Stored series repeat-da-victims (sensitive): 1 values" in result.output
    population = tmp_path / "pop.csv"
    population.write_text("code,year,population\nE07000178,2023,165000\n")
    assert "1 estimates stored for 2023" in cli(app, "import-population", str(population)).output
    result = cli(app, "load-demo", "--from", "2024-01", "--to", "2024-01", "--scale", "0.02", "--write-csv", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "2024-01-thames-valley-street.csv").exists()
    with make_engine(f"sqlite:///{tmp_path / 'cli.sqlite'}").connect() as conn:
        assert conn.execute(select(incident.c.is_synthetic)).scalars().all() and all(
            conn.execute(select(incident.c.is_synthetic)).scalars())
