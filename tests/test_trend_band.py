"""The band of ordinary variation on monthly trends, and period labels in words.

Limits are checked against a hand calculation of the quasi-Poisson prediction limits (the
mean of the 12 calendar months before, widened by their own dispersion), never against the
function under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import t as student_t

from dashboard.charts.figures import trend_figure
from dashboard.charts.formatting import period_label
from queries.reference import OXFORD, OXFORDSHIRE

# 14 planted months: twelve alternate 90 and 110 (mean 100), then 160 (far above) and then
# 100 (ordinary against the 12 before it, whose mean and spread include the 160).
PLANTED = [90, 110] * 6 + [160, 100]
MONTHS = [f"{2023 + (i // 12)}-{i % 12 + 1:02d}" for i in range(len(PLANTED))]


def _frame(code: str, name: str, counts: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"period": MONTHS, "first_month": MONTHS, "last_month": MONTHS, "area_code": code,
                         "area_name": name, "count": counts, "rate_per_1000": [c / 160 for c in counts],
                         "complete": True})


def test_band_limits_equal_the_hand_calculation_and_the_outlier_is_marked():
    frame = pd.concat([_frame(OXFORD, "Oxford", PLANTED), _frame(OXFORDSHIRE, "Oxfordshire", [500] * 14)])
    figure = trend_figure(frame, "count", "month")
    band = [t for t in figure.data if t.fill == "tonexty"]
    assert len(band) == 1 and band[0].name == "Ordinary variation (Oxford)"  # the first area only
    upper = figure.data[list(figure.data).index(band[0]) - 1]
    # Hand calculation: October to December 2023 against the 9 to 11 loaded months of 2023
    # before them, January 2024 against the 12 months of 2023, February 2024 against
    # February 2023 to January 2024 (11 of the alternating months plus 160).
    def limits(baseline):
        baseline = np.array(baseline, dtype=float)
        n, mean = len(baseline), baseline.mean()
        phi = max(1.0, baseline.var(ddof=1) / mean)
        half = student_t.ppf(1 - 0.0027 / 2, n - 1) * np.sqrt(phi * mean * (1 + 1 / n))
        return round(mean - half, 1), round(mean + half, 1)

    expected = [limits(PLANTED[:k]) for k in (9, 10, 11, 12)] + [limits(PLANTED[1:13])]
    assert list(band[0].y)[-5:] == [low for low, _ in expected]
    assert list(upper.y)[-5:] == [high for _, high in expected]
    assert list(band[0].y)[:9] == [None] * 9  # fewer than 9 of the 12 months before are loaded
    assert list(band[0].x)[-5:] == ["2023-10-01", "2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01"]
    marked = [t for t in figure.data if t.name == "Outside ordinary variation (Oxford)"]
    assert len(marked) == 1
    assert list(marked[0].x) == ["2024-01-01"] and list(marked[0].y) == [160.0]
    assert list(marked[0].marker.symbol) == ["triangle-up"]  # a shape, not colour alone
    # The lines are drawn over the shading, in the chosen area order.
    lines = [t.name for t in figure.data if t.mode and "lines" in t.mode and t.showlegend is not False and not t.fill]
    assert lines == ["Oxford", "Oxfordshire"]
    assert figure.data.index(band[0]) < [t.name for t in figure.data].index("Oxford")


def test_band_is_only_for_monthly_counts():
    frame = _frame(OXFORD, "Oxford", PLANTED)
    assert not [t for t in trend_figure(frame, "rate_per_1000", "month").data if t.fill]
    short = frame.iloc[:9]  # no month has 9 of its 12 months before loaded
    assert not [t for t in trend_figure(short, "count", "month").data if t.fill]


def test_period_labels_in_words():
    assert period_label("2025-Q3") == "July to September 2025"
    assert period_label("2025-Q1") == "January to March 2025"
    assert period_label("2024-Q4") == "October to December 2024"
    assert period_label("2024/25") == "2024/25"
    assert period_label("2019/20") == "2019/20"
    assert period_label("2024-03") == "March 2024"
    assert period_label("2023-12") == "December 2023"
    assert period_label("2024") == "2024"
    assert period_label("not a period") == "not a period"


def test_quarterly_axis_uses_words():
    quarters = pd.DataFrame({"period": ["2025-Q2", "2025-Q3"], "first_month": ["2025-04", "2025-07"],
                             "area_code": OXFORD, "area_name": "Oxford", "count": [300, 320], "complete": True})
    figure = trend_figure(quarters, "count", "quarter")
    assert list(figure.data[0].x) == ["April to June 2025", "July to September 2025"]


def test_seasonal_view_has_a_line_per_year_and_highlights_the_latest():
    from scipy.stats import binomtest

    from dashboard.chart_data.seasonal import seasonal_summary
    from dashboard.charts.figures import year_by_month_figure

    # 2023 complete; 2024 loaded to March only.
    months = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01", "2024-02", "2024-03"]
    values = [100 + m for m in range(12)] + [150, 90, 130]
    names = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
    frame = pd.DataFrame({"year": [m[:4] for m in months], "month_name": [names[int(m[5:]) - 1] for m in months],
                          "period": months, "period_label": [f"{names[int(m[5:]) - 1]} {m[:4]}" for m in months],
                          "area_code": OXFORD, "area_name": "Oxford", "count": values})
    figure = year_by_month_figure(frame, "Crimes")
    assert [t.name for t in figure.data] == ["2023", "2024"]
    earlier, latest = figure.data
    assert list(earlier.x) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert list(earlier.y) == [100.0 + m for m in range(12)]
    assert list(latest.x) == ["Jan", "Feb", "Mar"] and list(latest.y) == [150.0, 90.0, 130.0]  # what is loaded
    assert latest.line.width > earlier.line.width and latest.line.dash == "solid" and earlier.line.dash != "solid"
    assert earlier.line.color.upper() in ("#9E9E9E", "#858585", "#6E6E6E", "#5C5C5C")
    text = seasonal_summary(frame, "crimes")
    # January to March 2024: 370 against 100 + 101 + 102 = 303 in 2023, up 22%.
    assert "2024 is highlighted (3 of 12 months loaded)" in text
    assert "January to March 2024: 370 crimes, up 22%" in text and "(303)" in text
    significant = binomtest(370, 673, 0.5).pvalue < 0.05
    assert ("statistically significant rise" in text) == significant
    assert "2 of 3 months were higher" in text


def test_the_legend_keeps_the_chosen_order_with_the_band():
    frame = pd.concat([_frame(OXFORD, "Oxford", PLANTED), _frame(OXFORDSHIRE, "Oxfordshire", [500] * 14)])
    assert trend_figure(frame, "count", "month").layout.legend.traceorder == "normal"


class _Direct:
    """A cache that always asks the database."""

    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def test_seasonal_title_names_the_years_drawn(sqlite_engine):
    from dashboard.chart_data.crime import SEASONAL
    from dashboard.chart_data.filters import Filters
    from dashboard.chart_data.seasonal import seasonal_view
    from dashboard.chart_data.spec import Reader

    from .helpers import seed_counts

    reader, filters = Reader(_Direct(sqlite_engine)), Filters(areas=(OXFORD,), crime_types=("burglary",))
    seed_counts(sqlite_engine, {f"2025-{m:02d}": 10 + m for m in range(6, 13)} | {"2026-01": 9, "2026-02": 12})
    view = seasonal_view(SEASONAL, reader, filters, "Burglary", "burglaries", ("burglary",))
    assert view.title == "Burglary by month of the year in Oxford, 2025 and 2026"  # not "the last 5 years"
    seed_counts(sqlite_engine, {"2023-11": 8, "2023-12": 7})  # 2024 has no month loaded
    view = seasonal_view(SEASONAL, reader, filters, "Burglary", "burglaries", ("burglary",))
    assert view.title == "Burglary by month of the year in Oxford, 2023, 2025 and 2026"
    assert sorted(view.frame["year"].unique()) == ["2023", "2025", "2026"]
    seed_counts(sqlite_engine, {"2024-05": 9})
    view = seasonal_view(SEASONAL, reader, filters, "Burglary", "burglaries", ("burglary",))
    assert view.title == "Burglary by month of the year in Oxford, 2023 to 2026"


def test_period_spans_in_words():
    from dashboard.charts.formatting import period_span

    assert period_span("2022-10", "2025-09") == "October 2022 to September 2025"
    assert period_span("2018-Q2", "2021-Q4") == "April 2018 to December 2021"
    assert period_span("2019/20", "2023/24") == "2019/20 to 2023/24"
    assert period_span("2025-Q3", "2025-Q3") == "July to September 2025"


def test_tables_and_image_details_name_periods_in_words_and_the_csv_keeps_codes():
    from dashboard.chart_data.crime import TREND
    from dashboard.chart_data.spec import ChartView
    from dashboard.documents.csv_output import chart_csv
    from dashboard.widgets.chart_section import image_meta, table_in_words

    frame = pd.DataFrame({"period": ["2025-Q2", "2025-Q3"], "period_label": ["April to June 2025", "July to September 2025"],
                          "first_month": ["2025-04", "2025-07"], "area_code": OXFORD, "area_name": "Oxford",
                          "count": [300, 320], "rate_per_1000": [1.9, 2.0], "months": 3, "coverage": "3 of 3 months",
                          "complete": True})
    view = ChartView(TREND, "Crime by quarter", frame)
    shown, columns = table_in_words(view)
    assert list(shown["period"]) == ["April to June 2025", "July to September 2025"]
    assert [label for key, label in columns if key.startswith("period")] == ["Period"]  # one period column
    assert "Period: April to September 2025." in image_meta(view, "?area=E07000178")["details"]
    csv_lines = chart_csv(TREND, frame).splitlines()
    assert csv_lines[0].startswith("Period,Period in words,")
    assert csv_lines[1].startswith("2025-Q2,April to June 2025,")


def test_a_quarterly_partner_series_reads_in_words(sqlite_engine, tmp_path):
    from dashboard.chart_data.domestic_abuse import partner_views
    from dashboard.chart_data.filters import Filters
    from dashboard.chart_data.spec import Audience, Reader
    from dashboard.widgets.chart_section import table_in_words
    from queries.importers.series import import_series

    lines = ["series_id,title,theme,unit,area_code,period,value,source,sensitive"]
    lines += [f"da-calls,Calls to the helpline,domestic-abuse,count,{OXFORD},{q},{v},Helpline,no"
              for q, v in (("2025-Q2", 40), ("2025-Q3", 52), ("2024-Q4", 31))]
    path = tmp_path / "da-calls.csv"
    path.write_text("\n".join(lines) + "\n")
    import_series(sqlite_engine, path, kind="partner")
    reader = Reader(_Direct(sqlite_engine), Audience(partner=True))
    (view,) = [v for v in partner_views(reader, Filters(areas=(OXFORD,))) if v.spec.chart_id == "series-da-calls"]
    assert view.summary == ("Calls to the helpline: latest July to September 2025. No figure for January to March "
                            "2025: its place on the axis is left empty.")
    # January to March 2025 keeps its place, empty, rather than October to December 2024
    # sitting beside April to June 2025 as if consecutive.
    assert list(view.figure.data[0].x) == ["October to December 2024", "January to March 2025", "April to June 2025",
                                           "July to September 2025"]
    assert pd.isna(view.figure.data[0].y[1])  # sent as null: no bar
    frame, _ = table_in_words(view)
    assert list(frame["period"]) == ["October to December 2024", "April to June 2025", "July to September 2025"]


def test_seasonal_comparison_leaves_out_a_month_missing_in_the_earlier_year():
    """2024 lacks March. Hand calculation on January, February and April only: 120 + 100 + 95
    = 315 in 2025 against 100 + 110 + 90 = 300 in 2024, up 5%; 2 of the 3 months higher.
    Counting March 2024 as zero would add March 2025's 150 and read up 55%."""
    from dashboard.chart_data.seasonal import seasonal_summary

    values = {"2024-01": 100, "2024-02": 110, "2024-04": 90, "2025-01": 120, "2025-02": 100, "2025-03": 150,
              "2025-04": 95}
    names = ["January", "February", "March", "April"]
    frame = pd.DataFrame({"year": [m[:4] for m in values], "month_name": [names[int(m[5:]) - 1] for m in values],
                          "period": list(values), "period_label": "", "area_code": OXFORD, "area_name": "Oxford",
                          "count": list(values.values())})
    text = seasonal_summary(frame, "crimes")
    assert "January to February 2025 and April 2025: 315 crimes, up 5%" in text
    assert "(300)" in text and "2 of 3 months were higher" in text
