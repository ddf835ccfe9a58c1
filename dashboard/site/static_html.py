"""A Dash component tree written out as the HTML the browser will show once Dash has drawn it.

Used for the page the server sends with its HTML (``first_paint``), so the page and its
first chart are on screen before any script has run. The elements and class names are
those Dash's html components and dash-bootstrap-components render, so the page does not move
when Dash's own copy replaces this one. Ids are left out (Dash's copy carries them, and an id
must be unique), and so are what only scripts use: stores, the location, the cells of
deferred tables (drawn by ``assets/tables.js`` once Dash's copy is on screen) and the charts'
figures (plotly draws into Dash's copy; the server-drawn first frame stands in for it here),
and what no one sees before Dash's copy arrives: the inside of a closed disclosure.
"""

from __future__ import annotations

import re
from html import escape

from dash.development.base_component import Component

# Props that are state for scripts, not attributes of the element.
_SCRIPT_ONLY = frozenset({
    "id", "key", "n_clicks", "n_clicks_timestamp", "disable_n_clicks", "loading_state", "setProps",
    "data-table", "persistence", "persisted_props", "persistence_type", "children", "style", "className",
})
# React's prop names that differ from the HTML attribute.
_ATTRIBUTE_NAMES = {"tabIndex": "tabindex", "colSpan": "colspan", "rowSpan": "rowspan", "htmlFor": None,
                    "accessKey": "accesskey", "contentEditable": "contenteditable", "spellCheck": "spellcheck",
                    "crossOrigin": "crossorigin", "referrerPolicy": "referrerpolicy", "dateTime": "datetime"}
_VOID = frozenset({"img", "input", "br", "hr", "wbr", "col", "source", "track", "area"})
# CSS properties React writes without "px" when given a number.
_UNITLESS = frozenset({"opacity", "z-index", "font-weight", "line-height", "flex", "flex-grow", "flex-shrink",
                       "order", "columns", "column-count", "zoom"})
_CAMEL = re.compile(r"(?<!^)([A-Z])")


class Context:
    """What rendering needs besides the tree: the page's own path (for the navigation link
    marked active, as dash-bootstrap-components marks it in the browser)."""

    def __init__(self, pathname: str):
        self.pathname = pathname


def to_html(node, context: Context) -> str:
    parts: list[str] = []
    _write(node, context, parts)
    return "".join(parts)


def _write(node, context: Context, out: list[str]) -> None:
    if node is None or isinstance(node, bool):
        return
    if isinstance(node, (list, tuple)):
        for item in node:
            _write(item, context, out)
        return
    if isinstance(node, dict) and {"type", "namespace", "props"} <= node.keys():
        # A component already in Dash's JSON form (large tables are built so, for speed).
        namespace, kind, props = node["namespace"], node["type"], dict(node["props"] or {})
    elif isinstance(node, Component):
        namespace, kind = node._namespace, node._type
        props = {name: value for name, value in vars(node).items()
                 if not name.startswith("_") and name not in ("available_properties", "available_wildcard_properties")}
    else:
        out.append(escape(str(node), quote=False))
        return
    if namespace == "dash_html_components":
        children = props.get("children")
        if kind == "Details" and not props.get("open"):
            children = _summary_of(children)  # a closed disclosure shows its summary alone
        _element(kind.lower(), props, props.get("className"), children, context, out)
        return
    writer = _DCC.get(kind) if namespace == "dash_core_components" else _DBC.get(kind)
    if writer is None:  # a component of no known shape: its children, in a plain block
        _element("div", props, _classes(props), props.get("children"), context, out)
    else:
        writer(props, context, out)


def _summary_of(children) -> list:
    def kind(child):
        return child.get("type") if isinstance(child, dict) else getattr(child, "_type", None)
    return [child for child in (children if isinstance(children, (list, tuple)) else [children]) if kind(child) == "Summary"]


def _element(tag: str, props: dict, class_name: str | None, children, context: Context, out: list[str],
             extra: dict | None = None) -> None:
    attributes = {}
    if class_name:
        attributes["class"] = class_name
    style = props.get("style")
    if isinstance(style, dict) and style:
        attributes["style"] = _css(style)
    for name, value in props.items():
        if name in _SCRIPT_ONLY or not _is_attribute(name):
            continue
        name = _ATTRIBUTE_NAMES.get(name, name)
        if name is not None:
            attributes[name] = value
    attributes.update(extra or {})
    out.append(f"<{tag}{_attributes(attributes)}>")
    if tag in _VOID:
        return
    _write(children, context, out)
    out.append(f"</{tag}>")


def _is_attribute(name: str) -> bool:
    # Dash's own props are snake_case (state, not attributes); React's attributes are
    # camelCase or lower case, and aria-/data- ones hyphenated.
    return "_" not in name


def _attributes(attributes: dict) -> str:
    text = []
    # In order of name: a component's props come in an order that varies between processes.
    for name, value in sorted(attributes.items()):
        if value is None or value is False:
            continue
        if value is True:
            text.append(f" {name}")
        elif isinstance(value, (str, int, float)):
            text.append(f' {name}="{escape(str(value))}"')
    return "".join(text)


def _css(style: dict) -> str:
    declarations = []
    for name, value in style.items():
        prop = _CAMEL.sub(r"-\1", name).lower()
        if isinstance(value, (int, float)) and not isinstance(value, bool) and prop not in _UNITLESS and value != 0:
            value = f"{value}px"
        declarations.append(f"{prop}: {value}")
    return "; ".join(declarations)


def _classes(props: dict, *own: str) -> str:
    given = [props.get("class_name"), props.get("className")]
    return " ".join(c for c in (*given, *own) if c)


# dash-core-components: only what takes room on screen.
def _graph(props, context, out):
    # Without dcc's "dash-graph" class: scripts and tests take that for a chart plotly will draw.
    _element("div", {"style": props.get("style")}, _classes(props), None, context, out)


def _nothing(props, context, out):
    pass


def _input(props, context, out):
    _element("input", {k: props[k] for k in ("type", "placeholder", "value") if k in props},
             _classes(props), None, context, out)


_DCC = {"Graph": _graph, "Location": _nothing, "Store": _nothing, "Interval": _nothing, "Input": _input}


# dash-bootstrap-components, as its version 2 renders them.
def _block(*own):
    def write(props, context, out):
        _element("div", _common(props), _classes(props, *own), props.get("children"), context, out)
    return write


def _common(props: dict) -> dict:
    return {k: v for k, v in props.items() if k == "style" or k.startswith(("aria-", "data-")) or k == "role"}


def _container(props, context, out):
    fluid = props.get("fluid")
    kind = "container-fluid" if fluid is True else f"container-{fluid}" if isinstance(fluid, str) else "container"
    _block(kind)(props, context, out)


def _row(props, context, out):
    _block("row")(props, context, out)


def _col(props, context, out):
    sizes = [f"col-{props['width']}" if props.get("width") not in (None, True) else None]
    sizes += [f"col-{bp}-{props[bp]}" for bp in ("xs", "sm", "md", "lg", "xl", "xxl") if props.get(bp) is not None]
    own = [s for s in sizes if s] or ["col"]
    _block(*own)(props, context, out)


def _navbar(props, context, out):
    own = ["navbar"]
    if props.get("expand", "md"):
        own.append(f"navbar-expand-{props.get('expand', 'md')}")
    own.append("navbar-dark" if props.get("dark") else "navbar-light")
    if props.get("color"):
        own.append(f"bg-{props['color']}")
    _element("nav", _common(props), _classes(props, *own), props.get("children"), context, out)


def _collapse(props, context, out):
    own = (["navbar-collapse"] if props.get("navbar") else []) + ["collapse"] + (["show"] if props.get("is_open") else [])
    _block(*own)(props, context, out)


def _nav(props, context, out):
    _block("navbar-nav" if props.get("navbar") else "nav")(props, context, out)


def _nav_link(props, context, out):
    href = props.get("href") or ""
    path = href.split("?", 1)[0]
    active = props.get("active")
    if active == "exact":
        active = path == context.pathname
    elif active == "partial":
        active = context.pathname.startswith(path)
    _element("a", _common(props), _classes(props, "nav-link", "active" if active is True else ""),
             props.get("children"), context, out, {"href": href})


def _spinner(props, context, out):
    _element("div", {}, None, props.get("children"), context, out)


def _alert(props, context, out):
    if props.get("is_open") is False:
        return
    _element("div", _common(props), _classes(props, "alert", f"alert-{props.get('color', 'success')}"),
             props.get("children"), context, out, {"role": "alert"})


def _label(props, context, out):
    _element("label", _common(props), _classes(props, "form-label"), props.get("children"), context, out)


def _select(props, context, out):
    size = {"sm": "form-select-sm", "lg": "form-select-lg"}.get(props.get("size"), "")
    chosen = [o for o in props.get("options") or [] if isinstance(o, dict) and o.get("value") == props.get("value")]
    out.append(f'<select class="{escape(_classes(props, "form-select", size))}">')
    for option in chosen[:1]:  # what the closed select shows
        out.append(f"<option selected>{escape(str(option.get('label', '')), quote=False)}</option>")
    out.append("</select>")


def _choices(kind: str):
    def write(props, context, out):
        value = props.get("value")
        chosen = set(value) if isinstance(value, list) else {value}
        check = "form-check form-check-inline" if props.get("inline") else "form-check"
        out.append(f'<div{_attributes({"class": _classes(props) or None})}>')
        for option in props.get("options") or []:
            if not isinstance(option, dict):
                continue
            checked = " checked" if option.get("value") in chosen else ""
            out.append(f'<div class="{check}"><input class="form-check-input" type="{kind}"{checked}>'
                       f'<label class="form-check-label">')
            _write(option.get("label"), context, out)
            out.append("</label></div>")
        out.append("</div>")
    return write


def _table(props, context, out):
    own = ["table"] + [f"table-{k}" for k in ("striped", "bordered", "hover") if props.get(k)]
    if props.get("size"):
        own.append(f"table-{props['size']}")
    _element("table", _common(props), _classes(props, *own), props.get("children"), context, out)


_DBC = {
    "Container": _container, "Row": _row, "Col": _col, "Navbar": _navbar, "Collapse": _collapse, "Nav": _nav,
    "NavLink": _nav_link, "Spinner": _spinner, "Alert": _alert, "Label": _label, "Select": _select,
    "Checklist": _choices("checkbox"), "RadioItems": _choices("radio"), "Card": _block("card"),
    "CardBody": _block("card-body"), "Table": _table,
}
