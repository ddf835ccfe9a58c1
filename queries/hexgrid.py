"""A fixed hexagonal grid over England and Wales, in metres, for counting incidents by area.

Points are projected with the sinusoidal (equal-area) projection on the central meridian
2 degrees west (that of the Ordnance Survey's National Grid), then binned into pointy-top
hexagons. Every cell has the same ground area wherever it lies; east-west and north-south
scales are true along the meridian, and at Land's End, the farthest point of England and
Wales from it (3.7 degrees), a cell is sheared by about 3 degrees and its north-south
scale is 0.2% long. The meridian, origin and size are fixed, so a cell's id means the same
place on every request and for every partnership.
"""

from __future__ import annotations

import math

import numpy as np

ORIGIN_LON, ORIGIN_LAT = -2.0, 52.5  # the National Grid's central meridian; about the middle of England and Wales
METRES_PER_DEGREE_LAT = 111_320.0
# police.uk snaps incidents to anonymous map points a few hundred metres apart in towns:
# a 250 m hexagon (centre to corner) holds a handful of them.
DEFAULT_SIZE = 250.0
SQRT3 = math.sqrt(3.0)
NEIGHBOURS = ((1, 0), (1, -1), (0, -1), (-1, 0), (-1, 1), (0, 1))


def to_metres(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return ((lon - ORIGIN_LON) * METRES_PER_DEGREE_LAT * np.cos(np.radians(lat)),
            (lat - ORIGIN_LAT) * METRES_PER_DEGREE_LAT)


def to_degrees(x, y):
    lat = ORIGIN_LAT + np.asarray(y, dtype=float) / METRES_PER_DEGREE_LAT
    return ORIGIN_LON + np.asarray(x, dtype=float) / (METRES_PER_DEGREE_LAT * np.cos(np.radians(lat))), lat


def cells_of(lon, lat, size: float = DEFAULT_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """Axial coordinates (q, r) of the cells holding each point (cube rounding)."""
    x, y = to_metres(lon, lat)
    q = (SQRT3 / 3 * x - y / 3) / size
    r = (2 / 3 * y) / size
    cx, cz = q, r
    cy = -cx - cz
    rx, ry, rz = np.round(cx), np.round(cy), np.round(cz)
    dx, dy, dz = np.abs(rx - cx), np.abs(ry - cy), np.abs(rz - cz)
    fix_x = (dx > dy) & (dx > dz)
    fix_y = ~fix_x & (dy > dz)
    rx = np.where(fix_x, -ry - rz, rx)
    rz = np.where(~fix_x & ~fix_y, -rx - ry, rz)
    return rx.astype(np.int64), rz.astype(np.int64)


def cell_id(q: int, r: int) -> str:
    return f"{q}:{r}"


def parse_cell_id(text: str) -> tuple[int, int]:
    q, r = text.split(":")
    return int(q), int(r)


def cell_centre(q: int, r: int, size: float = DEFAULT_SIZE) -> tuple[float, float]:
    x = size * SQRT3 * (q + r / 2)
    y = size * 1.5 * r
    lon, lat = to_degrees(x, y)
    return float(lon), float(lat)


def cell_polygon(q: int, r: int, size: float = DEFAULT_SIZE) -> list[tuple[float, float]]:
    """The cell's corners as (lon, lat), closed (first corner repeated)."""
    x0 = size * SQRT3 * (q + r / 2)
    y0 = size * 1.5 * r
    corners = []
    for i in range(7):
        angle = math.radians(60 * (i % 6) - 30)
        lon, lat = to_degrees(x0 + size * math.cos(angle), y0 + size * math.sin(angle))
        corners.append((round(float(lon), 6), round(float(lat), 6)))
    return corners


def neighbours(q: int, r: int) -> list[tuple[int, int]]:
    return [(q + dq, r + dr) for dq, dr in NEIGHBOURS]


def cell_polygons(q, r, size: float = DEFAULT_SIZE) -> np.ndarray:
    """Corners of many cells at once: an array of shape (cells, 7, 2) of (lon, lat), closed."""
    q = np.asarray(q, dtype=float)[:, None]
    r = np.asarray(r, dtype=float)[:, None]
    angles = np.radians(60 * (np.arange(7) % 6) - 30)[None, :]
    x = size * SQRT3 * (q + r / 2) + size * np.cos(angles)
    y = size * 1.5 * r + size * np.sin(angles)
    lon, lat = to_degrees(x, y)
    return np.round(np.stack([lon, lat], axis=-1), 6)


def cell_features(cell_ids, q, r, size: float = DEFAULT_SIZE) -> dict:
    """The cells as a GeoJSON FeatureCollection, each a Polygon whose id is its cell id."""
    corners = cell_polygons(q, r, size).tolist()
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": cell, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for cell, ring in zip(list(cell_ids), corners)
    ]}
