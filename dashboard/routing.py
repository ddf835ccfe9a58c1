"""Page routing: the URL decides which page module renders the content."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import Input, Output, html

from . import ids
from .pages import overview

ROUTES = {"/": overview.render}


def register_callbacks(app, query_cache) -> None:
    prefix = app.config.requests_pathname_prefix.rstrip("/")

    @app.callback(Output(ids.PAGE, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search"))
    def render_page(pathname, search):
        path = pathname if isinstance(pathname, str) and pathname else "/"
        search = search if isinstance(search, str) else ""
        if prefix and path.startswith(prefix):
            path = path[len(prefix):] or "/"
        render = ROUTES.get(path)
        if render is None:
            return [html.H1("Page not found", className="h2"), html.P("There is no page at this address.")]
        return render(query_cache, parse_qs((search or "").lstrip("?")))
