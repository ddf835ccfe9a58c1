"""Keeping the pre-aggregated counts in step with raw incidents.

The schema promises that no request scans raw incidents: trends read ``incident_count``
(monthly counts per area and crime type) and the hotspot map reads ``place_count``
(monthly counts per map point) and evaluations read ``lsoa_count`` (monthly counts per
LSOA). Whatever writes incidents for a force's months calls
``rebuild_counts``, ``rebuild_place_counts`` and ``rebuild_lsoa_counts`` for those months in the same transaction,
so the counts never disagree with the rows they summarise.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, Integer, Table, delete, func, insert, literal, select

from .reference import ASB, containing_areas, districts_in
from .schema import ALL_CRIME_ROW, incident, incident_count, lsoa_count, place_count

COUNT_TABLES = (incident_count, place_count, lsoa_count)


def force_months(table: Table, force_code: str, months: list[str]) -> tuple:
    """Conditions for a force's rows of some months in a table that has ``force_code`` and
    ``month``. ``place_count`` is reached through its district index (every place lies in a
    district of its force), so that it needs no index of its own on the force."""
    if table is place_count:
        return place_count.c.district_code.in_(list(districts_in(force_code))), place_count.c.month.in_(months)
    return table.c.force_code == force_code, table.c.month.in_(months)


def rebuild_place_counts(conn: Connection, force_code: str, months: list[str]) -> None:
    """Recount a force's months per place and crime type into ``place_count``."""
    conn.execute(delete(place_count).where(*force_months(place_count, force_code, months)))
    grouped = (
        select(
            incident.c.force_code, incident.c.district_code, incident.c.month, incident.c.place_id,
            incident.c.crime_type, func.count().label("count"), incident.c.is_synthetic,
        )
        .where(incident.c.force_code == force_code, incident.c.month.in_(months), incident.c.place_id.is_not(None))
        .group_by(
            incident.c.force_code, incident.c.district_code, incident.c.month, incident.c.place_id,
            incident.c.crime_type, incident.c.is_synthetic,
        )
    )
    conn.execute(
        insert(place_count).from_select(
            ["force_code", "district_code", "month", "place_id", "crime_type", "count", "is_synthetic"], grouped
        )
    )


def rebuild_lsoa_counts(conn: Connection, force_code: str, months: list[str]) -> None:
    """Recount a force's months per LSOA into ``lsoa_count``: by crime type, and all crime but ASB."""
    conn.execute(delete(lsoa_count).where(lsoa_count.c.force_code == force_code, lsoa_count.c.month.in_(months)))
    columns = ["force_code", "lsoa_code", "month", "crime_type", "count", "is_synthetic"]
    located = (incident.c.force_code == force_code, incident.c.month.in_(months), incident.c.lsoa_code.is_not(None))
    by_type = (
        select(incident.c.force_code, incident.c.lsoa_code, incident.c.month, incident.c.crime_type,
               func.count(), incident.c.is_synthetic)
        .where(*located)
        .group_by(incident.c.force_code, incident.c.lsoa_code, incident.c.month, incident.c.crime_type,
                  incident.c.is_synthetic)
    )
    all_crime = (
        select(incident.c.force_code, incident.c.lsoa_code, incident.c.month, literal(ALL_CRIME_ROW),
               func.count(), incident.c.is_synthetic)
        .where(*located, incident.c.crime_type != ASB)
        .group_by(incident.c.force_code, incident.c.lsoa_code, incident.c.month, incident.c.is_synthetic)
    )
    conn.execute(insert(lsoa_count).from_select(columns, by_type))
    conn.execute(insert(lsoa_count).from_select(columns, all_crime))


def rebuild_counts(conn: Connection, force_code: str, months: list[str]) -> None:
    """Recount a force's months from raw incidents into ``incident_count``, for every level.

    Districts are counted in SQL; counties and the force are summed from them here (the
    force also takes incidents with no location), so every area is one indexed lookup.
    """
    conn.execute(
        delete(incident_count).where(
            incident_count.c.force_code == force_code, incident_count.c.month.in_(months)
        )
    )
    grouped = conn.execute(
        select(
            incident.c.district_code, incident.c.month, incident.c.crime_type,
            func.count().label("count"), func.max(incident.c.is_synthetic.cast(Integer)),
        )
        .where(incident.c.force_code == force_code, incident.c.month.in_(months))
        .group_by(incident.c.district_code, incident.c.month, incident.c.crime_type)
    ).all()
    totals: Counter = Counter()
    synthetic: dict[tuple, bool] = {}
    for district, month, crime_type, count, is_synthetic in grouped:
        areas = [force_code] if district is None else containing_areas(district)
        for area_code in areas:
            totals[(area_code, month, crime_type)] += count
            synthetic[(area_code, month, crime_type)] = synthetic.get((area_code, month, crime_type), False) or bool(is_synthetic)
    if totals:
        conn.execute(
            insert(incident_count),
            [
                {"force_code": force_code, "area_code": area_code, "month": month, "crime_type": crime_type,
                 "count": count, "is_synthetic": synthetic[(area_code, month, crime_type)]}
                for (area_code, month, crime_type), count in totals.items()
            ],
        )
