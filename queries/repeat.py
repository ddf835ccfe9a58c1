"""Repeat locations from police.uk data: how much crime happens at places hit again and again.

A place is a data.police.uk map point ("On or near ..." within an LSOA). These points are
anonymised: each stands for many addresses nearby, so a "repeat location" is a small area
with two or more incidents in the period, not a repeat victim or a single address.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Integer, case, func, select

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
    )
    with engine.connect() as conn:
        by_type = conn.execute(_per_district(where, by_type=True, threshold=threshold)).all()
        together = conn.execute(_per_district(where, by_type=False, threshold=threshold)).all()
    rows = pd.DataFrame(
        [r for r in by_type] + [(r[0], ALL_SELECTED, *r[1:]) for r in together],
        columns=["district", "crime_type", "incidents", "places", "repeat_places", "incidents_at_repeat_places", "synthetic"],
    )
    if rows.empty:
        return _empty()
    results = []
    for code in codes:
        part = rows[rows["district"].isin(districts_in(code))]
        if part.empty:
            continue
        sums = part.groupby("crime_type", sort=False).agg(
            incidents=("incidents", "sum"), places=("places", "sum"), repeat_places=("repeat_places", "sum"),
            incidents_at_repeat_places=("incidents_at_repeat_places", "sum"), synthetic=("synthetic", "max"),
        )
        for crime_type, r in sums.iterrows():
            results.append({
                "area_code": code, "area_name": area_name(code), "crime_type": crime_type,
                "incidents": int(r["incidents"]), "places": int(r["places"]), "repeat_places": int(r["repeat_places"]),
                "incidents_at_repeat_places": int(r["incidents_at_repeat_places"]),
                "repeat_share": r["incidents_at_repeat_places"] / r["incidents"] if r["incidents"] else None,
                "is_synthetic": bool(r["synthetic"]),
            })
    frame = pd.DataFrame(results, columns=REPEAT_COLUMNS).astype(REPEAT_SCHEMA)
    # All selected types first, then types in the order of the counts.
    frame["_order"] = (frame["crime_type"] != ALL_SELECTED).astype(int)
    return frame.sort_values(["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def _per_district(where, by_type: bool, threshold: int):
    """Incidents, places, repeat places and incidents at them, per district (and type)."""
    keys = [place_count.c.district_code] + ([place_count.c.crime_type] if by_type else [])
    per_place = (
        select(*keys, place_count.c.place_id, func.sum(place_count.c.count).label("n"),
               func.max(place_count.c.is_synthetic.cast(Integer)).label("synthetic"))
        .where(*where)
        .group_by(*keys, place_count.c.place_id)
        .subquery()
    )
    outer_keys = [per_place.c.district_code] + ([per_place.c.crime_type] if by_type else [])
    repeat = per_place.c.n >= threshold
    return select(
        *outer_keys,
        func.sum(per_place.c.n),
        func.count(),
        func.sum(case((repeat, 1), else_=0)),
        func.sum(case((repeat, per_place.c.n), else_=0)),
        func.max(per_place.c.synthetic),
    ).group_by(*outer_keys)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in REPEAT_SCHEMA.items()})
