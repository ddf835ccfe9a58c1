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

from .chart_data.spec import ChartSpec

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
    """A chart's plotted values under the headings its table uses."""
    return frame_csv(frame[[c for c, _ in spec.columns]].rename(columns=dict(spec.columns)))
