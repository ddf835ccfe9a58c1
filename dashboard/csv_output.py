"""The one way the app writes CSV: chart downloads, API ``format=csv`` and the pack's tables."""

from __future__ import annotations

import pandas as pd

from .chart_data.spec import ChartSpec


def frame_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def chart_csv(spec: ChartSpec, frame: pd.DataFrame) -> str:
    """A chart's plotted values under the headings its table uses."""
    return frame_csv(frame[[c for c, _ in spec.columns]].rename(columns=dict(spec.columns)))
