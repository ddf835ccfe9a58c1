"""A suggested control area for an intervention: nearby LSOAs, not in the target or buffer,
whose crime before the start had a similar level and trend.

The method, stated with every suggestion: take the 40 LSOAs nearest the target's centre
(centres are the mean of each LSOA's data.police.uk map points) in the target's districts;
keep the 20 whose trend over the months before the start (the slope of a straight line
through the monthly counts, as a share of their mean) is closest to the target's; add them
nearest first until their combined count before the start reaches the target's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select

from . import periods
from .lsoa_sets import counts_by_lsoa, linked_codes, loaded_force_months, lsoa_centres, lsoa_districts, resolve
from .schema import lsoa

NEAREST = 40
MOST_SIMILAR = 20
PRE_MONTHS = 24


class NoControl(ValueError):
    pass


@dataclass
class SuggestedControl:
    codes: list[str]
    method: str
    target_level: float  # incidents a month before the start
    control_level: float
    target_trend: float  # % of the mean a month
    control_trend: float
    furthest_km: float


def _trend(values: np.ndarray) -> float:
    """Slope of a least-squares line through the months, as a percentage of their mean."""
    mean = values.mean()
    if len(values) < 2 or mean == 0:
        return 0.0
    slope = np.polyfit(np.arange(len(values)), values, 1)[0]
    return float(slope / mean * 100)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    # Equirectangular distance: exact enough over a few kilometres.
    lat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * 111.32 * math.cos(lat)
    dy = (a[1] - b[1]) * 110.57
    return math.hypot(dx, dy)


def suggest_control(engine: Engine, target: Sequence[str], buffer: Sequence[str] = (),
                    crime_types: Sequence[str] | None = None, start: str | None = None) -> SuggestedControl:
    if not target:
        raise NoControl("give the target first")
    if not start or not periods.is_month(start):
        raise NoControl("give the start month (YYYY-MM)")
    target_set = resolve(engine, target)
    excluded = set(target_set.codes) | (set(resolve(engine, buffer).codes) if buffer else set())
    months = loaded_force_months(engine, periods.add_months(start, -PRE_MONTHS), periods.add_months(start, -1))
    if len(months) < 3:
        raise NoControl(f"fewer than 3 months are loaded before {start}: nothing to match on")
    districts = sorted(lsoa_districts(engine, target_set.codes))
    with engine.connect() as conn:
        candidates = set(conn.execute(select(lsoa.c.code).where(lsoa.c.district_code.in_(districts))).scalars())
    centres = lsoa_centres(engine, districts)
    # Candidates as units covering the same ground in both vintages, none touching the target or buffer.
    units: dict[frozenset[str], None] = {}
    for code in sorted(candidates - excluded):
        unit = frozenset(linked_codes(code))
        if not unit & excluded:
            units[unit] = None
    target_points = [centres[c] for c in target_set.codes if c in centres]
    if target_points and not units:
        # Controls come from the target's own districts: a whole district leaves none, though
        # its neighbours' LSOAs are near.
        raise NoControl("the target and buffer take every LSOA of their district, where a control is looked "
                        "for: name a control")
    if not target_points or not units:
        raise NoControl("no LSOAs near the target to choose from")
    centre = (float(np.mean([p[0] for p in target_points])), float(np.mean([p[1] for p in target_points])))

    def unit_centre(unit):
        points = [centres[c] for c in unit if c in centres]
        return (float(np.mean([p[0] for p in points])), float(np.mean([p[1] for p in points]))) if points else None

    placed = [(u, unit_centre(u)) for u in units]
    nearest = sorted(((_km(centre, c), u) for u, c in placed if c is not None), key=lambda x: (x[0], sorted(x[1])))[:NEAREST]
    counts = counts_by_lsoa(engine, [c for _, u in nearest for c in u] + list(target_set.codes), crime_types,
                            months[0], months[-1])

    def series(codes) -> np.ndarray:
        return np.array([sum(counts.get((c, m), 0) for c in codes) for m in months], dtype=float)

    target_series = series(target_set.codes)
    target_trend = _trend(target_series)
    scored = []
    for distance, unit in nearest:
        values = series(unit)
        if values.sum() == 0:
            continue
        scored.append((abs(_trend(values) - target_trend), distance, unit, values))
    similar = sorted(scored, key=lambda s: (s[0], s[1]))[:MOST_SIMILAR]
    chosen, total, furthest = [], np.zeros(len(months)), 0.0
    for _, distance, unit, values in sorted(similar, key=lambda s: s[1]):
        chosen.extend(sorted(unit))
        total += values
        furthest = distance
        if total.sum() >= target_series.sum():
            break
    if not chosen:
        raise NoControl("no nearby LSOA had incidents before the start")
    first, last = months[0], months[-1]
    method = (
        f"The {len(similar)} of the {len(nearest)} LSOAs nearest the target (in its districts, not in the "
        f"target or buffer) whose trend from {periods.months_in_words(first, last)} was closest to the target's, "
        f"added nearest first until their count in those months reached the target's: "
        f"{len(chosen)} LSOA code{'s' if len(chosen) != 1 else ''} within {furthest:.1f} km. Before the start the target had "
        f"{target_series.mean():.1f} incidents a month (trend {target_trend:+.1f}% a month), the control "
        f"{total.mean():.1f} (trend {_trend(total):+.1f}% a month)."
    )
    return SuggestedControl(chosen, method, float(target_series.mean()), float(total.mean()), target_trend,
                            _trend(total), furthest)
