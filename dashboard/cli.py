"""Command-line tasks (``flask --app app COMMAND``): schema, imports and the demo set."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import Engine

from dashboard.server.settings import current_settings
from queries import bootstrap, demo, periods
from queries.accounts import ROLES, delete_account, set_account
from queries.coverage import record_not_published
from queries.demo_incidents import MONTHS, load_partner_demo
from queries.evaluation import EvaluationError
from queries.import_lock import ImportBusy, import_lock
from queries.importers.bookkeeping import current_user
from queries.importers.boundaries import import_boundaries
from queries.importers.crime_severity import import_severity
from queries.importers.errors import ImportRejected
from queries.importers.files import expand_paths
from queries.importers.incidents_store import import_incidents
from queries.importers.policeuk import import_policeuk
from queries.importers.population import import_population
from queries.importers.series import import_series
from queries.incident_sources import PARTNER_SOURCES
from queries.interventions import evaluate_intervention, import_interventions, list_interventions
from queries.targets import import_targets, judge, list_targets


def register_cli(server: Flask, engine: Engine) -> None:
    def one_at_a_time(command):
        """Run an import holding the import lock; a second one at once is told plainly."""

        @functools.wraps(command)
        def run(*args, **kwargs):
            try:
                with import_lock(engine):
                    return command(*args, **kwargs)
            except ImportBusy as busy:
                raise click.ClickException(str(busy)) from None

        return run

    # Caches need no clearing here: every import bumps the data version their keys include.
    @server.cli.command("init-db")
    @one_at_a_time
    def init_db_command():
        """Create or upgrade the schema and load the shipped figures and population."""
        bootstrap.init_db(engine)
        click.echo(f"Database ready: {engine.url.render_as_string(hide_password=True)}")

    @server.cli.command("import-policeuk")
    @click.argument("paths", nargs=-1, required=True, type=click.Path())
    @click.option("--allow-duplicate-rows", is_flag=True,
                  help="Accept a file in which a block of rows repeats (refused by default: a file pasted "
                       "into itself multiplies anti-social behaviour, whose rows have no Crime ID).")
    @click.option("--replace-partial", is_flag=True,
                  help="Let a file replace a stored month with under half the rows stored for it.")
    @one_at_a_time
    def import_policeuk_command(paths, allow_duplicate_rows, replace_partial):
        """Import data.police.uk street and outcomes files: CSV, .csv.gz, zip or folders."""
        bootstrap.init_db(engine)
        try:
            total = 2 * sum(1 for _ in expand_paths(paths))
            with click.progressbar(length=total, label="Checking and storing files", file=sys.stderr) as bar:
                summaries = import_policeuk(engine, paths, progress=bar.update, allow_duplicate_rows=allow_duplicate_rows,
                                            replace_partial=replace_partial,
                                            max_bytes=current_settings().import_max_bytes)
        except ImportRejected as rejected:
            _fail(rejected)
        _print_policeuk_summary(summaries)

    @server.cli.command("mark-not-published")
    @click.argument("force_code")
    @click.argument("first")
    @click.argument("last")
    @click.option("--evidence", required=True, help="How it is known (a data.police.uk notice, a changelog entry).")
    @one_at_a_time
    def mark_not_published_command(force_code, first, last, evidence):
        """Record months data.police.uk did not publish for a force (FORCE_CODE FIRST LAST, as YYYY-MM)."""
        bootstrap.init_db(engine)
        try:
            stored = record_not_published(engine, force_code, first, last, evidence)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{stored} months recorded as not published for {force_code}; loaded months are left as loaded.")

    @server.cli.command("import-series")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @one_at_a_time
    def import_series_command(path):
        """Import partner series from a CSV in the documented template."""
        bootstrap.init_db(engine)
        try:
            parsed = import_series(engine, path, kind="partner")
        except ImportRejected as rejected:
            _fail(rejected)
        for sid, meta in parsed.series.items():
            n = sum(1 for v in parsed.values if v["series_id"] == sid)
            flag = " (sensitive)" if meta["sensitive"] else ""
            click.echo(f"Stored series {sid}{flag}: {n} values")
        click.echo(f"{parsed.rows_read} rows read, {len(parsed.values)} values stored.")

    @server.cli.command("import-incidents")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--source", type=click.Choice(PARTNER_SOURCES),
                  help="The source of every row (a template file may name it per row instead).")
    @click.option("--premises", type=click.Path(exists=True, dir_okay=False),
                  help="A CSV of premises (name, latitude, longitude) that free-text locations may name.")
    @one_at_a_time
    def import_incidents_command(path, source, premises):
        """Import a partner's incidents: the documented template or an ISTV export."""
        bootstrap.init_db(engine)
        try:
            summary = import_incidents(engine, path, source=source, premises=premises)
        except ImportRejected as rejected:
            _fail(rejected)
        for line in summary.lines():
            click.echo(line)
        for row, text in summary.unmatched[:20]:
            click.echo(f"  unmatched: row {row}: {text!r}")

    @server.cli.command("import-crime-severity")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--sheet", help="The workbook's sheet by community safety partnership (found by its header if left out).")
    @one_at_a_time
    def import_crime_severity_command(path, sheet):
        """Import the ONS Crime Severity Score table by community safety partnership (.xlsx or .csv)."""
        bootstrap.init_db(engine)
        try:
            result = import_severity(engine, path, sheet=sheet)
        except ImportRejected as rejected:
            _fail(rejected)
        if result.stored is None:
            click.echo(f"{result.rows_read} rows read; none is for an area the dashboard knows: nothing stored.")
        else:
            click.echo(f"Stored series crime-severity-score: {len(result.stored.values)} values for "
                       f"{', '.join(result.areas)}.")
        click.echo(f"{len(result.left_out)} other areas in the file were left out.")

    @server.cli.command("import-population")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--year", type=int, help="Year of the estimates, if the file has no year column.")
    @click.option("--source", help="Where the estimates come from, shown beside rates.")
    @one_at_a_time
    def import_population_command(path, year, source):
        """Import ONS mid-year population estimates (areas or LSOAs)."""
        bootstrap.init_db(engine)
        try:
            summary = import_population(engine, path, year=year, source=source)
        except ImportRejected as rejected:
            _fail(rejected)
        click.echo(
            f"{summary.rows_read} rows read, {summary.rows_stored} estimates stored for "
            f"{', '.join(map(str, summary.years))}; {summary.skipped_unknown} rows for other areas skipped."
        )

    @server.cli.command("import-boundaries")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @one_at_a_time
    def import_boundaries_command(path):
        """Import ONS district or LSOA boundaries (GeoJSON) for the hotspot map."""
        bootstrap.init_db(engine)
        try:
            summary = import_boundaries(engine, path)
        except ImportRejected as rejected:
            _fail(rejected)
        click.echo(f"{summary.features} features read, {summary.stored} {summary.level} boundaries stored; "
                   f"{summary.skipped_outside} in no district of England and Wales skipped.")

    @server.cli.command("import-interventions")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--by", "recorded_by", default=None, help="Who records them (default: the system user).")
    @one_at_a_time
    def import_interventions_command(path, recorded_by):
        """Import interventions from a CSV in the documented template (all or nothing)."""
        bootstrap.init_db(engine)
        try:
            ids = import_interventions(engine, path, recorded_by or current_user(), is_admin=True,
                                       limit=current_settings().max_interventions)
        except ImportRejected as rejected:
            _fail(rejected)
        click.echo(f"Stored {len(ids)} interventions.")

    @server.cli.command("evaluate-interventions")
    def evaluate_interventions_command():
        """Print the before/after verdict of every stored intervention."""
        for record in list_interventions(engine):
            try:
                result, method = evaluate_intervention(engine, record, with_its=False)
                click.echo(f"{record['name']}: {result.verdict}" + (f" ({method})" if method else ""))
            except EvaluationError as exc:
                click.echo(f"{record['name']}: cannot be evaluated: {exc.message}")

    @server.cli.command("import-targets")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @one_at_a_time
    def import_targets_command(path):
        """Import partner targets from a CSV (the columns of data/targets/)."""
        bootstrap.init_db(engine)
        try:
            ids = import_targets(engine, path, recorded_by=current_user(), is_admin=True,
                                 limit=current_settings().max_targets)
        except ImportRejected as rejected:
            _fail(rejected)
        click.echo(f"Stored {len(ids)} targets: {', '.join(ids)}")
        for t in list_targets(engine):
            if t["id"] in ids:
                click.echo(judge(engine, t).sentence)

    @server.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(ROLES), default="partner", show_default=True)
    @click.password_option(help="At least 12 characters; asked for when not given.")
    def create_user_command(username, role, password):
        """Create a partner or administrator account (or reset its password and role)."""
        bootstrap.init_db(engine)
        try:
            set_account(engine, username, password, role)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        click.echo(f"Account {username} ({role}) saved.")

    @server.cli.command("delete-user")
    @click.argument("username")
    def delete_user_command(username):
        """Delete an account."""
        click.echo(f"Deleted {username}." if delete_account(engine, username) else f"No account {username}.")

    @server.cli.command("load-demo")
    @click.option("--from", "first", default=demo.FIRST_MONTH, show_default=True, help="First month (YYYY-MM).")
    @click.option("--to", "last", default=None, help="Last month (YYYY-MM); default: the latest full month.")
    @click.option("--scale", default=1.0, show_default=True, help="Volume relative to the real force.")
    @click.option("--write-csv", type=click.Path(file_okay=False), help="Also write the files to this folder.")
    @one_at_a_time
    def load_demo_command(first, last, scale, write_csv):
        """Write the deterministic SYNTHETIC demo incidents (clearly labelled as such)."""
        last = last or demo.latest_full_month()
        for name, value in (("--from", first), ("--to", last)):
            if not periods.is_month(value):
                raise click.BadParameter(f"{value!r} is not a month (YYYY-MM)", param_hint=name)
        bootstrap.init_db(engine)
        if write_csv:
            written = demo.write_demo_files(Path(write_csv), first, last, scale)
            click.echo(f"Wrote {len(written)} synthetic files to {write_csv}")
        months = len(demo.demo_months(first, last))
        with click.progressbar(length=months, label="Writing synthetic demo months", file=sys.stderr) as bar:
            stored = demo.load_demo(engine, first, last, scale, progress=bar.update)
        click.echo(f"Stored {stored} synthetic incidents, {first} to {last}.")
        partner = load_partner_demo(engine, last)
        click.echo(f"Stored {partner} synthetic partner incidents (A&E assaults, needle finds, council ASB), "
                   f"the {MONTHS} months to {last}.")


def _fail(rejected: ImportRejected) -> None:
    click.echo("Nothing was stored. The input has these problems:", err=True)
    click.echo(str(rejected), err=True)
    raise SystemExit(1)


def _print_policeuk_summary(summaries) -> None:
    totals = {"read": 0, "stored": 0, "no_location": 0}
    skipped_total: dict[str, int] = {}
    for s in summaries:
        if s.kind == "skipped":
            click.echo(f"{s.name}: skipped ({s.note})")
            continue
        if s.kind == "outcomes":
            click.echo(f"{s.name}: {s.rows_read} outcome rows read, {s.outcomes_updated} crimes' last outcome updated")
            continue
        skipped = ", ".join(f"{n} {reason}" for reason, n in s.skipped.items()) or "none"
        click.echo(
            f"{s.name}: {s.force} {', '.join(s.months)}: {s.rows_read} rows read, {s.rows_stored} stored "
            f"({s.no_location} with no location, counted at force level only); skipped: {skipped}"
        )
        totals["read"] += s.rows_read
        totals["stored"] += s.rows_stored
        totals["no_location"] += s.no_location
        for reason, n in s.skipped.items():
            skipped_total[reason] = skipped_total.get(reason, 0) + n
    skipped = ", ".join(f"{n} {reason}" for reason, n in skipped_total.items()) or "none"
    click.echo(
        f"Total: {totals['read']} rows read, {totals['stored']} stored "
        f"({totals['no_location']} with no location); skipped: {skipped}"
    )
