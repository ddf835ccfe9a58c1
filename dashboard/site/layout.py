"""The page shell: skip link, header navigation, main landmark and footer."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.chart_data.filters import Filters
from dashboard.pages import PAGES
from dashboard.site.page_view import Chrome, PageView, chrome_for, nav_hrefs, page_view, referred_address
from dashboard.widgets import ids
from dashboard.widgets.filter_bar import filter_bar
from queries import partnership
from queries.counts import loaded_months


def site_title() -> str:
    """'Oxford community safety': the partnership's home area names the site."""
    return f"{partnership.current().home_name} community safety"


INDEX_STRING = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def shell(get_relative_path, query_cache, view: PageView | None = None, chrome: Chrome | None = None,
          nav_hrefs: list[str] | None = None, address: tuple[str, str] | None = None) -> html.Div:
    """The whole page. The filter bar lives here, not in the pages, so the callback that
    keeps it and the URL in step always finds every control. With ``view``, the page's
    heading and content come drawn for ``address`` (path, search); without, the page
    callback draws them once the URL component reports where the browser is."""
    filters = view.filters if view else Filters()
    chrome = chrome or Chrome()
    nav_hrefs = nav_hrefs or [get_relative_path(p.path) for p in PAGES]
    return html.Div(
        id=ids.SHELL,
        className=chrome.shell,
        children=[
            # Given the address already drawn, the URL component finds the browser there and
            # reports no change, so no callback redraws the page (or holds its charts back
            # behind the spinner while it runs).
            dcc.Location(id=ids.URL, refresh="callback-nav", **_address_props(address)),
            dcc.Store(id=ids.DRAWN_ADDRESS, data=view.key if view else None),
            html.A("Skip to main content", href="#main", className="visually-hidden-focusable skip-link"),
            html.Header(
                id=ids.SITE_HEADER,
                className=chrome.header,
                children=dbc.Navbar(
                    dbc.Container(
                        [
                            html.A(site_title(), href=get_relative_path("/"), className="navbar-brand"),
                            # Below the lg breakpoint (phones, narrow windows) the links fold
                            # behind a menu button, a native <button> that keys operate.
                            html.Button(html.Span(className="navbar-toggler-icon"), id=ids.NAV_TOGGLER, n_clicks=0,
                                        type="button", className="navbar-toggler",
                                        **{"aria-controls": ids.NAV_COLLAPSE, "aria-expanded": "false",
                                           "aria-label": "Menu"}),
                            dbc.Collapse(
                                [
                                    html.Nav(
                                        dbc.Nav(
                                            [dbc.NavLink(p.nav_label, href=href, id=ids.nav_link(p.key),
                                                         active="partial" if p.path != "/" else "exact")
                                             for p, href in zip(PAGES, nav_hrefs)],
                                            navbar=True,
                                        ),
                                        **{"aria-label": "Main"},
                                    ),
                                    _account(get_relative_path),
                                ],
                                id=ids.NAV_COLLAPSE, is_open=False, navbar=True,
                                class_name="justify-content-between",
                            ),
                        ],
                        fluid="xl",
                    ),
                    color="dark", dark=True, expand="lg", class_name="mb-4",
                ),
            ),
            html.Main(
                dbc.Container(
                    [
                        html.A("Open the full view in a new tab", id=ids.FULL_VIEW, href=chrome.full_view_href or get_relative_path("/"),
                               target="_blank", rel="noopener", className=chrome.full_view),
                        html.Div(view.header if view else [], id=ids.PAGE_HEADER),
                        html.Div(filter_bar(filters, query_cache.get(loaded_months), view.controls if view else frozenset()),
                                 id=ids.FILTER_BAR, className=chrome.filter_bar),
                        dbc.Spinner(html.Div(view.body if view else [], id=ids.PAGE), color="primary", delay_show=300),
                    ],
                    fluid="xl",
                ),
                id=ids.MAIN, tabIndex="-1",
            ),
            html.Div(
                dbc.Container(
                    html.P(
                        "Sources: data.police.uk street-level crime and anti-social behaviour; "
                        "Office for National Statistics population estimates and geography; "
                        "the published reports named under each of their figures. Contains public sector information "
                        "licensed under the Open Government Licence v3.0.",
                        className="small text-body-secondary mb-0",
                    ),
                    fluid="xl",
                ),
                className=chrome.footer,
                role="contentinfo",
                id=ids.SITE_FOOTER,
            ),
        ],
    )


def first_visit_shell(app, query_cache, referrer: str | None, host: str) -> html.Div:
    """The shell for the page named by the layout request's Referer, drawn; without one (a
    proxy that strips it), the shell alone, and the page callback draws the page."""
    address = referred_address(referrer, host)
    if address is None:
        return shell(app.get_relative_path, query_cache)
    return drawn_shell(app, query_cache, *address)


def drawn_shell(app, query_cache, pathname: str, search: str) -> html.Div:
    """The shell with the page at ``pathname`` and ``search`` drawn in it."""
    return shell(app.get_relative_path, query_cache, page_view(app, query_cache, pathname, search),
                 chrome_for(app, pathname, search), nav_hrefs(app, pathname, search), (pathname, search))


def _address_props(address: tuple[str, str] | None) -> dict:
    return {"pathname": address[0], "search": address[1]} if address else {}


def _account(get_relative_path):
    """Who is signed in, with a sign-out button; or a sign-in link for partners."""
    from flask import has_request_context

    from dashboard.server.auth import PUBLIC, csrf_token, current_role, current_user
    from dashboard.server.settings import current_settings

    if not has_request_context() or current_settings().auth_mode != "accounts":
        user = current_user() if has_request_context() else None
        return html.Span(f"{user} ({current_role()})" if user else "", className="navbar-text small")
    if current_role() == PUBLIC:
        return html.A("Partner sign-in", href=get_relative_path("/login"), className="nav-link text-white small")
    return html.Form(
        [
            html.Span(f"{current_user()} ({current_role()}) ", className="navbar-text small me-2"),
            dcc.Input(type="hidden", name="csrf", value=csrf_token()),
            html.Button("Sign out", type="submit", className="btn btn-outline-light btn-sm"),
        ],
        method="post", action=get_relative_path("/logout"), className="d-flex align-items-center",
    )
