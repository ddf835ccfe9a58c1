"""What every page module declares, and how a list of chart views becomes page content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import ChartView
from dashboard.widgets.chart_section import chart_card


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    title: str
    nav_label: str
    intro: str
    defaults: Filters
    controls: frozenset[str]
    render: Callable  # (reader, filters, filters_query) -> list of components
    shows_incidents: bool = True  # draws police.uk incidents (so may show demo data)
    register_callbacks: Callable | None = None  # callbacks of the page's own (app) -> None
    validation_components: tuple = ()  # components those callbacks use, for Dash's checks


def chart_cards(views: list[ChartView], filters_query: str) -> list:
    return [chart_card(view, filters_query) for view in views]
