"""Harm, not only counts: the ONS Crime Severity Score as ONS publishes it, by financial year.

The score weights each police-recorded offence by the sentences the courts hand down for it
(ONS's weights) and divides by the population, so a year with fewer but graver offences can
score higher. It is imported
from the ONS table (``flask import-crime-severity``) and shown with its source.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.chart_data.filters import Filters
from dashboard.chart_data.series import visible_series
from dashboard.chart_data.spec import ChartSpec, ChartView, Reader
from dashboard.charts.figures import base_layout, new_figure, scatter_trace
from dashboard.charts.formatting import list_names, period_label
from queries import periods
from queries.counts import monthly_counts
from queries.harm_index import HarmWeightsError, harm_ranges, read_weights
from queries.importers.crime_severity import SERIES_ID
from queries.peer_rates import window_for, window_rates
from queries.peers import district_names
from queries.reference import ALL_CRIME, AREAS_BY_CODE, CRIME_TYPES_BY_SLUG, containing_areas

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
    figure = new_figure(base_layout("Crime Severity Score"))
    figure.update_layout(hovermode="x unified")
    names = list(dict.fromkeys(frame["area_name"]))
    for colour, name in zip(LINE_COLOURS, names):
        rows = frame[frame["area_name"] == name]
        figure.add_trace(scatter_trace(x=rows["period"].tolist(), y=rows["value"].tolist(), name=name,
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




HARM_COLUMNS = (("crime_type", "police.uk category"), ("count", "Crimes"), ("offences", "ONS offences mapped"),
                ("lowest_weight", "Lowest ONS weight"), ("highest_weight", "Highest ONS weight"),
                ("low_per_resident", "Harm per resident, low"), ("high_per_resident", "Harm per resident, high"))


def _weights(reader: Reader) -> tuple[pd.DataFrame | None, str]:
    path = reader.peers.harm_weights_file
    if not path:
        return None, ("No harm weights are set. The estimated harm index needs a file mapping each police.uk "
                      "category to the ONS offences it holds and their Crime Severity Score weights "
                      "(HARM_WEIGHTS_FILE; see README).")
    try:
        return read_weights(path), ""
    except HarmWeightsError as error:
        return None, f"The harm weights cannot be used: {error}"


def harm_frame(reader: Reader, filters: Filters | None = None) -> pd.DataFrame:
    """The home district's crimes by category over the 12-month window, each with the range of
    its harm: count times the lowest and the highest weight of the offences it maps to."""
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c, _ in HARM_COLUMNS})
    weights, _ = _weights(reader)
    found = reader.get(window_for, reader.peers.home)
    if weights is None or found is None:
        return empty
    home = reader.peers.home
    rates = reader.get(window_rates, (home,), *found)
    if rates.empty or not bool(rates["compared"].iloc[0]):
        return empty
    population = float(rates["population"].iloc[0])
    monthly = reader.get(monthly_counts, (home,), ALL_CRIME, found[0], found[1], True)
    counts = {slug: int(monthly.loc[monthly["crime_type"] == slug, "count"].sum()) for slug in ALL_CRIME}
    frame = harm_ranges(counts, weights)
    frame["low_per_resident"] = (frame["harm_low"] / population).round(3)
    frame["high_per_resident"] = (frame["harm_high"] / population).round(3)
    frame["crime_type"] = frame["crime_type"].map(lambda s: CRIME_TYPES_BY_SLUG[s].name)
    shown = frame[[c for c, _ in HARM_COLUMNS]].copy()
    # The index itself from unrounded harm: the sum of rounded rows would drift.
    shown.attrs["index"] = (float(frame["harm_low"].sum()) / population, float(frame["harm_high"].sum()) / population)
    return shown


HARM_SPEC = ChartSpec("harm-estimate", harm_frame, HARM_COLUMNS)


def harm_view(reader: Reader) -> ChartView:
    title = "Estimated harm index from police.uk categories (a range, not the ONS score)"
    _, problem = _weights(reader)
    if problem:
        return ChartView.nothing_to_draw(HARM_SPEC, title, problem)
    frame = harm_frame(reader)
    found = reader.get(window_for, reader.peers.home)
    if frame.empty or found is None:
        return ChartView.nothing_to_draw(HARM_SPEC, title, "The partnership's district does not have every month "
                                         "of the latest 12 loaded, so no harm is estimated.")
    mapped = frame[frame["offences"] > 0]
    unmapped = frame[(frame["offences"] == 0) & (frame["count"] > 0)]
    low, high = frame.attrs["index"]
    ordered = mapped.sort_values("high_per_resident")
    layout = base_layout("", "Harm per resident (range)")
    layout.update(hovermode="closest", height=max(260, 34 * len(ordered) + 90), showlegend=False,
                  margin={"l": 8, "r": 16, "t": 16, "b": 48})
    layout["yaxis"] = {"automargin": True, "title": {"text": ""}}
    layout["xaxis"]["rangemode"] = "tozero"
    figure = new_figure(layout)
    # Each category's range as a line between two dots: a category whose offences share one
    # weight is a single dot, not an invisible bar of no width.
    xs, ys = [], []
    for name, low_value, high_value in zip(ordered["crime_type"], ordered["low_per_resident"],
                                           ordered["high_per_resident"]):
        xs += [float(low_value), float(high_value), None]
        ys += [name, name, None]
    figure.add_trace(scatter_trace(x=xs, y=ys, mode="lines+markers", line={"color": "#0072B2", "width": 6},
                                   marker={"size": 11, "color": "#0072B2"},
                                   hovertemplate="%{y}: %{x:.3f} per resident<extra></extra>"))
    name = district_names().get(reader.peers.home, reader.peers.home)
    summary = (f"Estimated harm in {name} over the 12 months to {periods.month_in_words(found[1])}: between "
               f"{low:.2f} and {high:.2f} per resident, weighting each police.uk category's crimes by the lowest and "
               "the highest ONS Crime Severity Score weight of the offences the category holds. It is an estimate "
               "with a wide range because the categories are broad, and it is not the ONS score, which weights each "
               "recorded offence by its own weight.")
    if not unmapped.empty:
        summary += (f" Left out, with no offences mapped: {list_names(list(unmapped['crime_type']))} "
                    f"({int(unmapped['count'].sum()):,} crimes).")
    caption = (f"Source: data.police.uk (counts); weights and mapping from {Path(reader.peers.harm_weights_file).name} "
               "(ONS Crime Severity Score weights).")
    return ChartView(HARM_SPEC, title, frame, figure, summary, caption)


CHARTS = (SPEC, HARM_SPEC)


def views(reader: Reader, filters: Filters) -> list[ChartView]:
    return [severity_view(reader), harm_view(reader)]
