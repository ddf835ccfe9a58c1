"""Street names for the hotspot map: the busiest streets of an area's police.uk map points,
and a real street for the points police.uk names only by a kind of place ("Supermarket").

police.uk snaps every incident to an anonymous map point named "On or near <street>"; some
points are named by what is there instead ("On or near Parking Area"), which tells a reader
nothing about where it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from . import hexgrid
from .db import fetch_rows
from .incident_sources import count_conditions
from .reference import districts_in
from .schema import place, place_count

PREFIX = "On or near "
# police.uk's names for a map point that is a kind of place, not a street (seen across
# Thames Valley's files; a named one, "Westgate Shopping Centre", says where it is and stays).
GENERIC_NAMES = frozenset({
    "Airport/Airfield", "Bus/Coach Station", "Conference/Exhibition Centre", "Further/Higher Educational Building",
    "Hospital", "Motorway Service Area", "Nightclub", "Park/Open Space", "Parking Area", "Pedestrian Subway",
    "Petrol Station", "Police Station", "Prison", "Race Track", "Shopping Area", "Sports/Recreation Area",
    "Supermarket", "Theatre/Concert Hall", "Theme/Adventure Park",
})
NEAR_METRES = 250  # how far a "near <street>" may look: a few map points apart in a town


# police.uk writes a possessive's s in capitals ("St George'S Place"); shown as a street sign
# reads ("St George's Place"). A capital after a capital is left: "O'Sullivan Road".
SHOUTED_POSSESSIVE = r"(?<=[a-z])'S\b"


def tidy_names(names: pd.Series) -> pd.Series:
    """Map point names as a street sign writes them (police.uk's "'S" as "'s")."""
    return names.str.replace(SHOUTED_POSSESSIVE, "'s", regex=True)


def street_of(name: str) -> str:
    """A map point's name without police.uk's "On or near "."""
    return name.removeprefix(PREFIX).strip()


def is_generic(name: str) -> bool:
    return street_of(name) in GENERIC_NAMES


def generic_mask(names: pd.Series) -> np.ndarray:
    """``is_generic`` of every name at once (missing names are not generic): a force's ten
    thousand map points through pandas' string methods cost more than the k-d tree search
    they feed, and one by one in Python half as much."""
    values = names.to_numpy(dtype=object, na_value=None)
    return np.fromiter((name is not None and street_of(str(name)) in GENERIC_NAMES for name in values),
                       dtype=bool, count=len(values))


def area_points(engine: Engine, area_code: str) -> pd.DataFrame:
    """Every police.uk map point in the area: name, district, longitude, latitude."""
    query = (select(place.c.id, place.c.name, place.c.district_code, place.c.longitude, place.c.latitude)
             .where(place.c.district_code.in_(list(districts_in(area_code)))))
    with engine.connect() as conn:
        rows = fetch_rows(conn, query)
    points = pd.DataFrame(rows, columns=["place_id", "name", "district_code", "longitude", "latitude"])
    return points.assign(name=tidy_names(points["name"]))


def point_counts(engine: Engine, area_code: str, crime_types: Sequence[str] | None, first: str,
                 last: str, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """The area's map points with their incidents from ``first`` to ``last`` (points with none
    left out), of the sources given (police.uk's by default)."""
    query = (select(place_count.c.place_id, func.sum(place_count.c.count))
             .where(place_count.c.district_code.in_(list(districts_in(area_code))),
                    place_count.c.month.between(first, last), count_conditions(place_count, sources, crime_types))
             .group_by(place_count.c.place_id))
    with engine.connect() as conn:
        rows = fetch_rows(conn, query)
    counts = pd.DataFrame(rows, columns=["place_id", "count"])
    points = area_points(engine, area_code)
    return points.merge(counts, on="place_id").astype({"count": "int64"})


def street_points(engine: Engine, area_code: str) -> pd.DataFrame:
    """``named_points`` of the area's map points: what ``nearest_named`` searches, worked out
    once per import rather than for every page (a force's ten thousand points)."""
    return named_points(area_points(engine, area_code))


@dataclass(frozen=True)
class NamedPoints:
    """The map points that name a street: their street and position in metres, with the k-d
    tree that finds the nearest of them, built once per import (and cached with them) rather
    than on every request that looks one up."""

    street: np.ndarray  # text
    x: np.ndarray
    y: np.ndarray
    tree: object  # scipy's cKDTree of (x, y)

    @property
    def empty(self) -> bool:
        return len(self.street) == 0


def named_points(points: pd.DataFrame) -> NamedPoints:
    """The ``NamedPoints`` of these map points."""
    # Imported here: scipy costs start-up time, and a k-d tree answers every position in one
    # call (a whole force's places against its map points took seconds one by one).
    from scipy.spatial import cKDTree

    named = points[~generic_mask(points["name"])]
    x, y = hexgrid.to_metres(named["longitude"].to_numpy(float), named["latitude"].to_numpy(float))
    return NamedPoints(np.array([street_of(name) for name in named["name"]], dtype=object), x, y,
                       cKDTree(np.column_stack([x, y])))


def nearest_named(longitude, latitude, named: NamedPoints, max_metres: float = NEAR_METRES) -> list[str | None]:
    """For each position, the street of the nearest of the ``named`` points within
    ``max_metres`` (None where there is none)."""
    if named.empty:
        return [None] * len(longitude)
    x, y = hexgrid.to_metres(np.asarray(longitude, dtype=float), np.asarray(latitude, dtype=float))
    distance, at = named.tree.query(np.column_stack([np.atleast_1d(x), np.atleast_1d(y)]))
    return [str(named.street[i]) if d <= max_metres else None for d, i in zip(distance, at)]


def busiest_streets(counts: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The ``limit`` streets with the most incidents (a street's map points added up, within
    one district, as "High Street" is in many towns), each placed at its busiest map point;
    kinds of place ("Supermarket") are no street and are left out."""
    named = counts[~generic_mask(counts["name"])].assign(street=lambda f: f["name"].map(street_of))
    if named.empty:
        return pd.DataFrame(columns=["street", "district_code", "count", "longitude", "latitude"])
    named = named.sort_values(["count", "place_id"], ascending=[False, True])
    busiest = named.drop_duplicates(["street", "district_code"])
    totals = named.groupby(["street", "district_code"], as_index=False)["count"].sum()
    streets = busiest[["street", "district_code", "longitude", "latitude"]].merge(totals, on=["street", "district_code"])
    streets = streets.sort_values(["count", "street"], ascending=[False, True]).head(limit)
    return streets[["street", "district_code", "count", "longitude", "latitude"]].reset_index(drop=True)
