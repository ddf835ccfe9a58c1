"""An optional basemap from one ``.pmtiles`` file (setting ``MAP_PMTILES``), served by the app.

The app reads tiles out of the archive itself (``/hotspots/basemap/<z>/<x>/<y>``) and the
map asks for them as ordinary tiles from its own origin: no tile server, no outside request.
Raster archives (PNG, JPEG, WebP) are drawn as they are; vector archives are drawn as plain
grey fills and lines for every layer their metadata lists (no text, which would need glyphs).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

RASTER_TYPES = {TileType.PNG: "image/png", TileType.JPEG: "image/jpeg", TileType.WEBP: "image/webp"}
MAX_ZOOM = 24


class Archive:
    """An open .pmtiles file: its header, metadata and tiles."""

    def __init__(self, path: str):
        self.path = Path(path)
        self._file = self.path.open("rb")  # kept open: the reader maps it into memory
        self.reader = Reader(MmapSource(self._file))
        self.header = self.reader.header()
        self.metadata = self.reader.metadata()

    @property
    def raster(self) -> bool:
        return self.header["tile_type"] in RASTER_TYPES

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        data = self.reader.get(z, x, y)
        if data is not None and not self.raster and self.header["tile_compression"] == Compression.GZIP:
            data = gzip.decompress(data)  # served plain, so the browser needs no decoder
        return data


@lru_cache(maxsize=4)
def open_archive(path: str) -> Archive:
    return Archive(path)


def basemap_style(settings, origin: str = "") -> dict | None:
    """The basemap's MapLibre source and layers for the hotspot map, or None without one.

    ``origin`` ("https://host"): the tile address must be absolute, as MapLibre reads
    vector tiles in a worker started from a ``blob:`` address, where a path alone cannot
    be resolved (raster tiles are read on the page, so they worked either way)."""
    path = getattr(settings, "map_pmtiles", None)
    if not path:
        return None
    archive = open_archive(path)
    url = f"{origin}{settings.url_prefix}hotspots/basemap/{{z}}/{{x}}/{{y}}"
    zooms = {"minzoom": archive.header["min_zoom"], "maxzoom": archive.header["max_zoom"]}
    attribution = archive.metadata.get("attribution", "")
    if archive.raster:
        source = {"type": "raster", "tiles": [url], "tileSize": 256, "attribution": attribution, **zooms}
        return {"source": source, "layers": [{"id": "basemap", "type": "raster", "source": "basemap"}]}
    source = {"type": "vector", "tiles": [url], "attribution": attribution, **zooms}
    layers = []
    for layer in archive.metadata.get("vector_layers", []):
        name = layer["id"]
        layers.append({"id": f"{name}-fill", "type": "fill", "source": "basemap", "source-layer": name,
                       "filter": ["==", ["geometry-type"], "Polygon"], "paint": {"fill-color": "#eeeeee"}})
        layers.append({"id": f"{name}-line", "type": "line", "source": "basemap", "source-layer": name,
                       "filter": ["==", ["geometry-type"], "LineString"],
                       "paint": {"line-color": "#c8c8c8", "line-width": 1}})
    return {"source": source, "layers": layers}


def create_basemap(settings) -> Blueprint:
    basemap = Blueprint("basemap", __name__)

    @basemap.get("/hotspots/basemap/<int:z>/<int:x>/<int:y>")
    def tile(z: int, x: int, y: int):
        if not settings.map_pmtiles or z > MAX_ZOOM or x >= 2**z or y >= 2**z:
            abort(404)
        archive = open_archive(settings.map_pmtiles)
        data = archive.tile(z, x, y)
        if data is None:
            return Response(status=204)  # no tile here: MapLibre draws nothing, as for the sea
        mimetype = RASTER_TYPES.get(archive.header["tile_type"], "application/x-protobuf")
        return Response(data, mimetype=mimetype, headers={"Cache-Control": "public, max-age=86400"})

    return basemap
