"""The board report's months outside ordinary variation: the band against a hand calculation
of the quasi-Poisson prediction limits, in the PDF and in its zip of tables."""

from __future__ import annotations

import csv
import io
import zipfile

from pypdf import PdfReader
from scipy.stats import t as student_t

from dashboard.chart_data.board import band_data
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from dashboard.documents.board_report import build_pdf, build_zip
from queries import periods
from queries.reference import OXFORD

from .helpers import seed_counts


class _Direct:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def planted(engine):
    # 36 months of 100 burglaries to December 2025, but for 50 in March 2024 and 160 in June
    # 2025. Against twelve months of 100 (mean 100, no spread: dispersion 1) the band is
    # 100 +/- t(11) x sqrt(100 x 13/12) (see LIMITS). The months after the dip or the spike
    # sit inside their wider bands. June 2025's twelve months are all 100s.
    months = periods.months_between("2023-01", "2025-12")
    seed_counts(engine, {m: {"2024-03": 50, "2025-06": 160}.get(m, 100) for m in months})
    return Reader(_Direct(engine)), Filters(areas=(OXFORD,), end="2025-12")


HALF = student_t.ppf(1 - 0.0027 / 2, 11) * (100 * 13 / 12) ** 0.5
LIMITS = (round(100 - HALF, 1), round(100 + HALF, 1))  # 60.4 and 139.6


def test_months_outside_the_band_match_the_hand_calculation(sqlite_engine):
    reader, filters = planted(sqlite_engine)
    band = band_data(reader, filters)
    assert band[["subject", "area_name", "month", "month_label", "count", "low", "high", "side"]].values.tolist() == [
        ["All crime (not ASB)", "Oxford", "2024-03", "March 2024", 50, *LIMITS, "below"],
        ["All crime (not ASB)", "Oxford", "2025-06", "June 2025", 160, *LIMITS, "above"],
    ]


def test_the_pdf_lists_the_quarters_and_the_zip_every_one(sqlite_engine):
    reader, _ = planted(sqlite_engine)
    filters = Filters(areas=(OXFORD,), end="2025-06")  # April to June 2025: June's spike, not March 2024's dip
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(build_pdf(reader, filters))).pages)
    text = " ".join(text.split())
    assert "Months outside ordinary variation" in text
    assert f"June 2025 160 {LIMITS[0]:.1f} {LIMITS[1]:.1f} above" in text and "March 2024 50" not in text
    with zipfile.ZipFile(io.BytesIO(build_zip(reader, filters))) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("board-outside-ordinary-variation.csv").decode())))
    assert [(r["Month"], r["Month in words"], r["Count"], r["Above or below the band"]) for r in rows] == [
        ("2024-03", "March 2024", "50", "below"), ("2025-06", "June 2025", "160", "above")]


def test_the_quarter_in_figures_names_each_comparison_once(sqlite_engine):
    reader, filters = planted(sqlite_engine)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(build_pdf(reader, filters))).pages)
    text = " ".join(text.split())
    # October to December 2025 and 2024 are 300 each; 2025 holds 1,260 (the June spike), 2024 1,150 (the March dip).
    assert text.count("October to December 2025 against the same months a year earlier:") == 1
    assert "Oxford All crime (not ASB) 300 300 3 of 3 months +0.0 1.000" in text
    assert text.count("The 12 months to December 2025 against the 12 before:") == 1
    assert f"Oxford All crime (not ASB) 1,150 1,260 12 of 12 months {(1260 - 1150) / 1150 * 100:+.1f}" in text


def test_a_value_too_wide_for_its_column_is_wrapped_not_cut():
    import pandas as pd

    from dashboard.documents.pack import PackPDF
    from dashboard.documents.pdf_layout import one_line_table

    pdf = PackPDF("Test", "today")
    pdf.add_page()
    long_name = "A very long partnership area name that no narrow column could hold on one line"
    one_line_table(pdf, pd.DataFrame({"name": [long_name], "count": [3]}), [("name", "Area"), ("count", "Count")],
                   (40, 150))  # the page's width, as the report's tables
    raw = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].extract_text()
    assert long_name not in raw  # broken over lines, not run past the column on one
    assert long_name in " ".join(raw.split())


def test_the_pdf_does_not_call_months_ordinary_when_no_band_could_be_drawn(sqlite_engine):
    """Three months loaded: no month has 9 of its 12 months before, so the report says the
    band cannot judge them rather than that every month was ordinary."""
    seed_counts(sqlite_engine, {"2025-10": 100, "2025-11": 300, "2025-12": 100})
    reader, filters = Reader(_Direct(sqlite_engine)), Filters(areas=(OXFORD,), end="2025-12")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(build_pdf(reader, filters))).pages).split())
    assert "Every month of the quarter" not in text
    assert ("October to December 2025: not judged, as fewer than 9 of the 12 calendar months before each are loaded "
            "(or the month itself is not). So no month of the quarter can be called inside or outside ordinary "
            "variation.") in text
