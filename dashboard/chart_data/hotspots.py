"""Hotspots: the ranked places, changes, map points and grid cells behind the hotspot page,
its CSVs, the hotspot API's wording and the tasking pack, in the words an officer uses.

Officers' tables say place, street, count, usual monthly level, change and what it means,
with one line per place on why it is listed; the statistics (expected counts, p- and
q-values, Gi* z-scores) sit in an analyst appendix. Every CSV has coordinates, LSOA codes
and names.
"""

from __future__ import annotations

import pandas as pd

from queries import periods
from queries.counts import latest_month
from queries.geography import with_lsoa_context
from queries.hotspot_tests import FADING_SHARE, PERSISTENT_SHARE
from queries.hotspots import (
    CELL_SCHEMA,
    CHANGE_SCHEMA,
    EMERGING,
    FADING,
    HOTSPOT_SCHEMA,
    LOCATION,
    LSOA,
    NEW,
    PERSISTENT,
    HotspotAnalysis,
    boundaries,
    hotspot_analysis,
    repeats_of,
)
from queries.periods import add_months, month_index
from queries.reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG, DISTRICT, OXFORD

from ..filters import Filters
from ..formatting import month_span
from ..maps import hotspot_map
from .spec import ChartSpec, Reader

DEFAULTS = Filters(areas=(OXFORD,))
CLASS_TEXT = {NEW: "New hotspot", EMERGING: "Emerging hotspot", PERSISTENT: "Persistent hotspot", FADING: "Fading",
              "": ""}
# What an unclassed row's "What it means" says: a blank cell reads as missing data.
NOT_A_HOTSPOT, NOT_CLASSED = "Not a hotspot", "Not classed"
CLASS_MEANING = {
    NEW: "Significantly busy this period and never in the baseline months: a new problem to look at.",
    EMERGING: "Significantly busy now, only now and then before, and well above its usual level: getting worse.",
    PERSISTENT: f"Significantly busy now and in at least {PERSISTENT_SHARE:.0%} of the baseline months, at or above "
                "its usual level: a long-standing problem.",
    FADING: f"Significantly busy in at least {FADING_SHARE:.0%} of the baseline months and now well below its usual "
            "level: what worked there may be worth keeping.",
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
    return filters.areas[0] if filters.areas else OXFORD


def requested_period(reader: Reader, filters: Filters) -> tuple[str | None, str | None]:
    end = filters.end or reader.get(latest_month)
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
                      baseline_of(reader, filters), filters.level)


def coverage_note(reader: Reader, filters: Filters) -> str:
    result = analysis(reader, filters)
    return result.coverage.note() if result else ""


WHY_INPUTS = ["count", "expected", "baseline_mean", "baseline_months_loaded", "high_months", "class", "high_now"]


def why_listed(row: dict, classed: bool, months: int) -> str:
    """One line per place on why it is in the table (``row``: a place as a dict)."""
    count, usual, mean = row["count"], row["expected"], row["baseline_mean"]
    usual_text = f"usually {mean:.1f} a month" if pd.notna(usual) else "no usual level"
    period = "this month" if months == 1 else f"these {months} months"
    if not classed:
        return f"{count} {period} ({usual_text}); not classed, as too few months are loaded."
    loaded = row["baseline_months_loaded"]
    share = f"{row['high_months']} of {loaded} baseline months"
    kind = row["class"]
    if kind == NEW:
        return f"{count} {period}, significantly busy; busy in none of the {loaded} baseline months."
    if kind == EMERGING:
        return f"{count} {period} against {usual:.1f} usual: a significant rise; busy in {share}."
    if kind == PERSISTENT:
        return f"Significantly busy in {share} and again now ({count}, {usual_text})."
    if kind == FADING:
        return f"{count} {period} against {usual:.1f} usual: significantly fewer; busy in {share}."
    if row["high_now"] and count < usual:
        return f"Busy ({count}) but below its usual level ({usual:.1f}): not a hotspot."
    if row["high_now"]:
        return f"Among the busiest places ({count}, {usual_text}); not a significant change."
    return f"{count} {period}, {usual_text}: within normal variation."


def ranked_places(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Every ranked place, with the statistics only (for totals and summaries)."""
    result = analysis(reader, filters)
    return result.places if result else empty_hotspots()


def places_data(reader: Reader, filters: Filters, rows: int | None = None) -> pd.DataFrame:
    """Ranked places with their officer columns, context and analyst columns (``rows``: only
    the busiest so many, for a page or a pack that shows no more)."""
    result = analysis(reader, filters)
    frame = result.places if result else empty_hotspots()
    if rows is not None:
        frame = frame.head(rows)
    classed = bool(result and result.coverage.classed)
    months = result_months(reader, filters)
    frame = with_lsoa_context(frame)
    if filters.level != LSOA:
        frame["rate_per_1000"] = pd.Series([pd.NA] * len(frame), dtype="Float64")  # a rate is for a whole LSOA
    change = frame["count"] - frame["expected"]
    return _rounded(frame.assign(
        rank=range(1, len(frame) + 1), class_name=class_names(frame["class"], classed),
        change=change, why=[why_listed(row, classed, months) for row in frame[WHY_INPUTS].to_dict("records")],
    ))


def result_months(reader: Reader, filters: Filters) -> int:
    start, end = recent_period(reader, filters)
    return 1 if end is None else len(periods.months_between(start, end))


def cells_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    result = analysis(reader, filters)
    return result.cells if result else empty_cells()


def cells_table(reader: Reader, filters: Filters) -> pd.DataFrame:
    frame = cells_data(reader, filters)
    frame = frame[(frame["count"] > 0) | (frame["cluster"] != "")].sort_values(["count", "z"], ascending=False)
    return _rounded(frame.assign(cluster_name=frame["cluster"].map(
        {"hot": "In a hot cluster", "cold": "In a cold cluster", "": ""})))


def class_names(classes: pd.Series, classed: bool) -> pd.Series:
    """Each place's class in words; a place in no class is not a hotspot, or, when too few
    months are loaded to class any place, not classed."""
    return classes.map(CLASS_TEXT).replace("", NOT_A_HOTSPOT if classed else NOT_CLASSED)


def repeats_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    result = analysis(reader, filters)
    frame = result.repeats if result else repeats_of(empty_hotspots())
    return frame.assign(class_name=class_names(frame["class"], bool(result and result.coverage.classed)))


def changes_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Places whose count changed significantly since the period before, largest first."""
    result = analysis(reader, filters)
    frame = result.changes if result else pd.DataFrame({c: pd.Series(dtype=t) for c, t in CHANGE_SCHEMA.items()})
    meaning = ["Up: significantly more than the period before" if c > 0 else
               "Down: significantly fewer than the period before" for c in frame["change"]]
    return _rounded(frame.assign(meaning=meaning))


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column, places in (("baseline_mean", 2), ("expected", 2), ("ratio", 2), ("change", 1), ("p_value", 4),
                           ("q_value", 4), ("q_below", 4), ("z", 2), ("longitude", 6), ("latitude", 6)):
        if column in frame:
            frame[column] = frame[column].astype("float64").round(places)
    return frame


OFFICER_COLUMNS = (
    ("rank", "Rank"), ("place_name", "Place"), ("street", "Street (police.uk map point)"), ("count", "Incidents"),
    ("baseline_mean", "Usual per month"), ("change", "Change on usual"), ("class_name", "What it means"),
    ("why", "Why it is listed"),
)
CONTEXT_COLUMNS = (("imd2019_decile", "Deprivation decile (1 = most deprived)"), ("population", "LSOA population"),
                   ("rate_per_1000", "Incidents per 1,000 residents"))
APPENDIX_COLUMNS = (
    ("place_code", "Code"), ("expected", "Expected this period"), ("ratio", "Ratio to expected"),
    ("baseline_months_loaded", "Baseline months loaded"), ("high_months", "Busy baseline months"),
    ("high_now", "Busy this period"), ("p_value", "p (above usual)"), ("q_value", "q (above usual, FDR)"),
    ("q_below", "q (below usual, FDR)"),
)
PLACES = ChartSpec("hotspot-places", places_data, OFFICER_COLUMNS + CONTEXT_COLUMNS + LOCATION_KEYS + APPENDIX_COLUMNS)
CELLS = ChartSpec("hotspot-cells", cells_table, (
    ("cell_id", "Cell"), ("places", "Busiest map points"), ("count", "Incidents"), ("cluster_name", "Cluster"),
    ("longitude", "Longitude"), ("latitude", "Latitude"), ("z", "Gi* z-score"), ("q_value", "q-value (FDR)")))
REPEATS = ChartSpec("hotspot-repeats", repeats_data, (
    ("place_name", "Map point (not an address)"), ("count", "Incidents in the period"),
    ("baseline_months_active", "Baseline months with incidents"), ("class_name", "What it means"),
    *LOCATION_KEYS))
CHANGES = ChartSpec("hotspot-changes", changes_data, (
    ("place_name", "Place"), ("street", "Street (police.uk map point)"), ("count_now", "This period"),
    ("count_before", "Period before"), ("change", "Change"), ("meaning", "What it means"), *LOCATION_KEYS,
    ("p_value", "p (exact test)"), ("q_value", "q (FDR)")))
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


def crime_words(filters: Filters) -> str:
    return (", ".join(CRIME_TYPES_BY_SLUG[c].name for c in filters.crime_types) if filters.crime_types
            else "All crime (not ASB)")


def describe(filters: Filters, start: str, end: str) -> str:
    return f"{crime_words(filters)} in {AREAS_BY_CODE[area_of(filters)].name}, {month_span(start, end)}"


def summary_text(places: pd.DataFrame, cells: pd.DataFrame, description: str, note: str = "") -> str:
    counts = places["class"].value_counts()
    with_incidents = places[places["count"] > 0]
    parts = [f"{description}: {int(places['count'].sum()):,} incidents at {len(with_incidents):,} places."]
    if note:
        parts.append(note)
    else:
        classes = [f"{int(counts.get(c, 0))} {CLASS_TEXT[c].lower()}" for c in (NEW, EMERGING, PERSISTENT, FADING)]
        parts.append("Classed: " + ", ".join(classes) + ".")
    parts.append(f"{int((cells['cluster'] == 'hot').sum())} grid cells lie in significant hot clusters (Gi*).")
    return " ".join(parts)


def area_boundaries(reader: Reader, filters: Filters) -> pd.DataFrame:
    """District boundaries, and LSOA boundaries when the area is one district (for a county
    or the force they would be too dense to read, and heavy to send)."""
    shapes = reader.get(boundaries, area_of(filters))
    if AREAS_BY_CODE[area_of(filters)].level != DISTRICT:
        shapes = shapes[shapes["level"] == DISTRICT]
    return shapes


def map_figure(reader: Reader, filters: Filters, basemap: dict | None, places: pd.DataFrame | None = None) -> dict:
    """``places``: the ranked places with ranks and streets, when the caller has them already."""
    places = places_data(reader, filters, rows=10) if places is None else places
    return hotspot_map(cells_data(reader, filters), area_boundaries(reader, filters), basemap,
                       labelled_places(places, with_town=spans_districts(filters)))


def spans_districts(filters: Filters) -> bool:
    return AREAS_BY_CODE[area_of(filters)].level != DISTRICT


def labelled_places(places: pd.DataFrame, top: int = 10, with_town: bool = False) -> pd.DataFrame:
    """The busiest places' streets, to label on the map (police.uk's 'On or near ...'), with
    the district they lie in when the map spans several ('Supermarket, Milton Keynes': a
    street name alone could be anywhere in the county)."""
    shown = places[places["count"] > 0].head(top)
    text = shown["street"].str.removeprefix("On or near ")
    if with_town:
        # An LSOA is named after its district, then a code: "Milton Keynes 012A".
        text = text + ", " + shown["lsoa_name"].str.replace(r" [0-9]{3}[A-Z]$", "", regex=True)
    return pd.DataFrame({"longitude": shown["longitude"], "latitude": shown["latitude"], "text": text,
                         "rank": shown["rank"]})
