"""Interventions and operations: checking, storing, listing and evaluating them.

One check serves the form, the API and the CSV importer: a problem names its field and
nothing is stored. A stored intervention is evaluated over its own months (from its start
to its end or the latest month loaded) against the same months a year earlier, so both
periods cover the same seasons (or, where those are not loaded, two or three years earlier;
other seasons only as a last resort, and then saying so); without a stored control the suggested one is used, and
the evaluation says so.

Its outcome is police.uk crime (narrowed to crime types) by default, or a partner's own
incident source (A&E assaults, needle finds, council ASB): then that source's records by
LSOA, over the months the source has loaded, against a control the partner names (controls
are suggested from police.uk crime only).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from . import periods
from .control import NoControl, suggest_control
from .evaluation import Evaluation, EvaluationError, evaluate, resolve_places
from .importers.bookkeeping import bump_data_version
from .importers.errors import ErrorCollector, ImportRejected, RowError
from .incident_sources import PARTNER_SOURCES, POLICE_CRIME, SOURCES_BY_SLUG
from .incidents import source_months
from .lsoa_sets import loaded_force_months
from .records import (
    CREATE,
    DEFAULT_MAX_RECORDS,
    DELETE,
    IMPORT,
    UPDATE,
    NotOwner,
    audit,
    check_room,
    may_change,
    summary,
)
from .reference import AREAS, CRIME_TYPES_BY_SLUG
from .schema import intervention, intervention_place, lsoa

CSV_COLUMNS = ("name", "description", "start_month", "end_month", "target", "control", "buffer", "crime_types",
               "outcome_source")
# What an intervention can be judged on: police.uk crime (ASB through its crime type) or a partner source.
OUTCOME_SOURCES = (POLICE_CRIME, *PARTNER_SOURCES)
REQUIRED = ("name", "start_month", "end_month", "target")
MAX_NAME = 200
MAX_DESCRIPTION = 4000


def split_codes(text: str) -> list[str]:
    """Codes separated by spaces, commas or semicolons."""
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


def outcome_months(engine: Engine, outcome_source: str) -> list[str]:
    """The months the outcome can be counted in: police.uk's loaded months, or the partner source's."""
    if outcome_source == POLICE_CRIME:
        return loaded_force_months(engine)
    return [month for month, _ in source_months(engine, outcome_source)]


def check_intervention(engine: Engine, values: dict, error: Callable[[str, str], None],
                       loaded: list[str] | None = None) -> dict | None:
    """A checked intervention ready to store, or None after reporting each problem to ``error``.
    ``loaded``: police.uk's loaded months, read once for a whole file."""
    problems = 0

    def fail(field: str, message: str) -> None:
        nonlocal problems
        problems += 1
        error(field, message)

    name = (values.get("name") or "").strip()
    if not name:
        fail("name", "required")
    elif len(name) > MAX_NAME:
        fail("name", f"at most {MAX_NAME} characters")
    description = (values.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        fail("description", f"at most {MAX_DESCRIPTION} characters")
    outcome = (values.get("outcome_source") or "").strip() or POLICE_CRIME
    partner = outcome in PARTNER_SOURCES
    if outcome not in OUTCOME_SOURCES:
        fail("outcome_source", f"unknown source {outcome[:40]!r}; one of {', '.join(OUTCOME_SOURCES)}")
    start, end = (values.get("start_month") or "").strip(), (values.get("end_month") or "").strip()
    for field, value in (("start_month", start), ("end_month", end)):
        if not periods.is_month(value):
            fail(field, f"{value[:20]!r} is not a month (YYYY-MM)")
    if partner:
        loaded = outcome_months(engine, outcome)
    elif loaded is None:
        loaded = loaded_force_months(engine)
    if periods.is_month(start) and periods.is_month(end) and outcome in OUTCOME_SOURCES:
        if end < start:
            fail("end_month", f"{end} is before start_month {start}")
        elif not loaded and partner:
            fail("start_month", f"no months of {SOURCES_BY_SLUG[outcome].title} are loaded yet: import its "
                                "incidents first")
        elif not loaded:
            fail("start_month", "no months are loaded yet: import data.police.uk months first")
        elif not loaded[0] < start <= loaded[-1]:
            fail("start_month", f"{start} is outside the data: it must fall after {loaded[0]} and by {loaded[-1]}, "
                                "the months loaded, so that there is a before and an after")
    slugs = split_codes(values.get("crime_types", ""))
    for slug in slugs:
        if slug not in CRIME_TYPES_BY_SLUG:
            fail("crime_types", f"unknown crime type {slug[:40]!r}")
    if partner and slugs:
        fail("crime_types", f"crime types are police.uk's: leave them empty for the outcome source {outcome}")
    codes = {role: split_codes(values.get(role, "")) for role in ("target", "control", "buffer")}
    if partner and codes["target"] and not codes["control"]:
        fail("control", f"give a control for the outcome source {outcome}: controls are suggested on police.uk "
                        "crime only")
    if not codes["target"]:
        fail("target", "give at least one target LSOA or area code")
    elif partner and not codes["control"]:
        pass  # reported above
    else:
        try:
            if codes["control"]:
                resolve_places(engine, codes["target"], codes["control"], codes["buffer"])
            else:  # no control: a suggested one is used when it is evaluated
                _check_without_control(engine, codes)
        except EvaluationError as exc:
            fail(exc.field, exc.message)
    if problems:
        return None
    return {"name": name, "description": description, "start_month": start, "end_month": end,
            "crime_types": ",".join(dict.fromkeys(slugs)), "outcome_source": outcome, "places": codes}


def _check_without_control(engine: Engine, codes: dict) -> None:
    from .evaluation import MAX_CODES
    from .lsoa_sets import UnknownPlace, resolve

    sets = {}
    for role in ("target", "buffer"):
        if len(codes[role]) > MAX_CODES:
            raise EvaluationError(role, f"at most {MAX_CODES} codes")
        if codes[role]:
            try:
                sets[role] = resolve(engine, codes[role])
            except UnknownPlace as exc:
                raise EvaluationError(role, str(exc)) from None
    if "buffer" in sets and sets["target"].overlaps(sets["buffer"]):
        raise EvaluationError("buffer", "overlaps the target")


def place_choices(engine: Engine) -> list[tuple[str, str]]:
    """Every place an intervention can name, as (code, name): the dashboard's areas, then LSOAs
    of both vintages by name."""
    with engine.connect() as conn:
        lsoas = conn.execute(select(lsoa.c.code, lsoa.c.name).order_by(lsoa.c.name, lsoa.c.code)).all()
    return [(a.code, a.name) for a in AREAS] + [(code, name) for code, name in lsoas]


SUMMARY_FIELDS = ("name", "start_month", "end_month", "crime_types", "outcome_source", "target", "control", "buffer",
                  "owner")


def save_interventions(engine: Engine, rows: list[dict], recorded_by: str, *, is_admin: bool = False,
                       limit: int = DEFAULT_MAX_RECORDS, source: str = "the form", imported: bool = False) -> list[int]:
    """Store checked interventions in one transaction; one of the same name is replaced, if
    its owner or an administrator asks. Over ``limit`` stored, nothing is stored."""
    now = datetime.now(UTC)
    ids = []
    names = [r["name"] for r in rows]
    with engine.begin() as conn:
        existing = {r["name"]: r for r in _records(conn, intervention.c.name.in_(names))}
        for r in rows:
            old = existing.get(r["name"])
            if old and not may_change(old["owner"], recorded_by, is_admin):
                raise NotOwner("intervention", r["name"], old["owner"])
        check_room(conn, intervention, len(existing), rows, limit, source, "interventions")
        conn.execute(delete(intervention).where(intervention.c.name.in_(names)))
        for r in rows:
            old = existing.get(r["name"])
            owner = old["owner"] if old else recorded_by
            new_id = conn.execute(insert(intervention).values(
                name=r["name"], description=r["description"], start_month=r["start_month"],
                end_month=r["end_month"], crime_types=r["crime_types"], recorded_by=recorded_by, recorded_at=now,
                owner=owner, outcome_source=r.get("outcome_source") or POLICE_CRIME,
            )).inserted_primary_key[0]
            places = [{"intervention_id": new_id, "role": role, "code": code}
                      for role, codes in r["places"].items() for code in dict.fromkeys(codes)]
            conn.execute(insert(intervention_place), places)
            ids.append(new_id)
            if not imported:
                after = summary({**r, **r["places"], "owner": owner}, SUMMARY_FIELDS)
                audit(conn, recorded_by, UPDATE if old else CREATE, "intervention", r["name"],
                      summary(old, SUMMARY_FIELDS), after)
        if imported:
            audit(conn, recorded_by, IMPORT, "intervention", source, "",
                  f"{len(rows)} interventions ({len(existing)} replaced): " + ", ".join(names))
        bump_data_version(conn)  # cached evaluations and lists go stale with it
    return ids


def delete_intervention(engine: Engine, intervention_id: int, actor: str = "system", is_admin: bool = True) -> bool:
    """Delete one intervention, if its owner or an administrator asks; False if there is none."""
    with engine.begin() as conn:
        found = _records(conn, intervention.c.id == intervention_id)
        if not found:
            return False
        if not may_change(found[0]["owner"], actor, is_admin):
            raise NotOwner("intervention", found[0]["name"], found[0]["owner"])
        conn.execute(delete(intervention_place).where(intervention_place.c.intervention_id == intervention_id))
        conn.execute(delete(intervention).where(intervention.c.id == intervention_id))
        audit(conn, actor, DELETE, "intervention", found[0]["name"], summary(found[0], SUMMARY_FIELDS))
        bump_data_version(conn)
    return True


def _records(conn, condition) -> list[dict]:
    """Stored interventions matching a condition, with their places, for ownership and the log."""
    rows = [dict(r) for r in conn.execute(select(intervention).where(condition)).mappings()]
    for r in rows:
        places = conn.execute(select(intervention_place.c.role, intervention_place.c.code)
                              .where(intervention_place.c.intervention_id == r["id"])).all()
        for role in ("target", "control", "buffer"):
            r[role] = " ".join(sorted(code for place_role, code in places if place_role == role))
    return rows


def list_interventions(engine: Engine) -> list[dict]:
    """Every stored intervention with its places, latest start first."""
    with engine.connect() as conn:
        rows = conn.execute(select(intervention).order_by(intervention.c.start_month.desc(), intervention.c.name)).mappings().all()
        places = conn.execute(select(intervention_place)).all()
    by_id: dict[int, dict[str, list[str]]] = {}
    for iid, role, code in places:
        by_id.setdefault(iid, {"target": [], "control": [], "buffer": []})[role].append(code)
    result = []
    for r in rows:
        record = dict(r)
        record["crime_types"] = [s for s in r["crime_types"].split(",") if s]
        record.update({role: sorted(codes) for role, codes in by_id.get(r["id"], {}).items()})
        for role in ("target", "control", "buffer"):
            record.setdefault(role, [])
        result.append(record)
    return result


@dataclass(frozen=True)
class Periods:
    """The two periods compared, and, when the before period is not the same months a year
    earlier, a sentence saying what was used instead and why."""

    before: tuple[str, str]
    after: tuple[str, str]
    note: str | None = None
    same_season: bool = True


def evaluation_periods(engine: Engine, record: dict) -> Periods:
    """After: its months up to the latest loaded. Before: the same months a year earlier; where
    those are not all loaded, the same months two or three years earlier (still the same
    seasons); for an intervention of 12 months or more, the as many months just before (a whole
    number of years covers every season alike). Only where none of these is loaded are the months
    just before used, and the note says they are other seasons."""
    loaded = outcome_months(engine, record.get("outcome_source") or POLICE_CRIME)
    if not loaded:
        raise EvaluationError("start_month", "no months of its outcome source are loaded")
    after = (record["start_month"], min(record["end_month"], loaded[-1]))
    length = len(periods.months_between(*after))
    have = set(loaded)

    def shifted(years: int) -> tuple[str, str]:
        return periods.add_months(after[0], -12 * years), periods.add_months(after[1], -12 * years)

    def is_loaded(span: tuple[str, str]) -> bool:
        return set(periods.months_between(*span)) <= have

    just_before = (periods.add_months(after[0], -length), periods.add_months(after[0], -1))
    if length >= 12:
        note = None if length % 12 == 0 else (
            f"The after period ({length} months) is compared with the {length} months just before it, which do "
            "not cover the same months of the year: part of any change may be seasonal.")
        return Periods(just_before, after, note, length % 12 == 0)
    year_earlier = shifted(1)
    if is_loaded(year_earlier):
        return Periods(year_earlier, after)
    words = periods.months_in_words(*year_earlier)
    for years in (2, 3):
        if is_loaded(shifted(years)):
            return Periods(shifted(years), after,
                           f"The same months a year earlier ({words}) are not all loaded, so the before period is the "
                           f"same months {years} years earlier ({periods.months_in_words(*shifted(years))}): the same "
                           "seasons, further back.")
    if not is_loaded(just_before):
        raise EvaluationError("start_month", f"no before period is loaded, neither the same months a year earlier "
                                             f"({words}), two or three years earlier, nor the {length} months just "
                                             f"before the start ({periods.months_in_words(*just_before)})")
    return Periods(just_before, after,
                   f"The same months a year earlier ({words}) are not all loaded, nor two or three years earlier, so the "
                   f"before period is the {length} months just before the start "
                   f"({periods.months_in_words(*just_before)}): other months of the year than the after period, so "
                   "part of any change may be seasonal.", False)


def evaluate_intervention(engine: Engine, record: dict, with_its: bool = True) -> tuple[Evaluation, str | None]:
    """The evaluation of a stored intervention, and how its control was chosen when suggested."""
    chosen = evaluation_periods(engine, record)
    outcome = record.get("outcome_source") or POLICE_CRIME
    source = None if outcome == POLICE_CRIME else outcome  # None: police.uk crime, by crime type
    control, method = record["control"], None
    if not control and source is not None:  # stored before a control was required for it, or by hand
        raise EvaluationError("control", "no control given: controls are suggested on police.uk crime only")
    if not control:
        try:
            suggestion = suggest_control(engine, record["target"], record["buffer"], record["crime_types"] or None,
                                         record["start_month"])
        except NoControl as exc:
            raise EvaluationError("control", f"no control given and none could be suggested: {exc}") from None
        control, method = suggestion.codes, "Suggested control: " + suggestion.method
    result = evaluate(engine, record["target"], control, record["buffer"], record["crime_types"] or None,
                      chosen.before, chosen.after, with_its=with_its, source=source)
    if chosen.note:
        result.notes.insert(0, chosen.note)
    if not chosen.same_season:
        result.verdict += " The before period covers other months of the year, so part of this change may be seasonal."
    return result, method


def parse_interventions_csv(engine: Engine, path: str | Path, display_name: str | None = None,
                            limit: int = DEFAULT_MAX_RECORDS) -> list[dict]:
    """Read and check a whole interventions file; any problem rejects it, naming row and field.
    A file of more than ``limit`` rows is refused at the first row over it, unchecked beyond."""
    name = display_name or str(path)
    errors = ErrorCollector(name)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([RowError(name, None, None, "the file is not UTF-8 text")]) from None
    if len(raw) > 5_000_000:
        raise ImportRejected([RowError(name, None, None, "the file is larger than 5 MB")])
    reader = csv.DictReader(text.splitlines())
    header = [(c or "").strip() for c in reader.fieldnames or []]
    if not header:
        raise ImportRejected([RowError(name, None, None, "the file is empty")])
    for column in header:
        if column not in CSV_COLUMNS:
            errors.add(1, column[:40], f"unknown column; expected {', '.join(CSV_COLUMNS)}")
    for column in REQUIRED:
        if column not in header:
            errors.add(1, column, "required column missing")
    errors.raise_if_any()
    loaded = loaded_force_months(engine)
    rows, names = [], {}
    for number, row in enumerate(reader, start=1):
        line = reader.line_num
        if number > limit:
            errors.add(line, None, f"more than {limit:,} interventions in the file (the MAX_INTERVENTIONS setting); "
                                   "nothing was stored")
            break
        if None in row:
            errors.add(line, None, "more fields than the header has columns")
            continue
        values = {k.strip(): (v or "") for k, v in row.items() if k}
        checked = check_intervention(engine, values, lambda f, m, line=line: errors.add(line, f, m), loaded)
        if checked:
            if checked["name"] in names:
                errors.add(line, "name", f"{checked['name'][:60]!r} is already on row {names[checked['name']]}")
            names[checked["name"]] = line
            rows.append({**checked, "line": line})
        if errors.full:
            break
    errors.raise_if_any()
    if not rows:
        raise ImportRejected([RowError(name, None, None, "no interventions in the file")])
    return rows


def import_interventions(engine: Engine, path: str | Path, recorded_by: str, display_name: str | None = None,
                         *, is_admin: bool = False, limit: int = DEFAULT_MAX_RECORDS) -> list[int]:
    name = display_name or str(path)
    return save_interventions(engine, parse_interventions_csv(engine, path, display_name, limit), recorded_by,
                              is_admin=is_admin, limit=limit, source=name, imported=True)
