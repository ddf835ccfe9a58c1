"""The board report's charts: each section draws its page's chart as vector paths whose
points sit where the counts put them (checked against planted counts and against incidents
counted straight from the incident table), lines break and months are named where data are
missing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from sqlalchemy import func, select

from app import create_app
from dashboard.chart_data import interventions as intervention_charts
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from dashboard.documents.board_report import build_pdf
from queries import periods
from queries.interventions import list_interventions, save_interventions
from queries.reference import ASB, OXFORD
from queries.schema import incident, lsoa
from queries.targets import save_targets

from .conftest import demo_database
from .helpers import seed_counts

OXFORD_BLUE = (0.0, 0.4471, 0.698)  # #0072B2 as the PDF writes it, to four places
VERMILLION = (0.8353, 0.3686, 0.0)  # #D55E00, the target line
HOLE = ("2023-04", "2023-06")


class _Direct:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def drawing(pdf: bytes) -> list[dict]:
    """Every page's stroked lines and filled rectangles with their colours, and its text."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        stroke, fill, stack = None, None, []
        lines, rects, path = [], [], []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            op = operator.decode()
            if op == "q":
                stack.append((stroke, fill))
            elif op == "Q":
                stroke, fill = stack.pop()
            elif op == "RG":
                stroke = tuple(round(float(v), 4) for v in operands)
            elif op == "G":
                stroke = (round(float(operands[0]), 4),) * 3
            elif op == "rg":
                fill = tuple(round(float(v), 4) for v in operands)
            elif op == "g":
                fill = (round(float(operands[0]), 4),) * 3
            elif op == "m":
                path = [(float(operands[0]), float(operands[1]))]
            elif op == "l":
                path.append((float(operands[0]), float(operands[1])))
            elif op == "S":
                lines.append((stroke, path))
                path = []
            elif op == "re":
                path = []
                rects.append([fill, *(float(v) for v in operands)])
            elif op in ("f", "F") and rects and rects[-1][0] is not None and len(rects[-1]) == 5:
                rects[-1].append("filled")
        pages.append({"lines": lines, "filled": [r[:5] for r in rects if len(r) == 6],
                      "text": " ".join(page.extract_text().split())})
    return pages


def assert_affine(heights: list[float], values: list[float]) -> None:
    """Page positions are a + b * value for one a and b: the chart's scale, whatever it is."""
    (h0, v0), (h1, v1) = (heights[0], values[0]), next((h, v) for h, v in zip(heights, values) if v != values[0])
    b = (h1 - h0) / (v1 - v0)
    assert b != 0
    for h, v in zip(heights, values):
        assert h == pytest.approx(h0 + b * (v - v0), abs=0.02)


def planted_with_a_hole(engine):
    """36 monthly burglary counts for Oxford to December 2024, April to June 2023 not loaded."""
    months = [m for m in periods.months_between("2022-01", "2024-12") if not HOLE[0] <= m <= HOLE[1]]
    counts = {m: 100 + (i * 37) % 41 for i, m in enumerate(months)}
    seed_counts(engine, counts)
    return counts


def test_the_monthly_chart_plots_each_count_and_breaks_its_line_at_the_hole(sqlite_engine):
    counts = planted_with_a_hole(sqlite_engine)
    pages = drawing(build_pdf(Reader(_Direct(sqlite_engine)), Filters(areas=(OXFORD,), end="2024-12")))
    lines = [path for page in pages for colour, path in page["lines"] if colour == OXFORD_BLUE and len(path) > 1]
    # The monthly chart's line: January 2022 to March 2023 (15 months), then July 2023 to December 2024 (18).
    lengths = [len(path) for path in lines]
    at = next(i for i in range(len(lengths) - 1) if lengths[i:i + 2] == [15, 18])
    first, second = lines[at], lines[at + 1]
    assert_affine([y for _, y in first + second], [float(v) for v in counts.values()])
    xs = [x for x, _ in first + second]
    step = xs[1] - xs[0]
    assert all(b - a == pytest.approx(step, abs=0.02) for a, b in zip(xs[:15], xs[1:15]))
    assert all(b - a == pytest.approx(step, abs=0.02) for a, b in zip(xs[15:], xs[16:]))
    assert xs[15] - xs[14] == pytest.approx(4 * step, abs=0.02)  # three months missing: a gap, not a line


def test_the_report_names_the_months_not_loaded(sqlite_engine):
    planted_with_a_hole(sqlite_engine)
    text = " ".join(p["text"] for p in drawing(build_pdf(Reader(_Direct(sqlite_engine)),
                                                         Filters(areas=(OXFORD,), end="2024-12"))))
    assert "Months not loaded in the 36 months to December 2024: April to June 2023." in text
    assert "No figure for April to June 2023: shaded, with the line broken across them." in text


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = demo_database(tmp_path_factory, "board-charts", "2022-01", "2024-12", 0.05)
    app = create_app({"database_url": url})
    engine = app.server.extensions["engine"]
    with engine.connect() as conn:
        oxford = list(conn.execute(select(lsoa.c.code).where(lsoa.c.district_code == OXFORD).order_by(lsoa.c.code)).scalars())
    save_interventions(engine, [
        {"name": "Operation Lantern", "description": "Evening patrols in the Cowley Road area", "start_month": "2024-03",
         "end_month": "2024-08", "crime_types": "", "places": {"target": oxford[:6], "control": oxford[10:20],
                                                               "buffer": oxford[6:9]}},
        # The demo starts in January 2022: no same months a year earlier, only the months just before.
        {"name": "Summer lighting", "description": "New lights.", "start_month": "2022-06", "end_month": "2022-08",
         "crime_types": "", "places": {"target": oxford[:4], "control": oxford[10:20], "buffer": []}},
    ], "test")
    save_targets(engine, [{"id": "asb-oxford", "title": "Cut ASB in Oxford by 10%", "crime_types": ASB,
                           "series_id": None, "area_code": OXFORD, "baseline_from": "2022-04", "baseline_to": "2023-03",
                           "end_from": "2024-04", "end_to": "2025-03", "target_percent": -10.0,
                           "tolerance_points": 2.0, "source": "Test partner plan", "note": ""}], "partner", "test")
    return app


def test_every_section_draws_its_chart(app):
    engine = app.server.extensions["engine"]
    with app.server.app_context():
        reader = Reader(app.server.extensions["query_cache"])
        pages = drawing(build_pdf(reader, Filters(areas=(OXFORD,), end="2024-12")))

    def page_of(title: str) -> dict:
        return next(p for p in pages if title in p["text"])

    # The overview's rolling 12 months, and /crime's and /asb's monthly counts: a line in Oxford's colour each.
    for title in ("All crime (excluding anti-social behaviour), rolling 12 months",
                  "All crime (excluding anti-social behaviour) by month: count",
                  "Anti-social behaviour incidents recorded by the police by month: count"):
        page = page_of(title)
        assert any(colour == OXFORD_BLUE and len(path) > 10 for colour, path in page["lines"]), title
    assert "Ordinary variation (Oxford)" in page_of("by month: count")["text"]  # the legend names the band
    # The target's line, dashed in vermillion as on /targets.
    target = page_of("Cut ASB in Oxford by 10%")
    assert any(colour == VERMILLION and len(path) > 10 for colour, path in target["lines"])
    assert "Target line" in target["text"] and "Rolling 12 months" in target["text"]
    # The intervention's bars: the after bars' heights against incidents counted from the incident table.
    record = next(r for r in list_interventions(engine) if r["name"] == "Operation Lantern")
    bars = [r for r in page_of("Operation Lantern: all crime before and after")["filled"] if r[0] == OXFORD_BLUE]
    # The plot's bars stand on one baseline (y + h in PDF units); the legend's key does not.
    baselines = [round(r[2] + r[4], 1) for r in bars]
    bars = sorted((r for r, b in zip(bars, baselines) if baselines.count(b) == 3), key=lambda r: r[1])
    with engine.connect() as conn:
        after = [conn.execute(select(func.count()).select_from(incident).where(
            incident.c.lsoa_code.in_(record[role]), incident.c.month.between("2024-03", "2024-08"),
            incident.c.crime_type != ASB)).scalar_one() for role in ("target", "control", "buffer")]
    assert len(bars) == 3 and all(after)
    assert_affine([0.0] + [-r[4] for r in bars], [0.0] + [float(n) for n in after])


def test_an_intervention_verdict_is_a_sentence_of_its_own(app):
    engine = app.server.extensions["engine"]
    with app.server.app_context():
        reader = Reader(app.server.extensions["query_cache"])
        record = next(r for r in list_interventions(engine) if r["name"] == "Operation Lantern")
        view = intervention_charts.view_for(reader, record["id"])
    assert view.summary.startswith("All crime ")
    assert "Cowley Road area" not in view.summary
    assert view.notes[0].text == "What was done: Evening patrols in the Cowley Road area."


def test_a_before_period_of_other_seasons_is_said_on_the_page_in_the_verdict_and_in_the_report(app):
    engine = app.server.extensions["engine"]
    with app.server.app_context():
        reader = Reader(app.server.extensions["query_cache"])
        record = next(r for r in list_interventions(engine) if r["name"] == "Summer lighting")
        view = intervention_charts.view_for(reader, record["id"])
        text = " ".join(p["text"] for p in drawing(build_pdf(reader, Filters(areas=(OXFORD,), end="2024-12"))))
    assert view.frame["period"].tolist()[:2] == ["Before: March to May 2022", "After: June to August 2022"]
    said = ("The same months a year earlier (June to August 2021) are not all loaded, nor two or three years earlier, "
            "so the before period is the 3 months just before the start (March to May 2022): other months of the "
            "year than the after period, so part of any change may be seasonal.")
    assert said in [n.text for n in view.notes]
    assert view.summary.endswith("The before period covers other months of the year, so part of this change may be "
                                 "seasonal.")
    assert said in text


def test_a_quarter_without_12_months_before_is_not_called_ordinary(sqlite_engine):
    # January to March 2024 loaded, and all of 2022: the 12 months before each are not.
    seed_counts(sqlite_engine, {m: 100 for m in periods.months_between("2022-01", "2022-12")}
                | {"2024-01": 100, "2024-02": 300, "2024-03": 100})
    text = " ".join(p["text"] for p in drawing(build_pdf(Reader(_Direct(sqlite_engine)),
                                                         Filters(areas=(OXFORD,), end="2024-03"))))
    assert "Every month of the quarter was within ordinary variation" not in text
    assert ("January to March 2024: not judged, as fewer than 9 of the 12 calendar months before each are loaded (or "
            "the month itself is not). So no month of the quarter can be called inside or outside ordinary variation.") in text


def test_a_quarter_partly_judged_says_which_months(sqlite_engine):
    # Every month from January 2023 to March 2024 but February 2024: February is not judged; March 2024
    # has 11 of its 12 calendar months before loaded, enough for a band (9 of 12).
    seed_counts(sqlite_engine, {m: 100 for m in periods.months_between("2023-01", "2024-03") if m != "2024-02"})
    text = " ".join(p["text"] for p in drawing(build_pdf(Reader(_Direct(sqlite_engine)),
                                                         Filters(areas=(OXFORD,), end="2024-03"))))
    assert ("February 2024: not judged, as fewer than 9 of the 12 calendar months before it are loaded (or the month "
            "itself is not).") in text
    assert "January 2024 and March 2024: within ordinary variation." in text


def test_the_report_says_how_many_interventions_it_leaves_out(app, monkeypatch):
    """Only the latest-starting few are evaluated in the report: it says how many more there are,
    so the board does not take them for all that was done (two stored, one shown here)."""
    monkeypatch.setattr(intervention_charts, "SHOWN", 1)
    with app.server.app_context():
        reader = Reader(app.server.extensions["query_cache"])
        text = " ".join(" ".join(p["text"].split()) for p in drawing(build_pdf(reader, Filters(areas=(OXFORD,), end="2024-12"))))
    assert "The 1 latest-starting interventions are evaluated here; 1 more is recorded" in text
    assert "Operation Lantern: all crime before and after" in text and "Summer lighting: all crime" not in text


def test_pdf_tick_labels_keep_the_decimals_of_small_rates():
    """A sparse area's rates (0.05 per 1,000 steps) print each tick apart, not '0.1' twice."""
    from dashboard.charts.scales import nice_ticks, tick_text

    labels = [tick_text(t) for t in nice_ticks(0.22)]
    assert len(set(labels)) == len(labels) and "0.05" in labels and "0.15" in labels
    assert tick_text(1500) == "1,500" and tick_text(2.5) == "2.5"
