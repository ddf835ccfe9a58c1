"""Reject malformed requests before Dash sees them, so they get a 400 or 404, never a 500.

Dash answers a callback request it cannot match with an exception (a 500), and serves its
page for any path no other route takes. A crafted request should instead learn plainly what
was wrong, and an address that is no page (``/admin/x``, ``/board-report.exe``) is a 404.
"""

from __future__ import annotations

from flask import abort, request

from dashboard.chart_data.embeds import embedded_chart_id

JSON_SCALARS = (str, int, float, bool, type(None))
# Graph events nest a few levels (points, then their fields); anything deeper is crafted.
MAX_EVENT_DEPTH = 8


def register_request_guard(app, page_paths) -> None:
    server = app.server
    prefix = app.config.requests_pathname_prefix.rstrip("/")
    # Dash's own routes that serve the page shell: the root and its catch-all for every other path.
    shell_rules = {f"{prefix}/", f"{prefix}/<path:path>"}

    @server.before_request
    def guard():
        path = request.path
        local = path[len(prefix):] if prefix and path.startswith(prefix) else path
        if request.method == "POST" and local == "/_dash-update-component":
            try:
                body = request.get_json(silent=True)
            except RecursionError:  # nested deeper than the JSON parser's recursion allows
                abort(400, description="the body is nested too deeply")
            problem = callback_payload_problem(body, app.callback_map)
            if problem:
                abort(400, description=problem)
        elif (request.method in ("GET", "HEAD") and request.url_rule is not None and request.url_rule.rule in shell_rules
              and (local or "/") not in page_paths and embedded_chart_id(local) is None):
            abort(404)


def callback_payload_problem(body, callback_map) -> str | None:
    """What is wrong with a callback request body, or None if it matches a callback."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "no such callback output"
    callback = callback_map[output]
    if "callback" not in callback:  # a clientside callback: it runs in the browser only
        return "no such callback output"
    declared_outputs = output.strip(".").split("...") if output.startswith("..") else [output]
    given_outputs = body.get("outputs")
    given_outputs = given_outputs if isinstance(given_outputs, list) else [given_outputs]
    if len(given_outputs) != len(declared_outputs):
        return "outputs do not match the callback"
    for item, spec in zip(given_outputs, declared_outputs):
        if not isinstance(item, dict) or item.get("property") != spec.rsplit(".", 1)[-1]:
            return "outputs do not match the callback"
        if not spec.startswith("{") and item.get("id") != spec.rsplit(".", 1)[0]:
            return "outputs do not match the callback"
    for key in ("inputs", "state"):
        declared = [(item["id"], item["property"]) for item in callback.get(key, [])]
        given = body.get(key, [])
        if not isinstance(given, list) or len(given) != len(declared):
            return f"{key} do not match the callback"
        for item, (component_id, prop) in zip(given, declared):
            # A pattern-matching input (id given as JSON) arrives as one item (MATCH) or a list (ALL).
            pattern = isinstance(component_id, str) and component_id.startswith("{")
            items = item if pattern and isinstance(item, list) else [item]
            for one in items:
                if not isinstance(one, dict) or one.get("property") != prop:
                    return f"{key} do not match the callback"
                if (not pattern and one.get("id") != component_id) or (pattern and not isinstance(one.get("id"), dict)):
                    return f"{key} do not match the callback"
                value = one.get("value")
                values = value if isinstance(value, list) else [value]
                # Only graph events (clickData, hoverData ...) carry objects; other values are plain.
                mappings_allowed = prop.endswith("Data")
                if not all(isinstance(v, JSON_SCALARS) or (mappings_allowed and _plain_mapping(v)) for v in values):
                    return f"the value of {component_id}.{prop} has the wrong type"
    return None


def _plain_mapping(value, depth: int = 0) -> bool:
    """Graph events (clickData, relayoutData) are objects of plain JSON values, a few levels deep."""
    if not isinstance(value, dict) or depth > MAX_EVENT_DEPTH:
        return False
    return all(isinstance(v, JSON_SCALARS) or _plain_mapping(v, depth + 1) or
               (isinstance(v, list) and all(isinstance(i, JSON_SCALARS) or _plain_mapping(i, depth + 1) for i in v))
               for v in value.values())
