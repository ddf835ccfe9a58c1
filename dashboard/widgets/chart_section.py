"""A chart view as a page section: title, notes, summary, figure, caption, downloads and
the table alternative. The numbers all come from the view (``dashboard/chart_data``)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartView, Note
from dashboard.charts.first_frame import (
    MAP_BOTTOM_MARGIN,
    MAP_PADDING,
    MAP_TOP_MARGIN,
    Frame,
    MapFrame,
    first_frame,
    map_first_frame,
)
from dashboard.charts.formatting import period_span
from dashboard.documents.csv_output import csv_file_name, period_of
from dashboard.widgets import ids
from dashboard.widgets.components import data_table
from queries.reference import CRIME_TYPES_BY_SLUG


def csv_link(chart_id: str, filters_query: str, label: str = "Download CSV") -> html.A:
    """The link to a chart's CSV, with the page's filters."""
    return html.A(label, href=f"download/{chart_id}.csv{filters_query}", className="btn btn-outline-primary btn-sm",
                  download=f"{chart_id}.csv")


def notes(items: tuple[Note, ...]) -> list:
    return [dbc.Alert(note.text, color=note.tone, class_name="py-2") for note in items]


DEMO_NOTICE = "SYNTHETIC DEMO DATA: these incident figures are made up, for trying the dashboard out."


def image_meta(view: ChartView, filters_query: str) -> dict:
    """What a downloaded PNG prints around the chart (``assets/charts.js``), so the image
    stands on its own: title, areas, crime types, period, source and latest month (the
    caption), the demo notice when any row is synthetic, and a file name."""
    frame = view.frame
    details = []
    if "area_name" in frame.columns:
        areas = [str(a) for a in frame["area_name"].dropna().unique()]
        if areas:
            details.append("Areas: " + ", ".join(areas))
    crime_types = Filters.from_query(filters_query).crime_types
    if crime_types:
        details.append("Crime types: " + ", ".join(CRIME_TYPES_BY_SLUG[c].name for c in crime_types))
    period = period_of(frame)
    if period:
        details.append("Period: " + period_span(*period))
    synthetic = "is_synthetic" in frame.columns and bool(frame["is_synthetic"].fillna(False).astype(bool).any())
    return {
        "title": view.title, "details": ". ".join(details) + ("." if details else ""), "caption": view.caption,
        "notice": DEMO_NOTICE if synthetic else "",
        "filename": csv_file_name(view.spec.chart_id, Filters.from_query(filters_query), frame).removesuffix(".csv"),
    }


def mark_demo(content) -> None:
    """Put the demo notice into the image meta of every chart in ``content`` (a page drawn
    from demo incidents), whether or not the chart's own rows carry the flag."""
    if isinstance(content, (list, tuple)):
        for item in content:
            mark_demo(item)
        return
    if isinstance(content, dcc.Graph):
        figure = content.figure
        meta = (figure or {}).get("layout", {}).get("meta")  # every figure is a plain dict
        if meta:
            meta["notice"] = DEMO_NOTICE
        return
    if isinstance(content, Component):
        mark_demo(getattr(content, "children", None))


CHART_FRAME = "chart-frame"


def _height(figure: dict) -> int:
    return int(figure.get("layout", {}).get("height") or 450)  # plotly's default


def add_first_frame(content) -> bool:
    """Put the server-drawn first frame (``first_frame``) under the first chart in
    ``content``, shown until plotly has drawn the chart over it; True once placed (or when
    the first chart is one the frame cannot draw)."""
    if isinstance(content, (list, tuple)):
        return any(add_first_frame(item) for item in content)
    if not isinstance(content, Component):
        return False
    if getattr(content, "className", None) == CHART_FRAME:
        graph = content.children
        figure = graph.figure
        frame = first_frame(figure)
        if frame is not None:
            content.children = [first_frame_view(frame), graph]
        elif (map_frame := map_first_frame(figure)) is not None:
            content.children = [map_frame_view(map_frame), graph]
        return True
    return add_first_frame(getattr(content, "children", None))


def first_frame_view(frame: Frame) -> html.Div:
    """The frame's plot (an SVG image stretched over the plot's width) with its ticks, axis
    titles and legend as text placed where plotly puts them. Hidden from assistive technology:
    the chart's summary and its table say what it shows, and plotly's chart replaces it."""
    def across(at: float) -> str:  # the page's position of a fraction of the plot's width
        return f"calc({at * 100:.3f}% + {frame.left - at * (frame.left + frame.right):.1f}px)"

    plot_bottom = frame.top + frame.plot_height
    parts = [html.Img(src=frame.data_uri(), alt="", className="chart-static-plot",
                      style={"left": f"{frame.left}px", "top": f"{frame.top}px", "height": f"{frame.plot_height}px",
                             "width": f"calc(100% - {frame.left + frame.right}px)"})]
    parts += [html.Span(t.text, className="chart-static-y",
                        style={"top": f"{frame.top + t.at * frame.plot_height:.1f}px",
                               "right": f"calc(100% - {frame.left - 6}px)"}) for t in frame.y_ticks]
    x_style = {"top": f"{plot_bottom + 6}px"}
    if frame.slot:
        x_style["width"] = f"calc({frame.slot * 100:.3f}% - {frame.slot * (frame.left + frame.right):.1f}px)"
    parts += [html.Span(t.text, className="chart-static-x" + ("" if t.phone else " chart-static-desktop")
                        + (" chart-static-category" if frame.slot else ""),
                        style={**x_style, "left": across(t.at)}) for t in frame.x_labels]
    if frame.y_title:
        parts.append(html.Span(frame.y_title, className="chart-static-ytitle",
                               style={"top": f"{frame.top + frame.plot_height / 2:.0f}px"}))
    if frame.legend:
        parts.append(html.Div([html.Span([html.Span(className=f"chart-static-key chart-static-{e.kind}",
                                                     style=_key_style(e)), e.name]) for e in frame.legend],
                              className="chart-static-legend",
                              style={"top": f"{frame.legend_top}px", "left": f"{frame.left}px"}))
    return html.Div(parts, className="chart-static", style={"height": f"{frame.height}px"}, **{"aria-hidden": "true"})


def map_frame_view(frame: MapFrame) -> html.Div:
    """A map's first frame: its drawing fitted into the map less the padding the map's own
    fit leaves (``assets/hotspot_map.js``). Hidden from assistive technology, as a chart's."""
    top, bottom = MAP_TOP_MARGIN + MAP_PADDING, MAP_BOTTOM_MARGIN + MAP_PADDING
    return html.Div(html.Img(src=frame.data_uri(), alt="", className="chart-static-plot chart-static-map",
                             style={"left": f"{MAP_PADDING}px", "top": f"{top}px",
                                    "width": f"calc(100% - {2 * MAP_PADDING}px)", "height": f"{frame.height - top - bottom}px"}),
                    className="chart-static", style={"height": f"{frame.height}px"}, **{"aria-hidden": "true"})


def _key_style(entry) -> dict:
    if entry.kind == "line":
        style = {"solid": "solid", "dot": "dotted"}.get(entry.dash, "dashed")
        return {"borderTop": f"3px {style} {entry.colour}"}
    return {"background": entry.colour}


def chart_card(view: ChartView, filters_query: str) -> html.Section:
    """A chart with its title, generated summary, source caption, table and downloads; or,
    when the view has nothing to draw, its title and the reason."""
    if view.message is not None:
        return message_card(view.title, view.message)
    chart_id = view.spec.chart_id
    heading_id = ids.chart_heading(chart_id)
    summary_id = ids.chart_summary(chart_id)
    figure = view.figure
    meta = image_meta(view, filters_query)
    figure.setdefault("layout", {})["meta"] = meta
    return html.Section(
        [
            html.H2(view.title, id=heading_id, className="h5"),
            *notes(view.notes),
            *summary_block(view, summary_id),
            html.Figure(
                [
                    # The frame keeps the chart's height before plotly draws it, so nothing
                    # below moves; the page's first chart also shows its first frame there.
                    html.Div(
                        dcc.Graph(
                            id=ids.chart_graph(chart_id), figure=figure, className="chart",
                            config={"displaylogo": False, "responsive": True,
                                    "toImageButtonOptions": {"filename": chart_id, "scale": 2}},
                        ),
                        className=CHART_FRAME, style={"minHeight": f"{_height(figure)}px"},
                    ),
                    html.Figcaption(view.caption, className="chart-caption text-body-secondary small"),
                ],
                className="mb-2",
                **{"aria-describedby": summary_id},
            ),
            html.Div(
                [
                    csv_link(chart_id, filters_query),
                    html.Button("Download PNG", id={"type": ids.PNG_BUTTON, "chart": chart_id},
                                className="btn btn-outline-primary btn-sm", type="button", n_clicks=0),
                    html.Span(id={"type": ids.PNG_STATUS, "chart": chart_id}, className="visually-hidden",
                              role="status"),
                ],
                className="d-flex gap-2 mb-2",
            ),
            html.Details([html.Summary("Show as table"), data_table(*table_in_words(view), view.title)],
                         className="table-alternative"),
        ],
        className="chart-card card card-body mb-4",
        **{"aria-labelledby": heading_id},
    )


def summary_block(view: ChartView, summary_id: str) -> list:
    """The summary as one paragraph on a wide screen; on a phone (``dashboard.css``) its first
    sentence, with the rest folded into a "More about this chart" disclosure that a keyboard
    opens like any <details>."""
    headline, rest = view.headline, view.details
    paragraph = html.P([html.Span(headline, className="chart-headline"),
                        *([" ", html.Span(rest, className="chart-summary-rest")] if rest else [])],
                       id=summary_id, className="chart-summary")
    if not rest:
        return [paragraph]
    return [paragraph, html.Details([html.Summary("More about this chart"), html.P(rest, className="mb-2")],
                                    className="chart-summary-more")]


def table_in_words(view: ChartView) -> tuple:
    """The frame and columns of the table under a chart: where rows carry their period in
    words, the period column shows the words (the CSV keeps both, for machines and people)."""
    frame, columns = view.frame, list(view.spec.columns)
    if "period_label" in frame.columns and any(key == "period" for key, _ in columns):
        frame = frame.assign(period=frame["period_label"])
        columns = [(key, label) for key, label in columns if key != "period_label"]
    return frame, columns


def message_card(title: str, message: str, kind: str = "info") -> html.Section:
    """A chart's place when there is nothing to draw: a heading and the reason."""
    return html.Section(
        [html.H2(title, className="h5"), dbc.Alert(message, color=kind, class_name="mb-0")],
        className="chart-card card card-body mb-4",
    )
