"""Hotspots: the ranked places, grid cells, repeat locations and changes behind the hotspot
page, its CSVs, the hotspot API's wording and the tasking pack."""

from __future__ import annotations

import pandas as pd

from queries.counts import latest_month
from queries.hotspots import (
    CELL_SCHEMA,
    EMERGING,
    FADING,
    HOTSPOT_SCHEMA,
    NEW,
    PERSISTENT,
    HotspotAnalysis,
    boundaries,
    hotspot_analysis,
    repeats_of,
)
from queries.reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG, OXFORD

from ..filters import Filters
from ..formatting import month_span
from ..maps import hotspot_map
from .spec import ChartSpec, Reader

DEFAULTS = Filters(areas=(OXFORD,))
CHANGES_TOP = 20
CLASS_TEXT = {NEW: "New", EMERGING: "Emerging", PERSISTENT: "Persistent", FADING: "Fading", "": ""}


def empty_hotspots() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in HOTSPOT_SCHEMA.items()})


def empty_cells() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in CELL_SCHEMA.items()})


def area_of(filters: Filters) -> str:
    return filters.areas[0] if filters.areas else OXFORD


def recent_period(reader: Reader, filters: Filters) -> tuple[str | None, str | None]:
    end = filters.end or reader.get(latest_month)
    if end is None:
        return None, None
    start = filters.start or end
    return (start, end) if start <= end else (end, start)


def analysis(reader: Reader, filters: Filters) -> HotspotAnalysis | None:
    """The page's figures, from one cached analysis (None when no data is loaded)."""
    start, end = recent_period(reader, filters)
    if end is None:
        return None
    return reader.get(hotspot_analysis, area_of(filters), filters.crime_types or None, start, end,
                      filters.baseline, filters.level)


def places_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    result = analysis(reader, filters)
    frame = result.places if result else empty_hotspots()
    return _rounded(frame.assign(rank=range(1, len(frame) + 1), class_name=frame["class"].map(CLASS_TEXT)))


def cells_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    result = analysis(reader, filters)
    return result.cells if result else empty_cells()


def cells_table(reader: Reader, filters: Filters) -> pd.DataFrame:
    frame = cells_data(reader, filters)
    frame = frame[(frame["count"] > 0) | (frame["cluster"] != "")].sort_values(["count", "z"], ascending=False)
    return _rounded(frame.assign(cluster_name=frame["cluster"].map({"hot": "Hot spot", "cold": "Cold spot", "": ""})))


def repeats_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    result = analysis(reader, filters)
    return result.repeats if result else repeats_of(empty_hotspots())


def changes_data(reader: Reader, filters: Filters, top: int = CHANGES_TOP) -> pd.DataFrame:
    """The top places now against the same number of months just before."""
    columns = ["place_code", "place_name", "count_now", "count_before", "change", "status"]
    result = analysis(reader, filters)
    if result is None:
        return pd.DataFrame(columns=columns)
    now, then = result.places.head(top), result.previous.head(top)
    counts_now = result.places.set_index("place_code")["count"]
    counts_then = result.previous.set_index("place_code")["count"]
    names = {**dict(zip(then["place_code"], then["place_name"])), **dict(zip(now["place_code"], now["place_name"]))}
    now_top, then_top = set(now["place_code"]), set(then["place_code"])
    rows = []
    for code in list(now["place_code"]) + [c for c in then["place_code"] if c not in now_top]:
        n, b = int(counts_now.get(code, 0)), int(counts_then.get(code, 0))
        status = "new to the top" if code not in then_top else ("left the top" if code not in now_top else "in both")
        rows.append((code, names[code], n, b, n - b, status))
    return pd.DataFrame(rows, columns=columns)


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column, places in (("baseline_mean", 2), ("expected", 2), ("ratio", 2), ("p_value", 4), ("q_value", 4), ("z", 2)):
        if column in frame:
            frame[column] = frame[column].astype("float64").round(places)
    return frame


PLACES = ChartSpec("hotspot-places", places_data, (
    ("rank", "Rank"), ("place_name", "Place"), ("place_code", "Code"), ("count", "Incidents"),
    ("baseline_mean", "Baseline monthly mean"), ("ratio", "Ratio to baseline"), ("p_value", "p-value"),
    ("q_value", "q-value (FDR)"), ("class_name", "Class")))
CELLS = ChartSpec("hotspot-cells", cells_table, (
    ("cell_id", "Cell"), ("places", "Places"), ("count", "Incidents"), ("z", "Gi* z-score"),
    ("q_value", "q-value (FDR)"), ("cluster_name", "Cluster")))
REPEATS = ChartSpec("hotspot-repeats", repeats_data, (
    ("place_name", "Place"), ("count", "Incidents in the period"),
    ("baseline_months_active", "Baseline months with incidents"), ("class", "Class")))
CHANGES = ChartSpec("hotspot-changes", changes_data, (
    ("place_name", "Place"), ("count_now", "This period"), ("count_before", "Period before"), ("change", "Change"),
    ("status", f"Top {CHANGES_TOP}")))
CHARTS = (PLACES, CELLS, REPEATS, CHANGES)


def describe(filters: Filters, start: str, end: str) -> str:
    what = (", ".join(CRIME_TYPES_BY_SLUG[c].name for c in filters.crime_types) if filters.crime_types
            else "All crime (not ASB)")
    return f"{what} in {AREAS_BY_CODE[area_of(filters)].name}, {month_span(start, end)}"


def summary_text(places: pd.DataFrame, cells: pd.DataFrame, description: str) -> str:
    counts = places["class"].value_counts()
    parts = [f"{description}: {int(places['count'].sum()):,} incidents at {int((places['count'] > 0).sum()):,} places."]
    classes = [f"{int(counts.get(c, 0))} {c}" for c in (NEW, EMERGING, PERSISTENT, FADING)]
    parts.append("Places by class: " + ", ".join(classes) + ".")
    parts.append(f"Gi* finds {int((cells['cluster'] == 'hot').sum())} grid cells in significant hot clusters.")
    return " ".join(parts)


def area_boundaries(reader: Reader, filters: Filters) -> pd.DataFrame:
    return reader.get(boundaries, area_of(filters))


def map_figure(reader: Reader, filters: Filters, tile_url: str | None) -> dict:
    return hotspot_map(cells_data(reader, filters), area_boundaries(reader, filters), tile_url)
