"""The page shell: skip link, header navigation, main landmark and footer."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from . import ids

TITLE = "Oxford community safety dashboard"
PAGES = [("/", "Overview")]

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


def shell() -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            html.A("Skip to main content", href="#main", className="visually-hidden-focusable skip-link"),
            html.Header(
                dbc.Navbar(
                    dbc.Container(
                        [
                            html.A(TITLE, href="/", className="navbar-brand"),
                            html.Nav(
                                dbc.Nav([dbc.NavLink(label, href=href, active="exact") for href, label in PAGES]),
                                **{"aria-label": "Main"},
                            ),
                        ]
                    ),
                    color="dark", dark=True, class_name="mb-4",
                )
            ),
            html.Main(dbc.Container(id=ids.PAGE), id="main", tabIndex="-1"),
            html.Div(
                dbc.Container(
                    html.P(
                        [
                            "Sources: data.police.uk street-level crime and anti-social behaviour; "
                            "Office for National Statistics population estimates; Oxford Safer "
                            "Communities Partnership reports. Contains public sector information "
                            "licensed under the Open Government Licence v3.0.",
                        ],
                        className="small text-body-secondary mb-0",
                    )
                ),
                className="site-footer border-top py-3 mt-4",
                role="contentinfo",
            ),
        ]
    )
