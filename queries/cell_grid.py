"""The grid a hotspot map draws its cells on: every hexagonal cell of an area that holds a
map point with an incident of a source the reader may see, as GeoJSON.

A period's map names its cells and their counts; their outlines come from this file, which
changes only with an import. Drawn inline, a whole force's outlines were half the bytes of
each answer and a sixth of its time, on every change of period. Cells of a withheld source
alone (health-derived records, for the public) are left out, so that the file says nothing
a reader may not see.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from . import hexgrid
from .count_tables import unpack_places
from .db import columns_of, fetch_rows
from .hotspots import area_index
from .reference import districts_in
from .schema import place_count_packed


def readable_cells(engine: Engine, area_code: str, cell_size: float, withheld: Sequence[str] = ()) -> pd.DataFrame:
    """cell_id, q, r of each cell of the area holding a map point with an incident of any
    source but the ``withheld`` ones, in any month loaded."""
    query = select(place_count_packed.c.places).where(
        place_count_packed.c.district_code.in_(list(districts_in(area_code))))
    if withheld:
        query = query.where(place_count_packed.c.source.not_in(sorted(withheld)))
    with engine.connect() as conn:
        rows = fetch_rows(conn, query)
    place_ids = np.unique(unpack_places(columns_of(rows, 1)[0] if rows else [])[0])
    points = area_index(engine, area_code).points
    held = points[points["place_id"].isin(place_ids)]
    q, r = hexgrid.cells_of(held["longitude"], held["latitude"], cell_size)
    cells = np.unique(np.column_stack([q, r]), axis=0)
    return pd.DataFrame({"cell_id": [hexgrid.cell_id(a, b) for a, b in cells.tolist()],
                         "q": cells[:, 0], "r": cells[:, 1]})


def grid_geojson(engine: Engine, area_code: str, cell_size: float, withheld: Sequence[str] = ()) -> bytes:
    """``readable_cells`` as a GeoJSON FeatureCollection, each cell a Polygon whose id is its cell id."""
    cells = readable_cells(engine, area_code, cell_size, withheld)
    features = hexgrid.cell_features(cells["cell_id"], cells["q"], cells["r"], cell_size)
    return json.dumps(features, separators=(",", ":")).encode()
