"""Anti-social behaviour (``/asb``): the police.uk trend, incidents by type and council cases."""

from __future__ import annotations

import pandas as pd

from queries.counts import counts
from queries.reference import ASB, OXFORD

from ..charts import Chart, chart_card, message_card
from ..figures import grouped_bar_figure
from ..filter_bar import AREAS_CONTROL, GRAIN_CONTROL, MEASURE_CONTROL, PERIOD_CONTROL
from ..filters import RATE, Filters
from ..summaries import bars_summary, period_change_summary
from .common import (
    Page,
    complete_periods,
    in_area_order,
    latest,
    measure_column,
    notices_for,
    police_trend_card,
    published_caption,
    series_frame,
)

DEFAULTS = Filters()


def trend_data(query_cache, filters: Filters) -> pd.DataFrame:
    """The plotted trend: whole periods only, in the chosen area order."""
    start, end = filters.period(latest(query_cache))
    frame = query_cache.get(counts, filters.areas if end else (), (ASB,), start, end, filters.grain)
    return in_area_order(complete_periods(frame), filters.areas)


def by_type_data(query_cache, filters: Filters) -> pd.DataFrame:
    frame = series_frame(query_cache, "police-asb-incidents-by-type", filters)
    frame["rate_per_1000"] = frame["rate_per_1000"].round(2)
    return frame


def council_data(query_cache, filters: Filters) -> pd.DataFrame:
    return series_frame(query_cache, "council-asb-cases", filters.with_changes(areas=(OXFORD,)))


TREND = Chart("asb-trend", trend_data, (
    ("period", "Period"), ("area_code", "Area code"), ("area_name", "Area"), ("count", "Incidents"),
    ("rate_per_1000", "Rate per 1,000"), ("months", "Months loaded"), ("complete", "Complete period")))
BY_TYPE = Chart("asb-by-type", by_type_data, (
    ("category", "Type"), ("area_name", "Area"), ("value", "Incidents"), ("rate_per_1000", "Rate per 1,000"),
    ("rate_low", "95% CI low"), ("rate_high", "95% CI high")))
COUNCIL = Chart("asb-council-cases", council_data, (("period", "Year"), ("area_name", "Area"), ("value", "Cases"), ("note", "Note")))


def render(query_cache, filters: Filters, query: str) -> list:
    last = latest(query_cache)
    measure = "rate_per_1000" if filters.measure == RATE else "count"
    measure_text = "rate per 1,000 residents" if measure == "rate_per_1000" else "count"
    content = []
    trend = trend_data(query_cache, filters)
    content.append(police_trend_card(TREND, trend, filters, "Anti-social behaviour incidents recorded by the police",
                                     "anti-social behaviour", last, query))

    by_type = by_type_data(query_cache, filters)
    title = f"Police-recorded anti-social behaviour by type, 2021: {measure_text}"
    if by_type.empty:
        content.append(message_card(title, "This published table covers Oxford, Oxfordshire and Thames Valley; choose one of them."))
    else:
        value = measure_column(filters, by_type)
        rate = value == "rate_per_1000"
        content.append(chart_card(
            BY_TYPE, by_type,
            grouped_bar_figure(by_type, "category", value, "Rate per 1,000 residents" if rate else "Incidents",
                               "rate_low" if rate else None, "rate_high" if rate else None),
            title, bars_summary(by_type, value, "category", " per 1,000" if rate else ""),
            published_caption(by_type) + (" Error bars: 95% confidence intervals." if rate else ""),
            query, notices_for(by_type, filters.areas, "the published table"),
        ))

    council = council_data(query_cache, filters)
    title = "Anti-social behaviour cases investigated by Oxford City Council, by year"
    notices = notices_for(council)
    if OXFORD not in filters.areas:
        from dash_bootstrap_components import Alert

        notices.append(Alert("The council's cases are for Oxford only, whichever areas are chosen.", color="info", class_name="py-2"))
    content.append(chart_card(
        COUNCIL, council, grouped_bar_figure(council, "period", "value", "Cases"), title,
        period_change_summary(council, "cases"),
        published_caption(council), query, notices,
    ))
    return content


PAGE = Page(
    key="asb", path="/asb", title="Anti-social behaviour", nav_label="ASB",
    intro="Anti-social behaviour reported to the police, by type, and the cases Oxford City Council investigates.",
    defaults=DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL, GRAIN_CONTROL, MEASURE_CONTROL}),
    render=render, charts={c.chart_id: c for c in (TREND, BY_TYPE, COUNCIL)},
)
