"""The seasonal view of a police.uk monthly series: one line per year across January to
December for the first chosen area, the latest year highlighted."""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import CHOOSE_AN_AREA, latest, monthly_dispersions, police_caption
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartSpec, ChartView, Reader
from dashboard.charts.figures import months_by_year, year_by_month_figure
from dashboard.charts.formatting import number, year_span
from dashboard.charts.summaries import describe_change
from queries import periods
from queries.areas import area_name
from queries.counts import monthly_counts
from queries.like_for_like import change_test
from queries.reference import AREAS_BY_CODE
from queries.stats import SIGNIFICANCE_LEVEL

YEARS_SHOWN = 5
COLUMNS = (("year", "Year"), ("month_name", "Month"), ("period", "Period"), ("period_label", "Period in words"),
           ("area_code", "Area code"), ("area_name", "Area"), ("count", "Count"))


def seasonal_data(reader: Reader, filters: Filters, kinds: tuple[str, ...] | None) -> pd.DataFrame:
    """Complete months of the last ``YEARS_SHOWN`` calendar years to the end month, first area.

    Read as monthly counts (a row for each loaded month, so each a whole month): the view
    shows counts only, and the rates a trend's read works out are not needed here."""
    end = filters.end or latest(reader)
    if end is None or not filters.areas:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "count" else "str") for c, _ in COLUMNS})
    start = f"{int(end[:4]) - YEARS_SHOWN + 1}-01"
    monthly = reader.get(monthly_counts, filters.areas[:1], kinds, start, end, False, True)
    months = monthly["month"].tolist()
    codes = monthly["area_code"].tolist()
    names = {code: area_name(code) for code in set(codes)}
    return pd.DataFrame({
        "year": pd.array([m[:4] for m in months], dtype="str"),
        "month_name": pd.array([periods.MONTH_NAMES[int(m[5:7]) - 1] for m in months], dtype="str"),
        "period": pd.array(months, dtype="str"),
        "period_label": pd.array([periods.month_in_words(m) for m in months], dtype="str"),
        "area_code": pd.array(codes, dtype="str"),
        "area_name": pd.array([names[c] for c in codes], dtype="str"),
        "count": monthly["count"].to_numpy(dtype="int64"),
    })


def seasonal_summary(frame: pd.DataFrame, noun: str, dispersion: tuple[float, int] | None = None) -> str:
    """The latest year's loaded months against the same months a year earlier: only months
    loaded in both years are summed (a month missing in the earlier year is not a zero).
    ``dispersion`` (from the monthly series) makes the test quasi-Poisson."""
    area = frame["area_name"].iloc[0]
    by_year = months_by_year(frame)
    years = sorted(by_year)
    latest_year = years[-1]
    now = by_year[latest_year]
    text = f"{area}, one line per year; {latest_year} is highlighted ({len(now)} of 12 months loaded)."
    if len(years) < 2:
        return text + " No earlier year is loaded to compare with."
    before = by_year.get(str(int(latest_year) - 1), {})
    shared = [m for m in now if m in before]
    if not shared:
        return text + f" No month of {latest_year} has its month of {int(latest_year) - 1} loaded."
    this, last = sum(int(now[m]) for m in shared), sum(int(before[m]) for m in shared)
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
