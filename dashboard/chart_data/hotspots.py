"""Hotspots: the ranked places, changes, map points and grid cells behind the hotspot page,
its CSVs, the hotspot API's wording and the tasking pack, in the words an officer uses.

Officers' tables say place, street, incidents and the usual level for the period (one unit a
row), what it means and why, with the test behind each word (its p- and q-value) in an
analyst appendix and each place's crime types and months. Every CSV has coordinates, LSOA
codes and names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartSpec, Reader
from dashboard.charts.formatting import month_span
from queries import partnership, periods
from queries.counts import latest_month
from queries.geography import with_lsoa_context
from queries.hexgrid import DEFAULT_SIZE
from queries.hotspot_tests import BUSIEST_SHARE, SIGNIFICANCE, concentration, period_share, smallest_total
from queries.hotspots import (
    BUSY,
    CELL_SCHEMA,
    CHANGE_SCHEMA,
    EMERGING,
    FADING,
    HOTSPOT_SCHEMA,
    LOCATION,
    LSOA,
    NEW,
    PERSISTENT,
    STEADY,
    TOO_FEW,
    Coverage,
    HotspotAnalysis,
    hotspot_analysis,
    loaded_for,
    repeats_of,
)
from queries.incident_sources import HEALTH_DERIVED, POLICE_SOURCES, SOURCES_BY_SLUG, police_types
from queries.map_streets import generic_mask, nearest_named, street_points
from queries.periods import add_months, month_index
from queries.reference import ALL_CRIME, AREAS_BY_CODE, CRIME_TYPES_BY_SLUG, force_of

DEFAULTS = Filters(areas=(partnership.current().home,))
BUSIEST = f"{BUSIEST_SHARE:.0%}"
CLASS_TEXT = {NEW: "New hotspot", EMERGING: "Emerging hotspot", PERSISTENT: "Persistent hotspot", FADING: "Fading",
              BUSY: "Busy, no significant change", STEADY: "No significant change", TOO_FEW: "Too few to class",
              "": ""}
# What a row says when no place could be classed: a blank cell reads as missing data.
NOT_CLASSED = "Not classed"
UNCLASSED_WORDS = (CLASS_TEXT[STEADY], CLASS_TEXT[TOO_FEW], NOT_CLASSED)
CLASS_MEANING = {
    NEW: "Significantly above its usual level (exact test, 5% false discovery rate) with no incident in the loaded "
         "baseline months: a new problem to look at.",
    EMERGING: "Significantly above its usual level (exact test, 5% false discovery rate): getting worse.",
    PERSISTENT: f"Among the busiest {BUSIEST} of places this period and over the baseline, with no significant "
                "change on its usual level: a long-standing problem.",
    FADING: "Significantly below its usual level (exact test, 5% false discovery rate): what worked there may be "
            "worth keeping.",
    BUSY: f"Among the busiest {BUSIEST} of places this period (not over the baseline), with no significant change "
          "on its usual level.",
    STEADY: "Neither among the busiest nor significantly above or below its usual level.",
    TOO_FEW: "Too few incidents, this period and in the baseline together, for the exact test to tell a change from "
             "chance: listed by count, never called a hotspot.",
}
SNAP_NOTE = ("police.uk moves every incident to the nearest of a set of anonymous map points ('On or near ...'), each "
             "standing for many addresses nearby: a place here is a stretch of street or an area, never an address.")
LOCATION_KEYS = (("longitude", "Longitude"), ("latitude", "Latitude"), ("lsoa_code", "LSOA code"),
                 ("lsoa_name", "LSOA name"))


def empty_hotspots() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in HOTSPOT_SCHEMA.items()})


def empty_cells() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in CELL_SCHEMA.items()})


def area_of(filters: Filters) -> str:
    return filters.areas[0] if filters.areas else partnership.current().home


def chosen_sources(reader: Reader, filters: Filters) -> tuple[str, ...] | None:
    """The incident sources the analysis counts: those chosen that this audience may read
    (health-derived ones are for partners only), None for police.uk's."""
    readable = tuple(s for s in filters.sources if reader.audience.partner or s not in HEALTH_DERIVED)
    return readable or None


def withheld_sources(reader: Reader, filters: Filters) -> tuple[str, ...]:
    """Chosen sources this audience may not read."""
    return tuple(s for s in filters.sources if not reader.audience.partner and s in HEALTH_DERIVED)


def latest_of(reader: Reader, filters: Filters) -> str | None:
    sources = chosen_sources(reader, filters)
    if sources is None:
        return reader.get(latest_month, force_of(area_of(filters)))  # the area's own force's latest
    loaded = reader.get(loaded_for, area_of(filters), sources)
    return loaded[-1] if loaded else None


def requested_period(reader: Reader, filters: Filters) -> tuple[str | None, str | None]:
    end = filters.end or latest_of(reader, filters)
    if end is None:
        return None, None
    start = filters.start or end
    return (start, end) if start <= end else (end, start)


def recent_period(reader: Reader, filters: Filters) -> tuple[str | None, str | None]:
    """The period analysed: as asked, but for the public at most the latest
    ``audience.hotspot_months`` months of it (see ``limit_note``)."""
    start, end = requested_period(reader, filters)
    audience = reader.audience
    if end is not None and not audience.partner and span_months(start, end) > audience.hotspot_months:
        start = add_months(end, -(audience.hotspot_months - 1))
    return start, end


def baseline_of(reader: Reader, filters: Filters) -> int:
    audience = reader.audience
    return filters.baseline if audience.partner else min(filters.baseline, audience.hotspot_baseline)


def span_months(first: str, last: str) -> int:
    return month_index(last) - month_index(first) + 1


def limit_note(reader: Reader, filters: Filters) -> str | None:
    """Why the public sees a shorter period or baseline than asked for, if it does."""
    if recent_period(reader, filters) == requested_period(reader, filters) and baseline_of(reader, filters) == filters.baseline:
        return None
    audience = reader.audience
    return (f"Without signing in, hotspots cover at most {audience.hotspot_months} months and a baseline of "
            f"{audience.hotspot_baseline} months: this shows the latest {audience.hotspot_months} months of the "
            f"period asked for. Partners can sign in for longer periods.")


def public_request_problem(audience, first: str, last: str, baseline: int) -> tuple[str, str] | None:
    """(parameter, message) when a public API request asks for more hotspot work than allowed."""
    if audience.partner:
        return None
    if span_months(first, last) > audience.hotspot_months:
        return ("from", (f"without signing in, a hotspot period is at most {audience.hotspot_months} months "
                         f"(asked for {span_months(first, last)}); ask for a shorter period or sign in as a partner"))
    if baseline > audience.hotspot_baseline:
        return ("baseline_months", (f"without signing in, the baseline is at most {audience.hotspot_baseline} "
                                    "months; ask for a shorter one or sign in as a partner"))
    return None


def analysis(reader: Reader, filters: Filters) -> HotspotAnalysis | None:
    """The page's figures, from one cached analysis (None when no data is loaded)."""
    start, end = recent_period(reader, filters)
    if end is None:
        return None
    return reader.get(hotspot_analysis, area_of(filters), filters.crime_types or None, start, end,
                      baseline_of(reader, filters), filters.level, DEFAULT_SIZE, chosen_sources(reader, filters))


# The hotspot API's columns: every word with the tests behind it (above and below the usual
# level, p and q) and the rank behind "busiest", at the precision the API documents.
API_COLUMNS = ("place_code", "place_name", "street", "lsoa_code", "lsoa_name", "longitude", "latitude", "count",
               "baseline_count", "baseline_mean", "baseline_months_loaded", "expected", "ratio", "rank_now",
               "busiest_now", "busiest_before", "p_value", "q_value", "p_below", "q_below", "class")
API_DECIMALS = {"baseline_mean": 4, "expected": 4, "ratio": 4, "p_value": 6, "q_value": 6, "p_below": 6,
                "q_below": 6}


@dataclass(frozen=True)
class ApiAnswer:
    rows: pd.DataFrame  # the busiest places asked for, API_COLUMNS at API_DECIMALS
    places: int  # every ranked place
    coverage: Coverage | None  # None when nothing is loaded
    start: str | None
    end: str | None


def api_answer(reader: Reader, filters: Filters, limit: int) -> ApiAnswer:
    """The hotspot API's rows from the page's own analysis (the same period, baseline, level,
    sources and latest month of the area's force), so the API and the page never disagree.
    A public request past the limits is refused by the caller (``public_request_problem``),
    so the period analysed is the one asked for."""
    start, end = requested_period(reader, filters)
    result = analysis(reader, filters)
    frame = result.places if result else empty_hotspots()
    rows = frame.head(limit)[list(API_COLUMNS)].copy()
    for column, places in API_DECIMALS.items():
        rows[column] = rows[column].astype("float64").round(places)
    return ApiAnswer(rows, len(frame), result.coverage if result else None, start, end)


def coverage_note(reader: Reader, filters: Filters) -> str:
    result = analysis(reader, filters)
    return result.coverage.note() if result else ""


def places_classed(reader: Reader, filters: Filters) -> bool:
    """Whether enough months are loaded for places to be classed (new, emerging and the rest)."""
    result = analysis(reader, filters)
    return bool(result and result.coverage.classed)


WHY_INPUTS = ["count", "expected", "baseline_count", "baseline_months_loaded", "class", "busiest_now", "rank_now",
              "q_value", "q_below"]


def q_text(q: float) -> str:
    return "q < 0.001" if q < 0.001 else f"q = {q:.3f}"


def why_listed(row: dict, classed: bool, months: int, smallest: int = 0) -> str:
    """One line per place on why it is in the table, in the period's units (``row``: a place
    as a dict; ``smallest``: the fewest incidents the exact test can speak for)."""
    count, usual = row["count"], row["expected"]
    period = "this month" if months == 1 else f"in these {months} months"
    usual_text = f"a usual {usual:.1f}" if pd.notna(usual) else "no usual level"
    if not classed:
        return f"{count} {period} against {usual_text}; not classed, as too few months are loaded."
    kind, loaded = row["class"], row["baseline_months_loaded"]
    busiest = f"among the busiest {BUSIEST} (rank {row['rank_now']})"
    if kind == NEW:
        return (f"{count} {period} against none in the {loaded} baseline months: significantly above its usual level "
                f"({q_text(row['q_value'])}).")
    if kind == EMERGING:
        return f"{count} {period} against {usual_text}: significantly above its usual level ({q_text(row['q_value'])})."
    if kind == FADING:
        return f"{count} {period} against {usual_text}: significantly below its usual level ({q_text(row['q_below'])})."
    steady = "no significant change (" + _no_change_qs(row) + ")"
    if kind == PERSISTENT:
        return f"{busiest.capitalize()} now and over the baseline: {count} against {usual_text}, {steady}."
    if kind == BUSY:
        return f"{busiest.capitalize()}: {count} against {usual_text}, {steady}."
    if kind == TOO_FEW:
        total = count + row["baseline_count"]
        head = f"{busiest.capitalize()}: {count}" if row["busiest_now"] else f"{count} {period}"
        return (f"{head} against {usual_text}: too few to class ({total} incident{'s' if total != 1 else ''} in "
                f"period and baseline; the exact test needs {smallest} or more).")
    return f"{count} {period} against {usual_text}: {steady}."


def _no_change_qs(row: dict) -> str:
    """The q-values of the tests that found no change: 'above q = 0.170; below q = 0.840'."""
    parts = [f"above {q_text(row['q_value'])}"]
    if pd.notna(row["q_below"]):
        parts.append(f"below {q_text(row['q_below'])}")
    return "; ".join(parts)


NOT_LOADED = "not loaded"


def by_type_text(by_type: dict) -> str:
    """'Anti-social behaviour 6, Burglary 3': a place's incidents by crime type, largest first."""
    return ", ".join(f"{type_name(t)} {n}" for t, n in by_type.items()) if by_type else "None"


def period_words(start: str, end: str) -> str:
    """'3 months: February to April 2024', or 'April 2024' for one month."""
    months = len(periods.months_between(start, end))
    words = periods.months_in_words(start, end)
    return words if months == 1 else f"{months} months: {words}"


def month_words(month: str) -> str:
    return periods.month_in_words(month)


def type_name(slug: str) -> str:
    return CRIME_TYPES_BY_SLUG[slug].name if slug in CRIME_TYPES_BY_SLUG else slug


def monthly_text(months, values) -> str:
    """'Dec 2023: 3; Jan 2024: not loaded; ...': a place's months in words."""
    return "; ".join(f"{periods.month_in_words(m)}: {'not loaded' if pd.isna(v) else int(v)}"
                     for m, v in zip(months, values))


def ranked_places(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Every ranked place, with the statistics only (for totals and summaries)."""
    result = analysis(reader, filters)
    return result.places if result else empty_hotspots()


def places_data(reader: Reader, filters: Filters, rows: int | None = None) -> pd.DataFrame:
    """Ranked places with their officer columns, context, detail and analyst columns
    (``rows``: only the busiest so many, for a page or a pack that shows no more). The place
    rows every view shows: class, its words, why, counts for the period, tests, crime types
    and months (``detail_months`` names the months of ``monthly``)."""
    result = analysis(reader, filters)
    frame = result.places if result else empty_hotspots()
    if rows is not None:
        frame = frame.head(rows)
    frame = frame.assign(**(result.detail.columns(frame) if result else
                            {"by_type": [], "by_type_baseline": [], "monthly": []}))
    classed = bool(result and result.coverage.classed)
    months = result_months(reader, filters)
    smallest = smallest_total(period_share(months, frame["baseline_months_loaded"].max())) if len(frame) else 0
    frame = with_lsoa_context(named_near_streets(reader, filters, frame))
    if filters.level != LSOA:
        frame["rate_per_1000"] = pd.Series([pd.NA] * len(frame), dtype="Float64")  # a rate is for a whole LSOA
    change = frame["count"] - frame["expected"]
    out = _rounded(
        frame, rank=range(1, len(frame) + 1), class_name=class_names(frame["class"], classed),
        change=change, why=[why_listed(row, classed, months, smallest) for row in frame[WHY_INPUTS].to_dict("records")],
        by_type_text=[by_type_text(d) for d in frame["by_type"]],
        # With no baseline month loaded, "None" would claim a quiet baseline nobody has seen.
        by_type_baseline_text=[by_type_text(d) if based else NOT_LOADED
                               for d, based in zip(frame["by_type_baseline"], frame["baseline_months_loaded"])],
        monthly_text=[monthly_text(result.detail.months, v) for v in frame["monthly"]] if result else [],
        tests=[tests_text(row, classed) for row in frame[["class", "q_value", "p_value", "q_below", "p_below",
                                                          "rank_now", "busiest_now", "busiest_before"]]
               .to_dict("records")],
    )
    return out


def named_near_streets(reader: Reader, filters: Filters, frame: pd.DataFrame) -> pd.DataFrame:
    """police.uk names some map points only by a kind of place ("On or near Supermarket"),
    which says nothing of where: add the street of the nearest named map point, as the map
    does ("On or near Supermarket, near Cowley Road (Oxford 015B)")."""
    if filters.level != LOCATION or frame.empty:
        return frame
    generic = generic_mask(frame["street"])
    if not generic.any():
        return frame
    near = nearest_named(frame["longitude"][generic], frame["latitude"][generic],
                         reader.get(street_points, area_of(filters)))
    names = frame["place_name"].to_numpy(dtype=object).copy()
    names[generic] = [name if street is None else name.replace(" (", f", near {street} (", 1)
                      for name, street in zip(names[generic], near)]
    return frame.assign(place_name=names)


def detail_months(reader: Reader, filters: Filters) -> tuple[str, ...]:
    """The months of each place's ``monthly`` counts: the baseline's, then the period's."""
    result = analysis(reader, filters)
    return result.detail.months if result else ()


def tests_text(row: dict, classed: bool) -> str:
    """The tests a place's label rests on, in one line, with their p- and q-values."""
    if not classed:
        return "No test: too few months loaded."
    parts = []
    if pd.isna(row["p_value"]):
        parts.append("above usual: too few to test")
    else:
        parts.append(f"above usual: p = {row['p_value']:.4f}, q = {row['q_value']:.4f}")
    if not pd.isna(row["p_below"]):
        parts.append(f"below usual: p = {row['p_below']:.4f}, q = {row['q_below']:.4f}")
    busy = (f"busiest {BUSIEST}: {'yes' if row['busiest_now'] else 'no'} now (rank {row['rank_now']}), "
            f"{'yes' if row['busiest_before'] else 'no'} over the baseline")
    return "; ".join([*parts, busy])


def appendix_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The appendix's numbers as text, each column to one precision (p- and q-values to four
    places, "too few" outside a test's family; means to two), for the page and the pack."""
    def p_text(v):
        return "too few" if pd.isna(v) else ("<0.0001" if v < 0.0001 else f"{v:.4f}")

    def mean_text(v):
        return "–" if pd.isna(v) else f"{v:,.2f}"

    out = frame.copy()
    for column in ("p_value", "q_value", "p_below", "q_below"):
        out[column] = frame[column].map(p_text)
    for column in ("baseline_mean", "expected"):
        out[column] = frame[column].map(mean_text)
    for column in ("busiest_now", "busiest_before"):
        out[column] = frame[column].map({True: "yes", False: "no"})
    return out


def concentration_text(reader: Reader, filters: Filters) -> str:
    """Where most incidents are: the share of the area's incidents in its busiest places."""
    result = analysis(reader, filters)
    if result is None or result.places.empty or result.places["count"].sum() == 0:
        return ""
    room, share = concentration(result.places["count"], result.units)
    level = LEVEL_WORDS_PLURAL.get(filters.level, "places")
    with_any = int((result.places["count"] > 0).sum())
    if result.places["count"].max() <= 1:
        # One incident each: which of them are "the busiest" is arbitrary, and their share
        # would read as a concentration there is not.
        one = LEVEL_WORDS_SINGULAR.get(filters.level, "place")
        return (f"No {one} had more than one incident this period ({with_any:,} "
                f"{one if with_any == 1 else level} had one).")
    seen = "the area's LSOAs" if filters.level == LSOA else f"the {level} with an incident in these or the baseline months"
    return (f"The busiest {BUSIEST} of {level} ({room:,} of the {result.units:,}: {seen}) hold {share:.0%} of the "
            f"incidents; {with_any:,} had one or more this period.")


LEVEL_WORDS_PLURAL = {LOCATION: "places", LSOA: "LSOAs", "cell": "grid cells"}
LEVEL_WORDS_SINGULAR = {LOCATION: "place", LSOA: "LSOA", "cell": "grid cell"}


def family_text(reader: Reader, filters: Filters) -> str:
    """The test's rule and family, for the appendix: which places were tested and the smallest count that can speak."""
    result = analysis(reader, filters)
    if result is None or not result.coverage.classed:
        return ""
    months = result_months(reader, filters)
    loaded = len(result.coverage.loaded)
    share = period_share(months, loaded)
    tested = int(result.places["p_value"].notna().sum())
    below = int(result.places["p_below"].notna().sum())
    return (f"Above or below its usual level: the period's count k against the baseline's count B over {loaded} "
            f"loaded months; with no change, k given k + B is binomial with p = {months}/({months} + {loaded}) = "
            f"{share:.3f} (exact conditional test, one-sided). The test can reach p < {SIGNIFICANCE:.0%} only when "
            f"k + B is at least {smallest_total(share)} (above) or {smallest_total(1 - share)} (below): smaller "
            f"places are too few to class. q: Benjamini-Hochberg over the {tested:,} places tested above and the "
            f"{below:,} tested below. Busiest {BUSIEST}: rank by count among the {result.units:,} "
            f"{LEVEL_WORDS_PLURAL.get(filters.level, 'places')} seen in the analysed months"
            + (" (the area's LSOAs today)" if filters.level == LSOA else "") + ", ties kept only when they all fit.")


def result_months(reader: Reader, filters: Filters) -> int:
    start, end = recent_period(reader, filters)
    return 1 if end is None else len(periods.months_between(start, end))


def cells_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    result = analysis(reader, filters)
    return result.cells if result else empty_cells()


def cells_table(reader: Reader, filters: Filters) -> pd.DataFrame:
    frame = cells_data(reader, filters)
    frame = frame[(frame["count"] > 0) | (frame["cluster"] != "")].sort_values(["count", "z"], ascending=False)
    return _rounded(frame, cluster_name=frame["cluster"].map(
        {"hot": "In a hot cluster", "cold": "In a cold cluster", "": ""}))


def class_names(classes: pd.Series, classed: bool) -> pd.Series:
    """Each place's class in words ("Not classed" when too few months are loaded to class any)."""
    return classes.map(CLASS_TEXT).replace("", NOT_CLASSED)


def repeats_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    result = analysis(reader, filters)
    frame = result.repeats if result else repeats_of(empty_hotspots())
    frame = frame.assign(class_name=class_names(frame["class"], bool(result and result.coverage.classed)))
    if result is not None and not result.coverage.loaded:
        # No baseline month loaded: 0 would read as a point quiet before, which nobody has seen.
        frame["baseline_months_active"] = pd.Series([pd.NA] * len(frame), dtype="Int64")
    return frame


def repeats_note(reader: Reader, filters: Filters) -> str:
    """What the repeat table's baseline column counts: months out of those loaded, not out of
    the baseline chosen ("4" of 4 loaded is every month, not a third of 12)."""
    result = analysis(reader, filters)
    if result is None:
        return "Incidents in the period, and in how many baseline months the point also had incidents."
    loaded, total = len(result.coverage.loaded), len(result.coverage.baseline)
    if loaded == 0:
        return (f"Incidents in the period; none of the {total} baseline months is loaded, so the months before are "
                "not known.")
    of = f"the {total}" if loaded == total else f"the {loaded} loaded (of {total})"
    return f"Incidents in the period, and in how many of {of} baseline months the point also had incidents."


def changes_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Places whose count changed significantly since the period before, largest first."""
    result = analysis(reader, filters)
    frame = result.changes if result else pd.DataFrame({c: pd.Series(dtype=t) for c, t in CHANGE_SCHEMA.items()})
    meaning = [f"Up: significantly more a month than the period before ({q_text(q)})" if c > 0 else
               f"Down: significantly fewer a month than the period before ({q_text(q)})"
               for c, q in zip(frame["change"], frame["q_value"])]
    return _rounded(frame, meaning=meaning)


def changes_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """``changes_data`` as the page and the pack show it: every rate per month to two
    decimals, so a column never mixes "21" with "2.50", and the change signed ("+18.50")."""
    return frame.assign(
        per_month_now=frame["per_month_now"].map(lambda v: f"{v:,.2f}"),
        per_month_before=frame["per_month_before"].map(lambda v: f"{v:,.2f}"),
        change=frame["change"].map(lambda v: f"{v:+,.2f}"))


def changes_note(reader: Reader, filters: Filters) -> str:
    """Which months "what changed" compares, in words (the same on the page and in the pack)."""
    result = analysis(reader, filters)
    if result is None:
        return ""
    if not result.window.comparable:
        return "Compared: " + result.window.note()
    return ("Compared: " + result.window.note() + " Only places whose monthly rate changed significantly (exact "
            "conditional test, two-sided, 5% false discovery rate over the places with an incident in either "
            "period), largest change first.")


CHANGES_UNTESTED = "No place is listed: no change could be tested."


def changes_empty_text(reader: Reader, filters: Filters, tested_none: str) -> str:
    """What an empty "what changed" table says: ``tested_none`` when the test found no change,
    else that there was no test (with the months compared not loaded, "none" would be a finding
    never made)."""
    result = analysis(reader, filters)
    return tested_none if result is not None and result.window.comparable else CHANGES_UNTESTED


ROUNDING = {"baseline_mean": 2, "expected": 2, "ratio": 2, "change": 2, "p_value": 4, "q_value": 4, "p_below": 4,
            "q_below": 4, "z": 2, "longitude": 6, "latitude": 6, "per_month_now": 2, "per_month_before": 2}


def _rounded(frame: pd.DataFrame, **added) -> pd.DataFrame:
    """``frame`` with the ``added`` columns, every statistic rounded as the tables show it.
    Made as one new frame: replacing a dozen columns one by one cost a tenth of the hotspot
    page's time."""
    columns = {**{c: frame[c] for c in frame.columns}, **added}
    return pd.DataFrame({c: _rounded_column(values, ROUNDING[c], frame.index) if c in ROUNDING else values
                         for c, values in columns.items()}, index=frame.index)


def _rounded_column(values, decimals: int, index: pd.Index) -> np.ndarray:
    """A column as rounded floats (NaN where missing): numpy's rounding, as pandas' own, on the
    column's array rather than on a converted copy of the column."""
    column = values if isinstance(values, pd.Series) else pd.Series(values, index=index)
    return np.round(column.to_numpy(dtype="float64", na_value=np.nan), decimals)


OFFICER_COLUMNS = (
    ("rank", "Rank"), ("place_name", "Place"), ("street", "Street (police.uk map point)"),
    ("count", "Incidents in the period"), ("expected", "Usual for the period"), ("change", "Change on usual"),
    ("class_name", "What it means"), ("why", "Why it is listed"), ("by_type_text", "By crime type (period)"),
)
CONTEXT_COLUMNS = (("imd2019_decile", "Deprivation decile (1 = most deprived)"), ("population", "LSOA population"),
                   ("rate_per_1000", "Incidents in the period per 1,000 residents"))
APPENDIX_COLUMNS = (
    ("place_code", "Code"), ("count", "Incidents in the period"), ("baseline_count", "Baseline incidents"),
    ("baseline_months_loaded", "Baseline months loaded"), ("baseline_mean", "Usual per month (baseline)"),
    ("expected", "Usual for the period"), ("rank_now", "Rank this period"),
    ("busiest_now", f"Busiest {BUSIEST} now"), ("busiest_before", f"Busiest {BUSIEST} in baseline"),
    ("p_value", "p (above usual)"), ("q_value", "q (above usual, BH)"),
    ("p_below", "p (below usual)"), ("q_below", "q (below usual, BH)"), ("class_name", "What it means"),
    ("tests", "Tests behind the words"),
)
DETAIL_COLUMNS = (("by_type_baseline_text", "By crime type (baseline)"), ("monthly_text", "Month by month"))
_SHOWN = {key for key, _ in OFFICER_COLUMNS}
PLACES = ChartSpec("hotspot-places", places_data, OFFICER_COLUMNS + CONTEXT_COLUMNS + LOCATION_KEYS
                   + tuple(c for c in APPENDIX_COLUMNS if c[0] not in _SHOWN) + DETAIL_COLUMNS)
CELLS = ChartSpec("hotspot-cells", cells_table, (
    ("cell_id", "Cell"), ("places", "Busiest map points"), ("count", "Incidents"), ("cluster_name", "Cluster"),
    ("longitude", "Longitude"), ("latitude", "Latitude"), ("z", "Gi* z-score"), ("q_value", "q-value (FDR)")))
REPEATS = ChartSpec("hotspot-repeats", repeats_data, (
    ("place_name", "Map point (not an address)"), ("count", "Incidents in the period"),
    ("baseline_months_active", "Baseline months with incidents"), ("class_name", "What it means"),
    *LOCATION_KEYS))
CHANGES = ChartSpec("hotspot-changes", changes_data, (
    ("place_name", "Place"), ("street", "Street (police.uk map point)"), ("per_month_now", "Now, per month"),
    ("per_month_before", "Before, per month"), ("change", "Change per month"), ("meaning", "What it means"),
    ("count_now", "Incidents now (loaded months)"), ("count_before", "Incidents before (loaded months)"),
    *LOCATION_KEYS, ("p_value", "p (exact test)"), ("q_value", "q (FDR)")))
CHARTS = (PLACES, CELLS, REPEATS, CHANGES)
BUSIEST_STREET = "Busiest street (police.uk map point)"


def columns_for_level(columns, level: str) -> list[tuple[str, str]]:
    """A table's columns as shown at a level. A street location's name already names its
    map point, so the street column would repeat it; for an LSOA or a grid cell it names the
    busiest map point inside. A rate per resident is only for a whole LSOA (places_data
    leaves it empty at the other levels), so only an LSOA table shows it."""
    hidden = {"street"} if level == LOCATION else set()
    if level != LSOA:
        hidden.add("rate_per_1000")
    return [(key, BUSIEST_STREET if key == "street" else label) for key, label in columns if key not in hidden]


def crime_words(filters: Filters, sources: tuple[str, ...] | None = None) -> str:
    """What is counted: the crime types (police.uk), and any partner sources counted with them."""
    if sources is None:
        return (", ".join(CRIME_TYPES_BY_SLUG[c].name for c in filters.crime_types) if filters.crime_types
                else "All crime (not ASB)")
    types = police_types(sources, filters.crime_types or None)
    police = []
    if types:
        police = [", ".join(CRIME_TYPES_BY_SLUG[c].name for c in types) if len(types) < len(ALL_CRIME)
                  else "All police-recorded crime (not ASB)"]
    return "; ".join([*police, *(SOURCES_BY_SLUG[s].title for s in sources if s not in POLICE_SOURCES)])


def describe(filters: Filters, start: str, end: str, sources: tuple[str, ...] | None = None) -> str:
    return f"{crime_words(filters, sources)} in {AREAS_BY_CODE[area_of(filters)].name}, {month_span(start, end)}"


def summary_text(places: pd.DataFrame, cells: pd.DataFrame, description: str, classed: bool = True,
                 concentrated: str = "", level: str = LOCATION) -> str:
    """What officers ask first: where most incidents are, then what is new or worse. With too
    few months loaded to class places, it says so rather than count no new or emerging ones
    (the months missing are named beside it, on the page and in the pack)."""
    counts = places["class"].value_counts()
    with_incidents = places[places["count"] > 0]
    parts = [f"{description}: {int(places['count'].sum()):,} incidents at {len(with_incidents):,} "
             f"{LEVEL_WORDS_PLURAL.get(level, 'places')}."]
    if concentrated:
        parts.append(concentrated)
    if not classed:
        parts.append("No place is classed as new, emerging, persistent or fading: too few months are loaded "
                     "for that (see the months missing).")
    else:
        new, emerging = int(counts.get(NEW, 0)), int(counts.get(EMERGING, 0))
        parts.append(f"New or worse: {new} new and {emerging} emerging hotspot{'s' if emerging != 1 else ''} "
                     "(significantly above the usual level, 5% false discovery rate).")
        parts.append(f"{int(counts.get(PERSISTENT, 0))} persistent (among the busiest {BUSIEST} now and over the "
                     f"baseline, no significant change), {int(counts.get(FADING, 0))} fading.")
    parts.append(f"{int((cells['cluster'] == 'hot').sum())} grid cells lie in significant hot clusters (Gi*).")
    return " ".join(parts)

