"""Small reusable pieces: chart cards with a text summary and a table alternative."""

from __future__ import annotations

import json
from collections.abc import Sequence

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.charts.formatting import cell
from dashboard.widgets import ids

SYNTHETIC_MESSAGE = (
    "The incident figures on this page are made up, for trying the dashboard out. "
    "Import data.police.uk files to see real figures."
)


def demo_notice() -> dbc.Alert:
    return dbc.Alert(
        [html.Strong("Synthetic demo data. "), SYNTHETIC_MESSAGE],
        color="warning", class_name="demo-notice", id=ids.DEMO_NOTICE,
    )


def intro_with_board_report(explanation: str, record_label: str, record_href: str, tail: str, query: str) -> html.Div:
    """A page's opening paragraph ending in a link to record more, then the board report's
    downloads. The page's filters choose the report's areas and quarter (the last whole one
    to "to"), so the links carry the page's query."""
    return html.Div([
        html.P([explanation, html.A(record_label, href=record_href), tail]),
        html.P([
            html.A("Board report (PDF)", href=f"board-report.pdf{query}", className="btn btn-outline-primary btn-sm me-2"),
            html.A("Board report tables (CSV, zip)", href=f"board-report.zip{query}",
                   className="btn btn-outline-primary btn-sm"),
        ]),
    ])


def data_table(frame: pd.DataFrame, columns: Sequence[tuple[str, str]], caption: str) -> html.Div:
    """An accessible HTML table (a caption, column headers, row headers in the first column),
    sent as one element holding its cells as JSON, which ``assets/tables.js`` turns into the
    table when it is shown (at once, or when its "Show as table" opens).

    Why not a Dash component per cell: the browser built every hidden table alternative
    before drawing a chart, about 1,700 components on the crime page, which took over 30 s
    of a council laptop's main thread (4x CPU slowdown) before the first chart appeared.
    """
    keys = [key for key, _ in columns]
    rows = [[cell(value) for value in row] for row in frame[keys].itertuples(index=False)]
    table = {"caption": caption, "columns": [label for _, label in columns], "rows": rows,
             "className": "table table-sm table-striped " + table_class(len(columns))}
    # A wide table scrolls inside its own box on a phone, not the page.
    return html.Div(className="deferred-table table-responsive", **{"data-table": json.dumps(table)})


def table_class(columns: int) -> str:
    """A table of many columns keeps a readable width and scrolls sideways on a phone
    (``table-wide`` in dashboard.css) rather than wrapping every cell a word to a line."""
    return "data-table table-wide" if columns > 5 else "data-table"


def element(kind: str, children, props: dict) -> dict:
    """An html component in the JSON form Dash sends it in, without building the object."""
    return {"type": kind, "namespace": "dash_html_components", "props": {"children": children, **props}}


def stat_card(title: str, value: str, rate: str, detail: str, change: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H3(title, className="h6 text-body-secondary"),
                html.P(value, className="display-6 mb-1"),
                html.P(rate, className="mb-1 small"),
                html.P(detail, className="mb-1 small"),
                html.P(change, className="mb-0 fw-semibold"),
            ]
        ),
        class_name="h-100 stat-card",
    )
