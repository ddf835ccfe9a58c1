"""Hotspots (``/hotspots``): where to send patrols and problem solvers, and the tasking pack."""

from __future__ import annotations

import re

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, Patch, ctx, dcc, html, no_update

from dashboard.chart_data import hotspot_map, incident_heatmap
from dashboard.chart_data import hotspots as data
from dashboard.chart_data.filters import LEVEL_WORDS
from dashboard.chart_data.incident_sources import POLICE_UK, sources_text
from dashboard.charts.formatting import cell
from dashboard.charts.maps import FOCUS_ZOOM
from dashboard.charts.sparkline import sparkline_svg
from dashboard.documents.cell_grid import grid_address
from dashboard.pages.common import Page
from dashboard.pages.hotspot_sources import beside_police_card, source_notes, source_picker
from dashboard.server.settings import current_settings
from dashboard.widgets import ids
from dashboard.widgets.chart_section import CHART_FRAME, chart_card, csv_link, message_card
from dashboard.widgets.components import data_table, element, table_class
from dashboard.widgets.filter_bar import (
    AREA_CONTROL,
    BASELINE_CONTROL,
    CRIME_TYPES_CONTROL,
    LEVEL_CONTROL,
    PERIOD_CONTROL,
)
from queries import hexgrid

TABLE_ROWS = 30  # as many as the tasking pack lists; the CSV holds all
# A grid cell id as the map reports it ("q:r"); England and Wales's cells are under 2,000 either way.
CELL_ID = re.compile(r"-?[0-9]{1,6}:-?[0-9]{1,6}")
SHORT_TABLE_ROWS = 20
# A place's crime types are in its details (opened in its row); the CSV and the pack list them too.
OFFICER_PLACE_COLUMNS = ([c for c in data.OFFICER_COLUMNS if c[0] not in ("rank", "by_type_text")]
                         + list(data.CONTEXT_COLUMNS))
DETAIL_AFTER = "class_name"  # the details sit beside the words they explain
DETAIL_HEADING = "Crime types and months"
CHANGE_COLUMNS = [c for c in data.CHANGES.columns if c[0] in ("place_name", "street", "per_month_now",
                                                               "per_month_before", "change", "meaning")]
UNCLASSED = data.UNCLASSED_WORDS
# The appendix's columns carry each test; the one-line summary of them is in the CSV.
APPENDIX_COLUMNS = [("place_name", "Place"), ("lsoa_code", "LSOA code"),
                    *[c for c in data.APPENDIX_COLUMNS if c[0] not in ("tests", "place_code")]]
METHOD = [
    html.P("A place's usual level is its monthly mean over the baseline months before the period that are loaded; "
           "months that are not loaded are left out, never counted as none. Tables give incidents and the usual "
           "level for the whole period, one unit a row. Places are classed only when every month of the period and "
           "at least half the baseline months are loaded."),
    html.Ul([
        html.Li("Above or below its usual level: the period's count against the baseline's, given their sum (exact "
                "conditional binomial test, one-sided), with a 5% false discovery rate (Benjamini-Hochberg) over the "
                "places the test can speak for. A place with too few incidents for any result to reach 5% is listed "
                "by count as too few to class."),
        *[html.Li([html.Strong(data.CLASS_TEXT[key] + ": "), data.CLASS_MEANING[key]])
          for key in (data.NEW, data.EMERGING, data.PERSISTENT, data.BUSY, data.FADING, data.STEADY, data.TOO_FEW)],
        html.Li("Busiest: rank by incidents among the places seen in the analysed months (by LSOA, the area's LSOAs "
                "today), so loading other months changes nothing; a tie is counted in only when it all fits."),
        html.Li("What changed: the same exact test between this period and the one just before, two-sided, on the "
                "loaded months of both (per month), 5% false discovery rate over the places with an incident in either "
                "period; only significant changes are listed."),
        html.Li("Clusters: Getis-Ord Gi* on the grid (each cell with its six neighbours), with a 5% false discovery "
                "rate, over every cell holding a police.uk map point in the area."),
    ]),
    html.P([data.SNAP_NOTE, (" A few incidents are snapped over a border or have no location (those are left out). "
            "Counts in one month are small: a place with few incidents deserves a look, not a conclusion. Recorded "
            "crime reflects reporting and police activity as well as offending.")], className="mb-0"),
]


def render(reader, filters, query: str) -> list:
    start, end = data.recent_period(reader, filters)
    picker = [source_picker(reader, filters), *source_notes(reader, filters)]
    if end is None:
        return [*picker, message_card("Hotspots", "No month is loaded for every source chosen." if filters.sources
                                      else "No police.uk data is loaded yet.")]
    ranked = data.ranked_places(reader, filters)
    places = data.places_data(reader, filters, rows=TABLE_ROWS)
    cells = data.cells_data(reader, filters)
    description = data.describe(filters, start, end, data.chosen_sources(reader, filters))
    note = data.coverage_note(reader, filters)
    heatmaps = [chart_card(view, query) for view in (*incident_heatmap.page_views(reader, filters),
                                                     *incident_heatmap.weekly_views(reader, filters))]
    if places.empty:
        message = "No incidents of these types were recorded here in this period."
        return [*picker, message_card(f"Hotspots: {description}", f"{message} {note}".strip()), *heatmaps]
    figure = hotspot_map.map_figure(reader, filters, current_basemap(), places,
                                    grid_address(reader, current_settings().url_prefix, data.area_of(filters)))
    level = LEVEL_WORDS[filters.level]
    limit = data.limit_note(reader, filters)
    return [
        *([html.P(limit, className="alert alert-info")] if limit else []),
        *area_choice(filters),
        *picker,
        html.P(data.summary_text(ranked, cells, description, data.places_classed(reader, filters),
                                 data.concentration_text(reader, filters), filters.level),
               className="lead", id=ids.HOTSPOT_SUMMARY),
        *([dbc.Alert(note, color="warning", id=ids.HOTSPOT_COVERAGE)] if note else []),
        html.Div(
            [
                html.A("Download tasking pack (PDF)", href=f"hotspots/pack.pdf{query}", className="btn btn-primary",
                       download=True),
                html.A("Pack tables (CSV, zip)", href=f"hotspots/pack.zip{query}", className="btn btn-outline-primary",
                       download=True),
            ],
            className="d-flex gap-2 mb-4",
        ),
        _map_card(figure, data.cells_table(reader, filters), query, description,
                  sources_text(data.chosen_sources(reader, filters))),
        *heatmaps,
        *beside_police_card(reader, filters),
        _places_card(places, len(ranked), query, level, data.columns_for_level(OFFICER_PLACE_COLUMNS, filters.level),
                     data.period_words(start, end), data.detail_months(reader, filters),
                     data.result_months(reader, filters)),
        _table_card(data.CHANGES, data.changes_shown(data.changes_data(reader, filters)),
                    data.columns_for_level(CHANGE_COLUMNS, filters.level),
                    "What changed since the period before", data.changes_note(reader, filters), query,
                    data.changes_empty_text(reader, filters, "None in this period.")),
        _table_card(data.REPEATS, data.repeats_data(reader, filters), list(data.REPEATS.columns[:4]),
                    "Map points with two or more incidents",
                    "Each map point stands for many addresses nearby: these are not repeat addresses or victims. "
                    + data.repeats_note(reader, filters), query),
        html.Details([html.Summary("Analyst appendix: the tests behind each place's words"),
                      html.P(data.family_text(reader, filters), className="small"),
                      html.Div(data_table(data.appendix_view(places.head(TABLE_ROWS)), APPENDIX_COLUMNS,
                                          "Tests per place"),
                               className="table-responsive")],
                     className="card card-body mb-4", id=ids.HOTSPOT_APPENDIX),
        html.Details([html.Summary("How hotspots are found, and the limits"), *METHOD], className="card card-body mb-4"),
    ]


def current_basemap() -> dict | None:
    from flask import has_request_context, request

    from dashboard.charts.basemap import basemap_style

    # The address the browser used to reach the app (behind a trusted proxy, its own).
    return basemap_style(current_settings(), request.host_url.rstrip("/") if has_request_context() else "")


def _map_card(figure, cells: pd.DataFrame, query: str, description: str, source: str = POLICE_UK) -> html.Section:
    return html.Section(
        [
            html.H2(f"Map: {description}", id=ids.HOTSPOT_MAP_HEADING, className="h5"),
            html.P(map_summary({label["kind"] for label in figure["layout"]["meta"]["labels"]}),
                   id=ids.HOTSPOT_MAP_SUMMARY),
            html.Figure(
                # In a chart frame, which holds the map's height and, on a first visit, its first frame.
                [html.Div(dcc.Graph(id=ids.HOTSPOT_MAP, figure=figure, config={"displaylogo": False, "scrollZoom": True}),
                          className=CHART_FRAME, style={"minHeight": f"{figure['layout']['height']}px"}),
                 html.Figcaption([f"Source: {source}. ",
                                  *(["Boundaries: Office for National Statistics, Open Government Licence v3.0; contains "
                                     "OS data © Crown copyright and database right 2021 and 2023. "]
                                    if has_boundaries({label["kind"] for label in figure["layout"]["meta"]["labels"]}) else []),
                                  data.SNAP_NOTE],
                                 className="chart-caption text-body-secondary small")],
                className="mb-2", **{"aria-describedby": ids.HOTSPOT_MAP_SUMMARY},
            ),
            html.Div(csv_link(data.CELLS.chart_id, query), className="mb-2"),
            html.Details([html.Summary("Show as table"),
                          data_table(cells.head(40), list(data.CELLS.columns)[:4], "Busiest cells")],
                         className="table-alternative"),
        ],
        className="chart-card card card-body mb-4", **{"aria-labelledby": ids.HOTSPOT_MAP_HEADING},
    )


def area_choice(filters) -> list:
    """A link naming several areas (from another page) shows the first: say so, and offer the others."""
    if len(filters.areas) < 2:
        return []
    shown, others = filters.areas[0], filters.areas[1:]
    links = []
    for code in others:
        href = "hotspots" + filters.with_changes(areas=(code,)).to_query(data.DEFAULTS)
        links += [" ", html.A(f"Show {data.AREAS_BY_CODE[code].name}", href=href, className="btn btn-sm btn-outline-primary")]
    return [html.Div([f"Hotspots are for one area at a time: this shows {data.AREAS_BY_CODE[shown].name}. The link also "
                      "named " + ", ".join(data.AREAS_BY_CODE[c].name for c in others) + ":", *links],
                     className="alert alert-info", id=ids.HOTSPOT_AREA_CHOICE, role="note")]


def map_summary(kinds: set[str]) -> str:
    """What the map draws, in words, naming wards and street names only where it has them."""
    lines = "district, ward and LSOA" if "ward" in kinds else "district and LSOA" if "lsoa" in kinds else "district"
    streets = "small ones the busiest streets" if "ward" in kinds else "small names are the busiest streets"
    names = [text for kind, text in (("ward", "bold names are wards"), ("street-name", streets)) if kind in kinds]
    # Boundaries ship for one force; another force's are imported (import-boundaries) or absent.
    outlines = (f"Grey lines are {lines} boundaries, the thick black line the area's edge" if has_boundaries(kinds)
                else "No boundaries are loaded for this area, so none are drawn")
    return ("Darker cells hold more incidents; red outlines mark significant clusters (Gi*); black dots and numbers are "
            "the busiest places, named by police.uk's nearest street ('near' a street where police.uk names only a "
            f"kind of place, such as a supermarket). {outlines}" + (f"; {', '.join(names)}, where there is room" if names else "")
            + ". Click a cell or a place's Zoom button to zoom.")


def has_boundaries(kinds: set[str]) -> bool:
    """Whether the map draws boundaries: their labels (district, ward, LSOA) come with them."""
    return bool(kinds & {"district", "ward", "lsoa"})


def _places_card(places: pd.DataFrame, total: int, query: str, level: str, columns, period: str,
                 months: tuple[str, ...], period_months: int) -> html.Section:
    shown = places.head(TABLE_ROWS)
    # On a phone each row reads as a card, every cell on a line of its own after its heading
    # (``hotspot-places`` in dashboard.css): a table of eight columns showed three and hid the
    # reasons off-screen. The roles keep it a table to assistive technology, which a table
    # displayed as blocks can lose.
    headings = []
    for key, label in columns:
        headings.append(html.Th(label, scope="col", role="columnheader"))
        if key == DETAIL_AFTER:
            headings.append(html.Th(DETAIL_HEADING, scope="col", role="columnheader"))
    header = html.Thead(html.Tr([html.Th("Rank", scope="col", role="columnheader"), *headings,
                                 html.Th("Map", scope="col", role="columnheader")], role="row"), role="rowgroup")
    body = []
    period_from = len(months) - period_months  # the bars from here on are the period's
    # Rows in Dash's JSON form (``element``): fifty rows of component objects took a sixth
    # of the page's time.
    # Only the columns the rows use are turned into records (a place carries forty).
    used = dict.fromkeys(["rank", "place_name", *(key for key, _ in columns), *DETAIL_INPUTS, "longitude", "latitude"])
    for row in shown[list(used)].to_dict("records"):
        cells = [element("Td", row["rank"], {"role": "cell", "className": "hotspot-rank"}),
                 element("Th", row["place_name"], {"scope": "row", "role": "rowheader"})]
        for key, label in columns[1:]:
            cells.append(element("Td", _words(key, row[key]), {"className": CELL_CLASS.get(key, "text-end"),
                                                               "role": "cell", "data-label": label}))
            if key == DETAIL_AFTER:
                cells.append(element("Td", place_detail(row, months, period_from),
                                     {"role": "cell", "data-label": DETAIL_HEADING}))
        button = element("Button", "Zoom", {
            "type": "button", "className": "btn btn-link btn-sm p-0",
            "id": {"type": ids.HOTSPOT_ZOOM, "lon": round(row["longitude"], 6), "lat": round(row["latitude"], 6)},
            "aria-label": f"Zoom the map to {row['place_name']}"})
        body.append(element("Tr", cells + [element("Td", button, {"role": "cell"})], {"role": "row"}))
    return html.Section(
        [
            html.H2(f"Places by {level}, busiest first", id=ids.HOTSPOT_PLACES_HEADING, className="h5"),
            html.P(f"The {len(shown)} busiest of the {total:,} places with incidents this period (or fading). Counts "
                   f"are for the period ({period}): incidents, the usual level for the same number of months (the "
                   "baseline's monthly mean times the months), and the change on it. Open a place's details for its "
                   "crime types and months. The CSV holds all, with coordinates, LSOA codes and the statistics."),
            html.Div(dbc.Table([html.Caption(f"Places by {level}, counts for {period}"), header,
                                html.Tbody(body, role="rowgroup")],
                               size="sm", striped=True,
                               class_name=table_class(len(columns) + 3) + " hotspot-places"),
                     className="table-responsive"),
            html.Div(csv_link(data.PLACES.chart_id, query)),
        ],
        className="chart-card card card-body mb-4", **{"aria-labelledby": ids.HOTSPOT_PLACES_HEADING},
    )


DETAIL_INPUTS = ("place_name", "by_type", "by_type_baseline", "baseline_months_loaded", "monthly", "monthly_text")


def place_detail(row: dict, months, period_from: int) -> dict:
    """A place's crime types and months, on demand (a native details element: Enter or Space
    opens it), as a bar chart with its numbers in a table and a sentence."""
    types = sorted(set(row["by_type"]) | set(row["by_type_baseline"]),
                   key=lambda t: (-row["by_type"].get(t, 0), -row["by_type_baseline"].get(t, 0), t))
    type_rows = [element("Tr", [element("Th", data.type_name(t), {"scope": "row"}),
                                element("Td", row["by_type"].get(t, 0), {"className": "text-end"}),
                                element("Td", row["by_type_baseline"].get(t, 0) if row["baseline_months_loaded"]
                                        else data.NOT_LOADED, {"className": "text-end"})], {})
                 for t in types]
    table = element("Table", [
        element("Caption", "Incidents by crime type", {}),
        element("Thead", element("Tr", [element("Th", "Crime type", {"scope": "col"}),
                                        element("Th", "Period", {"scope": "col", "className": "text-end"}),
                                        element("Th", "Baseline", {"scope": "col", "className": "text-end"})], {}), {}),
        element("Tbody", type_rows, {})], {"className": "table table-sm small mb-1"})
    values = row["monthly"]
    first, last = (data.month_words(months[0]), data.month_words(months[-1])) if months else ("", "")
    return element("Details", [
        element("Summary", "Show", {"className": "small",
                                    # The visible word first: a spoken name must hold what is seen.
                                    "aria-label": f"Show crime types and months for {row['place_name']}"}),
        element("Img", None, {"src": sparkline_svg(values, period_from), "className": "d-block my-1",
                              "alt": f"Bar chart of incidents by month, {first} to {last}: baseline bars grey, the "
                                     "period's dark; the numbers follow."}),
        table,
        element("P", "Month by month: " + row["monthly_text"] + ".", {"className": "small fw-normal mb-0"}),
    ], {"className": "place-detail"})


# Sentences keep a readable width (``text-long`` in dashboard.css); numbers sit right.
CELL_CLASS = {"street": "", "class_name": "", "why": "text-long", "by_type_text": ""}


def _words(key: str, value):
    if key == "class_name":
        return value if value in UNCLASSED else html.Strong(value)
    if key == "change" and not pd.isna(value):
        return f"{value:+.1f}"
    if key in ("baseline_mean", "expected") and not pd.isna(value):
        return f"{value:,.2f}"  # a mean: "2.00" beside "2.50", not "2"
    return cell(value)


def _table_card(spec, frame: pd.DataFrame, columns, title: str, summary: str, query: str,
                empty: str = "None in this period.") -> html.Section:
    heading = ids.chart_heading(spec.chart_id)
    shown = frame.head(SHORT_TABLE_ROWS)
    content = data_table(shown, columns, title) if not frame.empty else html.P(empty)
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
