"""Plain-English sentences generated from query results."""

from __future__ import annotations

import pandas as pd

from .formatting import is_missing as _missing
from .formatting import number as _fmt
from .formatting import rate as _rate


def describe_change(percent: float | None, significant: bool) -> str:
    """'up 10%, a statistically significant rise' / 'down 2%, not a significant change'."""
    if _missing(percent):
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


def _verb(percent: float) -> str:
    rounded = round(percent)
    if rounded == 0:
        return "was unchanged"
    return f"{'rose' if rounded > 0 else 'fell'} {abs(rounded)}%"


def change_sentence(change: pd.DataFrame, subject: str, period_text: str) -> str:
    """'Recorded crime in Oxford rose 10% in the 12 months to March 2024, a statistically
    significant rise; Oxfordshire rose 11% and Thames Valley 9%.'"""
    rows = [r for r in change.itertuples() if r.comparable and not _missing(r.percent_change)]
    if not rows:
        return f"{subject}: the two years needed to compare {period_text} with the year before are not both loaded."
    first, rest = rows[0], rows[1:]
    significance = (
        f"a statistically significant {'rise' if first.percent_change > 0 else 'fall'}"
        if first.significant else "not a significant change"
    )
    sentence = f"{subject} in {first.area_name} {_verb(first.percent_change)} in {period_text}, {significance}"
    if rest:
        others = [f"{r.area_name} {_verb(r.percent_change)}{' (significant)' if r.significant else ''}" for r in rest]
        sentence += "; " + (", ".join(others[:-1]) + " and " + others[-1] if len(others) > 1 else others[0])
    return sentence + "."


def trend_summary(frame: pd.DataFrame, measure: str, what: str) -> str:
    """One sentence per area: the first and last values of a trend and the change."""
    if frame.empty:
        return f"There is no {what} data for this selection."
    unit = " per 1,000 residents" if measure == "rate_per_1000" else ""
    sentences = []
    for _code, rows in frame.groupby("area_code", sort=False):
        rows = rows.sort_values("first_month")
        first, last = rows.iloc[0], rows.iloc[-1]
        fmt = _rate if measure == "rate_per_1000" else (lambda v: f"{int(v):,}")
        if len(rows) == 1:
            sentences.append(f"{last['area_name']}: {fmt(last[measure])}{unit} in {last['period']}.")
            continue
        sentences.append(
            f"{last['area_name']}: {fmt(last[measure])}{unit} in {last['period']}, "
            f"against {fmt(first[measure])} in {first['period']}."
        )
    return " ".join(sentences)


def change_by_type_summary(frame: pd.DataFrame, area_name: str) -> str:
    if frame.empty:
        return f"There is nothing to compare for {area_name}."
    significant = frame[frame["significant"]]
    parts = [f"In {area_name}, {len(significant)} of {len(frame)} crime types changed significantly."]
    rises = significant[significant["percent_change"] > 0].sort_values("percent_change", ascending=False)
    falls = significant[significant["percent_change"] < 0].sort_values("percent_change")
    if not rises.empty:
        r = rises.iloc[0]
        parts.append(f"The largest significant rise was in {r['crime_type_name'].lower()} ({r['percent_change']:+.0f}%).")
    if not falls.empty:
        f = falls.iloc[0]
        parts.append(f"The largest significant fall was in {f['crime_type_name'].lower()} ({f['percent_change']:+.0f}%).")
    return " ".join(parts)


def bars_summary(frame: pd.DataFrame, value: str, category: str, unit: str = "") -> str:
    """The highest category per area: 'Oxford: highest for race (2.77 per 1,000).'"""
    if frame.empty:
        return "There are no figures for this selection."
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        top = rows.sort_values(value, ascending=False).iloc[0]
        parts.append(f"{top['area_name']}: highest for {_lower_first(str(top[category]))} ({_fmt(top[value])}{unit}).")
    return " ".join(parts)


def period_change_summary(frame: pd.DataFrame, noun: str) -> str:
    """Per area, the latest period against the one before: 'Oxford: 3,733 cases in 2021, up 3% on 2020.'"""
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        rows = rows.sort_values("period_start")
        last = rows.iloc[-1]
        text = f"{last['area_name']}: {_fmt(last['value'])} {noun} in {last['period']}"
        if len(rows) > 1:
            before = rows.iloc[-2]
            if before["value"]:
                change = (last["value"] - before["value"]) / before["value"] * 100
                text += f", {'up' if change > 0 else 'down'} {abs(change):.0f}% on {before['period']}"
        parts.append(text + ".")
    return " ".join(parts) or "There are no figures for this selection."


def _lower_first(text: str) -> str:
    # Lower-case a category for use mid-sentence, but keep acronyms such as ASB.
    return text if text[:2].isupper() else text[:1].lower() + text[1:]
