"""Hotspots (``/hotspots``): where to send patrols and problem solvers, and the tasking pack."""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, Patch, ctx, dcc, html, no_update

from queries import hexgrid

from .. import ids
from ..chart_data import hotspots as data
from ..charts import csv_link, message_card
from ..components import data_table
from ..filter_bar import AREA_CONTROL, BASELINE_CONTROL, CRIME_TYPES_CONTROL, LEVEL_CONTROL, PERIOD_CONTROL
from ..filters import LEVEL_LABELS
from ..maps import FOCUS_ZOOM
from ..settings import current_settings
from .common import Page

TABLE_ROWS = 50
# A grid cell id as the map reports it ("q:r"); Thames Valley's cells are a few hundred either way.
CELL_ID = re.compile(r"-?[0-9]{1,6}:-?[0-9]{1,6}")
SHORT_TABLE_ROWS = 20
METHOD = [
    html.P("Each place's recent count is compared with its baseline: the monthly mean over the baseline months "
           "before the period, times the months in the period."),
    html.Ul([
        html.Li("p-value: the Poisson chance of at least the recent count if the baseline rate held. A place with no "
                "baseline incidents is given half an incident over the baseline so the test is defined."),
        html.Li("q-value: the p-value adjusted for testing every place at once (Benjamini-Hochberg false discovery rate)."),
        html.Li("New: no incidents in the baseline. Emerging: q below 0.05 and above the baseline. Persistent: among "
                "the top tenth of places this period (at least 2) and with incidents in more than half the baseline "
                "months. Fading: significantly below a baseline of at least one a month."),
        html.Li("Clusters: Getis-Ord Gi* on the grid (each cell with its six neighbours), with a 5% false discovery "
                "rate, over every cell holding a police.uk map point in the area."),
    ]),
    html.P("Limits: police.uk places are anonymised map points standing for many addresses, and a few incidents "
           "are snapped over a border or have no location (those are left out here). Counts in one month are small: "
           "a new or emerging place with few incidents deserves a look, not a conclusion. Recorded crime reflects "
           "reporting and police activity as well as offending.", className="mb-0"),
]


def render(reader, filters, query: str) -> list:
    start, end = data.recent_period(reader, filters)
    if end is None:
        return [message_card("Hotspots", "No police.uk data is loaded yet.")]
    places = data.places_data(reader, filters)
    cells = data.cells_data(reader, filters)
    description = data.describe(filters, start, end)
    if places.empty:
        return [message_card(f"Hotspots: {description}", "No incidents of these types were recorded here in this period.")]
    figure = data.map_figure(reader, filters, current_settings().map_tile_url)
    level = LEVEL_LABELS[filters.level].lower()
    return [
        html.P(data.summary_text(places, cells, description), className="lead", id=ids.HOTSPOT_SUMMARY),
        html.Div(
            [
                html.A("Download tasking pack (PDF)", href=f"hotspots/pack.pdf{query}", className="btn btn-primary",
                       download=True),
                html.A("Pack tables (CSV, zip)", href=f"hotspots/pack.zip{query}", className="btn btn-outline-primary",
                       download=True),
            ],
            className="d-flex gap-2 mb-4",
        ),
        _map_card(figure, data.cells_table(reader, filters), query, description),
        _places_card(places, query, level),
        _table_card(data.REPEATS, data.repeats_data(reader, filters), "Repeat locations: places with two or more incidents",
                    "Each place's incidents in the period, and in how many of the baseline months it also had incidents.",
                    query),
        _table_card(data.CHANGES, data.changes_data(reader, filters), "What changed since the period before",
                    f"The top {data.CHANGES_TOP} places now against the same number of months just before.", query),
        html.Details([html.Summary("How hotspots are found, and the limits"), *METHOD], className="card card-body mb-4"),
    ]


def _map_card(figure, cells: pd.DataFrame, query: str, description: str) -> html.Section:
    return html.Section(
        [
            html.H2(f"Map: {description}", id=ids.HOTSPOT_MAP_HEADING, className="h5"),
            html.P("Darker cells hold more incidents; black outlines mark significant clusters (Gi*). Hover a cell for "
                   "the places behind it; click a cell or a table row's button to zoom.", id=ids.HOTSPOT_MAP_SUMMARY),
            html.Figure(
                [dcc.Graph(id=ids.HOTSPOT_MAP, figure=figure, config={"displaylogo": False, "scrollZoom": True}),
                 html.Figcaption("Source: data.police.uk street-level crime; boundaries: Office for National Statistics "
                                 "(where imported). Drawn without a basemap unless one is configured.",
                                 className="chart-caption text-body-secondary small")],
                className="mb-2", **{"aria-describedby": ids.HOTSPOT_MAP_SUMMARY},
            ),
            html.Div(csv_link(data.CELLS.chart_id, query), className="mb-2"),
            html.Details([html.Summary("Show as table"),
                          data_table(cells.head(40), list(data.CELLS.columns), "Busiest cells")],
                         className="table-alternative"),
        ],
        className="chart-card card card-body mb-4", **{"aria-labelledby": ids.HOTSPOT_MAP_HEADING},
    )


def _places_card(places: pd.DataFrame, query: str, level: str) -> html.Section:
    shown = places.head(TABLE_ROWS)
    header = html.Thead(html.Tr([html.Th(label, scope="col") for _, label in data.PLACES.columns]
                                + [html.Th("Map", scope="col")]))
    body = []
    for row in shown.itertuples():
        cells = [html.Td(row.rank), html.Th(row.place_name, scope="row"), html.Td(row.place_code),
                 html.Td(f"{row.count:,}", className="text-end"), html.Td(f"{row.baseline_mean:.2f}", className="text-end"),
                 html.Td("–" if pd.isna(row.ratio) else f"{row.ratio:.2f}", className="text-end"),
                 html.Td(f"{row.p_value:.4f}", className="text-end"), html.Td(f"{row.q_value:.4f}", className="text-end"),
                 html.Td(html.Strong(row.class_name) if row.class_name else "")]
        button = html.Button("Zoom", type="button", className="btn btn-link btn-sm p-0",
                             id={"type": ids.HOTSPOT_ZOOM, "lon": round(row.longitude, 6), "lat": round(row.latitude, 6)},
                             **{"aria-label": f"Zoom the map to {row.place_name}"})
        body.append(html.Tr(cells + [html.Td(button)]))
    return html.Section(
        [
            html.H2(f"Ranked hotspots by {level}", id=ids.HOTSPOT_PLACES_HEADING, className="h5"),
            html.P(f"The {min(TABLE_ROWS, len(places))} places with most incidents (of {len(places):,}); the CSV holds all."),
            html.Div(dbc.Table([html.Caption(f"Ranked hotspots by {level}"), header, html.Tbody(body)],
                               size="sm", striped=True, class_name="data-table"), className="table-responsive"),
            html.Div(csv_link(data.PLACES.chart_id, query)),
        ],
        className="chart-card card card-body mb-4", **{"aria-labelledby": ids.HOTSPOT_PLACES_HEADING},
    )


def _table_card(spec, frame: pd.DataFrame, title: str, summary: str, query: str) -> html.Section:
    heading = ids.chart_heading(spec.chart_id)
    shown = frame.head(SHORT_TABLE_ROWS)
    content = data_table(shown, list(spec.columns), title) if not frame.empty else html.P("None in this period.")
    note = f" The first {len(shown)} of {len(frame):,} are shown; the CSV holds all." if len(frame) > len(shown) else ""
    return html.Section(
        [html.H2(title, id=heading, className="h5"), html.P(summary + note), html.Div(content, className="table-responsive"),
         html.Div(csv_link(spec.chart_id, query))],
        className="chart-card card card-body mb-4", **{"aria-labelledby": heading},
    )


def register_callbacks(app) -> None:
    @app.callback(
        Output(ids.HOTSPOT_MAP, "figure"),
        Input(ids.HOTSPOT_MAP, "clickData"),
        Input({"type": ids.HOTSPOT_ZOOM, "lon": ALL, "lat": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def zoom_to(click, _clicks):
        """Centre the map on a clicked cell or a table row's place, without redrawing it."""
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value"):
            lon, lat = trigger.get("lon"), trigger.get("lat")
        elif trigger == ids.HOTSPOT_MAP and isinstance(click, dict):
            # clickData comes from the browser: any shape may arrive, only a cell id is used.
            points = click.get("points")
            point = points[0] if isinstance(points, list) and points else None
            location = point.get("location") if isinstance(point, dict) else None
            if not isinstance(location, str) or not CELL_ID.fullmatch(location):
                return no_update
            lon, lat = hexgrid.cell_centre(*hexgrid.parse_cell_id(location))
        else:
            return no_update
        if not all(isinstance(v, (int, float)) for v in (lon, lat)):
            return no_update
        patch = Patch()
        patch["layout"]["map"]["center"] = {"lon": lon, "lat": lat}
        patch["layout"]["map"]["zoom"] = FOCUS_ZOOM
        return patch


PAGE = Page(
    key="hotspots", path="/hotspots", title="Hotspots", nav_label="Hotspots",
    intro="Where incidents concentrate, which places are new or getting worse, and a pack for the tasking meeting.",
    defaults=data.DEFAULTS,
    controls=frozenset({AREA_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL, BASELINE_CONTROL, LEVEL_CONTROL}),
    render=render, register_callbacks=register_callbacks,
    validation_components=(dcc.Graph(id=ids.HOTSPOT_MAP), html.Button(id={"type": ids.HOTSPOT_ZOOM, "lon": 0, "lat": 0})),
)
