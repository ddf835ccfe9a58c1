"""Helpers for page tests: find components in a rendered Dash tree, read tables."""

from __future__ import annotations

from dash import dcc, html


def walk(component):
    yield component
    if isinstance(component, dict) and "props" in component:  # a component in Dash's JSON form
        children = component["props"].get("children")
    else:
        children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from walk(child)
    elif isinstance(children, str):
        yield children
    elif children is not None and not isinstance(children, (int, float)):
        yield from walk(children)


def find(tree, component_id):
    for component in walk(tree if not isinstance(tree, list) else html.Div(tree)):
        if getattr(component, "id", None) == component_id:
            return component
    raise LookupError(component_id)


def graph(tree, chart_id) -> dcc.Graph:
    return find(tree, f"chart-{chart_id}")


def card(tree, chart_id) -> html.Section:
    for component in walk(html.Div(tree)):
        if isinstance(component, html.Section) and getattr(component, "aria-labelledby", None) == f"{chart_id}-heading":
            return component
    raise LookupError(chart_id)


def table_rows(section) -> list[list[str]]:
    """The text of each body row of the card's table alternative."""
    rows = []
    for component in walk(section):
        if isinstance(component, html.Tbody):
            for row in component.children:
                rows.append([_children(cell) for cell in _children(row)])
    return rows


def texts(tree) -> str:
    return " ".join(c for c in walk(html.Div(tree)) if isinstance(c, str))


def _children(component):
    if isinstance(component, dict):
        return component["props"]["children"]
    return component.children
