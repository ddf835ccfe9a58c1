"""A basemap from one .pmtiles file: served by the app itself and drawn under the hexagons."""

from __future__ import annotations

import struct
import zlib

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from app import create_app
from dashboard.charts.basemap import basemap_style
from dashboard.server.settings import Settings


def png(grey: int) -> bytes:
    """A 1 x 1 grey PNG, written by hand."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes([0, grey]))) + chunk(b"IEND", b""))


TILES = {(0, 0, 0): png(200), (1, 0, 0): png(100), (1, 1, 0): png(50)}


def write_pmtiles(folder):
    path = folder / "basemap.pmtiles"
    with path.open("wb") as handle:
        writer = Writer(handle)
        for (z, x, y), data in sorted(TILES.items(), key=lambda item: zxy_to_tileid(*item[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize(
            {"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_zoom": 0, "max_zoom": 1,
             "min_lon_e7": -1800000000, "min_lat_e7": -850000000, "max_lon_e7": 1800000000, "max_lat_e7": 850000000,
             "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0},
            {"attribution": "Test tiles"},
        )
    return path


def test_tiles_come_from_the_file_through_the_app(sqlite_engine, tmp_path):
    path = write_pmtiles(tmp_path)
    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False), "map_pmtiles": str(path)})
    client = app.server.test_client()
    for (z, x, y), data in TILES.items():
        response = client.get(f"/hotspots/basemap/{z}/{x}/{y}")
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.data == data
    assert client.get("/hotspots/basemap/1/0/1").status_code == 204  # not in the file
    assert client.get("/hotspots/basemap/1/5/0").status_code == 404  # not a tile at all
    assert client.get("/hotspots/basemap/99/0/0").status_code == 404


def test_no_basemap_without_the_setting(sqlite_engine):
    app = create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False)})
    assert app.server.test_client().get("/hotspots/basemap/0/0/0").status_code == 404
    assert basemap_style(Settings.from_mapping({})) is None


def test_the_map_draws_the_basemap_under_the_hexagons(tmp_path):
    import pandas as pd

    from dashboard.charts.maps import hotspot_map
    from queries.hexgrid import cell_id, cells_of

    style = basemap_style(Settings.from_mapping({"map_pmtiles": str(write_pmtiles(tmp_path))}), "http://example.org")
    # Absolute: MapLibre reads vector tiles in a blob: worker, where a bare path does not resolve.
    assert style["source"]["tiles"] == ["http://example.org/hotspots/basemap/{z}/{x}/{y}"]
    q, r = cells_of([-1.25], [51.75])
    cells = pd.DataFrame({"cell_id": [cell_id(int(q[0]), int(r[0]))], "q": q, "r": r, "longitude": [-1.25],
                          "latitude": [51.75], "count": [3], "places": ["On or near High Street (3)"], "z": [0.0],
                          "p_value": [1.0], "q_value": [1.0], "cluster": [""]})
    figure = hotspot_map(cells, pd.DataFrame(columns=["code", "name", "level", "geometry"]), style,
                         pd.DataFrame(columns=["longitude", "latitude", "text", "rank"]))
    map_style = figure["layout"]["map"]["style"]
    assert map_style["sources"]["basemap"]["type"] == "raster"
    assert [layer["id"] for layer in map_style["layers"]] == ["background", "basemap"]
    # Style layers are drawn first; the hexagons are a trace, so they lie on top.
    assert figure["data"][0]["type"] == "choroplethmap"
    assert "glyphs" not in map_style  # nothing asks a font server for text
