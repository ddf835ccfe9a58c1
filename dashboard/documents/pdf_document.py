"""The page every PDF document here is drawn on (the tasking pack and the board report): A4,
a running title and a numbered footer, headings, paragraphs and wrapping tables, and the
Latin-1 text fpdf's core fonts can draw."""

from __future__ import annotations

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from dashboard.charts.formatting import cell
from queries import partnership


def pdf_text(value) -> str:
    """Core PDF fonts are Latin-1: replace the few characters they cannot draw."""
    text = str(value).replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'").replace("\u2018", "'")
    return text.encode("latin-1", "replace").decode("latin-1")


class PackPDF(FPDF):
    def __init__(self, title: str, generated: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pack_title = title
        self.generated = generated
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(pdf_text(title))
        self.set_author(f"{partnership.current().home_name} community safety dashboard")

    def header(self):
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 6, pdf_text(self.pack_title), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(0)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, pdf_text(f"Generated {self.generated}. Page {self.page_no()} of {{nb}}."), align="R")

    def heading(self, text: str):
        self.set_font("Helvetica", "B", 13)
        self.cell(0, 9, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 10)

    def paragraph(self, text: str):
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def frame_table(self, frame: pd.DataFrame, columns, widths, right=()):
        """A table whose text wraps (never cut) and whose numbers sit right; ``right``: columns
        of numbers already written as text ("+2.6")."""
        self.set_font("Helvetica", "", 8)
        numeric = {key for key, _ in columns if key in right or (
            key in frame and pd.api.types.is_numeric_dtype(frame[key]) and not pd.api.types.is_bool_dtype(frame[key]))}
        with self.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD", fill_color=(220, 220, 220)),
                        line_height=4.5, text_align="LEFT", first_row_as_headings=True) as table:
            heading = table.row()
            for key, label in columns:
                heading.cell(pdf_text(label), align="RIGHT" if key in numeric else "LEFT")
            for row in frame.itertuples(index=False):
                values = dict(zip(frame.columns, row))
                line = table.row()
                for key, _ in columns:
                    line.cell(pdf_text(cell(values[key])), align="RIGHT" if key in numeric else "LEFT")
        self.ln(3)
