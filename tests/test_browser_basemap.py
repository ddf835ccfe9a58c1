"""A vector basemap (.pmtiles of Mapbox Vector Tiles) in Chromium: the page asks the app for
its tiles and MapLibre draws their lines and fills under the hexagons.

The tiles are encoded here by hand (the MVT protobuf: a layer of one line and one square),
so the test needs no tile tool and checks the real vector path end to end.
"""

from __future__ import annotations

import math

import pytest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from .browser import live_server, map_drawn, new_page
from .conftest import demo_database

pytestmark = pytest.mark.browser
WAIT_MS = 120_000
ZOOM = 10
EXTENT = 4096


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number: int, wire: int, body: bytes | int) -> bytes:
    key = varint(number << 3 | wire)
    return key + (varint(body) if wire == 0 else varint(len(body)) + body)


def zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31)


def geometry(kind: str, points: list[tuple[int, int]]) -> list[int]:
    """MVT drawing commands: MoveTo the first point, LineTo the rest (and ClosePath for a polygon)."""
    commands, x, y = [], 0, 0
    for i, (px, py) in enumerate(points):
        if i == 0:
            commands.append(1 | 1 << 3)
        elif i == 1:
            commands.append(2 | (len(points) - 1) << 3)
        commands += [zigzag(px - x), zigzag(py - y)]
        x, y = px, py
    return commands + ([7 | 1 << 3] if kind == "polygon" else [])


def feature(identifier: int, kind: str, points) -> bytes:
    packed = b"".join(varint(c) for c in geometry(kind, points))
    return field(1, 0, identifier) + field(3, 0, 2 if kind == "line" else 3) + field(4, 2, packed)


def tile() -> bytes:
    """One layer, "roads", with a diagonal line and a square (tile coordinates, 0 to 4096)."""
    layer = (field(15, 0, 2) + field(1, 2, b"roads")
             + field(2, 2, feature(1, "line", [(0, 0), (EXTENT, EXTENT)]))
             + field(2, 2, feature(2, "polygon", [(1024, 1024), (3072, 1024), (3072, 3072), (1024, 3072)]))
             + field(5, 0, EXTENT))
    return field(3, 2, layer)


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def write_vector_pmtiles(path) -> set[tuple[int, int, int]]:
    """Tiles at zoom 10 over Oxford and around it; returns their (z, x, y)."""
    x0, y0 = tile_of(-1.25, 51.75, ZOOM)
    tiles = sorted(((ZOOM, x, y) for x in range(x0 - 1, x0 + 2) for y in range(y0 - 1, y0 + 2)),
                   key=lambda t: zxy_to_tileid(*t))
    with path.open("wb") as handle:
        writer = Writer(handle)
        for z, x, y in tiles:
            writer.write_tile(zxy_to_tileid(z, x, y), tile())
        writer.finalize(
            {"tile_type": TileType.MVT, "tile_compression": Compression.NONE, "min_zoom": ZOOM, "max_zoom": ZOOM,
             "min_lon_e7": -16000000, "min_lat_e7": 515000000, "max_lon_e7": -9000000, "max_lat_e7": 520000000,
             "center_zoom": ZOOM, "center_lon_e7": -12500000, "center_lat_e7": 517500000},
            {"attribution": "Test tiles", "vector_layers": [{"id": "roads", "fields": {}}]},
        )
    return set(tiles)


DRAWN = """() => {
    const graph = document.querySelector('#chart-hotspot-map .js-plotly-plot');
    const map = graph._fullLayout.map._subplot.map;
    if (!map.isSourceLoaded('basemap')) return null;
    const kinds = map.queryRenderedFeatures({layers: ['roads-line', 'roads-fill']}).map(f => f.layer.id);
    return {lines: kinds.filter(k => k === 'roads-line').length, fills: kinds.filter(k => k === 'roads-fill').length};
}"""


def test_a_vector_basemap_is_requested_and_drawn(tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("vector")
    tiles = write_vector_pmtiles(folder / "roads.pmtiles")
    config = {"database_url": demo_database(tmp_path_factory, "vector", "2024-01", "2024-03", 0.02),
              "map_pmtiles": str(folder / "roads.pmtiles")}
    with live_server(config) as base, new_page(browser) as page:
        answered = {}
        page.on("response", lambda r: answered.__setitem__(r.url, r.status) if "/hotspots/basemap/" in r.url else None)
        page.goto(f"{base}/hotspots?area=E07000178&to=2024-03&baseline_months=2")
        map_drawn(page)
        drawn = page.wait_for_function(f"() => {{ const d = ({DRAWN})(); return d && d.lines > 0 && d.fills > 0 && d; }}",
                                       timeout=WAIT_MS).json_value()
        assert drawn["lines"] > 0 and drawn["fills"] > 0
        asked = {tuple(int(v) for v in url.rsplit("/basemap/", 1)[1].split("/")): status for url, status in answered.items()}
        # Zoomed in past the archive's zoom, MapLibre draws its zoom-10 tiles larger.
        assert {t for t, status in asked.items() if status == 200} <= tiles
        assert any(status == 200 for status in asked.values())
        assert not [m for m in page.console_messages if m.startswith(("error", "pageerror"))], page.console_messages
