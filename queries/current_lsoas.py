"""Map points and LSOAs as the area is today: every place under its 2021 LSOA.

data.police.uk files up to 2022-11 name 2011 LSOAs, so one map point can be stored twice,
under its 2011 and its 2021 code, and a retired 2011 code would otherwise count as a place
of its own. Through the ONS lookup a 2011 code becomes its 2021 code (unchanged or merged);
a point in a 2011 LSOA that was split goes to the half holding the nearest point already
filed under a 2021 code (the halves' own boundaries are not shipped).
"""

from __future__ import annotations

import csv
from functools import cache

import numpy as np
import pandas as pd

from .lsoa_sets import LOOKUP


@cache
def _lookup() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, str]]]:
    """2011 code to its 2021 codes; each 2021 code's name and district."""
    children: dict[str, set[str]] = {}
    current: dict[str, tuple[str, str]] = {}
    with open(LOOKUP, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            children.setdefault(row["LSOA11CD"], set()).add(row["LSOA21CD"])
            current[row["LSOA21CD"]] = (row["LSOA21NM"], row["LAD22CD"])
    return {old: tuple(sorted(new)) for old, new in children.items()}, current


def current_lsoas(district_codes) -> list[str]:
    """The 2021 LSOA codes of the given districts (Oxford has 84)."""
    districts = set(district_codes)
    return sorted(code for code, (_, district) in _lookup()[1].items() if district in districts)


def with_current_lsoas(points: pd.DataFrame) -> pd.DataFrame:
    """``points`` (place_id, name, lsoa_code, lsoa_name, longitude, latitude) with each
    point's LSOA as it is today, and ``point_id``: one id per map point however many codes
    it was filed under (the lowest place id of the same name and position)."""
    children, current = _lookup()
    codes = points["lsoa_code"].to_numpy(dtype=object)
    new_codes = codes.copy()
    split = np.zeros(len(codes), dtype=bool)
    for i, code in enumerate(codes):
        if code in current:
            continue
        halves = children.get(code)
        if halves is None:
            continue  # outside the lookup (a neighbouring force's LSOA): kept as filed
        new_codes[i] = halves[0]
        split[i] = len(halves) > 1
    if split.any():
        settled = ~split & pd.Series(new_codes).isin(current).to_numpy()
        x, y = points["longitude"].to_numpy(float), points["latitude"].to_numpy(float)
        for i in np.flatnonzero(split):
            halves = children[codes[i]]
            near = settled & np.isin(new_codes, halves)
            if near.any():
                # Distances on the degree grid: cos(lat) keeps east-west metres comparable.
                d = ((x[near] - x[i]) * np.cos(np.radians(y[i]))) ** 2 + (y[near] - y[i]) ** 2
                new_codes[i] = new_codes[near][int(np.argmin(d))]
    out = points.copy()
    out["lsoa_code"] = new_codes
    names = pd.Series({code: name for code, (name, _) in current.items()}, dtype=object)
    out["lsoa_name"] = out["lsoa_code"].map(names).astype(object).fillna(points["lsoa_name"].astype(object))
    out["point_id"] = out.groupby(["lsoa_code", "name", "longitude", "latitude"])["place_id"].transform("min")
    return out
