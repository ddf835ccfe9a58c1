"""What the hotspot map shows, on the page and in the tasking pack: the cells, the
boundaries (district; and, for one district, its wards and LSOAs), the busiest places
numbered with their street, and the names of the area's busiest streets."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.chart_data import hotspots as data
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from dashboard.charts.maps import hotspot_map
from queries.hotspots import boundaries
from queries.map_streets import busiest_streets, generic_mask, nearest_named, point_counts, street_of, street_points
from queries.reference import AREAS_BY_CODE, DISTRICT

PLACE_LABELS = 10
STREET_LABELS = 60  # sent to the map; its label placer keeps only those that find room


@dataclass(frozen=True)
class MapLayers:
    cells: pd.DataFrame
    boundaries: pd.DataFrame  # code, name, level (district, ward, lsoa), geometry
    places: pd.DataFrame  # longitude, latitude, text, rank: the busiest places
    streets: pd.DataFrame  # longitude, latitude, text: the busiest streets' names


def one_district(filters: Filters) -> bool:
    return AREAS_BY_CODE[data.area_of(filters)].level == DISTRICT


def area_boundaries(reader: Reader, filters: Filters) -> pd.DataFrame:
    """District boundaries; for one district its wards and LSOAs as well (for a county or
    the force they would be too dense to read, and heavy to send)."""
    shapes = reader.get(boundaries, data.area_of(filters))
    return shapes if one_district(filters) else shapes[shapes["level"] == DISTRICT]


def place_labels(reader: Reader, filters: Filters, places: pd.DataFrame, top: int = PLACE_LABELS) -> pd.DataFrame:
    """The busiest places, numbered, with their street (police.uk's "On or near ..."). A place
    police.uk names only by a kind of place ("Supermarket") is said to be near the street of
    the nearest named map point, or left with its number alone; on a map of several districts
    each adds its town ("Cowley Road, Oxford": a street alone could be anywhere)."""
    shown = places[places["count"] > 0].head(top)
    text = shown["street"].fillna("").map(street_of)
    generic = generic_mask(shown["street"])
    if generic.any():
        near = nearest_named(shown["longitude"][generic], shown["latitude"][generic],
                             reader.get(street_points, data.area_of(filters)))
        text[generic] = ["" if street is None else f"near {street}" for street in near]
    if not one_district(filters):
        # An LSOA is named after its district, then a code: "Milton Keynes 012A".
        town = shown["lsoa_name"].str.replace(r" [0-9]{3}[A-Z]$", "", regex=True)
        text = text.where(text == "", text + ", " + town)
    return pd.DataFrame({"longitude": shown["longitude"], "latitude": shown["latitude"], "text": text,
                         "rank": shown["rank"]})


def street_labels(reader: Reader, filters: Filters, limit: int = STREET_LABELS) -> pd.DataFrame:
    """Names of the area's busiest streets this period, for a map of one district (across a
    county, street names would crowd out the towns')."""
    if not one_district(filters):
        return pd.DataFrame(columns=["longitude", "latitude", "text"])
    start, end = data.recent_period(reader, filters)
    counts = reader.get(point_counts, data.area_of(filters), filters.crime_types or None, start, end,
                        data.chosen_sources(reader, filters))
    streets = busiest_streets(counts, limit)
    return pd.DataFrame({"longitude": streets["longitude"], "latitude": streets["latitude"], "text": streets["street"]})


def map_layers(reader: Reader, filters: Filters, places: pd.DataFrame | None = None) -> MapLayers:
    """``places``: the ranked places with ranks and streets, when the caller has them already."""
    places = data.places_data(reader, filters, rows=PLACE_LABELS) if places is None else places
    return MapLayers(data.cells_data(reader, filters), area_boundaries(reader, filters),
                     place_labels(reader, filters, places), street_labels(reader, filters))


def map_figure(reader: Reader, filters: Filters, basemap: dict | None, places: pd.DataFrame | None = None,
               grid: str | None = None) -> dict:
    """``grid``: the address of the area's grid of cells (``hotspot_map``)."""
    layers = map_layers(reader, filters, places)
    return hotspot_map(layers.cells, layers.boundaries, basemap, layers.places, streets=layers.streets, grid=grid)
