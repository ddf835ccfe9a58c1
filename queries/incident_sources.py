"""Incident sources: who recorded an incident. police.uk is two sources among several.

Every incident and every pre-aggregated count row carries its source, and every count,
hotspot and evaluation query filters on it (police.uk's two sources by default), so a
partner's records never mix into police figures unless a caller asks for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_, or_

from .reference import ALL_CRIME, ASB

POLICE_CRIME, POLICE_ASB = "police-crime", "police-asb"
AE_ASSAULTS, NEEDLE_FINDS, COUNCIL_ASB = "ae-assaults", "needle-finds", "council-asb"
POLICE_SOURCES = (POLICE_CRIME, POLICE_ASB)

# Precision of a record's location, finest first.
POINT, STREET, LSOA, DISTRICT, UNMATCHED = "point", "street", "lsoa", "district", "unmatched"
PRECISIONS = (POINT, STREET, LSOA, DISTRICT, UNMATCHED)


@dataclass(frozen=True)
class IncidentSource:
    slug: str
    title: str
    health_derived: bool  # partner-only: the public sees nothing of it below district level
    has_times: bool  # records carry a time of day
    # Source-specific columns the template takes (stored with the record, shown to partners).
    extra_fields: tuple[str, ...] = ()


SOURCES: tuple[IncidentSource, ...] = (
    IncidentSource(POLICE_CRIME, "Police-recorded crime (data.police.uk)", False, False),
    IncidentSource(POLICE_ASB, "Police-recorded anti-social behaviour (data.police.uk)", False, False),
    IncidentSource(AE_ASSAULTS, "A&E assault attendances (ISTV)", True, True,
                   ("weapon", "body_part", "arrival_date", "arrival_time", "location_type")),
    IncidentSource(NEEDLE_FINDS, "Needle finds", False, True, ("needles", "near_play_area")),
    IncidentSource(COUNCIL_ASB, "Council anti-social behaviour cases", False, True, ("case_reference",)),
)
SOURCES_BY_SLUG = {s.slug: s for s in SOURCES}
PARTNER_SOURCES = tuple(s.slug for s in SOURCES if s.slug not in POLICE_SOURCES)
HEALTH_DERIVED = frozenset(s.slug for s in SOURCES if s.health_derived)


def police_source_of(crime_type: str) -> str:
    """The police.uk source of a street-file row: ASB rows are police-asb, the rest police-crime."""
    return POLICE_ASB if crime_type == ASB else POLICE_CRIME


def checked_sources(sources: Iterable[str] | None) -> tuple[str, ...]:
    """The sources a query reads: police.uk's two when none are named; unknown slugs refused."""
    chosen = tuple(dict.fromkeys(sources or ()))
    unknown = [s for s in chosen if s not in SOURCES_BY_SLUG]
    if unknown:
        raise ValueError(f"unknown incident source {unknown[0]!r}")
    return chosen or POLICE_SOURCES


def police_types(sources: Iterable[str] | None, crime_types: Iterable[str] | None) -> list[str]:
    """The police.uk crime types a selection reads. No sources named keeps the dashboard's
    long-standing meaning (the crime types given, else all crime but ASB); named police
    sources read their own types (police-crime: every crime type, police-asb: ASB), narrowed
    to the crime types given."""
    if sources is None:
        return list(crime_types) if crime_types else list(ALL_CRIME)
    own = [*(ALL_CRIME if POLICE_CRIME in sources else ()), *((ASB,) if POLICE_ASB in sources else ())]
    return [t for t in own if t in set(crime_types)] if crime_types else own


def count_conditions(table: Table, sources: Iterable[str] | None, crime_types: Iterable[str] | None
                     ) -> ColumnElement:
    """The WHERE condition on a table with ``source`` and ``crime_type`` columns for a
    selection of sources (police.uk's by default) and police.uk crime types. A partner
    source reads all its categories: police crime types never narrow it."""
    chosen = checked_sources(sources)
    police = [s for s in chosen if s in POLICE_SOURCES]
    partner = [s for s in chosen if s not in POLICE_SOURCES]
    parts = []
    if police:
        types = police_types(None if sources is None else chosen, crime_types)
        parts.append(and_(table.c.source.in_(police), table.c.crime_type.in_(types)))
    if partner:
        parts.append(table.c.source.in_(partner))
    return parts[0] if len(parts) == 1 else or_(*parts)
