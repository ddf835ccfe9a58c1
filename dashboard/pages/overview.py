"""Overview (``/``): the latest 12 months against the 12 before, in the three areas."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from queries import periods
from queries.counts import change_between, counts, latest_month
from queries.reference import ASB, COMPARISON_AREAS, CRIME_TYPES_BY_SLUG

from .. import ids
from ..components import chart_card, data_table, demo_notice, stat_card
from ..figures import empty_figure, trend_figure
from ..summaries import describe_change, trend_summary

ALL_CRIME_LABEL = "All crime (excluding anti-social behaviour)"


def render(query_cache, _query: dict) -> list:
    latest = query_cache.get(latest_month)
    heading = html.H1("Community safety in Oxford", className="h2 mb-3")
    if latest is None:
        return [heading, dbc.Alert("No incidents are loaded yet. Import data.police.uk files or load the demo set.", color="info")]
    current = (periods.add_months(latest, -11), latest)
    previous = (periods.add_months(latest, -23), periods.add_months(latest, -12))
    crime = query_cache.get(change_between, COMPARISON_AREAS, previous, current, None)
    asb = query_cache.get(change_between, COMPARISON_AREAS, previous, current, (ASB,))
    trend = query_cache.get(counts, COMPARISON_AREAS, None, None, latest, periods.ROLLING_12)
    current_counts = query_cache.get(counts, COMPARISON_AREAS, None, current[0], latest, periods.CALENDAR_YEAR)
    synthetic = bool(trend["is_synthetic"].any()) if not trend.empty else False
    period_text = f"the 12 months to {_month_name(latest)}"
    content = [heading]
    if synthetic:
        content.append(demo_notice())
    content += [
        html.P(_headline_sentence(crime, period_text), id=ids.OVERVIEW_SUMMARY, className="lead"),
        html.H2(f"{ALL_CRIME_LABEL}, {period_text}", className="h5 mt-4"),
        _cards(crime, current_counts, current),
        html.H2(f"{CRIME_TYPES_BY_SLUG[ASB].name}, {period_text}", className="h5 mt-4"),
        _cards(asb, None, current),
        _trend_card(trend),
    ]
    return content


def _month_name(month: str) -> str:
    return pd.Timestamp(f"{month}-01").strftime("%B %Y")


def _headline_sentence(change: pd.DataFrame, period_text: str) -> str:
    if change.empty:
        return "There are not enough loaded months to compare two years."
    rows = {r.area_code: r for r in change.itertuples()}
    parts = []
    for code in COMPARISON_AREAS:
        if code in rows and rows[code].comparable:
            r = rows[code]
            percent = None if pd.isna(r.percent_change) else float(r.percent_change)
            parts.append(f"in {r.area_name} {describe_change(percent, bool(r.significant))}")
    if not parts:
        return f"The 24 months needed to compare {period_text} with the year before are not all loaded."
    return f"Recorded crime in {period_text}, against the 12 months before: " + "; ".join(parts) + "."


def _cards(change: pd.DataFrame, _counts, current) -> dbc.Row:
    months = len(periods.months_between(*current))
    cards = []
    for r in change.itertuples():
        if r.comparable:
            percent = None if pd.isna(r.percent_change) else float(r.percent_change)
            detail = f"in {months} months; {r.previous_count:,} in the {months} before"
            verdict = describe_change(percent, bool(r.significant))
        else:
            detail = f"in {r.current_months} loaded months of {months}"
            verdict = "no change shown: the two periods are not both fully loaded"
        cards.append(
            dbc.Col(
                stat_card(r.area_name, f"{r.current_count:,}", detail, verdict[0].upper() + verdict[1:]),
                md=4, class_name="mb-3",
            )
        )
    return dbc.Row(cards)


def _trend_card(trend: pd.DataFrame) -> html.Section:
    title = f"{ALL_CRIME_LABEL} per 1,000 residents, rolling 12 months"
    if trend.empty:
        figure = empty_figure("Fewer than 12 months are loaded, so there is no rolling 12-month figure yet.")
        summary = "Fewer than 12 months are loaded."
    else:
        figure = trend_figure(trend, "rate_per_1000", title)
        summary = trend_summary(trend, "rate_per_1000", "crime")
    latest = trend["last_month"].max() if not trend.empty else "none"
    caption = f"Source: data.police.uk street-level crime; ONS mid-year population estimates. Latest month loaded: {latest}."
    table = data_table(
        trend.assign(rate=trend["rate_per_1000"].astype("float64").round(2)),
        [("period", "12 months to"), ("area_name", "Area"), ("count", "Crimes"), ("rate", "Rate per 1,000")],
        title,
    )
    return chart_card(ids.OVERVIEW_TREND, figure, title, caption, summary, table)
