"""When partners' incidents happen: a day-of-week by hour grid for one source and area.

Health-derived sources (A&E assaults) are for partners only: ``PartnerOnly`` is raised for
anyone else before any figure is read, so the page, the API and the pack all refuse alike.
"""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Audience, ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import weekday_hour_figure, weekly_figure
from dashboard.charts.formatting import number
from queries import partnership, periods
from queries.incident_sources import HEALTH_DERIVED, PARTNER_SOURCES, SOURCES_BY_SLUG
from queries.incidents import WEEKDAYS, Heatmap, heatmap, source_months
from queries.reference import AREAS_BY_CODE

COLUMNS = (("weekday_name", "Day of the week"), ("hour_label", "Hour"), ("count", "Incidents"))
SYNTHETIC_NOTE = "Synthetic demo data: these are not real incidents."


class PartnerOnly(Exception):
    """A health-derived source asked for by someone not signed in as a partner."""

    def __init__(self, source: str):
        self.source = source
        super().__init__(f"{SOURCES_BY_SLUG[source].title} is shared with partners only: sign in to see it")


def check_readable(audience: Audience, sources) -> None:
    for source in sources:
        if source in HEALTH_DERIVED and not audience.partner:
            raise PartnerOnly(source)


def heatmap_for(reader: Reader, source: str, area_code: str, first: str | None, last: str | None,
                lsoa_code: str | None = None) -> Heatmap:
    """The grid for the months asked (the source's latest twelve loaded months by default),
    for the area or one LSOA of it."""
    check_readable(reader.audience, (source,))
    if last is None:
        loaded = reader.get(source_months, source)
        last = loaded[-1][0] if loaded else periods.FIRST_SUPPORTED_MONTH
    first = first or periods.add_months(last, -11)
    return reader.get(heatmap, source, area_code, first, last, lsoa_code)


def heatmap_table(result: Heatmap) -> pd.DataFrame:
    frame = result.cells.copy()
    frame["weekday_name"] = [WEEKDAYS[d] for d in frame["weekday"]]
    frame["hour_label"] = [f"{h:02d}:00 to {h:02d}:59" for h in frame["hour"]]
    return frame[[c for c, _ in COLUMNS]]


def heatmap_summary(result: Heatmap) -> str:
    source = SOURCES_BY_SLUG[result.source].title
    area = AREAS_BY_CODE[result.area_code].name + (f" (LSOA {result.lsoa_code})" if result.lsoa_code else "")
    span = periods.months_in_words(result.first, result.last)
    if not result.months_loaded:
        return f"No month of {source.lower()} is loaded for {span}."
    text = (f"{source} in {area}, {span} ({len(result.months_loaded)} month{'' if len(result.months_loaded) == 1 else 's'} loaded): "
            f"{number(result.timed)} with a time of day")
    text += f"; {number(result.untimed)} without one are not in the grid." if result.untimed else "."
    if result.timed:
        cells = result.cells.sort_values(["count", "weekday", "hour"], ascending=[False, True, True])
        top = cells.head(3)
        busiest = "; ".join(f"{WEEKDAYS[d]} {h:02d}:00 ({number(n)})" for d, h, n in top.itertuples(index=False) if n)
        weekend_nights = result.cells[((result.cells["weekday"].isin([4, 5])) & (result.cells["hour"] >= 20))
                                      | ((result.cells["weekday"].isin([5, 6])) & (result.cells["hour"] < 6))]
        share = weekend_nights["count"].sum() / result.timed
        text += (f" Busiest hours: {busiest}. Friday and Saturday nights (20:00 to 05:59) hold {share:.0%} of the "
                 f"timed records, in {20 / 168:.0%} of the week's hours.")
    return text


def heatmap_view(spec: ChartSpec, reader: Reader, source: str, area_code: str, first: str | None,
                 last: str | None) -> ChartView:
    title = f"{SOURCES_BY_SLUG[source].title} by day of the week and hour"
    try:
        result = heatmap_for(reader, source, area_code, first, last)
    except PartnerOnly as refused:
        return ChartView.nothing_to_draw(spec, title, str(refused))
    title += f" in {AREAS_BY_CODE[area_code].name}"
    if not result.months_loaded:
        return ChartView.nothing_to_draw(spec, title, heatmap_summary(result))
    untimed = ("1 record has" if result.untimed == 1 else f"{number(result.untimed)} records have")
    notes = [Note(f"{untimed} a date but no time of day: counted here, not in the grid.")] if result.untimed else []
    if result.is_synthetic:
        notes.append(Note(SYNTHETIC_NOTE, "secondary"))
    caption = (f"Source: {partnership.current().owner_of(source)}, {SOURCES_BY_SLUG[source].title}. Each record is counted in "
               "the hour its incident began; darker cells hold more, a blank cell had none.")
    return ChartView(spec, title, heatmap_table(result), weekday_hour_figure(result.cells, WEEKDAYS, "Incidents"),
                     heatmap_summary(result), caption, tuple(notes))


def _table_of(source: str):
    def data(reader: Reader, filters: Filters) -> pd.DataFrame:
        # The hotspot page's area and period (imported here: the hotspot layer imports this one).
        from dashboard.chart_data.hotspots import area_of, recent_period

        start, end = recent_period(reader, filters)
        return heatmap_table(heatmap_for(reader, source, area_of(filters), start, end))
    return data


TIMED_SOURCES = tuple(s for s in PARTNER_SOURCES if SOURCES_BY_SLUG[s].has_times)
SPECS = {source: ChartSpec(f"incident-heatmap-{source}", _table_of(source), COLUMNS) for source in TIMED_SOURCES}


def page_views(reader: Reader, filters: Filters) -> list[ChartView]:
    """A heatmap for each chosen partner source with times that this audience may read, over
    the hotspot period (the page and pack say why a withheld source is missing)."""
    from dashboard.chart_data.hotspots import area_of, chosen_sources, recent_period

    start, end = recent_period(reader, filters)
    return [heatmap_view(SPECS[s], reader, s, area_of(filters), start, end)
            for s in chosen_sources(reader, filters) or () if s in SPECS]


BESIDE_COLUMNS = (("lsoa_name", "LSOA"), ("lsoa_code", "LSOA code"), ("ae_assaults", "A&E assault attendances"),
                  ("police_violence", "Police-recorded violence and sexual offences"), ("months", "Months counted"))
BESIDE_NOTE = ("A&E attendances count injuries treated, wherever the patient says the assault happened; police "
               "counts are crimes recorded, injury or not. Neither is a share of the other: an LSOA with many "
               "attendances and few recorded crimes is worth a conversation with the police and the hospital, "
               "not a conclusion. Only months loaded for both sources are counted; records placed only by "
               "district or not at all are in no LSOA.")


def beside_police(reader: Reader, area_code: str, first: str, last: str) -> pd.DataFrame:
    """A&E assaults beside police-recorded violence per LSOA (partners only)."""
    from queries.incidents import beside_police_violence

    check_readable(reader.audience, ("ae-assaults",))
    return reader.get(beside_police_violence, area_code, first, last)


def area_counts(reader: Reader, source: str, area_codes, first: str, last: str) -> pd.DataFrame:
    """A partner source's monthly counts by district or county. The public sees a
    health-derived source's small counts withheld as a sensitive series' are (primary and
    secondary suppression over every area and month, then the areas asked for selected)."""
    from queries.incidents import area_monthly_counts, suppressed_area_monthly_counts

    if reader.audience.partner:
        frame = reader.get(area_monthly_counts, source).assign(suppressed=False, withheld="")
    else:
        frame = reader.get(suppressed_area_monthly_counts, source, reader.audience.suppression_threshold)
    frame = frame[frame["area_code"].isin(list(area_codes)) & (frame["period"] >= first) & (frame["period"] <= last)]
    return frame.sort_values(["area_code", "period"]).reset_index(drop=True)


WEEK_COLUMNS = (("week_start", "Week beginning (Monday)"), ("count", "Records"), ("days_loaded", "Days loaded"),
                ("complete", "Whole week loaded"))
WEEKS_SHOWN = 12  # months of weeks drawn, to the end of the hotspot period


def _day(iso_date) -> str:
    """'4 March 2024' for '2024-03-04': dates in sentences read as words, as months do."""
    text = str(iso_date)[:10]
    return f"{int(text[8:])} {periods.month_in_words(text[:7])}"


def weekly_view(spec: ChartSpec, reader: Reader, source: str, area_code: str, end: str) -> ChartView:
    """Records per week over the twelve months to ``end``; weeks reaching into a month not
    loaded are drawn apart, as partial."""
    from queries.incidents import weekly_counts

    check_readable(reader.audience, (source,))
    title = f"{SOURCES_BY_SLUG[source].title} by week in {AREAS_BY_CODE[area_code].name}"
    first = periods.add_months(end, -(WEEKS_SHOWN - 1))
    frame = reader.get(weekly_counts, source, area_code, first, end)
    if frame.empty:
        return ChartView.nothing_to_draw(spec, title, "No month of this source is loaded in the twelve months to "
                                                      f"{periods.month_in_words(end)}.")
    whole = frame[frame["complete"]]
    summary = (f"{SOURCES_BY_SLUG[source].title} in {AREAS_BY_CODE[area_code].name}, weeks from "
               f"{_day(frame['week_start'].iloc[0])} to {_day(frame['week_start'].iloc[-1])}: "
               f"{number(int(frame['count'].sum()))} records; {len(whole)} whole weeks loaded")
    if len(whole):
        busiest = whole.sort_values(["count", "week_start"], ascending=[False, True]).iloc[0]
        summary += (f", {whole['count'].mean():.1f} a week on average, the busiest beginning "
                    f"{_day(busiest['week_start'])} ({number(int(busiest['count']))}).")
    else:
        summary += "."
    partial = len(frame) - len(whole)
    reach = "1 week reaches" if partial == 1 else f"{partial} weeks reach"
    notes = [Note(f"{reach} into months not loaded: drawn as open circles, counting only the days loaded.")
             ] if partial else []
    return ChartView(spec, title, frame[[c for c, _ in WEEK_COLUMNS]], weekly_figure(frame), summary,
                     f"Source: {partnership.current().owner_of(source)}, {SOURCES_BY_SLUG[source].title}. Weeks run Monday "
                     "to Sunday, by the date of the incident.", tuple(notes))


WEEK_SPECS = {source: ChartSpec(f"incident-weeks-{source}", lambda reader, filters, s=source: _weeks_table(
    reader, filters, s), WEEK_COLUMNS) for source in PARTNER_SOURCES}


def _weeks_table(reader: Reader, filters: Filters, source: str) -> pd.DataFrame:
    from dashboard.chart_data.hotspots import area_of, recent_period

    _start, end = recent_period(reader, filters)
    return weekly_view(WEEK_SPECS[source], reader, source, area_of(filters), end or periods.FIRST_SUPPORTED_MONTH
                       ).frame


def weekly_views(reader: Reader, filters: Filters) -> list[ChartView]:
    from dashboard.chart_data.hotspots import area_of, chosen_sources, recent_period

    _start, end = recent_period(reader, filters)
    if end is None:
        return []
    return [weekly_view(WEEK_SPECS[s], reader, s, area_of(filters), end)
            for s in chosen_sources(reader, filters) or () if s in WEEK_SPECS]


CHARTS = (*SPECS.values(), *WEEK_SPECS.values())
