"""Repeat locations from police.uk data: how much crime happens at places hit again and again.

A place is a data.police.uk map point ("On or near ..." within an LSOA). These points are
anonymised: each stands for many addresses nearby, so a "repeat location" is a small area
with two or more incidents in the period, not a repeat victim or a single address.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Integer, func, select

from .areas import area_name
from .reference import ALL_CRIME, AREAS_BY_CODE, districts_in
from .schema import place_count

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
    at places with ``threshold`` or more incidents of that kind in the period."""
    codes = [c for c in dict.fromkeys(area_codes) if c in AREAS_BY_CODE]
    crime_types = list(crime_types) if crime_types else list(ALL_CRIME)
    districts = sorted({d for c in codes for d in districts_in(c)})
    if not codes or not districts:
        return _empty()
    query = (
        select(
            place_count.c.district_code, place_count.c.place_id, place_count.c.crime_type,
            func.sum(place_count.c.count), func.max(place_count.c.is_synthetic.cast(Integer)),
        )
        .where(
            place_count.c.district_code.in_(districts),
            place_count.c.month.between(start, end),
            place_count.c.crime_type.in_(crime_types),
        )
        .group_by(place_count.c.district_code, place_count.c.place_id, place_count.c.crime_type)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["district", "place_id", "crime_type", "count", "synthetic"])
    if frame.empty:
        return _empty()
    frame["count"] = frame["count"].astype("int64")
    results = []
    for code in codes:
        part = frame[frame["district"].isin(districts_in(code))]
        if part.empty:
            continue
        synthetic = bool(part["synthetic"].any())
        by_type = part.groupby(["crime_type", "place_id"], as_index=False)["count"].sum()
        together = part.groupby("place_id", as_index=False)["count"].sum().assign(crime_type=ALL_SELECTED)
        for crime_type, places in pd.concat([together, by_type]).groupby("crime_type", sort=False):
            repeat = places["count"] >= threshold
            incidents = int(places["count"].sum())
            at_repeat = int(places.loc[repeat, "count"].sum())
            results.append({
                "area_code": code, "area_name": area_name(code), "crime_type": crime_type,
                "incidents": incidents, "places": len(places), "repeat_places": int(repeat.sum()),
                "incidents_at_repeat_places": at_repeat,
                "repeat_share": at_repeat / incidents if incidents else None, "is_synthetic": synthetic,
            })
    if not results:
        return _empty()
    return pd.DataFrame(results, columns=REPEAT_COLUMNS).astype(REPEAT_SCHEMA)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPEAT_SCHEMA.items()})
