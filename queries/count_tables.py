"""Keeping the pre-aggregated counts in step with raw incidents.

The schema promises that no request scans raw incidents: trends read ``incident_count``
(monthly counts per area and crime type) and the hotspot map reads ``place_count``
(monthly counts per map point, which ``rebuild_place_counts`` also packs a district, month
and crime type to a row into ``place_count_packed`` for the hotspot analysis) and
evaluations read ``lsoa_count`` (monthly counts per LSOA). Whatever writes incidents for a force's months calls
``rebuild_counts``, ``rebuild_place_counts`` and ``rebuild_lsoa_counts`` for those months in the same transaction,
so the counts never disagree with the rows they summarise.

Every count row carries its incident's source. A rebuild touches only the sources it is
given (police.uk's two by default), so re-importing a police.uk month leaves a partner's
records of the same month alone, and the other way round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from sqlalchemy import Connection, Integer, Table, delete, func, insert, literal, select

from .incident_sources import POLICE_SOURCES
from .reference import ASB, containing_areas, districts_in
from .schema import ALL_CRIME_ROW, incident, incident_count, lsoa_count, place_count, place_count_packed

COUNT_TABLES = (incident_count, place_count, place_count_packed, lsoa_count)
PACKED = np.dtype([("place_id", "<i4"), ("count", "<i4")])  # one place's count in ``place_count_packed``


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
    rebuild_packed_place_counts(conn, force_code, months, sources)


def rebuild_packed_place_counts(conn: Connection, force_code: str, months: list[str],
                                sources: Sequence[str] = POLICE_SOURCES, districts: Sequence[str] | None = None) -> None:
    """Pack a force's ``place_count`` rows of some months and sources into
    ``place_count_packed``: a row per district, month, crime type, source and demo flag,
    its places' ids and counts as little-endian 32-bit pairs in order of place id.
    ``districts``: the force's, when they are not the reference's (a made-up force)."""
    conn.execute(delete(place_count_packed).where(*force_months(place_count_packed, force_code, months, sources)))
    keys = (place_count.c.district_code, place_count.c.month, place_count.c.crime_type, place_count.c.source,
            place_count.c.is_synthetic)
    where = force_months(place_count, force_code, months, sources) if districts is None else (
        place_count.c.district_code.in_(list(districts)), place_count.c.month.in_(months),
        place_count.c.source.in_(list(sources)))
    rows = [tuple(row) for row in conn.execute(
        select(*keys, place_count.c.place_id, place_count.c.count).where(*where).order_by(*keys, place_count.c.place_id)
    )]
    packed = pack_places(rows)
    for start in range(0, len(packed), 5_000):
        conn.execute(insert(place_count_packed), [
            {"force_code": force_code, "district_code": district, "month": month, "crime_type": crime_type,
             "source": source, "is_synthetic": bool(synthetic), "places": places}
            for (district, month, crime_type, source, synthetic), places in packed[start:start + 5_000]])


def pack_places(rows: list) -> list[tuple[tuple, bytes]]:
    """(district, month, crime type, source, demo flag, place id, count) rows, in that order,
    as one (key, packed places) pair per key."""
    if not rows:
        return []
    places = np.array([(row[5], row[6]) for row in rows], dtype=PACKED)
    breaks = [i for i in range(1, len(rows)) if rows[i][:5] != rows[i - 1][:5]]
    starts, ends = [0, *breaks], [*breaks, len(rows)]
    return [(rows[a][:5], places[a:b].tobytes()) for a, b in zip(starts, ends)]


def unpack_places(blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Packed places of several rows: each place's id and count, and how many each row holds."""
    sizes = np.fromiter((len(b) // PACKED.itemsize for b in blobs), dtype=np.int64, count=len(blobs))
    places = np.frombuffer(b"".join(map(bytes, blobs)), dtype=PACKED) if blobs else np.zeros(0, dtype=PACKED)
    return places["place_id"].astype(np.int64), places["count"].astype(np.int64), sizes


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
