"""The one way the app writes CSV: chart downloads, API ``format=csv`` and the pack's tables.

Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab
or a carriage return) is written with a leading apostrophe, so a value from a partner
series or police.uk's Location field cannot run as a formula when the file is opened
(OWASP, "CSV Injection"). Numbers, and text that is exactly a number such as "-8.4", are
left as they are: a spreadsheet reads those as numbers, never as formulas.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartSpec
from queries.reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG

SYNTHETIC_HEADING = "Synthetic demo data"
DECIMALS = 3  # rates per 1,000 residents of a small group need three (0.013); more is noise

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?")


def neutralise(value):
    """A text cell made safe to open in a spreadsheet; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def frame_csv(frame: pd.DataFrame) -> str:
    safe = frame.rename(columns=neutralise)
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]) and not pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    # CRLF rows (RFC 4180): the csv module then quotes any cell holding a carriage return,
    # which a "\n" terminator would leave bare, splitting the row in a spreadsheet.
    return safe.to_csv(index=False, lineterminator="\r\n")


def chart_csv(spec: ChartSpec, frame: pd.DataFrame) -> str:
    """A chart's plotted values under the headings its table uses, decimals rounded, and
    whether each row is synthetic demo data when the chart's rows say so."""
    columns = dict(spec.columns)
    out = frame[list(columns)].rename(columns=columns)
    for heading in out.columns:
        if pd.api.types.is_float_dtype(out[heading]):
            out[heading] = out[heading].round(DECIMALS)
    if "is_synthetic" in frame.columns and "is_synthetic" not in columns:
        out[SYNTHETIC_HEADING] = frame["is_synthetic"].map({True: "yes", False: "no"}).fillna("no").to_numpy()
    return frame_csv(out)


def csv_file_name(chart_id: str, filters: Filters, frame: pd.DataFrame) -> str:
    """A name that says what the file holds: the chart, areas, crime types and period,
    e.g. ``crime-trend_oxford_thames-valley_burglary_2024-01-to-2024-06.csv``."""
    parts = [chart_id]
    parts += [_slug(AREAS_BY_CODE[code].name) for code in filters.areas if code in AREAS_BY_CODE]
    parts += [slug for slug in filters.crime_types if slug in CRIME_TYPES_BY_SLUG]
    period = _period(frame)
    if period:
        parts.append(period)
    return "_".join(parts)[:180] + ".csv"


def period_of(frame: pd.DataFrame) -> tuple[str, str] | None:
    """The first and last period (or month) a chart's rows cover, as they are labelled."""
    for column in ("month", "period", "first_month"):
        if column in frame.columns and not frame.empty:
            values = sorted(str(v) for v in frame[column].dropna().unique())
            if values:
                return values[0], values[-1]
    return None


def _period(frame: pd.DataFrame) -> str | None:
    period = period_of(frame)
    if period is None:
        return None
    first, last = _slug(period[0]), _slug(period[1])
    return first if first == last else f"{first}-to-{last}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
