"""Areas and their populations."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from .reference import AREAS_BY_CODE, force_of
from .schema import area, population

AREA_COLUMNS = ["code", "name", "level", "parent_code", "force_code", "population", "population_year", "populations"]


def list_areas(engine: Engine) -> pd.DataFrame:
    """Every district, county and force with its force area, its latest population estimate and every estimate by year."""
    with engine.connect() as conn:
        areas = pd.DataFrame(
            conn.execute(select(area.c.code, area.c.name, area.c.level, area.c.parent_code)).all(),
            columns=["code", "name", "level", "parent_code"],
        )
    table = population_table(engine, list(areas["code"]))
    latest = {code: years[-1] for code, years in table.items()}
    areas["force_code"] = areas["code"].map(lambda c: force_of(c) if c in AREAS_BY_CODE else None)
    # Every estimate shipped or imported, oldest first: rates use the estimate for their own year.
    areas["populations"] = areas["code"].map(lambda c: [{"year": y, "population": p} for y, p in table.get(c, [])])
    areas["population"] = areas["code"].map(lambda c: latest.get(c, (None, None))[1]).astype("Int64")
    areas["population_year"] = areas["code"].map(lambda c: latest.get(c, (None, None))[0]).astype("Int64")
    order = {"force": 0, "county": 1, "district": 2}
    areas = areas.sort_values(["level", "name"], key=lambda s: s.map(order) if s.name == "level" else s)
    return areas[AREA_COLUMNS].reset_index(drop=True)


def population_table(engine: Engine, codes: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Every estimate per code, as (year, population) sorted by year."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(population.c.code, population.c.year, population.c.population)
            .where(population.c.code.in_(codes))
            .order_by(population.c.year)
        ).all()
    table: dict[str, list[tuple[int, int]]] = {}
    for code, year, value in rows:
        table.setdefault(code, []).append((year, value))
    return table


def population_for_year(estimates: list[tuple[int, int]], year: int) -> tuple[int | None, int | None]:
    """The estimate for ``year`` or, failing that, the nearest year there is (the earlier of two
    equally near).

    Each year's rate then uses the population of its own time: with mid-2020 and mid-2022
    shipped, 2021 and earlier use mid-2020 and 2022 on use mid-2022.
    """
    if not estimates:
        return None, None
    return min(estimates, key=lambda estimate: (abs(estimate[0] - year), estimate[0]))


def populations_for_years(engine: Engine, pairs: tuple[tuple[str, int], ...]) -> dict[tuple[str, int], tuple[int | None, int | None]]:
    """(estimate year, population) for each (area code, year): the year's own estimate or the nearest."""
    table = population_table(engine, sorted({code for code, _ in pairs}))
    return {(code, year): population_for_year(table.get(code, []), year) for code, year in pairs}


def area_name(code: str) -> str:
    return AREAS_BY_CODE[code].name if code in AREAS_BY_CODE else code
