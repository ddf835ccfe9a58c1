"""The hotspot map: incident density on hexagonal cells, clusters outlined, boundaries.

It draws with MapLibre (plotly's ``*map`` traces) on a blank style, so it needs no tile
server; a basemap appears only when ``MAP_TILE_URL`` names one (a local tile server).
"""

from __future__ import annotations

import json
import math

import pandas as pd

from queries import hexgrid

# Light to dark, readable in greyscale and by colour-blind readers (single hue, rising darkness).
DENSITY_SCALE = [[0.0, "#deebf7"], [0.35, "#9ecae1"], [0.7, "#3182bd"], [1.0, "#08306b"]]
CLUSTER_COLOUR = "#1b1b1b"
FOCUS_ZOOM = 15


def map_style(tile_url: str | None):
    if not tile_url:
        return "white-bg"
    return {
        "version": 8,
        "sources": {"basemap": {"type": "raster", "tiles": [tile_url], "tileSize": 256}},
        "layers": [{"id": "basemap", "type": "raster", "source": "basemap"}],
    }


def view_of(cells: pd.DataFrame) -> tuple[dict, float]:
    """Centre and zoom that fit the cells holding incidents (or all cells)."""
    shown = cells[cells["count"] > 0] if (cells["count"] > 0).any() else cells
    lon_min, lon_max = shown["longitude"].min(), shown["longitude"].max()
    lat_min, lat_max = shown["latitude"].min(), shown["latitude"].max()
    # In Web Mercator at 52N a degree of latitude is drawn about 1.6 times as tall as a degree of
    # longitude is wide; the map is about 900 by 560 pixels.
    span = max(lon_max - lon_min, (lat_max - lat_min) * 1.6 * 900 / 560, 0.005) * 1.15  # a little margin
    # At zoom z the world is 512 * 2^z pixels wide; fit the span into about 900 pixels.
    zoom = max(6.0, min(15.0, math.log2(360 * 900 / (512 * span))))
    return {"lon": float((lon_min + lon_max) / 2), "lat": float((lat_min + lat_max) / 2)}, round(zoom, 2)


def hotspot_map(cells: pd.DataFrame, boundaries: pd.DataFrame, tile_url: str | None,
                cell_size: float = hexgrid.DEFAULT_SIZE) -> dict:
    """The map as a plain figure dict: with thousands of cells, plotly's graph objects
    spent a third of a second copying the GeoJSON."""
    shown = cells[cells["count"] > 0]
    corners = hexgrid.cell_polygons(shown["q"], shown["r"], cell_size).tolist()
    features = [
        {"type": "Feature", "id": cell, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for cell, ring in zip(shown["cell_id"], corners)
    ]
    data = [{
        "type": "choroplethmap", "name": "Incidents per cell",
        "geojson": {"type": "FeatureCollection", "features": features},
        "locations": shown["cell_id"].tolist(), "z": shown["count"].tolist(),
        "colorscale": DENSITY_SCALE, "marker": {"opacity": 0.8, "line": {"width": 0.5, "color": "white"}},
        "colorbar": {"title": {"text": "Incidents"}, "thickness": 12},
        "customdata": shown["places"].tolist(),
        "hovertemplate": "%{z} incidents<br>%{customdata}<extra></extra>",
    }]
    hot = cells[cells["cluster"] == "hot"]
    lon, lat = _outlines(hexgrid.cell_polygons(hot["q"], hot["r"], cell_size).tolist())
    data.append({"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat, "hoverinfo": "skip",
                 "line": {"color": CLUSTER_COLOUR, "width": 3}, "name": "Significant cluster (Gi*, FDR 5%)"})
    for level, colour, width in (("lsoa", "#9e9e9e", 0.8), ("district", "#424242", 1.6)):
        rings = [ring for g in boundaries.loc[boundaries["level"] == level, "geometry"] for ring in _rings(json.loads(g))]
        if rings:
            lon, lat = _outlines(rings)
            data.append({"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat, "hoverinfo": "skip",
                         "line": {"color": colour, "width": width},
                         "name": f"{'LSOA' if level == 'lsoa' else 'District'} boundaries"})
    centre, zoom = view_of(cells)
    layout = {
        "map": {"style": map_style(tile_url), "center": centre, "zoom": zoom},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 560, "showlegend": True,
        "legend": {"orientation": "h", "y": 0.01, "x": 0.01, "yanchor": "bottom", "xanchor": "left",
                   "bgcolor": "rgba(255,255,255,0.9)"},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 12},
    }
    return {"data": data, "layout": layout}


def _rings(geometry: dict) -> list:
    if geometry.get("type") == "Polygon":
        return geometry["coordinates"][:1]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _outlines(rings) -> tuple[list, list]:
    """Rings as one line trace: coordinates with a gap (None) between rings."""
    lon, lat = [], []
    for ring in rings:
        lon += [p[0] for p in ring] + [None]
        lat += [p[1] for p in ring] + [None]
    return lon, lat
