"""The hotspot page's choice of incident sources, and what the chosen ones leave out."""

from __future__ import annotations

from dash import html

from dashboard.chart_data import hotspots as data
from dashboard.chart_data import incident_heatmap
from dashboard.chart_data.incident_sources import off_the_map_note
from dashboard.widgets import ids
from dashboard.widgets.components import data_table
from queries.incident_sources import HEALTH_DERIVED, POLICE_SOURCES, SOURCES, SOURCES_BY_SLUG
from queries.incidents import off_the_map


def source_picker(reader, filters) -> html.Section:
    """One link per source, adding it to or removing it from those counted together. With
    none chosen the page counts police.uk's crime (or the crime types ticked), as always."""
    chosen = filters.sources or ()
    counted_now = data.chosen_sources(reader, filters) or (POLICE_SOURCES[0],)
    items = []
    for source in SOURCES:
        counted = source.slug in counted_now
        after = tuple(s for s in chosen if s != source.slug) if source.slug in chosen else (*chosen, source.slug)
        href = "hotspots" + filters.with_changes(sources=after).to_query(data.DEFAULTS)
        label = source.title + (" (partners only)" if source.slug in HEALTH_DERIVED else "")
        action = "Remove" if source.slug in chosen else "Add"
        items.append(html.Li([
            html.Span("Counted: " if counted else "Chosen, not shown here: " if source.slug in chosen
                      else "Not counted: ", className="fw-semibold"), label, " ",
            *([html.A(f"{action} {source.title}", href=href, className="btn btn-sm btn-outline-primary ms-1")]
              if chosen or source.slug != POLICE_SOURCES[0] else []),
        ], className="mb-1"))
    return html.Section([
        html.H2("Sources", className="h6", id=ids.HOTSPOT_SOURCES_HEADING),
        html.P("Sources chosen are counted together, each at the precision it has: a partner's record is on the map "
               "and among the places only where it has a map point (coordinates, a listed premises or a police.uk "
               "street). Crime types narrow police.uk's records only.", className="small mb-2"),
        html.Ul(items, className="list-unstyled mb-0 small"),
    ], className="card card-body mb-3", **{"aria-labelledby": ids.HOTSPOT_SOURCES_HEADING})


def source_notes(reader, filters) -> list:
    """Why a chosen source is not shown, and what the shown ones leave off the map."""
    out = []
    withheld = data.withheld_sources(reader, filters)
    if withheld:
        names = ", ".join(SOURCES_BY_SLUG[s].title for s in withheld)
        out.append(html.P(f"{names}: shared with partners only, so not counted here. Partners can sign in to see it.",
                          className="alert alert-warning", role="note"))
    chosen = data.chosen_sources(reader, filters)
    start, end = data.recent_period(reader, filters)
    if chosen and end is not None:
        note = off_the_map_note(reader.get(off_the_map, data.area_of(filters), chosen, start, end))
        if note:
            out.append(html.P(note, className="alert alert-info", role="note", id=ids.HOTSPOT_OFF_MAP))
    return out


def beside_police_card(reader, filters) -> list:
    """For partners with A&E assaults chosen: its attendances beside police-recorded
    violence, per LSOA, over the hotspot period."""
    chosen = data.chosen_sources(reader, filters) or ()
    start, end = data.recent_period(reader, filters)
    if "ae-assaults" not in chosen or end is None:
        return []
    frame = incident_heatmap.beside_police(reader, data.area_of(filters), start, end)
    title = "A&E assault attendances beside police-recorded violence, by LSOA"
    body = (data_table(frame.head(30), list(incident_heatmap.BESIDE_COLUMNS), title) if len(frame)
            else html.P("No month has both sources loaded in this period."))
    return [html.Section([
        html.H2(title, className="h5", id=ids.HOTSPOT_BESIDE_HEADING),
        html.P(incident_heatmap.BESIDE_NOTE, className="small"),
        html.Div(body, className="table-responsive"),
    ], className="chart-card card card-body mb-4", **{"aria-labelledby": ids.HOTSPOT_BESIDE_HEADING})]
