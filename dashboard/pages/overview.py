"""Overview (``/``): the latest 12 months against the 12 before, in each chosen area."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from queries import periods
from queries.counts import change_between, counts
from queries.reference import ASB
from queries.stats import rate_interval

from .. import ids
from ..charts import Chart, chart_card, message_card
from ..components import stat_card
from ..figures import trend_figure
from ..filter_bar import AREAS_CONTROL, MEASURE_CONTROL, PERIOD_CONTROL
from ..filters import RATE, Filters
from ..summaries import change_sentence, describe_change, trend_summary
from .common import Page, in_area_order, latest, police_caption

ALL_CRIME_LABEL = "All crime (excluding anti-social behaviour)"
DEFAULTS = Filters()


def _trend_data(query_cache, filters: Filters) -> pd.DataFrame:
    start, end = filters.period(latest(query_cache))
    if end is None or not filters.areas:
        return query_cache.get(counts, (), None, None, None, periods.ROLLING_12)  # empty, with its columns
    return in_area_order(query_cache.get(counts, filters.areas, None, start, end, periods.ROLLING_12), filters.areas)


TREND = Chart(
    "overview-trend",
    _trend_data,
    (("period", "12 months to"), ("area_code", "Area code"), ("area_name", "Area"), ("count", "Crimes"),
     ("rate_per_1000", "Rate per 1,000"), ("population", "Population")),
)


def render(query_cache, filters: Filters, query: str) -> list:
    last = latest(query_cache)
    if last is None:
        return [dbc.Alert("No incidents are loaded yet. Import data.police.uk files or load the demo set.", color="info")]
    end = filters.end or last
    if not filters.areas:
        return [dbc.Alert("Choose at least one area in the filters.", color="info")]
    current = (periods.add_months(end, -11), end)
    previous = (periods.add_months(end, -23), periods.add_months(end, -12))
    crime = query_cache.get(change_between, filters.areas, previous, current, None)
    asb = query_cache.get(change_between, filters.areas, previous, current, (ASB,))
    period_text = f"the 12 months to {pd.Timestamp(end + '-01'):%B %Y}"
    trend = _trend_data(query_cache, filters)
    content = []
    content += [
        html.P(
            [change_sentence(crime, "Recorded crime", period_text), " ",
             change_sentence(asb, "Anti-social behaviour", period_text)],
            id=ids.OVERVIEW_SUMMARY, className="lead",
        ),
        html.H2(f"{ALL_CRIME_LABEL}, {period_text}", className="h5 mt-4"),
        _cards(crime, query_cache, filters, current),
        html.H2(f"Anti-social behaviour, {period_text}", className="h5 mt-4"),
        _cards(asb, query_cache, filters, current, (ASB,)),
        _trend_card(trend, filters, query, last),
    ]
    return content


def _cards(change: pd.DataFrame, query_cache, filters: Filters, current, crime_types=None) -> dbc.Row:
    rates = query_cache.get(counts, filters.areas, crime_types, current[0], current[1], periods.ROLLING_12)
    rates = rates[rates["period"] == current[1]].set_index("area_code")
    cards = []
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
            rate_text = f"{rates.loc[r.area_code, 'rate_per_1000']:.1f} per 1,000 residents (95% CI {low:.1f} to {high:.1f})"
        cards.append(
            dbc.Col(
                stat_card(r.area_name, f"{r.current_count:,}", rate_text, detail, verdict[0].upper() + verdict[1:]),
                md=4, class_name="mb-3",
            )
        )
    return dbc.Row(cards)


def _trend_card(trend: pd.DataFrame, filters: Filters, query: str, last: str):
    title = f"{ALL_CRIME_LABEL}, rolling 12 months"
    if trend.empty:
        return message_card(title, "Fewer than 12 consecutive months are loaded for this period, so there is no rolling 12-month figure.")
    measure = "rate_per_1000" if filters.measure == RATE else "count"
    return chart_card(
        TREND, trend, trend_figure(trend, measure, periods.ROLLING_12),
        f"{title}: {'rate per 1,000 residents' if measure == 'rate_per_1000' else 'count'}",
        trend_summary(trend, measure, "crime"), police_caption(last), query,
    )


PAGE = Page(
    key="overview", path="/", title="Community safety in Oxford", nav_label="Overview",
    intro="Crime and anti-social behaviour in the latest 12 months against the 12 before, "
          "in Oxford, Oxfordshire and Thames Valley.",
    defaults=DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL, MEASURE_CONTROL}),
    render=render, charts={TREND.chart_id: TREND},
)

