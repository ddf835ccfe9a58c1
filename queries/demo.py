"""A deterministic, synthetic demo set of incidents in the data.police.uk street format.

SYNTHETIC DATA: every row is made up. The set covers the 13 Thames Valley authorities
from January 2019 to the latest full month, with a crime-type mix, seasonality and
spatial clustering like the real files, so that the dashboard can be explored before
real files are imported. Rows are written as data.police.uk CSV and go through the same
importer as real files, flagged ``is_synthetic``; importing real files for the force
removes them.

Each (district, month) draws from its own seeded generator, so a month's rows never
change when the range grows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import chain, repeat
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, delete

from . import periods
from .demo_places import real_lsoas
from .importers import bulk
from .importers.bookkeeping import bump_data_version
from .importers.files import InputFile
from .importers.policeuk_parse import STREET_HEADER
from .incident_sources import police_source_of
from .reference import AREAS, CRIME_TYPES_BY_SLUG, DEMO_FORCE_CODE, DISTRICT_BY_LSOA_PREFIX, FORCES_BY_CODE
from .schema import incident, place, place_count

SEED = 20190101
ASB = "anti-social-behaviour"
FIRST_MONTH = "2019-01"
FORCE = FORCES_BY_CODE[DEMO_FORCE_CODE]

# Approximate shares of each crime type in Thames Valley street-level files (rounded from
# the 2022 and 2024 files), so the demo's mix looks like the real one.
CRIME_MIX = {
    "violent-crime": 0.395, "public-order": 0.095, "anti-social-behaviour": 0.092,
    "other-theft": 0.081, "criminal-damage-arson": 0.080, "vehicle-crime": 0.068,
    "shoplifting": 0.075, "burglary": 0.040, "drugs": 0.027, "other-crime": 0.018,
    "bicycle-theft": 0.016, "theft-from-the-person": 0.014, "possession-of-weapons": 0.007,
    "robbery": 0.006,
}
# Month-of-year multipliers: crime and ASB peak in summer, dip in February.
SEASONALITY = np.array([0.94, 0.88, 0.97, 0.98, 1.04, 1.05, 1.09, 1.06, 1.02, 1.02, 0.98, 0.97])
ASB_SUMMER_BOOST = np.array([0.85, 0.8, 0.95, 1.05, 1.15, 1.2, 1.25, 1.2, 1.0, 0.95, 0.85, 0.8])

# Town centres (approximate WGS84 coordinates) with each town's share of its district's
# incidents, and each district's yearly incidents per 1,000 residents (street-level data).
TOWNS: dict[str, tuple[float, list[tuple[str, float, float, float]]]] = {
    "Oxford": (112, [("Oxford", 51.752, -1.258, 1.0)]),
    "Cherwell": (72, [("Banbury", 52.061, -1.340, 0.5), ("Bicester", 51.899, -1.153, 0.35), ("Kidlington", 51.823, -1.287, 0.15)]),
    "South Oxfordshire": (48, [("Didcot", 51.609, -1.241, 0.35), ("Henley-on-Thames", 51.536, -0.903, 0.2), ("Thame", 51.745, -0.975, 0.2), ("Wallingford", 51.600, -1.125, 0.25)]),
    "Vale of White Horse": (50, [("Abingdon", 51.671, -1.283, 0.5), ("Wantage", 51.588, -1.426, 0.25), ("Faringdon", 51.657, -1.586, 0.25)]),
    "West Oxfordshire": (48, [("Witney", 51.785, -1.485, 0.5), ("Carterton", 51.759, -1.594, 0.3), ("Chipping Norton", 51.942, -1.545, 0.2)]),
    "Bracknell Forest": (70, [("Bracknell", 51.416, -0.752, 0.8), ("Crowthorne", 51.370, -0.792, 0.2)]),
    "West Berkshire": (58, [("Newbury", 51.401, -1.323, 0.6), ("Thatcham", 51.405, -1.261, 0.25), ("Hungerford", 51.415, -1.515, 0.15)]),
    "Reading": (118, [("Reading", 51.454, -0.973, 1.0)]),
    "Slough": (120, [("Slough", 51.510, -0.595, 1.0)]),
    "Windsor and Maidenhead": (64, [("Maidenhead", 51.522, -0.719, 0.6), ("Windsor", 51.483, -0.604, 0.4)]),
    "Wokingham": (50, [("Wokingham", 51.411, -0.834, 0.5), ("Woodley", 51.452, -0.903, 0.3), ("Earley", 51.433, -0.933, 0.2)]),
    "Milton Keynes": (104, [("Milton Keynes", 52.041, -0.760, 0.8), ("Newport Pagnell", 52.087, -0.722, 0.2)]),
    "Buckinghamshire": (62, [("Aylesbury", 51.816, -0.812, 0.35), ("High Wycombe", 51.629, -0.748, 0.4), ("Amersham", 51.677, -0.607, 0.1), ("Chesham", 51.705, -0.611, 0.08), ("Beaconsfield", 51.611, -0.644, 0.07)]),
}
# Mid-2020 populations (data/population), so the demo's rates are of the right size.
POPULATION = {
    "Oxford": 151584, "Cherwell": 151846, "South Oxfordshire": 143782, "Vale of White Horse": 137910,
    "West Oxfordshire": 111758, "Bracknell Forest": 124165, "West Berkshire": 158465, "Reading": 160337,
    "Slough": 149577, "Windsor and Maidenhead": 151273, "Wokingham": 173945, "Milton Keynes": 270203,
    "Buckinghamshire": 547060,
}
STREETS = [
    "High Street", "Station Road", "Church Lane", "Park Road", "Mill Lane", "Victoria Road",
    "Green Lane", "Manor Road", "School Lane", "The Crescent", "Queens Road", "Kings Road",
    "London Road", "Bridge Street", "Market Place", "Springfield Road", "Orchard Close",
    "Meadow Way", "Chapel Street", "New Road", "Windmill Road", "Sports Centre",
    "Supermarket", "Parking Area", "Petrol Station", "Shopping Area", "Nightclub",
]
OUTCOMES_OPEN = ["Under investigation", "Awaiting court outcome"]
OUTCOMES_CLOSED = [
    "Investigation complete; no suspect identified", "Unable to prosecute suspect",
    "Status update unavailable", "Local resolution", "Offender given a caution",
    "Court result unavailable", "Further investigation is not in the public interest",
    "Formal action is not in the public interest", "Suspect charged as part of another case",
]
NO_LOCATION_SHARE = 0.03
# A first start writes the latest five years: enough for five-year trends, year-on-year
# change and financial years, in well under half a minute and 300 MB. ``flask load-demo
# --from 2019-01`` writes the whole set (the trend is anchored at FIRST_MONTH either way).
RECENT_YEARS = 5


@dataclass(frozen=True)
class DemoLsoa:
    code: str
    name: str
    latitude: float
    longitude: float
    weight: float
    streets: tuple[tuple[str, float, float], ...]


def latest_full_month(today: date | None = None) -> str:
    today = today or date.today()
    return periods.add_months(f"{today.year:04d}-{today.month:02d}", -1)


@cache
def demo_lsoas(district: str, index: int) -> tuple[DemoLsoa, ...]:
    """The district's real LSOAs, busier near its towns, with map points inside each polygon
    (``demo_places``)."""
    rng = np.random.default_rng([SEED, index, 0])
    code = next(a.code for a in AREAS if a.name == district)
    return tuple(DemoLsoa(*lsoa) for lsoa in real_lsoas(code, TOWNS[district][1], STREETS, rng))


@dataclass(frozen=True)
class Block:
    """The incidents of one crime type in one district and month, as parallel arrays.

    Rows are built from these arrays without a Python loop per incident: the CSV writer
    and the direct database load both read them.
    """

    month: str
    district: str
    district_index: int
    slug: str
    crime_ids: np.ndarray  # str; "" for anti-social behaviour, which has no crime id
    located: np.ndarray  # bool; False for the "No Location" rows
    lsoa_index: np.ndarray
    street_index: np.ndarray
    outcomes: np.ndarray  # str; "" where there is no crime id


@dataclass(frozen=True)
class DistrictArrays:
    """A district's synthetic LSOAs and map points as arrays indexed [lsoa] or [lsoa, street]."""

    codes: np.ndarray
    names: np.ndarray
    streets: np.ndarray
    latitudes: np.ndarray
    longitudes: np.ndarray
    latitude_text: np.ndarray
    longitude_text: np.ndarray


OUTCOME_CHOICES_OPEN = np.array(OUTCOMES_OPEN, dtype=object)
OUTCOME_CHOICES_CLOSED = np.array(OUTCOMES_CLOSED, dtype=object)


@cache
def district_arrays(district: str, index: int) -> DistrictArrays:
    lsoas = demo_lsoas(district, index)
    streets = np.array([[s[0] for s in lsoa.streets] for lsoa in lsoas], dtype=object)
    # Coordinates as the CSV prints them (six decimals) and as the importer reads them back.
    lat_text = np.array([[f"{s[1]:.6f}" for s in lsoa.streets] for lsoa in lsoas], dtype=object)
    lon_text = np.array([[f"{s[2]:.6f}" for s in lsoa.streets] for lsoa in lsoas], dtype=object)
    return DistrictArrays(
        codes=np.array([lsoa.code for lsoa in lsoas], dtype=object),
        names=np.array([lsoa.name for lsoa in lsoas], dtype=object),
        streets=streets,
        latitudes=np.vectorize(float, otypes=[float])(lat_text),
        longitudes=np.vectorize(float, otypes=[float])(lon_text),
        latitude_text=lat_text,
        longitude_text=lon_text,
    )


def month_blocks(month: str, scale: float = 1.0, last_month: str | None = None) -> Iterator[Block]:
    """Every synthetic incident of the force for one month, block by block."""
    month_of_year = int(month[5:7]) - 1
    years_since_start = (periods.month_index(month) - periods.month_index(FIRST_MONTH)) / 12
    lockdown = 0.75 if "2020-04" <= month <= "2020-06" else 1.0
    for index, (district, (rate, _towns)) in enumerate(TOWNS.items()):
        rng = np.random.default_rng([SEED, index, periods.month_index(month)])
        lsoas = demo_lsoas(district, index)
        weights = np.array([lsoa.weight for lsoa in lsoas])
        # One LSOA per district turns into an emerging hotspot in the last three months.
        if last_month and periods.month_index(last_month) - periods.month_index(month) < 3:
            weights = weights.copy()
            weights[index % len(weights)] *= 4
        weights /= weights.sum()
        base = POPULATION[district] / 1000 * rate / 12 * scale * lockdown * (1 + 0.02 * years_since_start)
        for slug, share in CRIME_MIX.items():
            seasonal = ASB_SUMMER_BOOST if slug == "anti-social-behaviour" else SEASONALITY
            n = int(rng.poisson(base * share * seasonal[month_of_year]))
            placed = rng.choice(len(lsoas), size=n, p=weights)
            no_location = rng.random(n) < NO_LOCATION_SHARE
            ids = rng.bytes(32 * n).hex()
            outcomes = _outcomes(rng, n, month, last_month)
            street_pick = rng.integers(8, size=n)
            if slug == "anti-social-behaviour":
                crime_ids = np.full(n, "", dtype=object)
                outcomes = np.full(n, "", dtype=object)
                located = np.ones(n, dtype=bool)
            else:
                crime_ids = np.frombuffer(ids.encode("ascii"), dtype="S64").astype(str).astype(object)
                located = ~no_location
            yield Block(month, district, index, slug, crime_ids, located, placed, street_pick, outcomes)


def month_rows(month: str, scale: float = 1.0, last_month: str | None = None) -> list[list[str]]:
    """Every synthetic street-level row of the force for one month, as CSV fields."""
    rows: list[list[str]] = []
    for block in month_blocks(month, scale, last_month):
        arrays = district_arrays(block.district, block.district_index)
        name = CRIME_TYPES_BY_SLUG[block.slug].name
        lsoa, street = block.lsoa_index, block.street_index
        lon = arrays.longitude_text[lsoa, street]
        lat = arrays.latitude_text[lsoa, street]
        location = arrays.streets[lsoa, street]
        code, lsoa_name = arrays.codes[lsoa], arrays.names[lsoa]
        unlocated = ~block.located
        lon[unlocated] = lat[unlocated] = code[unlocated] = lsoa_name[unlocated] = ""
        location[unlocated] = "No Location"
        rows.extend(
            [crime_id, block.month, FORCE.name, FORCE.name, x, y, where, c, n, name, outcome, ""]
            for crime_id, x, y, where, c, n, outcome in zip(
                block.crime_ids.tolist(), lon.tolist(), lat.tolist(), location.tolist(), code.tolist(),
                lsoa_name.tolist(), block.outcomes.tolist(),
            )
        )
    return rows


def _outcomes(rng: np.random.Generator, n: int, month: str, last_month: str | None) -> np.ndarray:
    """Outcomes as the download would show them: recent crimes are mostly still open."""
    age = periods.month_index(last_month or month) - periods.month_index(month)
    still_open = rng.random(n) < max(0.1, 0.7 - 0.1 * age)
    open_pick = rng.integers(len(OUTCOMES_OPEN), size=n)
    closed_pick = rng.integers(len(OUTCOMES_CLOSED), size=n)
    return np.where(still_open, OUTCOME_CHOICES_OPEN[open_pick], OUTCOME_CHOICES_CLOSED[closed_pick])


def month_csv(month: str, scale: float = 1.0, last_month: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STREET_HEADER)
    writer.writerows(month_rows(month, scale, last_month))
    return buffer.getvalue().encode("utf-8")


def recent_first_month(last: str | None = None, years: int = RECENT_YEARS) -> str:
    """The first month of the set a first start writes: the latest ``years`` full years."""
    return periods.add_months(last or latest_full_month(), -(12 * years - 1))


def demo_months(first: str = FIRST_MONTH, last: str | None = None) -> list[str]:
    return periods.months_between(first, last or latest_full_month())


def iter_demo_files(first: str = FIRST_MONTH, last: str | None = None, scale: float = 1.0) -> Iterator[InputFile]:
    last = last or latest_full_month()
    for month in demo_months(first, last):
        data = month_csv(month, scale, last)
        yield InputFile(f"synthetic-demo/{month}-thames-valley-street.csv", lambda d=data: d)


def write_demo_files(folder: Path, first: str = FIRST_MONTH, last: str | None = None, scale: float = 1.0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in iter_demo_files(first, last, scale):
        path = folder / source.base_name
        path.write_bytes(source.read_bytes())
        written.append(path)
    return written


def load_demo(
    engine: Engine,
    first: str = FIRST_MONTH,
    last: str | None = None,
    scale: float = 1.0,
    progress=None,
    synthetic: bool = True,
) -> int:
    """Write the synthetic set into the database (one transaction); return rows stored.

    Months that already hold real incidents are left alone. The rows are made valid, so
    they skip the CSV text and the importer's row checks and go straight to the database
    (see ``importers.bulk``); ``month_csv`` gives the same rows as a police.uk file.
    ``progress`` is called with 1 after each month. ``synthetic=False`` stores the rows
    as if imported from real files (benchmark databases of the whole force).
    """
    from .counts import loaded_months_with_source

    last = last or latest_full_month()
    real = {m for m, synthetic in loaded_months_with_source(engine, FORCE.code) if not synthetic}
    months = [m for m in demo_months(first, last) if m not in real]
    if not months:
        return 0
    districts = list(TOWNS)
    with engine.begin() as conn:
        bulk.clear_months(conn, FORCE.code, months)
        place_grid = _place_grids(conn, districts)
        indexes = bulk.drop_indexes_while_empty(conn, (incident, place_count))
        per_month: dict[str, int] = {}
        used = {district: np.zeros(place_grid[district].shape, dtype=bool) for district in districts}
        for month in months:
            blocks = list(month_blocks(month, scale, last))
            bulk.insert_rows(conn, incident, bulk.INCIDENT_COLUMNS,
                             chain.from_iterable(_incident_tuples(b, place_grid[b.district], synthetic) for b in blocks))
            bulk.insert_rows(conn, place_count, bulk.PLACE_COUNT_COLUMNS,
                             chain.from_iterable(_place_counts(b, place_grid[b.district], synthetic) for b in blocks))
            for block in blocks:
                used[block.district][block.lsoa_index[block.located], block.street_index[block.located]] = True
            per_month[month] = sum(len(b.located) for b in blocks)
            if progress:
                progress(1)
        _keep_used_places(conn, districts, place_grid, used)
        bulk.create_indexes(conn, indexes)
        bulk.finish_months(
            conn, FORCE.code, per_month, kind="synthetic demo",
            filename=f"synthetic-demo/{months[0]}..{months[-1]}-thames-valley-street.csv",
            checksum=f"synthetic seed {SEED} scale {scale} last {last}", imported_by="system (synthetic demo)",
            is_synthetic=synthetic, place_counts_stored=True,
        )
        bump_data_version(conn)
    if engine.dialect.name == "sqlite":
        # Fold the write-ahead log into the database file now rather than leave a log as
        # large as the data until the next automatic checkpoint.
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(per_month.values())


def _place_grids(conn, districts: list[str]) -> dict[str, np.ndarray]:
    """Each district's map point ids as an [lsoa, street] array (points added as needed)."""
    points = []
    for index, district in enumerate(districts):
        arrays = district_arrays(district, index)
        district_code = DISTRICT_BY_LSOA_PREFIX[district]
        for i, code in enumerate(arrays.codes):
            for j in range(arrays.streets.shape[1]):
                points.append((code, district_code, arrays.streets[i, j], arrays.longitudes[i, j], arrays.latitudes[i, j]))
    ids = bulk.place_ids(conn, points)
    grids = {}
    for index, district in enumerate(districts):
        arrays = district_arrays(district, index)
        grid = np.empty(arrays.streets.shape, dtype=np.int64)
        for (i, j), name in np.ndenumerate(arrays.streets):
            grid[i, j] = ids[(arrays.codes[i], name, arrays.longitudes[i, j], arrays.latitudes[i, j])]
        grids[district] = grid
    return grids


def _incident_tuples(block: Block, place_grid: np.ndarray, synthetic: bool = True) -> Iterator[tuple]:
    """The block's rows in ``bulk.INCIDENT_COLUMNS`` order.

    Synthetic crimes keep no crime id in the database: the id only matches outcomes files,
    and none will ever name a made-up crime (``month_csv`` still prints ids). A located
    row's street name is its map point's (``place.name``), so it is not stored twice.
    Leaving both out more than halves the stored size of a row and of its indexes.
    """
    arrays = district_arrays(block.district, block.district_index)
    at = block.located
    lsoa, street = block.lsoa_index[at], block.street_index[at]
    n = len(lsoa)
    source = police_source_of(block.slug)
    located = zip(
        repeat(FORCE.code, n), repeat(block.month), repeat(None), repeat(block.slug),
        repeat(DISTRICT_BY_LSOA_PREFIX[block.district]), arrays.codes[lsoa].tolist(), repeat(None),
        arrays.longitudes[lsoa, street].tolist(), arrays.latitudes[lsoa, street].tolist(),
        place_grid[lsoa, street].tolist(), repeat(None, n) if block.slug == ASB else block.outcomes[at].tolist(),
        repeat(synthetic), repeat(source),
    )
    unlocated = (
        (FORCE.code, block.month, None, block.slug, None, None, "No Location", None, None, None, outcome or None, synthetic,
         source)
        for outcome in block.outcomes[~at].tolist()
    )
    return chain(located, unlocated)


def _place_counts(block: Block, place_grid: np.ndarray, synthetic: bool = True) -> Iterator[tuple]:
    """Incidents per map point for the block, in ``bulk.PLACE_COUNT_COLUMNS`` order."""
    at = block.located
    places, tallies = np.unique(place_grid[block.lsoa_index[at], block.street_index[at]], return_counts=True)
    return zip(
        repeat(FORCE.code), repeat(DISTRICT_BY_LSOA_PREFIX[block.district]), repeat(block.month),
        places.tolist(), repeat(block.slug), tallies.tolist(), repeat(synthetic), repeat(police_source_of(block.slug)),
    )


def _keep_used_places(conn, districts: list[str], place_grid: dict[str, np.ndarray], used: dict[str, np.ndarray]) -> None:
    """Register the LSOAs incidents fell in; drop map points no incident was placed at."""
    lsoas, unused = {}, []
    for index, district in enumerate(districts):
        arrays = district_arrays(district, index)
        for i in np.flatnonzero(used[district].any(axis=1)):
            lsoas[arrays.codes[i]] = (arrays.names[i], DISTRICT_BY_LSOA_PREFIX[district])
        unused.extend(place_grid[district][~used[district]].tolist())
    bulk.register_lsoas(conn, lsoas)
    for start in range(0, len(unused), 500):
        conn.execute(delete(place).where(place.c.id.in_(unused[start : start + 500])))
