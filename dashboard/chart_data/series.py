"""Published and partner series as an audience may see them, with rates per 1,000 and
their 95% intervals for counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartSpec, Reader
from dashboard.charts.formatting import list_names, number, period_label
from queries import partnership, periods
from queries.areas import area_name, populations_for_years
from queries.series import series_catalogue, series_values
from queries.stats import rate_intervals
from queries.suppression import suppress_then_select, withheld_label

SERIES_CHART_PREFIX = "series-"
SERIES_COLUMNS = (("period", "Period"), ("area_name", "Area"), ("category", "Category"), ("value_shown", "Value"),
                  ("unit", "Unit"), ("source", "Source"))


def visible_series(reader: Reader, series_ids: tuple[str, ...], areas: tuple[str, ...] | None) -> pd.DataFrame:
    """Series values for the chosen areas as the reader's audience may see them. Partner
    series and exact small numbers are for partners; the public sees published series with
    sensitive counts from 1 to the threshold withheld, suppressed over every area of the
    series before the chosen ones are selected (so no withheld value follows by subtraction
    from a selection)."""
    audience = reader.audience
    frame = reader.get(series_values, series_ids, None, None)
    if audience.partner:
        frame = frame.assign(suppressed=False, withheld="")
        return frame[frame["area_code"].isin(areas)].reset_index(drop=True) if areas else frame
    frame = frame[frame["kind"] != "partner"]
    return suppress_then_select(frame, areas, audience.suppression_threshold)


def series_frame(reader: Reader, series_id: str, filters: Filters) -> pd.DataFrame:
    """A series' values for the chosen areas, in the chosen order, with rates for counts."""
    frame = visible_series(reader, (series_id,), tuple(filters.areas) or None)
    if frame.empty:
        return frame.assign(population=pd.Series(dtype="Int64"), population_year=pd.Series(dtype="Int64"),
                            rate_per_1000=pd.Series(dtype="float64"),
                            rate_low=pd.Series(dtype="float64"), rate_high=pd.Series(dtype="float64"),
                            value_shown=pd.Series(dtype="str"), period_label=pd.Series(dtype="str"))
    # Each figure's rate uses the ONS estimate for its own year, or the nearest one.
    pairs = tuple(sorted({(code, int(start[:4])) for code, start in zip(frame["area_code"], frame["period_start"])}))
    chosen = reader.get(populations_for_years, pairs)
    keys = list(zip(frame["area_code"], frame["period_start"].str[:4].astype(int)))
    frame["population"] = pd.array([chosen[k][1] for k in keys], dtype="Int64")
    frame["population_year"] = pd.array([chosen[k][0] for k in keys], dtype="Int64")
    # Counts get rates (withheld values and other units have none), all rows at once.
    population = frame["population"].astype("float64").fillna(0).to_numpy()
    # A withheld count has no rate either: a rate would reveal it.
    counted = (((frame["unit"] == "count") & frame["value"].notna() & ~frame["suppressed"]).to_numpy()
               & (population > 0))
    values = frame["value"].astype("float64").fillna(0).to_numpy()
    low, high = rate_intervals(np.where(counted, values, 0), np.where(counted, population, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["rate_per_1000"] = np.where(counted, values / population * 1000, np.nan)
    frame["rate_low"] = low
    frame["rate_high"] = high
    withheld = frame["suppressed"]
    threshold = reader.audience.suppression_threshold
    frame["value_shown"] = [withheld_label(kind, threshold) if hidden else number(v)
                            for v, hidden, kind in zip(frame["value"], withheld, frame["withheld"])]
    frame["period_label"] = [period_label(p) for p in frame["period"]]  # "July to September 2025", "2024/25"
    return in_area_order(frame, filters.areas)


GRAIN_OF_PERIOD_TYPE = {"month": periods.MONTH, "quarter": periods.QUARTER, "financial_year": periods.FINANCIAL_YEAR,
                        "calendar_year": periods.CALENDAR_YEAR}


def missing_periods(frame: pd.DataFrame) -> list[str]:
    """The periods of the series' own kind between its first and last that hold no figure,
    in words ("January to March 2025"): a chart keeps their place rather than closing up."""
    if frame.empty or frame["period_type"].nunique() != 1:
        return []
    grain = GRAIN_OF_PERIOD_TYPE.get(frame["period_type"].iloc[0])
    bounds = [periods.parse_period(str(p)) for p in frame["period"]]
    if grain is None or not all(bounds):
        return []
    axis = periods.calendar_periods(min(b[1] for b in bounds), max(b[2] for b in bounds), grain)
    present = set(frame["period"].astype(str))
    return [period_label(p) for p in axis if p not in present]


def on_series_calendar(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The frame with an empty row (no value) for each missing period, first area, so a
    bar chart's categories keep real time; and those periods in words."""
    missing = missing_periods(frame)
    if not missing:
        return frame, []
    grain = GRAIN_OF_PERIOD_TYPE[frame["period_type"].iloc[0]]
    first = frame.iloc[0]
    rows = []
    for period in periods.calendar_periods(frame["period_start"].min()[:7], frame["period_start"].max()[:7], grain):
        if period_label(period) in missing:
            rows.append({**first.to_dict(), "period": period, "period_label": period_label(period),
                         "period_start": periods.period_months(period, grain)[0] + "-01", "value": float("nan"),
                         "value_shown": "not given", "rate_per_1000": float("nan")})
    filled = pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)
    return filled.sort_values(["period_start"], kind="stable").reset_index(drop=True), missing


def visible_catalogue(reader: Reader, theme: str | None = None) -> pd.DataFrame:
    """The stored series the reader's audience may see (partner series are for partners only),
    of one theme or all."""
    catalogue = reader.get(series_catalogue, theme)
    return catalogue if reader.audience.partner else catalogue[catalogue["kind"] != "partner"]


def series_exists_for(reader: Reader, series_id: str) -> bool:
    """Whether the series is stored and the reader's audience may see it."""
    catalogue = visible_catalogue(reader)
    return not catalogue[catalogue["id"] == series_id].empty


def series_chart(series_id: str) -> ChartSpec:
    """The chart of any one published or partner series (its id after ``series-``)."""

    def data(reader: Reader, filters: Filters) -> pd.DataFrame:
        return series_frame(reader, series_id, filters)

    return ChartSpec(f"{SERIES_CHART_PREFIX}{series_id}", data, SERIES_COLUMNS)


def in_area_order(frame: pd.DataFrame, areas: tuple[str, ...]) -> pd.DataFrame:
    """Rows in the order the areas were chosen, so lines and legends follow the filter; within
    an area by time (areas not chosen last, together, also by time)."""
    order = {code: i for i, code in enumerate(areas)}
    # Integer keys and one stable lexsort: a sort by a mapped key cost a millisecond a frame.
    rank = np.array([order.get(code, len(order)) for code in frame["area_code"].tolist()], dtype=np.int64)
    keys = (rank,)
    for column in [c for c in ("first_month", "period_start", "period") if c in frame.columns][:1]:
        time, _ = pd.factorize(frame[column], sort=True)
        keys = (np.where(time < 0, len(time), time), rank)  # a missing time last, as pandas sorts it
    return frame.take(np.lexsort(keys)).reset_index(drop=True)


def series_area_codes(reader: Reader, series_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The areas a series has figures for, read from the data (the published reports' areas
    are those of the partnership that published them, whichever one the dashboard serves)."""
    frame = reader.get(series_values, series_ids, None, None)
    return tuple(dict.fromkeys(frame["area_code"]))


def published_cover_message(reader: Reader, series_ids: tuple[str, ...], what: str, plural: bool = False) -> str:
    """Why a published table draws nothing for the chosen areas: the areas it covers, and,
    when the partnership's home area is not among them, that it has none for that area.
    ``what`` names the table ("this published table"; ``plural`` for "the published totals")."""
    subject = what[0].upper() + what[1:]
    is_, covers, it_has = ("are", "cover", "they have") if plural else ("is", "covers", "it has")
    codes = series_area_codes(reader, series_ids)
    if not codes:
        return f"{subject} {is_} not loaded."
    served = partnership.current()
    if served.home in codes:
        return f"{subject} {covers} {list_names([area_name(code) for code in codes])}; choose one of them."
    # Another partnership's report: its areas are not this partnership's business to list.
    return (f"{subject} {is_} from another partnership's published reports: {it_has} no figures "
            f"for {served.home_name} or the areas it is compared with.")


def home_series_areas(reader: Reader, series_id: str) -> tuple[str, ...]:
    """The areas of a one-area published table, when that area is the partnership's home area
    (another partnership's council or quarterly figures are not shown as if they were its own)."""
    codes = series_area_codes(reader, (series_id,))
    return codes if partnership.current().home in codes else ()


def series_title(reader: Reader, series_id: str, fallback: str) -> str:
    """A series' title as its file gives it (``fallback`` when the series is not loaded)."""
    catalogue = reader.get(series_catalogue)
    titles = catalogue.loc[catalogue["id"] == series_id, "title"]
    return str(titles.iloc[0]) if len(titles) else fallback
