"""Hotspots (``/hotspots``): where to send patrols and problem solvers, and the tasking pack."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, Patch, ctx, dcc, html, no_update
from flask import current_app

from queries.counts import latest_month
from queries.hotspots import (
    CELL_SCHEMA,
    EMERGING,
    FADING,
    HOTSPOT_SCHEMA,
    NEW,
    PERSISTENT,
    HotspotAnalysis,
    boundaries,
    hotspot_analysis,
    repeats_of,
)
from queries.reference import AREAS_BY_CODE, CRIME_TYPES_BY_SLUG, OXFORD

from ..charts import Chart, message_card
from ..components import data_table
from ..filter_bar import AREA_CONTROL, BASELINE_CONTROL, CRIME_TYPES_CONTROL, LEVEL_CONTROL, PERIOD_CONTROL, month_label
from ..filters import LEVEL_LABELS, Filters
from ..maps import FOCUS_ZOOM, hotspot_map
from .common import Page

DEFAULTS = Filters(areas=(OXFORD,))
TABLE_ROWS = 50
SHORT_TABLE_ROWS = 20
MAP_ID = "chart-hotspot-map"
ZOOM_BUTTON = "hotspot-zoom"
CLASS_TEXT = {NEW: "New", EMERGING: "Emerging", PERSISTENT: "Persistent", FADING: "Fading", "": ""}
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


def empty_hotspots() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in HOTSPOT_SCHEMA.items()})


def empty_cells() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in CELL_SCHEMA.items()})


def area_of(filters: Filters) -> str:
    return filters.areas[0] if filters.areas else OXFORD


def recent_period(query_cache, filters: Filters) -> tuple[str | None, str | None]:
    end = filters.end or query_cache.get(latest_month)
    if end is None:
        return None, None
    start = filters.start or end
    return (start, end) if start <= end else (end, start)


def analysis(query_cache, filters: Filters) -> HotspotAnalysis | None:
    """The page's figures, from one cached analysis (None when no data is loaded)."""
    start, end = recent_period(query_cache, filters)
    if end is None:
        return None
    return query_cache.get(hotspot_analysis, area_of(filters), filters.crime_types or None, start, end,
                           filters.baseline, filters.level)


def places_data(query_cache, filters: Filters) -> pd.DataFrame:
    result = analysis(query_cache, filters)
    frame = result.places if result else empty_hotspots()
    return _rounded(frame.assign(rank=range(1, len(frame) + 1), class_name=frame["class"].map(CLASS_TEXT)))


def cells_data(query_cache, filters: Filters) -> pd.DataFrame:
    result = analysis(query_cache, filters)
    return result.cells if result else empty_cells()


def cells_table(query_cache, filters: Filters) -> pd.DataFrame:
    frame = cells_data(query_cache, filters)
    frame = frame[(frame["count"] > 0) | (frame["cluster"] != "")].sort_values(["count", "z"], ascending=False)
    return _rounded(frame.assign(cluster_name=frame["cluster"].map({"hot": "Hot spot", "cold": "Cold spot", "": ""})))


def repeats_data(query_cache, filters: Filters) -> pd.DataFrame:
    result = analysis(query_cache, filters)
    return result.repeats if result else repeats_of(empty_hotspots())


def changes_data(query_cache, filters: Filters, top: int = 20) -> pd.DataFrame:
    """The top places now against the same number of months just before."""
    columns = ["place_code", "place_name", "count_now", "count_before", "change", "status"]
    result = analysis(query_cache, filters)
    if result is None:
        return pd.DataFrame(columns=columns)
    now, then = result.places.head(top), result.previous.head(top)
    counts_now = result.places.set_index("place_code")["count"]
    counts_then = result.previous.set_index("place_code")["count"]
    names = {**dict(zip(then["place_code"], then["place_name"])), **dict(zip(now["place_code"], now["place_name"]))}
    now_top, then_top = set(now["place_code"]), set(then["place_code"])
    rows = []
    for code in list(now["place_code"]) + [c for c in then["place_code"] if c not in now_top]:
        n, b = int(counts_now.get(code, 0)), int(counts_then.get(code, 0))
        status = "new to the top" if code not in then_top else ("left the top" if code not in now_top else "in both")
        rows.append((code, names[code], n, b, n - b, status))
    return pd.DataFrame(rows, columns=columns)


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column, places in (("baseline_mean", 2), ("expected", 2), ("ratio", 2), ("p_value", 4), ("q_value", 4), ("z", 2)):
        if column in frame:
            frame[column] = frame[column].astype("float64").round(places)
    return frame


PLACES = Chart("hotspot-places", places_data, (
    ("rank", "Rank"), ("place_name", "Place"), ("place_code", "Code"), ("count", "Incidents"),
    ("baseline_mean", "Baseline monthly mean"), ("ratio", "Ratio to baseline"), ("p_value", "p-value"),
    ("q_value", "q-value (FDR)"), ("class_name", "Class")))
CELLS = Chart("hotspot-cells", cells_table, (
    ("cell_id", "Cell"), ("places", "Places"), ("count", "Incidents"), ("z", "Gi* z-score"), ("q_value", "q-value (FDR)"),
    ("cluster_name", "Cluster")))
REPEATS = Chart("hotspot-repeats", repeats_data, (
    ("place_name", "Place"), ("count", "Incidents in the period"), ("baseline_months_active", "Baseline months with incidents"),
    ("class", "Class")))
CHANGES = Chart("hotspot-changes", changes_data, (
    ("place_name", "Place"), ("count_now", "This period"), ("count_before", "Period before"), ("change", "Change"),
    ("status", "Top 20")))


def describe(filters: Filters, start: str, end: str) -> str:
    what = ", ".join(CRIME_TYPES_BY_SLUG[c].name for c in filters.crime_types) if filters.crime_types else "All crime (not ASB)"
    period = month_label(start) if start == end else f"{month_label(start)} to {month_label(end)}"
    return f"{what} in {AREAS_BY_CODE[area_of(filters)].name}, {period}"


def summary_text(places: pd.DataFrame, cells: pd.DataFrame, description: str) -> str:
    counts = places["class"].value_counts()
    parts = [f"{description}: {int(places['count'].sum()):,} incidents at {int((places['count'] > 0).sum()):,} places."]
    classes = [f"{int(counts.get(c, 0))} {c}" for c in (NEW, EMERGING, PERSISTENT, FADING)]
    parts.append("Places by class: " + ", ".join(classes) + ".")
    parts.append(f"Gi* finds {int((cells['cluster'] == 'hot').sum())} grid cells in significant hot clusters.")
    return " ".join(parts)


def render(query_cache, filters: Filters, query: str) -> list:
    start, end = recent_period(query_cache, filters)
    if end is None:
        return [message_card("Hotspots", "No police.uk data is loaded yet.")]
    places = places_data(query_cache, filters)
    cells = cells_data(query_cache, filters)
    description = describe(filters, start, end)
    if places.empty:
        return [message_card(f"Hotspots: {description}", "No incidents of these types were recorded here in this period.")]
    figure = hotspot_map(cells, query_cache.get(boundaries, area_of(filters)), current_app.config.get("MAP_TILE_URL"))
    level = LEVEL_LABELS[filters.level].lower()
    return [
        html.P(summary_text(places, cells, description), className="lead", id="hotspot-summary"),
        html.Div(
            [
                html.A("Download tasking pack (PDF)", href=f"hotspots/pack.pdf{query}", className="btn btn-primary",
                       download=True),
                html.A("Pack tables (CSV, zip)", href=f"hotspots/pack.zip{query}", className="btn btn-outline-primary",
                       download=True),
            ],
            className="d-flex gap-2 mb-4",
        ),
        _map_card(figure, cells_table(query_cache, filters), query, description),
        _places_card(places, query, level),
        _table_card(REPEATS, repeats_data(query_cache, filters), "Repeat locations: places with two or more incidents",
                    "Each place's incidents in the period, and in how many of the baseline months it also had incidents.",
                    query),
        _table_card(CHANGES, changes_data(query_cache, filters), "What changed since the period before",
                    "The top 20 places now against the same number of months just before.", query),
        html.Details([html.Summary("How hotspots are found, and the limits"), *METHOD], className="card card-body mb-4"),
    ]


def _map_card(figure, cells: pd.DataFrame, query: str, description: str) -> html.Section:
    return html.Section(
        [
            html.H2(f"Map: {description}", id="hotspot-map-heading", className="h5"),
            html.P("Darker cells hold more incidents; black outlines mark significant clusters (Gi*). Hover a cell for "
                   "the places behind it; click a cell or a table row's button to zoom.", id="hotspot-map-summary"),
            html.Figure(
                [dcc.Graph(id=MAP_ID, figure=figure, config={"displaylogo": False, "scrollZoom": True}),
                 html.Figcaption("Source: data.police.uk street-level crime; boundaries: Office for National Statistics "
                                 "(where imported). Drawn without a basemap unless one is configured.",
                                 className="chart-caption text-body-secondary small")],
                className="mb-2", **{"aria-describedby": "hotspot-map-summary"},
            ),
            html.Div(html.A("Download CSV", href=f"download/{CELLS.chart_id}.csv{query}",
                            className="btn btn-outline-primary btn-sm", download=f"{CELLS.chart_id}.csv"), className="mb-2"),
            html.Details([html.Summary("Show as table"), data_table(cells.head(40), list(CELLS.columns), "Busiest cells")],
                         className="table-alternative"),
        ],
        className="chart-card card card-body mb-4", **{"aria-labelledby": "hotspot-map-heading"},
    )


def _places_card(places: pd.DataFrame, query: str, level: str) -> html.Section:
    shown = places.head(TABLE_ROWS)
    header = html.Thead(html.Tr([html.Th(label, scope="col") for _, label in PLACES.columns] + [html.Th("Map", scope="col")]))
    body = []
    for row in shown.itertuples():
        cells = [html.Td(row.rank), html.Th(row.place_name, scope="row"), html.Td(row.place_code),
                 html.Td(f"{row.count:,}", className="text-end"), html.Td(f"{row.baseline_mean:.2f}", className="text-end"),
                 html.Td("–" if pd.isna(row.ratio) else f"{row.ratio:.2f}", className="text-end"),
                 html.Td(f"{row.p_value:.4f}", className="text-end"), html.Td(f"{row.q_value:.4f}", className="text-end"),
                 html.Td(html.Strong(row.class_name) if row.class_name else "")]
        button = html.Button("Zoom", type="button", className="btn btn-link btn-sm p-0",
                             id={"type": ZOOM_BUTTON, "lon": round(row.longitude, 6), "lat": round(row.latitude, 6)},
                             **{"aria-label": f"Zoom the map to {row.place_name}"})
        body.append(html.Tr(cells + [html.Td(button)]))
    return html.Section(
        [
            html.H2(f"Ranked hotspots by {level}", id="hotspot-places-heading", className="h5"),
            html.P(f"The {min(TABLE_ROWS, len(places))} places with most incidents (of {len(places):,}); the CSV holds all."),
            html.Div(dbc.Table([html.Caption(f"Ranked hotspots by {level}"), header, html.Tbody(body)],
                               size="sm", striped=True, class_name="data-table"), className="table-responsive"),
            html.Div(html.A("Download CSV", href=f"download/{PLACES.chart_id}.csv{query}",
                            className="btn btn-outline-primary btn-sm", download=f"{PLACES.chart_id}.csv")),
        ],
        className="chart-card card card-body mb-4", **{"aria-labelledby": "hotspot-places-heading"},
    )


def _table_card(chart: Chart, frame: pd.DataFrame, title: str, summary: str, query: str) -> html.Section:
    heading = f"{chart.chart_id}-heading"
    shown = frame.head(SHORT_TABLE_ROWS)
    content = data_table(shown, list(chart.columns), title) if not frame.empty else html.P("None in this period.")
    note = f" The first {len(shown)} of {len(frame):,} are shown; the CSV holds all." if len(frame) > len(shown) else ""
    return html.Section(
        [html.H2(title, id=heading, className="h5"), html.P(summary + note), html.Div(content, className="table-responsive"),
         html.Div(html.A("Download CSV", href=f"download/{chart.chart_id}.csv{query}",
                         className="btn btn-outline-primary btn-sm", download=f"{chart.chart_id}.csv"))],
        className="chart-card card card-body mb-4", **{"aria-labelledby": heading},
    )


def register_callbacks(app) -> None:
    @app.callback(
        Output(MAP_ID, "figure"),
        Input(MAP_ID, "clickData"),
        Input({"type": ZOOM_BUTTON, "lon": ALL, "lat": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def zoom_to(click, _clicks):
        """Centre the map on a clicked cell or a table row's place, without redrawing it."""
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and ctx.triggered and ctx.triggered[0].get("value"):
            lon, lat = trigger.get("lon"), trigger.get("lat")
        elif trigger == MAP_ID and isinstance(click, dict) and click.get("points"):
            from queries import hexgrid

            point = click["points"][0]
            location = point.get("location")
            if not isinstance(location, str) or ":" not in location:
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
    defaults=DEFAULTS,
    controls=frozenset({AREA_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL, BASELINE_CONTROL, LEVEL_CONTROL}),
    render=render, charts={c.chart_id: c for c in (PLACES, CELLS, REPEATS, CHANGES)},
    register_callbacks=register_callbacks,
    validation_components=(dcc.Graph(id=MAP_ID), html.Button(id={"type": ZOOM_BUTTON, "lon": 0, "lat": 0})),
)
