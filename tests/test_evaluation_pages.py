"""The interventions and targets pages: plotted values from the evaluation, verdicts and
judgements in words, table alternatives and CSV downloads."""

from __future__ import annotations

import csv
import io

import pytest
from scipy.stats import binomtest
from sqlalchemy import select, text

from app import create_app
from dashboard.chart_data.filters import Filters
from dashboard.chart_data.spec import Reader
from dashboard.pages import interventions as interventions_page
from dashboard.pages import targets as targets_page
from queries.evaluation import evaluate
from queries.interventions import list_interventions, save_interventions
from queries.reference import OXFORD
from queries.schema import lsoa
from queries.targets import judge, list_targets, save_targets

from .conftest import demo_database
from .pagetools import graph, texts


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    url = demo_database(tmp_path_factory, "evaluation-pages", "2022-01", "2024-12", 0.05)
    app = create_app({"database_url": url})
    engine = app.server.extensions["engine"]
    with engine.connect() as conn:
        oxford = list(conn.execute(select(lsoa.c.code).where(lsoa.c.district_code == OXFORD).order_by(lsoa.c.code)).scalars())
    save_interventions(engine, [
        {"name": "Operation Lantern", "description": "Evening patrols.", "start_month": "2024-03", "end_month": "2024-12",
         "crime_types": "", "places": {"target": oxford[:6], "control": oxford[10:20], "buffer": oxford[6:9]}},
        {"name": "Street lighting", "description": "", "start_month": "2024-06", "end_month": "2024-08",
         "crime_types": "", "places": {"target": oxford[:3], "control": [], "buffer": []}},
        {"name": "Cycle marking", "description": "", "start_month": "2024-06", "end_month": "2024-08",
         "crime_types": "possession-of-weapons", "places": {"target": oxford[:1], "control": oxford[30:31], "buffer": []}},
    ], "test")
    save_targets(engine, [{"id": "asb-oxford", "title": "Cut ASB in Oxford by 10%", "crime_types": "anti-social-behaviour",
                           "series_id": None, "area_code": OXFORD, "baseline_from": "2022-04", "baseline_to": "2023-03",
                           "end_from": "2024-04", "end_to": "2025-03", "target_percent": -10.0,
                           "tolerance_points": 2.0, "source": "Test partner plan", "note": ""}], "partner", "test")
    return app


@pytest.fixture(autouse=True)
def app_context(app):
    with app.server.app_context():
        yield


def render(page, app):
    cache = app.server.extensions["query_cache"]
    return page.render(Reader(cache), Filters(), "")


def test_interventions_page_plots_the_evaluation(app):
    engine = app.server.extensions["engine"]
    stored = {r["name"]: r for r in list_interventions(engine)}
    lantern = stored["Operation Lantern"]
    tree = render(interventions_page.PAGE, app)
    figure = graph(tree, f"intervention-{lantern['id']}").figure
    expected = evaluate(engine, lantern["target"], lantern["control"], lantern["buffer"], None,
                        ("2023-03", "2023-12"), ("2024-03", "2024-12"))
    before, after = figure.data
    assert list(before.x) == ["Target area", "Control", "Displacement<br>buffer"]  # two lines: a phone has room
    assert list(before.y) == [expected.counts[r]["before"] for r in ("target", "control", "buffer")]
    assert list(after.y) == [expected.counts[r]["after"] for r in ("target", "control", "buffer")]
    assert before.name == "Before: March to December 2023" and after.name == "After: March to December 2024"
    words = texts(tree)
    assert expected.verdict in words
    assert "Interrupted time series of the target area (26 months before the start" in words
    # Without a stored control, the suggested one is used and the page says how it was chosen.
    assert "Suggested control: The" in words
    # One that cannot be evaluated says why instead of drawing nothing.
    assert "Cycle marking: possession of weapons before and after" in words
    assert "cannot be evaluated yet: the control had no incidents in either period" in words


def test_intervention_csv_download_matches_the_chart(app):
    engine = app.server.extensions["engine"]
    lantern = next(r for r in list_interventions(engine) if r["name"] == "Operation Lantern")
    response = app.server.test_client().get(f"/download/intervention-{lantern['id']}.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    figure = graph(render(interventions_page.PAGE, app), f"intervention-{lantern['id']}").figure
    assert [int(r["Incidents"]) for r in rows if r["Period"].startswith("Before")] == list(figure.data[0].y)
    assert app.server.test_client().get("/download/intervention-999.csv").status_code == 200  # empty table


def test_targets_page_judges_with_the_test(app):
    engine = app.server.extensions["engine"]
    t = next(t for t in list_targets(engine) if t["id"] == "asb-oxford")
    judgement = judge(engine, t)
    # By hand from the raw incidents: the 12 months to December 2024 against April 2022 to
    # March 2023; the line has come 21 of its 24 months (-10% x 21/24); the exact one-sided
    # test of the current share of both counts against the share the line allows (SciPy).
    with engine.connect() as conn:
        def asb(first, last):
            return conn.execute(text("SELECT COUNT(*) FROM incident WHERE district_code = :d AND crime_type = "
                                     "'anti-social-behaviour' AND month BETWEEN :a AND :b"),
                                {"d": OXFORD, "a": first, "b": last}).scalar()
        current, baseline = asb("2024-01", "2024-12"), asb("2022-04", "2023-03")
    line = -10.0 * 21 / 24
    change = (current - baseline) / baseline * 100
    share = (1 + line / 100) / (1 + (1 + line / 100))
    p = binomtest(current, current + baseline, share, alternative="greater").pvalue
    expected = ("on track" if change <= line else "within tolerance" if change - line <= 2.0 else
                "off track" if p < 0.05 else "unclear")
    assert (judgement.current, judgement.baseline) == (current, baseline)
    assert judgement.change_percent == pytest.approx(change) and judgement.line_percent == pytest.approx(line)
    assert judgement.p_value == pytest.approx(p, rel=1e-6)
    assert judgement.status == expected
    tree = render(targets_page.PAGE, app)
    words = texts(tree)
    assert judgement.sentence in words
    assert f"Cut ASB in Oxford by 10%: {judgement.status}" in words
    figure = graph(tree, "target-asb-oxford").figure
    assert [trace.name for trace in figure.data] == ["Tolerance", "Target line", "Rolling 12 months"]
    assert figure.data[1].y[-1] == pytest.approx(judgement.baseline * (1 - 0.10 * 21 / 24), abs=0.1)
    # The plan's published targets wait for 2011/12 data and say so, with their source.
    assert "Community Safety Plan 2011-14" in words and "waiting for data" in words
