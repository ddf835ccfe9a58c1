"""Import ONS district, ward or LSOA boundaries (GeoJSON) for the hotspot map.

Features of districts outside the dashboard's areas are counted and skipped; a feature
without a code, a name or a polygon is an error naming it. The whole file is checked
before anything is stored, and a re-import replaces the boundaries it holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, insert

from ..reference import AREAS_BY_CODE, DISTRICT, DISTRICT_BY_LSOA_PREFIX
from ..schema import boundary
from .bookkeeping import bump_data_version, log_import
from .errors import ErrorCollector, ImportRejected, RowError
from .files import checksum, decode_utf8

DISTRICT_KEYS = (("LAD21CD", "LAD21NM"), ("LAD22CD", "LAD22NM"), ("LAD23CD", "LAD23NM"), ("LAD20CD", "LAD20NM"))
LSOA_KEYS = (("LSOA21CD", "LSOA21NM"), ("LSOA11CD", "LSOA11NM"))
WARD_KEYS = (("WD23CD", "WD23NM"), ("WD22CD", "WD22NM"), ("WD24CD", "WD24NM"), ("WD21CD", "WD21NM"))
WARD = "ward"


@dataclass
class BoundarySummary:
    features: int
    stored: int
    skipped_outside: int
    level: str


def import_boundaries(engine: Engine, path: str | Path, imported_by: str | None = None) -> BoundarySummary:
    name = str(path)
    raw = Path(path).read_bytes()
    try:
        document = json.loads(decode_utf8(name, raw))
    except json.JSONDecodeError as exc:
        raise ImportRejected([RowError(name, exc.lineno, None, f"not valid JSON ({exc.msg})")]) from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection" or not isinstance(document.get("features"), list):
        raise ImportRejected([RowError(name, None, None, "not a GeoJSON FeatureCollection")])
    errors = ErrorCollector(name)
    rows, skipped, levels = [], 0, set()
    for number, feature in enumerate(document["features"], start=1):
        properties = (feature or {}).get("properties") or {}
        geometry = (feature or {}).get("geometry") or {}
        keys = _keys(properties)
        if keys is None:
            errors.add(number, "properties", "no LAD, ward or LSOA code and name (LAD21CD/LAD21NM, WD23CD/WD23NM, "
                       "LSOA11CD/LSOA11NM ...)", "feature")
            continue
        level, code_key, name_key = keys
        code, area_name = str(properties.get(code_key) or ""), str(properties.get(name_key) or "")
        if not code or not area_name:
            errors.add(number, code_key if not code else name_key, "empty", "feature")
            continue
        if geometry.get("type") not in ("Polygon", "MultiPolygon") or not geometry.get("coordinates"):
            errors.add(number, "geometry", f"{code} is not a Polygon or MultiPolygon", "feature")
            continue
        if level == DISTRICT:
            district = code if code in AREAS_BY_CODE and AREAS_BY_CODE[code].level == DISTRICT else None
        elif level == WARD:
            # A ward names its district in a LADyyCD property (scripts/build_geography.py writes LAD23CD).
            district = next((str(properties[key]) for key, _ in DISTRICT_KEYS if str(properties.get(key)) in AREAS_BY_CODE
                             and AREAS_BY_CODE[str(properties[key])].level == DISTRICT), None)
        else:
            district = DISTRICT_BY_LSOA_PREFIX.get(code) or DISTRICT_BY_LSOA_PREFIX.get(area_name.rsplit(" ", 1)[0])
        if district is None:
            skipped += 1
            continue
        levels.add(level)
        rows.append({"code": code, "name": area_name, "level": level, "district_code": district,
                     "geometry": json.dumps(geometry, separators=(",", ":"))})
        if errors.full:
            break
    if not rows and not errors.errors:
        errors.add(None, None, "no feature lies in a district of England and Wales")
    errors.raise_if_any()
    with engine.begin() as conn:
        codes = [r["code"] for r in rows]
        for start in range(0, len(codes), 500):
            conn.execute(delete(boundary).where(boundary.c.code.in_(codes[start : start + 500])))
        conn.execute(insert(boundary), rows)
        log_import(conn, kind="boundaries", filename=name, checksum=checksum(raw), rows_read=len(document["features"]),
                   rows_stored=len(rows), outcome="stored", imported_by=imported_by)
        bump_data_version(conn)
    return BoundarySummary(len(document["features"]), len(rows), skipped, "/".join(sorted(levels)))


def _keys(properties: dict):
    # Ward first: a ward feature also carries its district's LADyyCD.
    for code_key, name_key in WARD_KEYS:
        if code_key in properties:
            return WARD, code_key, name_key
    for code_key, name_key in DISTRICT_KEYS:
        if code_key in properties:
            return DISTRICT, code_key, name_key
    for code_key, name_key in LSOA_KEYS:
        if code_key in properties:
            return "lsoa", code_key, name_key
    return None
