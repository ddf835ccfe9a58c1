"""The tasking pack: a dated PDF (map, ranked table, changes, repeat places, caveats) and
a zip of every table in it as CSV. Made on the server, with no internet, and legible when
printed in black and white: the map uses grey levels and outlines, not colour.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from queries import hexgrid
from queries.counts import has_synthetic_months

from .chart_data import hotspots as data
from .chart_data.spec import Reader
from .csv_output import chart_csv
from .filters import LEVEL_LABELS, Filters
from .formatting import cell

GREYS = [235, 200, 160, 115, 60]  # light to dark fills for count bands
TABLE_ROWS = 30
CAVEATS = [
    "Source: data.police.uk street-level crime and anti-social behaviour (Open Government Licence v3.0); "
    "boundaries from the Office for National Statistics where imported.",
    "police.uk locations are anonymised map points, each standing for many addresses nearby; incidents with no "
    "location are left out of this pack.",
    "Small counts vary a lot by chance: a new or emerging place with few incidents deserves a look, not a conclusion.",
    "Recorded crime reflects reporting and police activity as well as offending.",
    "Method: Poisson test of the period against the baseline months, Benjamini-Hochberg false discovery rate; "
    "clusters by Getis-Ord Gi* on a 250 m hexagonal grid.",
]


def _text(value) -> str:
    """Core PDF fonts are Latin-1: replace the few characters they cannot draw."""
    text = str(value).replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'").replace("\u2018", "'")
    return text.encode("latin-1", "replace").decode("latin-1")


class PackPDF(FPDF):
    def __init__(self, title: str, generated: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pack_title = title
        self.generated = generated
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(_text(title))
        self.set_author("Oxford community safety dashboard")

    def header(self):
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 6, _text(self.pack_title), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(0)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, _text(f"Generated {self.generated}. Page {self.page_no()} of {{nb}}."), align="R")

    def heading(self, text: str):
        self.set_font("Helvetica", "B", 13)
        self.cell(0, 9, _text(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", "", 10)

    def paragraph(self, text: str):
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 5, _text(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def frame_table(self, frame: pd.DataFrame, columns, widths):
        self.set_font("Helvetica", "", 8)
        with self.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD", fill_color=(220, 220, 220)),
                        line_height=4.5, text_align="LEFT", first_row_as_headings=True) as table:
            table.row([_text(label) for _, label in columns])
            for row in frame.itertuples(index=False):
                values = dict(zip(frame.columns, row))
                table.row([_text(cell(values[key])) for key, _ in columns])
        self.ln(3)


def pack_name(reader: Reader, filters: Filters, extension: str) -> str:
    start, end = data.recent_period(reader, filters)
    return f"tasking-pack-{data.area_of(filters)}-{end}-{date.today():%Y-%m-%d}.{extension}"


def build_pdf(reader: Reader, filters: Filters, today: date | None = None) -> bytes:
    start, end = data.recent_period(reader, filters)
    generated = (today or date.today()).strftime("%d %B %Y")
    if end is None:
        description = "no data loaded"
        places = cells = repeats = changes = pd.DataFrame()
    else:
        description = data.describe(filters, start, end)
        places = data.places_data(reader, filters)
        cells = data.cells_data(reader, filters)
        repeats = data.repeats_data(reader, filters)
        changes = data.changes_data(reader, filters)
    pdf = PackPDF(f"Tasking pack: {description}", generated)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, _text(f"Tasking pack: {description}"), new_x="LMARGIN", new_y="NEXT")
    pdf.paragraph(f"Generated {generated}. Baseline: the {filters.baseline} months before the period. "
                  f"Places ranked by {LEVEL_LABELS[filters.level].lower()}.")
    if reader.get(has_synthetic_months):
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, "SYNTHETIC DEMO DATA: the incidents in this pack are made up.", border=1,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if places.empty:
        pdf.paragraph("No incidents of these types were recorded here in this period.")
        return bytes(pdf.output())
    pdf.paragraph(data.summary_text(places, cells, description))
    pdf.heading("Map")
    _draw_map(pdf, cells, data.area_boundaries(reader, filters))
    pdf.add_page()
    pdf.heading(f"Ranked hotspots (top {min(TABLE_ROWS, len(places))} of {len(places):,})")
    pdf.frame_table(places.head(TABLE_ROWS), [
        ("rank", "Rank"), ("place_name", "Place"), ("count", "Incidents"), ("baseline_mean", "Baseline / month"),
        ("ratio", "Ratio"), ("q_value", "q-value"), ("class_name", "Class")], (9, 80, 18, 22, 14, 16, 21))
    pdf.heading("What changed since the period before")
    pdf.paragraph("The top 20 places now against the same number of months just before.")
    pdf.frame_table(changes, [("place_name", "Place"), ("count_now", "This period"), ("count_before", "Period before"),
                              ("change", "Change"), ("status", "Top 20")], (84, 22, 24, 18, 32))
    pdf.heading("Repeat locations")
    pdf.paragraph("Places with two or more incidents in the period, and in how many baseline months they also had incidents.")
    pdf.frame_table(repeats.head(TABLE_ROWS), [("place_name", "Place"), ("count", "Incidents"),
                                                ("baseline_months_active", "Baseline months"), ("class", "Class")],
                    (100, 24, 30, 26))
    pdf.heading("Data caveats and sources")
    for line in CAVEATS:
        pdf.paragraph("- " + line)
    return bytes(pdf.output())


def _draw_map(pdf: PackPDF, cells: pd.DataFrame, outlines: pd.DataFrame) -> None:
    """Hexagons filled in five grey bands by count, clusters outlined thick, boundaries thin."""
    shown = cells[cells["count"] > 0]
    if shown.empty:
        pdf.paragraph("No located incidents to map.")
        return
    x, y = hexgrid.to_metres(shown["longitude"], shown["latitude"])
    pad = hexgrid.DEFAULT_SIZE * 2
    x_min, x_max, y_min, y_max = x.min() - pad, x.max() + pad, y.min() - pad, y.max() + pad
    box_w, box_h = pdf.w - pdf.l_margin - pdf.r_margin, 150.0
    scale = min(box_w / (x_max - x_min), box_h / (y_max - y_min))
    left, top = pdf.l_margin, pdf.get_y()

    def to_page(lon, lat):
        mx, my = hexgrid.to_metres(lon, lat)
        return left + (float(mx) - x_min) * scale, top + (y_max - float(my)) * scale

    bands = pd.qcut(shown["count"].rank(method="first"), q=min(5, len(shown)), labels=False)
    pdf.set_line_width(0.1)
    pdf.set_draw_color(255)
    for row, band in zip(shown.itertuples(), bands):
        pdf.set_fill_color(GREYS[int(band) if len(shown) >= 5 else min(int(band) + 2, 4)])
        pdf.polygon([to_page(lon, lat) for lon, lat in hexgrid.cell_polygon(row.q, row.r)], style="DF")
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    for geometry in outlines.loc[outlines["level"] == "district", "geometry"] if not outlines.empty else []:
        for ring in _rings(json.loads(geometry)):
            points = [to_page(lon, lat) for lon, lat in ring]
            inside = [(px, py) for px, py in points if left <= px <= left + box_w and top <= py <= top + box_h]
            if len(inside) == len(points):
                pdf.polyline(points)
    pdf.set_line_width(0.8)
    for row in cells[cells["cluster"] == "hot"].itertuples():
        pdf.polygon([to_page(lon, lat) for lon, lat in hexgrid.cell_polygon(row.q, row.r)], style="D")
    pdf.set_line_width(0.2)
    pdf.set_y(top + box_h + 3)
    low, high = int(shown["count"].min()), int(shown["count"].max())
    pdf.paragraph(f"Grey cells: 250 m hexagons, darker for more incidents ({low} to {high} a cell). Thick outlines: "
                  "significant clusters (Gi*). Thin lines: district boundaries where imported.")


def _rings(geometry: dict) -> list:
    if geometry.get("type") == "Polygon":
        return geometry["coordinates"][:1]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def build_zip(reader: Reader, filters: Filters) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in data.CHARTS:
            archive.writestr(f"{spec.chart_id}.csv", chart_csv(spec, spec.data(reader, filters)))
        start, end = data.recent_period(reader, filters)
        about = data.describe(filters, start, end) if end else "no data loaded"
        archive.writestr("README.txt", f"Tasking pack tables: {about}\nGenerated {date.today():%d %B %Y}.\n\n"
                                       + "\n".join(CAVEATS) + "\n")
    return buffer.getvalue()
