"""Repeat locations from police.uk data: how much crime happens at places hit again and again.

A place is a data.police.uk map point ("On or near ..." within an LSOA). These points are
anonymised: each stands for many addresses nearby, so a "repeat location" is a small area
with two or more incidents in the period, not a repeat victim or a single address.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Integer, case, func, literal, select, union_all

from .areas import area_name
from .incident_sources import POLICE_SOURCES
from .reference import ALL_CRIME, AREAS_BY_CODE, districts_in
from .schema import incident_count, place_count

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
    where = (
        place_count.c.district_code.in_(districts),
        place_count.c.month.between(start, end),
        place_count.c.crime_type.in_(crime_types),
        place_count.c.source.in_(POLICE_SOURCES),
    )
    with engine.connect() as conn:
        rows = pd.DataFrame(
            conn.execute(_per_district(where, threshold)).all(),
            columns=["district", "crime_type", "incidents", "places", "repeat_places", "incidents_at_repeat_places"],
        )
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


def _per_district(where, threshold: int):
    """Incidents, places, repeat places and incidents at them, per district and type, and per
    district for all the types together (crime type ``ALL_SELECTED``). One statement: the
    place counts are read and summed per place and type once, and the sums per place over
    all types are made from those (a query per grouping read the rows twice)."""
    per_type = (
        select(place_count.c.district_code, place_count.c.crime_type, place_count.c.place_id,
               func.sum(place_count.c.count).label("n"))
        .where(*where)
        .group_by(place_count.c.district_code, place_count.c.crime_type, place_count.c.place_id)
        .cte("per_type")
    )
    together = (
        select(per_type.c.district_code, literal(ALL_SELECTED).label("crime_type"), per_type.c.place_id,
               func.sum(per_type.c.n).label("n"))
        .group_by(per_type.c.district_code, per_type.c.place_id)
        .subquery()
    )

    def sums(per_place):
        repeat = per_place.c.n >= threshold
        return select(
            per_place.c.district_code, per_place.c.crime_type,
            func.sum(per_place.c.n), func.count(), func.sum(case((repeat, 1), else_=0)),
            func.sum(case((repeat, per_place.c.n), else_=0)),
        ).group_by(per_place.c.district_code, per_place.c.crime_type)

    return union_all(sums(per_type), sums(together))


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPEAT_SCHEMA.items()})
