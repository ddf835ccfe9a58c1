"""Hotspots for tasking: where incidents concentrate, which places are new or getting
worse, and where cells cluster significantly.

Method (shown on the hotspot page too):
- The recent period is compared with a baseline of the months just before it. A place's
  expected count is its baseline monthly mean times the recent months.
- p-value: the Poisson probability of at least the recent count if the baseline rate held
  (a place with no baseline incidents is given half an incident over the baseline, so its
  p-value is defined). q-value: Benjamini-Hochberg false-discovery-rate adjustment across
  every place with incidents in either period.
- Classes: new (none in the baseline); emerging (q < 0.05, above expected); persistent (in
  the top tenth by recent count, at least 2, and with incidents in more than half the
  baseline months); fading (significantly fewer than a baseline of at least one a month,
  q < 0.05 on the lower tail).
- Clusters: Getis-Ord Gi* over a hexagonal grid (the cell and its six neighbours, binary
  weights) on recent counts, over every cell holding a police.uk map point in the area,
  with Benjamini-Hochberg control of the false discovery rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from . import hexgrid, periods
from .db import fetch_rows, plain_rows
from .reference import ALL_CRIME, AREAS_BY_CODE, districts_in
from .schema import lsoa, place, place_count
from .stats import benjamini_hochberg, getis_ord_gi_star, normal_upper_p, poisson_lower_p, poisson_upper_p

LOCATION, LSOA, CELL = "location", "lsoa", "cell"
LEVELS = (LOCATION, LSOA, CELL)
NEW, EMERGING, PERSISTENT, FADING = "new", "emerging", "persistent", "fading"
SIGNIFICANCE = 0.05

HOTSPOT_SCHEMA = {
    "place_code": "str", "place_name": "str", "lsoa_code": "str", "longitude": "float64", "latitude": "float64",
    "count": "int64", "baseline_count": "int64", "baseline_mean": "float64", "baseline_months_active": "int64",
    "expected": "float64", "ratio": "Float64", "p_value": "float64", "q_value": "float64", "class": "str",
}
HOTSPOT_COLUMNS = list(HOTSPOT_SCHEMA)
CELL_SCHEMA = {
    "cell_id": "str", "q": "int64", "r": "int64", "longitude": "float64", "latitude": "float64", "count": "int64",
    "places": "str", "z": "float64", "p_value": "float64", "q_value": "float64", "cluster": "str",
}


def baseline_period(start: str, baseline_months: int) -> tuple[str, str]:
    return periods.add_months(start, -baseline_months), periods.add_months(start, -1)


def place_month_counts(engine: Engine, area_code: str, crime_types: Sequence[str] | None, first: str, last: str,
                       places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts per police.uk place and month in the area, with the place's details
    (``places``: the area's places, when the caller has them already)."""
    crime_types = list(crime_types) if crime_types else list(ALL_CRIME)
    query = (
        select(place_count.c.place_id, place_count.c.month, func.sum(place_count.c.count))
        .where(
            place_count.c.district_code.in_(list(districts_in(area_code))),
            place_count.c.month.between(first, last),
            place_count.c.crime_type.in_(crime_types),
        )
        .group_by(place_count.c.place_id, place_count.c.month)
    )
    with engine.connect() as conn:
        counts = pd.DataFrame(fetch_rows(conn, query), columns=["place_id", "month", "count"])
    # Details come from one cheap query per area rather than a join on every count row.
    details = (area_places(engine, area_code) if places is None else places).set_index("place_id")
    for column in ("name", "lsoa_code", "lsoa_name", "longitude", "latitude"):
        counts[column] = counts["place_id"].map(details[column])
    return counts


def area_places(engine: Engine, area_code: str) -> pd.DataFrame:
    """Every police.uk map point known in the area: where an incident can be placed."""
    query = (
        select(place.c.id, place.c.name, place.c.lsoa_code, lsoa.c.name, place.c.longitude, place.c.latitude)
        .join(lsoa, lsoa.c.code == place.c.lsoa_code)
        .where(place.c.district_code.in_(list(districts_in(area_code))))
    )
    with engine.connect() as conn:
        rows = plain_rows(conn.execute(query))
    return pd.DataFrame(rows, columns=["place_id", "name", "lsoa_code", "lsoa_name", "longitude", "latitude"])


def classify(count, baseline_count, baseline_months: int, recent_months: int, months_active) -> pd.DataFrame:
    """p, q and the class of each place from its recent and baseline counts (pure; tested by hand)."""
    count = np.asarray(count, dtype=float)
    baseline_count = np.asarray(baseline_count, dtype=float)
    months_active = np.asarray(months_active, dtype=float)
    baseline_mean = baseline_count / baseline_months
    expected = baseline_mean * recent_months
    # With no baseline, half an incident over the baseline keeps the test defined.
    rate_for_test = np.where(baseline_count > 0, expected, 0.5 / baseline_months * recent_months)
    p_value = poisson_upper_p(count, rate_for_test)
    q_value = benjamini_hochberg(p_value)
    q_fading = benjamini_hochberg(poisson_lower_p(count, np.where(expected > 0, expected, 1.0)))
    positive = count[count > 0]
    high = max(2.0, float(np.quantile(positive, 0.9))) if len(positive) else math.inf
    classes = np.full(len(count), "", dtype=object)
    fading = (baseline_mean >= 1) & (q_fading < SIGNIFICANCE) & (count < expected)
    persistent = (count >= high) & (months_active > baseline_months / 2)
    emerging = (q_value < SIGNIFICANCE) & (count > expected)
    new = (baseline_count == 0) & (count > 0)
    for mask, name in ((fading, FADING), (persistent, PERSISTENT), (emerging, EMERGING), (new, NEW)):
        classes[mask] = name  # later rules win: new, then emerging, then persistent, then fading
    ratio = np.where(expected > 0, count / np.where(expected > 0, expected, 1), np.nan)
    return pd.DataFrame({
        "baseline_mean": baseline_mean, "expected": expected, "ratio": ratio,
        "p_value": p_value, "q_value": q_value, "class": classes,
    })


def hotspots(
    engine: Engine,
    area_code: str,
    crime_types: Sequence[str] | None,
    start: str,
    end: str,
    baseline_months: int = 12,
    level: str = LOCATION,
    cell_size: float = hexgrid.DEFAULT_SIZE,
) -> pd.DataFrame:
    """Places ranked by incidents in the recent period, with their baseline, test and class."""
    if area_code not in AREAS_BY_CODE or level not in LEVELS:
        raise ValueError("unknown area or level")
    data = place_month_counts(engine, area_code, crime_types, baseline_period(start, baseline_months)[0], end)
    return rank_places(data, start, end, baseline_months, level, cell_size)


def rank_places(data: pd.DataFrame, start: str, end: str, baseline_months: int, level: str,
                cell_size: float = hexgrid.DEFAULT_SIZE) -> pd.DataFrame:
    """``hotspots`` on counts already fetched (which may reach further back than needed)."""
    base_first, base_last = baseline_period(start, baseline_months)
    data = data[(data["month"] >= base_first) & (data["month"] <= end)]
    if data.empty:
        return _empty(HOTSPOT_SCHEMA)
    # Level keys are worked out once per place, not once per count row, and grouped as integers.
    places = data.drop_duplicates("place_id").set_index("place_id")
    keys = _level_keys(places, level, cell_size)
    codes, labels = pd.factorize(keys["place_code"])
    key = data["place_id"].map(pd.Series(codes, index=keys.index)).to_numpy()
    month = data["month"].to_numpy()
    count = data["count"].to_numpy()
    recent = month >= start
    base = month <= base_last
    n = len(labels)
    recent_count = np.bincount(key, weights=np.where(recent, count, 0), minlength=n)
    baseline_count = np.bincount(key, weights=np.where(base, count, 0), minlength=n)
    active = pd.DataFrame({"key": key[base & (count > 0)], "month": month[base & (count > 0)]}).drop_duplicates()
    months_active = np.bincount(active["key"].to_numpy(), minlength=n)
    details = keys.assign(code=codes).groupby("code").agg(
        place_name=("place_name", "first"), lsoa_code=("lsoa_code", "first"),
        longitude=("longitude", "mean"), latitude=("latitude", "mean"),
    ).sort_index()
    frame = details.assign(
        place_code=list(labels), count=recent_count.astype("int64"), baseline_count=baseline_count.astype("int64"),
        baseline_months_active=months_active.astype("int64"),
    ).reset_index(drop=True)
    recent_months = len(periods.months_between(start, end))
    stats = classify(frame["count"], frame["baseline_count"], baseline_months, recent_months, frame["baseline_months_active"])
    frame = pd.concat([frame, stats], axis=1)
    frame = frame.sort_values(["count", "ratio", "place_name"], ascending=[False, False, True], na_position="last")
    return frame.reset_index(drop=True)[HOTSPOT_COLUMNS].astype(HOTSPOT_SCHEMA)


def _level_keys(places: pd.DataFrame, level: str, cell_size: float) -> pd.DataFrame:
    """Per place (indexed by place id): the code and name of the place, LSOA or cell it counts in."""
    keys = places[["lsoa_code", "longitude", "latitude"]].copy()
    if level == LOCATION:
        keys["place_code"] = places.index.astype(str)
        keys["place_name"] = places["name"] + " (" + places["lsoa_name"] + ")"
    elif level == LSOA:
        keys["place_code"] = places["lsoa_code"]
        keys["place_name"] = places["lsoa_name"]
    else:
        q, r = hexgrid.cells_of(places["longitude"], places["latitude"], cell_size)
        keys["place_code"] = [hexgrid.cell_id(a, b) for a, b in zip(q, r)]
        keys["place_name"] = "Cell near " + places["name"].str.removeprefix("On or near ")
    return keys


def gi_star_cells(
    engine: Engine,
    area_code: str,
    crime_types: Sequence[str] | None,
    start: str,
    end: str,
    cell_size: float = hexgrid.DEFAULT_SIZE,
) -> pd.DataFrame:
    """Recent counts per hexagonal cell with Gi* z-scores, FDR-adjusted, and the cluster
    ('hot', 'cold' or '') of each cell. Cells: every cell holding a map point in the area."""
    data = place_month_counts(engine, area_code, crime_types, start, end)
    return cluster_cells(area_places(engine, area_code), data, start, end, cell_size)


def cluster_cells(points: pd.DataFrame, data: pd.DataFrame, start: str, end: str,
                  cell_size: float = hexgrid.DEFAULT_SIZE) -> pd.DataFrame:
    """``gi_star_cells`` on the area's places and counts already fetched."""
    if points.empty:
        return _empty(CELL_SCHEMA)
    q_all, r_all = hexgrid.cells_of(points["longitude"], points["latitude"], cell_size)
    cells = sorted(set(zip(q_all.tolist(), r_all.tolist())))
    position = {cell: i for i, cell in enumerate(cells)}
    data = data[(data["month"] >= start) & (data["month"] <= end)]
    counts = np.zeros(len(cells))
    names: dict[int, dict[str, int]] = {}
    if not data.empty:
        per_place = data.groupby(["name", "longitude", "latitude"], as_index=False)["count"].sum()
        q, r = hexgrid.cells_of(per_place["longitude"], per_place["latitude"], cell_size)
        for a, b, n, name in zip(q.tolist(), r.tolist(), per_place["count"].tolist(), per_place["name"].tolist()):
            i = position.get((a, b))
            if i is None:
                continue
            counts[i] += n
            names.setdefault(i, {})
            names[i][name] = names[i].get(name, 0) + n
    index = np.array([[position.get(nb, -1) for nb in hexgrid.neighbours(a, b)] for a, b in cells], dtype=np.int64)
    z = getis_ord_gi_star(counts, index)
    p_hot = normal_upper_p(z)
    p_cold = normal_upper_p(-z)
    q_hot = benjamini_hochberg(p_hot)
    q_cold = benjamini_hochberg(p_cold)
    cluster = np.where((q_hot < SIGNIFICANCE) & (z > 0), "hot", np.where((q_cold < SIGNIFICANCE) & (z < 0), "cold", ""))
    centres = [hexgrid.cell_centre(a, b, cell_size) for a, b in cells]
    frame = pd.DataFrame({
        "cell_id": [hexgrid.cell_id(a, b) for a, b in cells],
        "q": [a for a, _ in cells], "r": [b for _, b in cells],
        "longitude": [c[0] for c in centres], "latitude": [c[1] for c in centres],
        "count": counts.astype("int64"),
        "places": [_top_places(names.get(i, {})) for i in range(len(cells))],
        "z": z, "p_value": np.where(z >= 0, p_hot, p_cold), "q_value": np.where(z >= 0, q_hot, q_cold),
        "cluster": cluster,
    })
    return frame.astype(CELL_SCHEMA)


def _top_places(names: dict[str, int], limit: int = 3) -> str:
    ranked = sorted(names.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return "; ".join(f"{name} ({n})" for name, n in ranked)


def repeats_of(location_hotspots: pd.DataFrame) -> pd.DataFrame:
    frame = location_hotspots[location_hotspots["count"] >= 2]
    return frame[["place_code", "place_name", "lsoa_code", "longitude", "latitude", "count", "baseline_months_active",
                  "class"]].reset_index(drop=True)


@dataclass(frozen=True)
class HotspotAnalysis:
    """Everything the hotspot page and the tasking pack show, from one fetch of counts."""

    places: pd.DataFrame  # ranked at the chosen level
    previous: pd.DataFrame  # the same, for the period of equal length just before
    repeats: pd.DataFrame  # street locations with two or more incidents
    cells: pd.DataFrame  # Gi* over the grid


def hotspot_analysis(
    engine: Engine,
    area_code: str,
    crime_types: Sequence[str] | None,
    start: str,
    end: str,
    baseline_months: int = 12,
    level: str = LOCATION,
    cell_size: float = hexgrid.DEFAULT_SIZE,
) -> HotspotAnalysis:
    if area_code not in AREAS_BY_CODE or level not in LEVELS:
        raise ValueError("unknown area or level")
    months = len(periods.months_between(start, end))
    previous = (periods.add_months(start, -months), periods.add_months(start, -1))
    points = area_places(engine, area_code)
    data = place_month_counts(engine, area_code, crime_types, baseline_period(previous[0], baseline_months)[0], end, points)
    places = rank_places(data, start, end, baseline_months, level, cell_size)
    locations = places if level == LOCATION else rank_places(data, start, end, baseline_months, LOCATION)
    return HotspotAnalysis(
        places=places,
        previous=rank_places(data, previous[0], previous[1], baseline_months, level, cell_size),
        repeats=repeats_of(locations),
        cells=cluster_cells(points, data, start, end, cell_size),
    )


def _empty(schema: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})


def boundaries(engine: Engine, area_code: str) -> pd.DataFrame:
    """Imported district and LSOA boundaries within the area, as GeoJSON geometry text."""
    from .schema import boundary

    with engine.connect() as conn:
        rows = plain_rows(conn.execute(
            select(boundary.c.code, boundary.c.name, boundary.c.level, boundary.c.geometry)
            .where(boundary.c.district_code.in_(list(districts_in(area_code))))
            .order_by(boundary.c.level, boundary.c.code)
        ))
    return pd.DataFrame(rows, columns=["code", "name", "level", "geometry"])
