"""Domestic abuse: offences by year, occurrences involving children by quarter, partner series."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import dated, missing_areas_notes, published_caption, series_measure
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.series import (
    home_series_areas,
    on_series_calendar,
    published_cover_message,
    series_chart,
    series_frame,
)
from dashboard.chart_data.spec import ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import grouped_bar_figure, seasonal_figure
from dashboard.charts.formatting import list_names
from dashboard.charts.summaries import yearly_change
from queries.series import series_catalogue

DEFAULTS = Filters()
THEME = "domestic-abuse"
QUARTER_NAMES = {"Q2": "April to June", "Q3": "July to September", "Q4": "October to December", "Q1": "January to March"}


def offences_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    frame = series_frame(reader, "domestic-abuse-offences", filters)
    frame["rate_per_1000"] = frame["rate_per_1000"].round(2)
    return frame


CHILDREN_SERIES = "domestic-occurrences-involving-children"


def children_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    # The report's quarterly table is for one area, whichever areas are chosen.
    areas = home_series_areas(reader, CHILDREN_SERIES)
    frame = series_frame(reader, CHILDREN_SERIES, filters.with_changes(areas=areas or filters.areas))
    frame = frame if areas else frame.head(0)
    year = frame["period"].str[:4].astype(int)
    quarter = frame["period"].str[5:]
    start = year.where(quarter != "Q1", year - 1)
    frame["financial_year"] = start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)
    frame["quarter_name"] = quarter.map(QUARTER_NAMES)
    order = {name: i for i, name in enumerate(QUARTER_NAMES.values())}
    return frame.sort_values(["financial_year", "quarter_name"],
                             key=lambda s: s.map(order) if s.name == "quarter_name" else s)


OFFENCES = ChartSpec("da-offences", offences_data, (
    ("period", "Year"), ("area_name", "Area"), ("value", "Offences"), ("rate_per_1000", "Rate per 1,000"),
    ("population_year", "Population estimate (mid-year)")))
# The report's own slip, noted where its figures are shown (as the README notes Table 1's).
TABLE_4_SLIP = Note(
    "The published report's Table 4 prints the 2020 to 2021 changes as -8.43% (Oxford) and -9.71% "
    "(Oxfordshire): those divide by the 2021 figure. Against 2020, as a change is measured, they are -7.77% "
    "(1,768 against 1,917) and -8.85% (7,156 against 7,851).", "secondary")
CHILDREN = ChartSpec("da-children", children_data, (
    ("financial_year", "Financial year"), ("quarter_name", "Quarter"), ("value_shown", "Occurrences")))
CHARTS = (OFFENCES, CHILDREN)


def _offences_summary(frame: pd.DataFrame) -> str:
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        rows = rows.sort_values("period")
        if len(rows) < 2:
            continue
        a, b = rows.iloc[-2], rows.iloc[-1]
        parts.append(f"{b['area_name']}: {int(b['value']):,} offences in {b['period']}, "
                     f"{yearly_change(a['value'], b['value'], rows['value'].iloc[:-1], a['period'])}.")
    return " ".join(parts) or "There are no figures for this selection."


def _children_summary(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "There are no figures."
    # A year with a withheld quarter gets no total: the total would give the quarter away.
    totals = frame.groupby("financial_year")["value"].agg(["sum", "size", "count"])
    full = totals[(totals["size"] == 4) & (totals["count"] == 4)]
    by_quarter = frame.groupby("quarter_name")["value"].mean().sort_values()
    # Quarters are named by their months ("July to September"), which keep their capitals.
    text = (f"Across the years shown, {by_quarter.index[-1]} has the most occurrences on average and "
            f"{by_quarter.index[0]} the fewest.")
    if len(full) >= 2:
        text += f" Full years: {', '.join(f'{y} {int(v):,}' for y, v in full['sum'].items())}."
    return text


def offences_view(reader: Reader, filters: Filters) -> ChartView:
    offences = offences_data(reader, filters)
    measure = series_measure(filters, offences, "Offences")
    title = f"Domestic abuse offences recorded by the police, by year: {measure.words if not offences.empty else 'count'}"
    if offences.empty:
        return ChartView.nothing_to_draw(OFFENCES, title,
                                         published_cover_message(reader, ("domestic-abuse-offences",), "this published table"))
    return dated(ChartView(
        OFFENCES, title, offences, grouped_bar_figure(offences, "period", measure.column, measure.axis_title),
        _offences_summary(offences),
        published_caption(offences) + " Non-crime occurrences are not included. A change is tested against the "
        "spread of the years before it (quasi-Poisson; the exact test where they vary no more than Poisson counts; "
        "p < 0.05).",
        (*missing_areas_notes(offences, filters.areas, "the published table"), TABLE_4_SLIP),
    ), reader)


def children_view(reader: Reader, filters: Filters) -> ChartView:
    children = children_data(reader, filters)
    if children.empty:
        return ChartView.nothing_to_draw(CHILDREN, "Domestic occurrences involving children, by quarter of the financial year",
                                         published_cover_message(reader, (CHILDREN_SERIES,), "this published table"))
    place = list_names(list(dict.fromkeys(children["area_name"])))
    return dated(ChartView(
        CHILDREN, f"Domestic occurrences in {place} involving children, by quarter of the financial year", children,
        seasonal_figure(children, "Occurrences"), _children_summary(children),
        published_caption(children) + " One line per financial year (April to March).",
    ), reader)


def partner_views(reader: Reader, filters: Filters) -> list[ChartView]:
    """One chart per partner series of the theme, for partners only."""
    if not reader.audience.partner:
        return []
    catalogue = reader.get(series_catalogue, THEME)
    result = []
    for row in catalogue[catalogue["kind"] == "partner"].itertuples():
        spec = series_chart(row.id)
        frame = spec.data(reader, filters)
        if frame.empty:
            result.append(ChartView.nothing_to_draw(spec, row.title, "This series has no figures for the chosen areas."))
            continue
        latest_period = frame.sort_values("period_start")["period_label"].iloc[-1]
        drawn, missing = on_series_calendar(frame)
        summary = f"{row.title}: latest {latest_period}." + (
            f" No figure for {list_names(missing)}: its place on the axis is left empty." if missing else "")
        result.append(dated(ChartView(spec, row.title, frame,
                                      grouped_bar_figure(drawn, "period_label", "value", row.unit.replace("_", " ")),
                                      summary, published_caption(frame),
                                      missing_areas_notes(frame, filters.areas)), reader))
    return result


def partner_series_note(reader: Reader, partner_views_shown: list[ChartView]) -> str | None:
    """What to say when there are no partner series to show."""
    if not reader.audience.partner:
        return "Partners who sign in also see partner series here."
    if not partner_views_shown:
        return ("No partner series are loaded for domestic abuse. An administrator can load them "
                "with the series template (see the README).")
    return None
