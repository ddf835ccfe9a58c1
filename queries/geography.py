"""The shipped LSOA lookup (data/geography/lsoa_lookup.csv): for an LSOA code of either
vintage, its name, district, deprivation decile, population and the polygons that draw it."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from .db import PROJECT_ROOT

LOOKUP_PATH = PROJECT_ROOT / "data" / "geography" / "lsoa_lookup.csv"
CONTEXT_COLUMNS = ["imd2019_decile", "population"]


@lru_cache(maxsize=1)
def lsoa_lookup() -> pd.DataFrame:
    """One row per code, indexed by code; an LSOA unchanged in 2021 takes its 2021 row."""
    frame = pd.read_csv(LOOKUP_PATH, dtype={"code": "str", "vintage": "str", "polygons": "str"})
    frame = frame.sort_values(["code", "vintage"]).drop_duplicates("code", keep="last")
    frame["imd2019_decile"] = frame["imd2019_decile"].astype("Int64")
    frame["population"] = frame["population"].astype("Int64")
    return frame.set_index("code")


def polygon_codes(code: str) -> list[str]:
    """The 2011 LSOA polygons that draw an LSOA of either vintage (none if unknown)."""
    lookup = lsoa_lookup()
    return lookup.at[code, "polygons"].split(";") if code in lookup.index else []


def with_lsoa_context(frame: pd.DataFrame, count_column: str = "count") -> pd.DataFrame:
    """``frame`` (with ``lsoa_code``) plus the LSOA's deprivation decile, population and the
    rate per 1,000 residents of ``count_column`` (blank where the population is not known)."""
    lookup = lsoa_lookup()
    out = frame.copy()
    for column in CONTEXT_COLUMNS:
        out[column] = out["lsoa_code"].map(lookup[column]).astype("Int64")
    population = out["population"].astype("Float64")
    out["rate_per_1000"] = (out[count_column] / population * 1000).round(2)
    return out
