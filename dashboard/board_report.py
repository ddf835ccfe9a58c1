"""The board report: a dated PDF of the quarter for the chosen areas (overview figures,
trends with their tests, targets, interventions evaluated, caveats and sources) and its
tables as CSV in a zip. Drawn on the server with fpdf2, like the tasking pack."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from queries import periods
from queries.counts import has_synthetic_months
from queries.variation import RULE_IN_WORDS

from .chart_data import board as data
from .chart_data.spec import Reader
from .csv_output import chart_csv
from .filters import Filters
from .formatting import is_missing
from .pack import PackPDF
from .pdf_layout import heading, one_line_table, paragraph

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


def build_pdf(reader: Reader, filters: Filters, today: date | None = None) -> bytes:
    generated = (today or date.today()).strftime("%d %B %Y")
    title = f"Board report: {data.describe(reader, filters)}"
    pdf = PackPDF(title, generated)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, title.replace("Board report: ", "Community safety board report\n"), new_x="LMARGIN",
                   new_y="NEXT", align="L")  # fpdf justifies by default: a wrapped title's words spread apart
    paragraph(pdf, f"Generated {generated} for the Oxford Safer Communities Partnership board.")
    if reader.get(has_synthetic_months):
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, "SYNTHETIC DEMO DATA: the incidents in this report are made up.", border=1,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    overview = data.overview_data(reader, filters)
    heading(pdf, "The quarter in figures")
    if overview.empty:
        paragraph(pdf, "No police.uk months are loaded for this selection.")
    else:
        # One table per comparison, named above it, so no row repeats the comparison in full.
        shown = overview.assign(change_percent=[_signed(v) for v in overview["change_percent"]],
                                p_value=[_p(v) for v in overview["p_value"]])
        for comparison, rows in shown.groupby("comparison", sort=False):
            paragraph(pdf, comparison[0].upper() + comparison[1:] + ":")
            one_line_table(pdf, rows, [("area_name", "Area"), ("subject", "Subject"), ("previous", "Before"),
                                       ("current", "Now"), ("current_months", "Months now"),
                                       ("change_percent", "Change %"), ("p_value", "p"), ("verdict", "In words")],
                           (30, 27, 16, 16, 20, 16, 14, 51))
    heading(pdf, "Trends, with their tests")
    for sentence in data.trend_sentences(reader, filters):
        paragraph(pdf, sentence)
    if not overview.empty:
        # The quarter's own months: over two years a large area's monthly counts leave so
        # narrow a band often (the trend sentences above name the latest), and the zip's
        # CSV lists all 24 months.
        first, last = data.quarter_of_report(reader, filters)
        band = data.band_data(reader, filters)
        band = band[band["month"].between(first, last)]
        heading(pdf, "Months outside ordinary variation")
        paragraph(pdf, f"Each month of {periods.months_in_words(first, last)} against the band shaded on the "
                       f"dashboard's monthly trends: {RULE_IN_WORDS}. The zip of tables lists every such month over the "
                       "24 months to the quarter's end.")
        checked = data.months_with_band(reader, filters, first, last)
        if not checked:
            paragraph(pdf, "No month of the quarter has 9 of its 12 calendar months before loaded, so none is judged "
                           "against the band.")
        elif band.empty:
            paragraph(pdf, f"Every month of the quarter that has a band ({periods.months_list_in_words(checked, False)}) "
                           "was within ordinary variation.")
        else:
            limits = {c: [f"{v:,.1f}" for v in band[c]] for c in ("low", "high")}  # "1,332.0", not "1,332"
            columns = [("subject", "Subject"), ("area_name", "Area"), ("month_label", "Month"), ("count", "Count"),
                       ("low", "Band low"), ("high", "Band high"), ("side", "Above or below")]
            one_line_table(pdf, band.assign(**limits), columns, (32, 35, 28, 20, 24, 24, 27))
    targets = data.targets_data(reader, filters)
    heading(pdf, "Targets")
    if targets.empty:
        paragraph(pdf, "No targets are recorded.")
    for row in targets.itertuples():
        paragraph(pdf, f"{row.status.upper()}: {row.sentence} Source: {row.source}.")
    interventions = data.interventions_data(reader, filters)
    heading(pdf, "Interventions evaluated")
    if interventions.empty:
        paragraph(pdf, "No interventions are recorded.")
    for row in interventions.itertuples():
        paragraph(pdf, f"{row.intervention} ({row.months}): {row.verdict}")
    heading(pdf, "Caveats and sources")
    for line in CAVEATS:
        paragraph(pdf, "- " + line)
    return bytes(pdf.output())


def build_zip(reader: Reader, filters: Filters) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in data.CHARTS:
            archive.writestr(f"{spec.chart_id}.csv", chart_csv(spec, spec.data(reader, filters)))
        archive.writestr("README.txt", f"Board report tables: {data.describe(reader, filters)}\n"
                                       f"Generated {date.today():%d %B %Y}.\n\n" + "\n".join(CAVEATS) + "\n")
    return buffer.getvalue()
