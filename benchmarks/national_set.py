"""A synthetic national set: every police force of England and Wales, written to PostgreSQL.

SYNTHETIC DATA: every row is made up. The home force (Thames Valley) is the demo set on its
real districts and LSOAs (``queries.demo``). The other 42 territorial forces and the British
Transport Police get a made-up geography shaped like the real one: each force's population
is roughly its real one (mid-2020, rounded), split into districts of about 180,000 people and
LSOAs of about 1,700 (about 330 districts and 35,000 LSOAs in all), with codes of the ONS
shape in ranges ONS does not use (``E079.....``/``W069.....`` districts, ``E017.....``/
``W017.....`` LSOAs, ``E2390....``/``W1590....`` forces), so they can never be mistaken for
real areas. Counties are left out: districts sit straight under their force.

Incidents follow the demo's crime mix and seasonality at each force's own rate (about
6.5 million a year in all, as data.police.uk publishes), clustered within districts by
gamma-distributed LSOA weights. They go in through the bulk loader's COPY, with their counts
(district, force, map point and LSOA counts) tallied in NumPy as the demo set does for its
map points, so a force of five years loads in seconds rather than re-grouping its rows in SQL.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, insert, select, text

from queries import periods
from queries.count_tables import rebuild_packed_place_counts
from queries.demo import ASB_SUMMER_BOOST, CRIME_MIX, OUTCOMES_CLOSED, OUTCOMES_OPEN, SEASONALITY, STREETS
from queries.importers import bulk
from queries.importers.bookkeeping import log_import
from queries.incident_sources import POLICE_ASB, POLICE_CRIME
from queries.reference import ASB
from queries.schema import (
    ALL_CRIME_ROW,
    area,
    incident,
    incident_count,
    loaded_month,
    lsoa,
    lsoa_count,
    place,
    place_count,
    population,
)

SEED = 20261207
HOME_SLUG = "thames-valley"
PEOPLE_PER_DISTRICT = 180_000
PEOPLE_PER_LSOA = 1_700
POINTS_PER_LSOA = 6
NO_LOCATION_SHARE = 0.03
TYPES = tuple(CRIME_MIX)
SHARES = np.array([CRIME_MIX[t] for t in TYPES])
ASB_INDEX = TYPES.index(ASB)

# data.police.uk force slugs, with roughly each force area's resident population (mid-2020,
# millions, rounded) and street-level records a year per 1,000 residents (rounded, higher in
# the metropolitan forces), so the set totals about 6.5 million records a year. The City of
# London and the British Transport Police have few residents: their yearly records are given.
FORCES: tuple[tuple[str, str, str, float, float], ...] = (
    # slug, name, country, population (millions), records per 1,000 a year
    ("thames-valley", "Thames Valley Police", "E", 2.45, 0),  # the demo set's own rates
    ("avon-and-somerset", "Avon and Somerset Constabulary", "E", 1.75, 105),
    ("bedfordshire", "Bedfordshire Police", "E", 0.68, 105),
    ("cambridgeshire", "Cambridgeshire Constabulary", "E", 0.86, 100),
    ("cheshire", "Cheshire Constabulary", "E", 1.07, 100),
    ("cleveland", "Cleveland Police", "E", 0.57, 150),
    ("cumbria", "Cumbria Constabulary", "E", 0.50, 85),
    ("derbyshire", "Derbyshire Constabulary", "E", 1.06, 95),
    ("devon-and-cornwall", "Devon & Cornwall Police", "E", 1.80, 85),
    ("dorset", "Dorset Police", "E", 0.77, 85),
    ("durham", "Durham Constabulary", "E", 0.64, 115),
    ("dyfed-powys", "Dyfed-Powys Police", "W", 0.52, 75),
    ("essex", "Essex Police", "E", 1.85, 105),
    ("gloucestershire", "Gloucestershire Constabulary", "E", 0.64, 90),
    ("greater-manchester", "Greater Manchester Police", "E", 2.85, 140),
    ("gwent", "Gwent Police", "W", 0.60, 110),
    ("hampshire", "Hampshire Constabulary", "E", 2.00, 100),
    ("hertfordshire", "Hertfordshire Constabulary", "E", 1.19, 90),
    ("humberside", "Humberside Police", "E", 0.93, 125),
    ("kent", "Kent Police", "E", 1.85, 115),
    ("lancashire", "Lancashire Constabulary", "E", 1.50, 115),
    ("leicestershire", "Leicestershire Police", "E", 1.10, 95),
    ("lincolnshire", "Lincolnshire Police", "E", 0.77, 85),
    ("merseyside", "Merseyside Police", "E", 1.43, 130),
    ("metropolitan", "Metropolitan Police Service", "E", 8.90, 125),
    ("norfolk", "Norfolk Constabulary", "E", 0.91, 85),
    ("north-wales", "North Wales Police", "W", 0.70, 95),
    ("north-yorkshire", "North Yorkshire Police", "E", 0.83, 80),
    ("northamptonshire", "Northamptonshire Police", "E", 0.76, 110),
    ("northumbria", "Northumbria Police", "E", 1.46, 120),
    ("nottinghamshire", "Nottinghamshire Police", "E", 1.16, 110),
    ("south-wales", "South Wales Police", "W", 1.33, 115),
    ("south-yorkshire", "South Yorkshire Police", "E", 1.41, 130),
    ("staffordshire", "Staffordshire Police", "E", 1.14, 95),
    ("suffolk", "Suffolk Constabulary", "E", 0.76, 85),
    ("surrey", "Surrey Police", "E", 1.20, 80),
    ("sussex", "Sussex Police", "E", 1.70, 95),
    ("warwickshire", "Warwickshire Police", "E", 0.58, 95),
    ("west-mercia", "West Mercia Police", "E", 1.30, 95),
    ("west-midlands", "West Midlands Police", "E", 2.92, 135),
    ("west-yorkshire", "West Yorkshire Police", "E", 2.35, 140),
    ("wiltshire", "Wiltshire Police", "E", 0.72, 85),
    ("city-of-london", "City of London Police", "E", 0.01, 0),
    ("btp", "British Transport Police", "E", 0.0, 0),
)
# Records a year for the forces whose rate per resident means nothing.
FIXED_YEARLY = {"city-of-london": 8_000, "btp": 70_000}


@dataclass
class SyntheticForce:
    """One made-up force: its districts and LSOAs, and its map points as ids from ``place_base``."""

    index: int
    slug: str
    name: str
    code: str
    population: int
    yearly_rate: float  # records per resident a year
    district_codes: np.ndarray
    district_names: list[str]
    district_populations: np.ndarray
    lsoa_district: np.ndarray  # district index of each LSOA
    lsoa_codes: np.ndarray
    lsoa_names: np.ndarray
    lsoa_cdf: np.ndarray  # district index + cumulative weight within its district, per LSOA
    point_latitude: np.ndarray  # [lsoa, point]
    point_longitude: np.ndarray
    place_base: int = 0

    @cached_property
    def district_by_lsoa(self) -> np.ndarray:
        return self.district_codes[self.lsoa_district]


def national_forces(count: int) -> list[tuple[str, str, str, float, float]]:
    """The first ``count`` forces: the home force first, the British Transport Police last
    (its records lie in the other forces' places)."""
    return list(FORCES[:count]) if count < len(FORCES) else list(FORCES)


def make_force(index: int, slug: str, name: str, country: str, millions: float, rate: float) -> SyntheticForce:
    rng = np.random.default_rng([SEED, index])
    people = int(millions * 1_000_000)
    # BTP has no residents; its map points are lent by the other forces (see ``place_base``).
    districts = max(1, round(people / PEOPLE_PER_DISTRICT)) if people else 0
    lsoas = max(districts, round(people / PEOPLE_PER_LSOA)) if people else 0
    prefix = "W" if country == "W" else "E"
    code = f"{prefix}{'15' if prefix == 'W' else '23'}90{index:04d}"
    district_codes = np.array([f"{prefix}{'06' if prefix == 'W' else '07'}9{index:02d}{d:03d}" for d in range(districts)], dtype=object)
    short = name.split(" Police")[0].split(" Constabulary")[0]
    district_names = [f"{short} district {d + 1}" for d in range(districts)]
    shares = rng.dirichlet(np.full(districts, 8.0)) if districts else np.zeros(0)
    district_populations = np.round(shares * people).astype(np.int64)
    lsoa_district = np.sort(rng.choice(districts, size=lsoas, p=shares)) if districts else np.zeros(0, dtype=np.int64)
    if districts:
        # Every district holds at least one LSOA.
        lsoa_district[:districts] = np.arange(districts)
        lsoa_district.sort()
    # E01/W01 and six digits from 700000: real LSOA codes stop below 040000.
    lsoa_codes = np.array([f"{prefix}01{700_000 + index * 6_000 + i:06d}" for i in range(lsoas)], dtype=object)
    ordinal = np.zeros(lsoas, dtype=np.int64)
    for d in range(districts):
        at = lsoa_district == d
        ordinal[at] = np.arange(at.sum())
    lsoa_names = np.array([f"{district_names[d]} {o // 26 + 1:03d}{chr(65 + o % 26)}" for d, o in zip(lsoa_district, ordinal)],
                          dtype=object)
    # Crime clusters: a few LSOAs of each district take much of its crime.
    weights = rng.gamma(0.7, size=lsoas)
    cdf = np.zeros(lsoas)
    for d in range(districts):
        at = np.flatnonzero(lsoa_district == d)
        cdf[at] = d + np.cumsum(weights[at]) / weights[at].sum()
    centre_lat = rng.uniform(50.6, 53.8) if prefix == "E" else rng.uniform(51.5, 53.2)
    centre_lon = rng.uniform(-3.0, 1.2) if prefix == "E" else rng.uniform(-4.6, -3.0)
    lsoa_lat = centre_lat + rng.normal(0, 0.12, lsoas)
    lsoa_lon = centre_lon + rng.normal(0, 0.18, lsoas)
    offsets = rng.normal(0, 0.002, (lsoas, POINTS_PER_LSOA, 2))
    yearly = FIXED_YEARLY.get(slug)
    return SyntheticForce(
        index=index, slug=slug, name=name, code=code, population=people,
        yearly_rate=(yearly / max(people, 1)) if yearly else rate / 1000,
        district_codes=district_codes, district_names=district_names, district_populations=district_populations,
        lsoa_district=lsoa_district, lsoa_codes=lsoa_codes, lsoa_names=lsoa_names, lsoa_cdf=cdf,
        point_latitude=np.round(lsoa_lat[:, None] + offsets[..., 0], 6),
        point_longitude=np.round(lsoa_lon[:, None] + offsets[..., 1], 6),
    )


def write_geography(conn: Connection, force: SyntheticForce) -> None:
    """The force's areas, populations, LSOAs and map points."""
    conn.execute(insert(area), [{"code": force.code, "name": force.name.removesuffix(" Police"), "level": "force",
                                 "parent_code": None}]
                 + [{"code": c, "name": n, "level": "district", "parent_code": force.code}
                    for c, n in zip(force.district_codes, force.district_names)])
    people = [(force.code, force.population)] + list(zip(force.district_codes, force.district_populations.tolist()))
    estimates = [{"code": c, "year": 2020, "population": int(p), "source": "synthetic (benchmark)"} for c, p in people if p]
    if estimates:  # the British Transport Police has no residents
        conn.execute(insert(population), estimates)
    if not len(force.lsoa_codes):
        return
    bulk.copy_csv(conn, lsoa, ("code", "name", "district_code"), [_csv(pd.DataFrame(
        {"code": force.lsoa_codes, "name": force.lsoa_names, "district_code": force.district_by_lsoa}))])
    start = conn.execute(select(func.coalesce(func.max(place.c.id), 0))).scalar() + 1
    force.place_base = start
    lsoas = len(force.lsoa_codes)
    street_pick = (np.arange(POINTS_PER_LSOA)[None, :] + np.arange(lsoas)[:, None]) % len(STREETS)
    frame = pd.DataFrame({
        "id": start + np.arange(lsoas * POINTS_PER_LSOA),
        "lsoa_code": np.repeat(force.lsoa_codes, POINTS_PER_LSOA),
        "district_code": np.repeat(force.district_by_lsoa, POINTS_PER_LSOA),
        "name": np.array(STREETS, dtype=object)[street_pick.ravel()],
        "longitude": force.point_longitude.ravel(),
        "latitude": force.point_latitude.ravel(),
    })
    bulk.copy_csv(conn, place, tuple(frame.columns), [_csv(frame)])
    conn.execute(text("SELECT setval(pg_get_serial_sequence('place', 'id'), (SELECT max(id) FROM place))"))


@dataclass
class MonthRows:
    """One force-month's incidents as parallel arrays."""

    month: str
    types: np.ndarray  # index into TYPES
    lsoa: np.ndarray  # index into the lending force's LSOAs; -1 when there is no location
    point: np.ndarray
    outcome: np.ndarray  # str or None


def month_rows(force: SyntheticForce, month: str, lender: SyntheticForce | None = None) -> MonthRows:
    """The force's incidents for one month. ``lender``: whose places a force without
    districts of its own (the British Transport Police) records at."""
    rng = np.random.default_rng([SEED, force.index, periods.month_index(month)])
    month_of_year = int(month[5:7]) - 1
    seasonal = np.where(np.arange(len(TYPES)) == ASB_INDEX, ASB_SUMMER_BOOST[month_of_year], SEASONALITY[month_of_year])
    years = (periods.month_index(month) - periods.month_index("2019-01")) / 12
    lockdown = 0.75 if "2020-04" <= month <= "2020-06" else 1.0
    places = lender or force
    if len(force.district_codes):
        base = force.district_populations * force.yearly_rate / 12
    else:
        base = np.array([FIXED_YEARLY.get(force.slug, 0) / 12])
    means = base[:, None] * SHARES[None, :] * seasonal[None, :] * lockdown * (1 + 0.02 * years)
    counts = rng.poisson(means)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    district, types = cell // len(TYPES), cell % len(TYPES)
    n = len(cell)
    if len(force.district_codes):
        lsoa_index = np.searchsorted(places.lsoa_cdf, district + rng.random(n))
    else:
        lsoa_index = rng.integers(len(places.lsoa_codes), size=n)
    lsoa_index = np.minimum(lsoa_index, len(places.lsoa_codes) - 1)
    located = (types == ASB_INDEX) | (rng.random(n) >= NO_LOCATION_SHARE)
    still_open = rng.random(n) < 0.3
    outcomes = np.where(still_open, np.array(OUTCOMES_OPEN, dtype=object)[rng.integers(len(OUTCOMES_OPEN), size=n)],
                        np.array(OUTCOMES_CLOSED, dtype=object)[rng.integers(len(OUTCOMES_CLOSED), size=n)])
    outcomes[types == ASB_INDEX] = None
    return MonthRows(month, types, np.where(located, lsoa_index, -1), rng.integers(POINTS_PER_LSOA, size=n), outcomes)


def _csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False)
    return buffer.getvalue()


def incident_csv(force: SyntheticForce, rows: MonthRows, places: SyntheticForce) -> str:
    at = rows.lsoa >= 0
    lsoa_index = np.where(at, rows.lsoa, 0)
    frame = pd.DataFrame({
        "force_code": force.code,
        "month": rows.month,
        "crime_type": np.array(TYPES, dtype=object)[rows.types],
        "district_code": np.where(at, places.district_by_lsoa[lsoa_index], None),
        "lsoa_code": np.where(at, places.lsoa_codes[lsoa_index], None),
        "location": np.where(at, None, "No Location"),
        "longitude": np.where(at, places.point_longitude[lsoa_index, rows.point], np.nan),
        "latitude": np.where(at, places.point_latitude[lsoa_index, rows.point], np.nan),
        "place_id": pd.array(np.where(at, places.place_base + lsoa_index * POINTS_PER_LSOA + rows.point, 0), dtype="Int64"),
        "last_outcome": rows.outcome,
        "is_synthetic": "f",
    })
    frame["source"] = _sources(frame["crime_type"])
    frame.loc[~at, "place_id"] = pd.NA
    return _csv(frame)


INCIDENT_CSV_COLUMNS = ("force_code", "month", "crime_type", "district_code", "lsoa_code", "location",
                        "longitude", "latitude", "place_id", "last_outcome", "is_synthetic", "source")


def _sources(crime_types) -> np.ndarray:
    """Each row's police.uk source, as the importer gives it (ASB rows are police-asb)."""
    return np.where(np.asarray(crime_types, dtype=object) == ASB, POLICE_ASB, POLICE_CRIME)


def count_csvs(force: SyntheticForce, rows: MonthRows, places: SyntheticForce) -> tuple[str, str, str]:
    """The month's district and force counts, map point counts and LSOA counts, as CSV text
    in the columns of ``incident_count``, ``place_count`` and ``lsoa_count``."""
    t = len(TYPES)
    names = np.array(TYPES, dtype=object)
    at = rows.lsoa >= 0
    # Districts (located rows) and the force (every row), by crime type. The British
    # Transport Police's rows lie in other forces' districts: it counts at force level only.
    frames = []
    force_totals = np.bincount(rows.types, minlength=t)
    frames.append(pd.DataFrame({"area_code": force.code, "crime_type": names, "count": force_totals}))
    if len(force.district_codes):
        district = places.lsoa_district[rows.lsoa[at]]
        tally = np.bincount(district * t + rows.types[at], minlength=len(force.district_codes) * t)
        cells = np.flatnonzero(tally)
        frames.append(pd.DataFrame({"area_code": force.district_codes[cells // t], "crime_type": names[cells % t],
                                    "count": tally[cells]}))
    counts = pd.concat(frames)
    counts = counts[counts["count"] > 0]
    counts.insert(0, "force_code", force.code)
    counts.insert(2, "month", rows.month)
    counts["is_synthetic"] = "f"
    counts["source"] = _sources(counts["crime_type"])
    # Map points by crime type.
    point = rows.lsoa[at] * POINTS_PER_LSOA + rows.point[at]
    keys, tallies = np.unique(point * t + rows.types[at], return_counts=True)
    point_of = keys // t
    place_counts = pd.DataFrame({
        "force_code": force.code, "district_code": places.district_by_lsoa[point_of // POINTS_PER_LSOA],
        "month": rows.month, "place_id": places.place_base + point_of, "crime_type": names[keys % t],
        "count": tallies, "is_synthetic": "f", "source": _sources(names[keys % t]),
    })
    # LSOAs by crime type, and all crime but ASB.
    keys, tallies = np.unique(rows.lsoa[at] * t + rows.types[at], return_counts=True)
    crime = at & (rows.types != ASB_INDEX)
    all_keys, all_tallies = np.unique(rows.lsoa[crime], return_counts=True)
    lsoa_counts = pd.DataFrame({
        "force_code": force.code,
        "lsoa_code": np.concatenate([places.lsoa_codes[keys // t], places.lsoa_codes[all_keys]]),
        "month": rows.month,
        "crime_type": np.concatenate([names[keys % t], np.full(len(all_keys), ALL_CRIME_ROW, dtype=object)]),
        "count": np.concatenate([tallies, all_tallies]), "is_synthetic": "f",
    })
    lsoa_counts["source"] = _sources(lsoa_counts["crime_type"])
    return _csv(counts), _csv(place_counts), _csv(lsoa_counts)


def load_force(conn: Connection, force: SyntheticForce, months: list[str], lender: SyntheticForce | None = None) -> int:
    """Write a made-up force's months (its geography first); return incidents stored."""
    write_geography(conn, force)
    places = lender or force
    per_month: dict[str, int] = {}
    counts: list[str] = []
    place_counts: list[str] = []
    lsoa_counts: list[str] = []

    def incidents() -> Iterator[str]:
        for month in months:
            rows = month_rows(force, month, lender)
            per_month[month] = len(rows.types)
            a, b, c = count_csvs(force, rows, places)
            counts.append(a)
            place_counts.append(b)
            lsoa_counts.append(c)
            yield incident_csv(force, rows, places)

    bulk.copy_csv(conn, incident, INCIDENT_CSV_COLUMNS, incidents())
    bulk.copy_csv(conn, incident_count, ("force_code", "area_code", "month", "crime_type", "count", "is_synthetic",
                                         "source"), counts)
    bulk.copy_csv(conn, place_count, bulk.PLACE_COUNT_COLUMNS, place_counts)
    # The hotspot analysis reads these.
    rebuild_packed_place_counts(conn, force.code, months, districts=force.district_codes.tolist())
    bulk.copy_csv(conn, lsoa_count, ("force_code", "lsoa_code", "month", "crime_type", "count", "is_synthetic", "source"),
                  lsoa_counts)
    total = sum(per_month.values())
    log_id = log_import(conn, kind="synthetic national", filename=f"synthetic-national/{force.slug}",
                        checksum=f"synthetic seed {SEED}", rows_read=total, rows_stored=total, outcome="stored",
                        imported_by="system (national benchmark)")
    conn.execute(insert(loaded_month), [{"force_code": force.code, "month": m, "is_synthetic": False,
                                         "rows_stored": per_month[m], "import_id": log_id} for m in months])
    return total
