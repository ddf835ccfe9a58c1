"""Targets (``/targets``): progress against each target's line: on track, within tolerance, unclear or off track."""

from __future__ import annotations

import dash_bootstrap_components as dbc

from dashboard.chart_data import targets
from dashboard.pages.common import Page, chart_cards
from dashboard.widgets.components import intro_with_board_report
from dashboard.widgets.filter_bar import AREAS_CONTROL, PERIOD_CONTROL


def render(reader, filters, query: str) -> list:
    views = targets.views(reader, filters)
    intro = intro_with_board_report(
        "A target is on track when the change since its baseline is at or below its target line (a straight "
        "line from the baseline to the target at the end period), within tolerance when above the line by no "
        "more than the tolerance, off track when above it by more than the tolerance and significantly so (exact "
        "conditional test, one-sided, p < 0.05), and unclear when above it by more than the tolerance but too few "
        "to tell that from chance. An end period shorter than a year is set against the same months of the baseline. "
        "Signed out, a target on a partner series or on small numbers withheld from the public shows as withheld. "
        + ("The published plans' targets ship with the dashboard and are judged once data.police.uk months of "
           "their periods are imported. " if targets.has_published(reader) else "")
        + "Partners and administrators ",
        "record targets", "record/targets", ".", query)
    if not views:
        return [intro, dbc.Alert("No targets are recorded.", color="info")]
    return [intro, *chart_cards(views, query)]


PAGE = Page(
    key="targets", path="/targets", title="Targets", nav_label="Targets",
    intro="Progress against the partnership's targets, with the test behind each judgement.",
    defaults=targets.DEFAULTS, controls=frozenset({AREAS_CONTROL, PERIOD_CONTROL}), render=render,
)
