"""The filter bar: native form controls, labelled, usable by keyboard and screen reader."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard.chart_data.filters import BASELINE_CHOICES, COUNT, GRAIN_LABELS, LEVEL_LABELS, RATE, Filters
from dashboard.charts.formatting import month_label
from dashboard.widgets import ids
from queries import partnership
from queries.reference import ALL_CRIME, AREAS_BY_CODE, ASB, CRIME_TYPES_BY_SLUG

AREAS_CONTROL = "areas"
CRIME_TYPES_CONTROL = "crime_types"
PERIOD_CONTROL = "period"
GRAIN_CONTROL = "grain"
MEASURE_CONTROL = "measure"
AREA_CONTROL = "area"
BASELINE_CONTROL = "baseline"
LEVEL_CONTROL = "level"
ALL_CONTROLS = frozenset({AREAS_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL, GRAIN_CONTROL, MEASURE_CONTROL})

DEFAULT_MONTH = "default"  # a select's "no choice": an empty value would show a blank box


CONTROL_GROUPS = (AREAS_CONTROL, AREA_CONTROL, CRIME_TYPES_CONTROL, PERIOD_CONTROL, GRAIN_CONTROL, MEASURE_CONTROL,
                  BASELINE_CONTROL, LEVEL_CONTROL)


def group_id(control: str) -> str:
    return f"filter-group-{control}"


def filter_bar(filters: Filters, months: list[str], show: frozenset[str]) -> html.Div:
    """Every control is always rendered (the URL callback needs them all); each page shows
    the groups that apply to it."""
    served = partnership.current()
    compared, more = served.areas, served.other_districts
    return html.Div(
        dbc.Row(
            [
                _group(AREAS_CONTROL in show, "Areas", [
                    dbc.Checklist(
                        id=ids.F_AREAS, inline=True,
                        options=[{"label": AREAS_BY_CODE[c].name, "value": c} for c in compared],
                        value=[a for a in filters.areas if a in compared],
                    ),
                    html.Details(
                        [
                            html.Summary("Other districts"),
                            dbc.Checklist(
                                id=ids.F_AREAS_MORE,
                                options=[{"label": AREAS_BY_CODE[c].name, "value": c} for c in more],
                                value=[a for a in filters.areas if a in more],
                            ),
                        ],
                        open=any(a in more for a in filters.areas), id=ids.F_AREAS_MORE_DETAILS,
                    ),
                ], control=AREAS_CONTROL, width=12, md=6, lg=4),
                _group(AREA_CONTROL in show, "Area", [
                    dbc.Label("Area", html_for=ids.F_AREA, class_name="visually-hidden"),
                    dbc.Select(id=ids.F_AREA, size="sm", value=filters.areas[0] if filters.areas else served.home,
                               options=[{"label": f"{AREAS_BY_CODE[c].name} ({AREAS_BY_CODE[c].level})", "value": c}
                                        for c in served.known_areas]),
                ], control=AREA_CONTROL, width=12, md=6, lg=4),
                _group(CRIME_TYPES_CONTROL in show, "Crime types", [
                    html.Details(
                        [
                            html.Summary(crime_types_summary(filters.crime_types), id=ids.F_CRIME_TYPES_SUMMARY),
                            dbc.Checklist(
                                id=ids.F_CRIME_TYPES,
                                options=[{"label": CRIME_TYPES_BY_SLUG[c].name, "value": c} for c in (*ALL_CRIME, ASB)],
                                value=list(filters.crime_types),
                            ),
                            html.P("None ticked means all crime (not anti-social behaviour).",
                                   className="small text-body-secondary mb-0"),
                        ],
                    ),
                ], control=CRIME_TYPES_CONTROL, width=12, md=6, lg=4),
                _group(PERIOD_CONTROL in show, "Period", [
                    dbc.Row([
                        dbc.Col([dbc.Label("From", html_for=ids.F_FROM, class_name="small mb-0"),
                                 dbc.Select(id=ids.F_FROM, options=[{"label": "Default", "value": DEFAULT_MONTH}]
                                            + [{"label": month_label(m), "value": m} for m in months],
                                            value=filters.start or DEFAULT_MONTH, size="sm")]),
                        dbc.Col([dbc.Label("To", html_for=ids.F_TO, class_name="small mb-0"),
                                 dbc.Select(id=ids.F_TO, options=[{"label": "Latest month", "value": DEFAULT_MONTH}]
                                            + [{"label": month_label(m), "value": m} for m in months],
                                            value=filters.end or DEFAULT_MONTH, size="sm")]),
                    ], class_name="g-2"),
                ], control=PERIOD_CONTROL, width=12, md=6, lg=4),
                _group(GRAIN_CONTROL in show, "Show by", [
                    dbc.RadioItems(id=ids.F_GRAIN, value=filters.grain, inline=True,
                                   options=[{"label": label, "value": grain} for grain, label in GRAIN_LABELS.items()]),
                ], control=GRAIN_CONTROL, width=12, lg=8),
                _group(MEASURE_CONTROL in show, "Measure", [
                    dbc.RadioItems(id=ids.F_MEASURE, value=filters.measure, inline=True,
                                   options=[{"label": "Rate per 1,000 residents", "value": RATE},
                                            {"label": "Count", "value": COUNT}]),
                ], control=MEASURE_CONTROL, width=12, lg=4),
                _group(BASELINE_CONTROL in show, "Baseline", [
                    dbc.Label("Months before the period to compare with", html_for=ids.F_BASELINE, class_name="small mb-0"),
                    dbc.Select(id=ids.F_BASELINE, size="sm", value=str(filters.baseline),
                               options=[{"label": f"{b} months", "value": str(b)} for b in BASELINE_CHOICES]),
                ], control=BASELINE_CONTROL, width=12, md=6, lg=4),
                _group(LEVEL_CONTROL in show, "Places", [
                    dbc.RadioItems(id=ids.F_LEVEL, value=filters.level, inline=True,
                                   options=[{"label": label, "value": level} for level, label in LEVEL_LABELS.items()]),
                ], control=LEVEL_CONTROL, width=12, md=6, lg=8),
            ],
            class_name="g-3",
        ),
        className="filter-bar card card-body mb-4",
        role="search",
        **{"aria-label": "Filters"},
    )


def control_values(filters: Filters) -> dict[str, object]:
    """The value of each filter control showing ``filters`` (keyed by control id). The
    single-area select is left as it is when no area is chosen."""
    values = {
        ids.F_AREAS: [a for a in filters.areas if a in partnership.current().areas],
        ids.F_AREAS_MORE: [a for a in filters.areas if a not in partnership.current().areas],
        ids.F_CRIME_TYPES: list(filters.crime_types),
        ids.F_FROM: filters.start or DEFAULT_MONTH,
        ids.F_TO: filters.end or DEFAULT_MONTH,
        ids.F_GRAIN: filters.grain,
        ids.F_MEASURE: filters.measure,
        ids.F_BASELINE: str(filters.baseline),
        ids.F_LEVEL: filters.level,
    }
    if filters.areas:
        values[ids.F_AREA] = filters.areas[0]
    return values


def filters_from_controls(values: dict, defaults: Filters, single_area: bool) -> Filters:
    """The filters the controls' values (keyed by control id) describe, checked as strictly
    as a URL is. ``single_area``: the page takes its area from the single-area select."""
    def listed(control_id: str) -> list:
        value = values.get(control_id)
        return value if isinstance(value, list) else []

    def month(control_id: str) -> str | None:
        value = values.get(control_id)
        return None if value == DEFAULT_MONTH else value

    areas = [values.get(ids.F_AREA)] if single_area else listed(ids.F_AREAS) + listed(ids.F_AREAS_MORE)
    return Filters.from_controls(
        areas, listed(ids.F_CRIME_TYPES), month(ids.F_FROM), month(ids.F_TO), values.get(ids.F_GRAIN),
        values.get(ids.F_MEASURE), defaults, values.get(ids.F_BASELINE), values.get(ids.F_LEVEL),
    )


def group_class(visible: bool) -> str:
    # display:none also takes the hidden controls out of the tab order.
    return "" if visible else "d-none"


def _group(visible: bool, title: str, children: list, control: str, **width) -> dbc.Col:
    """A fieldset with its legend."""
    content = html.Fieldset([html.Legend(title, className="h6 mb-1"), *children])
    return dbc.Col(content, id=group_id(control), class_name=group_class(visible), **width)


def crime_types_summary(crime_types: tuple[str, ...]) -> str:
    if not crime_types:
        return "All crime (not ASB)"
    if len(crime_types) == 1:
        return CRIME_TYPES_BY_SLUG[crime_types[0]].name
    return f"{len(crime_types)} crime types"
