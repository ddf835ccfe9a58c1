"""The page shell: skip link, header navigation, main landmark and footer."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from queries.counts import loaded_months

from . import ids
from .filter_bar import filter_bar
from .filters import Filters
from .pages import PAGES

TITLE = "Oxford community safety"
FOOTER_CLASS = "site-footer border-top py-3 mt-4"

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


def shell(get_relative_path, query_cache) -> html.Div:
    """The whole page but its content. The filter bar lives here, not in the pages, so the
    callback that keeps it and the URL in step always finds every control."""
    return html.Div(
        id=ids.SHELL,
        children=[
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            html.A("Skip to main content", href="#main", className="visually-hidden-focusable skip-link"),
            html.Header(
                id=ids.SITE_HEADER,
                children=dbc.Navbar(
                    dbc.Container(
                        [
                            html.A(TITLE, href=get_relative_path("/"), className="navbar-brand"),
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
                                            [dbc.NavLink(p.nav_label, href=get_relative_path(p.path),
                                                         id=ids.nav_link(p.key),
                                                         active="partial" if p.path != "/" else "exact")
                                             for p in PAGES],
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
                        html.A("Open the full view in a new tab", id=ids.FULL_VIEW, href=get_relative_path("/"),
                               target="_blank", rel="noopener", className="d-none"),
                        html.Div(id=ids.PAGE_HEADER),
                        html.Div(filter_bar(Filters(), query_cache.get(loaded_months), frozenset()), id=ids.FILTER_BAR),
                        dbc.Spinner(html.Div(id=ids.PAGE), color="primary", delay_show=300),
                    ],
                    fluid="xl",
                ),
                id=ids.MAIN, tabIndex="-1",
            ),
            html.Div(
                dbc.Container(
                    html.P(
                        "Sources: data.police.uk street-level crime and anti-social behaviour; "
                        "Office for National Statistics population estimates; Oxford Safer "
                        "Communities Partnership reports. Contains public sector information "
                        "licensed under the Open Government Licence v3.0.",
                        className="small text-body-secondary mb-0",
                    ),
                    fluid="xl",
                ),
                className=FOOTER_CLASS,
                role="contentinfo",
                id=ids.SITE_FOOTER,
            ),
        ],
    )


def _account(get_relative_path):
    """Who is signed in, with a sign-out button; or a sign-in link for partners."""
    from flask import has_request_context

    from .auth import PUBLIC, csrf_token, current_role, current_user
    from .settings import current_settings

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
