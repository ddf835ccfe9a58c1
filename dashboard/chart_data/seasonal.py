"""The seasonal view of a police.uk monthly series: one line per year across January to
December for the first chosen area, the latest year highlighted."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import CHOOSE_AN_AREA, latest, monthly_dispersions, police_caption
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartSpec, ChartView, Reader
from dashboard.charts.figures import year_by_month_figure
from dashboard.charts.formatting import number, year_span
from dashboard.charts.summaries import describe_change
from queries import periods
from queries.counts import counts
from queries.like_for_like import change_test
from queries.reference import AREAS_BY_CODE
from queries.stats import SIGNIFICANCE_LEVEL

YEARS_SHOWN = 5
COLUMNS = (("year", "Year"), ("month_name", "Month"), ("period", "Period"), ("period_label", "Period in words"),
           ("area_code", "Area code"), ("area_name", "Area"), ("count", "Count"))


def seasonal_data(reader: Reader, filters: Filters, kinds: tuple[str, ...] | None) -> pd.DataFrame:
    """Complete months of the last ``YEARS_SHOWN`` calendar years to the end month, first area."""
    end = filters.end or latest(reader)
    if end is None or not filters.areas:
        frame = reader.get(counts, (), kinds, "2000-01", "2000-01", periods.MONTH)
    else:
        start = f"{int(end[:4]) - YEARS_SHOWN + 1}-01"
        frame = reader.get(counts, filters.areas[:1], kinds, start, end, periods.MONTH, True)
    frame = frame[frame["complete"]].sort_values("period").reset_index(drop=True)
    frame["year"] = frame["period"].str[:4]
    frame["month_name"] = [periods.MONTH_NAMES[int(p[5:7]) - 1] for p in frame["period"]]
    frame["period_label"] = [periods.month_in_words(p) for p in frame["period"]]
    return frame[[c for c, _ in COLUMNS]]


def seasonal_summary(frame: pd.DataFrame, noun: str, dispersion: tuple[float, int] | None = None) -> str:
    """The latest year's loaded months against the same months a year earlier: only months
    loaded in both years are summed (a month missing in the earlier year is not a zero).
    ``dispersion`` (from the monthly series) makes the test quasi-Poisson."""
    area = frame["area_name"].iloc[0]
    years = sorted(frame["year"].unique())
    latest_year = years[-1]
    now = frame[frame["year"] == latest_year].set_index("month_name")["count"]
    text = f"{area}, one line per year; {latest_year} is highlighted ({len(now)} of 12 months loaded)."
    if len(years) < 2:
        return text + " No earlier year is loaded to compare with."
    before = frame[frame["year"] == str(int(latest_year) - 1)].set_index("month_name")["count"]
    shared = [m for m in now.index if m in before.index]
    if not shared:
        return text + f" No month of {latest_year} has its month of {int(latest_year) - 1} loaded."
    this, last = int(now[shared].sum()), int(before[shared].sum())
    change = (this - last) / last * 100 if last else None
    number_of = {name: f"{latest_year}-{i + 1:02d}" for i, name in enumerate(periods.MONTH_NAMES)}
    span = periods.months_list_in_words([number_of[m] for m in shared], newest_first=False)
    higher = sum(int(now[m]) > int(before[m]) for m in shared)
    p_value, _test = change_test(last, this, dispersion)
    return (text + f" {span}: {number(this)} {noun}, {describe_change(change, p_value < SIGNIFICANCE_LEVEL)} on the same "
            f"months of {int(latest_year) - 1} ({number(last)}); {higher} of {len(shared)} months were higher.")


def seasonal_view(spec: ChartSpec, reader: Reader, filters: Filters, subject: str, noun: str,
                  kinds: tuple[str, ...] | None) -> ChartView:
    area = AREAS_BY_CODE[filters.areas[0]].name if filters.areas else ""
    title = f"{subject} by month of the year" + (f" in {area}" if area else "")
    if not filters.areas:
        return ChartView.nothing_to_draw(spec, title, CHOOSE_AN_AREA)
    frame = seasonal_data(reader, filters, kinds)
    if frame.empty:
        return ChartView.nothing_to_draw(spec, title, "No complete month is loaded for this area.")
    # The years actually drawn (up to YEARS_SHOWN, fewer where fewer are loaded).
    title += f", {year_span(frame['year'])}"
    dispersion = monthly_dispersions(reader, filters.areas[:1], kinds, filters.end or latest(reader)).get(filters.areas[0])
    return ChartView(spec, title, frame, year_by_month_figure(frame, noun.capitalize()),
                     seasonal_summary(frame, noun, dispersion),
                     police_caption(latest(reader), f"The first chosen area only ({area}). Earlier years are grey with "
                                                    "different dashes; a year with months not loaded shows those loaded."))
