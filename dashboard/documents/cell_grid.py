"""The hotspot map's grid of cells as a file (``queries.cell_grid``), served by the app at
``/hotspots/cells/<area>-<size>-v<data version>-<public|partner>.geojson``.

The address holds the data version, so a browser keeps the file until an import changes it,
and the audience, so that a partner's grid (which may hold cells of health-derived records
alone) is never the answer to a public reader.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort

from dashboard.chart_data.spec import Reader
from dashboard.server.auth import request_reader
from queries.cell_grid import grid_geojson
from queries.hexgrid import DEFAULT_SIZE
from queries.incident_sources import HEALTH_DERIVED
from queries.reference import AREAS_BY_CODE

NAME = re.compile(r"(?P<area>[EW][0-9]{8})-(?P<size>[0-9]{1,5})-v(?P<version>[0-9]{1,18})-(?P<scope>public|partner)")
SIZES = (int(DEFAULT_SIZE),)  # the sizes the pages draw: no other grid is built on request
YEAR = 365 * 24 * 3600


def scope_of(reader: Reader) -> str:
    return "partner" if reader.audience.partner else "public"


def withheld_of(scope: str) -> tuple[str, ...]:
    return () if scope == "partner" else tuple(sorted(HEALTH_DERIVED))


def grid_address(reader: Reader, prefix: str, area_code: str, cell_size: float = DEFAULT_SIZE) -> str:
    """Where the map reads the grid of ``area_code`` from, for this reader, at this data version."""
    version = reader.query_cache.data_version()
    return f"{prefix}hotspots/cells/{area_code}-{int(cell_size)}-v{version}-{scope_of(reader)}.geojson"


def create_cell_grid(query_cache) -> Blueprint:
    cell_grid = Blueprint("cell_grid", __name__)

    @cell_grid.get("/hotspots/cells/<name>.geojson")
    def grid(name: str):
        found = NAME.fullmatch(name)
        if found is None or found["area"] not in AREAS_BY_CODE or int(found["size"]) not in SIZES:
            abort(404)
        reader = request_reader(query_cache)
        scope = found["scope"]
        if scope == "partner" and scope_of(reader) != "partner":
            abort(403)
        body = reader.get(grid_geojson, found["area"], float(found["size"]), withheld_of(scope))
        # Kept by the browser alone (every reply that is not a static file is private) until an
        # import changes the address. The version in the address is not checked against the
        # data's: each worker reads that at most every few seconds, so a page and its grid may
        # be answered by workers a version apart, and the grid is today's either way.
        return Response(body, mimetype="application/geo+json",
                        headers={"Cache-Control": f"max-age={YEAR}, immutable"})

    return cell_grid
