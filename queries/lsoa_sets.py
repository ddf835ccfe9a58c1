"""Sets of LSOAs for evaluations, resolved across the 2011 and 2021 vintages, and their counts.

data.police.uk files up to 2022-11 name 2011 LSOAs and later files 2021 LSOAs, so a place
is counted under every code it had. A code given in either vintage is widened to every
code linked to it by the ONS LSOA 2011 to 2021 lookup (shipped whole for Thames Valley,
and its split, merged and irregular LSOAs for all of England and Wales, in ``data/geography/``): an unchanged LSOA is its two codes; a 2011 LSOA split in two brings
both halves, so the area means the same ground before and after 2023. Counts are read
from ``lsoa_count`` (monthly counts per LSOA kept by imports), never from raw incidents.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Engine, func, select

from . import partnership
from .db import PROJECT_ROOT
from .incident_sources import POLICE_SOURCES, police_types
from .reference import ALL_CRIME, AREAS_BY_CODE, districts_in, force_of
from .schema import ALL_CRIME_ROW, loaded_month, lsoa, place

LOOKUP = PROJECT_ROOT / "data" / "geography" / "lsoa11_to_lsoa21_thames_valley.csv"
# Every LSOA of England and Wales split, merged or changed irregularly (an unchanged one keeps its code).
CHANGES = PROJECT_ROOT / "data" / "geography" / "lsoa11_to_lsoa21_changes.csv"
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
# A long list of codes is bound in chunks: SQLite allows 32,766 parameters a statement.
CHUNK = 900


class UnknownPlace(ValueError):
    """A code that is neither a known LSOA nor an area code."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(f"{code[:20]!r} is neither an LSOA code nor an area code the dashboard knows")


@dataclass
class LsoaSet:
    """The codes asked for, every LSOA code counted for them, and what widening was needed."""

    requested: list[str]
    codes: frozenset[str]
    notes: list[str] = field(default_factory=list)

    def overlaps(self, other: LsoaSet) -> set[str]:
        return set(self.codes & other.codes)


@cache
def _lookup() -> tuple[dict[str, set[str]], dict[str, str]]:
    """Links between codes of the two vintages, and the ONS change indicator of each 2011 code."""
    links: dict[str, set[str]] = {}
    change: dict[str, str] = {}
    for path in (LOOKUP, CHANGES):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                old, new = row["LSOA11CD"], row["LSOA21CD"]
                links.setdefault(old, set()).add(new)
                links.setdefault(new, set()).add(old)
                change[old] = row["CHGIND"]
    return links, change


@cache
def linked_codes(code: str) -> frozenset[str]:
    """Every code joined to ``code`` through the lookup (its connected component)."""
    links, _ = _lookup()
    seen, todo = {code}, [code]
    while todo:
        for other in links.get(todo.pop(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return frozenset(seen)


def resolve(engine: Engine, codes: Iterable[str]) -> LsoaSet:
    """The LSOA codes (both vintages) that make up the given LSOA and area codes."""
    requested = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    links, change = _lookup()
    lsoa_codes: set[str] = set()
    notes: list[str] = []
    area_codes = [c for c in requested if c in AREAS_BY_CODE]
    if area_codes:
        districts = sorted({d for c in area_codes for d in districts_in(c)})
        with engine.connect() as conn:
            lsoa_codes |= set(conn.execute(select(lsoa.c.code).where(lsoa.c.district_code.in_(districts))).scalars())
    others = [c for c in requested if c not in AREAS_BY_CODE]
    # Codes the lookup knows need no query; only the others (demo LSOAs, say) are looked up.
    known = _known_lsoas(engine, [c for c in others if c not in links])
    asked = set(requested)
    for code in others:
        if not LSOA_CODE.match(code) or (code not in links and code not in known):
            raise UnknownPlace(code)
        component = linked_codes(code)
        lsoa_codes |= component
        if len(component) > 2 or any(change.get(c) in ("S", "M", "X") for c in component):
            added = sorted(component - asked)
            if added:
                notes.append(f"{code} was split or merged between the 2011 and 2021 LSOAs, so its area also "
                             f"counts {', '.join(added)} to cover the same ground in both")
    return LsoaSet(requested, frozenset(lsoa_codes), notes)


def _known_lsoas(engine: Engine, codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(codes), CHUNK):
            chunk = list(codes[start : start + CHUNK])
            found |= set(conn.execute(select(lsoa.c.code).where(lsoa.c.code.in_(chunk))).scalars())
    return found


def loaded_force_months(engine: Engine, first: str = "0000-01", last: str = "9999-12",
                        force_code: str | None = None) -> list[str]:
    """The months loaded for a force (by default the partnership's home force) between two months."""
    force_code = force_code or partnership.current().force_code
    with engine.connect() as conn:
        return list(conn.execute(
            select(loaded_month.c.month).where(loaded_month.c.force_code == force_code,
                                               loaded_month.c.month.between(first, last))
            .order_by(loaded_month.c.month)
        ).scalars())


def months_loaded_for_places(engine: Engine, codes: Iterable[str]) -> list[str]:
    """The months loaded for every force the LSOAs lie in (the partnership's home force when
    none is known): places in two forces are compared over the months both have."""
    forces = sorted({force_of(d) for d in lsoa_districts(engine, codes)}) or [partnership.current().force_code]
    months = [set(loaded_force_months(engine, force_code=f)) for f in forces]
    return sorted(set.intersection(*months))


def _type_filter(crime_types: Sequence[str] | None) -> list[str]:
    """The crime_type values to read: the ``all-crime`` rows for all crime but ASB."""
    if not crime_types or set(crime_types) == set(ALL_CRIME):
        return [ALL_CRIME_ROW]
    return list(crime_types)


def _selection(crime_types: Sequence[str] | None, source: str | None) -> tuple[str, list[str]]:
    """The condition (driver placeholders as ``{mark}``) and values choosing a selection's
    ``lsoa_count`` rows: police.uk's crime types by default, every row of a partner source."""
    if source is None or source in POLICE_SOURCES:
        types = _type_filter(crime_types) if source is None else police_types([source], crime_types)
        return "source IN ({marks_p}) AND crime_type IN ({marks_t})", [*POLICE_SOURCES, *types]
    return "source = {mark}", [source]


def _summed_counts(engine: Engine, codes: Iterable[str], crime_types: Sequence[str] | None, first: str, last: str,
                   months: Sequence[str] | None, by_lsoa: bool, source: str | None = None) -> dict:
    """SUM(count) from ``lsoa_count`` over the codes, grouped by (LSOA code, month) or by month.

    The statement is written out with the driver's placeholders: compiling an IN list of
    hundreds of codes through SQLAlchemy cost more than running the query.
    """
    codes = sorted(set(codes))
    test, values = _selection(crime_types, source)
    group = "lsoa_code, month" if by_lsoa else "month"
    found: dict = {}
    with engine.connect() as conn:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cursor = conn.connection.driver_connection.cursor()
        try:
            for start in range(0, len(codes), CHUNK):
                chunk = codes[start : start + CHUNK]
                if months is not None:
                    month_test, month_args = f"month IN ({', '.join([mark] * len(months))})", list(months)
                else:
                    month_test, month_args = f"month BETWEEN {mark} AND {mark}", [first, last]
                selection = test.format(mark=mark, marks_p=", ".join([mark] * len(POLICE_SOURCES)),
                                        marks_t=", ".join([mark] * (len(values) - len(POLICE_SOURCES))))
                cursor.execute(
                    # Only placeholders are written into the text; every value is a bound parameter.
                    f"SELECT {group}, SUM(count) FROM lsoa_count "
                    f"WHERE lsoa_code IN ({', '.join([mark] * len(chunk))}) "
                    f"AND {selection} AND {month_test} "
                    f"GROUP BY {group}",
                    [*chunk, *values, *month_args],
                )
                for *key, n in cursor.fetchall():
                    key = tuple(key) if by_lsoa else key[0]
                    found[key] = found.get(key, 0) + int(n)  # a month's sum spans chunks
        finally:
            cursor.close()
    return found


def counts_by_lsoa(engine: Engine, codes: Iterable[str], crime_types: Sequence[str] | None,
                   first: str, last: str, months: Sequence[str] | None = None,
                   source: str | None = None) -> dict[tuple[str, str], int]:
    """Incidents per (LSOA code, month) from ``lsoa_count``, for the months from first to last
    (or exactly ``months``); months with none are absent."""
    return _summed_counts(engine, codes, crime_types, first, last, months, by_lsoa=True, source=source)


def monthly_lsoa_counts(engine: Engine, codes: Iterable[str], crime_types: Sequence[str] | None,
                        first: str, last: str) -> dict[str, int]:
    """Incidents per loaded month in the LSOAs (zero for a loaded month with none)."""
    return monthly_counts_for_sets(engine, {"set": codes}, crime_types, [(first, last)])["set"]


def monthly_counts_for_sets(engine: Engine, sets: dict[str, Iterable[str]], crime_types: Sequence[str] | None,
                            spans: Sequence[tuple[str, str]], loaded: Sequence[str] | None = None,
                            source: str | None = None) -> dict[str, dict[str, int]]:
    """Incidents per loaded month of the spans for each named set of LSOAs (``loaded``: the
    force's loaded months, when the caller has them already).

    Each set is summed by month in the database: returning one row per LSOA and month and
    adding them up here cost several times the query itself (a hundred LSOAs over ten years
    are over 10,000 rows, against 125 months)."""
    if loaded is None:
        loaded = loaded_force_months(engine)
    wanted = [m for first, last in spans for m in loaded if first <= m <= last]
    result = {name: dict.fromkeys(wanted, 0) for name in sets}
    if not wanted:
        return result
    # One span is read as a range of months, several as exactly their months (never the gap).
    first, last = (spans[0] if len(spans) == 1 else ("", ""))
    months = None if len(spans) == 1 else wanted
    for name, codes in sets.items():
        if not codes:
            continue
        for month, n in _summed_counts(engine, codes, crime_types, first, last, months, by_lsoa=False,
                                       source=source).items():
            if month in result[name]:
                result[name][month] = n
    return result


def lsoa_centres(engine: Engine, district_codes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """(longitude, latitude) of each LSOA: the mean of its data.police.uk map points."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(place.c.lsoa_code, func.avg(place.c.longitude), func.avg(place.c.latitude))
            .where(place.c.district_code.in_(list(district_codes)))
            .group_by(place.c.lsoa_code)
        ).all()
    return {code: (float(lon), float(lat)) for code, lon, lat in rows}


def lsoa_districts(engine: Engine, codes: Iterable[str]) -> set[str]:
    codes = list(codes)
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(codes), CHUNK):
            chunk = codes[start : start + CHUNK]
            found |= set(conn.execute(select(lsoa.c.district_code).where(lsoa.c.code.in_(chunk))).scalars())
    return found
