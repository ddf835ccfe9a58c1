"""Repeat locations from police.uk data: how much crime happens at places hit again and again.

A place is a data.police.uk map point ("On or near ..." within an LSOA). These points are
anonymised: each stands for many addresses nearby, so a "repeat location" is a small area
with two or more incidents in the period, not a repeat victim or a single address.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Integer, func, select

from .areas import area_name
from .count_tables import unpack_places
from .db import columns_of, fetch_rows
from .incident_sources import POLICE_SOURCES
from .reference import ALL_CRIME, AREAS_BY_CODE, districts_in
from .schema import incident_count, place_count_packed

ALL_SELECTED = "all selected"
REPEAT_SCHEMA = {
    "area_code": "str", "area_name": "str", "crime_type": "str", "incidents": "int64",
    "places": "int64", "repeat_places": "int64", "incidents_at_repeat_places": "int64",
    "repeat_share": "Float64", "is_synthetic": "bool",
}
REPEAT_COLUMNS = list(REPEAT_SCHEMA)


def repeat_locations(
    engine: Engine,
    area_codes: Sequence[str],
    crime_types: Sequence[str] | None,
    start: str,
    end: str,
    threshold: int = 2,
) -> pd.DataFrame:
    """Per area and crime type (and all selected types together): the share of incidents
    at places with ``threshold`` or more incidents of that kind in the period.

    Each place lies in one district, so the database sums per district and a county or
    force adds up its districts.
    """
    codes = [c for c in dict.fromkeys(area_codes) if c in AREAS_BY_CODE]
    crime_types = list(crime_types) if crime_types else list(ALL_CRIME)
    districts = sorted({d for c in codes for d in districts_in(c)})
    if not codes or not districts:
        return _empty()
    with engine.connect() as conn:
        rows = _per_district(conn, districts, crime_types, start, end, threshold)
        # Whether the rows hold demo incidents comes from the district counts of the same
        # incidents, whose index holds the flag: read from the place counts it cost a table
        # lookup per row (their index has no room for it), a fifth of the query's time.
        synthetic = pd.DataFrame(conn.execute(
            select(incident_count.c.area_code, incident_count.c.crime_type,
                   func.max(incident_count.c.is_synthetic.cast(Integer)))
            .where(incident_count.c.area_code.in_(districts), incident_count.c.month.between(start, end),
                   incident_count.c.crime_type.in_(crime_types), incident_count.c.source.in_(POLICE_SOURCES))
            .group_by(incident_count.c.area_code, incident_count.c.crime_type)
        ).all(), columns=["district", "crime_type", "synthetic"])
    together = synthetic.groupby("district", as_index=False)["synthetic"].max().assign(crime_type=ALL_SELECTED)
    rows = rows.merge(pd.concat([synthetic, together]), on=["district", "crime_type"], how="left")
    rows["synthetic"] = rows["synthetic"].fillna(0)
    # Each area adds up its districts' rows: one grouping for all areas, not a loop per area.
    membership = pd.DataFrame([(code, d) for code in codes for d in districts_in(code)], columns=["area_code", "district"])
    sums = membership.merge(rows, on="district").groupby(["area_code", "crime_type"], sort=False, as_index=False).agg(
        incidents=("incidents", "sum"), places=("places", "sum"), repeat_places=("repeat_places", "sum"),
        incidents_at_repeat_places=("incidents_at_repeat_places", "sum"), synthetic=("synthetic", "max"),
    )
    if sums.empty:
        return _empty()
    incidents = sums["incidents"].astype("int64")
    at_repeats = sums["incidents_at_repeat_places"].astype("int64")
    frame = pd.DataFrame({
        "area_code": sums["area_code"], "area_name": sums["area_code"].map(area_name), "crime_type": sums["crime_type"],
        "incidents": incidents, "places": sums["places"], "repeat_places": sums["repeat_places"],
        "incidents_at_repeat_places": at_repeats,
        "repeat_share": (at_repeats / incidents.where(incidents > 0)),
        "is_synthetic": sums["synthetic"].astype(bool),
    }).astype(REPEAT_SCHEMA)
    # All selected types first (area by area, in the chosen order), then each area's types by name.
    position = {code: i for i, code in enumerate(codes)}
    frame["_order"] = (frame["crime_type"] != ALL_SELECTED).astype(int)
    frame["_area"] = frame["area_code"].map(position)
    return (frame.sort_values(["_order", "_area", "crime_type"], kind="stable").drop(columns=["_order", "_area"])
            .reset_index(drop=True))


PER_DISTRICT_COLUMNS = ["district", "crime_type", "incidents", "places", "repeat_places", "incidents_at_repeat_places"]


def _per_district(conn: Connection, districts: list[str], crime_types: list[str], start: str, end: str,
                  threshold: int) -> pd.DataFrame:
    """Incidents, places, repeat places and incidents at them, per district and type, and per
    district for all the types together (crime type ``ALL_SELECTED``).

    Read packed (``place_count_packed``: a row per district, month and type holding its
    places' counts), as the hotspot analysis reads them: a force's year is a few thousand
    rows there against a hundred and fifty thousand in ``place_count``, whose grouping per
    place cost the database most of this page's time. The sums per place are made here."""
    query = select(place_count_packed.c.district_code, place_count_packed.c.crime_type,
                   place_count_packed.c.places).where(
        place_count_packed.c.district_code.in_(districts), place_count_packed.c.month.between(start, end),
        place_count_packed.c.crime_type.in_(crime_types), place_count_packed.c.source.in_(POLICE_SOURCES))
    row_districts, row_types, blobs = columns_of(fetch_rows(conn, query), 3)
    place, count, sizes = unpack_places(blobs)
    if not len(place):
        return pd.DataFrame([], columns=PER_DISTRICT_COLUMNS)
    district_code, district_values = pd.factorize(np.asarray(row_districts, dtype=object))
    type_code, type_values = pd.factorize(np.asarray(row_types, dtype=object))
    district = np.repeat(district_code, sizes)
    by_type = district * len(type_values) + np.repeat(type_code, sizes)
    frames = []
    for group, names in ((by_type, lambda g: (district_values[g // len(type_values)], type_values[g % len(type_values)])),
                         (district, lambda g: (district_values[g], np.full(len(g), ALL_SELECTED, dtype=object)))):
        sums = _place_sums(group, place, count, threshold)
        held = np.flatnonzero(sums[1] > 0)
        district_names, type_names = names(held)
        frames.append(pd.DataFrame({"district": district_names, "crime_type": type_names,
                                    **{c: s[held] for c, s in zip(PER_DISTRICT_COLUMNS[2:], sums)}}))
    return pd.concat(frames, ignore_index=True)


def _place_sums(group: np.ndarray, place: np.ndarray, count: np.ndarray, threshold: int) -> tuple[np.ndarray, ...]:
    """Per group (0 to the largest): incidents, places, repeat places (``threshold`` or more
    incidents) and incidents at them, a place's count summed over its months first."""
    width = int(place.max()) + 1
    key, at = np.unique(group * width + place, return_inverse=True)
    per_place = np.bincount(at, weights=count).astype(np.int64)
    owner = key // width
    size = int(group.max()) + 1
    repeat = per_place >= threshold
    return (np.bincount(owner, weights=per_place, minlength=size).astype(np.int64),
            np.bincount(owner, minlength=size).astype(np.int64),
            np.bincount(owner, weights=repeat, minlength=size).astype(np.int64),
            np.bincount(owner, weights=np.where(repeat, per_place, 0), minlength=size).astype(np.int64))


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPEAT_SCHEMA.items()})
