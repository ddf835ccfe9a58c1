"""Fixed reference facts: the areas, forces and crime categories the dashboard knows.

Each fact is typed in from a public source, named beside it. Population figures live
in ``data/population/`` so that newer estimates can be added without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# ONS area codes (ONS Open Geography Portal, LAD December 2021 names and codes;
# counties (December 2021); police force areas (December 2021)).
THAMES_VALLEY = "E23000029"
OXFORDSHIRE = "E10000025"
OXFORD = "E07000178"

AREAS: tuple[Area, ...] = (
    Area(THAMES_VALLEY, "Thames Valley", FORCE, None),
    Area(OXFORDSHIRE, "Oxfordshire", COUNTY, THAMES_VALLEY),
    Area("E07000177", "Cherwell", DISTRICT, OXFORDSHIRE),
    Area(OXFORD, "Oxford", DISTRICT, OXFORDSHIRE),
    Area("E07000179", "South Oxfordshire", DISTRICT, OXFORDSHIRE),
    Area("E07000180", "Vale of White Horse", DISTRICT, OXFORDSHIRE),
    Area("E07000181", "West Oxfordshire", DISTRICT, OXFORDSHIRE),
    Area("E06000036", "Bracknell Forest", DISTRICT, THAMES_VALLEY),
    Area("E06000037", "West Berkshire", DISTRICT, THAMES_VALLEY),
    Area("E06000038", "Reading", DISTRICT, THAMES_VALLEY),
    Area("E06000039", "Slough", DISTRICT, THAMES_VALLEY),
    Area("E06000040", "Windsor and Maidenhead", DISTRICT, THAMES_VALLEY),
    Area("E06000041", "Wokingham", DISTRICT, THAMES_VALLEY),
    Area("E06000042", "Milton Keynes", DISTRICT, THAMES_VALLEY),
    Area("E06000060", "Buckinghamshire", DISTRICT, THAMES_VALLEY),
)
AREAS_BY_CODE = {area.code: area for area in AREAS}

# The three areas the partnership compares, in the order charts show them.
COMPARISON_AREAS = (OXFORD, OXFORDSHIRE, THAMES_VALLEY)


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


def districts_in(area_code: str) -> tuple[str, ...]:
    """District codes that make up an area (a district is made up of itself)."""
    area = AREAS_BY_CODE[area_code]
    if area.level == DISTRICT:
        return (area.code,)
    children = [a for a in AREAS if a.parent_code == area_code]
    return tuple(code for child in children for code in districts_in(child.code))


# The prefix of an LSOA name is the local authority district it lies in (ONS LSOA naming:
# "<district name> <3-digit number><letter>"). 2011 LSOAs in Buckinghamshire carry the
# four districts that merged into Buckinghamshire Council on 1 April 2020 (The
# Buckinghamshire (Structural Changes) Order 2019), so both vintages map to E06000060.
DISTRICT_BY_LSOA_PREFIX: dict[str, str] = {
    **{a.name: a.code for a in AREAS if a.level == DISTRICT},
    "Aylesbury Vale": "E06000060",
    "Chiltern": "E06000060",
    "South Bucks": "E06000060",
    "Wycombe": "E06000060",
}


@dataclass(frozen=True)
class Force:
    code: str
    name: str  # as written in data.police.uk's "Reported by" / "Falls within" columns
    slug: str  # as written in data.police.uk file names


# data.police.uk force identifiers (https://data.police.uk/api/forces). Only forces whose
# areas the dashboard knows can be imported; files of other forces are reported and skipped.
FORCES: tuple[Force, ...] = (Force(THAMES_VALLEY, "Thames Valley Police", "thames-valley"),)
FORCES_BY_NAME = {f.name: f for f in FORCES}
FORCES_BY_SLUG = {f.slug: f for f in FORCES}


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
