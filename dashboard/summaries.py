"""Plain-English sentences generated from query results."""

from __future__ import annotations

import math

import pandas as pd


def describe_change(percent: float | None, significant: bool) -> str:
    """'up 10%, a statistically significant rise' / 'down 2%, not a significant change'."""
    if percent is None or (isinstance(percent, float) and math.isnan(percent)):
        return "no earlier figure to compare with"
    rounded = round(percent)
    if rounded == 0:
        direction = "unchanged (less than 1% difference)"
    else:
        direction = f"{'up' if rounded > 0 else 'down'} {abs(rounded)}%"
    if significant:
        kind = "rise" if percent > 0 else "fall"
        return f"{direction}, a statistically significant {kind}"
    return f"{direction}, not a significant change"


def trend_summary(frame: pd.DataFrame, measure: str, what: str) -> str:
    """One sentence per area: the first and last values of a trend and the change."""
    if frame.empty:
        return f"There is no {what} data for this selection."
    unit = " per 1,000 residents" if measure == "rate_per_1000" else ""
    sentences = []
    for _code, rows in frame.groupby("area_code", sort=False):
        rows = rows.sort_values("first_month")
        first, last = rows.iloc[0], rows.iloc[-1]
        fmt = (lambda v: f"{v:,.1f}") if measure == "rate_per_1000" else (lambda v: f"{int(v):,}")
        sentences.append(
            f"{last['area_name']}: {fmt(last[measure])}{unit} in {last['period']}, "
            f"against {fmt(first[measure])} in {first['period']}."
        )
    return " ".join(sentences)
