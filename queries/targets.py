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
- "within tolerance": above the line, but by no more than the tolerance;
- "unclear": above the line by more than the tolerance, but not significantly above it
  (one-sided exact p >= 0.05), or with figures that are not counts and so cannot be tested:
  neither within tolerance nor shown to be off track;
- "off track": above the line by more than the tolerance, and significantly so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select

from . import periods
from .areas import area_name
from .counts import monthly_counts
from .db import PROJECT_ROOT
from .importers.bookkeeping import bump_data_version
from .importers.errors import ErrorCollector, ImportRejected, RowError
from .records import (
    CREATE,
    DEFAULT_MAX_RECORDS,
    DELETE,
    IMPORT,
    UPDATE,
    NotOwner,
    audit,
    check_room,
    may_change,
    summary,
)
from .reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG
from .schema import series, series_value, target

TARGETS_DIR = PROJECT_ROOT / "data" / "targets"
ON_TRACK, WITHIN_TOLERANCE, UNCLEAR, OFF_TRACK, WAITING = (
    "on track", "within tolerance", "unclear", "off track", "waiting for data")
WITHHELD = "withheld"
COLUMNS = ("id", "title", "crime_types", "series_id", "area_code", "baseline_from", "baseline_to",
           "end_from", "end_to", "target_percent", "tolerance_points", "source", "note")
TARGET_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


SAME_MONTHS = "the same months of the year"  # how ``compared`` opens when whole years are not compared


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
    compared: str | None = None  # which months were set against which


def parse_targets(path: str | Path, engine: Engine | None = None, limit: int = DEFAULT_MAX_RECORDS) -> list[dict]:
    """Read and check a targets CSV; every problem names the row and field. A file of more
    than ``limit`` targets is refused at the first row over it."""
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
        for number, row in enumerate(reader, start=1):
            line = reader.line_num
            if number > limit:
                errors.add(line, None, f"more than {limit:,} targets in the file (the MAX_TARGETS setting); "
                                       "nothing was stored")
                break
            values = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            record = check_target(values, lambda field, message, line=line: errors.add(line, field, message),
                                  known_series)
            if record:
                if record["id"] in seen:
                    errors.add(line, "id", f"target {record['id']!r} appears twice")
                seen.add(record["id"])
                rows.append({**record, "line": line})
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


def import_targets(engine: Engine, path: str | Path, kind: str = "partner", recorded_by: str = "unknown", *,
                   is_admin: bool = False, limit: int = DEFAULT_MAX_RECORDS) -> list[str]:
    """Store every target of a checked file in one transaction (replacing targets of the same id)."""
    rows = parse_targets(path, engine, limit)
    save_targets(engine, rows, kind, recorded_by, is_admin=is_admin, limit=limit, source=str(path), imported=True)
    return [r["id"] for r in rows]


SUMMARY_FIELDS = ("id", "title", "crime_types", "series_id", "area_code", "baseline_from", "baseline_to", "end_from",
                  "end_to", "target_percent", "tolerance_points", "kind", "owner")


def save_targets(engine: Engine, rows: list[dict], kind: str, recorded_by: str, *, is_admin: bool = False,
                 limit: int = DEFAULT_MAX_RECORDS, source: str = "the form", imported: bool = False) -> None:
    """Store targets, replacing those of the same id if their owner or an administrator asks;
    over ``limit`` stored, nothing is stored."""
    now = datetime.now(UTC)
    ids = [r["id"] for r in rows]
    with engine.begin() as conn:
        existing = {r["id"]: dict(r) for r in conn.execute(select(target).where(target.c.id.in_(ids))).mappings()}
        for r in rows:
            old = existing.get(r["id"])
            if old and not may_change(old["owner"], recorded_by, is_admin):
                raise NotOwner("target", r["id"], old["owner"])
        check_room(conn, target, len(existing), rows, limit, source, "targets")
        conn.execute(delete(target).where(target.c.id.in_(ids)))
        stored = [{**{k: v for k, v in r.items() if k != "line"}, "kind": kind, "recorded_by": recorded_by,
                   "recorded_at": now, "owner": existing[r["id"]]["owner"] if r["id"] in existing else recorded_by}
                  for r in rows]
        conn.execute(insert(target), stored)
        if imported:
            audit(conn, recorded_by, IMPORT, "target", source, "",
                  f"{len(rows)} targets ({len(existing)} replaced): " + ", ".join(ids))
        else:
            for r in stored:
                old = existing.get(r["id"])
                audit(conn, recorded_by, UPDATE if old else CREATE, "target", r["id"], summary(old, SUMMARY_FIELDS),
                      summary(r, SUMMARY_FIELDS))
        bump_data_version(conn)


def delete_target(engine: Engine, target_id: str, actor: str, is_admin: bool = False) -> bool:
    """Delete one partner target, if its owner or an administrator asks; False if there is none
    (a published target belongs to the shipped data and is not deleted here)."""
    with engine.begin() as conn:
        found = conn.execute(select(target).where(target.c.id == target_id, target.c.kind == "partner")).mappings().first()
        if found is None:
            return False
        if not may_change(found["owner"], actor, is_admin):
            raise NotOwner("target", target_id, found["owner"])
        conn.execute(delete(target).where(target.c.id == target_id))
        audit(conn, actor, DELETE, "target", target_id, summary(dict(found), SUMMARY_FIELDS))
        bump_data_version(conn)
    return True


def load_published_targets(engine: Engine) -> None:
    """The shipped targets (``data/targets/``): stored, or replaced when their file has changed."""
    stored = {t["id"]: t for t in list_targets(engine)}
    for path in sorted(TARGETS_DIR.glob("*.csv")):
        rows = parse_targets(path)
        if any(any(stored.get(r["id"], {}).get(k) != v for k, v in r.items() if k != "line") for r in rows):
            save_targets(engine, rows, "published", "system (shipped data)", is_admin=True,
                         limit=max(DEFAULT_MAX_RECORDS, len(stored) + len(rows)), source=str(path), imported=True)


def list_targets(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(target).order_by(target.c.kind.desc(), target.c.id)).mappings().all()
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class Figure:
    """One loaded figure of a target's measure: the months it covers and its value (None when
    it is withheld from whoever is asking)."""

    first: str
    last: str
    value: float | None

    @property
    def months(self) -> int:
        return periods.month_index(self.last) - periods.month_index(self.first) + 1


def series_figures(frame) -> list[Figure]:
    """A series' totals (category "") for one area as figures; rows marked ``suppressed``
    are withheld."""
    rows = frame[frame["category"] == ""]
    hidden = rows["suppressed"] if "suppressed" in rows.columns else [False] * len(rows)
    figures = []
    for period, value, withheld in zip(rows["period"], rows["value"], hidden):
        parsed = periods.parse_period(period)
        if parsed:
            missing = bool(withheld) or value is None or value != value  # NaN: withheld upstream
            figures.append(Figure(parsed[1], parsed[2], None if missing else float(value)))
    return figures


def stored_figures(engine: Engine, t: dict) -> list[Figure]:
    """Every figure of the target's measure in full, as a partner sees it: the series' stored
    totals, or the monthly police.uk counts from the baseline to the end period."""
    if t["series_id"]:
        with engine.connect() as conn:
            rows = conn.execute(
                select(series_value.c.period, series_value.c.value)
                .where(series_value.c.series_id == t["series_id"], series_value.c.area_code == t["area_code"],
                       series_value.c.category == "")
            ).all()
        return [Figure(p[1], p[2], float(v)) for p, v in ((periods.parse_period(period), v) for period, v in rows) if p]
    frame = monthly_counts(engine, [t["area_code"]], t["crime_types"].split(","), t["baseline_from"], t["end_to"])
    return [Figure(m, m, float(c)) for m, c in zip(frame["month"], frame["count"])]


def judge(engine: Engine, t: dict, figures: list[Figure] | None = None) -> Judgement:
    """Where the target stands now, with the exact test behind the word. ``figures`` are the
    measure as the reader may see it (withheld ones None); by default every stored figure."""
    return judge_figures(t, stored_figures(engine, t) if figures is None else figures)


def withheld_judgement(t: dict, reason: str) -> Judgement:
    """A target whose figures the reader may not see: its title and status word only."""
    return Judgement(t["id"], t["title"], WITHHELD,
                     f"{t['title']} ({area_name(t['area_code'])}): {reason}; partners see the judgement signed in.")


def _covers(figures: list[Figure], first: str, last: str) -> bool:
    covered = set()
    for f in figures:
        covered |= set(periods.months_between(f.first, f.last))
    return covered >= set(periods.months_between(first, last))


def months_list_words(months: list[str]) -> str:
    """Months in words, runs joined: "January to April 2024 and November to December 2024"."""
    ordered = sorted(set(months), key=periods.month_index)
    runs: list[list[str]] = []
    for month in ordered:
        if runs and periods.month_index(month) == periods.month_index(runs[-1][-1]) + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    words = [periods.months_in_words(run[0], run[-1]) for run in runs]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _same_months(current: list[Figure], baseline: list[Figure]) -> tuple[list[Figure], list[Figure]]:
    """The current figures with a twin in the baseline (the same months of the year, the same
    length) and those twins: the latest k of each, k the fewest any current figure has, so
    every month of the year counts equally on both sides."""
    pairs = []
    for c in current:
        twins = [b for b in baseline if b.months == c.months
                 and (periods.month_index(b.first) - periods.month_index(c.first)) % 12 == 0]
        if twins:
            pairs.append((c, sorted(twins, key=lambda b: b.first)))
    if not pairs:
        return [], []
    k = min(len(twins) for _, twins in pairs)
    return [c for c, _ in pairs], [b for _, twins in pairs for b in twins[-k:]]


def judge_figures(t: dict, figures: list[Figure]) -> Judgement:
    """The judgement from the measure's figures.

    With a 12-month current period and a baseline of whole years, all loaded, the two are
    compared whole (any 12 consecutive months hold every season once). Otherwise only the
    same months of the year are compared (a November-to-April period against the
    baseline's November to April, not against the whole year scaled down, as those months
    hold less than half a year's crime), and only months loaded in both periods.
    """
    # Imported here: at the top, scipy.stats cost half a second of every start of the app.
    from scipy.stats import beta, binom

    place = area_name(t["area_code"])
    baseline_words = periods.months_in_words(t["baseline_from"], t["baseline_to"])
    end_words = periods.months_in_words(t["end_from"], t["end_to"])
    base_all = [f for f in figures if t["baseline_from"] <= f.first and f.last <= t["baseline_to"]]
    if not base_all:
        return Judgement(t["id"], t["title"], WAITING,
                         f"{t['title']} ({place}): waiting for data: the baseline, {baseline_words}, is not all loaded.")
    latest = max(f.last for f in figures)
    current_last = min(latest, t["end_to"])
    length = min(12, len(periods.months_between(t["end_from"], t["end_to"])))
    current_first = periods.add_months(current_last, -(length - 1))
    if current_first <= t["baseline_to"]:
        return Judgement(t["id"], t["title"], WAITING, f"{t['title']} ({place}): waiting for data: no full "
                                                       f"{length} months after the baseline are loaded yet.")
    current_all = [f for f in figures if current_first <= f.first and f.last <= current_last]
    if not _covers(current_all, current_first, current_last):
        return Judgement(t["id"], t["title"], WAITING, f"{t['title']} ({place}): waiting for data: "
                         f"{periods.months_in_words(current_first, current_last)} is not all loaded.")
    baseline_span = len(periods.months_between(t["baseline_from"], t["baseline_to"]))
    whole = length == 12 and baseline_span % 12 == 0 and _covers(base_all, t["baseline_from"], t["baseline_to"])
    if whole:
        current_used, base_used = current_all, base_all
    else:
        current_used, base_used = _same_months(current_all, base_all)
        if not current_used:
            return Judgement(t["id"], t["title"], WAITING, f"{t['title']} ({place}): waiting for data: no month of "
                             f"the year in {periods.months_in_words(current_first, current_last)} is loaded in the "
                             f"baseline, {baseline_words}, to compare like for like.")
    if any(f.value is None for f in current_used + base_used):
        return withheld_judgement(t, "withheld: a figure it compares is a small number, withheld from the public")
    current = sum(f.value for f in current_used)
    baseline = sum(f.value for f in base_used)
    current_months = sum(f.months for f in current_used)
    baseline_months = sum(f.months for f in base_used)
    current_month_list = [m for f in current_used for m in periods.months_between(f.first, f.last)]
    baseline_month_list = [m for f in base_used for m in periods.months_between(f.first, f.last)]
    current_words = months_list_words(current_month_list)
    partial = ""
    if whole:
        compared = f"{current_words} against {baseline_words}"
        against = baseline_words
    else:
        against = months_list_words(baseline_month_list)
        complete = set(current_month_list) == set(periods.months_between(current_first, current_last))
        partial = "" if complete else "; only months loaded in both periods are compared"
        compared = f"{SAME_MONTHS}: {current_words} against {against}{partial}"
    # The share of the way along the target line the current period's end has reached.
    span = periods.month_index(t["end_to"]) - periods.month_index(t["baseline_to"])
    reached = periods.month_index(current_last) - periods.month_index(t["baseline_to"])
    line = t["target_percent"] * min(1.0, reached / span)
    scaled = current * baseline_months / current_months
    change = (scaled - baseline) / baseline * 100 if baseline else None
    ratio0 = 1 + line / 100
    p_value = ci = None
    counts_ok = float(current).is_integer() and float(baseline).is_integer()
    if counts_ok:
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
    status = status_for(change, line, t["tolerance_points"], p_value)
    status_words = status
    if status == UNCLEAR:
        status_words += (f": {change - line:.1f} points above the line, more than its tolerance, but "
                         + ("too few to tell that from chance" if p_value is not None else
                            "figures that are not counts cannot be tested against the line"))
    test = (f" Exact test against the target line: one-sided p = {p_value:.3f}"
            + (f"; 95% CI for the change {ci[0]:+.1f}% to {ci[1]:+.1f}%." if ci else ".")) if p_value is not None else ""
    figures_words = f"{current:,.0f} in {current_words} against {baseline:,.0f} in {against}"
    if not whole:
        figures_words += f", the same months of the year{partial}"
    change_words = (f"{change:+.1f}%" if change is not None else "no change can be given from a baseline of 0")
    sentence = (
        f"{t['title']} ({place}): {figures_words} ({change_words}"
        + (", scaled to the baseline's length" if current_months != baseline_months else "")
        + f"); the target line stands at {line:+.1f}% by now ({t['target_percent']:+.0f}% by {end_words}, "
        f"tolerance {t['tolerance_points']:g} points): {status_words}.{test}"
    )
    return Judgement(t["id"], t["title"], status, sentence, baseline, current,
                     (min(current_month_list), max(current_month_list)), change, line, p_value, ci, compared)


def status_for(change: float | None, line: float, tolerance: float, p_value: float | None) -> str:
    """On track at or below the line; within tolerance above it by no more than the
    tolerance; beyond the tolerance, off track when significantly above the line (one-sided
    p < 0.05) and unclear when not, or when there is no test."""
    if change is None:
        return WAITING
    if change <= line:
        return ON_TRACK
    if change - line <= tolerance:
        return WITHIN_TOLERANCE
    if p_value is None or p_value >= 0.05:
        return UNCLEAR
    return OFF_TRACK
