"""Anti-social behaviour: the police.uk trend, incidents by type and the council's cases."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data import partner_months
from dashboard.chart_data.common import (
    dated,
    latest,
    missing_areas_notes,
    monthly_dispersions,
    on_calendar,
    partnership_months,
    police_trend_view,
    published_caption,
    requested_measure_words,
    series_measure,
)
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.seasonal import COLUMNS as SEASONAL_COLUMNS
from dashboard.chart_data.seasonal import seasonal_data, seasonal_view
from dashboard.chart_data.series import (
    home_series_areas,
    in_area_order,
    published_cover_message,
    series_frame,
    series_title,
)
from dashboard.chart_data.spec import ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import grouped_bar_figure
from dashboard.charts.formatting import list_names
from dashboard.charts.summaries import bars_summary, period_change_summary
from queries.counts import counts
from queries.reference import ASB

DEFAULTS = Filters()


def trend_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """The plotted trend: whole periods only, in the chosen area order."""
    start, end = filters.period(latest(reader))
    frame = reader.get(counts, filters.areas if end else (), (ASB,), start, end, filters.grain, True)
    return in_area_order(on_calendar(frame, filters.grain, partnership_months(reader), start, end), filters.areas)


def by_type_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    frame = series_frame(reader, "police-asb-incidents-by-type", filters)
    frame["rate_per_1000"] = frame["rate_per_1000"].round(2)
    return frame


COUNCIL_SERIES = "council-asb-cases"


def council_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """The council's own cases, for the one area the council serves (whichever areas are chosen),
    when that is the partnership's home area."""
    areas = home_series_areas(reader, COUNCIL_SERIES)
    frame = series_frame(reader, COUNCIL_SERIES, filters.with_changes(areas=areas or filters.areas))
    return frame if areas else frame.head(0)


TREND = ChartSpec("asb-trend", trend_data, (
    ("period", "Period"), ("period_label", "Period in words"), ("area_code", "Area code"), ("area_name", "Area"), ("count", "Incidents"),
    ("rate_per_1000", "Rate per 1,000"), ("months", "Months loaded"), ("coverage", "Months of the period loaded"), ("complete", "Complete period")))
BY_TYPE = ChartSpec("asb-by-type", by_type_data, (
    ("category", "Type"), ("area_name", "Area"), ("value", "Incidents"), ("rate_per_1000", "Rate per 1,000"),
    ("rate_low", "95% CI low"), ("rate_high", "95% CI high")))
COUNCIL = ChartSpec("asb-council-cases", council_data,
                    (("period", "Year"), ("area_name", "Area"), ("value", "Cases"), ("note", "Note")))
SEASONAL = ChartSpec("asb-seasonal", lambda reader, filters: seasonal_data(reader, filters, (ASB,)), SEASONAL_COLUMNS)
CHARTS = (TREND, SEASONAL, BY_TYPE, COUNCIL, *(partner_months.SPECS[s] for s in partner_months.ASB_SOURCES))


def trend_view(reader: Reader, filters: Filters) -> ChartView:
    return police_trend_view(TREND, trend_data(reader, filters), filters,
                             "Anti-social behaviour incidents recorded by the police", "anti-social behaviour",
                             latest(reader), (ASB,), partnership_months(reader),
                             monthly_dispersions(reader, filters.areas, (ASB,), filters.period(latest(reader))[1]), reader)


def by_type_view(reader: Reader, filters: Filters) -> ChartView:
    by_type = by_type_data(reader, filters)
    title = f"Police-recorded anti-social behaviour by type, 2021: {requested_measure_words(filters)}"
    if by_type.empty:
        return ChartView.nothing_to_draw(
            BY_TYPE, title, published_cover_message(reader, ("police-asb-incidents-by-type",), "this published table"))
    measure = series_measure(filters, by_type, "Incidents")
    rate = measure.is_rate
    return ChartView(
        BY_TYPE, title, by_type,
        grouped_bar_figure(by_type, "category", measure.column, measure.axis_title,
                           "rate_low" if rate else None, "rate_high" if rate else None),
        bars_summary(by_type, measure.column, "category", " per 1,000" if rate else ""),
        published_caption(by_type) + (" Error bars: 95% confidence intervals." if rate else ""),
        missing_areas_notes(by_type, filters.areas, "the published table"),
    )


def council_view(reader: Reader, filters: Filters) -> ChartView:
    council = council_data(reader, filters)
    if council.empty:
        return ChartView.nothing_to_draw(COUNCIL, "Anti-social behaviour cases investigated by the council, by year",
                                         published_cover_message(reader, (COUNCIL_SERIES,), "this published table"))
    title = series_title(reader, COUNCIL_SERIES, "Anti-social behaviour cases investigated by the council") + ", by year"
    served = set(council["area_code"])
    notes = () if served & set(filters.areas) else (
        Note(f"The council's cases are for {list_names(list(dict.fromkeys(council['area_name'])))} only, "
             "whichever areas are chosen."),)
    return ChartView(
        COUNCIL, title, council,
        grouped_bar_figure(council, "period", "value", "Cases"), period_change_summary(council, "cases"),
        published_caption(council), notes,
    )


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    return [trend_view(reader, filters), *partner_months.views(reader, filters, partner_months.ASB_SOURCES),
            seasonal_view(SEASONAL, reader, filters, "Anti-social behaviour", "incidents", (ASB,)),
            dated(by_type_view(reader, filters), reader), dated(council_view(reader, filters), reader)]
