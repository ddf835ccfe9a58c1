"""Fixed reference facts: the areas, forces and crime categories the dashboard knows.

Each fact is typed in from a public source named beside it, or read from a shipped file
derived from one. Population figures live
in ``data/population/`` so that newer estimates can be added without code changes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from .db import PROJECT_ROOT

DISTRICT = "district"
COUNTY = "county"
FORCE = "force"
LEVELS = (DISTRICT, COUNTY, FORCE)


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    parent_code: str | None


# The default partnership's areas (ONS codes), kept for the published Oxford figures, which
# are about these areas whichever partnership the dashboard is set up for.
THAMES_VALLEY = "E23000029"
OXFORDSHIRE = "E10000025"
OXFORD = "E07000178"
# The default partnership's home area and the areas it compares with, in chart order (the
# synthetic demo set covers them); the served partnership's are in ``queries.partnership``.
COMPARISON_AREAS = (OXFORD, OXFORDSHIRE, THAMES_VALLEY)
# The force whose towns the synthetic demo set (queries/demo.py) is drawn over.
DEMO_FORCE_CODE = THAMES_VALLEY

# Every district (December 2023), two-tier county and police force area of England and
# Wales, built from ONS lookups by ``scripts/build_areas.py`` (see data/geography/LICENCE.md).
AREAS_PATH = PROJECT_ROOT / "data" / "geography" / "areas.csv"
PREFIXES_PATH = PROJECT_ROOT / "data" / "geography" / "lsoa_prefixes.csv"


def _read_areas() -> tuple[Area, ...]:
    with AREAS_PATH.open(encoding="utf-8", newline="") as stream:
        return tuple(Area(row["code"], row["name"], row["level"], row["parent_code"] or None)
                     for row in csv.DictReader(stream))


AREAS: tuple[Area, ...] = _read_areas()
AREAS_BY_CODE = {area.code: area for area in AREAS}


def force_of(area_code: str) -> str:
    """The police force area an area lies in (itself, for a force)."""
    area = AREAS_BY_CODE[area_code]
    while area.parent_code is not None:
        area = AREAS_BY_CODE[area.parent_code]
    return area.code


def containing_areas(area_code: str) -> list[str]:
    """The area itself and every area above it: district, county (if any), force."""
    chain = [area_code]
    while AREAS_BY_CODE[chain[-1]].parent_code is not None:
        chain.append(AREAS_BY_CODE[chain[-1]].parent_code)
    return chain


_CHILDREN: dict[str, list[str]] = {}
for _area in AREAS:
    if _area.parent_code is not None:
        _CHILDREN.setdefault(_area.parent_code, []).append(_area.code)


def children_of(area_code: str) -> list[str]:
    """The areas one level down: a force's counties and unitary districts, a county's districts."""
    return list(_CHILDREN.get(area_code, []))


def districts_in(area_code: str) -> tuple[str, ...]:
    """District codes that make up an area (a district is made up of itself)."""
    area = AREAS_BY_CODE[area_code]
    if area.level == DISTRICT:
        return (area.code,)
    return tuple(code for child in children_of(area_code) for code in districts_in(child))


def areas_in_force(force_code: str) -> tuple[Area, ...]:
    """A force area, its counties and its districts, in the shipped order (force, counties, districts)."""
    return tuple(a for a in AREAS if force_of(a.code) == force_code)


def _read_prefixes() -> dict[str, str]:
    with PREFIXES_PATH.open(encoding="utf-8", newline="") as stream:
        return {row["prefix"]: row["district_code"] for row in csv.DictReader(stream)}


# The prefix of an LSOA name is the local authority district it lay in when the LSOA was
# named (ONS LSOA naming: "<district name> <3-digit number><letter>"), under either vintage:
# "Aylesbury Vale 001A" (2011) and "Allerdale 001A" (2021) both lead to today's district
# (Buckinghamshire E06000060, Cumberland E06000063).
DISTRICT_BY_LSOA_PREFIX: dict[str, str] = _read_prefixes()


from .forces import FORCES, FORCES_BY_CODE, FORCES_BY_NAME, FORCES_BY_SLUG, Force  # noqa: E402,F401 (re-exported)


@dataclass(frozen=True)
class CrimeType:
    slug: str
    name: str  # as written in the "Crime type" column of street-level files


# data.police.uk street-level crime categories (https://data.police.uk/api/crime-categories,
# and the "Crime type" column of the street-level CSV files).
CRIME_TYPES: tuple[CrimeType, ...] = (
    CrimeType("anti-social-behaviour", "Anti-social behaviour"),
    CrimeType("bicycle-theft", "Bicycle theft"),
    CrimeType("burglary", "Burglary"),
    CrimeType("criminal-damage-arson", "Criminal damage and arson"),
    CrimeType("drugs", "Drugs"),
    CrimeType("other-theft", "Other theft"),
    CrimeType("possession-of-weapons", "Possession of weapons"),
    CrimeType("public-order", "Public order"),
    CrimeType("robbery", "Robbery"),
    CrimeType("shoplifting", "Shoplifting"),
    CrimeType("theft-from-the-person", "Theft from the person"),
    CrimeType("vehicle-crime", "Vehicle crime"),
    CrimeType("violent-crime", "Violence and sexual offences"),
    CrimeType("other-crime", "Other crime"),
)
CRIME_TYPES_BY_SLUG = {c.slug: c for c in CRIME_TYPES}
CRIME_TYPE_SLUG_BY_NAME = {c.name: c.slug for c in CRIME_TYPES}
ASB = "anti-social-behaviour"
# "All crime" follows the partnership's reports: every recorded crime, not ASB incidents.
ALL_CRIME = tuple(c.slug for c in CRIME_TYPES if c.slug != ASB)
