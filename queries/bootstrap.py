"""Create or upgrade the database and load what ships with the project.

``init_db`` is safe to run again: areas are upserted, and the shipped published figures,
population and boundaries are re-read only when their files have changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, update

from . import partnership
from .db import PROJECT_ROOT, upgrade_schema
from .importers.boundaries import import_boundaries
from .importers.files import checksum
from .importers.population import import_population
from .importers.series import import_series
from .reference import AREAS, DEMO_FORCE_CODE
from .schema import area, import_log, incident
from .targets import load_published_targets

log = logging.getLogger(__name__)
PUBLISHED_DIR = PROJECT_ROOT / "data" / "published"
POPULATION_DIR = PROJECT_ROOT / "data" / "population"
GEOGRAPHY_DIR = PROJECT_ROOT / "data" / "geography"
SYSTEM_USER = "system (shipped data)"


def init_db(engine: Engine) -> None:
    upgrade_schema(engine)
    _upsert_areas(engine)
    for path in sorted(POPULATION_DIR.glob("*.csv")):
        if _changed(engine, path):
            import_population(engine, path, imported_by=SYSTEM_USER)
    for path in sorted(PUBLISHED_DIR.glob("*.csv")):
        if _changed(engine, path):
            import_series(engine, path, kind="published", imported_by=SYSTEM_USER)
    # Shipped district and LSOA boundaries, so a fresh machine draws them on the hotspot map.
    for path in sorted(GEOGRAPHY_DIR.glob("*.geojson")):
        if _changed(engine, path):
            import_boundaries(engine, path, imported_by=SYSTEM_USER)
    load_published_targets(engine)


def bootstrap(engine: Engine, *, demo: bool = True, demo_progress: Callable[[int], Any] | None = None) -> None:
    """First start: the schema and shipped data, then demo incidents if there are none.

    ``demo_progress(months)`` is called once before the demo set is written and returns
    the callback that is given 1 after each month (a progress bar's ``update``).
    """
    init_db(engine)
    if demo and not has_incidents(engine):
        from .demo import demo_months, latest_full_month, load_demo, recent_first_month
        from .demo_incidents import load_partner_demo

        if partnership.current().force_code != DEMO_FORCE_CODE:
            # The synthetic set is drawn over one force's towns: another partnership's pages
            # would show that force's made-up figures, so they wait for real files instead.
            log.info("No incidents stored and no synthetic demo set for %s: import its force's files",
                     partnership.current().force.area_name)
            return

        first = recent_first_month()
        log.info("No incidents stored: writing the synthetic demo set from %s", first)
        load_demo(engine, first, progress=demo_progress(len(demo_months(first))) if demo_progress else None)
        load_partner_demo(engine, latest_full_month())


def has_incidents(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(incident.c.id).limit(1)).first() is not None


def _upsert_areas(engine: Engine) -> None:
    """The shipped areas (some 380): new ones inserted in one statement, changed ones updated."""
    with engine.begin() as conn:
        known = {r.code: (r.name, r.level, r.parent_code) for r in conn.execute(
            select(area.c.code, area.c.name, area.c.level, area.c.parent_code))}
        # Parents first (forces, then counties, then districts), so the self-referencing
        # foreign key is always satisfied.
        depth = {"force": 0, "county": 1, "district": 2}
        new = [{"code": a.code, "name": a.name, "level": a.level, "parent_code": a.parent_code}
               for a in sorted(AREAS, key=lambda a: depth.get(a.level, 3)) if a.code not in known]
        if new:
            conn.execute(insert(area), new)
        for a in AREAS:
            if a.code in known and known[a.code] != (a.name, a.level, a.parent_code):
                conn.execute(update(area).where(area.c.code == a.code)
                             .values(name=a.name, level=a.level, parent_code=a.parent_code))


def _changed(engine: Engine, path: Path) -> bool:
    """True unless this exact file content was already imported."""
    digest = checksum(path.read_bytes())
    with engine.connect() as conn:
        seen = conn.execute(
            select(func.count()).select_from(import_log).where(
                import_log.c.filename == str(path), import_log.c.checksum == digest
            )
        ).scalar()
    return not seen
