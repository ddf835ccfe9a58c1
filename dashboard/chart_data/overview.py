"""Overview: the latest 12 months against the 12 before, in each chosen area."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.chart_data.common import (
    gap_words,
    latest,
    monthly_dispersions,
    on_calendar,
    partnership_months,
    police_caption,
    police_measure,
    unlocated_note,
)
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.series import in_area_order
from dashboard.chart_data.spec import ChartSpec, ChartView, Reader
from dashboard.charts.figures import trend_figure
from dashboard.charts.formatting import list_names, month_name, period_label, rate
from dashboard.charts.summaries import describe_change, trend_summary
from queries import partnership, periods
from queries.areas import populations_for_years
from queries.counts import counts
from queries.like_for_like import like_for_like
from queries.reference import AREAS_BY_CODE, ASB, DEMO_FORCE_CODE, FORCE
from queries.stats import rate_interval

ALL_CRIME_LABEL = "All crime (excluding anti-social behaviour)"
ASB_LABEL = "Anti-social behaviour"
DEFAULTS = Filters()


def trend_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    start, end = filters.period(latest(reader))
    if end is None or not filters.areas:
        frame = reader.get(counts, (), None, None, None, periods.ROLLING_12)  # empty, with its columns
    else:
        frame = reader.get(counts, filters.areas, None, start, end, periods.ROLLING_12, True)
        # A month whose 12 months are not all loaded is a gap in the line, not a skipped point.
        return in_area_order(on_calendar(frame, periods.ROLLING_12, partnership_months(reader), start, end),
                             filters.areas)
    # The period of a rolling 12 months is its last month: "September 2025" on the page's table.
    return frame.assign(period_label=pd.Series([period_label(p) for p in frame["period"]], index=frame.index,
                                               dtype="str"))


TREND = ChartSpec("overview-trend", trend_data, (
    ("period", "12 months to"), ("period_label", "12 months to (in words)"), ("area_code", "Area code"), ("area_name", "Area"), ("count", "Crimes"),
    ("rate_per_1000", "Rate per 1,000"), ("population", "Population"), ("coverage", "Months loaded")))
CHARTS = (TREND,)


@dataclass(frozen=True)
class AreaFigure:
    """One area's card: the latest 12 months' count and rate, and the change on the 12 before."""

    area_name: str
    count: str
    rate: str
    detail: str
    verdict: str


@dataclass(frozen=True)
class Comparison:
    """The overview's figures: a headline and one card per area for crime and for ASB."""

    period_text: str
    headline: tuple[str, str]
    crime: tuple[AreaFigure, ...]
    asb: tuple[AreaFigure, ...]


def why_empty(reader: Reader, filters: Filters) -> str | None:
    """Why there is nothing to compare, or None."""
    if latest(reader) is None:
        served = partnership.current()
        # The synthetic demo set is drawn over one force's towns only (queries/demo.py).
        demo = " or load the demo set" if served.force_code == DEMO_FORCE_CODE else ""
        return f"No incidents are loaded yet for {served.force.area_name}. Import its data.police.uk files{demo}."
    if not filters.areas:
        return "Choose at least one area in the filters."
    return None


def comparison(reader: Reader, filters: Filters) -> Comparison:
    end = filters.end or latest(reader)
    current = (periods.add_months(end, -11), end)
    previous = (periods.add_months(end, -23), periods.add_months(end, -12))
    crime = reader.get(like_for_like, filters.areas, previous, current, None)
    asb = reader.get(like_for_like, filters.areas, previous, current, (ASB,))
    period_text = f"the 12 months to {month_name(end)}"
    return Comparison(
        period_text,
        (headline_sentence(crime, "Recorded crime", period_text), headline_sentence(asb, "Anti-social behaviour", period_text)),
        _area_figures(reader, crime, filters, current, None),
        _area_figures(reader, asb, filters, current, (ASB,)),
    )


def _changed(r) -> str:
    """"rose 10% (not significant)" for one area's like-for-like row."""
    rounded = round(float(r.percent_change))
    verb = "was unchanged" if rounded == 0 else f"{'rose' if rounded > 0 else 'fell'} {abs(rounded)}%"
    return f"{verb} ({'significant' if r.significant else 'not significant'})"


def headline_sentence(change: pd.DataFrame, subject: str, period_text: str) -> str:
    """The first area's change in words, on the months loaded in both years, and the others'
    beside it; says so when no month is loaded in both."""
    rows = [r for r in change.itertuples() if r.shared_months and not pd.isna(r.percent_change)]
    if not rows:
        loaded = any(r.current_months for r in change.itertuples())
        return (f"{subject}: no month of {period_text} is loaded{' a year earlier as well' if loaded else ''}, "
                "so no change is stated.")
    first = rows[0]
    whole = first.shared_months == first.period_months
    on = f"in {period_text}" if whole else f"on the {first.shared_months} of 12 months loaded in both years ({first.shared_text})"
    text = f"{subject} in {first.area_name} {_changed(first)} {on}"
    if rows[1:]:
        text += "; " + list_names([f"{r.area_name} {_changed(r)}" for r in rows[1:]])
    return text + "."


def _area_figures(reader: Reader, change: pd.DataFrame, filters: Filters, current, crime_types) -> tuple[AreaFigure, ...]:
    """Each area's own figure for the 12 months (its loaded months, "11 of 12 months" when one
    is missing; a rate only for a whole year, so a part-year is never set against whole ones)."""
    # A rate is shown only for a whole year, whose count is the like-for-like row's own: only
    # the population of the year the 12 months end in is read (the ONS estimate, or the nearest).
    year = int(current[1][:4])
    populations = reader.get(populations_for_years, tuple((code, year) for code in sorted(set(filters.areas))))
    figures = []
    for r in change.itertuples():
        part = r.current_months < r.period_months
        if not r.current_months:
            figures.append(AreaFigure(r.area_name, "–", "", "no month of the 12 is loaded", "No figure"))
            continue
        if r.shared_months:
            percent = None if pd.isna(r.percent_change) else float(r.percent_change)
            verdict = describe_change(percent, bool(r.significant))
            detail = (f"{int(r.previous_shared):,} in the 12 months before" if r.shared_months == r.period_months else
                      f"on the {r.shared_months} months loaded in both years ({r.shared_text}): "
                      f"{int(r.current_shared):,} against {int(r.previous_shared):,}")
        else:
            verdict = "no change shown: none of these months is loaded a year earlier"
            detail = ""
        if AREAS_BY_CODE[r.area_code].level == FORCE:
            # Rows with no location count at force level only: left out, so a force compares with its districts.
            detail += ("; " if detail else "") + "incidents with a location only, as for its districts"
        rate_text = ""
        population = populations.get((r.area_code, year), (None, None))[1]
        if not part and population:
            low, high = rate_interval(int(r.current_count), population)
            # The rate formatter's decimals (two below 10 per 1,000), so a small area's interval
            # never reads "0.1 to 0.1" when its bounds differ.
            rate_text = (f"{rate(int(r.current_count) / population * 1000)} per 1,000 residents "
                         f"(95% CI {rate(low)} to {rate(high)})")
        elif part:
            # Right under the figure: it is the sum of these months, not of a whole year.
            # Which months, too: five winter months are not any five.
            held = (f"the sum of the {r.current_months} of 12 months loaded, {r.current_text}" if r.current_months > 1
                    else f"{r.current_text} alone, the only one of the 12 months loaded")
            rate_text = f"{held} (no rate: a part-year is not set beside whole years)"
        figures.append(AreaFigure(r.area_name, f"{int(r.current_count):,}", rate_text, detail,
                                  verdict[0].upper() + verdict[1:]))
    return tuple(figures)


def trend_view(reader: Reader, filters: Filters) -> ChartView:
    title = f"{ALL_CRIME_LABEL}, rolling 12 months"
    trend = trend_data(reader, filters)
    if trend.empty or trend["count"].isna().all():
        return ChartView.nothing_to_draw(
            TREND, title,
            "Fewer than 12 consecutive months are loaded for this period, so there is no rolling 12-month figure.")
    measure = police_measure(filters)
    end = filters.period(latest(reader))[1]
    summary = trend_summary(trend, measure.column, "crime", monthly_dispersions(reader, filters.areas, None, end))
    gaps = gap_words(trend, periods.ROLLING_12, partnership_months(reader))
    return ChartView(
        TREND, f"{title}: {measure.words}", trend, trend_figure(trend, measure.column, periods.ROLLING_12),
        summary + (f" {gaps}" if gaps else ""),
        police_caption(latest(reader), unlocated_note(reader, filters.areas, None, *filters.period(latest(reader)))),
    )
