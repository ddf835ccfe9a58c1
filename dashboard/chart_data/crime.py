"""Crime: the police.uk trend, the change by crime type, and the published totals beside police.uk."""

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
    police_caption,
    police_measure,
    police_trend_view,
    published_caption,
)
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.seasonal import COLUMNS as SEASONAL_COLUMNS
from dashboard.chart_data.seasonal import seasonal_data, seasonal_view
from dashboard.chart_data.series import in_area_order, published_cover_message, series_frame
from dashboard.chart_data.spec import ChartSpec, ChartView, Reader
from dashboard.charts.figures import change_by_type_figure, grouped_bar_figure
from dashboard.charts.formatting import month_label
from dashboard.charts.summaries import change_by_type_summary, yearly_change
from queries import periods
from queries.counts import change_between, counts, monthly_counts, months_by
from queries.like_for_like import DISPERSION_MONTHS, change_tests, series_dispersion
from queries.reference import ALL_CRIME, AREAS_BY_CODE, CRIME_TYPES_BY_SLUG
from queries.stats import SIGNIFICANCE_LEVEL

DEFAULTS = Filters()
PUBLISHED_SERIES = "recorded-crime"


def crime_types_text(filters: Filters) -> str:
    if not filters.crime_types:
        return "All crime (excluding anti-social behaviour)"
    return ", ".join(CRIME_TYPES_BY_SLUG[c].name for c in filters.crime_types)


def trend_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """The plotted trend: whole periods only, in the chosen area order."""
    start, end = filters.period(latest(reader))
    areas = filters.areas if end else ()
    frame = reader.get(counts, areas, filters.crime_types or None, start, end, filters.grain, True)
    return in_area_order(on_calendar(frame, filters.grain, partnership_months(reader), start, end), filters.areas)


def change_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """The first chosen area: the 12 months to the end month against the 12 before, by type."""
    end = filters.end or latest(reader)
    monthly = None
    if end is None or not filters.areas:
        frame = reader.get(change_between, (), ("2000-01", "2000-12"), ("2001-01", "2001-12"), None, True)
    else:
        # Each type's change is tested against its own monthly variation (quasi-Poisson where
        # overdispersed), not as if its counts were Poisson. Read first: its months hold both
        # compared years, so within a request their counts are sliced from it (shared_reads).
        monthly = reader.get(monthly_counts, filters.areas[:1], filters.crime_types or tuple(ALL_CRIME),
                             periods.add_months(end, -(DISPERSION_MONTHS - 1)), end, True)
        frame = reader.get(
            change_between, filters.areas[:1],
            (periods.add_months(end, -23), periods.add_months(end, -12)), (periods.add_months(end, -11), end),
            filters.crime_types or tuple(ALL_CRIME), True,
        )
    frame = frame[frame["comparable"]].copy()
    if not frame.empty and monthly is not None:
        by_type = months_by(monthly, "crime_type")
        tested = change_tests(frame["previous_count"], frame["current_count"],
                              [series_dispersion(by_type.get(t, {})) for t in frame["crime_type"]])[0].tolist()
        frame["p_value"] = pd.array(tested, dtype="Float64")
        frame["significant"] = [bool(p < SIGNIFICANCE_LEVEL) and not pd.isna(v)
                                for p, v in zip(tested, frame["percent_change"])]
    frame["crime_type_name"] = frame["crime_type"].map(lambda c: CRIME_TYPES_BY_SLUG[c].name)
    frame["p_value"] = frame["p_value"].astype("float64").round(4)
    frame["percent_change"] = frame["percent_change"].astype("float64").round(1)
    return frame


SYNTHETIC_LABEL = "synthetic demo"


def published_data(reader: Reader, filters: Filters) -> pd.DataFrame:
    """Published totals for 2020 and 2021, and police.uk's calendar-year counts beside them."""
    published = series_frame(reader, PUBLISHED_SERIES, filters)
    published = published.assign(source_label="published", year=published["period"])
    police = reader.get(counts, filters.areas, None, "2020-01", "2021-12", periods.CALENDAR_YEAR)
    # The synthetic demo's counts are labelled as such: set beside published figures they are
    # not police.uk's, and must never read as a real comparison.
    police = police[police["complete"]]
    police = police.assign(source_label=police["is_synthetic"].map({True: SYNTHETIC_LABEL, False: "data.police.uk"}),
                           year=police["period"], value=police["count"].astype("float64"))
    police = police.assign(source="data.police.uk street-level crime", source_table="", unit="count")
    columns = ["area_code", "area_name", "year", "source_label", "value", "rate_per_1000", "population",
               "source", "source_table", "is_synthetic"]
    published = published.assign(is_synthetic=False)
    frame = pd.concat([published[columns], police[columns]], ignore_index=True)
    frame["category"] = frame["year"] + " " + frame["source_label"]
    frame["rate_per_1000"] = frame["rate_per_1000"].astype("float64").round(2)
    order = {a: i for i, a in enumerate(filters.areas)}
    return frame.sort_values(["area_code", "category"], key=lambda s: s.map(order) if s.name == "area_code" else s)


TREND = ChartSpec("crime-trend", trend_data, (
    ("period", "Period"), ("period_label", "Period in words"), ("area_code", "Area code"), ("area_name", "Area"), ("count", "Crimes"),
    ("rate_per_1000", "Rate per 1,000"), ("months", "Months loaded"), ("coverage", "Months of the period loaded"), ("complete", "Complete period")))
CHANGE = ChartSpec("crime-change-by-type", change_data, (
    ("crime_type_name", "Crime type"), ("area_name", "Area"), ("previous_count", "12 months before"),
    ("current_count", "Latest 12 months"), ("percent_change", "Change (%)"), ("p_value", "p-value"),
    ("significant", "Significant (p < 0.05)")))
PUBLISHED = ChartSpec("crime-published", published_data, (
    ("category", "Year and source"), ("area_name", "Area"), ("value", "Crimes"), ("rate_per_1000", "Rate per 1,000")))
SEASONAL = ChartSpec("crime-seasonal", lambda reader, filters: seasonal_data(reader, filters, filters.crime_types or None), SEASONAL_COLUMNS)
CHARTS = (TREND, SEASONAL, CHANGE, PUBLISHED, *(partner_months.SPECS[s] for s in partner_months.CRIME_SOURCES))


def _published_summary(frame: pd.DataFrame) -> str:
    # Plain rows, not a group-by per area: a few rows, and this ran on every period.
    areas: dict[str, dict] = {}
    for code, name, label, year, value, synthetic in frame[
            ["area_code", "area_name", "source_label", "year", "value", "is_synthetic"]].itertuples(index=False):
        area = areas.setdefault(code, {"name": name, "published": {}, "police": {}, "synthetic": False})
        if label == "published":
            area["published"][year] = value
        else:
            area["police"][year] = value
            area["synthetic"] = area["synthetic"] or bool(synthetic)
    parts = []
    for area in areas.values():
        published, police = area["published"], area["police"]
        if {"2020", "2021"} <= set(published):
            text = (f"{area['name']}: {int(published['2021']):,} crimes recorded in 2021 as published, "
                    + yearly_change(published["2020"], published["2021"], [published["2020"]], "2020"))
            if "2021" in police:
                text += (f"; the synthetic demo data holds {int(police['2021']):,}, a made-up figure" if area["synthetic"]
                         else f"; police.uk street-level data holds {int(police['2021']):,}")
            parts.append(text + ".")
    return " ".join(parts) or "There are no published figures for the chosen areas."


def trend_view(reader: Reader, filters: Filters) -> ChartView:
    types = filters.crime_types or None
    return police_trend_view(TREND, trend_data(reader, filters), filters, crime_types_text(filters), "crime",
                             latest(reader), types, partnership_months(reader),
                             monthly_dispersions(reader, filters.areas, types, filters.period(latest(reader))[1]), reader)


def change_view(reader: Reader, filters: Filters) -> ChartView | None:
    """None when no area is chosen (the trend card already says to choose one)."""
    if not filters.areas:
        return None
    last = latest(reader)
    change = change_data(reader, filters)
    area = AREAS_BY_CODE[filters.areas[0]].name
    end = filters.end or last
    title = f"Change by crime type in {area}: the 12 months to {month_label(end) if end else 'the latest month'} against the 12 before"
    if change.empty:
        return ChartView.nothing_to_draw(CHANGE, title, "The 24 months needed for this comparison are not all loaded.")
    return ChartView(
        CHANGE, title, change, change_by_type_figure(change, filters.areas[0]), change_by_type_summary(change, area),
        police_caption(last, "Solid bars: statistically significant change (p < 0.05; quasi-Poisson test allowing "
                             "for each type's own monthly variation, the exact test where it varies no more than "
                             "Poisson counts); hatched bars: not significant."),
    )


def published_view(reader: Reader, filters: Filters) -> ChartView:
    published = published_data(reader, filters)
    measure = police_measure(filters)
    title = f"Recorded crime (excluding fraud) as published, beside police.uk street-level crime: {measure.words}"
    if published.empty:
        return ChartView.nothing_to_draw(
            PUBLISHED, title, published_cover_message(reader, (PUBLISHED_SERIES,), "the published totals", plural=True))
    value, axis = ("rate_per_1000", measure.axis_title) if measure.is_rate else ("value", "Crimes")
    return ChartView(
        PUBLISHED, title, published, grouped_bar_figure(published, "category", value, axis), _published_summary(published),
        published_caption(published[published["source_label"] == "published"])
        + (" The other bars are the synthetic demo data's, made up: they say nothing of the published figures."
           if published["is_synthetic"].any() else
           " police.uk street-level data leaves out some crimes and places, so its totals usually run below the "
           "published ones."),
        missing_areas_notes(published, filters.areas, "the published table"),
    )


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    return [v for v in (trend_view(reader, filters),
                             *partner_months.views(reader, filters, partner_months.CRIME_SOURCES),
                             seasonal_view(SEASONAL, reader, filters, crime_types_text(filters), "crimes", filters.crime_types or None),
                             change_view(reader, filters), dated(published_view(reader, filters), reader, "year")) if v]
