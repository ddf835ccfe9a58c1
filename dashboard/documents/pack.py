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

from dashboard.chart_data import hotspot_map, incident_heatmap
from dashboard.chart_data import hotspots as data
from dashboard.chart_data.filters import LEVEL_WORDS, Filters
from dashboard.chart_data.incident_sources import off_the_map_note, sources_text
from dashboard.chart_data.spec import Reader
from dashboard.charts.maps import boundary_lines, bounds_of, label_point, outline_edges
from dashboard.charts.plain_figure import PlainFigure
from dashboard.documents.csv_output import chart_csv
from dashboard.documents.pdf_charts import draw_figure
from dashboard.documents.pdf_document import PackPDF
from dashboard.documents.pdf_document import pdf_text as _text
from dashboard.documents.pdf_heatmap import draw_weekday_hour
from queries import hexgrid, periods
from queries.counts import has_synthetic_months
from queries.incident_sources import POLICE_SOURCES, SOURCES_BY_SLUG
from queries.incidents import WEEKDAYS, off_the_map, source_months
from queries.reference import AREAS_BY_CODE

GREYS = [235, 200, 160, 115, 60]  # light to dark fills for count bands
TABLE_ROWS = 30
CAVEATS = [
    "Source: data.police.uk street-level crime and anti-social behaviour (Open Government Licence v3.0).",
    ("Boundaries, LSOA populations and deprivation deciles: Office for National Statistics and the English Indices of "
    "Deprivation 2019 (Open Government Licence v3.0). Contains OS data (c) Crown copyright and database right 2021 "
    "and 2023."),
    data.SNAP_NOTE + " Incidents with no location are left out of this pack.",
    "Small counts vary a lot by chance: a new or emerging place with few incidents deserves a look, not a conclusion.",
    "Recorded crime reflects reporting and police activity as well as offending.",
    ("Method: usual levels are averaged over the loaded baseline months only; new, emerging and fading rest on the "
    "exact conditional test of the period's count against the baseline's, with a 5% Benjamini-Hochberg false "
    "discovery rate; busiest and persistent on each place's rank by count; clusters by Getis-Ord Gi* on a 250 m "
    "hexagonal grid. The analyst appendix gives every place's tests with their p- and q-values."),
]


def pack_name(reader: Reader, filters: Filters, extension: str) -> str:
    """'tasking-pack-oxford-burglary-robbery-2024-10-to-2024-12.pdf': area, crime types, period."""
    start, end = data.recent_period(reader, filters)
    area = _slug(AREAS_BY_CODE[data.area_of(filters)].name)
    crimes = "-".join(filters.crime_types) if filters.crime_types else "all-crime"
    period = "no-data" if end is None else (end if start == end else f"{start}-to-{end}")
    return f"tasking-pack-{area}-{crimes}-{period}.{extension}"


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def build_pdf(reader: Reader, filters: Filters, today: date | None = None) -> bytes:
    start, end = data.recent_period(reader, filters)
    generated = (today or date.today()).strftime("%d %B %Y")
    if end is None:
        description = "no data loaded"
        places = ranked = cells = repeats = changes = pd.DataFrame()
        note = ""
    else:
        description = data.describe(filters, start, end, data.chosen_sources(reader, filters))
        ranked = data.ranked_places(reader, filters)
        places = data.places_data(reader, filters, rows=TABLE_ROWS)
        cells = data.cells_data(reader, filters)
        repeats = data.repeats_data(reader, filters)
        changes = data.changes_data(reader, filters)
        note = data.coverage_note(reader, filters)
    pdf = PackPDF(f"Tasking pack: {description}", generated)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, _text(f"Tasking pack: {description}"), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.paragraph(f"Generated {generated}. Usual levels: the monthly mean over the loaded months of the "
                  f"{data.baseline_of(reader, filters)} before the period. Places by {LEVEL_WORDS[filters.level]}.")
    chosen = data.chosen_sources(reader, filters) or ()
    synthetic_partner = any(synthetic for source in chosen if source not in POLICE_SOURCES
                            for _, synthetic in reader.get(source_months, source))
    if reader.get(has_synthetic_months) or synthetic_partner:
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, "SYNTHETIC DEMO DATA: the incidents in this pack are made up.", border=1,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if note:
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 5, _text("Months missing: " + note), border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for line in _source_lines(reader, filters, start, end):
        pdf.paragraph(line)
    heatmaps = incident_heatmap.page_views(reader, filters) if end else []
    weeks = incident_heatmap.weekly_views(reader, filters) if end else []
    if places.empty:
        pdf.paragraph("No incidents of these types were recorded here in this period, so there is nothing to map "
                      "or rank. Choose a longer period or other crime types.")
        _heatmap_pages(pdf, heatmaps)
        _weekly_pages(pdf, weeks)
        return bytes(pdf.output())
    pdf.paragraph(data.summary_text(ranked, cells, description, data.places_classed(reader, filters),
                                    data.concentration_text(reader, filters), filters.level))
    layers = hotspot_map.map_layers(reader, filters, places)
    draw_map(pdf, cells, layers.boundaries, layers.places, layers.streets)
    pdf.add_page()
    shown = places.head(TABLE_ROWS)
    period = data.period_words(start, end)
    pdf.heading(f"Places to look at: the {len(shown)} busiest of {len(ranked):,}")
    pdf.paragraph(f"Counts for the period ({period}): incidents, the usual level for the same number of months and "
                  "the change on it.")
    columns, widths = _level_columns([
        ("rank", "Rank", 9), ("place_name", "Place", 48), ("street", "Busiest street (map point)", 38),
        ("count", "Incidents in the period", 17), ("expected", "Usual for the period", 16),
        ("change", "Change on usual", 15), ("class_name", "What it means", 35), ("imd2019_decile", "Depriv. decile", 12)],
        filters.level)
    pdf.frame_table(shown.assign(change=shown["change"].map(lambda v: "-" if pd.isna(v) else f"{v:+.1f}"),
                                 expected=shown["expected"].map(lambda v: "-" if pd.isna(v) else f"{v:,.2f}")),
                    columns, widths, right={"change", "expected"})
    meanings = " ".join(f"{data.CLASS_TEXT[c]}: {text}" for c, text in data.CLASS_MEANING.items())
    pdf.paragraph("What the words mean. " + meanings)
    pdf.heading("Each place: why it is listed, its crime types and months")
    months = data.detail_months(reader, filters)
    if months:
        pdf.paragraph(f"Bars: incidents by month from {data.month_words(months[0])} to {data.month_words(months[-1])}, "
                      "the baseline grey and the period black; a dotted tick is a month not loaded.")
    for row in shown.to_dict("records"):
        place_detail(pdf, row, len(months) - data.result_months(reader, filters))
    pdf.heading("What changed since the period before")
    pdf.paragraph(data.changes_note(reader, filters))
    if changes.empty:
        pdf.paragraph(data.changes_empty_text(reader, filters, "No place's monthly rate changed significantly."))
    else:
        pdf.frame_table(data.changes_shown(changes.head(TABLE_ROWS)), *_level_columns([
            ("place_name", "Place", 48), ("street", "Busiest street (map point)", 36),
            ("per_month_now", "Now, per month", 17), ("per_month_before", "Before, per month", 17),
            ("change", "Change per month", 17), ("meaning", "What it means", 55)], filters.level))
    pdf.heading("Map points with two or more incidents")
    pdf.paragraph("Each police.uk map point stands for many addresses nearby: these are not repeat addresses or "
                  "victims. " + data.repeats_note(reader, filters))
    pdf.frame_table(repeats.head(TABLE_ROWS), [("place_name", "Map point (not an address)"), ("count", "Incidents"),
                                                ("baseline_months_active", "Baseline months with incidents"),
                                                ("class_name", "What it means")], (100, 20, 36, 34))
    _heatmap_pages(pdf, heatmaps)
    _weekly_pages(pdf, weeks)
    _beside_police_page(pdf, reader, filters, start, end)
    pdf.add_page()
    pdf.heading("Analyst appendix: the tests behind each place's words")
    pdf.paragraph(data.family_text(reader, filters) + " Now, Baseline: incidents in the period and in the loaded "
                  "baseline months; Usual: the usual level for the period.")
    pdf.frame_table(data.appendix_view(shown).assign(busy=[_busy(r) for r in shown.to_dict("records")]), [
        ("rank", "#"), ("place_name", "Place"), ("count", "Now"), ("baseline_count", "Baseline"),
        ("expected", "Usual"), ("busy", "Busiest 5% now / baseline (rank)"), ("p_value", "p above"),
        ("q_value", "q above"), ("p_below", "p below"), ("q_below", "q below"), ("class_name", "What it means")],
        (7, 45, 10, 14, 11, 21, 13, 13, 13, 13, 30),
        right={"expected", "p_value", "q_value", "p_below", "q_below"})
    pdf.heading("Data caveats and sources")
    for line in CAVEATS:
        pdf.paragraph("- " + line)
    return bytes(pdf.output())


def _source_lines(reader: Reader, filters: Filters, start: str | None, end: str | None) -> list[str]:
    """Which sources are counted, which are withheld from this reader, what has no map point."""
    if not filters.sources:
        return []
    lines = [f"Sources: {sources_text(data.chosen_sources(reader, filters))}."]
    withheld = data.withheld_sources(reader, filters)
    if withheld:
        lines.append(", ".join(SOURCES_BY_SLUG[s].title for s in withheld) + ": shared with partners only, so not "
                     "counted in this pack.")
    chosen = data.chosen_sources(reader, filters)
    if chosen and end:
        note = off_the_map_note(reader.get(off_the_map, data.area_of(filters), chosen, start, end))
        if note:
            lines.append(note)
    return lines


def _source_pages(pdf: PackPDF, views, draw, rows: str) -> None:
    """One page for each chosen partner source's view: its title, notes and summary, the chart
    ``draw`` puts on the page, and its caption; ``rows`` names what the CSV zip tabulates."""
    for view in views:
        pdf.add_page()
        pdf.heading(view.title)
        if view.message is not None:
            pdf.paragraph(view.message)
            continue
        for note in view.notes:
            pdf.paragraph(note.text)
        pdf.paragraph(view.summary)
        draw(view)
        pdf.paragraph(f"{view.caption} The table of every {rows} is in the pack's CSV zip.")


def _heatmap_pages(pdf: PackPDF, views) -> None:
    """When each chosen partner source's incidents happen: day of the week by hour."""
    _source_pages(pdf, views, lambda view: draw_weekday_hour(pdf, view.frame.assign(
        weekday=[WEEKDAYS.index(d) for d in view.frame["weekday_name"]],
        hour=[int(h[:2]) for h in view.frame["hour_label"]])), "cell")


def _weekly_pages(pdf: PackPDF, views) -> None:
    """Each chosen dated partner source by week, the page's chart drawn into the PDF: daily
    variation that months hide (a campaign, a closure, an event)."""
    _source_pages(pdf, views, lambda view: draw_figure(pdf, _weeks_as_categories(view.figure),
                                                       x_title="Week beginning (Monday)"), "week")


def _weeks_as_categories(figure: PlainFigure) -> PlainFigure:
    """The weekly chart with one place a week, in order, labelled "26 Feb 24": the PDF
    painter's date axis has one place a month, which would stack a month's weeks."""
    weeks = sorted({str(x)[:10] for trace in figure["data"] for x in (trace.get("x") or ())})
    label = {w: f"{int(w[8:])} {periods.month_in_words(w[:7])[:3]} {w[2:4]}" for w in weeks}
    # The first trace, drawing nothing, fixes the categories' order: every week, in time.
    order = {"type": "scatter", "x": [label[w] for w in weeks], "y": [None] * len(weeks), "mode": "markers",
             "showlegend": False}
    # Its own x axis: the page's figure keeps its dates.
    copy = PlainFigure({**figure["layout"], "xaxis": dict(figure["layout"].get("xaxis", {}))}, [order])
    for trace in figure["data"]:
        copy.add_trace({**trace, "x": [label[str(x)[:10]] for x in trace["x"]]})
    copy.update_xaxes(type="category")
    return copy


def _beside_police_page(pdf: PackPDF, reader: Reader, filters: Filters, start: str, end: str) -> None:
    """For partners with A&E assaults chosen: attendances beside police-recorded violence by LSOA."""
    if "ae-assaults" not in (data.chosen_sources(reader, filters) or ()):
        return
    frame = incident_heatmap.beside_police(reader, data.area_of(filters), start, end)
    pdf.add_page()
    pdf.heading("A&E assault attendances beside police-recorded violence, by LSOA")
    pdf.paragraph(incident_heatmap.BESIDE_NOTE)
    if frame.empty:
        pdf.paragraph("No month has both sources loaded in this period.")
        return
    pdf.frame_table(frame.head(TABLE_ROWS), [(c, h) for c, h in incident_heatmap.BESIDE_COLUMNS], (52, 26, 34, 50, 20))


def _busy(row: dict) -> str:
    return f"{'yes' if row['busiest_now'] else 'no'} / {'yes' if row['busiest_before'] else 'no'} ({row['rank_now']})"


def place_detail(pdf: PackPDF, row: dict, period_from: int) -> None:
    """One place: its name (whole), why it is listed, its crime types and its months as bars."""
    if pdf.get_y() + 24 > pdf.h - pdf.b_margin:  # keep a place's name with its lines
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 9)
    pdf.multi_cell(0, 4.5, _text(f"{row['rank']}. {row['place_name']} - {row['class_name']}"),
                   new_x="LMARGIN", new_y="NEXT")
    values = row["monthly"]
    bar, gap, height = 2.2, 0.6, 8
    chart_width = len(values) * (bar + gap)
    top, left = pdf.get_y(), pdf.w - pdf.r_margin - chart_width
    pdf.set_font("Helvetica", "", 8)
    text = (f"{row['why']} By crime type this period: {row['by_type_text']}; in the baseline: "
            f"{row['by_type_baseline_text']}. Month by month: {row['monthly_text']}.")
    pdf.multi_cell(pdf.w - pdf.l_margin - pdf.r_margin - chart_width - 4, 4, _text(text), new_x="LMARGIN",
                   new_y="NEXT", align="L")
    peak = max([v for v in values if v == v] + [1])  # NaN != NaN: a month not loaded
    pdf.set_draw_color(90)
    pdf.set_line_width(0.2)
    pdf.line(left, top + height, left + chart_width, top + height)
    for i, value in enumerate(values):
        x = left + i * (bar + gap)
        if value != value:
            with pdf.local_context(dash_pattern={"dash": 0.4, "gap": 0.4}):
                pdf.line(x + bar / 2, top + height - 1.5, x + bar / 2, top + height + 0.8)
            continue
        h = height * value / peak
        pdf.set_fill_color(0 if i >= period_from else 170)
        if h > 0:
            pdf.rect(x, top + height - h, bar, h, style="F")
    pdf.set_y(max(pdf.get_y(), top + height + 2))
    pdf.ln(1.5)


def draw_map(pdf: PackPDF, cells: pd.DataFrame, outlines: pd.DataFrame, labels: pd.DataFrame,
             streets: pd.DataFrame | None = None) -> None:
    """The map, filling the rest of the page: hexagons in five grey bands by count, clusters
    outlined thick, LSOA, ward and district boundaries, the area's outline, the busiest
    places numbered with their street, district and ward names, the busiest streets' names
    where there is room, and a scale bar."""
    shown = cells[cells["count"] > 0]
    if shown.empty:
        pdf.paragraph("No located incidents to map.")
        return
    # The whole area, as on the page: its busy cells and its districts' outline.
    (west, south), (east, north) = bounds_of(cells, outlines)
    # All four corners: the grid's east-west scale follows the latitude.
    x, y = hexgrid.to_metres(pd.Series([west, east, west, east]), pd.Series([south, south, north, north]))
    pad = hexgrid.DEFAULT_SIZE * 2
    x_min, x_max, y_min, y_max = x.min() - pad, x.max() + pad, y.min() - pad, y.max() + pad
    box_w = pdf.w - pdf.l_margin - pdf.r_margin
    box_h = pdf.h - pdf.get_y() - 32
    scale = min(box_w / (x_max - x_min), box_h / (y_max - y_min))
    left, top = pdf.l_margin, pdf.get_y()
    right, bottom = left + box_w, top + box_h

    def to_page(lon, lat):
        mx, my = hexgrid.to_metres(lon, lat)
        return left + (float(mx) - x_min) * scale, top + (y_max - float(my)) * scale

    def within(px, py):
        return left <= px <= right and top <= py <= bottom

    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    pdf.rect(left, top, box_w, box_h)
    bands = pd.qcut(shown["count"].rank(method="first"), q=min(5, len(shown)), labels=False)
    pdf.set_line_width(0.1)
    pdf.set_draw_color(255)
    for row, band in zip(shown.itertuples(), bands):
        pdf.set_fill_color(GREYS[int(band) if len(shown) >= 5 else min(int(band) + 2, 4)])
        pdf.polygon([to_page(lon, lat) for lon, lat in hexgrid.cell_polygon(row.q, row.r)], style="DF")
    for level, grey, width in (("lsoa", 185, 0.1), ("ward", 110, 0.3), ("district", 90, 0.3)):
        pdf.set_draw_color(grey)
        pdf.set_line_width(width)
        for line in boundary_lines(outlines, level):
            _clipped_line(pdf, [to_page(lon, lat) for lon, lat in line], within)
    districts = outlines[outlines["level"] == "district"]
    pdf.set_draw_color(0)
    pdf.set_line_width(0.7)
    for segment in outline_edges([json.loads(g) for g in districts["geometry"]]):
        _clipped_line(pdf, [to_page(lon, lat) for lon, lat in segment], within)
    pdf.set_line_width(0.8)
    for row in cells[cells["cluster"] == "hot"].itertuples():
        pdf.polygon([to_page(lon, lat) for lon, lat in hexgrid.cell_polygon(row.q, row.r)], style="D")
    # Names go where they cover nothing written before them and stay inside the map: the
    # scale bar's corner and every busy place's dot first, then the places' names in rank
    # order (a name with no room keeps its number; the table names it), then the districts'.
    taken = [(left, bottom - 12, left + 48, bottom)]
    dots = []
    for row in labels.itertuples():
        px, py = to_page(row.longitude, row.latitude)
        if within(px, py):
            dots.append((row, px, py))
            taken.append((px - 1, py - 1, px + 1, py + 1))
    pdf.set_font("Helvetica", "B", 7)
    for row, px, py in dots:
        pdf.set_fill_color(0)
        pdf.ellipse(px - 0.8, py - 0.8, 1.6, 1.6, style="F")
        for text in ((_text(f"{row.rank}. {row.text}"), str(row.rank)) if row.text else (str(row.rank),)):
            width = pdf.get_string_width(text) + 1
            spot = free_spot(taken, (left, top, right, bottom), width, 3.2, beside_point(px, py, width, 3.2))
            if spot:
                pdf.set_fill_color(255)
                pdf.rect(spot[0], spot[1], width, 3.2, style="F")
                pdf.text(spot[0] + 0.5, spot[1] + 2.6, text)
                break
    # Then the districts', the wards' and the busiest streets' names, each where it covers nothing.
    has_wards = bool((outlines["level"] == "ward").any())
    names = [(row.name.upper(), *label_point(json.loads(row.geometry)), 9, "B", 70) for row in districts.itertuples()]
    names += [(row.name, *label_point(json.loads(row.geometry)), 7, "B", 60)
              for row in outlines[outlines["level"] == "ward"].itertuples()]
    if streets is not None:
        names += [(row.text, row.longitude, row.latitude, 6, "", 60) for row in streets.itertuples()]
    for name, lon, lat, size, style, grey in names:
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(grey)
        px, py = to_page(lon, lat)
        text = _text(name)
        width, height = pdf.get_string_width(text), size * 0.39
        spot = free_spot(taken, (left, top, right, bottom), width, height,
                         [(px - width / 2, py - height / 2), (px - width / 2, py - 1.5 * height),
                          (px - width / 2, py + height / 2)])
        if spot:
            with pdf.local_context(fill_opacity=0.7):  # readable over dark cells, which still show through
                pdf.set_fill_color(255)
                pdf.rect(spot[0] - 0.5, spot[1], width + 1, height, style="F")
            pdf.text(spot[0], spot[1] + height * 0.85, text)
    pdf.set_text_color(0)
    _scale_bar(pdf, left + 4, bottom - 5, scale)
    pdf.set_line_width(0.2)
    pdf.set_y(bottom + 2)
    low, high = int(shown["count"].min()), int(shown["count"].max())
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, _text(
        f"Grey cells: 250 m hexagons, darker for more incidents ({low} to {high} a cell). Thick outlines: significant "
        "clusters (Gi*). Numbered dots: the busiest places, named by police.uk's nearest street (an anonymous map "
        "point, not an address). Thin lines: " + ("LSOA, ward (named in bold) and district" if has_wards else "district")
        + " boundaries; the thick black line is the area's edge."
        + (" Small names: the busiest streets, where there is room." if streets is not None and not streets.empty else "")),
        new_x="LMARGIN", new_y="NEXT")


def beside_point(x: float, y: float, width: float, height: float) -> list[tuple[float, float]]:
    """Top-left corners for a label beside a dot: right, left, above, below."""
    return [(x + 1.2, y - height / 2), (x - 1.2 - width, y - height / 2), (x - width / 2, y - 1.2 - height),
            (x - width / 2, y + 1.2)]


def free_spot(taken: list, box: tuple, width: float, height: float, spots) -> tuple[float, float] | None:
    """The first of ``spots`` (top-left corners) where a label fits inside ``box`` without
    covering anything in ``taken``; the label's rectangle is then added to ``taken``."""
    left, top, right, bottom = box
    for x, y in spots:
        rect = (x, y, x + width, y + height)
        if x < left or y < top or rect[2] > right or rect[3] > bottom:
            continue
        if any(rect[0] < o[2] and o[0] < rect[2] and rect[1] < o[3] and o[1] < rect[3] for o in taken):
            continue
        taken.append(rect)
        return x, y
    return None


def _clipped_line(pdf: PackPDF, points: list, within) -> None:
    """Draw the runs of a line that lie inside the map box."""
    run: list = []
    for point in points:
        if within(*point):
            run.append(point)
            continue
        if len(run) > 1:
            pdf.polyline(run)
        run = []
    if len(run) > 1:
        pdf.polyline(run)


def _scale_bar(pdf: PackPDF, x: float, y: float, scale: float) -> None:
    """A bar of a round length; ``scale`` is page millimetres per metre on the ground (the
    grid's equal-area projection keeps metres true across England and Wales)."""
    length = next((m for m in (10000, 5000, 2000, 1000, 500, 200, 100) if m * scale <= 40), 100)
    width = length * scale
    pdf.set_fill_color(255)
    pdf.rect(x - 1, y - 4.5, width + 2, 6.5, style="F")
    pdf.set_draw_color(0)
    pdf.set_line_width(0.5)
    pdf.line(x, y, x + width, y)
    pdf.line(x, y - 1.2, x, y)
    pdf.line(x + width, y - 1.2, x + width, y)
    pdf.set_font("Helvetica", "", 7)
    pdf.text(x, y - 1.8, f"{length // 1000} km" if length >= 1000 else f"{length} m")


def _level_columns(columns: list[tuple[str, str, float]], level: str) -> tuple[list[tuple[str, str]], tuple[float, ...]]:
    """A table's columns and widths (mm) at a level (data.columns_for_level): where the
    street column would repeat the place's name, its width goes to the place."""
    kept = [key for key, _ in data.columns_for_level([(key, label) for key, label, _ in columns], level)]
    widths = {key: width for key, _, width in columns}
    if "street" not in kept:
        widths["place_name"] += widths["street"]
    return [(key, label) for key, label, _ in columns if key in kept], tuple(widths[key] for key in kept)


def build_zip(reader: Reader, filters: Filters) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in data.CHARTS:
            archive.writestr(f"{spec.chart_id}.csv", chart_csv(spec, spec.data(reader, filters)))
        for view in (*incident_heatmap.page_views(reader, filters), *incident_heatmap.weekly_views(reader, filters)):
            if view.message is None:
                archive.writestr(f"{view.spec.chart_id}.csv", chart_csv(view.spec, view.frame))
        start, end = data.recent_period(reader, filters)
        about = data.describe(filters, start, end, data.chosen_sources(reader, filters)) if end else "no data loaded"
        archive.writestr("README.txt", f"Tasking pack tables: {about}\nGenerated {date.today():%d %B %Y}.\n\n"
                                       + "\n".join(CAVEATS) + "\n")
    return buffer.getvalue()
