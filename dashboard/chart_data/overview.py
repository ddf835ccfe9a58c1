"""Overview: the latest 12 months against the 12 before, in each chosen area."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from queries import periods
from queries.counts import change_between, counts
from queries.reference import ASB
from queries.stats import rate_interval

from ..figures import trend_figure
from ..filters import Filters
from ..formatting import month_name, period_label
from ..summaries import change_sentence, describe_change, trend_summary
from .common import latest, police_caption, police_measure
from .series import in_area_order
from .spec import ChartSpec, ChartView, Reader

ALL_CRIME_LABEL = "All crime (excluding anti-social behaviour)"
ASB_LABEL = "Anti-social behaviour"
DEFAULTS = Filters()


def trend_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    start, end = filters.period(latest(reader))
    if end is None or not filters.areas:
        frame = reader.get(counts, (), None, None, None, periods.ROLLING_12)  # empty, with its columns
    else:
        frame = in_area_order(reader.get(counts, filters.areas, None, start, end, periods.ROLLING_12), filters.areas)
    # The period of a rolling 12 months is its last month: "September 2025" on the page's table.
    return frame.assign(period_label=pd.Series([period_label(p) for p in frame["period"]], index=frame.index,
                                               dtype="str"))


TREND = ChartSpec("overview-trend", trend_data, (
    ("period", "12 months to"), ("period_label", "12 months to (in words)"), ("area_code", "Area code"), ("area_name", "Area"), ("count", "Crimes"),
    ("rate_per_1000", "Rate per 1,000"), ("population", "Population")))
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
        return "No incidents are loaded yet. Import data.police.uk files or load the demo set."
    if not filters.areas:
        return "Choose at least one area in the filters."
    return None


def comparison(reader: Reader, filters: Filters) -> Comparison:
    end = filters.end or latest(reader)
    current = (periods.add_months(end, -11), end)
    previous = (periods.add_months(end, -23), periods.add_months(end, -12))
    crime = reader.get(change_between, filters.areas, previous, current, None)
    asb = reader.get(change_between, filters.areas, previous, current, (ASB,))
    period_text = f"the 12 months to {month_name(end)}"
    return Comparison(
        period_text,
        (change_sentence(crime, "Recorded crime", period_text), change_sentence(asb, "Anti-social behaviour", period_text)),
        _area_figures(reader, crime, filters, current, None),
        _area_figures(reader, asb, filters, current, (ASB,)),
    )


def _area_figures(reader: Reader, change: pd.DataFrame, filters: Filters, current, crime_types) -> tuple[AreaFigure, ...]:
    rates = reader.get(counts, filters.areas, crime_types, current[0], current[1], periods.ROLLING_12)
    rates = rates[rates["period"] == current[1]].set_index("area_code")
    figures = []
    for r in change.itertuples():
        if r.comparable:
            percent = None if pd.isna(r.percent_change) else float(r.percent_change)
            detail = f"{r.previous_count:,} in the 12 months before"
            verdict = describe_change(percent, bool(r.significant))
        else:
            detail = f"{r.current_months} of 12 months loaded"
            verdict = "no change shown: the two years are not both loaded"
        rate_text = ""
        if r.area_code in rates.index and not pd.isna(rates.loc[r.area_code, "rate_per_1000"]):
            population = int(rates.loc[r.area_code, "population"])
            low, high = rate_interval(r.current_count, population)
            rate_text = (f"{rates.loc[r.area_code, 'rate_per_1000']:.1f} per 1,000 residents "
                         f"(95% CI {low:.1f} to {high:.1f})")
        figures.append(AreaFigure(r.area_name, f"{r.current_count:,}", rate_text, detail, verdict[0].upper() + verdict[1:]))
    return tuple(figures)


def trend_view(reader: Reader, filters: Filters) -> ChartView:
    title = f"{ALL_CRIME_LABEL}, rolling 12 months"
    trend = trend_data(reader, filters)
    if trend.empty:
        return ChartView.nothing_to_draw(
            TREND, title,
            "Fewer than 12 consecutive months are loaded for this period, so there is no rolling 12-month figure.")
    measure = police_measure(filters)
    return ChartView(
        TREND, f"{title}: {measure.words}", trend, trend_figure(trend, measure.column, periods.ROLLING_12),
        trend_summary(trend, measure.column, "crime"), police_caption(latest(reader)),
    )
