"""Pieces every page's charts share: captions, notes, the plotted measure and the police.uk trend."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from queries.counts import latest_month
from queries.periods import MONTH
from queries.reference import AREAS_BY_CODE

from ..figures import trend_figure
from ..filters import GRAIN_LABELS, RATE, Filters
from ..formatting import list_names, month_label, period_label
from ..summaries import BAND_WINDOW, trend_summary
from .spec import ChartSpec, ChartView, Note, Reader

POLICE_UK = "data.police.uk street-level crime and anti-social behaviour"
ONS_POPULATION = "ONS mid-year population estimates"
CHOOSE_AN_AREA = "Choose at least one area in the filters."


@dataclass(frozen=True)
class Measure:
    """What a chart plots: its column, the axis title and the words for it in a title."""

    column: str
    axis_title: str
    words: str

    @property
    def is_rate(self) -> bool:
        return self.column == "rate_per_1000"


def police_measure(filters: Filters) -> Measure:
    """Police.uk counts are always counts: a rate when asked for, else the count."""
    if filters.measure == RATE:
        return Measure("rate_per_1000", "Rate per 1,000 residents", "rate per 1,000 residents")
    return Measure("count", "Count", "count")


def series_measure(filters: Filters, frame: pd.DataFrame, count_title: str,
                   rate_title: str = "Rate per 1,000 residents") -> Measure:
    """A series is plotted as a rate only when asked for and every value is a count."""
    if filters.measure == RATE and not frame.empty and (frame["unit"] == "count").all():
        return Measure("rate_per_1000", rate_title, "rate per 1,000 residents")
    return Measure("value", count_title, "count")


def requested_measure_words(filters: Filters) -> str:
    """The words for the measure asked for, for titles of charts not yet drawn."""
    return "rate per 1,000 residents" if filters.measure == RATE else "count"


def latest(reader: Reader) -> str | None:
    return reader.get(latest_month)


def police_caption(latest_loaded: str | None, extra: str = "") -> str:
    latest_text = month_label(latest_loaded) if latest_loaded else "none"
    return f"Source: {POLICE_UK}; {ONS_POPULATION}. Latest month loaded: {latest_text}.{(' ' + extra) if extra else ''}"


def published_caption(frame: pd.DataFrame) -> str:
    sources = sorted({f"{s}, {t}" if t else s for s, t in zip(frame["source"], frame["source_table"])})
    return "Source: " + "; ".join(sources) + "."


def missing_areas_notes(frame: pd.DataFrame, requested: tuple[str, ...] | None = None,
                        what: str = "this series") -> tuple[Note, ...]:
    """A note naming the chosen areas a series does not cover."""
    if not requested or frame.empty:
        return ()
    missing = [AREAS_BY_CODE[a].name for a in requested if a not in set(frame["area_code"])]
    return (Note(f"No figures for {list_names(missing)} in {what}."),) if missing else ()


def complete_periods(frame: pd.DataFrame) -> pd.DataFrame:
    """Only whole periods: a quarter or year with months missing would look like a fall. Each
    row carries its period in words beside the machine-readable one."""
    frame = frame[frame["complete"]].reset_index(drop=True) if not frame.empty else frame.copy()
    frame["period_label"] = pd.Series([period_label(p) for p in frame["period"]], index=frame.index, dtype="str")
    return frame


def police_trend_view(spec: ChartSpec, trend: pd.DataFrame, filters: Filters, subject: str, what: str,
                      latest_loaded: str | None) -> ChartView:
    """The trend of police.uk counts or rates for the chosen areas and grain, or why not."""
    measure = police_measure(filters)
    title = f"{subject} by {GRAIN_LABELS[filters.grain].lower()}: {measure.words}"
    if not filters.areas:
        return ChartView.nothing_to_draw(spec, title, CHOOSE_AN_AREA)
    if trend.empty:
        return ChartView.nothing_to_draw(spec, title, "No police.uk data is loaded for this period.")
    shown = list(dict.fromkeys(trend["area_name"]))
    summary = f"Areas shown, in the order chosen: {list_names(shown)}. " + trend_summary(trend, measure.column, what)
    extra = "Quarters and years are shown only when all their months are loaded."
    if filters.grain == MONTH and not measure.is_rate and trend["period"].nunique() > BAND_WINDOW:
        extra += (f" Shaded: the band of ordinary variation for {shown[0]} (the mean of the {BAND_WINDOW} months "
                  "before, plus or minus three square roots); triangles mark months outside it.")
    return ChartView(spec, title, trend, trend_figure(trend, measure.column, filters.grain), summary,
                     police_caption(latest_loaded, extra))
