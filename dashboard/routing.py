"""Page routing and the callbacks every page shares.

The URL is the single source of the filter state: the filter bar writes it, the charts
read it, and the back button (which changes it) moves both.
"""

from __future__ import annotations

from dash import MATCH, ClientsideFunction, Input, Output, State, ctx, html, no_update

from queries.counts import has_synthetic_months

from . import ids
from .auth import request_reader
from .chart_data.embeds import embedded_chart_id, page_path_of
from .charts import mark_demo
from .components import demo_notice
from .embed import embed_layout, register_embed_callbacks
from .filter_bar import (
    AREA_CONTROL,
    CONTROL_GROUPS,
    control_values,
    crime_types_summary,
    filters_from_controls,
    group_class,
    group_id,
)
from .filters import Filters
from .layout import FOOTER_CLASS
from .pages import PAGES, PAGES_BY_PATH


def local_path(app, pathname) -> str:
    prefix = app.config.requests_pathname_prefix.rstrip("/")
    path = pathname if isinstance(pathname, str) and pathname else "/"
    if prefix and path.startswith(prefix):
        path = path[len(prefix):] or "/"
    return path


def page_header(page) -> list:
    return [html.H1(page.title, className="h2 mb-2"), html.P(page.intro, className="text-body-secondary")]


def not_found_layout() -> list:
    return [html.H1("Page not found", className="h2"), html.P("There is no page at this address.")]


def page_paths() -> set[str]:
    """Every page's path, for the request guard's 404s."""
    return {page.path for page in PAGES}


def validation_layout(shell) -> html.Div:
    """The shell with every page's content container, so Dash can check every callback."""
    return html.Div([shell, *[html.Div([*p.validation_components], id=ids.page_content(p.key)) for p in PAGES],
                     *embed_layout()])


def register_callbacks(app, query_cache) -> None:
    @app.callback(
        Output(ids.PAGE_HEADER, "children"),
        Output(ids.PAGE, "children"),
        *[Output(group_id(c), "class_name") for c in CONTROL_GROUPS],
        Input(ids.URL, "pathname"),
    )
    def render_page(pathname):
        path = local_path(app, pathname)
        page = PAGES_BY_PATH.get(path)
        if page is None and embedded_chart_id(path):
            return [], embed_layout(), *[group_class(False) for _ in CONTROL_GROUPS]
        if page is None:
            return not_found_layout(), [], *[group_class(False) for _ in CONTROL_GROUPS]
        return (page_header(page), html.Div(id=ids.page_content(page.key)),
                *[group_class(c in page.controls) for c in CONTROL_GROUPS])

    @app.callback(
        output={
            "search": Output(ids.URL, "search"),
            "controls": {c: Output(c, "value") for c in ids.FILTER_CONTROLS},
            "crime_types_summary": Output(ids.F_CRIME_TYPES_SUMMARY, "children"),
            "more_areas_open": Output(ids.F_AREAS_MORE_DETAILS, "open"),
        },
        inputs={"search": Input(ids.URL, "search"), "controls": {c: Input(c, "value") for c in ids.FILTER_CONTROLS}},
        state={"pathname": State(ids.URL, "pathname")},
    )
    def sync_filters(search, controls, pathname):
        """URL -> controls when the URL changed (a copied link, the back button);
        controls -> URL when a control changed."""
        page = PAGES_BY_PATH.get(local_path(app, pathname))
        defaults = page.defaults if page else Filters()
        search = search if isinstance(search, str) else ""
        current = Filters.from_query(search, defaults)
        if ctx.triggered_id in (None, ids.URL):
            values = control_values(current)
            return {
                "search": no_update,
                "controls": {c: values.get(c, no_update) for c in ids.FILTER_CONTROLS},
                "crime_types_summary": crime_types_summary(current.crime_types),
                "more_areas_open": bool(values[ids.F_AREAS_MORE]),
            }
        # A page with the single-area control (hotspots) takes its area from that control.
        single_area = page is not None and AREA_CONTROL in page.controls
        filters = filters_from_controls(controls, defaults, single_area).with_changes(
            embed=current.embed, show_filters=current.show_filters)
        query = filters.to_query(defaults)
        return {
            "search": no_update if query == current.to_query(defaults) else query,
            "controls": {c: no_update for c in ids.FILTER_CONTROLS},
            "crime_types_summary": crime_types_summary(filters.crime_types),
            "more_areas_open": no_update,
        }

    @app.callback(*[Output(ids.nav_link(p.key), "href") for p in PAGES], Input(ids.URL, "search"), State(ids.URL, "pathname"))
    def carry_filters_to_other_pages(search, pathname):
        """Links to the other pages keep the chosen areas and period."""
        page = PAGES_BY_PATH.get(local_path(app, pathname))
        filters = Filters.from_query(search if isinstance(search, str) else "", page.defaults if page else Filters())
        return [app.get_relative_path(p.path) + filters.to_query(p.defaults) for p in PAGES]

    @app.callback(
        Output(ids.SITE_HEADER, "className"),
        Output(ids.SITE_FOOTER, "className"),
        Output(ids.FILTER_BAR, "className"),
        Output(ids.FULL_VIEW, "className"),
        Output(ids.FULL_VIEW, "href"),
        Output(ids.SHELL, "className"),
        Input(ids.URL, "search"),
        State(ids.URL, "pathname"),
    )
    def embed_mode(search, pathname):
        """?embed=1: no navigation or footer, a link out to the full view; &filters=0: no filter bar."""
        path = local_path(app, pathname)
        page = PAGES_BY_PATH.get(path)
        chart_id = embedded_chart_id(path)
        defaults = page.defaults if page else Filters()
        filters = Filters.from_query(search if isinstance(search, str) else "", defaults)
        if chart_id:  # /embed/<chart id> is always chromeless, with no filter bar
            filters = filters.with_changes(embed=True, show_filters=False)
        hidden = "d-none"
        full_path = page.path if page else page_path_of(chart_id) if chart_id else "/"
        full_view = app.get_relative_path(full_path) + filters.full_view().to_query(defaults)
        if not filters.embed:
            return "", FOOTER_CLASS, "", hidden, full_view, ""
        return (hidden, hidden, "" if filters.show_filters else hidden, "small d-inline-block mb-2", full_view,
                "embedded")

    register_embed_callbacks(app, query_cache, local_path,
                             lambda chart_id: PAGES_BY_PATH[page_path_of(chart_id)].shows_incidents)
    for page in PAGES:
        _register_page_content(app, query_cache, page)
        if page.register_callbacks:
            page.register_callbacks(app)

    # The phone menu opens and closes in the browser (no round trip), and closes after a
    # link is followed so the new page is not hidden under it.
    app.clientside_callback(
        ClientsideFunction(namespace="navigation", function_name="toggle"),
        Output(ids.NAV_COLLAPSE, "is_open"),
        Output(ids.NAV_TOGGLER, "aria-expanded"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.NAV_COLLAPSE, "is_open"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="charts", function_name="downloadPng"),
        Output({"type": ids.PNG_STATUS, "chart": MATCH}, "children"),
        Input({"type": ids.PNG_BUTTON, "chart": MATCH}, "n_clicks"),
        State({"type": ids.PNG_BUTTON, "chart": MATCH}, "id"),
        prevent_initial_call=True,
    )


def _register_page_content(app, query_cache, page) -> None:
    @app.callback(Output(ids.page_content(page.key), "children"), Input(ids.URL, "search"))
    def render_content(search):
        search = search if isinstance(search, str) else ""
        filters = Filters.from_query(search, page.defaults)
        content = page.render(request_reader(query_cache), filters, filters.to_query(page.defaults))
        # One notice per page, above everything, wherever demo incidents are drawn.
        if page.shows_incidents and query_cache.get(has_synthetic_months):
            mark_demo(content)
            content = [demo_notice(), *content]
        return content
