"""Pieces every page's charts share: captions, notes, the plotted measure and the police.uk trend."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from dashboard.chart_data.filters import GRAIN_WORDS, RATE, Filters
from dashboard.chart_data.spec import ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import trend_figure
from dashboard.charts.formatting import list_names, month_label, period_label
from dashboard.charts.summaries import band_for, trend_summary
from queries import partnership, periods
from queries.counts import latest_month, loaded_months, monthly_counts, months_by, recorded_total
from queries.like_for_like import DISPERSION_MONTHS, series_dispersion
from queries.periods import MONTH
from queries.reference import AREAS_BY_CODE, FORCE
from queries.variation import RULE_IN_WORDS

POLICE_UK = "data.police.uk street-level crime and anti-social behaviour"
ONS_POPULATION = "ONS mid-year population estimates"
CHOOSE_AN_AREA = "Choose at least one area in the filters."


@dataclass(frozen=True)
class Measure:
    """What a chart plots: its column, the axis title and the words for it in a title."""

    column: str
    axis_title: str
    words: str

    @property
    def is_rate(self) -> bool:
        return self.column == "rate_per_1000"


def police_measure(filters: Filters) -> Measure:
    """Police.uk counts are always counts: a rate when asked for, else the count."""
    if filters.measure == RATE:
        return Measure("rate_per_1000", "Rate per 1,000 residents", "rate per 1,000 residents")
    return Measure("count", "Count", "count")


def series_measure(filters: Filters, frame: pd.DataFrame, count_title: str,
                   rate_title: str = "Rate per 1,000 residents") -> Measure:
    """A series is plotted as a rate only when asked for and every value is a count."""
    if filters.measure == RATE and not frame.empty and (frame["unit"] == "count").all():
        return Measure("rate_per_1000", rate_title, "rate per 1,000 residents")
    return Measure("value", count_title, "count")


def requested_measure_words(filters: Filters) -> str:
    """The words for the measure asked for, for titles of charts not yet drawn."""
    return "rate per 1,000 residents" if filters.measure == RATE else "count"


def latest(reader: Reader) -> str | None:
    """The latest month loaded for the partnership's home force (another force loaded further
    on does not move the partnership's default period past its own data)."""
    return reader.get(latest_month, partnership.current().force_code)


def partnership_months(reader: Reader) -> list[str]:
    """The months loaded for any of the partnership's forces (each area's own force's months
    decide which of them it has figures for)."""
    return sorted({m for force in partnership.current().forces for m in reader.get(loaded_months, force)})


def police_caption(latest_loaded: str | None, extra: str = "") -> str:
    latest_text = month_label(latest_loaded) if latest_loaded else "none"
    return f"Source: {POLICE_UK}; {ONS_POPULATION}. Latest month loaded: {latest_text}.{(' ' + extra) if extra else ''}"


def published_caption(frame: pd.DataFrame) -> str:
    sources = sorted({f"{s}, {t}" if t else s for s, t in zip(frame["source"], frame["source_table"])})
    return "Source: " + "; ".join(sources) + "."


def missing_areas_notes(frame: pd.DataFrame, requested: tuple[str, ...] | None = None,
                        what: str = "this series") -> tuple[Note, ...]:
    """A note naming the chosen areas a series does not cover."""
    if not requested or frame.empty:
        return ()
    missing = [AREAS_BY_CODE[a].name for a in requested if a not in set(frame["area_code"])]
    return (Note(f"No figures for {list_names(missing)} in {what}."),) if missing else ()


def on_calendar(frame: pd.DataFrame, grain: str, loaded: list[str], start: str | None, end: str | None) -> pd.DataFrame:
    """Every calendar period from the first to the last loaded month in the range, for each
    area: a period not wholly loaded is a gap (no count, no rate, and "2 of 3 months loaded"),
    never a point summed from part of its months, and no period is skipped, so January to
    March 2024 never sits beside January to March 2025 as if they were consecutive."""
    frame = frame.copy()
    in_range = [m for m in loaded if (start is None or m >= start) and (end is None or m <= end)]
    if frame.empty or not in_range:
        frame["period_label"] = pd.Series(dtype="str")
        frame["coverage"] = pd.Series(dtype="str")
        return frame
    loaded_set = set(loaded)
    first = frame["period"].min() if grain == periods.ROLLING_12 else in_range[0]
    axis = periods.calendar_periods(first, in_range[-1], grain)
    # Each period's months, coverage and label are the same for every area: worked out once.
    spans = [periods.period_months(period, grain) for period in axis]
    loaded_counts = [sum(m in loaded_set for m in months) for months in spans]
    coverage = [((f"{n} of {len(months)} months" if n else "not loaded") if len(months) > 1 else
                 ("loaded" if n else "not loaded")) for months, n in zip(spans, loaded_counts)]
    labels = [period_label(p) for p in axis]
    # Built column by column from the frame's own values (a frame of records per area cost
    # more than the rest of the trend): each area's row for a period is its last whole one.
    columns = list(frame.columns)
    values = {c: frame[c].tolist() for c in columns}
    row_of = {(code, period): i for i, (code, period, whole) in
              enumerate(zip(values["area_code"], values["period"], values["complete"])) if whole}
    names = dict(zip(reversed(values["area_code"]), reversed(values["area_name"])))  # each area's first name
    areas = list(dict.fromkeys(values["area_code"]))
    taken = [row_of.get((code, period), -1) for code in areas for period in axis]
    code_of_row = [code for code in areas for _ in axis]
    span_of_row = list(range(len(axis))) * len(areas)
    missing = {"period": [axis[j] for j in span_of_row], "first_month": [spans[j][0] for j in span_of_row],
               "last_month": [spans[j][-1] for j in span_of_row], "area_code": code_of_row,
               "area_name": [names[c] for c in code_of_row], "months": [loaded_counts[j] for j in span_of_row],
               "period_months": [len(spans[j]) for j in span_of_row], "complete": False, "is_synthetic": False}
    built = {}
    for column in columns:
        found, fill = values[column], missing.get(column)
        if isinstance(fill, list):
            built[column] = [found[i] if i >= 0 else fill[k] for k, i in enumerate(taken)]
        else:  # a value not known for a period without a whole figure: none
            built[column] = [found[i] if i >= 0 else fill for i in taken]
    result = pd.DataFrame(built)
    result["coverage"] = pd.Series([coverage[j] for j in span_of_row], dtype="str")
    for column in ("count", "population", "population_year"):
        result[column] = pd.array(result[column], dtype="Int64")
    result["rate_per_1000"] = pd.array(result["rate_per_1000"], dtype="Float64")
    result["months"] = result["months"].astype("int64")
    result["complete"] = result["complete"].astype(bool)
    result["is_synthetic"] = result["is_synthetic"].astype(bool)
    result["period_label"] = pd.Series([labels[j] for j in span_of_row], dtype="str")
    return result


def gap_words(frame: pd.DataFrame, grain: str, loaded: list[str]) -> str:
    """The months not loaded inside a trend's span, in words, and what that does to its
    periods: "July 2025 and February to May 2024 not loaded." (empty when none are missing)."""
    if frame.empty:
        return ""
    # Between the first and the last loaded month of the span: months after the latest
    # loaded one are not yet published, not holes.
    first = frame["first_month"].min() if grain == periods.ROLLING_12 else periods.period_months(frame["period"].iloc[0], grain)[0]
    last = frame["last_month"].max()
    inside = [m for m in loaded if first <= m <= last]
    if not inside:
        return ""
    first, last = (first if grain == periods.ROLLING_12 else inside[0]), inside[-1]
    missing = periods.missing_months(first, last, loaded)
    if not missing:
        return ""
    text = f"{periods.months_list_in_words(missing)} not loaded"
    if grain == periods.MONTH:
        return text + ": the line breaks there."
    if grain == periods.ROLLING_12:
        return text + ": there is no 12-month figure for a window holding them, and the line breaks there."
    return text + ": a period missing any of its months is a gap, not a partial total."


def monthly_dispersions(reader: Reader, areas: tuple[str, ...], crime_types, end: str | None) -> dict:
    """Each area's dispersion (phi, degrees of freedom) from its monthly counts over the 36
    months to ``end``, for tests of change that allow for overdispersion."""
    if not areas or end is None:
        return {}
    start = periods.add_months(end, -(DISPERSION_MONTHS - 1))
    monthly = reader.get(monthly_counts, tuple(areas), crime_types, start, end, False, True)
    by_area = months_by(monthly, "area_code")
    return {code: series_dispersion(by_area[code]) if code in by_area else None for code in areas}


def police_trend_view(spec: ChartSpec, trend: pd.DataFrame, filters: Filters, subject: str, what: str,
                      latest_loaded: str | None, crime_types=None, loaded: list[str] | None = None,
                      dispersions: dict | None = None, reader: Reader | None = None) -> ChartView:
    """The trend of police.uk counts or rates for the chosen areas and grain, or why not. The
    summary names the months not loaded; ``dispersions`` make its tests quasi-Poisson."""
    measure = police_measure(filters)
    title = f"{subject} by {GRAIN_WORDS[filters.grain]}: {measure.words}"
    if not filters.areas:
        return ChartView.nothing_to_draw(spec, title, CHOOSE_AN_AREA)
    if trend.empty or trend[measure.column].isna().all():
        return ChartView.nothing_to_draw(spec, title, nothing_whole_words(filters, latest_loaded, loaded or []))
    shown = list(dict.fromkeys(trend["area_name"]))
    body = trend_summary(trend, measure.column, what, dispersions)
    gaps = gap_words(trend, filters.grain, loaded or [])
    summary = body + (f" {gaps}" if gaps else "") + f" Areas shown, in the order chosen: {list_names(shown)}."
    extra = ("A quarter or year is drawn only when all its months are loaded; one with months missing is a gap."
             if filters.grain not in (MONTH, periods.ROLLING_12) else "")
    if filters.grain == MONTH and not measure.is_rate and not band_for(trend[trend["area_code"] == trend["area_code"].iloc[0]]).empty:
        extra += f" Shaded for {shown[0]}: {RULE_IN_WORDS}; triangles mark months outside it."
    start, end = filters.period(latest_loaded)
    extra += " " + unlocated_note(reader, filters.areas, crime_types, start, end) if reader is not None else ""
    return ChartView(spec, title, trend, trend_figure(trend, measure.column, filters.grain), summary,
                     police_caption(latest_loaded, extra.strip()))


# A quarter, year or 12-month window is drawn only when all its months are loaded.
PERIOD_WORDS = {periods.QUARTER: "quarter", periods.FINANCIAL_YEAR: "financial year",
                periods.CALENDAR_YEAR: "calendar year", periods.ROLLING_12: "12-month window"}


def nothing_whole_words(filters: Filters, latest_loaded: str | None, loaded: list[str]) -> str:
    """Why a trend has nothing to draw: no month loaded, or months loaded but no whole
    quarter or year among them (saying "no data" then would deny the months that are)."""
    start, end = filters.period(latest_loaded)
    inside = [m for m in loaded if start <= m <= end] if end else []
    if not inside or filters.grain not in PERIOD_WORDS:
        return "No police.uk data is loaded for this period."
    total = len(periods.months_between(start, end))
    return (f"No {PERIOD_WORDS[filters.grain]} from {periods.month_in_words(start)} to {periods.month_in_words(end)} "
            f"has all its months loaded ({len(inside)} of these {total} months are), so none is drawn: a period "
            "missing any of its months is a gap, not a partial total. Show by month to see the months loaded.")


def unlocated_note(reader: Reader, areas, crime_types, start: str | None, end: str | None) -> str:
    """For a force among the areas: how many of its incidents over the months shown have no
    location and are left out, so that it is counted the way its districts are."""
    forces = [a for a in areas if AREAS_BY_CODE[a].level == FORCE]
    if not forces or end is None:
        return ""
    parts = []
    for code in forces:
        # The located counts are the trend's own (read once per request, ``shared_reads``);
        # the force's whole total is one number, not a frame of months.
        total = reader.get(recorded_total, code, crime_types, start, end)
        kept = int(reader.get(monthly_counts, (code,), crime_types, start, end, False, True)["count"].sum())
        if total > kept:
            parts.append(f"{AREAS_BY_CODE[code].name} counts only incidents with a location, as its districts do: "
                         f"{total - kept:,} of its {total:,} incidents in these months ({(total - kept) / total:.1%}) have "
                         "no location and are left out.")
    return " ".join(parts)


STALE_AFTER_MONTHS = 12


def dated(view: ChartView, reader: Reader, column: str = "period") -> ChartView:
    """The view with its summary opening on the latest period its figures cover and, when
    that ends more than a year before the latest police.uk month, their age in the title
    and the summary: published tables of 2021 are not this year's picture."""
    frame = view.frame
    if view is None or view.message is not None or frame.empty or column not in frame.columns:
        return view
    parsed = [periods.parse_period(str(p)) for p in frame[column].dropna().unique()]
    parsed = [p for p in parsed if p]
    if not parsed:
        return view
    end = max(p[2] for p in parsed)
    last_period = next(str(p) for p in frame[column].dropna().unique() if (periods.parse_period(str(p)) or "  ")[2] == end)
    text = f"Latest figures: {period_label(last_period)}."
    title = view.title
    police = latest(reader)
    if police and periods.month_index(police) - periods.month_index(end) > STALE_AFTER_MONTHS:
        # Years and months: 28 months is not "2 years".
        years, months = divmod(periods.month_index(police) - periods.month_index(end), 12)
        age = f"{years} year{'s' if years != 1 else ''}" + (f" {months} month{'s' if months != 1 else ''}" if months else "")
        text = (f"These figures end in {periods.month_in_words(end)}, {age} "
                f"before the latest police.uk month ({periods.month_in_words(police)}).")
        if period_label(last_period) not in title:
            title = f"{title} (figures end {period_label(last_period)})"
    elif period_label(last_period) in view.summary:
        return view  # the summary already names its latest period
    return replace(view, title=title, summary=f"{text} {view.summary}".strip())
