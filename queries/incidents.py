"""Partners' incident records by time of day and how precisely they are placed.

The day-of-week by hour counts are grouped in the database from each record's stored
weekday (Monday 0) and hour, over one source's months (index on source and month): a
partner source holds hundreds of records a month, not police.uk's tens of thousands, and a
request is bounded by the period it may ask for. Records without a time are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, or_, select

from .incident_sources import AE_ASSAULTS, POLICE_SOURCES, PRECISIONS, UNMATCHED
from .reference import AREAS_BY_CODE, FORCE, districts_in
from .schema import incident, lsoa, source_month

HEATMAP_SCHEMA = {"weekday": "int64", "hour": "int64", "count": "int64"}
VIOLENCE = "violent-crime"  # police.uk's "Violence and sexual offences"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Heatmap:
    source: str
    area_code: str
    first: str
    last: str
    cells: pd.DataFrame  # every weekday x hour, zero where none (HEATMAP_SCHEMA)
    untimed: int  # records of the selection without a time of day
    months_loaded: tuple[str, ...]
    is_synthetic: bool
    lsoa_code: str | None = None  # one LSOA of the area, or None for the whole area

    @property
    def timed(self) -> int:
        return int(self.cells["count"].sum())


def _area_condition(area_code: str):
    """Records in the area: a force takes every record, unplaced ones too."""
    if AREAS_BY_CODE[area_code].level == FORCE:
        return incident.c.force_code == area_code
    return incident.c.district_code.in_(list(districts_in(area_code)))


def source_months(engine: Engine, source: str, first: str = "0000-01", last: str = "9999-12"
                  ) -> list[tuple[str, bool]]:
    """(month, synthetic) of each loaded month of a partner source."""
    with engine.connect() as conn:
        return [(m, bool(s)) for m, s in conn.execute(
            select(source_month.c.month, source_month.c.is_synthetic)
            .where(source_month.c.source == source, source_month.c.month.between(first, last))
            .order_by(source_month.c.month))]


def heatmap(engine: Engine, source: str, area_code: str, first: str, last: str, lsoa_code: str | None = None
            ) -> Heatmap:
    """Records of a source in the area (or in one LSOA of it) and months, by weekday and hour
    of the incident. An LSOA holds the records placed in it: point, street or LSOA precision."""
    where = (incident.c.source == source, incident.c.month.between(first, last), _area_condition(area_code),
             *((incident.c.lsoa_code == lsoa_code,) if lsoa_code else ()))
    with engine.connect() as conn:
        grouped = conn.execute(
            select(incident.c.weekday, incident.c.hour, func.count())
            .where(*where, incident.c.hour.is_not(None))
            .group_by(incident.c.weekday, incident.c.hour)
        ).all()
        untimed = conn.execute(select(func.count()).where(*where, incident.c.hour.is_(None))).scalar_one()
    found = {(int(d), int(h)): int(n) for d, h, n in grouped}
    cells = pd.DataFrame(
        [(d, h, found.get((d, h), 0)) for d in range(7) for h in range(24)], columns=list(HEATMAP_SCHEMA)
    ).astype(HEATMAP_SCHEMA)
    loaded = source_months(engine, source, first, last)
    return Heatmap(source, area_code, first, last, cells, int(untimed), tuple(m for m, _ in loaded),
                   any(s for _, s in loaded), lsoa_code)


def precision_shares(engine: Engine) -> pd.DataFrame:
    """Records per partner source and location precision, with each precision's share."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(incident.c.source, incident.c.precision, func.count())
            .where(incident.c.precision.is_not(None))
            .group_by(incident.c.source, incident.c.precision)
        ).all()
    frame = pd.DataFrame(rows, columns=["source", "precision", "records"])
    if frame.empty:
        return pd.DataFrame(columns=["source", *PRECISIONS, "total"])
    table = frame.pivot_table(index="source", columns="precision", values="records", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=list(PRECISIONS), fill_value=0).astype("int64")
    table["total"] = table.sum(axis=1)
    return table.reset_index()


def unmatched_records(engine: Engine, limit: int = 500) -> pd.DataFrame:
    """Records the matcher could not place, for correction: newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(incident.c.id, incident.c.source, incident.c.incident_date, incident.c.location,
                   incident.c.is_synthetic)
            .where(incident.c.precision == UNMATCHED)
            .order_by(incident.c.incident_date.desc(), incident.c.id.desc()).limit(limit)
        ).all()
    return pd.DataFrame(rows, columns=["id", "source", "incident_date", "location_text", "is_synthetic"])


def off_the_map(engine: Engine, area_code: str, sources, first: str, last: str) -> dict[str, dict[str, int]]:
    """Per partner source: its records in the area and months that have no map point (LSOA,
    district or unmatched precision), by precision. Hotspot places and grid cells cannot
    hold them; the views say how many are left out."""
    partner = [s for s in sources if s not in POLICE_SOURCES]
    if not partner:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(incident.c.source, incident.c.precision, func.count())
            .where(incident.c.source.in_(partner), incident.c.month.between(first, last),
                   incident.c.place_id.is_(None),
                   # Unmatched records lie in no district: every area's views say how many there are.
                   or_(_area_condition(area_code), incident.c.precision == UNMATCHED))
            .group_by(incident.c.source, incident.c.precision)
        ).all()
    found: dict[str, dict[str, int]] = {s: {} for s in partner}
    for source, precision, n in rows:
        found[source][precision] = int(n)
    return found


def beside_police_violence(engine: Engine, area_code: str, first: str, last: str) -> pd.DataFrame:
    """Per LSOA of the area: A&E assault attendances placed in it (point, street or LSOA
    precision) beside police-recorded violence and sexual offences, over the months both are
    loaded (others are left out of both). The two count different things (an injury treated,
    a crime recorded), so the table sets them side by side and judges nothing."""
    from .counts import loaded_months
    from .lsoa_sets import counts_by_lsoa
    from .reference import force_of

    police = set(loaded_months(engine, force_of(area_code)))
    months = sorted(m for m, _ in source_months(engine, AE_ASSAULTS, first, last) if m in police)
    columns = ["lsoa_code", "lsoa_name", "ae_assaults", "police_violence", "months"]
    if not months:
        return pd.DataFrame(columns=columns)
    names = dict(_area_lsoa_names(engine, area_code))
    codes = sorted(names)
    ae = counts_by_lsoa(engine, codes, None, months[0], months[-1], months, source=AE_ASSAULTS)
    violence = counts_by_lsoa(engine, codes, [VIOLENCE], months[0], months[-1], months)
    rows = {}
    for (code, _month), n in ae.items():
        rows.setdefault(code, [0, 0])[0] += n
    for (code, _month), n in violence.items():
        rows.setdefault(code, [0, 0])[1] += n
    frame = pd.DataFrame([(c, names.get(c, c), a, v, len(months)) for c, (a, v) in rows.items() if a],
                         columns=columns)
    return frame.sort_values(["ae_assaults", "police_violence", "lsoa_code"], ascending=[False, True, True]
                             ).reset_index(drop=True)


def _area_lsoa_names(engine: Engine, area_code: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(lsoa.c.code, lsoa.c.name).where(lsoa.c.district_code.in_(list(districts_in(area_code)))))]


def weekly_counts(engine: Engine, source: str, area_code: str, first: str, last: str) -> pd.DataFrame:
    """Records per week (Monday to Sunday) of a source in the area, from the first loaded day
    of ``first`` to the last of ``last``. A week is ``complete`` when every one of its days
    lies in a loaded month; a week touching a month not loaded is partial, never a zero."""
    loaded = [m for m, _ in source_months(engine, source, first, last)]
    columns = ["week_start", "count", "days_loaded", "complete"]
    if not loaded:
        return pd.DataFrame(columns=columns)
    with engine.connect() as conn:
        rows = conn.execute(
            select(incident.c.incident_date, func.count())
            .where(incident.c.source == source, incident.c.month.in_(loaded), _area_condition(area_code))
            .group_by(incident.c.incident_date)
        ).all()
    by_day = pd.Series({pd.Timestamp(d): int(n) for d, n in rows}, dtype="int64")
    start = pd.Timestamp(f"{loaded[0]}-01")
    end = pd.Timestamp(f"{loaded[-1]}-01") + pd.offsets.MonthEnd(0)
    days = pd.date_range(start - pd.Timedelta(days=start.weekday()), end + pd.Timedelta(days=6 - end.weekday()))
    frame = pd.DataFrame({"day": days})
    frame["count"] = frame["day"].map(by_day).fillna(0).astype("int64")
    frame["loaded"] = frame["day"].dt.strftime("%Y-%m").isin(set(loaded))
    frame["week_start"] = (frame["day"] - pd.to_timedelta(frame["day"].dt.day_of_week, unit="D")).dt.strftime("%Y-%m-%d")
    weeks = frame.groupby("week_start").agg(count=("count", "sum"), days_loaded=("loaded", "sum")).reset_index()
    weeks["complete"] = weeks["days_loaded"] == 7
    return weeks[columns].astype({"count": "int64", "days_loaded": "int64", "complete": "bool"})


def area_monthly_counts(engine: Engine, source: str) -> pd.DataFrame:
    """A partner source's records per loaded month by district and county (zero where a
    loaded month had none), in the series-values shape ``suppression.suppress`` reads, for
    every district and county that holds a record and the areas it adds up with (its county
    and the county's other districts): the suppression audit's relations lie within a county,
    so the rest of the country's zeros would only slow it. The force is left out: its count
    includes records placed in no district, so it is not the sum of its parts."""
    from .incident_sources import HEALTH_DERIVED
    from .reference import COUNTY
    from .reference import DISTRICT as DISTRICT_LEVEL
    from .schema import incident_count

    months = [m for m, _ in source_months(engine, source)]
    with engine.connect() as conn:
        stored = {(a, m): int(n) for a, m, n in conn.execute(
            select(incident_count.c.area_code, incident_count.c.month, func.sum(incident_count.c.count))
            .where(incident_count.c.source == source)
            .group_by(incident_count.c.area_code, incident_count.c.month))
            if a in AREAS_BY_CODE and AREAS_BY_CODE[a].level in (DISTRICT_LEVEL, COUNTY)}
    areas: dict[str, None] = {}
    for code in sorted({a for a, _ in stored}):
        parent = AREAS_BY_CODE[code].parent_code
        county = code if AREAS_BY_CODE[code].level == COUNTY else (
            parent if parent and AREAS_BY_CODE[parent].level == COUNTY else None)
        areas.update(dict.fromkeys((county, *districts_in(county)) if county else (code,)))
    rows = [(source, a, m, "", float(stored.get((a, m), 0)), "count", source in HEALTH_DERIVED)
            for a in areas for m in months]
    return pd.DataFrame(rows, columns=["series_id", "area_code", "period", "category", "value", "unit", "sensitive"])


def suppressed_area_monthly_counts(engine: Engine, source: str, threshold: int) -> pd.DataFrame:
    """``area_monthly_counts`` with small counts withheld as sensitive series' are (primary and
    secondary suppression over every area and month), made once per source and threshold
    (callers read it through the query cache) rather than for each view that shows a part."""
    from .suppression import suppress

    return suppress(area_monthly_counts(engine, source), threshold)
