"""A plain figure updates and reads as plotly's graph objects do, for what the builders use."""

import plotly.graph_objects as go

from dashboard.charts.plain_figure import PlainFigure, plotly_template


def _both(layout, traces):
    return PlainFigure(layout, [dict(t) for t in traces]), go.Figure(data=traces, layout=layout)


def test_updates_merge_as_plotly_merges():
    layout = {"margin": {"l": 64, "r": 16, "t": 16, "b": 48}, "xaxis": {"title": {"text": "Month"}, "showgrid": False},
              "legend": {"orientation": "h", "y": -0.2}}
    plain, graph = _both(layout, [{"type": "scatter", "x": [1, 2], "y": [3, 4], "name": "a"}])
    for figure in (plain, graph):
        figure.update_layout(margin={"t": 40}, legend={"y": 1.02, "yanchor": "bottom"}, height=360)
        figure.update_xaxes(type="category", tickformat="%b")
        figure.update_yaxes(rangemode="tozero")
        figure.add_trace({"type": "bar", "x": [1], "y": [2], "name": "b"})
    expected = graph.to_plotly_json()
    expected["layout"].pop("template")
    assert plain["layout"] == expected["layout"]
    assert plain["data"] == expected["data"]


def test_reading_matches_graph_objects():
    plain, graph = _both({"xaxis": {"type": "date", "title": {"text": "Month"}}},
                         [{"type": "scatter", "x": ["2025-01-01"], "y": [3], "marker": {"size": 7}}])
    for attribute in ("type", "tickformat"):
        assert getattr(plain.layout.xaxis, attribute) == getattr(graph.layout.xaxis, attribute)
    assert plain.layout.xaxis.title.text == graph.layout.xaxis.title.text == "Month"
    assert plain.layout.height is None and graph.layout.height is None
    trace, graph_trace = plain.data[0], graph.data[0]
    assert trace.marker.size == graph_trace.marker.size == 7
    # An unset group reads as an empty group, its values as None, as on a graph object.
    assert trace.line.color is None and graph_trace.line.color is None
    assert plain.layout.yaxis.title.text is None and graph.layout.yaxis.title.text is None


def test_the_template_is_plotlys_own():
    assert plotly_template() == go.Figure().to_plotly_json()["layout"]["template"]
    assert plotly_template()["layout"]["xaxis"]["automargin"] is True
