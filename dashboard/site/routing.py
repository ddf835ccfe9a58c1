"""Page routing and the callbacks every page shares.

The URL is the single source of the filter state: the filter bar writes it, the charts
read it, and the back button (which changes it) moves both.
"""

from __future__ import annotations

from dash import MATCH, ClientsideFunction, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.chart_data.filters import Filters
from dashboard.pages import PAGES, PAGES_BY_PATH
from dashboard.site.page_view import address_key, chrome_for, local_path, nav_hrefs, page_view
from dashboard.widgets import ids
from dashboard.widgets.filter_bar import (
    AREA_CONTROL,
    CONTROL_GROUPS,
    control_values,
    crime_types_summary,
    filters_from_controls,
    group_class,
    group_id,
)


def page_paths() -> set[str]:
    """Every page's path, for the request guard's 404s."""
    return {page.path for page in PAGES}


def validation_layout(shell) -> html.Div:
    """The shell with every page's content container, so Dash can check every callback."""
    return html.Div([shell, *[html.Div([*p.validation_components], id=ids.page_content(p.key)) for p in PAGES],
                     html.Div(id=ids.EMBED_CHART)])


def register_callbacks(app, query_cache) -> None:
    @app.callback(
        Output(ids.PAGE_HEADER, "children"),
        Output(ids.PAGE, "children"),
        *[Output(group_id(c), "class_name") for c in CONTROL_GROUPS],
        Output(ids.DRAWN_ADDRESS, "data"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
        State(ids.DRAWN_ADDRESS, "data"),
        # A first visit's layout arrives with its page drawn (see page_view); without (no
        # Referer), the URL component's first report of the address triggers this.
        prevent_initial_call=True,
    )
    def render_page(pathname, search, drawn_address):
        # Moving to the address already drawn (its own link, the same filters spelled
        # another way) would only redo the queries and the charts.
        if drawn_address == address_key(app, pathname, search):
            raise PreventUpdate
        # A page drawn over one already shown (a new period, another page) is drawn by plotly,
        # loaded by then: the server's first frame is only for the first page a visit draws.
        view = page_view(app, query_cache, pathname, search, first_frame=drawn_address is None)
        return view.header, view.body, *[group_class(c in view.controls) for c in CONTROL_GROUPS], view.key

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
            embed=current.embed, show_filters=current.show_filters, sources=current.sources)
        query = filters.to_query(defaults)
        return {
            "search": no_update if query == current.to_query(defaults) else query,
            "controls": {c: no_update for c in ids.FILTER_CONTROLS},
            "crime_types_summary": crime_types_summary(filters.crime_types),
            "more_areas_open": no_update,
        }

    @app.callback(*[Output(ids.nav_link(p.key), "href") for p in PAGES], Input(ids.URL, "search"), State(ids.URL, "pathname"))
    def carry_filters_to_other_pages(search, pathname):
        return nav_hrefs(app, pathname, search)

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
        c = chrome_for(app, pathname, search)
        return c.header, c.footer, c.filter_bar, c.full_view, c.full_view_href, c.shell

    for page in PAGES:
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

