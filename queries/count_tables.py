"""Keeping the pre-aggregated counts in step with raw incidents.

The schema promises that no request scans raw incidents: trends read ``incident_count``
(monthly counts per area and crime type) and the hotspot map reads ``place_count``
(monthly counts per map point) and evaluations read ``lsoa_count`` (monthly counts per
LSOA). Whatever writes incidents for a force's months calls
``rebuild_counts``, ``rebuild_place_counts`` and ``rebuild_lsoa_counts`` for those months in the same transaction,
so the counts never disagree with the rows they summarise.

Every count row carries its incident's source. A rebuild touches only the sources it is
given (police.uk's two by default), so re-importing a police.uk month leaves a partner's
records of the same month alone, and the other way round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, Integer, Table, delete, func, insert, literal, select

from .incident_sources import POLICE_SOURCES
from .reference import ASB, containing_areas, districts_in
from .schema import ALL_CRIME_ROW, incident, incident_count, lsoa_count, place_count

COUNT_TABLES = (incident_count, place_count, lsoa_count)


def force_months(table: Table, force_code: str, months: list[str],
                 sources: Sequence[str] = POLICE_SOURCES) -> tuple:
    """Conditions for a force's rows of some months and sources in a table that has
    ``force_code``, ``month`` and ``source``. ``place_count`` is reached through its district
    index (every place lies in a district of its force), so that it needs no index of its
    own on the force."""
    if table is place_count:
        return (place_count.c.district_code.in_(list(districts_in(force_code))), place_count.c.month.in_(months),
                place_count.c.source.in_(list(sources)))
    return table.c.force_code == force_code, table.c.month.in_(months), table.c.source.in_(list(sources))


def rebuild_place_counts(conn: Connection, force_code: str, months: list[str],
                         sources: Sequence[str] = POLICE_SOURCES) -> None:
    """Recount a force's months per place and crime type into ``place_count``."""
    conn.execute(delete(place_count).where(*force_months(place_count, force_code, months, sources)))
    grouped = (
        select(
            incident.c.force_code, incident.c.district_code, incident.c.month, incident.c.place_id,
            incident.c.crime_type, func.count().label("count"), incident.c.is_synthetic, incident.c.source,
        )
        .where(*force_months(incident, force_code, months, sources), incident.c.place_id.is_not(None))
        .group_by(
            incident.c.force_code, incident.c.district_code, incident.c.month, incident.c.place_id,
            incident.c.crime_type, incident.c.is_synthetic, incident.c.source,
        )
    )
    conn.execute(
        insert(place_count).from_select(
            ["force_code", "district_code", "month", "place_id", "crime_type", "count", "is_synthetic", "source"],
            grouped,
        )
    )


def rebuild_lsoa_counts(conn: Connection, force_code: str, months: list[str],
                        sources: Sequence[str] = POLICE_SOURCES) -> None:
    """Recount a force's months per LSOA into ``lsoa_count``: by crime type, and for
    police.uk all crime but ASB."""
    conn.execute(delete(lsoa_count).where(*force_months(lsoa_count, force_code, months, sources)))
    columns = ["force_code", "lsoa_code", "month", "crime_type", "count", "is_synthetic", "source"]
    located = (*force_months(incident, force_code, months, sources), incident.c.lsoa_code.is_not(None))
    by_type = (
        select(incident.c.force_code, incident.c.lsoa_code, incident.c.month, incident.c.crime_type,
               func.count(), incident.c.is_synthetic, incident.c.source)
        .where(*located)
        .group_by(incident.c.force_code, incident.c.lsoa_code, incident.c.month, incident.c.crime_type,
                  incident.c.is_synthetic, incident.c.source)
    )
    conn.execute(insert(lsoa_count).from_select(columns, by_type))
    if set(sources) & set(POLICE_SOURCES):
        all_crime = (
            select(incident.c.force_code, incident.c.lsoa_code, incident.c.month, literal(ALL_CRIME_ROW),
                   func.count(), incident.c.is_synthetic, incident.c.source)
            .where(*located, incident.c.source.in_(POLICE_SOURCES), incident.c.crime_type != ASB)
            .group_by(incident.c.force_code, incident.c.lsoa_code, incident.c.month, incident.c.is_synthetic,
                      incident.c.source)
        )
        conn.execute(insert(lsoa_count).from_select(columns, all_crime))


def rebuild_counts(conn: Connection, force_code: str, months: list[str],
                   sources: Sequence[str] = POLICE_SOURCES) -> None:
    """Recount a force's months from raw incidents into ``incident_count``, for every level.

    Districts are counted in SQL; counties and the force are summed from them here (the
    force also takes incidents with no location), so every area is one indexed lookup.
    """
    conn.execute(delete(incident_count).where(*force_months(incident_count, force_code, months, sources)))
    grouped = conn.execute(
        select(
            incident.c.source, incident.c.district_code, incident.c.month, incident.c.crime_type,
            func.count().label("count"), func.max(incident.c.is_synthetic.cast(Integer)),
        )
        .where(*force_months(incident, force_code, months, sources))
        .group_by(incident.c.source, incident.c.district_code, incident.c.month, incident.c.crime_type)
    ).all()
    totals: Counter = Counter()
    synthetic: dict[tuple, bool] = {}
    for source, district, month, crime_type, count, is_synthetic in grouped:
        areas = [force_code] if district is None else containing_areas(district)
        for area_code in areas:
            key = (source, area_code, month, crime_type)
            totals[key] += count
            synthetic[key] = synthetic.get(key, False) or bool(is_synthetic)
    if totals:
        conn.execute(
            insert(incident_count),
            [
                {"source": source, "force_code": force_code, "area_code": area_code, "month": month,
                 "crime_type": crime_type, "count": count, "is_synthetic": synthetic[key]}
                for key, count in totals.items()
                for source, area_code, month, crime_type in (key,)
            ],
        )
