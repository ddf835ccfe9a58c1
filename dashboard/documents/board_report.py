"""The board report: a dated PDF of the quarter for the chosen areas (overview figures,
trends with their tests, targets, interventions evaluated, caveats and sources), each with
the chart its page shows beside its table and summary, and its tables as CSV in a zip.
Drawn on the server with fpdf2, like the tasking pack."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date

from dashboard.chart_data import asb, crime, overview
from dashboard.chart_data import board as data
from dashboard.chart_data import interventions as intervention_charts
from dashboard.chart_data import targets as target_charts
from dashboard.chart_data.filters import COUNT, Filters
from dashboard.chart_data.spec import ChartView, Reader
from dashboard.charts.formatting import is_missing
from dashboard.documents.csv_output import chart_csv
from dashboard.documents.pdf_charts import draw_figure, months_text
from dashboard.documents.pdf_document import PackPDF
from dashboard.documents.pdf_layout import (
    CHART_ROOM,
    heading,
    one_line_table,
    paragraph,
    small_print,
    small_print_height,
    subheading,
)
from queries import partnership, periods
from queries.counts import has_synthetic_months
from queries.lsoa_sets import loaded_force_months
from queries.reference import AREAS_BY_CODE
from queries.variation import RULE_IN_WORDS

CAVEATS = [
    ("Source: data.police.uk street-level crime and anti-social behaviour (Open Government Licence v3.0); ONS "
    "mid-year population estimates; targets as published, each with its source."),
    ("Changes compare like with like (a quarter with the same quarter a year earlier, 12 months with the 12 before) "
    "on the months loaded in both periods, and are tested allowing for overdispersion (quasi-Poisson, dispersion "
    "from the area's own monthly series; the exact conditional test where the counts vary no more than Poisson "
    "counts); p < 0.05 is called significant. A force counts its incidents with a location, as its districts do."),
    (f"Months outside ordinary variation: {RULE_IN_WORDS}."),
    ("Interventions: weighted displacement difference (Wheeler & Ratcliffe 2018), variance the sum of the Poisson "
    "counts; interrupted time series (Bernal, Cummins & Gasparrini 2017) where 24 months precede the start. A "
    "control area can differ from the target in ways the counts do not show."),
    ("Recorded crime reflects reporting and police activity as well as offending; police.uk leaves out some crimes "
    "and places, so its totals run below published ones."),
]


def _signed(percent) -> str | None:
    return None if is_missing(percent) else f"{percent:+.1f}"


def _p(p_value) -> str | None:
    if is_missing(p_value):
        return None
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3f}"


def report_name(reader: Reader, filters: Filters, extension: str) -> str:
    quarter = data.quarter_of_report(reader, filters)
    tail = f"{quarter[0]}-to-{quarter[1]}" if quarter else "no-data"
    return f"board-report-{tail}-{date.today():%Y-%m-%d}.{extension}"


CHART_MONTHS = 36  # the band of ordinary variation needs 12 months before each of the 24 it is drawn for


def chart_block(pdf: PackPDF, view: ChartView, x_title: str, text: str | None = None,
                span: tuple[str, str] | None = None) -> None:
    """A chart as its page draws it: title, notes, the figure with its legend, the months it
    lacks named, then its summary (or ``text``) and caption; or why there is nothing to draw."""
    drawn = not view.message and view.figure is not None
    # The title, its notes and the chart stay on one page.
    subheading(pdf, view.title, CHART_ROOM + small_print_height(pdf, [n.text for n in view.notes]) if drawn else 25)
    for note in view.notes:
        small_print(pdf, note.text)
    if view.message or view.figure is None:
        paragraph(pdf, view.message or "Nothing to draw for this selection.")
        return
    gaps = draw_figure(pdf, view.figure, x_title=x_title, span=span)
    if gaps:
        paragraph(pdf, f"No figure for {months_text(gaps)}: shaded, with the line broken across them.")
    paragraph(pdf, view.summary if text is None else text)
    if view.caption:
        small_print(pdf, view.caption)


def missing_months(reader: Reader, first: str, last: str) -> list[str]:
    """The months from ``first`` to ``last`` that are not loaded."""
    loaded = set(reader.get(loaded_force_months, first, last))
    return [m for m in periods.months_between(first, last) if m not in loaded]


def chart_span(reader: Reader, filters: Filters) -> tuple[str, str] | None:
    quarter = data.quarter_of_report(reader, filters)
    return (periods.add_months(quarter[1], -(CHART_MONTHS - 1)), quarter[1]) if quarter else None


def trend_views(reader: Reader, filters: Filters) -> tuple[ChartView, ChartView, ChartView]:
    """The pages' trend charts over the report's span: the rolling 12 months of all crime for
    every chosen area (the overview's), and the monthly counts of crime and of ASB with the
    band of ordinary variation (``/crime``'s and ``/asb``'s) for the first chosen area:
    monthly counts of areas of different size share no useful scale, and the sentences speak
    for every chosen area."""
    first, last = chart_span(reader, filters)
    rolling = replace(filters, start=first, end=last, grain=periods.ROLLING_12, crime_types=())
    monthly = replace(filters, areas=filters.areas[:1], start=first, end=last, grain=periods.MONTH, measure=COUNT,
                      crime_types=())
    return overview.trend_view(reader, rolling), crime.trend_view(reader, monthly), asb.trend_view(reader, monthly)


def build_pdf(reader: Reader, filters: Filters, today: date | None = None) -> bytes:
    generated = (today or date.today()).strftime("%d %B %Y")
    title = f"Board report: {data.describe(reader, filters)}"
    pdf = PackPDF(title, generated)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, title.replace("Board report: ", "Community safety board report\n"), new_x="LMARGIN",
                   new_y="NEXT", align="L")  # fpdf justifies by default: a wrapped title's words spread apart
    paragraph(pdf, f"Generated {generated} for the {partnership.current().name} board.")
    if reader.get(has_synthetic_months):
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, "SYNTHETIC DEMO DATA: the incidents in this report are made up.", border=1,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    quarter, span = data.quarter_of_report(reader, filters), chart_span(reader, filters)
    if quarter and filters.areas:
        rolling_view, crime_view, asb_view = trend_views(reader, filters)
        missing = missing_months(reader, *span)
        if missing:
            paragraph(pdf, f"Months not loaded in the {CHART_MONTHS} months to {periods.month_in_words(quarter[1])}: "
                           f"{months_text(missing)}. Charts shade them and break their lines there; no change "
                           "below compares a period with months missing.")
    overview_frame = data.overview_data(reader, filters)
    heading(pdf, "The quarter in figures", CHART_ROOM)
    if overview_frame.empty:
        paragraph(pdf, "No police.uk months are loaded for this selection.")
    else:
        chart_block(pdf, rolling_view, "12 months to", span=span)
        # One table per comparison, named above it, so no row repeats the comparison in full.
        shown = overview_frame.assign(change_percent=[_signed(v) for v in overview_frame["change_percent"]],
                                      p_value=[_p(v) for v in overview_frame["p_value"]])
        for comparison, rows in shown.groupby("comparison", sort=False):
            paragraph(pdf, comparison[0].upper() + comparison[1:] + ":")
            one_line_table(pdf, rows, [("area_name", "Area"), ("subject", "Subject"), ("previous", "Before"),
                                       ("current", "Now"), ("current_months", "Months now"),
                                       ("change_percent", "Change %"), ("p_value", "p"), ("verdict", "In words")],
                           (30, 27, 16, 16, 20, 16, 14, 51))
    heading(pdf, "Trends, with their tests", CHART_ROOM)
    sentences = data.trend_sentences(reader, filters)
    if not sentences:
        paragraph(pdf, "No police.uk months are loaded for this selection.")
    else:
        small_print(pdf, f"Each chart draws {AREAS_BY_CODE[filters.areas[0]].name}, the first chosen area, with its "
                         "band of ordinary variation (counts of areas of different size share no useful scale); the "
                         "sentences under each chart speak for every chosen area.")
        for view, sentence in zip((crime_view, asb_view), sentences):
            chart_block(pdf, view, "Month", sentence, span)
    if not overview_frame.empty:
        # The quarter's own months: over two years a large area's monthly counts leave so
        # narrow a band often (the trend sentences above name the latest), and the zip's
        # CSV lists all 24 months.
        first, last = quarter
        judged = data.months_with_band(reader, filters, first, last)
        band = data.band_data(reader, filters)
        band = band[band["month"].isin(judged)]
        heading(pdf, "Months outside ordinary variation")
        paragraph(pdf, f"Each month of {periods.months_in_words(first, last)} against the band shaded on the "
                       f"monthly charts above: {RULE_IN_WORDS}. The zip of tables lists every such month over the "
                       "24 months to the quarter's end.")
        unjudged = [m for m in periods.months_between(first, last) if m not in judged]
        if unjudged:
            paragraph(pdf, f"{months_text(unjudged)}: not judged, as fewer than 9 of the 12 calendar months before "
                           f"{'it are' if len(unjudged) == 1 else 'each are'} loaded (or the month itself is not).")
        if band.empty:
            paragraph(pdf, f"{months_text(judged)}: within ordinary variation." if judged else
                      "So no month of the quarter can be called inside or outside ordinary variation.")
        else:
            limits = {c: [f"{v:,.1f}" for v in band[c]] for c in ("low", "high")}  # "1,332.0", not "1,332"
            columns = [("subject", "Subject"), ("area_name", "Area"), ("month_label", "Month"), ("count", "Count"),
                       ("low", "Band low"), ("high", "Band high"), ("side", "Above or below")]
            one_line_table(pdf, band.assign(**limits), columns, (32, 35, 28, 20, 24, 24, 27))
    target_views = target_charts.views(reader, filters)
    heading(pdf, "Targets", CHART_ROOM if target_views else 25)
    if not target_views:
        paragraph(pdf, "No targets are recorded.")
    for view in target_views:
        _target_block(pdf, view)
    intervention_views = intervention_charts.views(reader, filters)
    heading(pdf, "Interventions evaluated", CHART_ROOM if intervention_views else 25)
    if not intervention_views:
        paragraph(pdf, "No interventions are recorded.")
    more = intervention_charts.unshown_count(reader)
    if more:  # a board must not take the latest few for all that was done
        paragraph(pdf, f"The {intervention_charts.SHOWN} latest-starting interventions are evaluated here; {more:,} "
                       f"more {'is' if more == 1 else 'are'} recorded, evaluated through the API "
                       "(/api/v1/interventions, a page at a time).")
    for view in intervention_views:
        _intervention_block(pdf, view)
    heading(pdf, "Caveats and sources")
    for line in CAVEATS:
        paragraph(pdf, "- " + line)
    return bytes(pdf.output())


TARGET_ROWS = 6


def _target_block(pdf: PackPDF, view: ChartView) -> None:
    """A target's progress chart, its judgement, and the latest points as a table."""
    if view.message or view.figure is None:
        subheading(pdf, view.title, 25)
        paragraph(pdf, view.message or view.summary)
        return
    chart_block(pdf, view, "12 months to")
    latest = view.frame.tail(TARGET_ROWS)
    latest = latest.assign(period=[periods.month_in_words(p) for p in latest["period"]],
                           **{c: [f"{v:,.1f}" for v in latest[c]] for c in ("count", "target_line", "tolerance")})
    paragraph(pdf, f"The latest {len(latest)} points (the zip holds every one):")
    one_line_table(pdf, latest, list(view.spec.columns), (38, 62, 35, 45))


def _intervention_block(pdf: PackPDF, view: ChartView) -> None:
    """An intervention's before and after bars, its verdict and notes, and the counts as a table."""
    chart_block(pdf, view, "Place")
    if not view.frame.empty:
        if pdf.will_page_break(4.5 * (len(view.frame) + 1)):  # a few rows: kept together with their heading
            pdf.add_page()
        one_line_table(pdf, view.frame, [c for c in view.spec.columns if c[0] != "intervention"], (40, 100, 18, 22))


def build_zip(reader: Reader, filters: Filters) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in data.CHARTS:
            archive.writestr(f"{spec.chart_id}.csv", chart_csv(spec, spec.data(reader, filters)))
        # Every chart's plotted values, as its page's CSV download gives them.
        charts = [*(trend_views(reader, filters) if chart_span(reader, filters) and filters.areas else ()),
                  *target_charts.views(reader, filters), *intervention_charts.views(reader, filters)]
        for view in charts:
            if not view.frame.empty:
                archive.writestr(f"{view.spec.chart_id}.csv", chart_csv(view.spec, view.frame))
        archive.writestr("README.txt", f"Board report tables: {data.describe(reader, filters)}\n"
                                       f"Generated {date.today():%d %B %Y}.\n\n" + "\n".join(CAVEATS) + "\n")
    return buffer.getvalue()
