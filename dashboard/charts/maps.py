"""The hotspot map: incident density on hexagonal cells, clusters outlined, district, ward
and LSOA boundaries, the area's outline, and labels for districts, wards, LSOAs, the busiest
places and the busiest streets.

It draws with MapLibre (plotly's ``*map`` traces) on a blank style, so it needs no tile
server and makes no outside request. Text is not drawn by MapLibre (that needs glyph files
from a font server): the labels and the scale bar travel in ``layout.meta`` and
``assets/hotspot_map.js`` places them over the map as HTML. A basemap appears only when a
``.pmtiles`` file is configured (``basemap.py``), drawn under the hexagons.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

import pandas as pd

from queries import hexgrid

# Light to dark, readable in greyscale and by colour-blind readers (single hue, rising darkness).
DENSITY_SCALE = [[0.0, "#deebf7"], [0.35, "#9ecae1"], [0.7, "#3182bd"], [1.0, "#08306b"]]
CLUSTER_COLOUR = "#b2182b"
FOCUS_ZOOM = 15
LSOA_LABEL_ZOOM = 11  # LSOA names appear from this zoom, where there is room (the script hides them further out)
# Grey lines, lighter for the smaller areas; the area's own edge is black.
BOUNDARY_LINES = (("lsoa", "#bdbdbd", 0.6, "LSOA boundaries"), ("ward", "#757575", 1.4, "Ward boundaries"),
                  ("district", "#424242", 1.6, "District boundaries"))
# Lines the server-drawn first frame leaves out (``first_frame.map_first_frame``): it shows for a
# second or two until plotly draws the map, and the page carries it twice (in the HTML and in
# Dash's layout); a district's wards and LSOAs were two fifths of its bytes and place nothing.
NOT_IN_FIRST_FRAME = {"meta": {"first_frame": False}}
DETAIL_LINES = ("lsoa", "ward")


def map_style(basemap: dict | None):
    """Blank, or the configured basemap's source and layers (no text layers, so no glyphs)."""
    if not basemap:
        return "white-bg"
    return {"version": 8, "sources": {"basemap": basemap["source"]},
            "layers": [{"id": "background", "type": "background", "paint": {"background-color": "#ffffff"}},
                       *basemap["layers"]]}


def bounds_of(cells: pd.DataFrame, boundaries: pd.DataFrame | None = None) -> list[list[float]]:
    """South-west and north-east corners of the cells holding incidents (or of all cells)
    and of the area's districts: the whole area is shown, not only its busy part."""
    drawing = None if boundaries is None else area_drawing(boundaries)
    return _corners(cells, drawing.district_box if drawing else None)


def _corners(cells: pd.DataFrame, district_box: tuple | None) -> list[list[float]]:
    shown = cells[cells["count"] > 0] if (cells["count"] > 0).any() else cells
    lons, lats = shown["longitude"].tolist(), shown["latitude"].tolist()
    if district_box:
        lons += [district_box[0], district_box[2]]
        lats += [district_box[1], district_box[3]]
    return [[round(float(min(lons)), 5), round(float(min(lats)), 5)],
            [round(float(max(lons)), 5), round(float(max(lats)), 5)]]


def view_of(bounds: list[list[float]]) -> tuple[dict, float]:
    """Centre and zoom that fit ``bounds`` into a map about 900 pixels wide;
    ``assets/hotspot_map.js`` fits the bounds to the map's real width."""
    (lon_min, lat_min), (lon_max, lat_max) = bounds
    # In Web Mercator at 52N a degree of latitude is drawn about 1.6 times as tall as a degree of
    # longitude is wide; the map is about 900 by 560 pixels.
    span = max(lon_max - lon_min, (lat_max - lat_min) * 1.6 * 900 / 560, 0.005) * 1.15  # a little margin
    # At zoom z the world is 512 * 2^z pixels wide; fit the span into about 900 pixels.
    zoom = max(6.0, min(15.0, math.log2(360 * 900 / (512 * span))))
    return {"lon": float((lon_min + lon_max) / 2), "lat": float((lat_min + lat_max) / 2)}, round(zoom, 2)


def rings(geometry: dict) -> list:
    """The outer rings of a Polygon or MultiPolygon."""
    if geometry.get("type") == "Polygon":
        return geometry["coordinates"][:1]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _segments(geometries: list[dict]) -> Counter:
    segments: Counter = Counter()
    for geometry in geometries:
        for ring in rings(geometry):
            for a, b in pairwise(ring):
                segments[tuple(sorted((tuple(a), tuple(b))))] += 1
    return segments


def outline_edges(geometries: list[dict]) -> list[list]:
    """The outer edge of a set of neighbouring polygons: the segments only one of them has
    (shared borders cancel out, as the ONS boundaries share their vertices)."""
    return [[list(a), list(b)] for (a, b), n in _segments(geometries).items() if n == 1]


def inner_edges(geometries: list[dict]) -> list[list]:
    """The borders between neighbouring polygons: the segments two of them share. Wards are
    drawn so, as their own outer edge (generalised apart from the LSOAs) would run beside the
    area's outline, drawn from the LSOAs."""
    return [[list(a), list(b)] for (a, b), n in _segments(geometries).items() if n > 1]


def boundary_lines(boundaries: pd.DataFrame, level: str) -> list[list]:
    geometries = [json.loads(g) for g in boundaries.loc[boundaries["level"] == level, "geometry"]]
    return inner_edges(geometries) if level == "ward" else [ring for g in geometries for ring in rings(g)]


def label_point(geometry: dict) -> tuple[float, float]:
    """Where to write a polygon's name: the mean of the largest ring's vertices."""
    ring = max(rings(geometry), key=len)
    return (round(sum(p[0] for p in ring) / len(ring), 5), round(sum(p[1] for p in ring) / len(ring), 5))


LABEL_ORDER = {"district": 0, "ward": 1, "street-name": 2, "lsoa": 3}


def map_labels(boundaries: pd.DataFrame, places: pd.DataFrame, streets: pd.DataFrame | None = None) -> list[dict]:
    """Labels in the order they are given room: the busiest places (``street``: numbered,
    with their street), then districts, wards, street names and LSOAs."""
    labels = []
    for row in places.itertuples():
        text = f"{row.rank}. {row.text}" if row.text else str(row.rank)
        labels.append({"lon": round(row.longitude, 6), "lat": round(row.latitude, 6), "text": text, "kind": "street"})
    areas = [dict(label) for label in area_drawing(boundaries).labels]
    for row in (streets if streets is not None else pd.DataFrame(columns=["longitude"])).itertuples():
        areas.append({"lon": round(row.longitude, 6), "lat": round(row.latitude, 6), "text": row.text,
                      "kind": "street-name"})
    return labels + sorted(areas, key=lambda label: LABEL_ORDER.get(label["kind"], len(LABEL_ORDER)))


def hotspot_map(cells: pd.DataFrame, boundaries: pd.DataFrame, basemap: dict | None, places: pd.DataFrame,
                cell_size: float = hexgrid.DEFAULT_SIZE, streets: pd.DataFrame | None = None,
                grid: str | None = None) -> dict:
    """The map as a plain figure dict: with thousands of cells, plotly's graph objects
    spent a third of a second copying the GeoJSON. ``places``: longitude, latitude, text and
    rank of the busiest places, labelled with their street; ``streets``: longitude, latitude
    and text of street names to write where there is room. ``grid``: the address of the
    area's grid (``dashboard.documents.cell_grid``), which plotly reads once per import; without
    it the cells' outlines are drawn into the figure."""
    shown = cells[cells["count"] > 0]
    data = [{
        "type": "choroplethmap", "name": "Incidents per 250 m cell",
        "geojson": grid if grid is not None else hexgrid.cell_features(shown["cell_id"], shown["q"], shown["r"], cell_size),
        "locations": shown["cell_id"].tolist(), "z": shown["count"].tolist(),
        "colorscale": DENSITY_SCALE, "marker": {"opacity": 0.75, "line": {"width": 0.5, "color": "white"}},
        # Above the map, across: a bar at the side took a third of a phone's width.
        "colorbar": {"title": {"text": "Incidents per cell", "side": "top"}, "thickness": 10, "orientation": "h",
                     "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "len": 0.5, "lenmode": "fraction"},
        "customdata": shown["places"].tolist(),
        "hovertemplate": "%{z} incidents<br>%{customdata}<extra></extra>",
    }]
    hot = cells[cells["cluster"] == "hot"]
    lon, lat = _lines(hexgrid.cell_polygons(hot["q"], hot["r"], cell_size).tolist())
    data.append({"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat, "hoverinfo": "skip",
                 "line": {"color": CLUSTER_COLOUR, "width": 2.5}, "name": "Significant cluster (Gi*, FDR 5%)"})
    drawing = area_drawing(boundaries)
    # The lines' lists are shared with later requests: nothing downstream changes a trace's data.
    data += [dict(trace) for trace in drawing.traces]
    if not places.empty:
        data.append({"type": "scattermap", "mode": "markers", "lon": places["longitude"].tolist(),
                     "lat": places["latitude"].tolist(), "text": places["text"].tolist(), "name": "Busiest places",
                     "marker": {"size": 8, "color": "#000000"}, "hovertemplate": "%{text}<extra></extra>"})
    bounds = _corners(cells, drawing.district_box)
    centre, zoom = view_of(bounds)
    layout = {
        "map": {"style": map_style(basemap), "center": centre, "zoom": zoom},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 680, "showlegend": True,
        # Below the map, so that on a phone it covers none of it.
        "legend": {"orientation": "h", "y": 0, "x": 0, "yanchor": "top", "xanchor": "left"},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 12},
        "meta": {"labels": map_labels(boundaries, places, streets), "lsoa_label_zoom": LSOA_LABEL_ZOOM,
                 "bounds": bounds, "view": {"center": centre, "zoom": zoom}, "cell_size": cell_size},
    }
    return {"data": data, "layout": layout}


class AreaDrawing(NamedTuple):
    """What the map draws of an area whatever the period: its boundary and outline traces,
    its districts', wards' and LSOAs' name labels, and its districts' extent."""

    traces: tuple[dict, ...]
    labels: tuple[dict, ...]
    district_box: tuple[float, float, float, float] | None  # west, south, east, north


def area_drawing(boundaries: pd.DataFrame) -> AreaDrawing:
    """``_drawing`` of these boundaries, worked out once per process for each set: parsing and
    tracing the GeoJSON took a whole-force map a tenth of its time on every request."""
    return _drawing(tuple(boundaries[["name", "level", "geometry"]].itertuples(index=False, name=None)))


@lru_cache(maxsize=32)  # a few areas, each at most a megabyte of lines
def _drawing(rows: tuple[tuple[str, str, str], ...]) -> AreaDrawing:
    boundaries = pd.DataFrame(list(rows), columns=["name", "level", "geometry"])
    traces = []
    for level, colour, width, name in BOUNDARY_LINES:
        lines = boundary_lines(boundaries, level)
        if lines:
            lon, lat = _lines(lines)
            traces.append({"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat, "hoverinfo": "skip",
                           "line": {"color": colour, "width": width}, "name": name,
                           **(NOT_IN_FIRST_FRAME if level in DETAIL_LINES else {})})
    districts = [json.loads(g) for g in boundaries.loc[boundaries["level"] == "district", "geometry"]]
    box = None
    if districts:
        lon, lat = _lines(outline_edges(districts))
        traces.append({"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat, "hoverinfo": "skip",
                       "line": {"color": "#000000", "width": 2.5}, "name": "Area outline"})
        points = [p for geometry in districts for ring in rings(geometry) for p in ring]
        box = (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
               max(p[1] for p in points))
    labels = []
    for name, level, geometry in rows:
        lon, lat = label_point(json.loads(geometry))
        labels.append({"lon": lon, "lat": lat, "text": name, "kind": level})
    return AreaDrawing(tuple(traces), tuple(labels), box)


def _lines(paths) -> tuple[list, list]:
    """Rings or segments as one line trace: coordinates with a gap (None) between them."""
    lon, lat = [], []
    for path in paths:
        lon += [p[0] for p in path] + [None]
        lat += [p[1] for p in path] + [None]
    return lon, lat
