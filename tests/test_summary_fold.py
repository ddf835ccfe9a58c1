"""On a phone each chart opens with its summary's first sentence and folds the rest into a
disclosure; a wide screen shows the whole summary as one paragraph."""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.chart_data.spec import ChartSpec, ChartView, split_summary
from dashboard.charts.figures import trend_figure
from dashboard.widgets.chart_section import chart_card

from .pagetools import walk

SPEC = ChartSpec("crime-trend", lambda reader, filters: None, (("period", "Period"),))


def test_the_headline_is_the_first_sentence_and_decimals_do_not_end_it():
    summary = ("Oxford: 2.77 per 1,000 in March 2024, up 10%, not a significant change (p < 0.05 is needed). "
               "July 2025 and February to May 2024 not loaded: the line breaks there.")
    assert split_summary(summary) == (
        "Oxford: 2.77 per 1,000 in March 2024, up 10%, not a significant change (p < 0.05 is needed).",
        "July 2025 and February to May 2024 not loaded: the line breaks there.")
    assert split_summary("One sentence only.") == ("One sentence only.", "")


def test_the_card_shows_the_headline_and_folds_the_rest_into_a_details():
    frame = pd.DataFrame({"period": ["2024-01"], "first_month": ["2024-01"], "area_code": "E07000178",
                          "area_name": "Oxford", "count": [5], "complete": True})
    view = ChartView(SPEC, "Crime", frame, trend_figure(frame, "count", "month"),
                     "Oxford: 5 in January 2024. Nothing to compare it with.", "Source.")
    section = chart_card(view, "")
    headline = [c for c in walk(section) if isinstance(c, html.Span) and c.className == "chart-headline"]
    assert headline and headline[0].children == "Oxford: 5 in January 2024."
    folded = [c for c in walk(section) if isinstance(c, html.Details) and c.className == "chart-summary-more"]
    assert folded and folded[0].children[0].children == "More about this chart"
    assert folded[0].children[1].children == "Nothing to compare it with."
