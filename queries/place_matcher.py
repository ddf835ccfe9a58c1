"""Placing partners' free-text locations on the area's known places, and saying how precisely.

The matcher is deliberately plain, so that a partner can predict it and check it:

1. Coordinates place a record at the nearest police.uk map point within ``SNAP_METRES``
   (as police.uk anonymises its own incidents): precision ``point``.
2. The text is normalised (lower case, punctuation and police.uk's "On or near" removed,
   "st", "rd", "ave" and the like written out, "&" as "and") and looked up, as a whole
   and then as every run of up to six consecutive words, among:
   - premises a partner lists (name, latitude, longitude): precision ``point``;
   - police.uk map-point street names stored for the area: precision ``street``;
   - LSOA names ("Oxford 008A") and codes: precision ``lsoa``;
   - ward and district names: precision ``district`` (a ward is not an LSOA, and a record
     placed only by its ward stays at the district it lies in).
   The longest run that names a known place wins; two different places named by runs of
   the same length leave the record ``unmatched`` rather than guess.
3. An LSOA code given in its column places the record at precision ``lsoa`` when the text
   does not place it more precisely.
4. Anything else is ``unmatched``: stored, counted at force level only, and listed for
   correction. Nothing is spelled loosely: a misspelt street stays unmatched.

A street police.uk knows at several map points is placed at the point nearest the middle of
them (``street`` precision says that the place along it is not known).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select

from .db import PROJECT_ROOT
from .geography import lsoa_lookup
from .importers.errors import ErrorCollector
from .incident_sources import DISTRICT, LSOA, POINT, STREET, UNMATCHED
from .map_streets import street_of
from .reference import AREAS, OXFORDSHIRE, districts_in
from .reference import DISTRICT as DISTRICT_LEVEL
from .schema import place

WARDS_PATH = PROJECT_ROOT / "data" / "geography" / "wards.geojson"
SNAP_METRES = 1000  # coordinates further than this from every known map point are not placed
MAX_WORDS = 6
ABBREVIATIONS = {
    "st": "street", "rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "pl": "place", "sq": "square",
    "cres": "crescent", "cl": "close", "ct": "court", "dr": "drive", "gdns": "gardens", "tce": "terrace",
    "&": "and", "nr": "near",
}
FILLER = ("on or near ",)
WORD = re.compile(r"[a-z0-9&]+")


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, abbreviations written out: "St. Giles'" -> "street giles"."""
    text = (text or "").lower().replace("'", "").replace("\u2019", "")
    for filler in FILLER:
        text = text.replace(filler, " ")
    return " ".join(ABBREVIATIONS.get(w, w) for w in WORD.findall(text))


@dataclass(frozen=True)
class KnownPlace:
    precision: str
    name: str  # as the source names it, for the import summary
    district_code: str
    lsoa_code: str | None = None
    place_id: int | None = None
    longitude: float | None = None
    latitude: float | None = None


@dataclass(frozen=True)
class Match:
    precision: str
    matched: str  # what it matched, in words ("" when unmatched)
    district_code: str | None = None
    lsoa_code: str | None = None
    place_id: int | None = None
    longitude: float | None = None
    latitude: float | None = None


UNMATCHED_MATCH = Match(UNMATCHED, "")


@dataclass
class PlaceIndex:
    """Known places by normalised name, and the map points for coordinates."""

    names: dict[str, list[KnownPlace]] = field(default_factory=dict)
    points: list[KnownPlace] = field(default_factory=list)
    lsoas: dict[str, KnownPlace] = field(default_factory=dict)
    _lon: np.ndarray | None = None
    _lat: np.ndarray | None = None

    def add(self, key: str, known: KnownPlace) -> None:
        if key:
            self.names.setdefault(key, []).append(known)

    def match(self, text: str, lsoa_code: str = "", longitude: float | None = None,
              latitude: float | None = None) -> Match:
        if longitude is not None and latitude is not None:
            nearest = self.nearest_point(longitude, latitude)
            if nearest is not None:
                return Match(POINT, f"coordinates, nearest map point {nearest.name}", nearest.district_code,
                             nearest.lsoa_code, nearest.place_id, longitude, latitude)
        by_text = self.match_text(text)
        if by_text.precision in (POINT, STREET):
            return by_text
        if lsoa_code and lsoa_code in self.lsoas:
            known = self.lsoas[lsoa_code]
            return Match(LSOA, f"LSOA {known.name}", known.district_code, lsoa_code)
        return by_text

    def match_text(self, text: str) -> Match:
        words = normalise(text).split()
        runs = [" ".join(words[start : start + size]) for size in range(min(MAX_WORDS, len(words)), 0, -1)
                for start in range(len(words) - size + 1)]
        # Districts the text names (directly or by a ward) settle a street known in several.
        named_districts = {k.district_code for run in runs for k in self.names.get(run, ()) if k.precision == DISTRICT}
        for size in range(min(MAX_WORDS, len(words)), 0, -1):
            found = {}
            for start in range(len(words) - size + 1):
                for known in self.names.get(" ".join(words[start : start + size]), ()):
                    found.setdefault((known.precision, known.name, known.district_code), []).append(known)
            if not found:
                continue
            best = min(PRECISION_ORDER[p] for p, _, _ in found)
            finest = {key: places for key, places in found.items() if PRECISION_ORDER[key[0]] == best}
            if len(finest) > 1 and named_districts:
                finest = {key: places for key, places in finest.items() if key[2] in named_districts} or finest
            if len(finest) > 1:
                return UNMATCHED_MATCH  # two different places: do not guess
            known = _middle(next(iter(finest.values())))
            return Match(known.precision, known.name, known.district_code, known.lsoa_code, known.place_id,
                         known.longitude, known.latitude)
        return UNMATCHED_MATCH

    def nearest_point(self, longitude: float, latitude: float) -> KnownPlace | None:
        if not self.points:
            return None
        if self._lon is None:
            self._lon = np.array([k.longitude for k in self.points])
            self._lat = np.array([k.latitude for k in self.points])
        x = np.radians(self._lon - longitude) * math.cos(math.radians(latitude))
        metres = 6_371_000 * np.hypot(x, np.radians(self._lat - latitude))
        at = int(np.argmin(metres))
        return self.points[at] if metres[at] <= SNAP_METRES else None


PRECISION_ORDER = {POINT: 0, STREET: 1, LSOA: 2, DISTRICT: 3}


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance: exact enough within a county (as ``nearest_point``)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(x, math.radians(lat2 - lat1))


def _middle(candidates: list[KnownPlace]) -> KnownPlace:
    """Of a street's map points, the one nearest their mean position (first by id on a tie)."""
    if len(candidates) == 1 or candidates[0].longitude is None:
        return candidates[0]
    lon = sum(k.longitude for k in candidates) / len(candidates)
    lat = sum(k.latitude for k in candidates) / len(candidates)
    return min(candidates, key=lambda k: (_metres(lon, lat, k.longitude, k.latitude), k.place_id or 0))


def build_index(engine: Engine, area_code: str = OXFORDSHIRE) -> PlaceIndex:
    """Every place the matcher knows in the area: stored police.uk map points, LSOA names
    and codes (shipped lookup), wards and districts. ``add_premises`` adds a partner's list."""
    index = PlaceIndex()
    districts = set(districts_in(area_code))
    with engine.connect() as conn:
        rows = conn.execute(select(place.c.id, place.c.name, place.c.lsoa_code, place.c.district_code,
                                   place.c.longitude, place.c.latitude)
                            .where(place.c.district_code.in_(sorted(districts))).order_by(place.c.id)).all()
    for pid, name, lsoa_code, district, lon, lat in rows:
        known = KnownPlace(STREET, street_of(name), district, lsoa_code, pid, lon, lat)
        index.points.append(known)
        index.add(normalise(street_of(name)), known)
    lookup = lsoa_lookup()
    for code, row in lookup[lookup["district_code"].isin(districts)].iterrows():
        known = KnownPlace(LSOA, row["name"], row["district_code"], code)
        index.lsoas[code] = known
        index.add(normalise(row["name"]), known)
        index.add(code.lower(), known)
    for ward_name, district in _wards():
        if district in districts:
            index.add(normalise(ward_name), KnownPlace(DISTRICT, f"{ward_name} ward", district))
    for area in AREAS:
        if area.level == DISTRICT_LEVEL and area.code in districts:
            index.add(normalise(area.name), KnownPlace(DISTRICT, area.name, area.code))
    return index


def add_premises(index: PlaceIndex, premises: list[KnownPlace]) -> None:
    for known in premises:
        index.add(normalise(known.name), known)


def _wards() -> list[tuple[str, str]]:
    data = json.loads(Path(WARDS_PATH).read_text(encoding="utf-8"))
    return [(f["properties"]["WD23NM"], f["properties"]["LAD23CD"]) for f in data["features"]]


def read_premises(name: str, data: bytes, index: PlaceIndex) -> list[KnownPlace]:
    """A partner's list of premises (CSV: name, latitude, longitude), each placed at its
    nearest map point for its LSOA and district. Errors name the file, row and field."""
    errors = ErrorCollector(name)
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig", errors="replace")))
    missing = [c for c in ("name", "latitude", "longitude") if c not in (reader.fieldnames or [])]
    for column in missing:
        errors.add(1, column, "required column is missing")
    errors.raise_if_any()
    premises = []
    for row in reader:
        line = reader.line_num
        try:
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (TypeError, ValueError):
            errors.add(line, "latitude", "latitude and longitude must be numbers")
            continue
        nearest = index.nearest_point(lon, lat)
        if nearest is None or not (row["name"] or "").strip():
            errors.add(line, "name" if nearest else "latitude",
                       "empty" if nearest else f"more than {SNAP_METRES} m from every known map point")
            continue
        premises.append(KnownPlace(POINT, row["name"].strip(), nearest.district_code, nearest.lsoa_code,
                                   nearest.place_id, lon, lat))
    errors.raise_if_any()
    return premises

