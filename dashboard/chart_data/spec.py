"""What a chart is, independent of how it is shown: its id, its plotted values and their
columns, and the view (title, figure, summary, caption, notes) built from them.

The page draws a view as a card, the CSV download writes its frame, the API and the PDF
packs read the same frames: one owner for every figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from queries import partnership
from queries.suppression import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Audience:
    """Who is asking, as far as the figures care: partners see exact small numbers and
    partner series; the public sees sensitive counts up to the threshold withheld."""

    partner: bool = False
    suppression_threshold: int = DEFAULT_THRESHOLD
    # The most hotspot work the public may ask for (PUBLIC_HOTSPOT_MONTHS, PUBLIC_HOTSPOT_BASELINE):
    # a force-wide analysis over years takes seconds of a worker's time. Partners are not bounded.
    hotspot_months: int = 12
    hotspot_baseline: int = 24


PUBLIC_AUDIENCE = Audience()

# The default partnership's home district (ONS LAD code), as queries.partnership has it.
DEFAULT_HOME_AREA = partnership.DEFAULT_HOME


@dataclass(frozen=True)
class PeerSettings:
    """The partnership's choices for comparing itself with other districts: its home district,
    a group it chose itself (empty: the computed nearest districts), how many nearest districts
    to compute, and an official group's CSV file (area codes), if an analyst has one."""

    home: str = DEFAULT_HOME_AREA
    group: tuple[str, ...] = ()
    count: int = 10
    official_file: str | None = None
    # The partnership's mapping of police.uk categories to ONS offences and their weights.
    harm_weights_file: str | None = None


DEFAULT_PEER_SETTINGS = PeerSettings()


@dataclass(frozen=True)
class Reader:
    """What the chart layer reads through: cached query functions, for one audience."""

    query_cache: object  # anything with get(function, *args) -> function(engine, *args)
    audience: Audience = PUBLIC_AUDIENCE
    peers: PeerSettings = DEFAULT_PEER_SETTINGS

    def get(self, function: Callable, *args):
        return self.query_cache.get(function, *args)


@dataclass(frozen=True)
class ChartSpec:
    chart_id: str
    data: Callable  # (reader, filters) -> DataFrame of the plotted values
    columns: tuple[tuple[str, str], ...]  # (column, heading) for the table and the CSV


@dataclass(frozen=True)
class Note:
    """A line shown above a chart: a caveat, or why some chosen areas are missing."""

    text: str
    tone: str = "info"  # "info" or "secondary"


@dataclass(frozen=True)
class ChartView:
    """Everything a reader is shown for one chart. With ``message`` set there is nothing to
    draw, and the message says why."""

    spec: ChartSpec
    title: str
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    figure: object = None  # a plotly Figure or a figure dict
    summary: str = ""
    caption: str = ""
    notes: tuple[Note, ...] = ()
    message: str | None = None

    @property
    def headline(self) -> str:
        """The summary's first sentence: what a phone shows before "More about this chart"."""
        return split_summary(self.summary)[0]

    @property
    def details(self) -> str:
        """The rest of the summary, after the headline."""
        return split_summary(self.summary)[1]

    @classmethod
    def nothing_to_draw(cls, spec: ChartSpec, title: str, message: str) -> ChartView:
        return cls(spec=spec, title=title, message=message)


# A sentence ends at a full stop followed by a space and a capital or digit ("p < 0.05" and
# "2.77 per 1,000" do not end one).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def split_summary(summary: str) -> tuple[str, str]:
    """(first sentence, the rest) of a summary."""
    parts = _SENTENCE_END.split(summary.strip(), maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class Block:
    """A titled message that belongs to no chart (e.g. 'choose an area')."""

    title: str
    message: str
