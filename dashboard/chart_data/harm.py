"""Harm, not only counts: the ONS Crime Severity Score as ONS publishes it, by financial year.

The score weights each police-recorded offence by the sentences the courts hand down for it
(ONS's weights) and divides by the population, so a year with fewer but graver offences can
score higher. It is imported
from the ONS table (``flask import-crime-severity``) and shown with its source.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from queries.importers.crime_severity import SERIES_ID
from queries.reference import AREAS_BY_CODE, containing_areas

from ..figures import base_layout
from ..filters import Filters
from ..formatting import list_names, period_label
from .series import visible_series
from .spec import ChartSpec, ChartView, Reader

DEFAULTS = Filters()
COLUMNS = (("period", "Financial year"), ("area_name", "Area"), ("value", "Crime Severity Score"),
           ("source", "Source"), ("source_table", "Table"))
LINE_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9")


def severity_frame(reader: Reader, filters: Filters | None = None) -> pd.DataFrame:
    """The score's totals (all offence groups) for the home district and the areas it lies in."""
    home = reader.peers.home
    areas = tuple(containing_areas(home)) if home in AREAS_BY_CODE else (home,)
    frame = visible_series(reader, (SERIES_ID,), areas)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c, _ in COLUMNS})
    frame = frame[frame["category"] == ""].copy()
    order = {code: i for i, code in enumerate(areas)}
    frame = frame.sort_values(["area_code", "period_start"], key=lambda s: s.map(order) if s.name == "area_code" else s)
    frame["value"] = frame["value"].astype(float).round(2)
    return frame[[c for c, _ in COLUMNS]].reset_index(drop=True)


SPEC = ChartSpec("crime-severity", severity_frame, COLUMNS)


def severity_view(reader: Reader) -> ChartView:
    title = "Crime Severity Score (ONS), by financial year"
    frame = severity_frame(reader)
    if frame.empty:
        return ChartView.nothing_to_draw(SPEC, title, "The ONS Crime Severity Score is not imported. An administrator "
                                         "imports ONS's table by community safety partnership with "
                                         "'flask --app app import-crime-severity FILE'.")
    figure = go.Figure(layout=base_layout("Crime Severity Score"))
    figure.update_layout(hovermode="x unified")
    names = list(dict.fromkeys(frame["area_name"]))
    for colour, name in zip(LINE_COLOURS, names):
        rows = frame[frame["area_name"] == name]
        figure.add_trace(go.Scatter(x=rows["period"].tolist(), y=rows["value"].tolist(), name=name,
                                    mode="lines+markers",
                                    line={"color": colour, "width": 3 if colour == LINE_COLOURS[0] else 2}))
    home_rows = frame[frame["area_name"] == names[0]]
    latest = home_rows.iloc[-1]
    summary = f"{names[0]}'s Crime Severity Score was {latest['value']:.2f} in {period_label(latest['period'])}"
    if len(home_rows) > 1:
        before = home_rows.iloc[-2]
        summary += f", against {before['value']:.2f} in {period_label(before['period'])}"
    summary += (". The score weights each offence by how severely the courts sentence it, so it can rise while counts "
                "fall; ONS publishes no interval for it, so a small change may be noise. Areas shown: "
                f"{list_names(names)}.")
    caption = f"Source: {latest['source']} ({latest['source_table']}); Open Government Licence v3.0."
    return ChartView(SPEC, title, frame, figure, summary, caption)


CHARTS = (SPEC,)


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    return [severity_view(reader)]
