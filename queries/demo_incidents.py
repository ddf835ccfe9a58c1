"""Synthetic partner incidents for the demo: A&E assaults, needle finds and council ASB cases
in Oxford, flagged ``is_synthetic`` like the synthetic police.uk set.

SYNTHETIC DATA: every record is made up. A&E assaults cluster in the city centre's
night-time economy on Friday and Saturday nights; needle finds fall in daylight, when
parks and alleys are swept; council ASB cases peak in the evening. Locations come in the
mixed quality partners send: coordinates, an LSOA code, a street in words, and some text
the matcher cannot place, so the precision shares and the unmatched list have something
to show. Each (source, month) draws from its own seeded generator.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Engine, select

from . import periods
from .importers.bookkeeping import bump_data_version
from .importers.incidents_parse import IncidentFile, IncidentRow
from .importers.incidents_store import place_rows, store_incidents
from .incident_sources import AE_ASSAULTS, COUNCIL_ASB, NEEDLE_FINDS
from .place_matcher import build_index
from .reference import OXFORD
from .schema import lsoa

MONTHS = 24  # the latest two years: enough for a year's hotspots against a year's baseline
CENTRE = (51.7530, -1.2580)  # Oxford's night-time economy: Cornmarket, George Street, Gloucester Green
PER_MONTH = {AE_ASSAULTS: 42, NEEDLE_FINDS: 14, COUNCIL_ASB: 36}
VAGUE = ("outside a pub", "unknown", "at a friend's house", "town", "near the bus stop")
WEAPONS = (("Body part", "Fist"), ("Body part", "Foot"), ("Body part", "Head"), ("Glass or bottle", ""),
           ("Knife", ""), ("Other blunt object", ""))
ASB_TYPES = ("noise", "neighbour dispute", "littering", "vehicle nuisance", "rowdy behaviour")


def _hour_weights(source: str) -> np.ndarray:
    """7 x 24 relative weights of an incident starting at each weekday (Monday 0) and hour."""
    weights = np.ones((7, 24))
    if source == AE_ASSAULTS:
        weights[:, 19:24] *= 3
        weights[:, 0:4] *= 3
        weights[4, 20:24] *= 10  # Friday night
        weights[5, 0:5] *= 10  # ... into Saturday morning
        weights[5, 20:24] *= 10  # Saturday night
        weights[6, 0:5] *= 10  # ... into Sunday morning
        weights[:, 6:12] *= 0.3
    elif source == NEEDLE_FINDS:
        weights[:, 0:7] = 0.05
        weights[:, 19:24] = 0.2
        weights[0:5, 8:16] *= 3  # weekday sweeps
    else:
        weights[:, 17:23] *= 4
        weights[:, 0:8] *= 0.3
    return weights / weights.sum()


def month_records(source: str, month: str, points: np.ndarray, lsoa_codes: list[str], street_names: list[str]
                  ) -> list[IncidentRow]:
    """One source's records for one month; ``points`` are Oxford's map points (lat, lon)."""
    rng = np.random.default_rng(zlib.crc32(f"{source}|{month}".encode()))
    first = date.fromisoformat(f"{month}-01")
    days = [first + timedelta(days=i) for i in range(31) if (first + timedelta(days=i)).month == first.month]
    by_weekday = {d: [day for day in days if day.weekday() == d] for d in range(7)}
    weights = _hour_weights(source).ravel()
    rows = []
    for line in range(int(rng.poisson(PER_MONTH[source]))):
        slot = int(rng.choice(168, p=weights))
        weekday, hour = divmod(slot, 24)
        day = by_weekday[weekday][int(rng.integers(len(by_weekday[weekday])))]
        timed = rng.random() > (0.08 if source == AE_ASSAULTS else 0.2)
        lat = lon = None
        code = text = ""
        kind = rng.random()
        if source == AE_ASSAULTS and kind < 0.55:  # clustered on the centre, coordinates from the hospital's form
            lat, lon = CENTRE[0] + rng.normal(0, 0.0025), CENTRE[1] + rng.normal(0, 0.004)
        elif source == NEEDLE_FINDS and kind < 0.7:
            lat, lon = points[int(rng.integers(len(points)))] + rng.normal(0, 0.0004, 2)
        elif kind < 0.8 and source == COUNCIL_ASB and lsoa_codes:
            code = lsoa_codes[int(rng.integers(len(lsoa_codes)))]
        elif kind < 0.9:
            text = f"{street_names[int(rng.integers(len(street_names)))]}, Oxford"
        else:
            text = VAGUE[int(rng.integers(len(VAGUE)))]
        details: dict = {}
        if source == AE_ASSAULTS:
            weapon, body_part = WEAPONS[int(rng.integers(len(WEAPONS)))]
            details = {"weapon": weapon, **({"body_part": body_part} if body_part else {})}
        elif source == NEEDLE_FINDS:
            details = {"needles": int(rng.integers(1, 6)), "near_play_area": bool(rng.random() < 0.2)}
        category = {AE_ASSAULTS: "assault", NEEDLE_FINDS: "needle-find"}.get(
            source, ASB_TYPES[int(rng.integers(len(ASB_TYPES)))])
        rows.append(IncidentRow(line + 2, source, day.isoformat(), f"{hour:02d}:{int(rng.integers(60)):02d}" if timed
                                else None, None if lat is None else float(lat), None if lon is None else float(lon),
                                code, text, category, details))
    return rows


def load_partner_demo(engine: Engine, last: str, months: int = MONTHS) -> int:
    """Write the synthetic partner sources for the latest ``months`` months to ``last``;
    return the records stored. Sources holding real records keep them."""
    from .incidents import source_months

    index = build_index(engine)
    oxford_points = [k for k in index.points if k.district_code == OXFORD]
    if not oxford_points:
        return 0
    points = np.array([(k.latitude, k.longitude) for k in oxford_points])
    streets = sorted({k.name for k in oxford_points if not k.name[:1].islower()})
    with engine.connect() as conn:
        codes = sorted(conn.execute(select(lsoa.c.code).where(lsoa.c.district_code == OXFORD)).scalars())
    wanted = periods.months_between(periods.add_months(last, -(months - 1)), last)
    stored = 0
    for source in (AE_ASSAULTS, NEEDLE_FINDS, COUNCIL_ASB):
        if any(not synthetic for _, synthetic in source_months(engine, source)):
            continue
        rows = [r for month in wanted for r in month_records(source, month, points, codes, streets)]
        parsed = IncidentFile(f"synthetic-demo/{wanted[0]}..{wanted[-1]}-{source}.csv", f"synthetic {source}",
                              "synthetic demo", rows)
        with engine.begin() as conn:
            store_incidents(conn, parsed, place_rows(rows, index), "system (synthetic demo)", True)
            bump_data_version(conn)
        stored += len(rows)
    return stored
