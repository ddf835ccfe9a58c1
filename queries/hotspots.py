"""Hotspots for tasking: where incidents concentrate, which places are new, emerging,
persistent or fading, what changed since the last period, and where cells cluster.

A place's usual level is its mean over the baseline months that are *loaded*: a month the
force has not loaded is left out, never counted as zero. Places are classed only when at
least half the baseline months and every month of the period are loaded (``Coverage``);
otherwise every view says which months are missing and gives no class. The tests and
classes are in ``hotspot_tests``. A class depends only on the area as it is today and the
analysed months: places are the map points (under their 2021 LSOA, ``current_lsoas``) with an
incident in the period or the loaded baseline months, LSOAs are the area's 2021 LSOAs, and no
month outside the analysis is read. Clusters: Getis-Ord Gi* over a hexagonal grid (the cell
and its six neighbours, binary weights) on the period's counts, over every cell holding a
police.uk map point in the area, with Benjamini-Hochberg control of the false discovery rate.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from . import hexgrid, periods
from . import hotspot_tests as tests
from .count_tables import unpack_places
from .counts import loaded_months
from .current_lsoas import current_lsoas, with_current_lsoas
from .db import columns_of, fetch_rows, plain_rows
from .hotspot_tests import BUSY, EMERGING, FADING, NEW, PERSISTENT, SIGNIFICANCE, STEADY, TOO_FEW
from .incident_sources import POLICE_SOURCES, checked_sources, count_conditions
from .incidents import source_months
from .map_streets import tidy_names
from .reference import AREAS_BY_CODE, districts_in, force_of
from .schema import lsoa, place, place_count, place_count_packed
from .stats import getis_ord_gi_star, normal_upper_p

__all__ = ["BUSY", "EMERGING", "FADING", "NEW", "PERSISTENT", "SIGNIFICANCE", "STEADY", "TOO_FEW"]
LOCATION, LSOA, CELL = "location", "lsoa", "cell"
LEVELS = (LOCATION, LSOA, CELL)
MIN_BASELINE_SHARE = 0.5  # a place is classed when at least half its baseline months are loaded

HOTSPOT_SCHEMA = {
    "place_code": "str", "place_name": "str", "street": "str", "lsoa_code": "str", "lsoa_name": "str",
    "longitude": "float64", "latitude": "float64", "count": "int64", "baseline_count": "int64",
    "baseline_months_loaded": "int64", "baseline_mean": "float64", "baseline_months_active": "int64",
    "expected": "float64", "ratio": "Float64", "rank_now": "int64", "busiest_now": "bool",
    "busiest_before": "bool", "p_value": "float64", "q_value": "float64", "p_below": "float64",
    "q_below": "float64", "class": "str",
}
HOTSPOT_COLUMNS = list(HOTSPOT_SCHEMA)
CHANGE_SCHEMA = {
    "place_code": "str", "place_name": "str", "street": "str", "lsoa_code": "str", "lsoa_name": "str",
    "longitude": "float64", "latitude": "float64", "count_now": "int64", "count_before": "int64",
    "per_month_now": "float64", "per_month_before": "float64", "change": "float64",
    "p_value": "float64", "q_value": "float64",
}
CELL_SCHEMA = {
    "cell_id": "str", "q": "int64", "r": "int64", "longitude": "float64", "latitude": "float64", "count": "int64",
    "places": "str", "z": "float64", "p_value": "float64", "q_value": "float64", "cluster": "str",
}


@dataclass(frozen=True)
class Coverage:
    """Which months of a hotspot analysis are loaded, and whether places can be classed."""

    baseline: tuple[str, ...]  # every month of the baseline window
    loaded: tuple[str, ...]  # those the force has loaded
    recent_missing: tuple[str, ...]  # months of the period itself that are not loaded

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(m for m in self.baseline if m not in self.loaded)

    @property
    def classed(self) -> bool:
        return (not self.recent_missing and bool(self.loaded)
                and len(self.loaded) >= MIN_BASELINE_SHARE * len(self.baseline))

    def note(self) -> str:
        """Plain words on what is missing and what that means (empty when nothing is)."""
        parts = []
        if self.recent_missing:
            parts.append(f"The period includes months that are not loaded ({_months_text(self.recent_missing)}).")
        if self.missing and not self.loaded:
            parts.append(f"None of the {len(self.baseline)} baseline months is loaded ({_months_text(self.missing)}): "
                         "no place has a usual level to compare with.")
        elif self.missing:
            verb = "is" if len(self.loaded) == 1 else "are"
            parts.append(f"{len(self.loaded)} of the {len(self.baseline)} baseline months {verb} loaded; missing: "
                         f"{_months_text(self.missing)}. Usual levels are averaged over the loaded months only.")
        if not self.classed:
            parts.append("No place is classed: classes need every month of the period and at least half the "
                         "baseline months loaded.")
        return " ".join(parts)


def _months_text(months: Sequence[str]) -> str:
    """Runs of consecutive months in words: "January to June 2023, September 2023"."""
    runs: list[list[str]] = []
    for month in months:
        if runs and periods.add_months(runs[-1][-1], 1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(periods.months_in_words(run[0], run[-1]) for run in runs)


def baseline_period(start: str, baseline_months: int) -> tuple[str, str]:
    return periods.add_months(start, -baseline_months), periods.add_months(start, -1)


@dataclass(frozen=True)
class CountRows:
    """Place-month counts as integer codes: each row's place (an index into ``place_ids``)
    and month (an index into ``months``). Worked out once per fetch, so that every view of
    one analysis filters by month and groups by place on integers, not on strings."""

    place: np.ndarray
    month: np.ndarray
    count: np.ndarray
    place_ids: np.ndarray
    months: np.ndarray  # distinct months, as text

    @classmethod
    def of(cls, place_ids, months, counts) -> CountRows:
        place, distinct_places = pd.factorize(np.asarray(place_ids, dtype=np.int64))
        month, distinct_months = pd.factorize(np.asarray(months, dtype=object))
        return cls(place.astype(np.int64), month.astype(np.int64), np.asarray(counts, dtype=np.int64),
                   np.asarray(distinct_places), np.asarray(distinct_months, dtype=object))

    @classmethod
    def of_codes(cls, place_ids: np.ndarray, month: np.ndarray, months: np.ndarray, counts: np.ndarray) -> CountRows:
        """``of`` for rows sorted by place whose months are already codes into the distinct
        ``months``: no text is factorised again."""
        first = np.r_[True, place_ids[1:] != place_ids[:-1]]
        return cls(np.cumsum(first) - 1, month, counts, place_ids[first], months)

    @classmethod
    def of_frame(cls, data: pd.DataFrame) -> CountRows:
        return cls.of(data["place_id"].to_numpy(), data["month"].to_numpy(dtype=object), data["count"].to_numpy())

    def position_in(self, window: Sequence[str]) -> np.ndarray:
        """Per row: the position of its month in ``window``, or -1 for a month outside it."""
        return pd.Index(list(window), dtype=object).get_indexer(self.months)[self.month]


def _fetch_counts(engine: Engine, area_code: str, crime_types: Sequence[str] | None, first: str,
                  last: str, sources: Sequence[str] | None = None) -> CountRows:
    query = (
        select(place_count.c.place_id, place_count.c.month, func.sum(place_count.c.count))
        .where(
            place_count.c.district_code.in_(list(districts_in(area_code))),
            place_count.c.month.between(first, last),
            count_conditions(place_count, sources, crime_types),
        )
        .group_by(place_count.c.place_id, place_count.c.month)
    )
    with engine.connect() as conn:
        rows = fetch_rows(conn, query)
    if not rows:
        return CountRows.of([], [], [])
    place_ids, months, counts = columns_of(rows, 3)
    return CountRows.of(place_ids, months, counts)


SPLIT_COLUMNS = ["place_id", "crime_type", "period", "baseline"]


def _fetch_counts_and_split(engine: Engine, area_code: str, crime_types: Sequence[str] | None, first: str,
                            split_first: str, start: str, end: str, sources: Sequence[str] | None = None
                            ) -> tuple[CountRows, pd.DataFrame]:
    """``_fetch_counts`` (from ``first``) and each place's incidents by crime type in the
    period (``start`` to ``end``) and in the baseline (``split_first``, not before ``first``,
    to the month before ``start``), from one read of the stored rows.

    The counts are read packed (``place_count_packed``): a few thousand rows for a whole
    force's thirteen months, where ``place_count`` has a hundred and sixty thousand, each
    a Python tuple to build. Grouping them in the database instead cost a pass over every
    row per grouping."""
    query = select(place_count_packed.c.month, place_count_packed.c.crime_type, place_count_packed.c.places).where(
        place_count_packed.c.district_code.in_(list(districts_in(area_code))),
        place_count_packed.c.month.between(first, end),
        count_conditions(place_count_packed, sources, crime_types),
    )
    with engine.connect() as conn:
        rows = fetch_rows(conn, query)
    row_months, row_types, blobs = columns_of(rows, 3)
    place, count, sizes = unpack_places(blobs)
    if not len(place):
        return CountRows.of([], [], []), pd.DataFrame([], columns=SPLIT_COLUMNS)
    # Months and types are worked out per stored row, then given to each of its places.
    held = sizes > 0
    month_code, month_values = pd.factorize(np.asarray(row_months, dtype=object)[held], sort=True)
    type_code, type_values = pd.factorize(np.asarray(row_types, dtype=object)[held], sort=True)
    month_code, type_code = np.repeat(month_code, sizes[held]), np.repeat(type_code, sizes[held])
    month_values, type_values = np.asarray(month_values, dtype=object), np.asarray(type_values, dtype=object)
    # Sums per (place, month) and per (place, type), ordered by place and then month or
    # type, as the database's GROUP BY gives them.
    keys, at = _distinct(place * len(month_values) + month_code)
    totals = np.bincount(at, weights=count, minlength=len(keys)).astype(np.int64)
    counted = CountRows.of_codes(keys // len(month_values), keys % len(month_values), month_values, totals)
    in_split = (month_values >= split_first)[month_code]
    in_period = (month_values >= start)[month_code]
    keys, at = _distinct(place[in_split] * len(type_values) + type_code[in_split])
    period = np.bincount(at, weights=np.where(in_period, count, 0)[in_split], minlength=len(keys)).astype(np.int64)
    baseline = np.bincount(at, weights=np.where(in_period, 0, count)[in_split], minlength=len(keys)).astype(np.int64)
    # The crime types as codes into their sorted names (a categorical): ``_by_type`` counts on
    # the codes, where text made it factorize every row again.
    split = pd.DataFrame({"place_id": keys // len(type_values),
                          "crime_type": pd.Categorical.from_codes(keys % len(type_values), categories=type_values),
                          "period": period, "baseline": baseline}, columns=SPLIT_COLUMNS)
    return counted, split


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` of non-negative integers. Where the keys are
    dense (a force's place ids times its months), marked in an array rather than sorted."""
    space = int(keys.max()) + 1 if len(keys) else 0
    if space > 4 * len(keys) + 1024:
        return np.unique(keys, return_inverse=True)
    present = np.zeros(space, dtype=bool)
    present[keys] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[keys]


def split_of(data: pd.DataFrame, start: str, end: str, first: str) -> pd.DataFrame:
    """The split by crime type of ``_fetch_counts_and_split`` on count rows already fetched
    (with a ``crime_type`` column)."""
    rows = data[(data["month"] >= first) & (data["month"] <= end)]
    period = rows["month"] >= start
    rows = rows.assign(period=np.where(period, rows["count"], 0), baseline=np.where(period, 0, rows["count"]))
    return rows.groupby(["place_id", "crime_type"], as_index=False)[["period", "baseline"]].sum()[SPLIT_COLUMNS]


@dataclass(frozen=True)
class PlaceDetail:
    """Each ranked place's months and crime types, kept as arrays in the places' order (a
    list or dict per place made the cached analysis slow to store), turned into columns for
    the rows a view shows."""

    codes: pd.Index  # place codes, in the order of the arrays' rows
    months: tuple[str, ...]  # baseline and period months, the columns of ``monthly``
    types: tuple[str, ...]  # crime types, the columns of ``period`` and ``baseline``
    monthly: np.ndarray  # counts by month, NaN for a month not loaded
    period: np.ndarray  # counts by crime type in the period
    baseline: np.ndarray  # counts by crime type in the baseline
    units: int = 0  # how many places the busiest are ranked among

    def columns(self, places: pd.DataFrame) -> dict[str, list]:
        """``by_type``, ``by_type_baseline`` ({type: count}, largest first) and ``monthly`` for ``places``."""
        at = self.codes.get_indexer(places["place_code"])
        return {"by_type": [self._types(self.period, i) for i in at],
                "by_type_baseline": [self._types(self.baseline, i) for i in at],
                "monthly": [self.monthly[i].tolist() if i >= 0 else [] for i in at]}

    def _types(self, table: np.ndarray, i: int) -> dict[str, int]:
        if i < 0 or not len(self.types):
            return {}
        line = table[i]
        order = sorted((j for j in range(len(line)) if line[j] > 0), key=lambda j: (-line[j], self.types[j]))
        return {self.types[j]: int(line[j]) for j in order}

    @classmethod
    def empty(cls) -> PlaceDetail:
        return cls(pd.Index([]), (), (), np.zeros((0, 0)), np.zeros((0, 0)), np.zeros((0, 0)))


_AREA_CACHE: dict[tuple, AreaIndex] = {}
_AREA_CACHE_SIZE = 32


@dataclass
class AreaIndex:
    """An area's map points and, per cell size, its grid: what every hotspot request for
    the area needs and only an import changes, built once per process."""

    points: pd.DataFrame
    grids: dict  # per cell size, its CellGrid
    keys: dict = field(default_factory=dict)  # per level and cell size, its ``level_keys``

    @functools.cached_property
    def name_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """``_sorted_names`` of the points' names."""
        return _sorted_names(self.points["name"])

    @functools.cached_property
    def details(self) -> pd.DataFrame:
        """Each point's details (its LSOA as it is today), indexed by place id."""
        return with_current_lsoas(self.points).set_index("place_id")[list(PLACE_DETAILS)]

    def level_keys(self, level: str, cell_size: float) -> pd.DataFrame:
        """``_level_keys`` of every point (in the rows of ``details``): the names are joined
        once per import, not on every request, twice (ranking and what changed)."""
        if (level, cell_size) not in self.keys:
            keys = _level_keys(self.details, level, cell_size)
            # As the ranked places hold them: converted here once, not in every ranking. The
            # codes and the names' order let each request group and sort on integers.
            keys = _typed(keys, {c: HOTSPOT_SCHEMA[c] for c in LEVEL_KEY_TEXT})
            self.keys[(level, cell_size)] = keys.assign(group_code=pd.factorize(keys["place_code"])[0],
                                                        name_order=_sorted_codes(keys["place_name"]))
        return self.keys[(level, cell_size)]

    def grid(self, cell_size: float) -> CellGrid:
        if cell_size not in self.grids:
            self.grids[cell_size] = CellGrid.of(self.points, cell_size)
        return self.grids[cell_size]


@dataclass(frozen=True)
class CellGrid:
    """The grid cells holding an area's map points, each point's cell and each cell's six
    neighbours (-1 where the neighbour holds no point)."""

    q: np.ndarray
    r: np.ndarray
    cell_of_point: np.ndarray  # per row of the area's points
    neighbour_index: np.ndarray
    cell_id: pd.api.extensions.ExtensionArray  # "q:r" per cell, as text: made once per grid, not per request

    def only(self, cells: np.ndarray) -> CellGrid:
        """The grid of the given cells alone (a point elsewhere is in cell -1; a neighbour
        left out is -1)."""
        position = np.full(len(self.q), -1, dtype=np.int64)
        position[cells] = np.arange(len(cells))
        neighbours = self.neighbour_index[cells]
        return CellGrid(self.q[cells], self.r[cells], position[self.cell_of_point],
                        np.where(neighbours >= 0, position[np.maximum(neighbours, 0)], -1), self.cell_id.take(cells))

    @classmethod
    def of(cls, points: pd.DataFrame, cell_size: float) -> CellGrid:
        q_all, r_all = hexgrid.cells_of(points["longitude"], points["latitude"], cell_size)
        cells = sorted(set(zip(q_all.tolist(), r_all.tolist())))
        position = {cell: i for i, cell in enumerate(cells)}
        cell_of_point = np.array([position[c] for c in zip(q_all.tolist(), r_all.tolist())], dtype=np.int64)
        index = np.array([[position.get(nb, -1) for nb in hexgrid.neighbours(a, b)] for a, b in cells],
                         dtype=np.int64).reshape(len(cells), 6)
        return cls(np.array([a for a, _ in cells], dtype=np.int64), np.array([b for _, b in cells], dtype=np.int64),
                   cell_of_point, index, pd.array([hexgrid.cell_id(a, b) for a, b in cells], dtype="str"))


def area_index(engine: Engine, area_code: str) -> AreaIndex:
    """The area's ``AreaIndex``, rebuilt when an import has changed the data (the key holds
    the data version and the number and highest id of the area's map points)."""
    from .schema import data_version

    with engine.connect() as conn:
        version = conn.execute(select(data_version.c.version).where(data_version.c.id == 1)).scalar()
        # The area's points only, read from the district index: counting the whole table
        # read every force's map points on every hotspot request.
        state = conn.execute(select(func.count(), func.max(place.c.id))
                             .where(place.c.district_code.in_(list(districts_in(area_code))))).one()
    key = (str(engine.url), id(engine), area_code, version, *state)
    found = _AREA_CACHE.get(key)
    if found is None:
        if len(_AREA_CACHE) >= _AREA_CACHE_SIZE:
            _AREA_CACHE.pop(next(iter(_AREA_CACHE)))
        found = _AREA_CACHE[key] = AreaIndex(_area_places(engine, area_code), {})
    return found


def _area_places(engine: Engine, area_code: str) -> pd.DataFrame:
    districts = list(districts_in(area_code))
    # A map point and its LSOA lie in the same district (both are read from the same rows at
    # import): saying so of the LSOAs too lets them be read from their district index rather
    # than the whole table of every force's LSOAs.
    query = (
        select(place.c.id, place.c.name, place.c.lsoa_code, lsoa.c.name, place.c.longitude, place.c.latitude)
        .join(lsoa, lsoa.c.code == place.c.lsoa_code)
        .where(place.c.district_code.in_(districts), lsoa.c.district_code.in_(districts))
    )
    with engine.connect() as conn:
        rows = plain_rows(conn.execute(query))
    places = pd.DataFrame(rows, columns=["place_id", "name", "lsoa_code", "lsoa_name", "longitude", "latitude"])
    return places.assign(name=tidy_names(places["name"]))


def coverage_of(start: str, end: str, baseline_months: int, loaded) -> Coverage:
    """Which baseline and recent months are loaded, for one force (every area here lies in one)."""
    loaded = set(loaded)
    first, last = baseline_period(start, baseline_months)
    baseline = tuple(periods.months_between(first, last))
    return Coverage(
        baseline=baseline,
        loaded=tuple(m for m in baseline if m in loaded),
        recent_missing=tuple(m for m in periods.months_between(start, end) if m not in loaded),
    )


def rank_places(data: pd.DataFrame, start: str, end: str, baseline_months: int, level: str, loaded,
                units: int | None = None, cell_size: float = hexgrid.DEFAULT_SIZE) -> pd.DataFrame:
    """``hotspots`` on counts already fetched (which may reach further back than needed): one
    row per place and month, with the place's details (name, LSOA code and name, position).

    ``loaded``: the months the force has loaded; the others are left out, never counted as
    zeros. ``units``: how many places of this level to rank among; by default those seen in
    the analysed months. With a ``crime_type`` column, each place's crime types are given too."""
    first = baseline_period(start, baseline_months)[0]
    split = split_of(data, start, end, first) if "crime_type" in data else None
    frame, detail = _rank(CountRows.of_frame(data), _details_of(data), start, end, baseline_months, level, loaded,
                          units, cell_size, split)
    return frame.assign(**detail.columns(frame))


def _details_of(data: pd.DataFrame) -> pd.DataFrame:
    """Each place's details (its LSOA as it is today), indexed by place id, from count rows that carry them."""
    points = data.drop_duplicates("place_id")[["place_id", "name", "lsoa_code", "lsoa_name", "longitude", "latitude"]]
    return with_current_lsoas(points).set_index("place_id")[list(PLACE_DETAILS)]


PLACE_DETAILS = ("name", "lsoa_code", "lsoa_name", "longitude", "latitude", "point_id")
LEVEL_KEY_TEXT = ("place_code", "place_name", "lsoa_code", "lsoa_name")  # text columns of ``_level_keys``


@dataclass(frozen=True)
class _Grouping:
    """The count rows of a window, each given the place, LSOA or cell it counts in."""

    keep: np.ndarray  # per count row: in the window and at a known place
    key: np.ndarray  # per kept row: its group (0 to n-1)
    keys: pd.DataFrame  # per group, in group order: code, name, LSOA and mean position
    streets: np.ndarray  # per kept row: its map point's name ("On or near ...")
    one_place_each: bool  # each group is one map point (the location level)
    group_of_place: np.ndarray  # per distinct place of the count rows: its group, or -1

    def group_of(self, counts: CountRows, place_ids: np.ndarray) -> np.ndarray:
        """The group of each of ``place_ids`` (-1 for a place outside the window)."""
        at = pd.Index(counts.place_ids).get_indexer(np.asarray(place_ids, dtype=np.int64))
        return np.where(at >= 0, self.group_of_place[np.maximum(at, 0)], -1)

    @property
    def n(self) -> int:
        return len(self.keys)

    @classmethod
    def of(cls, counts: CountRows, details: pd.DataFrame, in_window: np.ndarray, level: str,
           cell_size: float, level_keys: pd.DataFrame | None = None) -> _Grouping:
        """``level_keys``: ``_level_keys`` of every row of ``details``, when the caller has them."""
        # Level keys are worked out once per place, not once per count row, and grouped as integers.
        detail_of_place = details.index.get_indexer(counts.place_ids)
        keep = in_window & (detail_of_place[counts.place] >= 0)
        used = np.flatnonzero(np.bincount(counts.place[keep], minlength=len(counts.place_ids)))
        if level_keys is None:
            keys = _level_keys(details.iloc[detail_of_place[used]], level, cell_size)
            keys = keys.assign(name_order=_sorted_codes(keys["place_name"]))
            codes, labels = pd.factorize(keys["place_code"])
        else:
            keys = level_keys.iloc[detail_of_place[used]]
            codes, labels = pd.factorize(keys["group_code"].to_numpy())  # in the order of the codes' text
        group_of_place = np.full(len(counts.place_ids), -1, dtype=np.int64)
        group_of_place[used] = codes
        row_place = detail_of_place[counts.place[keep]]
        if level == LOCATION and len(labels) == len(keys):  # one place per group, already in group order
            per_group = keys.reset_index(drop=True)
        else:
            per_group = keys.assign(code=codes).groupby("code").agg(
                place_code=("place_code", "first"), place_name=("place_name", "first"),
                lsoa_code=("lsoa_code", "first"), lsoa_name=("lsoa_name", "first"),
                longitude=("longitude", "mean"), latitude=("latitude", "mean"), name_order=("name_order", "first"),
            ).sort_index().reset_index(drop=True)
        return cls(keep, group_of_place[counts.place[keep]], per_group, details["name"].to_numpy()[row_place],
                   level == LOCATION, group_of_place)

    def busiest_streets(self, count: np.ndarray, recent: np.ndarray) -> list[str]:
        """Per group: the police.uk location with most incidents in the rows marked ``recent``
        (or over all the rows, for a group with none there). ``count``, ``recent``: per kept row."""
        if self.one_place_each:
            streets = np.full(self.n, "", dtype=object)
            streets[self.key] = self.streets
            return streets.tolist()
        # Names shared by several map points of a group add up.
        names, name = np.unique(self.streets.astype(str), return_inverse=True)
        pairs, pair = np.unique(self.key * len(names) + name, return_inverse=True)
        total = np.bincount(pair, weights=count)
        in_recent = np.bincount(pair, weights=np.where(recent, count, 0))
        best = pd.DataFrame({"key": pairs // len(names), "name": names[pairs % len(names)], "recent": in_recent > 0,
                             "score": np.where(in_recent > 0, in_recent, total)})
        best = best.sort_values(["key", "recent", "score", "name"], ascending=[True, False, False, True])
        streets = best.drop_duplicates("key").set_index("key")["name"]
        return streets.reindex(range(self.n), fill_value="").tolist()


def _rank(counts: CountRows, details: pd.DataFrame, start: str, end: str, baseline_months: int, level: str, loaded,
          units: int | None, cell_size: float, split: pd.DataFrame | None = None,
          level_keys: pd.DataFrame | None = None) -> tuple[pd.DataFrame, PlaceDetail]:
    """The ranked places and their ``PlaceDetail`` (``split``: incidents by place and crime
    type; ``level_keys``: as for ``_Grouping.of``)."""
    coverage = coverage_of(start, end, baseline_months, loaded)
    period = periods.months_between(start, end)
    recent = [m for m in period if m not in coverage.recent_missing]
    window = list(coverage.loaded) + recent  # sorted: every baseline month is before ``start``
    position = counts.position_in(window)
    groups = _Grouping.of(counts, details, position >= 0, level, cell_size, level_keys)
    if not groups.keep.any():
        return _empty(HOTSPOT_SCHEMA), PlaceDetail.empty()
    n, width, based = groups.n, len(window), len(coverage.loaded)
    column, count = position[groups.keep], counts.count[groups.keep]
    matrix = np.bincount(groups.key * width + column, weights=count, minlength=n * width).reshape(n, width)
    baseline_count, recent_count = matrix[:, :based].sum(axis=1), matrix[:, based:].sum(axis=1)
    # Places: those seen in the analysed months (or, by LSOA, the area's LSOAs today), never
    # every point ever imported, so that loading other months changes no class.
    units = max(units or n, n)
    recent_months = len(period)
    baseline_mean = baseline_count / based if based else np.full(n, np.nan)
    expected = baseline_mean * recent_months
    busiest_now = tests.busiest(recent_count, units)
    busiest_before = tests.busiest(baseline_count, units) if based else np.zeros(n, dtype=bool)
    if coverage.classed:
        p_above, p_below = tests.against_baseline(recent_count, baseline_count, based, recent_months)
        classes, q_above, q_below = tests.classes(recent_count, baseline_count, busiest_now, busiest_before,
                                                  p_above, p_below)
    else:
        p_above = q_above = p_below = q_below = np.full(n, np.nan)
        classes = np.full(n, "", dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, recent_count / expected, np.nan)
    streets = np.asarray(groups.busiest_streets(count, column >= based), dtype=object)
    names, name_order = _names_and_order(groups.keys, streets, level)
    # Places with nothing this period are listed only when they are fading; busiest first,
    # then by the change on the usual level (none known last), then by name.
    listed = np.flatnonzero((recent_count > 0) | (classes == FADING))
    order = listed[np.lexsort((name_order[listed], -ratio[listed], -recent_count[listed]))]
    picked = groups.keys.take(order)
    per_group = {
        "count": recent_count.astype(np.int64), "baseline_count": baseline_count.astype(np.int64),
        "baseline_months_loaded": np.full(n, based, dtype=np.int64),
        "baseline_mean": baseline_mean, "baseline_months_active": (matrix[:, :based] > 0).sum(axis=1),
        "expected": expected, "ratio": ratio,
        "rank_now": 1 + n - np.searchsorted(np.sort(recent_count), recent_count, side="right"),
        "busiest_now": busiest_now, "busiest_before": busiest_before,
        "p_value": p_above, "q_value": q_above, "p_below": p_below, "q_below": q_below, "class": classes,
    }
    frame = pd.DataFrame({
        "place_code": picked["place_code"].array, "place_name": names.take(order).array,
        "street": pd.array(streets[order], dtype="str"),
        **{c: picked[c].array for c in ("lsoa_code", "lsoa_name", "longitude", "latitude")},
        # Typed as they are made: converting them in the finished frame copied all its columns.
        **{c: values[order] if c not in _CONVERTED else pd.array(values[order], dtype=HOTSPOT_SCHEMA[c])
           for c, values in per_group.items()},
    })
    months = list(coverage.baseline) + period
    types, by_period, by_baseline = _by_type(split, counts, groups, n)
    detail = PlaceDetail(pd.Index(frame["place_code"].to_numpy()), tuple(months), types,
                         _monthly(matrix, window, months)[order], by_period[order], by_baseline[order])
    return _typed(frame, HOTSPOT_SCHEMA), replace(detail, units=units)


_CONVERTED = ("ratio", "class")  # the columns of ``_rank`` whose arrays are not of their type already


def _names_and_order(keys: pd.DataFrame, streets: np.ndarray, level: str) -> tuple[pd.Series, np.ndarray]:
    """Each group's name and its place in the names' sorted order (a grid cell is named
    after its busiest street, so its order is worked out here)."""
    if level == CELL:
        names = "Cell near " + pd.Series(streets, dtype="str").str.removeprefix("On or near ")
        return names, _sorted_codes(names)
    return keys["place_name"].reset_index(drop=True), keys["name_order"].to_numpy()


def _sorted_codes(names: pd.Series) -> np.ndarray:
    """Per name: its place among the distinct names in sorted order (equal names, equal codes)."""
    return pd.factorize(names.to_numpy(dtype=object), sort=True)[0]


def _by_type(split: pd.DataFrame | None, counts: CountRows, groups: _Grouping, n: int):
    """Crime types, and per group its incidents by type in the period and in the baseline."""
    if split is None or split.empty:
        return (), np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.int64)
    group = groups.group_of(counts, split["place_id"].to_numpy())
    known = group >= 0
    kinds = split["crime_type"].astype("category")  # already one from the packed read
    crime, types = kinds.cat.codes.to_numpy()[known].astype(np.int64), kinds.cat.categories.to_numpy()
    width = len(types)
    tables = []
    for column in ("period", "baseline"):
        weights = split[column].to_numpy(dtype=np.int64)[known]
        tables.append(np.bincount(group[known] * width + crime, weights=weights, minlength=n * width)
                      .reshape(n, width).astype(np.int64))
    return tuple(str(t) for t in types), tables[0], tables[1]


def _monthly(matrix: np.ndarray, window: list[str], months: list[str]) -> np.ndarray:
    """Per group: its count in each of ``months`` (baseline and period), NaN for a month not loaded."""
    full = np.full((matrix.shape[0], len(months)), np.nan)
    at = pd.Index(months).get_indexer(window)
    full[:, at] = matrix
    return full


@dataclass(frozen=True)
class ChangeWindow:
    """The months "what changed" compares: the loaded months of the period and of the period
    of equal length just before it."""

    now: tuple[str, ...]
    before: tuple[str, ...]
    now_all: tuple[str, ...]
    before_all: tuple[str, ...]

    @property
    def comparable(self) -> bool:
        return bool(self.now) and bool(self.before)

    def note(self) -> str:
        """Which months are compared, in words, and how."""
        head = (f"{periods.months_in_words(self.now_all[0], self.now_all[-1])} against "
                f"{periods.months_in_words(self.before_all[0], self.before_all[-1])}")
        missing = [m for m in self.before_all + self.now_all if m not in self.before + self.now]
        if not self.comparable:
            verb = "is" if len(missing) == 1 else "are"
            return f"{head}: no change can be tested, as {_months_text(missing)} {verb} not loaded."
        if not missing:
            return f"{head}."
        return (f"{head}, on the loaded months only ({_months_text(missing)} not loaded), per month: "
                f"{len(self.now)} month{'s' if len(self.now) > 1 else ''} against {len(self.before)}.")


def change_window(start: str, end: str, loaded) -> ChangeWindow:
    loaded = set(loaded)
    now_all = periods.months_between(start, end)
    before_all = periods.months_between(periods.add_months(start, -len(now_all)), periods.add_months(start, -1))
    return ChangeWindow(tuple(m for m in now_all if m in loaded), tuple(m for m in before_all if m in loaded),
                        tuple(now_all), tuple(before_all))


def changes_between(data: pd.DataFrame, start: str, end: str, level: str, loaded,
                    cell_size: float = hexgrid.DEFAULT_SIZE) -> pd.DataFrame:
    """Places whose count changed significantly from the period of equal length just before
    (two-sided exact conditional test on the loaded months of both, Benjamini-Hochberg over
    the places with an incident in either, 5%), largest change per month first.
    ``frame.attrs["window"]``: the ``ChangeWindow`` compared."""
    frame = _changes(CountRows.of_frame(data), _details_of(data), start, end, level, loaded, cell_size)
    frame.attrs["window"] = change_window(start, end, loaded)
    return frame


def _changes(counts: CountRows, details: pd.DataFrame, start: str, end: str, level: str, loaded,
             cell_size: float, level_keys: pd.DataFrame | None = None) -> pd.DataFrame:
    window = change_window(start, end, loaded)
    if not window.comparable:
        return _empty(CHANGE_SCHEMA)
    needed = list(window.before) + list(window.now)
    position = counts.position_in(needed)
    groups = _Grouping.of(counts, details, position >= 0, level, cell_size, level_keys)
    if not groups.keep.any():
        return _empty(CHANGE_SCHEMA)
    now = position[groups.keep] >= len(window.before)
    count = counts.count[groups.keep]
    count_now = np.bincount(groups.key, weights=np.where(now, count, 0), minlength=groups.n).astype("int64")
    count_before = np.bincount(groups.key, weights=np.where(now, 0, count), minlength=groups.n).astype("int64")
    p, q = tests.changed(count_now, count_before, len(window.now), len(window.before))
    per_now, per_before = count_now / len(window.now), count_before / len(window.before)
    # Only the significant changes are listed: the frame is made for those alone (a frame of
    # every place of a force, filtered after, cost more than the tests).
    listed = np.flatnonzero(q < tests.SIGNIFICANCE)
    streets = np.asarray(groups.busiest_streets(count, now), dtype=object)
    frame = groups.keys.take(listed).assign(
        street=streets[listed], count_now=count_now[listed], count_before=count_before[listed],
        per_month_now=per_now[listed], per_month_before=per_before[listed], change=(per_now - per_before)[listed],
        p_value=p[listed], q_value=q[listed],
    )
    frame = _cell_names(frame, level)
    frame = frame.assign(size=frame["change"].abs()).sort_values(["size", "count_now", "place_name"],
                                                                  ascending=[False, False, True])
    return _typed(frame.reset_index(drop=True)[list(CHANGE_SCHEMA)], CHANGE_SCHEMA)


def _cell_names(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """A grid cell is named after its busiest street, whatever order its points were stored in."""
    if level != CELL:
        return frame
    return frame.assign(place_name="Cell near " + frame["street"].str.removeprefix("On or near "))


def _level_keys(places: pd.DataFrame, level: str, cell_size: float) -> pd.DataFrame:
    """Per place (indexed by place id): the code and name of the place, LSOA or cell it counts in."""
    keys = places[["lsoa_code", "lsoa_name", "longitude", "latitude"]].copy()
    if level == LOCATION:
        keys["place_code"] = places["point_id"].astype(str)  # one map point filed under both LSOA vintages is one place
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
    baseline_months: int = 12,
    sources: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Recent counts per hexagonal cell with Gi* z-scores, FDR-adjusted, and the cluster
    ('hot', 'cold' or '') of each cell. Cells: those holding a map point with an incident in
    the analysed months (the period and its baseline), as for the places."""
    index = area_index(engine, area_code)
    first = analysed_from(start, end, baseline_months)
    counts = _fetch_counts(engine, area_code, crime_types, first, end, sources)
    return _cells(index.points, counts, start, end, cell_size, index.grid(cell_size), first)


def analysed_from(start: str, end: str, baseline_months: int) -> str:
    """The first month an analysis reads: the baseline's, or the period before's if earlier."""
    months = len(periods.months_between(start, end))
    return periods.add_months(start, -max(baseline_months, months))


def cluster_cells(points: pd.DataFrame, data: pd.DataFrame, start: str, end: str,
                  cell_size: float = hexgrid.DEFAULT_SIZE, grid: CellGrid | None = None) -> pd.DataFrame:
    """``gi_star_cells`` on the area's places and counts already fetched (``grid``: the
    points' ``CellGrid``, when the caller has it already)."""
    return _cells(points, CountRows.of_frame(data), start, end, cell_size, grid)


def _cells(points: pd.DataFrame, counts: CountRows, start: str, end: str, cell_size: float,
           grid: CellGrid | None, seen_from: str | None = None,
           name_codes: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """``seen_from``: keep only the cells with an incident from that month to ``end`` (so that
    points loaded for other months change no z-score); every cell of the grid when None.
    ``name_codes``: ``_sorted_names`` of the points' names, when the caller has them."""
    if points.empty:
        return _empty(CELL_SCHEMA)
    grid = grid or CellGrid.of(points, cell_size)
    point_of_place = pd.Index(points["place_id"]).get_indexer(counts.place_ids)
    at = point_of_place[counts.place]
    if seen_from is not None:
        seen = (counts.position_in(periods.months_between(seen_from, end)) >= 0) & (at >= 0)
        grid = grid.only(np.flatnonzero(np.bincount(grid.cell_of_point[at[seen]], minlength=len(grid.q))))
    n = len(grid.q)
    if n == 0:
        return _empty(CELL_SCHEMA)
    keep = (counts.position_in(periods.months_between(start, end)) >= 0) & (at >= 0)
    cell_counts = np.zeros(n)
    top_names = np.full(n, "", dtype=object)
    if keep.any():
        cell = grid.cell_of_point[at[keep]]
        count = counts.count[keep]
        cell_counts = np.bincount(cell, weights=count, minlength=n).astype(float)
        name_code, names = name_codes if name_codes is not None else _sorted_names(points["name"])
        cells_in, text = _busiest_names(cell, name_code[at[keep]], names, count)
        top_names[cells_in] = text
    z = getis_ord_gi_star(cell_counts, grid.neighbour_index)
    p_hot = normal_upper_p(z)
    p_cold = normal_upper_p(-z)
    q_hot = tests.fdr(p_hot)
    q_cold = tests.fdr(p_cold)
    cluster = np.where((q_hot < SIGNIFICANCE) & (z > 0), "hot", np.where((q_cold < SIGNIFICANCE) & (z < 0), "cold", ""))
    x = cell_size * hexgrid.SQRT3 * (grid.q + grid.r / 2)
    y = cell_size * 1.5 * grid.r
    lon, lat = hexgrid.to_degrees(x, y)
    frame = pd.DataFrame({
        "cell_id": grid.cell_id,
        "q": grid.q, "r": grid.r, "longitude": lon, "latitude": lat,
        "count": cell_counts.astype("int64"),
        "places": top_names,
        "z": z, "p_value": np.where(z >= 0, p_hot, p_cold), "q_value": np.where(z >= 0, q_hot, q_cold),
        "cluster": cluster,
    })
    return _typed(frame, CELL_SCHEMA)


def _sorted_names(names: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each name's code and the distinct names, in sorted order (so codes sort as the names do)."""
    code, distinct = pd.factorize(names.to_numpy(dtype=object), sort=True)
    return code, np.asarray(distinct, dtype=object)


def _busiest_names(cell: np.ndarray, name: np.ndarray, names: np.ndarray, count: np.ndarray,
                   top: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The cells with incidents and, for each, its ``top`` busiest map point names with their
    incidents, "Name (4); Other (2)" (names shared by several points add up; a tie goes to
    the name first in sorted order). ``cell``, ``name`` (codes into ``names``), ``count``: per row."""
    width = len(names)
    keys, at = _distinct(cell * width + name)
    total = np.bincount(at, weights=count, minlength=len(keys)).astype(np.int64)
    key_cell, key_name = keys // width, keys % width
    order = np.lexsort((key_name, -total, key_cell))
    key_cell, key_name, total = key_cell[order], key_name[order], total[order]
    starts = np.flatnonzero(np.r_[True, key_cell[1:] != key_cell[:-1]])
    within = np.arange(len(key_cell)) - np.repeat(starts, np.diff(np.r_[starts, len(key_cell)]))
    shown = within < top
    text = [f"{names[i]} ({c})" for i, c in zip(key_name[shown].tolist(), total[shown].tolist())]
    bounds = np.r_[np.flatnonzero(within[shown] == 0), len(text)].tolist()
    joined = np.array(["; ".join(text[a:b]) for a, b in zip(bounds[:-1], bounds[1:])], dtype=object)
    return key_cell[starts], joined


def repeats_of(location_hotspots: pd.DataFrame) -> pd.DataFrame:
    frame = location_hotspots[location_hotspots["count"] >= 2]
    return frame[["place_code", "place_name", "street", "lsoa_code", "lsoa_name", "longitude", "latitude", "count",
                  "baseline_months_active", "class"]].reset_index(drop=True)


@dataclass(frozen=True)
class HotspotAnalysis:
    """Everything the hotspot page and the tasking pack show, from one fetch of counts."""

    places: pd.DataFrame  # ranked at the chosen level
    detail: PlaceDetail  # each place's months and crime types
    changes: pd.DataFrame  # places whose count changed significantly from that period
    repeats: pd.DataFrame  # street locations with two or more incidents
    cells: pd.DataFrame  # Gi* over the grid
    coverage: Coverage  # which months are loaded, and whether places are classed
    units: int  # places of the chosen level: seen in the analysed months (by LSOA: the area's LSOAs today)
    window: ChangeWindow  # the months "what changed" compares


def hotspots(
    engine: Engine,
    area_code: str,
    crime_types: Sequence[str] | None,
    start: str,
    end: str,
    baseline_months: int = 12,
    level: str = LOCATION,
    cell_size: float = hexgrid.DEFAULT_SIZE,
    sources: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Places ranked by incidents in the period, with their usual level, tests and class.
    ``frame.attrs["coverage"]`` holds the ``Coverage``. ``sources``: the incident sources
    counted together (police.uk's by default); a partner record counts only where it has a
    map point (point or street precision)."""
    _check(area_code, level)
    index = area_index(engine, area_code)
    counts = _fetch_counts(engine, area_code, crime_types, baseline_period(start, baseline_months)[0], end, sources)
    loaded = loaded_for(engine, area_code, sources)
    frame, detail = _rank(counts, index.details, start, end, baseline_months, level, loaded,
                          unit_count(area_code, level), cell_size)
    frame.attrs["coverage"] = coverage_of(start, end, baseline_months, loaded)
    frame.attrs["units"] = detail.units
    return frame


def hotspot_analysis(
    engine: Engine,
    area_code: str,
    crime_types: Sequence[str] | None,
    start: str,
    end: str,
    baseline_months: int = 12,
    level: str = LOCATION,
    cell_size: float = hexgrid.DEFAULT_SIZE,
    sources: tuple[str, ...] | None = None,
) -> HotspotAnalysis:
    _check(area_code, level)
    # The baseline and the period before (for "what changed") both end at the period's start.
    first = analysed_from(start, end, baseline_months)
    index = area_index(engine, area_code)
    points, details = index.points, index.details
    counts, split = _fetch_counts_and_split(engine, area_code, crime_types, first,
                                            baseline_period(start, baseline_months)[0], start, end, sources)
    loaded = loaded_for(engine, area_code, sources)
    keys = index.level_keys(level, cell_size)
    places, detail = _rank(counts, details, start, end, baseline_months, level, loaded, unit_count(area_code, level),
                           cell_size, split, keys)
    locations = places if level == LOCATION else _rank(
        counts, details, start, end, baseline_months, LOCATION, loaded, None, cell_size,
        level_keys=index.level_keys(LOCATION, cell_size))[0]
    return HotspotAnalysis(
        places=places,
        detail=detail,
        changes=_changes(counts, details, start, end, level, loaded, cell_size, keys),
        repeats=repeats_of(locations),
        cells=_cells(points, counts, start, end, cell_size, index.grid(cell_size), first, index.name_codes),
        coverage=coverage_of(start, end, baseline_months, loaded),
        units=detail.units or len(places),
        window=change_window(start, end, loaded),
    )


def loaded_for(engine: Engine, area_code: str, sources: Sequence[str] | None) -> list[str]:
    """Months loaded for every source of the selection: with sources counted together, a
    month one of them lacks is missing, never a zero."""
    chosen = checked_sources(sources)
    months = set(loaded_months(engine, force_of(area_code))) if any(s in POLICE_SOURCES for s in chosen) else None
    for source in chosen:
        if source not in POLICE_SOURCES:
            own = {m for m, _ in source_months(engine, source)}
            months = own if months is None else months & own
    return sorted(months or ())


def _check(area_code: str, level: str) -> None:
    if area_code not in AREAS_BY_CODE or level not in LEVELS:
        raise ValueError("unknown area or level")


def unit_count(area_code: str, level: str) -> int | None:
    """How many LSOAs the area has today (2021 codes), for the LSOA level; None at the other
    levels, whose places are those seen in the analysed months."""
    return len(current_lsoas(districts_in(area_code))) if level == LSOA else None


def _typed(frame: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    """``frame.astype(schema)``, converting only the columns not already of their type (a
    string column converted again costs as much as the first time)."""
    current = frame.dtypes
    changes = {c: t for c, t in schema.items() if current[c] != _dtype(t)}
    return frame.astype(changes) if changes else frame


_dtype = functools.cache(pd.api.types.pandas_dtype)  # a dtype's name resolved once, not per column and call


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
