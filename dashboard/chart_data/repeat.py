"""Repeat victimisation: published and partner repeat rates, and repeat locations in police.uk data."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import (
    CHOOSE_AN_AREA,
    dated,
    latest,
    missing_areas_notes,
    partnership_months,
    police_caption,
    published_caption,
)
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.series import visible_series
from dashboard.chart_data.spec import ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import grouped_bar_figure
from dashboard.charts.formatting import mid_sentence, month_label
from dashboard.charts.summaries import bars_summary
from queries import periods
from queries.reference import CRIME_TYPES_BY_SLUG
from queries.repeat import ALL_SELECTED, repeat_locations
from queries.series import series_catalogue

THEME = "repeat-victimisation"
DEFAULTS = Filters()
DEFAULT_MONTHS = 3  # over a year nearly every map point sees two incidents; a quarter discriminates
CAVEAT = (
    "police.uk places are anonymised map points: each stands for many addresses near it, so a "
    "repeat location is a small area with two or more incidents, not a repeat victim or one address."
)


def rates_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    catalogue = reader.get(series_catalogue, THEME)
    ids = tuple(catalogue.loc[catalogue["unit"] == "percent", "id"])
    frame = visible_series(reader, ids, tuple(filters.areas) or None) if ids else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame(columns=["series_id", "title", "area_code", "area_name", "period", "category", "value",
                                     "kind", "source", "source_table", "note"])
    frame["category"] = frame["category"].where(frame["category"] != "", frame["title"])
    return frame


def locations_period(reader: Reader, filters: Filters) -> tuple[str | None, str | None]:
    """The chosen period, or the latest three months."""
    end = filters.end or latest(reader)
    if end is None:
        return None, None
    return filters.start or periods.add_months(end, -(DEFAULT_MONTHS - 1)), end


def locations_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    start, end = locations_period(reader, filters)
    if end is None:
        frame = reader.get(repeat_locations, (), None, "0000-01", "0000-01")
    else:
        frame = reader.get(repeat_locations, filters.areas, filters.crime_types or None, start, end)
    frame["crime_type_name"] = frame["crime_type"].map(
        lambda c: "All selected crime" if c == ALL_SELECTED else CRIME_TYPES_BY_SLUG[c].name)
    frame["repeat_percent"] = (frame["repeat_share"].astype("float64") * 100).round(1)
    return frame


RATES = ChartSpec("repeat-rates", rates_data, (
    ("category", "Crime type"), ("area_name", "Area"), ("period", "Period"), ("value", "Repeat victims (%)"),
    ("kind", "Published or partner"), ("source", "Source")))
LOCATIONS = ChartSpec("repeat-locations", locations_data, (
    ("crime_type_name", "Crime type"), ("area_name", "Area"), ("incidents", "Incidents"),
    ("repeat_places", "Places with 2 or more"), ("incidents_at_repeat_places", "Incidents at those places"),
    ("repeat_percent", "Share at repeat places (%)")))
CHARTS = (RATES, LOCATIONS)


def _locations_summary(frame: pd.DataFrame) -> str:
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        together = rows[rows["crime_type"] == ALL_SELECTED].iloc[0]
        by_type = rows[rows["crime_type"] != ALL_SELECTED].sort_values("repeat_percent", ascending=False)
        text = (f"In {together['area_name']}, {together['repeat_percent']:.0f}% of the selected crime happened at "
                f"{int(together['repeat_places']):,} places with two or more incidents")
        if len(by_type) > 1:
            top = by_type.iloc[0]
            text += f"; by type, the share is highest for {mid_sentence(top['crime_type_name'])} ({top['repeat_percent']:.0f}%)"
        parts.append(text + ".")
    return " ".join(parts)


def rates_view(reader: Reader, filters: Filters) -> ChartView:
    rates = rates_data(reader, filters)
    title = "Share of victims who were victims again, by crime type"
    if rates.empty:
        return ChartView.nothing_to_draw(
            RATES, title, "No repeat-victimisation rates are published or loaded for the chosen areas.")
    return ChartView(
        RATES, title, rates, grouped_bar_figure(rates, "category", "value", "Repeat victims (%)"),
        bars_summary(rates, "value", "category", "%"), published_caption(rates),
        missing_areas_notes(rates, filters.areas, "the published rates"),
    )


def locations_view(reader: Reader, filters: Filters) -> ChartView:
    start, end = locations_period(reader, filters)
    period_text = f"{month_label(start)} to {month_label(end)}" if end else ""
    title = f"Share of incidents at places with two or more incidents, {period_text}"
    if not filters.areas:
        return ChartView.nothing_to_draw(LOCATIONS, title, CHOOSE_AN_AREA)
    locations = locations_data(reader, filters)
    if locations.empty:
        return ChartView.nothing_to_draw(LOCATIONS, title, "No police.uk data is loaded for this period.")
    figure = grouped_bar_figure(locations, "crime_type_name", "repeat_percent", "Share of incidents at repeat places (%)",
                                horizontal=True)
    return ChartView(LOCATIONS, title, locations, figure,
                     _locations_summary(locations) + _gap_words(start, end, partnership_months(reader)),
                     police_caption(end), (Note(CAVEAT, "secondary"),))


def _gap_words(start: str, end: str, loaded: list[str]) -> str:
    """The months of the period not loaded: the title's span would otherwise read as whole,
    and shares over fewer months are lower (fewer places see a second incident)."""
    missing = periods.missing_months(start, end, loaded)
    if not missing:
        return ""
    total = len(periods.months_between(start, end))
    return (f" {periods.months_list_in_words(missing)} not loaded: the shares are of the {total - len(missing)} "
            f"loaded month{'s' if total - len(missing) != 1 else ''} of these {total}.")


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    return [dated(rates_view(reader, filters), reader), locations_view(reader, filters)]
