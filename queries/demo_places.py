"""Where the synthetic demo puts its incidents: the real LSOAs of each district (shipped
boundaries, data/geography/lsoa.geojson), busier near town centres, with a handful of map
points inside each LSOA's polygon, so the demo map looks like the place it claims to be."""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np

from .db import PROJECT_ROOT
from .reference import DISTRICT_BY_LSOA_PREFIX

LSOA_SHAPES = PROJECT_ROOT / "data" / "geography" / "lsoa.geojson"
POINTS_PER_LSOA = 8


@cache
def lsoa_shapes() -> dict[str, list[tuple[str, str, dict]]]:
    """Per district code: (code, name, geometry) of each 2011 LSOA, in code order."""
    features = json.loads(LSOA_SHAPES.read_text())["features"]
    by_district: dict[str, list[tuple[str, str, dict]]] = {}
    for feature in sorted(features, key=lambda f: f["properties"]["LSOA11CD"]):
        code, name = feature["properties"]["LSOA11CD"], feature["properties"]["LSOA11NM"]
        district = DISTRICT_BY_LSOA_PREFIX[name.rsplit(" ", 1)[0]]
        by_district.setdefault(district, []).append((code, name, feature["geometry"]))
    return by_district


def polygons_of(geometry: dict) -> list[list]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def inside_ring(lon: np.ndarray, lat: np.ndarray, ring) -> np.ndarray:
    """Even-odd ray casting: which points lie inside the ring."""
    ring = np.asarray(ring, dtype=float)
    x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    px, py = lon[:, None], lat[:, None]
    crosses = (y1 > py) != (y2 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
    return ((crosses & (px < at)).sum(axis=1) % 2) == 1


def inside(lon, lat, geometry: dict) -> np.ndarray:
    """Which points lie inside a GeoJSON Polygon or MultiPolygon (holes excluded)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    result = np.zeros(len(lon), dtype=bool)
    for polygon in polygons_of(geometry):
        within = inside_ring(lon, lat, polygon[0])
        for hole in polygon[1:]:
            within &= ~inside_ring(lon, lat, hole)
        result |= within
    return result


def points_inside(geometry: dict, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    """``n`` points drawn uniformly inside the polygon (rejection from its bounding box)."""
    ring = np.asarray([p for polygon in polygons_of(geometry) for p in polygon[0]], dtype=float)
    (lon_min, lat_min), (lon_max, lat_max) = ring.min(axis=0), ring.max(axis=0)
    found: list[tuple[float, float]] = []
    while len(found) < n:
        lon = rng.uniform(lon_min, lon_max, 64)
        lat = rng.uniform(lat_min, lat_max, 64)
        keep = inside(lon, lat, geometry)
        found += [(round(float(a), 6), round(float(b), 6)) for a, b in zip(lon[keep], lat[keep])]
    return found[:n]


def centre(geometry: dict) -> tuple[float, float]:
    ring = np.asarray(polygons_of(geometry)[0][0], dtype=float)
    return float(ring[:, 0].mean()), float(ring[:, 1].mean())


def real_lsoas(district_code: str, towns, streets: list[str], rng: np.random.Generator) -> list[tuple]:
    """(code, name, latitude, longitude, weight, streets) per real LSOA of the district.

    ``towns``: (name, latitude, longitude, share) of the district's town centres. An LSOA's
    weight falls with its distance from the nearest centre (about 2 km scale), times a
    lognormal factor that gives a few hot LSOAs."""
    result = []
    for code, name, geometry in lsoa_shapes()[district_code]:
        lon, lat = centre(geometry)
        km = min(math.hypot((lon - t_lon) * 69, (lat - t_lat) * 111) / max(share, 0.1) ** 0.5
                 for _t, t_lat, t_lon, share in towns)
        weight = math.exp(-km / 2.5) * rng.lognormal(0, 0.7)
        points = tuple(
            (f"On or near {streets[int(rng.integers(len(streets)))]}", p_lat, p_lon)
            for p_lon, p_lat in points_inside(geometry, POINTS_PER_LSOA, rng)
        )
        result.append((code, name, lat, lon, weight, points))
    return result
