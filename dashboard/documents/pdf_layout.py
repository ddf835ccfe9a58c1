"""Drawing text into the PDF reports quickly: paragraphs set a line at a time and tables
whose values fit on one line drawn cell by cell. fpdf's justified ``multi_cell`` and wrapping
``table`` measure a line's text again at every character it grows by, which took most of the
board report's drawing time."""

from __future__ import annotations

from dashboard.charts.formatting import cell
from dashboard.documents.pdf_document import PackPDF
from dashboard.documents.pdf_document import pdf_text as _text

CHART_ROOM = 95  # mm: a chart's title, plot, legend and first lines of its summary


def text_width(pdf: PackPDF, text: str) -> float:
    """``get_string_width``, remembered per font: fpdf measures a string afresh each call, and a
    report measures the same words, numbers and months many times."""
    widths = pdf.__dict__.setdefault("_known_widths", {})
    key = (pdf.font_family, pdf.font_style, pdf.font_size_pt, text)
    if key not in widths:
        widths[key] = pdf.get_string_width(text)
    return widths[key]


def heading(pdf: PackPDF, text: str, room: float = 25) -> None:
    """A section heading, on a new page when less than ``room`` mm (a few lines, or a chart)
    would follow it."""
    if pdf.will_page_break(room):
        pdf.add_page()
    pdf.heading(text)


def subheading(pdf: PackPDF, text: str, room: float = CHART_ROOM) -> None:
    """A chart's title, kept with the chart (or the ``room`` mm of text) below it."""
    if pdf.will_page_break(room):
        pdf.add_page()
    paragraph(pdf, text, 5.5, size=11, style="B")


def small_print(pdf: PackPDF, text: str) -> None:
    """A caption or note under a chart."""
    paragraph(pdf, text, SMALL_LINE, size=SMALL_SIZE)


SMALL_LINE, SMALL_SIZE = 3.8, 8


def lines_of(pdf: PackPDF, text: str, size: float = 10, style: str = "") -> list[str]:
    """The lines a paragraph is set in, ragged right: each word is measured once."""
    pdf.set_font("Helvetica", style, size)
    space, room = text_width(pdf, " "), pdf.epw
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in _text(text).split():
        width = text_width(pdf, word)
        if line and used + space + width > room:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0.0) + width
        line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


def small_print_height(pdf: PackPDF, texts) -> float:
    """How much room ``small_print`` of each text takes, in mm."""
    return sum(len(lines_of(pdf, t, SMALL_SIZE)) * SMALL_LINE + 1 for t in texts)


def paragraph(pdf: PackPDF, text: str, height: float = 5, size: float = 10, style: str = "") -> None:
    """A paragraph set ragged right, a line at a time."""
    for line in lines_of(pdf, text, size, style):
        pdf.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def one_line_table(pdf: PackPDF, frame, columns, widths) -> None:
    """A table whose every value fits on one line (names, months, numbers), drawn cell by
    cell, its headings repeated on each page; ``widths`` in mm, summing to the page's width.
    A value too wide for its column sends the table to the wrapping one instead."""
    height = 4.5
    pdf.set_font("Helvetica", "", 8)
    texts = [[_text(cell(value)) for value in frame[key]] for key, _ in columns]
    if any(text_width(pdf, t) + 2 * pdf.c_margin > width for column, width in zip(texts, widths) for t in column):
        pdf.frame_table(frame, columns, widths)
        return

    def headings() -> None:
        pdf.set_font("Helvetica", "B", 8)
        pdf.set_fill_color(220, 220, 220)
        for (_, label), width in zip(columns, widths):
            pdf.cell(width, height, _text(label), border=1, fill=True)
        pdf.ln(height)
        pdf.set_font("Helvetica", "", 8)

    headings()
    for row in zip(*texts):
        if pdf.will_page_break(height):
            pdf.add_page()
            headings()
        for text, width in zip(row, widths):
            pdf.cell(width, height, text, border=1)
        pdf.ln(height)
    pdf.ln(3)
