"""Domestic abuse (``/domestic-abuse``): offences by year, occurrences involving children by
quarter, and partner series for the theme."""

from __future__ import annotations

import pandas as pd
from dash import html

from queries.reference import OXFORD
from queries.series import series_catalogue
from queries.stats import change_p_value

from ..auth import PARTNER, at_least
from ..charts import Chart, chart_card, message_card
from ..figures import grouped_bar_figure, seasonal_figure
from ..filter_bar import AREAS_CONTROL, MEASURE_CONTROL
from ..filters import Filters
from ..summaries import describe_change
from .common import Page, measure_column, notices_for, published_caption, series_chart, series_frame

DEFAULTS = Filters()
THEME = "domestic-abuse"
QUARTER_NAMES = {"Q2": "April to June", "Q3": "July to September", "Q4": "October to December", "Q1": "January to March"}


def offences_data(query_cache, filters: Filters) -> pd.DataFrame:
    frame = series_frame(query_cache, "domestic-abuse-offences", filters)
    frame["rate_per_1000"] = frame["rate_per_1000"].round(2)
    return frame


def children_data(query_cache, filters: Filters) -> pd.DataFrame:
    frame = series_frame(query_cache, "domestic-occurrences-involving-children", filters.with_changes(areas=(OXFORD,)))
    year = frame["period"].str[:4].astype(int)
    quarter = frame["period"].str[5:]
    start = year.where(quarter != "Q1", year - 1)
    frame["financial_year"] = start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)
    frame["quarter_name"] = quarter.map(QUARTER_NAMES)
    order = {name: i for i, name in enumerate(QUARTER_NAMES.values())}
    return frame.sort_values(["financial_year", "quarter_name"], key=lambda s: s.map(order) if s.name == "quarter_name" else s)


OFFENCES = Chart("da-offences", offences_data, (
    ("period", "Year"), ("area_name", "Area"), ("value", "Offences"), ("rate_per_1000", "Rate per 1,000")))
CHILDREN = Chart("da-children", children_data, (
    ("financial_year", "Financial year"), ("quarter_name", "Quarter"), ("value_shown", "Occurrences")))


def _offences_summary(frame: pd.DataFrame) -> str:
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        rows = rows.sort_values("period")
        if len(rows) < 2:
            continue
        a, b = rows.iloc[-2], rows.iloc[-1]
        p = change_p_value(int(a["value"]), int(b["value"]))
        parts.append(f"{b['area_name']}: {int(b['value']):,} offences in {b['period']}, "
                     f"{describe_change((b['value'] - a['value']) / a['value'] * 100, p < 0.05)} on {a['period']}.")
    return " ".join(parts) or "There are no figures for this selection."


def _children_summary(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "There are no figures."
    # A year with a withheld quarter gets no total: the total would give the quarter away.
    totals = frame.groupby("financial_year")["value"].agg(["sum", "size", "count"])
    full = totals[(totals["size"] == 4) & (totals["count"] == 4)]
    by_quarter = frame.groupby("quarter_name")["value"].mean().sort_values()
    text = f"Across the years shown, {by_quarter.index[-1].lower()} has the most occurrences on average and {by_quarter.index[0].lower()} the fewest."
    if len(full) >= 2:
        text += f" Full years: {', '.join(f'{y} {int(v):,}' for y, v in full['sum'].items())}."
    return text


def render(query_cache, filters: Filters, query: str) -> list:
    content = []
    offences = offences_data(query_cache, filters)
    value = measure_column(filters, offences)
    rate = value == "rate_per_1000"
    title = f"Domestic abuse offences recorded by the police, by year: {'rate per 1,000 residents' if rate else 'count'}"
    if offences.empty:
        content.append(message_card(title, "This published table covers Oxford and Oxfordshire; choose one of them."))
    else:
        content.append(chart_card(
            OFFENCES, offences, grouped_bar_figure(offences, "period", value, "Rate per 1,000 residents" if rate else "Offences"),
            title, _offences_summary(offences),
            published_caption(offences) + " Non-crime occurrences are not included. Changes tested with the exact test (p < 0.05).",
            query, notices_for(offences, filters.areas, "the published table"),
        ))
    children = children_data(query_cache, filters)
    content.append(chart_card(
        CHILDREN, children, seasonal_figure(children, "Occurrences"),
        "Domestic occurrences in Oxford involving children, by quarter of the financial year",
        _children_summary(children), published_caption(children) + " One line per financial year (April to March).",
        query, [],
    ))
    partner = query_cache.get(series_catalogue, THEME)
    partner = partner[partner["kind"] == "partner"] if at_least(PARTNER) else partner.iloc[0:0]
    if partner.empty and at_least(PARTNER):
        content.append(html.P("No partner series are loaded for domestic abuse. An administrator can load them "
                              "with the series template (see the README).", className="text-body-secondary"))
    elif not at_least(PARTNER):
        content.append(html.P("Partners who sign in also see partner series here.", className="text-body-secondary"))
    for row in partner.itertuples():
        chart = series_chart(row.id)
        frame = chart.data(query_cache, filters)
        if frame.empty:
            content.append(message_card(row.title, "This series has no figures for the chosen areas."))
            continue
        content.append(chart_card(chart, frame, grouped_bar_figure(frame, "period", "value", row.unit.replace("_", " ")),
                                  row.title, f"{row.title}: latest {frame['period'].max()}.",
                                  published_caption(frame), query, notices_for(frame, filters.areas)))
    return content


PAGE = Page(
    key="domestic-abuse", path="/domestic-abuse", title="Domestic abuse", nav_label="Domestic abuse",
    intro="Domestic abuse offences recorded by the police, domestic occurrences involving children, and partners' series.",
    defaults=DEFAULTS, controls=frozenset({AREAS_CONTROL, MEASURE_CONTROL}), render=render,
    charts={c.chart_id: c for c in (OFFENCES, CHILDREN)}, shows_incidents=False,
)
