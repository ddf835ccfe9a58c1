"""Figure and summary builders on small DataFrames: traces, values, colours and words."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.charts.figures import (
    NOT_SIGNIFICANT,
    area_colours,
    change_by_type_figure,
    grouped_bar_figure,
    trend_figure,
)
from dashboard.charts.summaries import (
    bars_summary,
    change_sentence,
    describe_change,
    period_change_summary,
    trend_summary,
)
from queries.reference import AREAS, OXFORD, OXFORDSHIRE, THAMES_VALLEY, force_of


def trend_frame():
    return pd.DataFrame({
        "period": ["2024-01", "2024-02", "2024-01", "2024-02"],
        "first_month": ["2024-01", "2024-02", "2024-01", "2024-02"],
        "area_code": [OXFORD, OXFORD, THAMES_VALLEY, THAMES_VALLEY],
        "area_name": ["Oxford", "Oxford", "Thames Valley", "Thames Valley"],
        "count": [100, 110, 1000, 990],
        "rate_per_1000": [0.6597, 0.7257, 0.4112, 0.4071],
        "complete": [True, True, True, True],
    })


def test_trend_figure_has_one_line_per_area_in_its_colour():
    figure = trend_figure(trend_frame(), "count", "month")
    assert [t.name for t in figure.data] == ["Oxford", "Thames Valley"]
    assert list(figure.data[0].y) == [100, 110]
    assert list(figure.data[1].x) == ["2024-01-01", "2024-02-01"]
    assert figure.data[0].line.color == area_colours()[OXFORD]
    assert figure.layout.yaxis.title.text == "Count"


def test_trend_figure_rounds_rates_to_two_places():
    figure = trend_figure(trend_frame(), "rate_per_1000", "month")
    assert list(figure.data[0].y) == [0.66, 0.73]
    assert figure.layout.yaxis.title.text == "Rate per 1,000 residents"


def test_change_by_type_figure_marks_significance_without_relying_on_colour():
    frame = pd.DataFrame({
        "crime_type_name": ["Burglary", "Robbery"], "percent_change": [-20.0, 5.0], "significant": [True, False],
    })
    figure = change_by_type_figure(frame, OXFORD)
    bar = figure.data[0]
    assert list(bar.y) == ["Burglary", "Robbery"] and list(bar.x) == [-20.0, 5.0]
    assert list(bar.text) == ["-20% (significant)", "+5%"]
    assert list(bar.marker.pattern.shape) == ["", "/"]
    assert list(bar.marker.line.color) == [area_colours()[OXFORD], NOT_SIGNIFICANT]


def test_grouped_bars_with_confidence_intervals():
    frame = pd.DataFrame({
        "area_code": [OXFORD, OXFORDSHIRE], "area_name": ["Oxford", "Oxfordshire"], "category": ["Race", "Race"],
        "value": [2.0, 1.0], "low": [1.5, 0.9], "high": [2.6, 1.2],
    })
    figure = grouped_bar_figure(frame, "category", "value", "Rate", "low", "high")
    assert [t.name for t in figure.data] == ["Oxford", "Oxfordshire"]
    assert list(figure.data[0].error_y.array) == [0.6] and list(figure.data[0].error_y.arrayminus) == [0.5]


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_area_colour_has_3_to_1_contrast_on_white_and_is_unique():
    # The default partnership's force has 15 areas (the force, Oxfordshire, 13 districts): one colour each.
    colours = area_colours()
    assert set(colours) == {a.code for a in AREAS if force_of(a.code) == "E23000029"}
    assert len(set(colours.values())) == len(colours) == 15
    for colour in [*colours.values(), NOT_SIGNIFICANT]:
        ratio = (1.0 + 0.05) / (relative_luminance(colour) + 0.05)
        assert ratio >= 3.0, (colour, ratio)


def test_describe_change_wording():
    assert describe_change(10.2, False) == "up 10%, not a significant change"
    assert describe_change(-12.6, True) == "down 13%, a statistically significant fall"
    assert describe_change(0.3, False) == "unchanged (less than 1% difference), not a significant change"
    assert describe_change(None, False) == "no earlier figure to compare with"


def test_change_sentence_reads_like_the_partnership_would_write_it():
    change = pd.DataFrame({
        "area_name": ["Oxford", "Oxfordshire", "Thames Valley"], "percent_change": [10.17, 11.02, 8.96],
        "significant": [True, True, False], "comparable": [True, True, True],
    })
    assert change_sentence(change, "Recorded crime", "2021") == (
        "Recorded crime in Oxford rose 10% in 2021, a statistically significant rise; "
        "Oxfordshire rose 11% (significant) and Thames Valley rose 9% (not significant)."
    )


def test_small_rates_keep_two_decimals():
    assert trend_summary(trend_frame(), "rate_per_1000", "crime").startswith(
        "Oxford: 0.73 per 1,000 residents in February 2024; the same period a year earlier is not loaded")


def test_trend_and_bar_summaries():
    # Two months only: January against February would compare seasons, so no change is stated.
    assert trend_summary(trend_frame(), "count", "crime") == (
        "Oxford: 110 in February 2024; the same period a year earlier is not loaded, so no change is stated. "
        "Thames Valley: 990 in February 2024; the same period a year earlier is not loaded, so no change is stated."
    )
    bars = pd.DataFrame({"area_code": [OXFORD] * 2, "area_name": ["Oxford"] * 2, "category": ["Race", "Faith"],
                         "value": [420, 40]})
    assert bars_summary(bars, "value", "category") == "Oxford: highest for race (420)."
    # One category (the published modern slavery table): nothing to be highest among.
    alone = pd.DataFrame({"area_code": [OXFORD], "area_name": ["Oxford"], "category": ["Modern slavery"], "value": [73]})
    assert bars_summary(alone, "value", "category") == "Oxford: modern slavery, 73."
    years = pd.DataFrame({"area_code": [OXFORD] * 2, "area_name": ["Oxford"] * 2, "period": ["2020", "2021"],
                          "period_start": ["2020-01", "2021-01"], "value": [3609.0, 3733.0]})
    # Two years say nothing of the usual difference between years: no verdict either way.
    assert period_change_summary(years, "cases") == ("Oxford: 3,733 cases in 2021, up 3% on 2020, too few earlier "
                                                     "years to tell that from the usual difference between years.")
    # Nor do three: the two before the latest give one degree of freedom for their spread.
    three = pd.concat([years.iloc[:1].assign(period="2019", period_start="2019-01", value=2800.0), years],
                      ignore_index=True)
    assert period_change_summary(three, "cases").endswith("up 3% on 2020, too few earlier years to tell that from the "
                                                          "usual difference between years.")


def test_a_yearly_change_is_judged_against_the_spread_of_the_years_before():
    import math

    from scipy.stats import t

    values = [3000.0, 3400.0, 3100.0, 3733.0]
    years = pd.DataFrame({"area_code": [OXFORD] * 4, "area_name": ["Oxford"] * 4,
                          "period": ["2018", "2019", "2020", "2021"],
                          "period_start": ["2018-01", "2019-01", "2020-01", "2021-01"], "value": values})
    before = values[:-1]  # the latest year's spread is not its own yardstick
    mean = sum(before) / 3
    phi = sum((v - mean) ** 2 for v in before) / 2 / mean  # s^2 / mean: about 22, far above Poisson's 1
    z = math.log(3733 / 3100) / math.sqrt(phi * (1 / 3733 + 1 / 3100))
    p = 2 * t.sf(abs(z), 2)
    assert phi > 1 and p > 0.05  # a Poisson test would call 3,100 to 3,733 significant
    assert period_change_summary(years, "cases") == "Oxford: 3,733 cases in 2021, up 20%, not a significant change on 2020."
    years.loc[3, "value"] = 6000.0
    z = math.log(6000 / 3100) / math.sqrt(phi * (1 / 6000 + 1 / 3100))
    assert 2 * t.sf(abs(z), 2) < 0.05
    assert period_change_summary(years, "cases") == (
        "Oxford: 6,000 cases in 2021, up 94%, a statistically significant rise on 2020.")


@pytest.mark.parametrize("frame", [pd.DataFrame(columns=["area_code", "area_name", "value", "category"])])
def test_summaries_of_nothing_say_so(frame):
    assert bars_summary(frame, "value", "category") == "There are no figures for this selection."


def seasonal_months(values: dict[str, int]) -> pd.DataFrame:
    months = sorted(values)
    return pd.DataFrame({
        "period": months, "first_month": months, "last_month": months, "area_code": OXFORD, "area_name": "Oxford",
        "count": [values[m] for m in months], "rate_per_1000": [values[m] / 163.257 for m in months], "complete": True,
    })


def test_monthly_summary_compares_the_same_month_a_year_earlier():
    from scipy.stats import binomtest

    # A strong summer peak: December is low every year. Against January 2023 (the first
    # point) December 2024 would look like a fall; against December 2023 it is a rise.
    season = [300, 280, 320, 360, 420, 480, 520, 500, 420, 360, 300, 200]
    values = {f"{y}-{m:02d}": season[m - 1] for y in (2023, 2024) for m in range(1, 13)}
    values["2024-12"] = 240
    text = trend_summary(seasonal_months(values), "count", "crime")
    p = binomtest(240, 440, 0.5).pvalue  # December 2024 given both Decembers, equal lengths
    assert p > 0.05
    assert text.startswith("Oxford: 240 in December 2024, up 20%, not a significant change on December 2023.")
    values["2024-12"] = 320
    assert binomtest(320, 520, 0.5).pvalue < 0.05
    assert "up 60%, a statistically significant rise on December 2023" in trend_summary(
        seasonal_months(values), "count", "crime")


def test_quarterly_and_rolling_summaries_use_words_and_like_periods():
    quarters = pd.DataFrame({
        "period": ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"],
        "first_month": ["2023-07", "2023-10", "2024-01", "2024-04", "2024-07"],
        "last_month": ["2023-09", "2023-12", "2024-03", "2024-06", "2024-09"],
        "area_code": OXFORD, "area_name": "Oxford", "count": [1000, 700, 650, 800, 900], "complete": True,
    })
    assert trend_summary(quarters, "count", "crime").startswith(
        "Oxford: 900 in July to September 2024, down 10%, a statistically significant fall on July to September 2023.")
    rolling = pd.DataFrame({
        "period": ["2023-03", "2024-03"], "first_month": ["2022-04", "2023-04"], "last_month": ["2023-03", "2024-03"],
        "area_code": OXFORD, "area_name": "Oxford", "count": [12000, 12100], "complete": True,
    })
    assert trend_summary(rolling, "count", "crime") == (
        "Oxford: 12,100 in the 12 months to March 2024, up 1%, not a significant change on the 12 months to March 2023.")


def test_months_outside_ordinary_variation_are_named():
    import numpy as np
    from scipy.stats import t

    values = {f"2023-{m:02d}": 100 for m in range(1, 13)} | {f"2024-{m:02d}": 100 for m in range(1, 13)}
    # Hand calculation: against twelve months of 100 (no spread, so Poisson dispersion 1) the
    # upper limit is 100 + t(11) * sqrt(100 * (1 + 1/12)) at the 0.27% two-sided rate.
    upper = 100 + t.ppf(1 - 0.0027 / 2, 11) * np.sqrt(100 * 13 / 12)
    values["2024-05"] = int(upper) + 1
    # August 2024 against September 2023 to July 2024, which includes May's high month.
    baseline = np.array([100] * 11 + [values["2024-05"]], dtype=float)
    phi = max(1.0, baseline.var(ddof=1) / baseline.mean())
    lower = baseline.mean() - t.ppf(1 - 0.0027 / 2, 11) * np.sqrt(phi * baseline.mean() * 13 / 12)
    values["2024-08"] = int(lower) - 1
    text = trend_summary(seasonal_months(values), "count", "crime")
    assert "2 of the 15 months checked" in text and "August 2024 (below), May 2024 (above)" in text
    assert "each lie outside ordinary variation" in text
    values["2024-08"] = 100  # May alone is outside: one month "lies", not "lie"
    assert "1 of the 15 months checked against the 12 calendar months before each lies outside ordinary " \
           "variation: May 2024 (above)." in trend_summary(seasonal_months(values), "count", "crime")
    values["2024-05"], values["2024-08"] = int(upper), 100  # just inside the upper limit: ordinary
    assert "Every one of the 15 months checked" in trend_summary(seasonal_months(values), "count", "crime")


def test_a_few_months_get_one_tick_a_month_and_years_plotlys_own():
    """Over five months plotly's own date ticks fell between months and printed each month's
    name two or three times; a long range keeps plotly's choice."""
    from queries import periods

    def frame(months):
        return pd.DataFrame({"period": months, "first_month": months, "area_code": OXFORD, "area_name": "Oxford",
                             "count": 10, "rate_per_1000": 0.1, "complete": True})

    short = trend_figure(frame(periods.months_between("2023-12", "2024-04")), "count", "month")
    long = trend_figure(frame(periods.months_between("2022-01", "2024-12")), "count", "month")
    assert short.layout.xaxis.dtick == "M1" and short.layout.xaxis.tickformat == "%B %Y"
    assert long.layout.xaxis.dtick is None


def test_names_mid_sentence_keep_their_acronyms():
    from dashboard.charts.formatting import mid_sentence

    assert mid_sentence("Violence and sexual offences") == "violence and sexual offences"
    assert mid_sentence("A&E assault attendances (ISTV)") == "A&E assault attendances (ISTV)"
    assert mid_sentence("ASB reports") == "ASB reports"
    assert mid_sentence("") == ""
