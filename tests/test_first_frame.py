"""The first frame a chart shows before plotly has drawn it: an SVG of the figure drawn on the
server. Coordinates are checked against hand calculations for small figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest

from dashboard.charts.figures import change_by_type_figure, trend_figure
from dashboard.charts.first_frame import UNITS, first_frame

SVG = "{http://www.w3.org/2000/svg}"
# 400 px tall, margins 50/10/10/40: a plot 350 px tall, its width UNITS (1000) in the SVG.
LAYOUT = {"height": 400, "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "xaxis": {"type": "category"}}


def shapes(frame, tag):
    return ET.fromstring(frame.svg).findall(f"{SVG}{tag}")


def lines(frame):
    """The paths drawn as lines (markers are zero-length strokes, 'h0')."""
    return [p.get("d") for p in shapes(frame, "path") if p.get("fill") == "none"]


def test_a_line_with_a_missing_value_is_two_paths_at_hand_computed_points():
    figure = {"data": [{"type": "scatter", "mode": "lines", "x": list("abcde"), "y": [1, 2, None, 4, 5],
                        "line": {"color": "#0072B2", "width": 2}}], "layout": LAYOUT}
    frame = first_frame(figure)
    # The axis runs from 0 to 5 * 1.05 = 5.25 over 350 px: y = 350 * (5.25 - v) / 5.25.
    # Five categories, each in the middle of a fifth of 1000 units: 100, 300, 500, 700, 900.
    assert lines(frame) == ["M100.0 283.3L300.0 216.7", "M700.0 83.3L900.0 16.7"]
    assert frame.plot_height == 350 and (frame.left, frame.right, frame.top) == (50, 10, 10)
    assert [t.text for t in frame.y_ticks] == ["0", "1", "2", "3", "4", "5"]
    assert frame.y_ticks[0].at == pytest.approx(1.0) and frame.y_ticks[5].at == pytest.approx(0.25 / 5.25)
    assert [(round(label.at, 3), label.text) for label in frame.x_labels] == [
        (0.1, "a"), (0.3, "b"), (0.5, "c"), (0.7, "d"), (0.9, "e")]
    assert frame.legend == []  # one trace: plotly shows no legend


def test_a_bar_s_height_is_its_value_on_the_axis_scale():
    figure = {"data": [{"type": "bar", "x": ["A", "B"], "y": [3, 6], "marker": {"color": "#D55E00"}}],
              "layout": LAYOUT}
    frame = first_frame(figure)
    rects = shapes(frame, "rect")
    # Axis 0 to 6.3 over 350 px; each bar 80% of its 500-unit slot, centred.
    assert [(float(r.get("x")), float(r.get("width"))) for r in rects] == [(50.0, 400.0), (550.0, 400.0)]
    assert [float(r.get("height")) for r in rects] == [pytest.approx(350 * 3 / 6.3, abs=0.05),
                                                       pytest.approx(350 * 6 / 6.3, abs=0.05)]
    assert [float(r.get("y")) + float(r.get("height")) for r in rects] == [pytest.approx(350, abs=0.1)] * 2
    assert {r.get("fill") for r in rects} == {"#D55E00"}


def test_grouped_bars_sit_side_by_side_and_a_missing_value_draws_no_bar():
    figure = {"data": [{"type": "bar", "name": "Oxford", "x": ["A", "B"], "y": [2, 4]},
                       {"type": "bar", "name": "Oxfordshire", "x": ["A", "B"], "y": [None, 1]}],
              "layout": LAYOUT}
    frame = first_frame(figure)
    # Two bars a slot of 500 units: each 200 wide, the second starting where the first ends.
    assert [(float(r.get("x")), float(r.get("width"))) for r in shapes(frame, "rect")] == [
        (50.0, 200.0), (550.0, 200.0), (750.0, 200.0)]
    assert [(e.name, e.kind) for e in frame.legend] == [("Oxford", "bar"), ("Oxfordshire", "bar")]


def test_a_band_between_two_traces_is_one_shape_per_run_of_values():
    upper = {"type": "scatter", "mode": "lines", "x": list("abcd"), "y": [4, 5, None, 6], "line": {"width": 0}}
    lower = {"type": "scatter", "mode": "lines", "x": list("abcd"), "y": [2, 3, 2, 3], "line": {"width": 0},
             "fill": "tonexty", "fillcolor": "rgba(118,118,118,0.18)", "name": "band"}
    frame = first_frame({"data": [upper, lower], "layout": LAYOUT})
    fills = [p.get("d") for p in shapes(frame, "path") if p.get("fill", "").startswith("rgba")]
    # Axis 0 to 6.3; x at 125, 375, 625, 875. Only a and b have both limits in one run.
    y = lambda v: f"{350 * (6.3 - v) / 6.3:.1f}"  # noqa: E731
    assert fills == [f"M125.0 {y(4)}L375.0 {y(5)}L375.0 {y(3)}L125.0 {y(2)}Z"]
    assert lines(frame) == []  # width-0 lines draw nothing


def test_a_shape_filled_to_itself_is_closed():
    trace = {"type": "scatter", "mode": "lines", "x": list("abc"), "y": [1, 2, 1], "fill": "toself",
             "fillcolor": "#cccccc", "line": {"width": 0}}
    frame = first_frame({"data": [trace], "layout": LAYOUT})
    assert [p.get("d") for p in shapes(frame, "path") if p.get("fill") == "#cccccc"] == [
        f"M{500 / 3:.1f} {350 * 1.1 / 2.1:.1f}L500.0 {350 * 0.1 / 2.1:.1f}L{2500 / 3:.1f} {350 * 1.1 / 2.1:.1f}Z"]


def test_tick_labels_keep_the_decimals_their_step_needs():
    figure = {"data": [{"type": "bar", "x": ["A"], "y": [0.21]}], "layout": LAYOUT}
    labels = [t.text for t in first_frame(figure).y_ticks]
    # Top 0.21 * 1.05 = 0.2205; about 350 / 45 = 7 ticks want a step of 0.0315, rounded up to 0.05.
    assert labels == ["0", "0.05", "0.1", "0.15", "0.2"]
    assert len(set(labels)) == len(labels)  # no two ticks share a label


def test_error_bars_are_whiskers_from_low_to_high():
    figure = {"data": [{"type": "bar", "x": ["A"], "y": [2.0],
                        "error_y": {"type": "data", "array": [1.0], "arrayminus": [0.5], "color": "#1b1b1b"}}],
              "layout": LAYOUT}
    frame = first_frame(figure)
    # The axis reaches 3 * 1.05 = 3.15; the whisker runs from 3 down to 1.5 at the bar's centre.
    whiskers = [p.get("d") for p in shapes(frame, "path") if p.get("stroke") == "#1b1b1b"]
    assert whiskers == [f"M500.0 {350 * 0.15 / 3.15:.1f}V{350 * 1.65 / 3.15:.1f}"]


def test_a_month_axis_places_months_evenly_and_labels_januaries_on_a_long_span():
    months = [f"{y}-{m:02d}-01" for y in (2023, 2024, 2025) for m in range(1, 13)]
    figure = {"data": [{"type": "scatter", "mode": "lines+markers", "x": months, "y": list(range(1, 37)),
                        "name": "Oxford"}], "layout": {**LAYOUT, "xaxis": {"type": "date"}}}
    frame = first_frame(figure)
    labelled = [label.text for label in frame.x_labels]
    assert labelled[0] == "January 2023" and all(t.split()[0] in ("January", "April", "July", "October") for t in labelled)
    # 36 months from 5% to 95% of the width: month i at 50 + 900 * i / 35 units.
    assert frame.x_labels[0].at == pytest.approx(0.05)
    assert lines(frame)[0].startswith(f"M50.0 {350 * (37.8 - 1) / 37.8:.1f}L{50 + 900 / 35:.1f} ")
    # Markers: one zero-length round stroke a point, so they stay round when the SVG stretches,
    # all in one path (one element for the browser to parse and style, not 36).
    (dots,) = [p for p in shapes(frame, "path") if p.get("d").endswith("h0")]
    assert dots.get("stroke-linecap") == "round"
    assert dots.get("d") == "".join(f"M{50 + 900 * i / 35:.1f} {350 * (37.8 - (i + 1)) / 37.8:.1f}h0" for i in range(36))
    assert sum(label.phone for label in frame.x_labels) <= 2


def test_a_figure_the_frame_cannot_draw_gets_none():
    import pandas as pd

    frame = pd.DataFrame({"percent_change": [5.0, -3.0], "crime_type_name": ["Burglary", "Robbery"],
                          "significant": [True, False]})
    assert first_frame(change_by_type_figure(frame, "E07000178")) is None  # horizontal bars
    assert first_frame({"data": [{"type": "scattermap", "lat": [51.7], "lon": [-1.2]}], "layout": {}}) is None
    assert first_frame({"data": [{"type": "scatter", "x": ["a"], "y": [None]}], "layout": LAYOUT}) is None


def test_the_trend_figure_s_frame_is_a_valid_image_with_one_line_per_area():
    import pandas as pd

    rows = []
    for code, name in (("E07000178", "Oxford"), ("E10000025", "Oxfordshire")):
        for i, month in enumerate(["2024-01", "2024-02", "2024-03", "2024-04"]):
            rows.append({"area_code": code, "area_name": name, "period": month, "first_month": month,
                         "count": None if (code, i) == ("E07000178", 2) else 10.0 + i, "complete": True})
    figure = trend_figure(pd.DataFrame(rows), "count", "quarter")
    frame = first_frame(figure)
    # Oxford's line breaks at its missing month: one path before it (the single point after
    # it is a marker only); Oxfordshire's is whole.
    assert len(lines(frame)) == 2
    assert [e.name for e in frame.legend] == ["Oxford", "Oxfordshire"]
    assert frame.legend_above  # the category axis puts the legend above the plot
    svg = unquote(frame.data_uri().removeprefix("data:image/svg+xml,"))
    assert svg == frame.svg and "#" not in frame.data_uri()
    assert float(ET.fromstring(svg).get("viewBox").split()[2]) == UNITS


def test_the_report_s_band_breaks_where_either_limit_is_missing():
    """The board report draws bands with the same runs: a month with no upper limit breaks the
    band, where it used to be bridged from the month before to the month after."""
    import plotly.graph_objects as go

    from dashboard.documents.pack import PackPDF
    from dashboard.documents.pdf_charts import ChartPainter

    months = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]
    figure = go.Figure([go.Scatter(x=months, y=[4, 5, None, 6], mode="lines", line={"width": 0}),
                        go.Scatter(x=months, y=[2, 3, 2, 3], mode="lines", line={"width": 0}, fill="tonexty")])
    pdf = PackPDF("test", "today")
    pdf.add_page()
    painter = ChartPainter(pdf, figure, 10, 20, 180, 60)
    drawn = []
    pdf.polygon = lambda points, style=None: drawn.append([(round(x, 2), round(y, 2)) for x, y in points])
    painter._fill_between(figure.data[0], figure.data[1])
    expected = [(painter.px(0), painter.py(4)), (painter.px(1), painter.py(5)),
                (painter.px(1), painter.py(3)), (painter.px(0), painter.py(2))]
    assert drawn == [[(round(x, 2), round(y, 2)) for x, y in expected]]


@pytest.fixture
def client(sqlite_engine):
    from app import create_app
    from queries.importers.policeuk import import_policeuk

    from .conftest import FIXTURES

    import_policeuk(sqlite_engine, [FIXTURES / "policeuk" / "2024-01-thames-valley-street.csv"])
    return create_app({"database_url": sqlite_engine.url.render_as_string(hide_password=False)}).server.test_client()


def _static_frames(node, found):
    """The first frames in a Dash component tree (JSON), with the graph beside each."""
    if isinstance(node, list):
        for item in node:
            _static_frames(item, found)
    elif isinstance(node, dict):
        props = node.get("props", {})
        if props.get("className") == "chart-frame":
            children = props["children"] if isinstance(props["children"], list) else [props["children"]]
            found.append([c["props"].get("id") or c["props"].get("className") for c in children])
        _static_frames(props.get("children"), found)
    return found


@pytest.mark.parametrize("pathname,chart", [("/crime", "chart-crime-trend"), ("/embed/crime-trend", "chart-crime-trend"),
                                            ("/domestic-abuse", "chart-da-offences")])
def test_the_first_chart_of_a_page_or_embed_carries_its_first_frame_and_no_other_does(client, pathname, chart):
    import json

    from .pagetools import page_callback

    response = page_callback(client, pathname, "")
    content = json.loads(response.get_data(as_text=True))["response"]["page-content"]["children"]
    frames = _static_frames(content, [])
    assert frames[0] == ["chart-static", chart]
    assert all(len(f) == 1 for f in frames[1:])  # the other charts: their graph alone
    first = json.dumps(content)
    assert '"aria-hidden": "true"' in first and "data:image/svg+xml," in first


def test_a_page_drawn_over_one_already_shown_has_no_first_frame(client):
    """A new period (or another page) replaces a page already drawn, when plotly has loaded:
    the charts come without the server's frame, which only the first page of a visit needs."""
    import json

    from .pagetools import page_callback

    response = page_callback(client, "/crime", "?measure=count", drawn_address="/crime")
    content = json.loads(response.get_data(as_text=True))["response"]["page-content"]["children"]
    frames = _static_frames(content, [])
    assert frames and all(len(f) == 1 and f[0].startswith("chart-") for f in frames)
    assert "data:image/svg+xml," not in json.dumps(content)


def test_markers_ringed_or_translucent_keep_a_path_each_in_their_order():
    """Plain markers in an opaque colour share a path, a run at a time; an open marker (a dot
    and a white one over it) is drawn in its place between runs, and a translucent colour
    keeps a path a marker (overlaps darken, as in plotly)."""
    figure = {"data": [{"type": "scatter", "mode": "markers", "x": list("abcd"), "y": [1, 2, 3, 4],
                        "marker": {"color": "#0072B2", "size": 6, "symbol": ["circle", "circle", "circle-open", "circle"]}}],
              "layout": LAYOUT}
    frame = first_frame(figure)
    # Axis 0 to 4.2 over 350 px; four categories at 125, 375, 625 and 875 units.
    y = [f"{350 * (4.2 - v) / 4.2:.1f}" for v in (1, 2, 3, 4)]
    assert [(p.get("d"), p.get("stroke")) for p in shapes(frame, "path")] == [
        (f"M125.0 {y[0]}h0M375.0 {y[1]}h0", "#0072B2"), (f"M625.0 {y[2]}h0", "#0072B2"), (f"M625.0 {y[2]}h0", "white"),
        (f"M875.0 {y[3]}h0", "#0072B2")]
    figure["data"][0]["marker"] = {"color": "rgba(0,114,178,0.5)", "size": 6}
    assert [p.get("d") for p in shapes(first_frame(figure), "path")] == [
        f"M{x}.0 {v}h0" for x, v in zip((125, 375, 625, 875), y)]
