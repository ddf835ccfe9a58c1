"""The coverage ledger: for every force and month, whether its street-level data is loaded,
missing, or was never published by data.police.uk.

A month is *loaded* when ``loaded_month`` holds it (real or synthetic), *not published*
when ``unpublished_month`` does (a whole-country archive of that month held no file for the
force), and *missing* otherwise: published, as far as the dashboard knows, but not loaded.
Months run, for every force with anything loaded or recorded, from the first to the last
month loaded for any force, so two forces' ledgers line up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, delete, select

from . import periods
from .importers.bookkeeping import bump_data_version
from .reference import FORCES, FORCES_BY_CODE, FORCES_BY_SLUG
from .schema import loaded_month, unpublished_month

LOADED, SYNTHETIC, NOT_PUBLISHED, MISSING = "loaded", "synthetic", "not published", "missing"
LEDGER_COLUMNS = ["force_code", "force_name", "month", "status"]
# An archive month holding street files of at least this many of the 43 forces is a
# whole-country download: a force with no file in it was not published that month. A
# smaller archive (data.police.uk's custom download of chosen forces) says nothing of the others.
WHOLE_COUNTRY_FORCES = 30
ARCHIVE_MEMBER = re.compile(r"(?P<archive>.+?\.zip)/(?:.*/)?(?P<month>\d{4}-\d{2})-(?P<force>[a-z-]+)-street\.csv$")


def coverage_ledger(engine: Engine, force_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per force and month: loaded, synthetic, not published or missing."""
    with engine.connect() as conn:
        loaded = conn.execute(select(loaded_month.c.force_code, loaded_month.c.month, loaded_month.c.is_synthetic)).all()
        unpublished = conn.execute(select(unpublished_month.c.force_code, unpublished_month.c.month)).all()
    status = {(f, m): SYNTHETIC if synthetic else LOADED for f, m, synthetic in loaded}
    for force, month in unpublished:
        status.setdefault((force, month), NOT_PUBLISHED)
    if not loaded:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in LEDGER_COLUMNS})
    months = periods.months_between(min(m for _, m, _ in loaded), max(m for _, m, _ in loaded))
    wanted = set(force_codes) if force_codes is not None else {f for f, _ in status}
    rows = [(f.code, f.area_name, month, status.get((f.code, month), MISSING))
            for f in FORCES if f.code in wanted for month in months]
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS).astype("str")


def coverage_summary(engine: Engine, force_codes: Iterable[str] | None = None) -> list[dict]:
    """Per force: its months loaded, missing and not published (as YYYY-MM lists) and the span."""
    ledger = coverage_ledger(engine, force_codes)
    summary = []
    for code, rows in ledger.groupby("force_code", sort=False):
        by_status = {s: rows.loc[rows["status"] == s, "month"].tolist() for s in (LOADED, SYNTHETIC, NOT_PUBLISHED, MISSING)}
        loaded = sorted(by_status[LOADED] + by_status[SYNTHETIC])
        summary.append({
            "force_code": code, "force_name": FORCES_BY_CODE[code].area_name,
            "first_month": rows["month"].iloc[0], "last_month": rows["month"].iloc[-1],
            "first_loaded": loaded[0] if loaded else None, "last_loaded": loaded[-1] if loaded else None,
            "months_loaded": len(loaded), "synthetic_months": by_status[SYNTHETIC],
            "months_missing": by_status[MISSING], "months_not_published": by_status[NOT_PUBLISHED],
        })
    return summary


def month_ranges(months: list[str]) -> str:
    """'2019-07 to 2019-12, 2020-03' from a sorted list of months."""
    parts, start, last = [], None, None
    for month in months:
        if start is not None and month == periods.add_months(last, 1):
            last = month
            continue
        if start is not None:
            parts.append(start if start == last else f"{start} to {last}")
        start = last = month
    if start is not None:
        parts.append(start if start == last else f"{start} to {last}")
    return ", ".join(parts)


def record_archive_months(conn: Connection, member_names: Iterable[str]) -> list[tuple[str, str]]:
    """From the street files of whole-country archives, the force-months they show were not
    published; stored (replacing what was known of those months) and returned."""
    present: dict[tuple[str, str], set[str]] = {}
    for name in member_names:
        found = ARCHIVE_MEMBER.match(name)
        if found and found["force"] in FORCES_BY_SLUG:
            present.setdefault((found["archive"], found["month"]), set()).add(FORCES_BY_SLUG[found["force"]].code)
    recorded = []
    now = datetime.now(UTC)
    for (archive, month), forces in sorted(present.items()):
        if len(forces) < WHOLE_COUNTRY_FORCES:
            continue
        conn.execute(delete(unpublished_month).where(unpublished_month.c.month == month))
        absent = [f.code for f in FORCES if f.code not in forces]
        for code in absent:
            conn.execute(unpublished_month.insert().values(
                force_code=code, month=month, evidence=f"no street file in {archive.rsplit('/', 1)[-1]}", recorded_at=now))
        recorded += [(code, month) for code in absent]
    return recorded


def record_not_published(engine: Engine, force_code: str, first: str, last: str, evidence: str) -> int:
    """Record months a force did not publish, as an analyst knows them (loaded months are left alone)."""
    if force_code not in FORCES_BY_CODE:
        raise ValueError(f"{force_code!r} is not a police force area code")
    if not (periods.is_supported_month(first) and periods.is_supported_month(last)) or first > last:
        raise ValueError(f"{first} to {last} is not a span of months (YYYY-MM to YYYY-MM)")
    months = periods.months_between(first, last)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        loaded = set(conn.execute(select(loaded_month.c.month).where(loaded_month.c.force_code == force_code)).scalars())
        conn.execute(delete(unpublished_month).where(unpublished_month.c.force_code == force_code,
                                                     unpublished_month.c.month.in_(months)))
        kept = [m for m in months if m not in loaded]
        for month in kept:
            conn.execute(unpublished_month.insert().values(force_code=force_code, month=month, evidence=evidence[:200],
                                                           recorded_at=now))
        bump_data_version(conn)  # cached ledgers go stale with it
    return len(kept)
