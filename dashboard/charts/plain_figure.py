"""A plotly figure as the plain dict plotly.js draws, with the few graph-object methods the
chart builders use.

A ``plotly.graph_objects.Figure`` turns every trace into an object as it is added and, when
Dash sends it, deep-copies the whole figure and walks it for arrays to pack: on a board page
that was about a sixth of each callback's time, for figures the builders make from known-good
properties (``tests/test_figure_validity.py`` validates every figure a page sends). Dash and
plotly.js take a dict as they take a figure, and the dict goes out as it is.

Reading is as on a graph object (``figure.layout.xaxis.type``, ``figure.data[0].y``): an
unset value reads as None and an unset group of properties (a trace's ``line``) as an empty
group, so the PDF and the tests read either kind alike.
"""

from __future__ import annotations

from functools import lru_cache


class PlainFigure(dict):
    """``{"data": [...], "layout": {...}}``; the update methods merge as plotly's do: a
    nested dict is merged into the one already there, anything else replaces it."""

    def __init__(self, layout: dict | None = None, data: list | None = None):
        super().__init__(data=list(data or ()), layout=dict(layout or {}))

    def add_trace(self, trace: dict) -> PlainFigure:
        self["data"].append(trace)
        return self

    def update_layout(self, properties: dict | None = None, **more) -> PlainFigure:
        _merge(self["layout"], {**(properties or {}), **more})
        return self

    def update_xaxes(self, **properties) -> PlainFigure:
        _merge(self["layout"].setdefault("xaxis", {}), properties)
        return self

    def update_yaxes(self, **properties) -> PlainFigure:
        _merge(self["layout"].setdefault("yaxis", {}), properties)
        return self

    @property
    def data(self) -> tuple[Properties, ...]:
        return tuple(Properties(trace) for trace in self["data"])

    @property
    def layout(self) -> Properties:
        return Properties(self["layout"])


# The groups of properties the builders set (a trace's ``marker``, an axis's ``title``):
# plotly reads an unset one as an empty group, so that ``trace.line.color`` is None.
GROUPS = frozenset({"line", "marker", "pattern", "title", "font", "textfont", "xaxis", "yaxis", "legend", "margin",
                    "error_x", "error_y", "hoverlabel", "colorbar", "map", "fillpattern"})


class Properties:
    """Attribute access to a dict of plotly properties, read-only."""

    __slots__ = ("_values",)

    def __init__(self, values: dict):
        self._values = values

    def __getattr__(self, name: str):
        if name not in self._values and name in GROUPS:
            return Properties({})
        return _view(self._values.get(name))

    def __getitem__(self, name: str):
        return _view(self._values[name])

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def __bool__(self) -> bool:
        return bool(self._values)

    def __eq__(self, other) -> bool:
        return self._values == (other._values if isinstance(other, Properties) else other)

    def __repr__(self) -> str:
        return f"Properties({self._values!r})"


def _view(value):
    if isinstance(value, dict):
        return Properties(value)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_view(item) for item in value]
    return value


def _merge(target: dict, changes: dict) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


@lru_cache(maxsize=1)
def plotly_template() -> dict:
    """plotly's default template, as a graph-object figure carries it, so a plain figure
    draws exactly as one did: one dict, shared by every figure and never changed."""
    import plotly.graph_objects as go

    return go.Figure().to_plotly_json()["layout"]["template"]
