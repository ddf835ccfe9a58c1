"""A day-of-week by hour grid drawn into a PDF page: the pack's picture of when a partner
source's incidents happen, with every count written in its cell."""

from __future__ import annotations

import pandas as pd

from dashboard.charts.figures import heat_colour
from queries.incidents import WEEKDAYS


def draw_weekday_hour(pdf, cells: pd.DataFrame, width: float = 180.0) -> None:
    """Seven rows (Monday first) of 24 hour cells, with the hour labels above."""
    label_width, cell_height = 22.0, 7.0
    cell_width = (width - label_width) / 24
    grid = {(int(d), int(h)): int(n) for d, h, n in cells[["weekday", "hour", "count"]].itertuples(index=False)}
    busiest = max(grid.values(), default=0) or 1
    x0, y = pdf.get_x(), pdf.get_y()
    pdf.set_font("Helvetica", "", 6.5)
    for hour in range(24):
        pdf.set_xy(x0 + label_width + hour * cell_width, y)
        pdf.cell(cell_width, 4, f"{hour:02d}", align="C")
    y += 4
    for day in range(7):
        pdf.set_xy(x0, y + day * cell_height)
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(label_width, cell_height, WEEKDAYS[day])
        for hour in range(24):
            n = grid.get((day, hour), 0)
            fill = heat_colour(n / busiest)
            pdf.set_fill_color(*fill)
            pdf.set_draw_color(255, 255, 255)
            x = x0 + label_width + hour * cell_width
            pdf.rect(x, y + day * cell_height, cell_width, cell_height, style="DF")
            if n:
                dark = sum(fill) / 3 < 140
                pdf.set_text_color(*((255, 255, 255) if dark else (27, 27, 27)))
                pdf.set_xy(x, y + day * cell_height)
                pdf.set_font("Helvetica", "B", 6.5)
                pdf.cell(cell_width, cell_height, str(n), align="C")
    pdf.set_text_color(27, 27, 27)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(x0, y + 7 * cell_height + 3)
