"""Targets: a change in a series for an area, from a baseline period to an end period, and
whether the latest figures are on track.

The target line runs straight from the baseline (0%) to the target change at the end
period; "by now" it stands at the share of the way from the baseline's end to the end
period's end that the latest 12 months have reached. The latest 12 months (or the end
period, once loaded) are set against the baseline, scaled to the baseline's length.

The test: if the current rate were exactly on the target line (current rate = baseline
rate x (1 + line)), the current count given the total of both periods would be binomial
with p = Lc (1 + line) / (Lb + Lc (1 + line)) (the exact conditional test the dashboard uses
for changes). Judgement:
- "on track": the change so far is at or below the target line;
- "within tolerance": above the line, but by no more than the tolerance, or not
  significantly above it (one-sided exact p >= 0.05);
- "off track": above the line by more than the tolerance, and significantly so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scipy.stats import beta, binom
from sqlalchemy import Engine, delete, insert, select

from . import periods
from .areas import area_name
from .counts import monthly_counts
from .db import PROJECT_ROOT
from .importers.bookkeeping import bump_data_version
from .importers.errors import ErrorCollector, ImportRejected, RowError
from .reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG
from .schema import series, series_value, target

TARGETS_DIR = PROJECT_ROOT / "data" / "targets"
ON_TRACK, WITHIN_TOLERANCE, OFF_TRACK, WAITING = "on track", "within tolerance", "off track", "waiting for data"
COLUMNS = ("id", "title", "crime_types", "series_id", "area_code", "baseline_from", "baseline_to",
           "end_from", "end_to", "target_percent", "tolerance_points", "source", "note")
TARGET_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


@dataclass
class Judgement:
    target_id: str
    title: str
    status: str
    sentence: str
    baseline: float | None = None
    current: float | None = None
    current_period: tuple[str, str] | None = None
    change_percent: float | None = None
    line_percent: float | None = None
    p_value: float | None = None  # one-sided: "above the target line"
    ci95_percent: tuple[float, float] | None = None


def parse_targets(path: str | Path, engine: Engine | None = None) -> list[dict]:
    """Read and check a targets CSV; every problem names the row and field."""
    name = str(path)
    errors = ErrorCollector(name)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [c.strip() for c in reader.fieldnames or []]
        unknown = sorted(set(header) - set(COLUMNS))
        missing = [c for c in COLUMNS if c not in header and c not in ("series_id", "note", "crime_types")]
        if unknown:
            errors.add(1, unknown[0], f"unknown column; expected {', '.join(COLUMNS)}")
        if missing:
            errors.add(1, missing[0], "required column missing")
        errors.raise_if_any()
        known_series = _series_ids(engine) if engine is not None else None
        rows, seen = [], set()
        for row in reader:
            line = reader.line_num
            values = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            record = check_target(values, lambda field, message, line=line: errors.add(line, field, message),
                                  known_series)
            if record:
                if record["id"] in seen:
                    errors.add(line, "id", f"target {record['id']!r} appears twice")
                seen.add(record["id"])
                rows.append(record)
            if errors.full:
                break
    errors.raise_if_any()
    if not rows:
        raise ImportRejected([RowError(name, None, None, "no targets in the file")])
    return rows


def check_target(values: dict, error, known_series: set[str] | None = None) -> dict | None:
    """Check one target's fields; ``error(field, message)`` is called for each problem."""
    ok = True

    def fail(field, message):
        nonlocal ok
        ok = False
        error(field, message)

    tid = values.get("id", "")
    if not TARGET_ID.match(tid):
        fail("id", f"{tid[:40]!r} is not an id (lower-case letters, digits and hyphens)")
    if not values.get("title"):
        fail("title", "required")
    slugs = [s.strip() for s in re.split(r"[;\s]+", values.get("crime_types", "")) if s.strip()]
    for slug in slugs:
        if slug not in CRIME_TYPES_BY_SLUG:
            fail("crime_types", f"unknown crime type {slug[:40]!r}")
    series_id = values.get("series_id") or None
    if slugs and series_id:
        fail("series_id", "give crime types or a series, not both")
    if not slugs and not series_id:
        fail("crime_types", "give crime types (data.police.uk slugs) or a series_id")
    if series_id and known_series is not None and series_id not in known_series:
        fail("series_id", f"no series {series_id[:80]!r}")
    if values.get("area_code") not in AREAS_BY_CODE:
        fail("area_code", f"unknown area code {values.get('area_code', '')[:20]!r}")
    for field in ("baseline_from", "baseline_to", "end_from", "end_to"):
        if not periods.is_month(values.get(field, "")):
            fail(field, f"{values.get(field, '')[:20]!r} is not a month (YYYY-MM)")
    if ok:
        if values["baseline_from"] > values["baseline_to"]:
            fail("baseline_to", "before baseline_from")
        if values["end_from"] > values["end_to"]:
            fail("end_to", "before end_from")
        if values["end_from"] <= values["baseline_to"]:
            fail("end_from", "the end period must start after the baseline ends")
    numbers = {}
    for field, low, high in (("target_percent", -100, 1000), ("tolerance_points", 0, 100)):
        try:
            numbers[field] = float(values.get(field, ""))
            if not low <= numbers[field] <= high:
                fail(field, f"must be from {low} to {high}")
        except ValueError:
            fail(field, f"{values.get(field, '')[:20]!r} is not a number")
    if not values.get("source"):
        fail("source", "required: who set the target, and where it is published")
    if not ok:
        return None
    return {
        "id": tid, "title": values["title"], "crime_types": ",".join(slugs), "series_id": series_id,
        "area_code": values["area_code"], "baseline_from": values["baseline_from"],
        "baseline_to": values["baseline_to"], "end_from": values["end_from"], "end_to": values["end_to"],
        "target_percent": numbers["target_percent"], "tolerance_points": numbers["tolerance_points"],
        "source": values["source"], "note": values.get("note", ""),
    }


def _series_ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(series.c.id)).scalars())


def import_targets(engine: Engine, path: str | Path, kind: str = "partner", recorded_by: str = "unknown") -> list[str]:
    """Store every target of a checked file in one transaction (replacing targets of the same id)."""
    rows = parse_targets(path, engine)
    save_targets(engine, rows, kind, recorded_by)
    return [r["id"] for r in rows]


def save_targets(engine: Engine, rows: list[dict], kind: str, recorded_by: str) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(target).where(target.c.id.in_([r["id"] for r in rows])))
        conn.execute(insert(target), [{**r, "kind": kind, "recorded_by": recorded_by, "recorded_at": now} for r in rows])
        bump_data_version(conn)


def load_published_targets(engine: Engine) -> None:
    """The shipped targets (``data/targets/``): stored, or replaced when their file has changed."""
    stored = {t["id"]: t for t in list_targets(engine)}
    for path in sorted(TARGETS_DIR.glob("*.csv")):
        rows = parse_targets(path)
        if any({k: stored.get(r["id"], {}).get(k) for k in r} != r for r in rows):
            save_targets(engine, rows, "published", "system (shipped data)")


def list_targets(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(target).order_by(target.c.kind.desc(), target.c.id)).mappings().all()
    return [dict(r) for r in rows]


def _months_scaled_sum(engine: Engine, t: dict, first: str, last: str) -> tuple[float, int] | None:
    """(total, months) of the target's series over the span, or None when not all of it is there."""
    if t["series_id"]:
        with engine.connect() as conn:
            rows = conn.execute(
                select(series_value.c.period, series_value.c.value)
                .where(series_value.c.series_id == t["series_id"], series_value.c.area_code == t["area_code"],
                       series_value.c.category == "")
            ).all()
        total, covered = 0.0, set()
        for period, value in rows:
            parsed = periods.parse_period(period)
            if parsed and first <= parsed[1] and parsed[2] <= last:
                total += value
                covered |= set(periods.months_between(parsed[1], parsed[2]))
        span = periods.months_between(first, last)
        return (total, len(span)) if covered >= set(span) else None
    frame = monthly_counts(engine, [t["area_code"]], t["crime_types"].split(","), first, last)
    span = periods.months_between(first, last)
    if len(frame) < len(span):
        return None
    return float(frame["count"].sum()), len(span)


def _latest_loaded_end(engine: Engine, t: dict) -> str | None:
    if t["series_id"]:
        with engine.connect() as conn:
            rows = conn.execute(select(series_value.c.period).where(
                series_value.c.series_id == t["series_id"], series_value.c.area_code == t["area_code"])).scalars()
            ends = [periods.parse_period(p)[2] for p in rows if periods.parse_period(p)]
        return max(ends) if ends else None
    frame = monthly_counts(engine, [t["area_code"]], t["crime_types"].split(","), None, t["end_to"])
    return frame["month"].max() if not frame.empty else None


def judge(engine: Engine, t: dict) -> Judgement:
    """Where the target stands now, with the exact test behind the word."""
    place = area_name(t["area_code"])
    baseline_words = periods.months_in_words(t["baseline_from"], t["baseline_to"])
    end_words = periods.months_in_words(t["end_from"], t["end_to"])
    base = _months_scaled_sum(engine, t, t["baseline_from"], t["baseline_to"])
    if base is None:
        return Judgement(t["id"], t["title"], WAITING,
                         f"{t['title']} ({place}): waiting for data: the baseline, {baseline_words}, is not all loaded.")
    baseline, baseline_months = base
    latest = _latest_loaded_end(engine, t)
    current_last = min(latest, t["end_to"]) if latest else None
    length = min(12, len(periods.months_between(t["end_from"], t["end_to"])))
    current_first = periods.add_months(current_last, -(length - 1)) if current_last else None
    if current_last is None or current_first <= t["baseline_to"]:
        return Judgement(t["id"], t["title"], WAITING, f"{t['title']} ({place}): waiting for data: no full "
                                                       f"{length} months after the baseline are loaded yet.")
    cur = _months_scaled_sum(engine, t, current_first, current_last)
    if cur is None:
        return Judgement(t["id"], t["title"], WAITING, f"{t['title']} ({place}): waiting for data: "
                         f"{periods.months_in_words(current_first, current_last)} is not all loaded.")
    current, current_months = cur
    # The share of the way along the target line the current period's end has reached.
    whole = periods.month_index(t["end_to"]) - periods.month_index(t["baseline_to"])
    reached = periods.month_index(current_last) - periods.month_index(t["baseline_to"])
    line = t["target_percent"] * min(1.0, reached / whole)
    scaled = current * baseline_months / current_months
    change = (scaled - baseline) / baseline * 100 if baseline else None
    ratio0 = 1 + line / 100
    p_value = ci = None
    if not t["series_id"] or float(current).is_integer():
        n, k = round(baseline + current), round(current)
        share = current_months * ratio0 / (baseline_months + current_months * ratio0)
        p_value = float(binom.sf(k - 1, n, share)) if n else None  # P(X >= k): above the line
        if n and baseline:
            lo = beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
            hi = beta.ppf(0.975, k + 1, n - k) if k < n else 1.0

            def to_ratio(q: float) -> float:
                """A share of the total as the ratio of current to baseline rates."""
                return (q / (1 - q)) * baseline_months / current_months if q < 1 else float("inf")

            ci = (float((to_ratio(lo) - 1) * 100), float((to_ratio(hi) - 1) * 100))
    if change is None:
        status = WAITING
    elif change <= line:
        status = ON_TRACK
    elif change - line <= t["tolerance_points"] or p_value is None or p_value >= 0.05:
        status = WITHIN_TOLERANCE
    else:
        status = OFF_TRACK
    current_words = periods.months_in_words(current_first, current_last)
    test = (f" Exact test against the target line: one-sided p = {p_value:.3f}"
            + (f"; 95% CI for the change {ci[0]:+.1f}% to {ci[1]:+.1f}%." if ci else ".")) if p_value is not None else ""
    sentence = (
        f"{t['title']} ({place}): {current:,.0f} in {current_words} against {baseline:,.0f} in {baseline_words} "
        f"({change:+.1f}%"
        + (", scaled to the baseline's length" if current_months != baseline_months else "")
        + f"); the target line stands at {line:+.1f}% by now ({t['target_percent']:+.0f}% by {end_words}, "
        f"tolerance {t['tolerance_points']:g} points): {status}.{test}"
    )
    return Judgement(t["id"], t["title"], status, sentence, baseline, current, (current_first, current_last),
                     change, line, p_value, ci)
