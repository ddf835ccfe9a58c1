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
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from . import periods
from .demo_places import real_lsoas
from .importers.bookkeeping import bump_data_version
from .importers.files import InputFile
from .importers.policeuk_parse import STREET_HEADER, parse_street
from .importers.policeuk_store import store_street
from .reference import AREAS, CRIME_TYPES_BY_SLUG, FORCES_BY_SLUG

SEED = 20190101
FIRST_MONTH = "2019-01"
FORCE = FORCES_BY_SLUG["thames-valley"]

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


def month_rows(month: str, scale: float = 1.0, last_month: str | None = None) -> list[list[str]]:
    """Every synthetic street-level row of the force for one month, as CSV fields."""
    rows: list[list[str]] = []
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
            name = CRIME_TYPES_BY_SLUG[slug].name
            for k in range(n):
                crime_id = "" if slug == "anti-social-behaviour" else ids[64 * k : 64 * k + 64]
                outcome = outcomes[k] if crime_id else ""
                if no_location[k] and crime_id:
                    rows.append([crime_id, month, FORCE.name, FORCE.name, "", "", "No Location", "", "", name, outcome, ""])
                    continue
                lsoa = lsoas[placed[k]]
                street, lat, lon = lsoa.streets[street_pick[k]]
                rows.append(
                    [crime_id, month, FORCE.name, FORCE.name, f"{lon:.6f}", f"{lat:.6f}", street,
                     lsoa.code, lsoa.name, name, outcome, ""]
                )
    return rows


def _outcomes(rng: np.random.Generator, n: int, month: str, last_month: str | None) -> list[str]:
    """Outcomes as the download would show them: recent crimes are mostly still open."""
    age = periods.month_index(last_month or month) - periods.month_index(month)
    still_open = rng.random(n) < max(0.1, 0.7 - 0.1 * age)
    open_pick = rng.integers(len(OUTCOMES_OPEN), size=n)
    closed_pick = rng.integers(len(OUTCOMES_CLOSED), size=n)
    return [
        OUTCOMES_OPEN[o] if is_open else OUTCOMES_CLOSED[c]
        for is_open, o, c in zip(still_open, open_pick, closed_pick)
    ]


def month_csv(month: str, scale: float = 1.0, last_month: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STREET_HEADER)
    writer.writerows(month_rows(month, scale, last_month))
    return buffer.getvalue().encode("utf-8")


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
) -> int:
    """Write the synthetic set into the database (one transaction); return rows stored.

    Months that already hold real incidents are left alone.
    """
    from .counts import loaded_months_with_source

    real = {m for m, synthetic in loaded_months_with_source(engine, FORCE.code) if not synthetic}
    stored = 0
    with engine.begin() as conn:
        for source in iter_demo_files(first, last, scale):
            if source.base_name[:7] in real:
                continue
            parsed = parse_street(source, source.read_bytes(), is_synthetic=True)
            summary = store_street(conn, parsed, "system (synthetic demo)", kind="synthetic demo")
            stored += summary.rows_stored
            if progress:
                progress(1)
        bump_data_version(conn)
    return stored
