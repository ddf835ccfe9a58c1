"""Plain-English sentences generated from query results."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from dashboard.charts.formatting import is_missing as _missing
from dashboard.charts.formatting import mid_sentence, period_label
from dashboard.charts.formatting import number as _fmt
from dashboard.charts.formatting import rate as _rate
from queries import periods
from queries.like_for_like import change_test, yearly_dispersion
from queries.stats import SIGNIFICANCE_LEVEL, percent_change
from queries.variation import ordinary_variation


def describe_change(percent: float | None, significant: bool) -> str:
    """'up 10%, a statistically significant rise' / 'down 2%, not a significant change'."""
    if _missing(percent):
        return "no earlier figure to compare with"
    direction = _direction(percent)
    if significant:
        kind = "rise" if percent > 0 else "fall"
        return f"{direction}, a statistically significant {kind}"
    return f"{direction}, not a significant change"


def _direction(percent: float) -> str:
    """'up 10%', 'down 2%' or 'unchanged (less than 1% difference)'."""
    rounded = round(percent)
    if rounded == 0:
        return "unchanged (less than 1% difference)"
    return f"{'up' if rounded > 0 else 'down'} {abs(rounded)}%"


def yearly_change(before: float, after: float, years_before, before_label: str) -> str:
    """A change between two yearly counts, 'up 10%, not a significant change on 2020', tested
    against the spread of the years before the latest (quasi-Poisson, ``change_test``):
    yearly totals vary more than Poisson counts, so two years alone cannot say whether a
    change is more than the usual difference between years, and the words say so."""
    percent = percent_change(float(before), float(after))
    if percent is None:
        return f"none in {before_label}"
    dispersion = yearly_dispersion(years_before)
    if dispersion is None:
        return (f"{_direction(percent)} on {before_label}, too few earlier years to tell that from the usual "
                "difference between years")
    p, _test = change_test(int(before), int(after), dispersion)
    return f"{describe_change(percent, p < SIGNIFICANCE_LEVEL)} on {before_label}"


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
        # Every change says whether it is significant, not only the significant ones.
        others = [f"{r.area_name} {_verb(r.percent_change)} ({'significant' if r.significant else 'not significant'})"
                  for r in rest]
        sentence += "; " + (", ".join(others[:-1]) + " and " + others[-1] if len(others) > 1 else others[0])
    return sentence + "."


def period_words(period: str, first_month: str | None = None, last_month: str | None = None) -> str:
    """A period label in words: "July to September 2025", "2024/25", "the 12 months to March 2024"."""
    if first_month and last_month and first_month != last_month and periods.is_month(period):
        return f"the 12 months to {periods.month_in_words(last_month)}"
    return period_label(period)


FLAGGED_NAMED = 3  # a summary names the latest few months outside the band; the table lists all


def band_for(rows: pd.DataFrame) -> pd.DataFrame:
    """The band of ordinary variation (``queries.variation``) for one area's monthly rows;
    months without a count are not loaded."""
    return _band(_band_key(rows["period"].tolist(), rows["count"].tolist())).copy()


def _band_key(months: list, values: list) -> tuple[tuple[str, float], ...]:
    """(month, count) for the months with a count: the key ``_band`` is worked out for."""
    return tuple((m, float(v)) for m, v in zip(months, values) if not _missing(v))


@lru_cache(maxsize=32)
def _band(counts: tuple[tuple[str, float], ...]) -> pd.DataFrame:
    # A trend's chart, its summary and its notes each ask for the same band: worked out once.
    return ordinary_variation(dict(counts))


@lru_cache(maxsize=32)
def _band_words(counts: tuple[tuple[str, float], ...]) -> str:
    """The months outside ordinary variation in words, the latest few only."""
    band = _band(counts)
    if band.empty:
        return (" There are too few loaded months for a band of ordinary variation (it needs 9 of the "
                "12 calendar months before a month)")
    outside = [(m, side) for m, side in zip(band["month"].tolist(), band["side"].tolist()) if side != ""]
    checked = f"{len(band)} month{'s' if len(band) != 1 else ''} checked against the 12 calendar months before each"
    if not outside:
        return f" Every one of the {checked} is within ordinary variation"
    named = [f"{periods.month_in_words(m)} ({'above' if side == 'high' else 'below'})" for m, side in outside][::-1][:FLAGGED_NAMED]
    text = f" {len(outside)} of the {checked} {'lies' if len(outside) == 1 else 'lie'} outside ordinary variation"
    if len(outside) > FLAGGED_NAMED:
        return text + f"; the latest {FLAGGED_NAMED}: {', '.join(named)}"
    return text + ": " + ", ".join(named)


def trend_summary(frame: pd.DataFrame, measure: str, what: str,
                  dispersions: Mapping[str, tuple[float, int] | None] | None = None) -> str:
    """Per area, the latest period with a figure against the same period a year earlier (the
    latest 12 months against the 12 before, for rolling sums), whether the change is
    significant, and for monthly trends the months outside ordinary variation. Periods
    without a figure (not wholly loaded) are skipped, never read as zero. ``dispersions``
    (area code to phi and its degrees of freedom, from the monthly series) make the test
    quasi-Poisson; without them the exact Poisson test is used and the sentence says so."""
    if frame.empty:
        return f"There is no {what} data for this selection."
    unit = " per 1,000 residents" if measure == "rate_per_1000" else ""
    fmt = _rate if measure == "rate_per_1000" else (lambda v: f"{int(v):,}")
    # Plain lists, one row a tuple, grouped by area in the order areas first appear: a frame
    # filtered and sorted per area cost more than the sentences themselves.
    n = len(frame)
    none = [None] * n
    table = zip(frame["area_code"].tolist(), frame["area_name"].tolist(), frame["period"].tolist(),
                frame["first_month"].tolist(), frame["last_month"].tolist() if "last_month" in frame else none,
                frame[measure].tolist(), frame["count"].tolist(),
                frame["complete"].tolist() if "complete" in frame else [True] * n)
    by_area: dict[str, list[tuple]] = {}
    for row in table:
        by_area.setdefault(row[0], []).append(row)
    sentences = []
    for code, rows in by_area.items():
        rows.sort(key=lambda r: r[3])  # by first month
        valued = [r for r in rows if not _missing(r[5])]
        if not valued:
            sentences.append(f"{rows[0][1]}: no whole period is loaded.")
            continue
        _code, name, period, first_month, last_month, value, count, _complete = last = valued[-1]
        text = f"{name}: {fmt(value)}{unit} in {period_words(period, first_month, last_month)}"
        earlier = _year_earlier(valued, last)
        if earlier is None:
            text += "; the same period a year earlier is not loaded, so no change is stated"
        else:
            before_words = period_words(earlier[2], earlier[3], earlier[4])
            change = percent_change(float(earlier[6]), float(count))
            dispersion = (dispersions or {}).get(code)
            p_value, _test = change_test(int(earlier[6]), int(count), dispersion)
            significant = p_value < SIGNIFICANCE_LEVEL
            text += f", {describe_change(change, significant)} on {before_words}"
            if dispersions is not None and dispersion is None:
                text += " (too few months loaded to allow for overdispersion: the test assumes Poisson variation)"
        is_monthly = last_month is not None and all(r[3] == r[4] for r in rows) and len(valued) > 12
        if is_monthly:
            text += "." + _band_words(_band_key([r[2] for r in rows], [r[6] for r in rows]))
        sentences.append(text + ".")
    return " ".join(sentences)


def _year_earlier(valued: list[tuple], latest: tuple) -> tuple | None:
    """The row covering the same months a year before the latest one (like with like), if it
    is wholly loaded."""
    target = periods.add_months(latest[3], -12)
    match = next((r for r in valued if r[3] == target), None)
    return None if match is None or not bool(match[7]) else match


def change_by_type_summary(frame: pd.DataFrame, area_name: str) -> str:
    if frame.empty:
        return f"There is nothing to compare for {area_name}."
    significant = frame[frame["significant"]]
    parts = [f"In {area_name}, {len(significant)} of {len(frame)} crime types changed significantly."]
    rises = significant[significant["percent_change"] > 0].sort_values("percent_change", ascending=False)
    falls = significant[significant["percent_change"] < 0].sort_values("percent_change")
    if not rises.empty:
        r = rises.iloc[0]
        parts.append(f"The largest significant rise was in {mid_sentence(r['crime_type_name'])} ({r['percent_change']:+.0f}%).")
    if not falls.empty:
        f = falls.iloc[0]
        parts.append(f"The largest significant fall was in {mid_sentence(f['crime_type_name'])} ({f['percent_change']:+.0f}%).")
    return " ".join(parts)


def bars_summary(frame: pd.DataFrame, value: str, category: str, unit: str = "") -> str:
    """The highest category per area: 'Oxford: highest for race (2.77 per 1,000).'"""
    if frame.empty:
        return "There are no figures for this selection."
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        top = rows.sort_values(value, ascending=False).iloc[0]
        if len(rows) == 1:  # one bar: "highest" would rank it against categories not shown
            parts.append(f"{top['area_name']}: {mid_sentence(str(top[category]))}, {_fmt(top[value])}{unit}.")
            continue
        parts.append(f"{top['area_name']}: highest for {mid_sentence(str(top[category]))} ({_fmt(top[value])}{unit}).")
    return " ".join(parts)


def period_change_summary(frame: pd.DataFrame, noun: str) -> str:
    """Per area, the latest yearly count against the one before (``yearly_change``): 'Oxford:
    3,733 cases in 2021, up 3% on 2020, too few earlier years to tell that from the usual
    difference between years.'"""
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        rows = rows.sort_values("period_start")
        last = rows.iloc[-1]
        text = f"{last['area_name']}: {_fmt(last['value'])} {noun} in {period_label(last['period'])}"
        if len(rows) > 1:
            before = rows.iloc[-2]
            text += ", " + yearly_change(before["value"], last["value"], rows["value"].iloc[:-1],
                                         period_label(before["period"]))
        parts.append(text + ".")
    return " ".join(parts) or "There are no figures for this selection."
