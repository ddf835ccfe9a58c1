"""A partner source as a series on the trend pages: its records by month in the chosen areas.

Counts are read by district or county only (``incident_heatmap.area_counts``, the one
audience-aware path the counts API takes too): the public sees A&E assaults there and nowhere
else, with small counts withheld as sensitive series are. A month the source has not loaded
is a gap, never a zero. No band of ordinary variation is drawn: partner counts by month are
small and their sources young, and limits estimated from a few sparse months would flag
ordinary months as unusual (see README, *Partner incidents*).
"""

from __future__ import annotations

import pandas as pd

from dashboard.chart_data.common import latest
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.incident_heatmap import SYNTHETIC_NOTE, area_counts
from dashboard.chart_data.spec import ChartSpec, ChartView, Note, Reader
from dashboard.charts.figures import partner_months_figure
from dashboard.charts.formatting import list_names, mid_sentence, number
from queries import partnership, periods
from queries.incident_sources import AE_ASSAULTS, COUNCIL_ASB, HEALTH_DERIVED, NEEDLE_FINDS, SOURCES_BY_SLUG
from queries.incidents import source_months
from queries.reference import AREAS_BY_CODE, COUNTY, DISTRICT, districts_in
from queries.suppression import withheld_label

COLUMNS = (("period", "Month"), ("period_label", "Month in words"), ("area_code", "Area code"),
           ("area_name", "Area"), ("count", "Records"), ("shown", "Records as shown"))
NOT_LOADED = "not loaded"
DEFAULT_MONTHS = 36


def _offered(areas) -> tuple[list[str], list[str]]:
    """(districts and counties chosen, the other areas): partner counts are kept by district
    and county only, since a force's count would hold records placed in no district."""
    offered = [a for a in areas if a in AREAS_BY_CODE and AREAS_BY_CODE[a].level in (DISTRICT, COUNTY)]
    return offered, [a for a in areas if a not in offered]


def _span(reader: Reader, filters: Filters, loaded: list[str]) -> list[str]:
    """The months on the axis: the filter period (the latest 36 police.uk months by default,
    else the source's own), from the first to the last month of it the source has loaded."""
    start, end = filters.period(latest(reader) or (loaded[-1] if loaded else None), DEFAULT_MONTHS)
    inside = [m for m in loaded if start <= m <= end] if end else []
    return periods.months_between(inside[0], inside[-1]) if inside else []


def monthly_data(reader: Reader, filters: Filters, source: str) -> pd.DataFrame:
    """Every month of the span for each offered area that recorded any of the source in it:
    a count, or none (withheld from the public, or a month not loaded) with why in ``shown``."""
    months = reader.get(source_months, source)
    synthetic = {m for m, flag in months if flag}
    loaded = [m for m, _ in months]
    span = _span(reader, filters, loaded)
    offered, _others = _offered(filters.areas)
    if not span or not offered:
        return pd.DataFrame(columns=[*(c for c, _ in COLUMNS), "is_synthetic"])
    counted = area_counts(reader, source, tuple(offered), span[0], span[-1])
    by_key = {(r.area_code, r.period): r for r in counted.itertuples(index=False)}
    threshold = reader.audience.suppression_threshold
    rows = []
    for area in offered:
        for month in span:
            found = by_key.get((area, month))
            if found is None:
                count, shown = None, NOT_LOADED
            elif found.suppressed:
                count, shown = None, withheld_label(found.withheld, threshold)
            else:
                count, shown = int(found.value), number(found.value)
            rows.append((month, periods.month_in_words(month), area, AREAS_BY_CODE[area].name, count, shown,
                         month in synthetic))
    frame = pd.DataFrame(rows, columns=[*(c for c, _ in COLUMNS), "is_synthetic"])
    frame["count"] = frame["count"].astype("Int64")
    # An area with no record of the source in any loaded month is one the source does not
    # cover (the council's cases are Oxford's): left out rather than drawn as zeros. A
    # withheld month holds 1 to the threshold records, so its area did record some.
    covered = _with_records(frame)
    # A county is drawn only when every one of its districts recorded some: otherwise its
    # line would be the covered districts' alone under the county's name.
    covered -= {a for a in covered if AREAS_BY_CODE[a].level == COUNTY and _partly_covered(reader, source, a, span)}
    return frame[frame["area_code"].isin(covered)].reset_index(drop=True)


def _with_records(frame: pd.DataFrame) -> set[str]:
    """Areas with a record in some month: a count above 0, or a withheld one (1 to the
    threshold, or kept back to protect one)."""
    withheld = frame["count"].isna() & (frame["shown"] != NOT_LOADED)
    return set(frame.loc[(frame["count"].fillna(0) > 0) | withheld, "area_code"])


def _partly_covered(reader: Reader, source: str, county: str, span: list[str]) -> list[str]:
    """The county's districts with no record of the source in the span (empty when all have)."""
    districts = districts_in(county)
    counted = area_counts(reader, source, tuple(districts), span[0], span[-1])
    recorded = {r.area_code for r in counted.itertuples(index=False) if r.suppressed or r.value}
    return [d for d in districts if d not in recorded]


def _summary(frame: pd.DataFrame, source: str, span: list[str], loaded: list[str]) -> str:
    title = SOURCES_BY_SLUG[source].title
    parts = []
    for _code, rows in frame.groupby("area_code", sort=False):
        shown = rows.dropna(subset=["count"])
        months = len(shown)
        text = f"{rows['area_name'].iloc[0]}: {number(int(shown['count'].sum()))} records in {months} month" \
               f"{'' if months == 1 else 's'} with a figure"
        if months:
            last = shown.iloc[-1]
            text += f", {number(int(last['count']))} in {periods.month_in_words(last['period'])}, the latest"
        parts.append(text)
    text = f"{title}, {periods.months_in_words(span[0], span[-1])}: " + "; ".join(parts) + "."
    missing = periods.missing_months(span[0], span[-1], loaded)
    if missing:
        text += f" {periods.months_list_in_words(missing)} not loaded: the line breaks there, not a zero."
    return text + f" Areas shown: {list_names(list(dict.fromkeys(frame['area_name'])))}."


def monthly_view(spec: ChartSpec, reader: Reader, filters: Filters, source: str) -> ChartView:
    title = f"Partner incidents by month: {SOURCES_BY_SLUG[source].title}"
    months = reader.get(source_months, source)
    loaded = [m for m, _ in months]
    if not loaded:
        return ChartView.nothing_to_draw(spec, title, f"No records of {mid_sentence(SOURCES_BY_SLUG[source].title)} are "
                                                      "loaded yet.")
    span = _span(reader, filters, loaded)
    offered, others = _offered(filters.areas)
    if not span:
        return ChartView.nothing_to_draw(spec, title, "No month of this source is loaded in the period chosen "
                                                      f"(it has {periods.months_list_in_words(loaded, False)}).")
    frame = monthly_data(reader, filters, source)
    notes = []
    if others:
        notes.append(Note(f"{list_names([AREAS_BY_CODE[a].name if a in AREAS_BY_CODE else a for a in others])}: "
                          "partner records are counted by district and county only (a force's count would hold "
                          "records placed in no district)."))
    drawn = set(frame["area_code"])
    partial = {a: _partly_covered(reader, source, a, span) for a in offered
               if a not in drawn and AREAS_BY_CODE[a].level == COUNTY}
    for county, missing in partial.items():
        if missing:
            notes.append(Note(f"{AREAS_BY_CODE[county].name}: not drawn, since {len(missing)} of its "
                              f"{len(districts_in(county))} districts have no record of this source in any month "
                              "loaded (the source covers only part of it): a county line would count only the districts that have records."))
    uncovered = [a for a in offered if a not in drawn and not partial.get(a)]
    if uncovered:
        notes.append(Note(f"{list_names([AREAS_BY_CODE[a].name for a in uncovered])}: no record of this source in "
                          "any month loaded, so not drawn (the source may not cover it)."))
    if frame.empty:
        return ChartView(spec, title, frame, None, "", "", tuple(notes),
                         message="None of the areas chosen has a record of this source in the period.")
    withheld = frame[frame["count"].isna() & (frame["shown"] != NOT_LOADED)]
    if len(withheld):
        notes.append(Note(f"{len(withheld)} monthly counts are withheld ({withheld_label('small', reader.audience.suppression_threshold)}, "
                          "or to protect one): partners signed in see every count."))
    if any(synthetic for m, synthetic in months if span[0] <= m <= span[-1]):
        notes.append(Note(SYNTHETIC_NOTE, "secondary"))
    caption = (f"Source: {partnership.current().owner_of(source)}, {SOURCES_BY_SLUG[source].title}; records placed in each "
               "district or county by the month of the incident (records placed nowhere are in no area's count). "
               "No band of ordinary variation: a partner source has few months loaded and small counts, too few to "
               "estimate a reliable band from.")
    if source in HEALTH_DERIVED:
        caption += " Shown to the public by district and county only, with small counts withheld."
    return ChartView(spec, title, frame, partner_months_figure(frame), _summary(frame, source, span, loaded), caption,
                     tuple(notes))


def _spec(source: str) -> ChartSpec:
    return ChartSpec(f"partner-months-{source}", lambda reader, filters: monthly_data(reader, filters, source), COLUMNS)


SPECS = {source: _spec(source) for source in (AE_ASSAULTS, NEEDLE_FINDS, COUNCIL_ASB)}
ASB_SOURCES = (COUNCIL_ASB, NEEDLE_FINDS)  # beside police.uk ASB on /asb
CRIME_SOURCES = (AE_ASSAULTS,)  # beside police-recorded violence on /crime


def views(reader: Reader, filters: Filters, sources) -> list[ChartView]:
    return [monthly_view(SPECS[s], reader, filters, s) for s in sources]


def view_of(source: str):
    """The view function of one source's card, as the embeds take it."""
    return lambda reader, filters: monthly_view(SPECS[source], reader, filters, source)
