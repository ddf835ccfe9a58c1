"""Helpers for page tests: find components in a rendered Dash tree, read tables."""

from __future__ import annotations

import json

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
    """The text of each body row of the card's table (drawn from Dash components, or from
    the JSON a deferred table carries for ``assets/tables.js``)."""
    rows = []
    for component in walk(section):
        if isinstance(component, html.Tbody):
            for row in component.children:
                rows.append([_children(cell) for cell in _children(row)])
        table = deferred(component)
        if table:
            rows.extend([["" if v is None else v for v in row] for row in table["rows"]])
    return rows


def table_records(section) -> list[dict[str, str]]:
    """The card's table rows as {column heading: cell text}: tests then read a cell by its
    heading, whatever columns a view shows."""
    headings = []
    for component in walk(section):
        if isinstance(component, html.Thead):
            headings = [_children(cell) for cell in _children(_children(component))]
        table = deferred(component)
        if table:
            headings = table["columns"]
    return [dict(zip(headings, row, strict=True)) for row in table_rows(section)]


def deferred(component) -> dict | None:
    """The table a ``data_table`` element carries, if ``component`` is one."""
    source = getattr(component, "data-table", None) if isinstance(component, html.Div) else None
    return json.loads(source) if source else None


def texts(tree) -> str:
    """Every text in the tree, the cells of deferred tables included."""
    parts = []
    for component in walk(html.Div(tree)):
        if isinstance(component, str):
            parts.append(component)
        table = deferred(component)
        if table:
            parts += [table["caption"], *table["columns"], *(str(v) for row in table["rows"] for v in row if v is not None)]
    # One space between texts: a summary's headline and its rest are separate spans.
    return " ".join(" ".join(parts).split())


def _children(component):
    if isinstance(component, dict):
        return component["props"]["children"]
    return component.children


PAGE_OUTPUTS = ["page-header.children", "page-content.children",
                *[f"filter-group-{g}.class_name" for g in ("areas", "area", "crime_types", "period", "grain", "measure",
                                                          "baseline", "level")],
                "drawn-address.data"]


def page_callback(client, pathname: str, search: str, drawn_address: str | None = None, prefix: str = ""):
    """Post the page callback as the browser does when the address changes; the response."""
    return client.post(f"{prefix}/_dash-update-component", json=page_payload(pathname, search, drawn_address))


def page_payload(pathname: str, search: str, drawn_address: str | None = None) -> dict:
    """The page callback's request body for this address."""
    return {
        "output": ".." + "...".join(PAGE_OUTPUTS) + "..",
        "outputs": [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in PAGE_OUTPUTS],
        "inputs": [{"id": "url", "property": "pathname", "value": pathname},
                   {"id": "url", "property": "search", "value": search}],
        "state": [{"id": "drawn-address", "property": "data", "value": drawn_address}],
        "changedPropIds": ["url.search"],
    }
