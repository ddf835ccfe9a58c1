"""Helpers shared by the pages: the page description, notices, captions and series frames."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import dash_bootstrap_components as dbc
import pandas as pd
from flask import current_app

from queries.areas import list_areas
from queries.counts import latest_month
from queries.reference import AREAS_BY_CODE
from queries.series import series_values
from queries.stats import rate_interval
from queries.suppression import DEFAULT_THRESHOLD, suppress, suppression_label

from ..auth import PARTNER, at_least
from ..charts import Chart, chart_card, message_card
from ..figures import trend_figure
from ..filter_bar import month_label
from ..filters import GRAIN_LABELS, RATE, Filters
from ..summaries import trend_summary

POLICE_UK = "data.police.uk street-level crime and anti-social behaviour"
ONS_POPULATION = "ONS mid-year population estimates"


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    title: str
    nav_label: str
    intro: str
    defaults: Filters
    controls: frozenset[str]
    render: Callable  # (query_cache, filters, filters_query) -> list of components
    charts: dict[str, Chart] = field(default_factory=dict)
    shows_incidents: bool = True  # draws police.uk incidents (so may show demo data)
    register_callbacks: Callable | None = None  # callbacks of the page's own (app) -> None
    validation_components: tuple = ()  # components those callbacks use, for Dash's checks


def police_caption(latest: str | None, extra: str = "") -> str:
    latest_text = month_label(latest) if latest else "none"
    return f"Source: {POLICE_UK}; {ONS_POPULATION}. Latest month loaded: {latest_text}.{(' ' + extra) if extra else ''}"


def published_caption(frame: pd.DataFrame) -> str:
    sources = sorted({f"{s}, {t}" if t else s for s, t in zip(frame["source"], frame["source_table"])})
    return "Source: " + "; ".join(sources) + "."


def notices_for(frame: pd.DataFrame, requested: tuple[str, ...] | None = None, what: str = "this series") -> list:
    """An alert naming the chosen areas a series does not cover."""
    notices = []
    if requested:
        missing = [AREAS_BY_CODE[a].name for a in requested if a not in set(frame["area_code"])]
        if missing and not frame.empty:
            names = ", ".join(missing[:-1]) + " and " + missing[-1] if len(missing) > 1 else missing[0]
            notices.append(dbc.Alert(f"No figures for {names} in {what}.", color="info", class_name="py-2"))
    return notices


def series_frame(query_cache, series_id: str, filters: Filters) -> pd.DataFrame:
    """A series' values for the chosen areas, with rates per 1,000 and 95% intervals for counts,
    as the asker's role may see them (see ``visible_series``)."""
    frame = visible_series(query_cache.get(series_values, (series_id,), None, tuple(filters.areas) or None))
    label = suppression_label(current_app.config.get("SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))
    if frame.empty:
        return frame.assign(population=pd.Series(dtype="Int64"), rate_per_1000=pd.Series(dtype="float64"),
                            rate_low=pd.Series(dtype="float64"), rate_high=pd.Series(dtype="float64"),
                            value_shown=pd.Series(dtype="str"))
    areas = query_cache.get(list_areas).set_index("code")
    frame["population"] = frame["area_code"].map(areas["population"]).astype("Int64")
    counts = (frame["unit"] == "count") & frame["value"].notna()  # withheld values have no rate
    rates = [(v / p * 1000 if c and p else None) for v, p, c in zip(frame["value"], frame["population"], counts)]
    intervals = [rate_interval(int(v), int(p)) if c and p else (None, None)
                 for v, p, c in zip(frame["value"], frame["population"], counts)]
    frame["rate_per_1000"] = pd.array(rates, dtype="Float64").astype("float64")
    frame["rate_low"] = [i[0] for i in intervals]
    frame["rate_high"] = [i[1] for i in intervals]
    withheld = frame["suppressed"]
    frame.loc[withheld, ["rate_per_1000", "rate_low", "rate_high"]] = float("nan")  # a rate would reveal the count
    frame["value_shown"] = [label if hidden else _number(v) for v, hidden in zip(frame["value"], withheld)]
    return in_area_order(frame, filters.areas)


def visible_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Partner series and exact small numbers are for partners; the public sees published
    series with sensitive counts from 1 to the threshold withheld."""
    if at_least(PARTNER):
        return frame.assign(suppressed=False)
    frame = frame[frame["kind"] != "partner"]
    return suppress(frame, current_app.config.get("SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


def _number(value) -> str:
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def measure_column(filters: Filters, frame: pd.DataFrame) -> str:
    """The column to plot: the rate when asked for and the series is a count."""
    if filters.measure == RATE and not frame.empty and (frame["unit"] == "count").all():
        return "rate_per_1000"
    return "value"


def latest(query_cache) -> str | None:
    return query_cache.get(latest_month)


SERIES_CHART_PREFIX = "series-"


def series_chart(series_id: str) -> Chart:
    """The chart of any one published or partner series (its id after ``series-``)."""

    def data(query_cache, filters: Filters) -> pd.DataFrame:
        return series_frame(query_cache, series_id, filters)

    return Chart(f"{SERIES_CHART_PREFIX}{series_id}", data, (
        ("period", "Period"), ("area_name", "Area"), ("category", "Category"), ("value_shown", "Value"),
        ("unit", "Unit"), ("source", "Source")))


def in_area_order(frame: pd.DataFrame, areas: tuple[str, ...]) -> pd.DataFrame:
    """Rows in the order the areas were chosen, so lines and legends follow the filter."""
    order = {code: i for i, code in enumerate(areas)}
    sort_keys = ["area_code"] + [c for c in ("first_month", "period_start", "period") if c in frame.columns][:1]
    return frame.sort_values(sort_keys, key=lambda s: s.map(order) if s.name == "area_code" else s,
                             kind="stable").reset_index(drop=True)


def complete_periods(frame: pd.DataFrame) -> pd.DataFrame:
    """Only whole periods: a quarter or year with months missing would look like a fall."""
    return frame[frame["complete"]].reset_index(drop=True) if not frame.empty else frame


def police_trend_card(chart: Chart, trend: pd.DataFrame, filters: Filters, subject: str, what: str,
                      last: str | None, query: str):
    """The trend of police.uk counts or rates for the chosen areas and grain, or why not."""
    measure = "rate_per_1000" if filters.measure == RATE else "count"
    measure_text = "rate per 1,000 residents" if measure == "rate_per_1000" else "count"
    title = f"{subject} by {GRAIN_LABELS[filters.grain].lower()}: {measure_text}"
    if not filters.areas:
        return message_card(title, "Choose at least one area in the filters.")
    if trend.empty:
        return message_card(title, "No police.uk data is loaded for this period.")
    return chart_card(chart, trend, trend_figure(trend, measure, filters.grain), title, trend_summary(trend, measure, what),
                      police_caption(last, "Quarters and years are shown only when all their months are loaded."), query, [])
