"""The board report: a dated PDF of the quarter for the chosen areas (overview figures,
trends with their tests, targets, interventions evaluated, caveats and sources) and its
tables as CSV in a zip. Drawn on the server with fpdf2, like the tasking pack."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from queries.counts import has_synthetic_months

from .chart_data import board as data
from .chart_data.spec import Reader
from .csv_output import chart_csv
from .filters import Filters
from .formatting import cell
from .pack import PackPDF

CAVEATS = [
    ("Source: data.police.uk street-level crime and anti-social behaviour (Open Government Licence v3.0); ONS "
    "mid-year population estimates; targets as published, each with its source."),
    ("Changes compare like with like (a quarter with the same quarter a year earlier, 12 months with the 12 before) "
    "and are tested with the exact conditional (binomial) test; p < 0.05 is called significant."),
    ("Months outside ordinary variation lie beyond the mean of the 12 months before plus or minus three square "
    "roots of it (Poisson limits, the square-root rule)."),
    ("Interventions: weighted displacement difference (Wheeler & Ratcliffe 2018), variance the sum of the Poisson "
    "counts; interrupted time series (Bernal, Cummins & Gasparrini 2017) where 24 months precede the start. A "
    "control area can differ from the target in ways the counts do not show."),
    ("Recorded crime reflects reporting and police activity as well as offending; police.uk leaves out some crimes "
    "and places, so its totals run below published ones."),
]


def one_line_table(pdf: PackPDF, frame, columns, widths) -> None:
    """A table whose every value fits on one line (names, months, numbers), drawn cell by
    cell: fpdf's wrapping table measures each cell's text twice over, which for a list of
    dozens of months cost more than the rest of the report."""
    height = 4.5
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(220, 220, 220)
    for (_, label), width in zip(columns, widths):
        pdf.cell(width, height, label, border=1, fill=True)
    pdf.ln(height)
    pdf.set_font("Helvetica", "", 8)
    for row in frame.itertuples(index=False):
        values = dict(zip(frame.columns, row))
        if pdf.will_page_break(height):
            pdf.add_page()
        for (key, _), width in zip(columns, widths):
            pdf.cell(width, height, cell(values[key]), border=1)
        pdf.ln(height)
    pdf.ln(3)


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
                   new_y="NEXT")
    pdf.paragraph(f"Generated {generated} for the Oxford Safer Communities Partnership board.")
    if reader.get(has_synthetic_months):
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, "SYNTHETIC DEMO DATA: the incidents in this report are made up.", border=1,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    overview = data.overview_data(reader, filters)
    pdf.heading("The quarter in figures")
    if overview.empty:
        pdf.paragraph("No police.uk months are loaded for this selection.")
    else:
        pdf.frame_table(overview, [("area_name", "Area"), ("subject", "Subject"), ("comparison", "Comparison"),
                                   ("previous", "Before"), ("current", "Now"), ("change_percent", "Change %"),
                                   ("p_value", "p"), ("verdict", "In words")], (22, 24, 42, 14, 14, 14, 12, 48))
    pdf.heading("Trends, with their tests")
    for sentence in data.trend_sentences(reader, filters):
        pdf.paragraph(sentence)
    band = data.band_data(reader, filters)
    if not overview.empty:
        pdf.heading("Months outside ordinary variation")
        pdf.paragraph("Each month against the mean of the 12 months before it, plus or minus three square roots (the "
                      "band shaded on the dashboard's monthly trends), over the 24 months to the quarter's end.")
        if band.empty:
            pdf.paragraph("Every month was within ordinary variation.")
        else:
            limits = {c: [f"{v:,.1f}" for v in band[c]] for c in ("low", "high")}  # "1,332.0", not "1,332"
            one_line_table(pdf, band.assign(**limits), [("subject", "Subject"), ("area_name", "Area"), ("month_label", "Month"),
                                       ("count", "Count"), ("low", "Band low"), ("high", "Band high"),
                                       ("side", "Above or below")], (40, 32, 30, 20, 22, 22, 24))
    targets = data.targets_data(reader, filters)
    pdf.heading("Targets")
    if targets.empty:
        pdf.paragraph("No targets are recorded.")
    for row in targets.itertuples():
        pdf.paragraph(f"{row.status.upper()}: {row.sentence} Source: {row.source}.")
    interventions = data.interventions_data(reader, filters)
    pdf.heading("Interventions evaluated")
    if interventions.empty:
        pdf.paragraph("No interventions are recorded.")
    for row in interventions.itertuples():
        pdf.paragraph(f"{row.intervention} ({row.months}): {row.verdict}")
    pdf.heading("Caveats and sources")
    for line in CAVEATS:
        pdf.paragraph("- " + line)
    return bytes(pdf.output())


def build_zip(reader: Reader, filters: Filters) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in data.CHARTS:
            archive.writestr(f"{spec.chart_id}.csv", chart_csv(spec, spec.data(reader, filters)))
        archive.writestr("README.txt", f"Board report tables: {data.describe(reader, filters)}\n"
                                       f"Generated {date.today():%d %B %Y}.\n\n" + "\n".join(CAVEATS) + "\n")
    return buffer.getvalue()
