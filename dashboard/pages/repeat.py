"""Repeat victimisation (``/repeat-victimisation``): published and partner repeat rates, and
repeat locations in police.uk data."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd

from queries import periods
from queries.reference import CRIME_TYPES_BY_SLUG
from queries.repeat import ALL_SELECTED, repeat_locations
from queries.series import series_catalogue, series_values

from ..charts import Chart, chart_card, message_card
from ..figures import grouped_bar_figure
from ..filter_bar import AREAS_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL, month_label
from ..filters import Filters
from ..summaries import bars_summary
from .common import Page, latest, notices_for, police_caption, published_caption, visible_series

THEME = "repeat-victimisation"
DEFAULTS = Filters()
CAVEAT = (
    "police.uk places are anonymised map points: each stands for many addresses near it, so a "
    "repeat location is a small area with two or more incidents, not a repeat victim or one address."
)


def rates_data(query_cache, filters: Filters) -> pd.DataFrame:
    catalogue = query_cache.get(series_catalogue, THEME)
    ids = tuple(catalogue.loc[catalogue["unit"] == "percent", "id"])
    frame = visible_series(query_cache.get(series_values, ids, None, tuple(filters.areas) or None)) if ids else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame(columns=["series_id", "title", "area_code", "area_name", "period", "category", "value",
                                     "kind", "source", "source_table", "note"])
    frame["category"] = frame["category"].where(frame["category"] != "", frame["title"])
    return frame


DEFAULT_MONTHS = 3  # over a year nearly every map point sees two incidents; a quarter discriminates


def _period(query_cache, filters: Filters) -> tuple[str | None, str | None]:
    """The chosen period, or the latest three months."""
    end = filters.end or latest(query_cache)
    if end is None:
        return None, None
    return filters.start or periods.add_months(end, -(DEFAULT_MONTHS - 1)), end


def _locations_summary(frame: pd.DataFrame) -> str:
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        together = rows[rows["crime_type"] == ALL_SELECTED].iloc[0]
        by_type = rows[rows["crime_type"] != ALL_SELECTED].sort_values("repeat_percent", ascending=False)
        text = (f"In {together['area_name']}, {together['repeat_percent']:.0f}% of the selected crime happened at "
                f"{int(together['repeat_places']):,} places with two or more incidents")
        if len(by_type) > 1:
            top = by_type.iloc[0]
            text += f"; by type, the share is highest for {top['crime_type_name'].lower()} ({top['repeat_percent']:.0f}%)"
        parts.append(text + ".")
    return " ".join(parts)


def locations_data(query_cache, filters: Filters) -> pd.DataFrame:
    start, end = _period(query_cache, filters)
    if end is None:
        frame = query_cache.get(repeat_locations, (), None, "0000-01", "0000-01")
    else:
        frame = query_cache.get(repeat_locations, filters.areas, filters.crime_types or None, start, end)
    frame["crime_type_name"] = frame["crime_type"].map(
        lambda c: "All selected crime" if c == ALL_SELECTED else CRIME_TYPES_BY_SLUG[c].name)
    frame["repeat_percent"] = (frame["repeat_share"].astype("float64") * 100).round(1)
    return frame


RATES = Chart("repeat-rates", rates_data, (
    ("category", "Crime type"), ("area_name", "Area"), ("period", "Period"), ("value", "Repeat victims (%)"),
    ("kind", "Published or partner"), ("source", "Source")))
LOCATIONS = Chart("repeat-locations", locations_data, (
    ("crime_type_name", "Crime type"), ("area_name", "Area"), ("incidents", "Incidents"),
    ("repeat_places", "Places with 2 or more"), ("incidents_at_repeat_places", "Incidents at those places"),
    ("repeat_percent", "Share at repeat places (%)")))


def render(query_cache, filters: Filters, query: str) -> list:
    content = []
    rates = rates_data(query_cache, filters)
    title = "Share of victims who were victims again, by crime type"
    if rates.empty:
        content.append(message_card(title, "No repeat-victimisation rates are published or loaded for the chosen areas."))
    else:
        content.append(chart_card(
            RATES, rates, grouped_bar_figure(rates, "category", "value", "Repeat victims (%)"), title,
            bars_summary(rates, "value", "category", "%"), published_caption(rates), query,
            notices_for(rates, filters.areas, "the published rates"),
        ))
    start, end = _period(query_cache, filters)
    locations = locations_data(query_cache, filters)
    period_text = f"{month_label(start)} to {month_label(end)}" if end else ""
    title = f"Share of incidents at places with two or more incidents, {period_text}"
    if not filters.areas:
        content.append(message_card(title, "Choose at least one area in the filters."))
    elif locations.empty:
        content.append(message_card(title, "No police.uk data is loaded for this period."))
    else:
        figure = grouped_bar_figure(locations, "crime_type_name", "repeat_percent", "Share of incidents at repeat places (%)",
                                    horizontal=True)
        content.append(chart_card(
            LOCATIONS, locations, figure, title, _locations_summary(locations),
            police_caption(end), query,
            [dbc.Alert(CAVEAT, color="secondary", class_name="py-2")],
        ))
    return content


PAGE = Page(
    key="repeat-victimisation", path="/repeat-victimisation", title="Repeat victimisation", nav_label="Repeat victims",
    intro="How often victims are victimised again, and how much crime happens at places hit again and again.",
    defaults=DEFAULTS, controls=frozenset({AREAS_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL}), render=render,
    charts={c.chart_id: c for c in (RATES, LOCATIONS)},
)
